"""sign-ins kept on the server; the sign-in throttle by address and known device

Revision ID: 7d61f45fb1f4
Revises: 58d7013681b2
Create Date: 2026-12-06 20:30:40.805282

Each signed-in browser gets a row (registry.accounts.sign_ins); signing out deletes it, so a copied session cookie
stops working. Sessions from before this revision have no row: their users sign in once more.
Sign-in attempts keep the network the throttle counts by and the known device they came from; notices
about the user's own account name a detail (the address wrong passwords came from).
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '7d61f45fb1f4'
down_revision = '58d7013681b2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sign_in',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('user_agent', sa.String(length=200), nullable=True),
    sa.Column('remote_addr', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_sign_in_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_sign_in_token_hash'))
    )
    with op.batch_alter_table('sign_in', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('network', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('device', sa.String(length=32), nullable=True))
        batch_op.create_index('ix_login_attempt_network_at', ['network', 'at'], unique=False)
    # Recent IPv4 failures keep counting against their address (an IPv6 one is counted by its /64 from now on).
    op.execute("UPDATE login_attempt SET network = remote_addr WHERE remote_addr NOT LIKE '%:%'")

    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('detail', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_column('detail')

    with op.batch_alter_table('login_attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_login_attempt_network_at')
        batch_op.drop_column('device')
        batch_op.drop_column('network')

    with op.batch_alter_table('sign_in', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_user_id'))

    op.drop_table('sign_in')
