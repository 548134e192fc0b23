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
