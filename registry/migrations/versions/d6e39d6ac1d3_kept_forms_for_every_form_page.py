"""kept forms for every form page of the working side

Revision ID: d6e39d6ac1d3
Revises: 9464fcbbf548
Create Date: 2026-12-07 03:30:00

A form sent after the session ended was kept only for the dossier. Now any form page of the working side
(the entry editor, the administrators' and the council's forms) keeps what was typed, under the page's path;
a kept form names either a dossier or a page.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd6e39d6ac1d3'
down_revision = '9464fcbbf548'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('pending_form', schema=None) as batch_op:
        batch_op.add_column(sa.Column('path', sa.String(length=300), nullable=True))
        batch_op.alter_column('nomination_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_check_constraint(op.f('ck_pending_form_dossier_or_page'),
                                         '(nomination_id IS NULL) <> (path IS NULL)')


def downgrade():
    op.execute("DELETE FROM pending_form WHERE nomination_id IS NULL")
    with op.batch_alter_table('pending_form', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_pending_form_dossier_or_page'), type_='check')
        batch_op.alter_column('nomination_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('path')
