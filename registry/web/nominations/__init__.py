"""The unit's side of a nomination: the dossier, its documents and photos, and the moves the unit makes."""
