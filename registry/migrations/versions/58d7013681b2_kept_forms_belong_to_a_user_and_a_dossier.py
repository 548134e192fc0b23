"""kept forms belong to a user and a dossier

Revision ID: 58d7013681b2
Revises: 6864ba314a6e
Create Date: 2026-12-06 20:30:00.000000

A form typed when the session had ended used to be kept for anyone, under any address, whole.
It is now kept only for the user the browser was signed in as, for one dossier they may edit,
bounded in size and count and for a day (registry/kept_forms.py). The rows kept so far name no
user, so none of them could be handed back under the new rule: the table is made anew (which also
drops whatever anonymous visitors stored in it).
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '58d7013681b2'
down_revision = '6864ba314a6e'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_table('pending_form')
    op.create_table('pending_form',
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('nomination_id', sa.Integer(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['nomination_id'], ['nomination.id'], name=op.f('fk_pending_form_nomination_id_nomination'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_pending_form_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token', name=op.f('pk_pending_form'))
    )
    with op.batch_alter_table('pending_form', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pending_form_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_pending_form_nomination_id'), ['nomination_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pending_form_user_id'), ['user_id'], unique=False)


def downgrade():
    op.drop_table('pending_form')
    op.create_table('pending_form',
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('path', sa.String(length=300), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('token', name=op.f('pk_pending_form'))
    )
