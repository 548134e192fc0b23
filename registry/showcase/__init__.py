"""The public read side: browse filters and selectors, public search and its index, open data, statistics."""
