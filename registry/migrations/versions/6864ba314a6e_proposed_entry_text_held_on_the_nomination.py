"""proposed entry text held on the nomination

Revision ID: 6864ba314a6e
Revises: 64f50cb1c013
Create Date: 2026-12-01 10:00:00.000000

A nomination no longer writes into an entry that is published, or that another dossier drafted: the title,
summary and story it proposes wait on the nomination until the council publishes the award.
Dossier pictures that earlier releases kept in the public photo store are moved into the private
document store by `flask --app registry init` (registry.workflow.documents.documents_upkeep), not here: files
are not the database's to move.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '6864ba314a6e'
down_revision = '64f50cb1c013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('nomination', schema=None) as batch_op:
        batch_op.add_column(sa.Column('proposed_title', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('proposed_summary', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('proposed_story', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('nomination', schema=None) as batch_op:
        batch_op.drop_column('proposed_story')
        batch_op.drop_column('proposed_summary')
        batch_op.drop_column('proposed_title')
