"""sample lexemes of the search rows

Revision ID: 5b2e9c1d7a40
Revises: 96de6a987bdc
Create Date: 2026-11-23 18:00:00.000000

The PostgreSQL search backend estimates the total and facet counts of a broad query from the
matches in a few sample buckets; each search row carries the lexeme of its bucket ("=sample:17")
in its vectors (search.postgres.sample_bucket, SAMPLE_BUCKET_SQL). Rows written before this
revision get theirs here; `flask --app registry reindex` writes them too. Other databases use
the Whoosh folder instead: nothing to do there.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '5b2e9c1d7a40'
down_revision = '96de6a987bdc'
branch_labels = None
depends_on = None

BUCKETS = 64
# search.postgres.SAMPLE_BUCKET_SQL when this revision was written.
BUCKET = "((((entry_id & 65535) * 40503) & 65535) >> 10)"
ALL = "(SELECT array_agg('=sample:' || b) FROM generate_series(0, %d) AS b)" % (BUCKETS - 1)


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    lexeme = f"array_to_tsvector(ARRAY['=sample:' || {BUCKET}])"
    op.execute(
        f"UPDATE search_document SET filters = filters || {lexeme}, title_terms = title_terms || {lexeme}, "
        f"terms = terms || {lexeme} WHERE NOT filters @@ CAST(quote_literal('=sample:' || {BUCKET}) AS tsquery)"
    )


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute(
        f"UPDATE search_document SET filters = ts_delete(filters, {ALL}), "
        f"title_terms = ts_delete(title_terms, {ALL}), terms = ts_delete(terms, {ALL})"
    )
