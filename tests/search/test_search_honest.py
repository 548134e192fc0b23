"""Honest results, on both engines: entries found by their topics and award titles, queries the
engine changed reported as changed, and marks typed by the user taken at their word."""

from __future__ import annotations

from typing import Any, Callable, Iterator

import pytest

from search import postgres
from search.contract import SearchRequest, SearchResult
from search.whoosh import query as whoosh_query
from tests.support.search_docs import doc

Engine = tuple[Any, Callable[[Any, SearchRequest], SearchResult]]


@pytest.fixture(params=["whoosh", "postgres"])
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """An empty index of each engine, with its search function."""
    if request.param == "whoosh":
        yield request.getfixturevalue("empty_index"), whoosh_query.search
    else:
        yield request.getfixturevalue("empty_pg_index"), postgres.search


def run(engine: Engine, q: str, **kw: Any) -> SearchResult:
    idx, search = engine
    return search(idx, SearchRequest(q=q, **kw))


def ids(engine: Engine, q: str) -> list[int]:
    return [h.id for h in run(engine, q).hits]


def test_topic_unit_and_award_names_find_their_entries_below_titles(engine: Engine) -> None:
    idx, _ = engine
    idx.upsert([
        doc(1, "Shipper xanh", summary="Chở hàng thiết yếu cho người dân.",
            topic_names="Phòng chống dịch Covid-19\nAn sinh xã hội"),
        doc(2, "Nguyễn Văn An", summary="Gương mặt tiêu biểu.", award_names="Chiến sĩ thi đua cơ sở",
            unit_names="Phường Bồ Đề Quận Long Biên"),
        doc(3, "Tổ Covid cộng đồng", summary="Tổ hỗ trợ người cách ly."),
        doc(4, "Bếp ăn nghĩa tình", summary="Nấu cơm cho bệnh nhân."),
    ])
    assert ids(engine, "covid") == [3, 1]
    assert ids(engine, "Chiến sĩ thi đua Long Biên") == [2]
    assert ids(engine, "an sinh xa hoi") == [1]


@pytest.fixture
def collection(engine: Engine) -> Engine:
    idx, _ = engine
    idx.upsert([
        doc(1, "Shipper xanh", summary="Giao hàng miễn phí cho người dân."),
        doc(2, "Tuyến đường bích họa", summary="Thanh niên vẽ tranh tường."),
        doc(3, "Con đường bích họa Phúc Tân", summary="Bãi rác thành nơi vẽ tranh."),
        doc(4, "Công an cấp căn cước tại nhà", summary="Cho người nằm liệt giường."),
        doc(5, "Dân vận khéo", summary="Cán bộ cấp xã có mặt tại từng căn nhà, cuộc vận động thành công."),
        doc(6, "Nhà văn hóa sáng đèn", summary="Sinh hoạt cộng đồng."),
    ])
    return engine


def test_a_corrected_query_says_what_it_ran_and_exact_runs_what_was_typed(collection: Engine) -> None:
    got = run(collection, "shiper xahn")
    assert (got.mode, got.query_used, got.total, [h.id for h in got.hits]) == ("typo", "shipper xanh", 1, [1])
    exact = run(collection, "shiper xahn", exact=True)
    assert (exact.mode, exact.total, exact.hits) == ("all", 0, [])
    plain = run(collection, "shipper xanh")
    assert (plain.mode, plain.query_used) == ("all", "shipper xanh")


def test_few_full_matches_come_with_entries_matching_most_words_apart(collection: Engine) -> None:
    got = run(collection, "tuyen duong bich hoa")
    assert (got.mode, got.total, [h.id for h in got.hits]) == ("all", 1, [2])
    assert ([h.id for h in got.related], got.related_total) == ([3], 1)
    assert "<mark>" in got.related[0].title_html
    # Only what was typed: no other section.
    assert run(collection, "tuyen duong bich hoa", exact=True).related == []


def test_when_no_entry_has_every_word_the_mode_says_some_words_matched(collection: Engine) -> None:
    got = run(collection, "bích họa máy bay")
    assert got.mode == "any" and 2 in [h.id for h in got.hits] and got.related == []


def test_marks_typed_mean_marks(collection: Engine) -> None:
    # "cước" is not "cuộc": the folded look-alike stays out while the exact words match.
    assert ids(collection, "cấp căn cước tại nhà") == [4]
    # Typed without marks, every marked form matches.
    assert set(ids(collection, "cap can cuoc tai nha")) == {4, 5}
    # Nothing as typed: the words without their marks, and the result says so.
    got = run(collection, "nhá văn hoa")
    assert (got.mode, [h.id for h in got.hits]) == ("folded", [6])
    assert run(collection, "nhá văn hoa", exact=True).total == 0
