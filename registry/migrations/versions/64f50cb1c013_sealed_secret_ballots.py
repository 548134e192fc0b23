"""sealed secret ballots

Revision ID: 64f50cb1c013
Revises: 5b2e9c1d7a40
Create Date: 2026-12-01 10:00:00.000000

A secret ballot's choice is sealed while its vote is open (registry/ballot_box.py): the ballot keeps either the
sealed choice or, once counted, the choice itself. Ballots already in the table are counted ones, or ballots of
a vote open during the upgrade, which the close counts as they are.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '64f50cb1c013'
down_revision = '5b2e9c1d7a40'
branch_labels = None
depends_on = None


def upgrade():
    # On SQLite the table is rebuilt: it stays WITHOUT ROWID, so it keeps no arrival order.
    with op.batch_alter_table('ballot', schema=None, table_kwargs={'sqlite_with_rowid': False}) as batch_op:
        batch_op.add_column(sa.Column('sealed', sa.String(length=64), nullable=True))
        batch_op.alter_column('choice', existing_type=sa.String(length=24), nullable=True)
        batch_op.create_check_constraint(op.f('ck_ballot_sealed_or_counted'), '(choice IS NULL) <> (sealed IS NULL)')


def downgrade():
    # Sealed ballots cannot be opened here: the votes still open lose them and must be cast again.
    op.execute("DELETE FROM ballot WHERE sealed IS NOT NULL")
    with op.batch_alter_table('ballot', schema=None, table_kwargs={'sqlite_with_rowid': False}) as batch_op:
        batch_op.drop_constraint(op.f('ck_ballot_sealed_or_counted'), type_='check')
        batch_op.alter_column('choice', existing_type=sa.String(length=24), nullable=False)
        batch_op.drop_column('sealed')
