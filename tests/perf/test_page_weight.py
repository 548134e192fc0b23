"""Public pages stay light: HTML with its stylesheets and scripts under 100 KB before images."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from registry import create_app
from registry.catalog.models import Topic, Unit
from registry.catalog.seed import catalogues_load
from registry.entries.models import Entry, EntryStatus
from registry.extensions import db
from tests.support import databases
from tests.support.apps import app_release

BUDGET = 100 * 1024
LINKED = re.compile(r'<link\b[^>]*\brel="stylesheet"[^>]*\bhref="([^"]+)"|<script\b[^>]*\bsrc="([^"]+)"')


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """An instance holding the demo data set."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("REGISTRY_INSTANCE_PATH", str(tmp_path_factory.mktemp("demo") / "instance"))
        url = databases.use_new_database(mp, empty=True)
        mp.delenv("SECRET_KEY", raising=False)
        app = create_app({"TESTING": True})
    with app.app_context():
        from registry.demo import demo_load

        db.create_all()
        catalogues_load()
        demo_load()
        db.session.commit()
    yield app
    app_release(app)
    databases.drop_database(url)


def public_paths(app) -> list[str]:
    """Every entry, unit-with-entries and topic page, and the site's other public pages."""
    with app.app_context():
        entries = db.session.scalars(sa.select(Entry).where(Entry.status == EntryStatus.PUBLISHED)).all()
        unit_ids = set()
        for entry in entries:
            unit_ids.update(u.id for u in entry.unit.path())
        units = db.session.scalars(sa.select(Unit).where(Unit.id.in_(unit_ids))).all()
        topics = db.session.scalars(sa.select(Topic.slug)).all()
        return [
            "/", "/?lang=en", "/entries", "/entries?kind=initiative", "/entries?page=2", "/units", "/topics",
            "/search", "/search?q=thanh+nien", "/search?q=hi%E1%BA%BFn+m%C3%A1u", "/statistics",
            "/statistics/report", "/api/v1/docs", "/consultation/",
            *(f"/entries/{e.id}/{e.slug}" for e in entries),
            *(f"/units/{u.id}/{u.slug}" for u in units),
            *(f"/topics/{slug}" for slug in topics),
        ]


def test_every_public_page_is_under_budget(demo):
    client = demo.test_client()
    linked_sizes: dict[str, int] = {}
    over = []
    paths = public_paths(demo)
    assert len(paths) > 60
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.get_data()
        total = len(html)
        for css, js in LINKED.findall(html.decode()):
            url = (css or js).replace("&amp;", "&")
            if url not in linked_sizes:
                linked = client.get(url)
                assert linked.status_code == 200, url
                linked_sizes[url] = len(linked.get_data())
            total += linked_sizes[url]
        if total > BUDGET:
            over.append(f"{path}: {total / 1024:.0f} KB")
    assert not over, "pages over 100 KB: " + ", ".join(over)
