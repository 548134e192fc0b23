"""search tables for PostgreSQL

Revision ID: 96de6a987bdc
Revises: 32cae94ea953
Create Date: 2026-11-23 15:00:00.000000

The PostgreSQL search backend (search/postgres.py) keeps one row per published entry with its
lexemes in tsvector columns under GIN indexes, the title vocabulary for typo suggestions and the
sets of facet values the rows refer to by key.
Other databases use the Whoosh folder instead: nothing to do there. The statements are those
of search.postgres.SCHEMA when this revision was written.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '96de6a987bdc'
down_revision = '32cae94ea953'
branch_labels = None
depends_on = None

STATEMENTS = (
    """CREATE TABLE IF NOT EXISTS search_document (
        entry_id bigint PRIMARY KEY,
        published bigint NOT NULL DEFAULT 0,
        unit_id integer NOT NULL DEFAULT 0,
        year integer NOT NULL DEFAULT 0,
        basics_key bigint NOT NULL DEFAULT 0,
        topics_key bigint NOT NULL DEFAULT 0,
        awards_key bigint NOT NULL DEFAULT 0,
        public boolean NOT NULL DEFAULT true,
        title_len integer NOT NULL DEFAULT 0,
        title_exact_len integer NOT NULL DEFAULT 0,
        text_len integer NOT NULL DEFAULT 0,
        text_exact_len integer NOT NULL DEFAULT 0,
        kind text NOT NULL DEFAULT '',
        stamp text NOT NULL DEFAULT '',
        filters tsvector NOT NULL DEFAULT '',
        ref text,
        title text NOT NULL DEFAULT '',
        summary text NOT NULL DEFAULT '',
        body text NOT NULL DEFAULT '',
        title_terms tsvector NOT NULL DEFAULT '',
        terms tsvector NOT NULL DEFAULT ''
    ) WITH (toast_tuple_target = 128)""",
    "ALTER TABLE search_document ALTER COLUMN filters SET STORAGE MAIN",
    "ALTER TABLE search_document ALTER COLUMN terms SET STATISTICS 1000, ALTER COLUMN title_terms SET STATISTICS 1000",
    """DO $$ BEGIN
        IF 'lz4' IN (SELECT unnest(enumvals) FROM pg_settings WHERE name = 'default_toast_compression') THEN
            EXECUTE 'ALTER TABLE search_document ALTER COLUMN terms SET COMPRESSION lz4';
        END IF;
    END $$""",
    "CREATE INDEX IF NOT EXISTS ix_search_document_terms ON search_document USING gin (terms) WITH (fastupdate = off)",
    "CREATE INDEX IF NOT EXISTS ix_search_document_title_terms ON search_document USING gin (title_terms) "
    "WITH (fastupdate = off)",
    "CREATE INDEX IF NOT EXISTS ix_search_document_filters ON search_document USING gin (filters) "
    "WITH (fastupdate = off)",
    "CREATE INDEX IF NOT EXISTS ix_search_document_published ON search_document (published DESC, entry_id)",
    'CREATE TABLE IF NOT EXISTS search_title_term (term text COLLATE "C" PRIMARY KEY)',
    "CREATE TABLE IF NOT EXISTS search_facet_set (key bigint PRIMARY KEY, kind text, year integer, "
    "names text[] NOT NULL DEFAULT '{}')",
)


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute('DROP TABLE IF EXISTS search_facet_set')
    op.execute('DROP TABLE IF EXISTS search_title_term')
    op.execute('DROP TABLE IF EXISTS search_document')
