"""Search in the app: the index follows the database, the page and the API answer."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from registry import create_app
from registry.catalog.models import Unit
from registry.entries.models import Entry, EntryStatus
from registry.extensions import db
from registry.showcase.models import IndexOutbox
from registry.showcase.search_index import SearchBackendError, index_check, resolve_backend, search_index
from tests.support.records import load_search_entries


@pytest.fixture
def indexed(app, tmp_path):
    return load_search_entries(app, tmp_path)


def test_published_entries_reach_the_index_after_commit(indexed):
    with indexed.app_context():
        assert search_index().count() == 4
        assert db.session.scalar(sa.select(sa.func.count(IndexOutbox.id))) == 0
        assert index_check() == ([], [], [])


def test_search_page_without_diacritics(indexed, client):
    html = client.get("/search?q=cay+atm+gao").get_data(as_text=True)
    assert "/cay-atm-gao" in html and "<mark>Cây</mark>" in html
    html = client.get("/search?q=nha+van+hoa").get_data(as_text=True)
    assert "/nha-van-hoa-to-dan-pho-so-5" in html and "<mark>Nhà văn hóa</mark>" in html


def test_search_page_abbreviation_and_tone_placement(indexed, client):
    assert "/nha-van-hoa-to-dan-pho-so-5" in client.get("/search?q=UBND").get_data(as_text=True)
    assert "/nguyen-thi-hoa" in client.get("/search?q=Hòa").get_data(as_text=True)


def test_search_filters_and_facets(indexed, client, app):
    data = client.get("/api/v1/search?q=&kind=individual").get_json()
    assert data["total"] == 1 and data["results"][0]["title"] == "Nguyễn Thị Hoà"
    with app.app_context():
        hanoi = db.session.scalar(sa.select(Unit.id).where(Unit.name == "Thành phố Hà Nội"))
    data = client.get(f"/api/v1/search?unit={hanoi}").get_json()
    assert data["total"] == 3
    kinds = {f["value"]: f["count"] for f in data["facets"]["kind"]}
    assert kinds == {"initiative": 2, "collective": 1}


def test_search_api_shape_and_no_private_data(indexed, client, app):
    with app.app_context():
        entry = db.session.scalar(sa.select(Entry).where(Entry.ref == "hoa"))
        entry.private_phone = "0909000111"
        db.session.commit()
    data = client.get("/api/v1/search?q=hoa&per_page=2").get_json()
    assert set(data) >= {"total", "page", "per_page", "results", "facets"}
    assert data["per_page"] == 2
    assert set(data["results"][0]) >= {"id", "ref", "kind", "title", "year", "unit", "url", "snippet"}
    found = client.get("/api/v1/search?q=0909000111").get_json()
    assert found["total"] == 0 and found["results"] == []
    assert "0909000111" not in client.get("/api/v1/search?q=hoa").get_data(as_text=True)


@pytest.mark.parametrize("q", ['"', "((", "AND", "NOT OR", "*", "a:b", "title:", '"nhà văn', "~~~", "%", "🙂" * 50])
def test_user_syntax_never_errors(indexed, client, q):
    assert client.get("/search", query_string={"q": q}).status_code == 200
    assert client.get("/api/v1/search", query_string={"q": q}).status_code == 200


def test_a_nul_character_is_refused_clearly(indexed, client):
    # PostgreSQL cannot store or compare U+0000; nobody types it: the request is refused, whatever the database.
    page = client.get("/search", query_string={"q": "nhà\x00văn", "lang": "en"})
    assert page.status_code == 400 and "not allowed" in page.get_data(as_text=True)
    api = client.get("/api/v1/search", query_string={"q": "\x00"})
    assert api.status_code == 400 and api.get_json()["error"]["code"] == 400
    assert client.get("/entries", query_string={"topic": "a\x00"}).status_code == 400


def test_suggest_and_did_you_mean(indexed, client):
    data = client.get("/api/v1/suggest?q=cay a").get_json()
    assert [s["title"] for s in data["suggestions"]][:1] == ["Cây ATM gạo"]
    html = client.get("/search?q=shiper+xanh").get_data(as_text=True)
    assert "/shipper-xanh" in html


def test_unpublishing_removes_from_index_and_edits_show_up(indexed, client, app):
    with app.app_context():
        entry = db.session.scalar(sa.select(Entry).where(Entry.ref == "atm"))
        entry.status = EntryStatus.ARCHIVED
        db.session.commit()
    assert client.get("/api/v1/search?q=atm").get_json()["total"] == 0
    with app.app_context():
        entry = db.session.scalar(sa.select(Entry).where(Entry.ref == "shipper"))
        entry.summary = "Đội xe điện giao rau củ"
        db.session.commit()
    assert client.get("/api/v1/search?q=rau+cu").get_json()["total"] == 1


@pytest.mark.whoosh
def test_outbox_survives_a_failed_index_update_and_reindex_pending_applies_it(indexed, app, runner, monkeypatch):
    app.config["SEARCH_SYNC"] = False  # as if the process died between commit and index update
    with app.app_context():
        entry = db.session.scalar(sa.select(Entry).where(Entry.ref == "nvh"))
        entry.title = "Nhà sinh hoạt cộng đồng"
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count(IndexOutbox.id))) == 1
        missing, stale, extra = index_check()
        assert stale == [entry.id]
    result = runner.invoke(args=["search-check"])
    assert result.exit_code != 0
    result = runner.invoke(args=["reindex", "--pending"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert index_check() == ([], [], [])
        assert db.session.scalar(sa.select(sa.func.count(IndexOutbox.id))) == 0


def test_full_reindex_rebuilds_from_database(indexed, app, runner):
    with app.app_context():
        search_index().delete([db.session.scalar(sa.select(Entry.id).where(Entry.ref == "atm"))])
        assert index_check()[0]
    result = runner.invoke(args=["reindex"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["search-check"]).exit_code == 0


@pytest.mark.parametrize(("setting", "url", "backend"), [
    (None, "sqlite:///x.sqlite3", "whoosh"),
    ("auto", "postgresql+psycopg://u@h/db", "postgres"),
    ("AUTO", "sqlite://", "whoosh"),
    ("whoosh", "postgresql+psycopg://u@h/db", "whoosh"),
    ("postgres", "postgresql+psycopg://u@h/db", "postgres"),
])
def test_backend_setting(setting, url, backend):
    assert resolve_backend(setting, url) == backend


def test_postgres_backend_is_refused_on_sqlite(tmp_path, monkeypatch):
    monkeypatch.setenv("REGISTRY_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(SearchBackendError, match="must then be PostgreSQL"):
        create_app({"TESTING": True, "SEARCH_BACKEND": "postgres"})
    with pytest.raises(SearchBackendError, match="not one of"):
        resolve_backend("elastic", "sqlite:///x.sqlite3")


def test_an_estimated_total_is_shown_rounded_and_an_exact_one_as_it_is():
    from registry.showcase.search import SearchPage

    def shown(total: int, approximate: bool) -> int:
        return SearchPage(q="", sort="newest", hits=[], total=total, page=1, pages=1, per_page=24,
                          approximate=approximate).shown_total

    assert shown(74_027, True) == 74_000 and shown(7_312, True) == 7_300 and shown(1_250_400, True) == 1_300_000
    assert shown(74_027, False) == 74_027 and shown(99, True) == 99


def _found(client, q: str) -> list[str]:
    return [r["ref"] for r in client.get("/api/v1/search", query_string={"q": q}).get_json()["results"]]


def test_entries_are_found_by_their_topics_and_award_titles(indexed, client):
    # The shipper mentions Covid only through its topic "Phòng, chống dịch Covid-19".
    assert _found(client, "covid") == ["shipper"]
    assert "/shipper-xanh" in client.get("/search?q=covid").get_data(as_text=True)
    assert _found(client, "người tốt việc tốt") == ["shipper"]
    # The title still weighs more than a topic: "văn hóa" in a title beats the topic "Văn hóa" alone.
    assert _found(client, "van hoa")[0] == "nvh"


def test_renaming_a_topic_or_an_award_title_reindexes_its_entries(indexed, client, app):
    from registry.catalog.models import AwardTitle, Topic

    with app.app_context():
        db.session.scalar(sa.select(Topic).where(Topic.name == "Cứu người")).name = "Cứu hộ cứu nạn"
        db.session.scalar(sa.select(AwardTitle).where(AwardTitle.name == "Người tốt, việc tốt")).name = (
            "Chiến sĩ thi đua Long Biên")
        db.session.commit()
    assert _found(client, "cứu nạn") == ["hoa"]
    assert _found(client, "chiến sĩ thi đua Long Biên") == ["shipper"]
    assert _found(client, "\"việc tốt\"") == []
    with app.app_context():
        assert index_check() == ([], [], [])


def test_loading_the_catalogues_again_reindexes_nothing_a_real_rename_does(indexed, app, monkeypatch):
    """`flask init` sets catalogue fields to the values they hold: no entry is reindexed for that."""
    from registry.catalog.models import AwardTitle
    from registry.catalog.seed import catalogues_load
    from registry.showcase import search_index as module

    loaded: list[set[int]] = []
    load_entries = module._load_entries

    def spy(session, ids):
        loaded.append(set(ids) if ids is not None else None)
        return load_entries(session, ids)

    monkeypatch.setattr(module, "_load_entries", spy)
    with app.app_context():
        assert catalogues_load() == (0, 0)
        db.session.commit()
        assert loaded == []
        title = db.session.scalar(sa.select(AwardTitle).where(AwardTitle.name == "Người tốt, việc tốt"))
        title.name = "Người tốt việc tốt"
        db.session.commit()
        shipper = db.session.scalar(sa.select(Entry.id).where(Entry.ref == "shipper"))
        assert loaded and shipper in set().union(*loaded)


def test_a_corrected_query_is_shown_as_such_with_a_link_to_what_was_typed(indexed, client):
    html = client.get("/search?q=shiper+xahn").get_data(as_text=True)
    assert "/shipper-xanh" in html
    assert "shiper xahn”" not in html.split('class="result-count"')[1].split("</p>")[0]
    assert "Hiển thị kết quả cho" in html and "<em>shipper xanh</em>" in html
    assert 'href="/search?q=shiper+xahn&amp;exact=1"' in html
    exact = client.get("/search?q=shiper+xahn&exact=1").get_data(as_text=True)
    assert "/shipper-xanh" not in exact and "Hiển thị kết quả cho" not in exact
    data = client.get("/api/v1/search?q=shiper+xahn").get_json()
    assert (data["mode"], data["query_used"], data["query_changed"]) == ("typo", "shipper xanh", True)
    assert [r["ref"] for r in data["results"]][0] == "shipper"
    data = client.get("/api/v1/search?q=shiper+xahn&exact=1").get_json()
    assert (data["mode"], data["query_changed"], data["exact"], data["total"]) == ("all", False, True, 0)


def test_some_words_only_is_said_and_most_words_come_apart(indexed, client):
    data = client.get("/api/v1/search", query_string={"q": "shipper xanh tàu bay"}).get_json()
    assert (data["mode"], data["query_changed"]) == ("any", True) and "shipper" in [r["ref"] for r in data["results"]]
    html = client.get("/search", query_string={"q": "shipper xanh tàu bay"}).get_data(as_text=True)
    assert "Không có mục nào có đủ các từ" in html and "/shipper-xanh" in html
    # The rice ATM's story names the shipper too, so it has every word; the shipper lacks "gạo" and comes apart.
    data = client.get("/api/v1/search", query_string={"q": "shipper xanh miễn phí gạo"}).get_json()
    assert [r["ref"] for r in data["results"]] == ["atm"] and (data["mode"], data["total"]) == ("all", 1)
    assert [r["ref"] for r in data["related"]] == ["shipper"] and data["related_total"] == 1
    html = client.get("/search", query_string={"q": "shipper xanh miễn phí gạo"}).get_data(as_text=True)
    section = html.split('class="related-results"')[1]
    assert "Các mục có phần lớn các từ" in section and "/shipper-xanh" in section and "/cay-atm-gao" not in section
    assert "1 kết quả cho “shipper xanh miễn phí gạo”" in html


def test_marks_typed_keep_out_look_alikes_on_the_page(indexed, client):
    data = client.get("/api/v1/search", query_string={"q": "nhà văn hóa tổ dân phố"}).get_json()
    assert [r["ref"] for r in data["results"]] == ["nvh"] and data["mode"] == "all"
    data = client.get("/api/v1/search", query_string={"q": "nhá văn hoa"}).get_json()
    assert data["mode"] == "folded" and data["query_changed"] and [r["ref"] for r in data["results"]] == ["nvh"]
    html = client.get("/search", query_string={"q": "nhá văn hoa"}).get_data(as_text=True)
    assert "không có mục nào" in html.lower()


def test_facet_panels_name_units_topics_and_titles_as_they_are_now(indexed, client):
    """Facet names come from the catalogue kept per data version: a rename shows on the very next request."""
    from registry.catalog.models import AwardTitle, Topic

    def panels() -> list[str]:
        return [client.get(path).get_data(as_text=True).split('class="filters"')[1].split("</aside>")[0]
                for path in ("/search?q=cay+atm+gao&lang=vi", "/entries?lang=vi", "/entries?lang=en")]

    search, browse, english = panels()
    assert all("Thành phố Hà Nội" in html for html in (search, browse, english))
    assert "An sinh xã hội" in search and "An sinh xã hội" in browse and "Người tốt, việc tốt" in browse
    with indexed.app_context():
        topic = db.session.scalar(sa.select(Topic).where(Topic.name == "An sinh xã hội"))
        topic.name, topic.name_en = "An sinh xã hội và giảm nghèo", "Social welfare and poverty"
        db.session.scalar(sa.select(AwardTitle).where(AwardTitle.name == "Người tốt, việc tốt")).name = "Người tốt – việc tốt"
        db.session.commit()
    search, browse, english = panels()
    assert "An sinh xã hội và giảm nghèo" in search and "An sinh xã hội và giảm nghèo" in browse
    assert "Social welfare and poverty" in english
    assert "Người tốt – việc tốt" in browse and "Người tốt, việc tốt" not in browse
    with indexed.app_context():
        db.session.scalar(sa.select(Unit).where(Unit.name == "Thành phố Hà Nội")).name = "Thủ đô Hà Nội"
        db.session.commit()
    for html in panels():
        assert "Thủ đô Hà Nội" in html and "Thành phố Hà Nội" not in html
