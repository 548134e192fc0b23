"""The PostgreSQL backend: the behaviour of the Whoosh backend's queries, and what only tables in a database do.

Runs when REGISTRY_TEST_POSTGRES_URL names a server; each module works in its own scratch database.
"""

from __future__ import annotations

import random
import threading

import pytest
import sqlalchemy as sa

from search import postgres
from search.analysis import parse_query
from search.contract import IndexNotReady, SearchRequest
from search.postgres import PostgresSearchIndex, document_row, match_query
from search.postgres import index as pg_index
from search.postgres import query as pg_query
from search.whoosh.index import SearchIndex
from search.whoosh.query import search as whoosh_search
from tests.support.search_docs import doc
from tests.support.search_relevance_data import ENTRIES, QUERIES


def ids(idx: PostgresSearchIndex, **kw: object) -> list[int]:
    return [h.id for h in postgres.search(idx, SearchRequest(**kw)).hits]


# ------------------------------------------------------------------ on the relevance collection


def test_first_hit_is_the_whoosh_backends_for_every_judged_query(
    relevance_pg_index: PostgresSearchIndex, relevance_index: SearchIndex
) -> None:
    for _cls, q, _judged in QUERIES:
        pg = postgres.search(relevance_pg_index, SearchRequest(q=q, per_page=10, facets=False))
        wh = whoosh_search(relevance_index, SearchRequest(q=q, per_page=10, facets=False))
        assert (pg.total, pg.mode) == (wh.total, wh.mode), q
        assert [h.id for h in pg.hits[:1]] == [h.id for h in wh.hits[:1]], q


def test_no_marks_finds_marked_entry(relevance_pg_index: PostgresSearchIndex) -> None:
    assert ids(relevance_pg_index, q="cay atm gao")[0] == 2
    assert ids(relevance_pg_index, q="nha van hoa")[0] == 5


def test_exact_marks_rank_first(relevance_pg_index: PostgresSearchIndex) -> None:
    hits = ids(relevance_pg_index, q="cá")
    first_ca_other = min(hits.index(i) for i in (14, 15, 72) if i in hits)
    assert all(hits.index(i) < first_ca_other for i in (13, 61, 71))
    assert set(ids(relevance_pg_index, q="lá")[:3]) == {16, 63, 73}


def test_tone_placement_is_equivalent(relevance_pg_index: PostgresSearchIndex) -> None:
    assert ids(relevance_pg_index, q="hòa giải") == ids(relevance_pg_index, q="hoà giải")
    assert ids(relevance_pg_index, q="thủy lợi")[0] == 20
    assert ids(relevance_pg_index, q="sức khỏe")[0] == 21


def test_phrase_needs_the_words_together(relevance_pg_index: PostgresSearchIndex) -> None:
    together = set(ids(relevance_pg_index, q='"tổ dân phố"', per_page=100))
    apart = set(ids(relevance_pg_index, q="tổ dân phố", per_page=100))
    assert together and together < apart or together == apart
    for hit in postgres.search(relevance_pg_index, SearchRequest(q='"to dan pho"', per_page=100)).hits:
        assert "<mark>" in hit.title_html + hit.snippet_html


def test_filters(relevance_pg_index: PostgresSearchIndex) -> None:
    initiatives = {e["id"] for e in ENTRIES if e["kind"] == "initiative"}
    assert set(ids(relevance_pg_index, q="", kind="initiative", per_page=100)) == initiatives
    assert ids(relevance_pg_index, q="hien mau", year=2022) == [44]
    in_city = set(ids(relevance_pg_index, q="", unit=10, per_page=100))
    assert {1, 2, 4, 11, 12, 25, 37, 43, 44, 51, 54, 57, 59, 60, 69} == in_city
    assert ids(relevance_pg_index, q="", topic="pccc") == [11, 69]
    assert set(ids(relevance_pg_index, q="", award="dan-van-kheo")) == {8, 58}
    assert set(ids(relevance_pg_index, q="hien mau", level="city")) == {44, 54}


def test_facets_equal_the_whoosh_backends(relevance_pg_index: PostgresSearchIndex, relevance_index: SearchIndex) -> None:
    for q in ("covid", "nha van hoa", "", "thanh nien"):
        pg = postgres.search(relevance_pg_index, SearchRequest(q=q))
        wh = whoosh_search(relevance_index, SearchRequest(q=q))
        assert pg.facets == wh.facets, q
        assert sum(n for _, n in pg.facets["kind"]) == pg.total


def test_sort_newest_browse_and_paging(relevance_pg_index: PostgresSearchIndex) -> None:
    published = {e["id"]: e["published"] for e in ENTRIES}
    res = postgres.search(relevance_pg_index, SearchRequest(q="", kind="individual", per_page=100))
    assert res.mode == "browse" and res.total == len(res.hits)
    dates = [published[h.id] for h in res.hits]
    assert dates == sorted(dates, reverse=True)
    newest = postgres.search(relevance_pg_index, SearchRequest(q="hiến máu", sort="newest"))
    dates = [published[h.id] for h in newest.hits]
    assert dates == sorted(dates, reverse=True)
    everything = ids(relevance_pg_index, q="", per_page=100)
    assert len(everything) == 73
    assert sum((ids(relevance_pg_index, q="", page=p, per_page=10) for p in range(1, 9)), []) == everything
    assert ids(relevance_pg_index, q="", page=99) == []


def test_highlight_of_abbreviation_expansion(relevance_pg_index: PostgresSearchIndex) -> None:
    hit = next(h for h in postgres.search(relevance_pg_index, SearchRequest(q="UBND")).hits if h.id == 9)
    assert "<mark>UBND</mark>" in hit.title_html
    assert "<mark>Ủy ban nhân dân</mark>" in hit.snippet_html


def test_suggest(relevance_pg_index: PostgresSearchIndex) -> None:
    assert [s["title"] for s in postgres.suggest(relevance_pg_index, "cay a")][0] == "Cây ATM gạo"
    assert [s["title"] for s in postgres.suggest(relevance_pg_index, "nha v")][0].startswith("Nhà văn")
    assert postgres.suggest(relevance_pg_index, "") == []
    assert postgres.suggest(relevance_pg_index, "zzzz") == []
    assert len(postgres.suggest(relevance_pg_index, "t", limit=3)) <= 3
    assert all(set(s) == {"id", "title"} for s in postgres.suggest(relevance_pg_index, "to dan"))
    assert postgres.suggest(relevance_pg_index, "cay a", visibility=()) == []


def test_typo_falls_back_and_suggests(relevance_pg_index: PostgresSearchIndex) -> None:
    res = postgres.search(relevance_pg_index, SearchRequest(q="shiper xanh"))
    assert res.mode == "typo" and res.hits[0].id == 1
    assert res.did_you_mean == "shipper xanh"


def test_nothing_found_and_any_fallback(relevance_pg_index: PostgresSearchIndex) -> None:
    res = postgres.search(relevance_pg_index, SearchRequest(q="qwxzv"))
    assert res.total == 0 and res.hits == [] and res.did_you_mean is None
    res = postgres.search(relevance_pg_index, SearchRequest(q="shipper zzzzqq"))
    assert res.mode == "any" and res.hits[0].id == 1 and res.query_used == "shipper zzzzqq"


@pytest.mark.parametrize(
    "q",
    ['"', '"nhà văn', "((nha van hoa", "nha AND van OR hoa NOT", "*", "title:abc", "cá~2", "nhà^3", "[1 TO 5]",
     "\\", "%", "'; DROP TABLE", "\x00", "\ud800", "a" * 3000, " ".join(["nhà"] * 200), "O'Neil", "a:*", "!&|<->"],
)
def test_search_never_raises(relevance_pg_index: PostgresSearchIndex, q: str) -> None:
    postgres.search(relevance_pg_index, SearchRequest(q=q))
    postgres.suggest(relevance_pg_index, q)


def test_search_random_punctuation_fuzz(relevance_pg_index: PostgresSearchIndex) -> None:
    rng = random.Random(11)
    alphabet = '"()[]{}*?~:^!&|+-/\\\'.,;<>=  ANDORNOTnhavăóđcá'
    for _ in range(60):
        q = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 25)))
        res = postgres.search(relevance_pg_index, SearchRequest(q=q, page=rng.randint(-2, 3), per_page=rng.randint(-5, 500)))
        assert res.total >= len(res.hits)


def test_bad_request_values_do_not_raise(relevance_pg_index: PostgresSearchIndex) -> None:
    res = postgres.search(relevance_pg_index, SearchRequest(q=None, year="abc", unit="x", page="y", per_page=None))  # type: ignore[arg-type]
    assert res.total == 0
    assert postgres.search(relevance_pg_index, SearchRequest(q="", year="2021")).total > 0
    assert postgres.search(relevance_pg_index, SearchRequest(q="", unit=10**12)).total == 0


def test_search_ids_follow_the_result_order(relevance_pg_index: PostgresSearchIndex) -> None:
    total, found = postgres.search_ids(relevance_pg_index, SearchRequest(q="thanh nien"), limit=5)
    assert total >= len(found) and found == ids(relevance_pg_index, q="thanh nien", per_page=5)


# ------------------------------------------------------------------ writes


def test_visibility_filter(empty_pg_index: PostgresSearchIndex) -> None:
    empty_pg_index.upsert([doc(1, "Nhà văn hóa"), doc(2, "Nhà văn hóa mới", visibility="unit:5")])
    assert ids(empty_pg_index, q="nha van hoa") == [1]
    assert set(ids(empty_pg_index, q="nha van hoa", visibility=("public", "unit:5"))) == {1, 2}
    assert ids(empty_pg_index, q="nha van hoa", visibility=()) == []


def test_highlights_are_escaped_and_marked(empty_pg_index: PostgresSearchIndex) -> None:
    empty_pg_index.upsert([doc(1, "Cây ATM gạo <script>", summary="Máy phát gạo & nước cho người nghèo")])
    hit = postgres.search(empty_pg_index, SearchRequest(q="cay atm gao")).hits[0]
    assert hit.title_html == "<mark>Cây</mark> <mark>ATM</mark> <mark>gạo</mark> &lt;script&gt;"
    assert "<mark>gạo</mark> &amp; nước" in hit.snippet_html


def test_snippet_window_finds_match_deep_in_body(empty_pg_index: PostgresSearchIndex) -> None:
    body = "Mở đầu câu chuyện. " * 60 + "Cuối cùng là đội shipper xanh giao hàng."
    empty_pg_index.upsert([doc(1, "Tổ công tác", summary="Tóm tắt", body=body)])
    hit = postgres.search(empty_pg_index, SearchRequest(q="shipper xanh")).hits[0]
    assert "<mark>shipper</mark> <mark>xanh</mark>" in hit.snippet_html and hit.snippet_html.startswith("…")


def test_typo_results_rank_below_exact(empty_pg_index: PostgresSearchIndex) -> None:
    empty_pg_index.upsert([doc(1, "Đội shipper xanh"), doc(2, "Đội shiper xanh")])
    assert ids(empty_pg_index, q="shipper xanh") == [1]
    assert ids(empty_pg_index, q="shiper xanh") == [2]


def test_typo_candidates_ignore_words_of_deleted_titles(empty_pg_index: PostgresSearchIndex) -> None:
    empty_pg_index.upsert([doc(1, "Đội shipper xanh"), doc(2, "Vườn rau sạch")])
    assert postgres.search(empty_pg_index, SearchRequest(q="shiper")).did_you_mean == "shipper"
    empty_pg_index.delete([1])
    res = postgres.search(empty_pg_index, SearchRequest(q="shiper"))
    assert res.total == 0 and res.did_you_mean is None


def test_upsert_replaces_and_delete_removes(empty_pg_index: PostgresSearchIndex) -> None:
    empty_pg_index.upsert([doc(1, "Tuyến đường bích họa"), doc(2, "Nhà văn hóa")])
    empty_pg_index.upsert([doc(1, "Tuyến phố không rác", stamp="v2")])
    assert empty_pg_index.count() == 2
    assert 1 not in ids(empty_pg_index, q="bich hoa")
    assert ids(empty_pg_index, q="pho khong rac") == [1]
    assert empty_pg_index.doc_ids_and_stamps() == {1: "v2", 2: "s2"}
    empty_pg_index.delete([2, 99])
    assert empty_pg_index.count() == 1 and ids(empty_pg_index, q="nha van hoa") == []


def test_quotes_backslashes_and_huge_texts_are_stored_safely(empty_pg_index: PostgresSearchIndex) -> None:
    # Past a tsvector's 1 MiB of lexemes the rest of a story is kept but not searchable.
    body = " ".join(f"từ{i}" for i in range(80_000)) + " cuối'cùng \\ hết"
    empty_pg_index.upsert([doc(1, "O'Neil và C:\\đường dẫn", body=body)])
    assert ids(empty_pg_index, q="o'neil") == [1]
    assert ids(empty_pg_index, q="đường dẫn") == [1]
    assert ids(empty_pg_index, q="tu20000") == [1]
    assert ids(empty_pg_index, q="tu79999") == []


def test_a_change_is_seen_by_other_connections_only_once_committed(empty_pg_index: PostgresSearchIndex) -> None:
    other = PostgresSearchIndex(sa.create_engine(empty_pg_index.engine.url))
    try:
        with empty_pg_index.engine.connect() as connection:
            transaction = connection.begin()
            empty_pg_index.upsert([doc(1, "Shipper xanh")], connection=connection)
            assert ids(other, q="shipper") == []
            transaction.rollback()
        assert ids(other, q="shipper") == []
        with empty_pg_index.engine.begin() as connection:
            empty_pg_index.upsert([doc(1, "Shipper xanh")], connection=connection)
        assert ids(other, q="shipper") == [1]
    finally:
        other.engine.dispose()


def test_rebuild_replaces_everything_while_searches_go_on(empty_pg_index: PostgresSearchIndex) -> None:
    empty_pg_index.upsert([doc(i, f"Nhà văn hóa số {i}") for i in range(1, 51)])
    errors: list[BaseException] = []
    totals: list[int] = []
    stop = threading.Event()

    def reader() -> None:
        try:
            while not stop.is_set():
                totals.append(postgres.search(empty_pg_index, SearchRequest(q="nha van hoa")).total)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for round_ in range(3):
            assert empty_pg_index.rebuild(doc(i, f"Nhà văn hóa số {i}") for i in range(1, 51 + round_ * 10)) == 50 + round_ * 10
    finally:
        stop.set()
        thread.join()
    assert not errors and totals and all(total >= 50 for total in totals)
    assert empty_pg_index.count() == 70


def test_common_words_take_their_frequency_from_the_planner(empty_pg_index: PostgresSearchIndex) -> None:
    empty_pg_index.rebuild(doc(i, "Nhà văn hóa" if i % 2 else f"Vườn rau số {i}") for i in range(1, 201))
    with empty_pg_index.reading() as connection:
        stats = empty_pg_index.statistics(connection)
        assert stats.docs == 200 and "nha" in stats.common["terms"]
        df = empty_pg_index.doc_frequencies(connection, [("terms", "nha"), ("terms", "so"), ("title_terms", "zzz")])
    assert df == {("terms", "nha"): 100, ("terms", "so"): 100, ("title_terms", "zzz"): 0}


# ------------------------------------------------------------------ documents and queries


def test_marked_and_folded_lexemes_are_kept_apart() -> None:
    row, words, _sets = document_row(doc(1, "Cây ATM gạo", summary="UBND xã"))
    assert "'gạo':3A" in row["terms"] and "'gao':3A" in row["terms"] and "'cay_atm':1A" in row["terms"]
    assert "'ubnd'" in row["terms"] and "'ubnd'" not in row["title_terms"]
    assert words == {"cay", "atm", "gao"}
    # Filters are lexemes of both vectors, which no word can spell.
    for lexeme in ("'=kind:individual'", "'=year:2021'", "'=unit:1'", "'=visibility:public'"):
        assert lexeme in row["terms"] and lexeme in row["title_terms"]
    assert (row["title_len"], row["title_exact_len"]) == (3, 2)


def test_queries_are_built_from_the_same_analysis() -> None:
    assert match_query(parse_query("cây gạo"), "all") == "('cay' & 'gao')"
    assert match_query(parse_query("cây gạo"), "all", exact=True) == "('cây' & 'gạo')"
    assert match_query(parse_query("cây gạo"), "any") == "('cay' | 'gao')"
    # A group matches as its syllables or its key; a phrase as its adjacent pairs.
    assert match_query(parse_query("nhà văn hóa"), "all") == "(('nha' & 'van' & 'hoa') | 'nvh')"
    assert match_query(parse_query('"tổ dân phố" UBND'), "all") == "((('to_dan' & 'dan_pho') | 'tdp') & 'ubnd')"
    assert match_query(parse_query("shiper"), "all", {"shiper": ["shipper"]}) == "('shiper' | 'shipper')"


# ------------------------------------------------------------------ counting broad queries


def _broad_collection(n: int) -> list[dict]:
    """``n`` entries, three in four about a "Nhà văn hóa", over three kinds, four years and five units."""
    kinds = ("individual", "collective", "initiative")
    return [
        doc(i, "Nhà văn hóa thôn" if i % 4 else f"Vườn rau số {i}", kind=kinds[i % 3], year=2020 + i % 4,
            unit_ids=[1 + i % 5], topics=["van-hoa"] if i % 2 else [])
        for i in range(1, n + 1)
    ]


def test_broad_queries_are_counted_on_a_sample(empty_pg_index: PostgresSearchIndex,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    docs = _broad_collection(2000)
    empty_pg_index.rebuild(docs)
    matching = [d for d in docs if d["id"] % 4]
    exact = postgres.search(empty_pg_index, SearchRequest(q="nha van hoa"))
    assert not exact.approximate and exact.total == len(matching) == 1500
    monkeypatch.setattr(pg_query, "EXACT_COUNT_LIMIT", 400)
    monkeypatch.setattr(pg_query, "SAMPLE_ROWS", 200)
    res = postgres.search(empty_pg_index, SearchRequest(q="nha van hoa"))
    assert res.approximate and res.total != 1500 and abs(res.total - 1500) < 150
    kinds = dict(res.facets["kind"])
    assert set(kinds) == {"individual", "collective", "initiative"}
    assert all(abs(n - 500) < 100 for n in kinds.values())
    assert {v for v, _ in res.facets["unit"]} == {1, 2, 3, 4, 5} and dict(res.facets["topic"]).keys() == {"van-hoa"}
    # The same page of hits, in the same order; the download count stays exact.
    assert [h.id for h in res.hits] == [h.id for h in exact.hits]
    assert postgres.search_ids(empty_pg_index, SearchRequest(q="nha van hoa"), limit=5)[0] == 1500
    # Few matches are counted one by one, text or browse.
    assert not postgres.search(empty_pg_index, SearchRequest(q="vuon rau")).approximate
    browse = postgres.search(empty_pg_index, SearchRequest(q="", kind="collective"))
    assert browse.approximate and abs(browse.total - 667) < 100


def test_sample_buckets_are_the_same_in_python_and_sql(empty_pg_index: PostgresSearchIndex) -> None:
    empty_pg_index.upsert([doc(i, "Nhà văn hóa") for i in (1, 2, 63, 64, 1000, 65535, 65536, 2**31 - 1, 2**40)])
    with empty_pg_index.reading() as connection:
        rows = connection.exec_driver_sql(
            f"SELECT entry_id, {postgres.SAMPLE_BUCKET_SQL}, filters::text FROM {postgres.TABLE}").all()
    assert len(rows) == 9
    for entry_id, bucket, filters in rows:
        assert bucket == postgres.sample_bucket(entry_id) and f"'=sample:{bucket}'" in filters
    assert {postgres.sample_bucket(i) for i in range(1, 65537)} == set(range(postgres.SAMPLE_BUCKETS))


def test_the_migration_gives_older_rows_their_sample_lexemes(empty_pg_index: PostgresSearchIndex) -> None:
    import importlib.util
    from pathlib import Path
    from types import SimpleNamespace

    path = Path(__file__).resolve().parents[2] / "registry/migrations/versions/5b2e9c1d7a40_sample_lexemes_of_the_search_rows.py"
    spec = importlib.util.spec_from_file_location("sample_lexemes_migration", path)
    assert spec and spec.loader
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    empty_pg_index.upsert([doc(i, "Nhà văn hóa") for i in (5, 77, 4242)])
    with empty_pg_index.engine.begin() as connection:
        written = connection.exec_driver_sql(f"SELECT entry_id, filters, title_terms, terms FROM {postgres.TABLE}").all()
        migration.op = SimpleNamespace(get_bind=lambda: connection, execute=connection.exec_driver_sql)
        migration.downgrade()
        assert connection.exec_driver_sql(
            f"SELECT count(*) FROM {postgres.TABLE} WHERE strpos(filters::text, '=sample:') > 0").scalar() == 0
        migration.upgrade()
        migration.upgrade()  # again: nothing changes
        assert connection.exec_driver_sql(
            f"SELECT entry_id, filters, title_terms, terms FROM {postgres.TABLE}").all() == written


def test_newest_first_walks_the_publication_index_only_when_matches_are_dense() -> None:
    plain, dated = pg_query._Filter(public_only=True), pg_query._Filter(lexemes="'=year:2020'")
    walk, sort = "d.published DESC, d.entry_id", "d.published + 0 DESC, d.entry_id"
    assert pg_query._newest_first(plain, 50_000, 24, 100_000) == walk
    assert pg_query._newest_first(plain, 3_000, 24, 100_000) == sort
    assert pg_query._newest_first(dated, 50_000, 24, 100_000) == sort


def test_match_share_of_a_tsquery_combines_lexemes_as_the_planner_does() -> None:
    shares = {"a": 0.5, "b": 0.2, "c": 0.5, "o'neil": 0.1}

    def share(lexeme: str, prefix: bool) -> float:
        return shares[lexeme] * (2 if prefix else 1)

    assert pg_index._tsquery_share("'a' & 'b'", share) == pytest.approx(0.1)
    assert pg_index._tsquery_share("'a' | 'b'", share) == pytest.approx(0.6)
    assert pg_index._tsquery_share("('a' | 'b') & 'c'", share) == pytest.approx(0.3)
    assert pg_index._tsquery_share("!'a' & 'b':*", share) == pytest.approx(0.2)
    assert pg_index._tsquery_share("'o''neil' | 'a' & 'b'", share) == pytest.approx(0.1 + 0.1 - 0.01)
    # From above: words of one name go together, so AND keeps the smallest share; NOT may leave every row.
    assert pg_index._tsquery_share("'a' & 'b'", share, at_most=True) == pytest.approx(0.2)
    assert pg_index._tsquery_share("('a' | 'b') & 'c'", share, at_most=True) == pytest.approx(0.5)
    assert pg_index._tsquery_share("!'a' & 'b':*", share, at_most=True) == pytest.approx(0.4)


def test_words_that_go_together_fill_the_window_from_the_first_tier_alone(
    empty_pg_index: PostgresSearchIndex,
) -> None:
    # Each word is in three entries of ten, always together: independent clauses would promise
    # 400 x 0.3^3 = 11 title matches, too few to fill the window, and send the next tiers along.
    empty_pg_index.rebuild(doc(i, f"Cây ATM gạo xóm {i}" if i % 10 < 3 else f"Vườn rau số {i}")
                           for i in range(1, 401))
    windows: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        if " AS tier, " in statement:
            windows.append(statement)

    sa.event.listen(empty_pg_index.engine, "before_cursor_execute", record)
    try:
        result = postgres.search(empty_pg_index, SearchRequest(q="cay atm gao"))
    finally:
        sa.event.remove(empty_pg_index.engine, "before_cursor_execute", record)
    assert result.total == 120 and len(result.hits) == 20
    assert len(windows) == 1 and windows[0].count(" AS tier, ") == 1, windows


def test_the_owners_check_runs_on_first_use_and_again_once_its_verdict_ages(
    empty_pg_index: PostgresSearchIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[int] = []

    def at_least_one(documents: int) -> None:
        seen.append(documents)
        if documents < 1:
            raise IndexNotReady(f"{documents} documents")

    idx = PostgresSearchIndex(empty_pg_index.engine, check=at_least_one)
    for _ in range(3):
        with pytest.raises(IndexNotReady):
            ids(idx, q="cay atm")
        with pytest.raises(IndexNotReady):
            idx.verify()
    assert seen == [0]  # judged once, the refusal kept while it is fresh
    assert idx.count() == 0  # inspection still reads the tables
    idx.upsert([doc(1, "Cây ATM gạo")])
    monkeypatch.setattr(pg_index, "CHECK_RETRY", 0.0)
    assert ids(idx, q="cay atm") == [1]
    idx.verify()
    assert seen == [0, 1]
    idx.rebuild([])  # a rebuild is judged afresh at once
    with pytest.raises(IndexNotReady):
        idx.verify()
    assert seen == [0, 1, 0]
