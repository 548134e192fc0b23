"""entries' sort keys in CLDR's Vietnamese order; one-time passwords; achievement reports as documents

Revision ID: 53c5850cb688
Revises: 7d61f45fb1f4
Create Date: 2026-12-07 00:10:00

Entry.title_sort is now ICU's sort key under the Vietnamese collation (registry.platform.collation), written in
hexadecimal: every stored key is computed again. Users get must_change_password, set for accounts whose password
was handed out (the demo accounts): they choose their own at the first sign-in. A dossier document may be the
achievement report itself (attachment kind "achievement_report").
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '53c5850cb688'
down_revision = '7d61f45fb1f4'
branch_labels = None
depends_on = None

KINDS_BEFORE = ('proposal_letter', 'minutes', 'certificate', 'other')
KINDS = ('proposal_letter', 'achievement_report', 'minutes', 'certificate', 'other')


def _kind_type(kinds):
    return sa.Enum(*kinds, name='attachmentkind', native_enum=False, create_constraint=True, length=24)


entry = sa.table('entry', sa.column('id', sa.Integer), sa.column('title', sa.String), sa.column('title_sort', sa.String))


def _recompute_sort_keys(sort_key):
    connection = op.get_bind()
    rows = connection.execute(sa.select(entry.c.id, entry.c.title)).all()
    for entry_id, title in rows:
        connection.execute(entry.update().where(entry.c.id == entry_id).values(title_sort=sort_key(title)))


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.alter_column('kind', existing_type=_kind_type(KINDS_BEFORE), type_=_kind_type(KINDS),
                              existing_nullable=False)
    from registry.platform.collation import sort_key

    _recompute_sort_keys(sort_key)


def downgrade():
    op.execute("UPDATE attachment SET kind = 'other' WHERE kind = 'achievement_report'")
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.alter_column('kind', existing_type=_kind_type(KINDS), type_=_kind_type(KINDS_BEFORE),
                              existing_nullable=False)
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')
    # The earlier keys were a plain casefolded text: close enough for the earlier release to sort by.
    _recompute_sort_keys(lambda title: (title or '').casefold()[:300])
