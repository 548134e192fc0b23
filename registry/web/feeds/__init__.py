"""Atom feeds of newly published entries and awards: overall, per unit, per topic, per search."""
