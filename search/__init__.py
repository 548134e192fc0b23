"""Full-text search for the registry; imports neither Flask nor the app.

The contract both engines keep: ``contract`` (request, result, errors), ``document`` (an entry made
ready for indexing), ``analysis`` (Vietnamese folding and tokenising), ``scoring`` (BM25F and the
query tree), ``passes`` (how a query loosens, and what the result says about it) and ``highlight``.
The engines: ``search.whoosh`` and ``search.postgres``.
"""
