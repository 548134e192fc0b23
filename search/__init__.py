"""Full-text search for the registry: Vietnamese analysis (``search.analysis``) and a
Whoosh-backed index (``search.index``, ``search.query``). Imports neither Flask nor the app."""
