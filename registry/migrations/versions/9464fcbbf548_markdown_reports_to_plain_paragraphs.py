"""achievement reports written in Markdown become plain paragraphs

Revision ID: 9464fcbbf548
Revises: c4e1a7d20b9f
Create Date: 2026-12-07 03:20:00

Reports are typed as plain text since the dossier documents change (paragraphs stay paragraphs, nothing is
interpreted), and the pages show them so. Reports written before that in Markdown showed their markup
(``**``, ``#``, ``- ``): those that carry it are converted once to plain text that reads the same
(registry.entries.richtext.markdown_to_paragraphs). Reports without markup are left exactly as typed.
There is no way back: the downgrade leaves the converted text alone.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '9464fcbbf548'
down_revision = 'c4e1a7d20b9f'
branch_labels = None
depends_on = None


def upgrade():
    from registry.entries.richtext import looks_like_markdown, markdown_to_paragraphs

    nomination = sa.table('nomination', sa.column('id', sa.Integer), sa.column('report', sa.Text))
    bind = op.get_bind()
    for row in bind.execute(sa.select(nomination.c.id, nomination.c.report)
                            .where(nomination.c.report.is_not(None))).all():
        if looks_like_markdown(row.report):
            bind.execute(sa.update(nomination).where(nomination.c.id == row.id)
                         .values(report=markdown_to_paragraphs(row.report)))


def downgrade():
    pass
