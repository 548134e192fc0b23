"""council rules a commune can live with; awards anyone can verify

Revision ID: c4e1a7d20b9f
Revises: 4bba809f1a1e
Create Date: 2026-12-06 23:55:00

Rounds say whether recused members leave an "all members" denominator and whether the threshold must be
exceeded; a conflict row records its grounds, who decided it and whether the member was recused; decision
registers say where an issuer's numbering stands; every award gets a random verification code (existing
awards too).
"""
import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c4e1a7d20b9f'
down_revision = '4bba809f1a1e'
branch_labels = None
depends_on = None

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def upgrade():
    with op.batch_alter_table('award_round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recused_leave_denominator', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
        batch_op.add_column(sa.Column('threshold_exclusive', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))

    with op.batch_alter_table('conflict_declaration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('grounds', sa.Enum('declared', 'nominee', 'collective', 'nominating_unit',
                                                         name='conflictgrounds', native_enum=False,
                                                         create_constraint=True, length=24),
                                      server_default='declared', nullable=False))
        batch_op.add_column(sa.Column('recused', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('decided_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_conflict_declaration_decided_by_id_user_account'),
                                    'user_account', ['decided_by_id'], ['id'], ondelete='SET NULL')

    op.create_table('decision_register',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('issuer_id', sa.Integer(), nullable=False),
    sa.Column('style', sa.Enum('state', 'party', name='numberingstyle', native_enum=False, create_constraint=True,
                               length=24), nullable=False),
    sa.Column('series', sa.String(length=80), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.Column('set_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('last_number >= 0', name=op.f('ck_decision_register_non_negative_number')),
    sa.ForeignKeyConstraint(['issuer_id'], ['unit.id'], name=op.f('fk_decision_register_issuer_id_unit'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['set_by_id'], ['user_account.id'],
                            name=op.f('fk_decision_register_set_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decision_register')),
    sa.UniqueConstraint('issuer_id', 'style', 'series', name='uq_decision_register_series')
    )
    with op.batch_alter_table('decision_register', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decision_register_issuer_id'), ['issuer_id'], unique=False)

    with op.batch_alter_table('award', schema=None) as batch_op:
        batch_op.add_column(sa.Column('verification_code', sa.String(length=10), nullable=True))
    award = sa.table('award', sa.column('id', sa.Integer), sa.column('verification_code', sa.String))
    bind = op.get_bind()
    used = set()
    for (award_id,) in bind.execute(sa.select(award.c.id)).all():
        code = ""
        while not code or code in used:
            code = "".join(secrets.choice(ALPHABET) for _i in range(10))
        used.add(code)
        bind.execute(award.update().where(award.c.id == award_id).values(verification_code=code))
    with op.batch_alter_table('award', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_award_verification_code'), ['verification_code'])


def downgrade():
    with op.batch_alter_table('award', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_award_verification_code'), type_='unique')
        batch_op.drop_column('verification_code')

    with op.batch_alter_table('decision_register', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decision_register_issuer_id'))
    op.drop_table('decision_register')

    with op.batch_alter_table('conflict_declaration', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_conflict_declaration_decided_by_id_user_account'),
                                 type_='foreignkey')
        batch_op.drop_column('decided_by_id')
        batch_op.drop_column('recused')
        batch_op.drop_constraint(batch_op.f('ck_conflict_declaration_conflictgrounds'), type_='check')
        batch_op.drop_column('grounds')

    with op.batch_alter_table('award_round', schema=None) as batch_op:
        batch_op.drop_column('threshold_exclusive')
        batch_op.drop_column('recused_leave_denominator')
