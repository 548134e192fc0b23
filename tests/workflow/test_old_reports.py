"""Achievement reports written in Markdown before reports became plain text read as text, markup gone, once
the migration converted them; reports typed as plain text are left exactly as they were."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations

from registry.entries.richtext import looks_like_markdown, markdown_to_paragraphs
from registry.extensions import db
from registry.workflow.models import Nomination
from tests.support.clients import client_for
from tests.support.world import new_draft

OLD_REPORT = """## Thành tích nổi bật

Chị đã **vận động** 40 hộ gia đình
tham gia *mô hình* phân loại rác.

- Thu gom 2 tấn rác tái chế
- Trồng 300 cây xanh
"""
PLAIN_REPORT = "Năm 2025 chị đã vận động 40 hộ.\n\nTổ đạt danh hiệu - tổ dân phố văn hoá (5*)."

MIGRATION = next((Path(__file__).parents[2] / "registry" / "migrations" / "versions").glob(
    "*_markdown_reports_to_plain_paragraphs.py"))


def run_migration(app) -> None:
    spec = importlib.util.spec_from_file_location("markdown_reports_migration", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with app.app_context(), db.engine.begin() as conn, Operations.context(MigrationContext.configure(conn)):
        module.upgrade()


def test_markdown_becomes_paragraphs_and_lines_that_read_the_same():
    assert looks_like_markdown(OLD_REPORT) and not looks_like_markdown(PLAIN_REPORT)
    assert markdown_to_paragraphs(OLD_REPORT) == (
        "Thành tích nổi bật\n\n"
        "Chị đã vận động 40 hộ gia đình\ntham gia mô hình phân loại rác.\n\n"
        "• Thu gom 2 tấn rác tái chế\n• Trồng 300 cây xanh")
    assert markdown_to_paragraphs("1. Một\n2. Hai\n\nXem [trang](https://x.vn).") == (
        "1. Một\n2. Hai\n\nXem trang (https://x.vn).")


def test_an_old_markdown_report_shows_as_plain_paragraphs_after_the_migration(app, world):
    officer = client_for(app, world, "officer")
    old, plain = new_draft(app, world, officer), new_draft(app, world, officer, title="Lê Văn Bình")
    with app.app_context():
        db.session.execute(sa.update(Nomination).where(Nomination.id == old).values(report=OLD_REPORT))
        db.session.execute(sa.update(Nomination).where(Nomination.id == plain).values(report=PLAIN_REPORT))
        db.session.commit()
    assert "**vận động**" in officer.get(f"/nominations/{old}").get_data(as_text=True)  # the markup showed
    run_migration(app)
    html = officer.get(f"/nominations/{old}").get_data(as_text=True)
    assert "**" not in html and "## " not in html and "- Thu gom" not in html
    assert "<p>Thành tích nổi bật</p>" in html
    assert "<p>Chị đã vận động 40 hộ gia đình<br>\ntham gia mô hình phân loại rác.</p>" in html
    assert "<p>• Thu gom 2 tấn rác tái chế<br>\n• Trồng 300 cây xanh</p>" in html
    with app.app_context():
        assert db.session.get(Nomination, plain).report == PLAIN_REPORT  # no markup: untouched
    run_migration(app)  # running it again changes nothing
    with app.app_context():
        assert db.session.get(Nomination, old).report == markdown_to_paragraphs(OLD_REPORT)
