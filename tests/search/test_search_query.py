"""Index and query behaviour: filters, facets, sort, highlights, suggestions, fallbacks."""

from __future__ import annotations

import random

import pytest

from search.contract import SearchRequest
from search.whoosh.index import SearchIndex
from search.whoosh.query import search, suggest
from tests.support.search_docs import doc


def ids(idx: SearchIndex, **kw: object) -> list[int]:
    return [h.id for h in search(idx, SearchRequest(**kw)).hits]


# ------------------------------------------------------------------ on the relevance collection


def test_no_marks_finds_marked_entry(relevance_index: SearchIndex) -> None:
    assert ids(relevance_index, q="cay atm gao")[0] == 2
    assert ids(relevance_index, q="nha van hoa")[0] == 5


def test_exact_marks_rank_first(relevance_index: SearchIndex) -> None:
    hits = ids(relevance_index, q="cá")
    first_ca_other = min(hits.index(i) for i in (14, 15, 72) if i in hits)
    assert all(hits.index(i) < first_ca_other for i in (13, 61, 71))
    hits = ids(relevance_index, q="lá")
    assert set(hits[:3]) == {16, 63, 73}


def test_tone_placement_is_equivalent(relevance_index: SearchIndex) -> None:
    assert ids(relevance_index, q="hòa giải") == ids(relevance_index, q="hoà giải")
    assert ids(relevance_index, q="thủy lợi")[0] == 20
    assert ids(relevance_index, q="sức khỏe")[0] == 21


def test_filters(relevance_index: SearchIndex) -> None:
    from tests.support.search_relevance_data import ENTRIES

    initiatives = {e["id"] for e in ENTRIES if e["kind"] == "initiative"}
    assert set(ids(relevance_index, q="", kind="initiative", per_page=100)) == initiatives
    res = search(relevance_index, SearchRequest(q="hien mau", year=2022))
    assert [h.id for h in res.hits] == [44]
    # Unit 10 is a city; its entries include those of its wards (ids 11..19).
    in_city = set(ids(relevance_index, q="", unit=10, per_page=100))
    assert {1, 2, 4, 11, 12, 25, 37, 43, 44, 51, 54, 57, 59, 60, 69} == in_city
    assert ids(relevance_index, q="", topic="pccc") == [11, 69]
    assert set(ids(relevance_index, q="", award="dan-van-kheo")) == {8, 58}
    assert set(ids(relevance_index, q="hien mau", level="city")) == {44, 54}


def test_visibility_filter(empty_index: SearchIndex) -> None:
    empty_index.upsert([doc(1, "Nhà văn hóa"), doc(2, "Nhà văn hóa mới", visibility="unit:5")])
    assert ids(empty_index, q="nha van hoa") == [1]
    assert set(ids(empty_index, q="nha van hoa", visibility=("public", "unit:5"))) == {1, 2}
    assert ids(empty_index, q="nha van hoa", visibility=()) == []


def test_facets(relevance_index: SearchIndex) -> None:
    res = search(relevance_index, SearchRequest(q="covid"))
    assert set(res.facets) == {"kind", "year", "unit", "topic", "award", "level"}
    topics = dict(res.facets["topic"])
    assert topics["covid-19"] == res.total
    assert sum(n for _, n in res.facets["kind"]) == res.total
    years = dict(res.facets["year"])
    assert all(isinstance(y, int) for y in years)
    units = dict(res.facets["unit"])
    assert all(isinstance(u, int) for u in units)
    counts = [n for _, n in res.facets["topic"]]
    assert counts == sorted(counts, reverse=True)


def test_sort_newest_and_browse(relevance_index: SearchIndex) -> None:
    res = search(relevance_index, SearchRequest(q="", kind="individual", per_page=100))
    assert res.mode == "browse" and res.total == len(res.hits)
    from tests.support.search_relevance_data import ENTRIES

    published = {e["id"]: e["published"] for e in ENTRIES}
    dates = [published[h.id] for h in res.hits]
    assert dates == sorted(dates, reverse=True)
    newest = search(relevance_index, SearchRequest(q="hiến máu", sort="newest"))
    dates = [published[h.id] for h in newest.hits]
    assert dates == sorted(dates, reverse=True)


def test_paging(relevance_index: SearchIndex) -> None:
    everything = ids(relevance_index, q="", per_page=100)
    assert len(everything) == 73
    pages = [ids(relevance_index, q="", page=p, per_page=10) for p in range(1, 9)]
    assert sum(pages, []) == everything
    assert ids(relevance_index, q="", page=99) == []


def test_highlights_are_escaped_and_marked(empty_index: SearchIndex) -> None:
    empty_index.upsert([doc(1, "Cây ATM gạo <script>", summary="Máy phát gạo & nước cho người nghèo")])
    hit = search(empty_index, SearchRequest(q="cay atm gao")).hits[0]
    assert hit.title_html == "<mark>Cây</mark> <mark>ATM</mark> <mark>gạo</mark> &lt;script&gt;"
    assert "<mark>gạo</mark> &amp; nước" in hit.snippet_html


def test_highlight_of_abbreviation_expansion(relevance_index: SearchIndex) -> None:
    res = search(relevance_index, SearchRequest(q="UBND"))
    hit = next(h for h in res.hits if h.id == 9)
    assert "<mark>UBND</mark>" in hit.title_html
    assert "<mark>Ủy ban nhân dân</mark>" in hit.snippet_html


def test_snippet_window_finds_match_deep_in_body(empty_index: SearchIndex) -> None:
    body = "Mở đầu câu chuyện. " * 60 + "Cuối cùng là đội shipper xanh giao hàng."
    empty_index.upsert([doc(1, "Tổ công tác", summary="Tóm tắt", body=body)])
    hit = search(empty_index, SearchRequest(q="shipper xanh")).hits[0]
    assert "<mark>shipper</mark> <mark>xanh</mark>" in hit.snippet_html
    assert hit.snippet_html.startswith("…")


def test_suggest(relevance_index: SearchIndex) -> None:
    titles = [s["title"] for s in suggest(relevance_index, "cay a")]
    assert titles[0] == "Cây ATM gạo"
    titles = [s["title"] for s in suggest(relevance_index, "nha v")]
    assert titles[0].startswith("Nhà văn")
    assert suggest(relevance_index, "") == []
    assert suggest(relevance_index, "zzzz") == []
    assert len(suggest(relevance_index, "t", limit=3)) <= 3
    assert all(set(s) == {"id", "title"} for s in suggest(relevance_index, "to dan"))


def test_typo_falls_back_and_suggests(relevance_index: SearchIndex) -> None:
    res = search(relevance_index, SearchRequest(q="shiper xanh"))
    assert res.mode == "typo"
    assert res.hits[0].id == 1
    assert res.did_you_mean == "shipper xanh"


def test_typo_results_rank_below_exact(empty_index: SearchIndex) -> None:
    empty_index.upsert([doc(1, "Đội shipper xanh"), doc(2, "Đội shiper xanh")])
    res = search(empty_index, SearchRequest(q="shipper xanh"))
    assert [h.id for h in res.hits] == [1]
    res = search(empty_index, SearchRequest(q="shiper xanh"))
    assert [h.id for h in res.hits] == [2]


def test_nothing_found(relevance_index: SearchIndex) -> None:
    res = search(relevance_index, SearchRequest(q="qwxzv"))
    assert res.total == 0 and res.hits == []
    assert res.did_you_mean is None


def test_query_used_and_any_fallback(relevance_index: SearchIndex) -> None:
    res = search(relevance_index, SearchRequest(q="shipper zzzzqq"))
    assert res.mode == "any"
    assert res.hits[0].id == 1
    assert res.query_used == "shipper zzzzqq"


@pytest.mark.parametrize(
    "q",
    ['"', '"nhà văn', "((nha van hoa", "nha AND van OR hoa NOT", "*", "title:abc", "cá~2", "nhà^3", "[1 TO 5]",
     "\\", "%", "'; DROP TABLE", "\x00", "\ud800", "a" * 3000, " ".join(["nhà"] * 200)],
)
def test_search_never_raises(relevance_index: SearchIndex, q: str) -> None:
    search(relevance_index, SearchRequest(q=q))
    suggest(relevance_index, q)


def test_search_random_punctuation_fuzz(relevance_index: SearchIndex) -> None:
    rng = random.Random(11)
    alphabet = '"()[]{}*?~:^!&|+-/\\\'.,;<>=  ANDORNOTnhavăóđcá'
    for _ in range(150):
        q = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 25)))
        res = search(relevance_index, SearchRequest(q=q, page=rng.randint(-2, 3), per_page=rng.randint(-5, 500)))
        assert res.total >= len(res.hits)


def test_bad_request_values_do_not_raise(relevance_index: SearchIndex) -> None:
    res = search(relevance_index, SearchRequest(q=None, year="abc", unit="x", page="y", per_page=None))  # type: ignore[arg-type]
    assert res.total == 0
    assert search(relevance_index, SearchRequest(q="", year="2021")).total > 0


def test_upsert_replaces_and_delete_removes(empty_index: SearchIndex) -> None:
    empty_index.upsert([doc(1, "Tuyến đường bích họa"), doc(2, "Nhà văn hóa")])
    empty_index.upsert([doc(1, "Tuyến phố không rác", stamp="v2")])
    assert empty_index.count() == 2
    assert 1 not in ids(empty_index, q="bich hoa")
    assert ids(empty_index, q="pho khong rac") == [1]
    assert empty_index.doc_ids_and_stamps() == {1: "v2", 2: "s2"}
    empty_index.delete([2, 99])
    assert empty_index.count() == 1
    assert ids(empty_index, q="nha van hoa") == []


def test_change_visible_in_long_lived_searcher(empty_index: SearchIndex) -> None:
    assert search(empty_index, SearchRequest(q="shipper")).total == 0
    empty_index.upsert([doc(1, "Shipper xanh")])
    assert search(empty_index, SearchRequest(q="shipper")).total == 1
    other = SearchIndex(empty_index.root)
    other.upsert([doc(2, "Shipper đỏ")])
    other.close()
    assert search(empty_index, SearchRequest(q="shipper")).total == 2
