"""The entry editor: the pages where a unit keeps its entries, their photos, consents and revisions."""
