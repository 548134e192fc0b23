"""The PostgreSQL engine: the analysis and ranking of the Whoosh engine, stored in ``tsvector`` columns.

``schema`` holds the tables and what a document becomes in them, ``index`` the handle that writes
and checks them, ``query`` search and suggestions. It shares ``search.contract``, ``search.scoring``
and ``search.highlight`` with the Whoosh engine and never imports Whoosh.
"""

from search.postgres.index import PostgresSearchIndex
from search.postgres.query import match_query, search, search_ids, suggest
from search.postgres.schema import (
    SAMPLE_BUCKET_SQL,
    SAMPLE_BUCKETS,
    SCHEMA,
    TABLE,
    TABLES,
    create_schema,
    document_row,
    drop_schema,
    sample_bucket,
)

__all__ = [
    "SAMPLE_BUCKETS",
    "SAMPLE_BUCKET_SQL",
    "SCHEMA",
    "TABLE",
    "TABLES",
    "PostgresSearchIndex",
    "create_schema",
    "document_row",
    "drop_schema",
    "match_query",
    "sample_bucket",
    "search",
    "search_ids",
    "suggest",
]
