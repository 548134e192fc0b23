"""The Whoosh engine: a directory of index generations (``index``), its schema and analyzers
(``schema``, ``analysis``), and search by set algebra with BM25F rescoring (``query``)."""
