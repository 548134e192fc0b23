"""Public pages send a bounded number of SQL statements that does not grow with the entries they show."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from registry import create_app
from registry.catalog.models import Topic, Unit
from registry.catalog.seed import catalogues_load
from registry.entries.models import Entry
from registry.entries.records import records_import
from registry.extensions import db
from registry.showcase.search_index import close_indexes
from tests.support import databases
from tests.support.apps import app_release
from tests.support.files import jpeg_bytes, write_jsonl
from tests.support.records import record
from tests.support.statements import statements_for

KINDS = ("initiative", "collective", "individual")
WARDS = ("Phường Ngọc Lâm", "Phường Bồ Đề", "Phường Việt Hưng", "Phường Phúc Lợi")


def _records(n: int) -> list[dict]:
    """``n`` entries in one district, each with a photo, a topic pair, an award and, for half, a replication."""
    return [
        record(f"e{i}", title=f"Mô hình số {i}", kind=KINDS[i % 3], year=2021,
               unit=["Thành phố Hà Nội", "Quận Long Biên", WARDS[i % 4], f"Chi đoàn số {i % 7}"],
               topics=["An sinh xã hội", "Văn hóa"] if i % 2 else ["An sinh xã hội"],
               photos=[{"path": "p/a.jpg", "alt": f"Ảnh {i}"}],
               replications=[{"unit": ["Thành phố Hà Nội", "Quận Hoàn Kiếm"], "since": 2022}] if i % 2 else [],
               awards=[{"title": "Giấy khen", "level": "district", "year": 2021, "decision": f"{i}/QĐ-UBND"}])
        for i in range(n)
    ]


@pytest.fixture(scope="module")
def instances(tmp_path_factory):
    """Two instances alike but for their size: 5 and 30 entries."""
    apps = {}
    urls = []
    for n in (5, 30):
        root = tmp_path_factory.mktemp(f"entries{n}")
        (root / "p").mkdir()
        (root / "p" / "a.jpg").write_bytes(jpeg_bytes())
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("REGISTRY_INSTANCE_PATH", str(root / "instance"))
            urls.append(databases.use_new_database(mp, empty=True))
            mp.delenv("SECRET_KEY", raising=False)
            app = create_app({"TESTING": True})
        with app.app_context():
            db.create_all()
            catalogues_load()
            records_import(write_jsonl(root / "in.jsonl", _records(n)))
            db.session.commit()
        apps[n] = app
    yield apps
    for app in apps.values():
        app_release(app)
    close_indexes()
    for url in urls:
        databases.drop_database(url)


def _paths(app) -> list[str]:
    with app.app_context():
        entry = db.session.scalar(sa.select(Entry).where(Entry.ref == "e0"))
        district = db.session.scalar(sa.select(Unit).where(Unit.name == "Quận Long Biên"))
        city = db.session.scalar(sa.select(Unit).where(Unit.name == "Thành phố Hà Nội"))
        topic = db.session.scalar(sa.select(Topic.slug).where(Topic.name == "An sinh xã hội"))
        return {
            "home": "/", "home (en)": "/?lang=en", "browse": "/entries",
            "browse, filtered": f"/entries?kind=initiative&year=2021&topic={topic}",
            "browse, a unit": f"/entries?unit={city.id}", "browse, by name": "/entries?sort=name",
            "entry": f"/entries/{entry.id}/{entry.slug}", "units": "/units",
            "unit": f"/units/{district.id}/{district.slug}", "unit, top": f"/units/{city.id}/{city.slug}",
            "topics": "/topics", "topic": f"/topics/{topic}", "search": "/search?q=m%C3%B4+h%C3%ACnh",
            "search, no marks": "/search?q=mo+hinh&kind=initiative", "search, empty": "/search",
            "search API": "/api/v1/search?q=mo+hinh", "entries API": "/api/v1/entries",
            "statistics": "/statistics", "feed": "/feeds/entries.atom", "consultation": "/consultation/",
        }


PAGES = ["home", "home (en)", "browse", "browse, filtered", "browse, a unit", "browse, by name", "entry", "units",
         "unit", "unit, top", "topics", "topic", "search", "search, no marks", "search, empty", "search API",
         "entries API", "statistics", "feed", "consultation"]
# The most statements any public page may send on a cold cache.
CEILING = 25


@pytest.mark.parametrize("page", PAGES)
def test_statements_bounded_and_flat(instances, page):
    counts = {}
    for n, app in instances.items():
        counts[n] = len(statements_for(app, _paths(app)[page]))
    # An eager load of a relation none of the shown entries has may be skipped: one statement of slack.
    assert counts[30] <= counts[5] + 1, f"{page}: {counts[5]} statements with 5 entries, {counts[30]} with 30"
    assert counts[30] <= CEILING, f"{page}: {counts[30]} statements"


@pytest.mark.parametrize("page", ["home", "browse", "browse, filtered", "unit, top", "units", "topic"])
def test_cache_spares_the_counts(instances, page):
    app = instances[30]
    path = _paths(app)[page]
    cold = len(statements_for(app, path))
    warm = len(statements_for(app, path, cold=False))
    assert warm < cold, f"{page}: {cold} statements cold, {warm} warm"
