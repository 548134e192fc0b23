"""Benchmark: index build, latency per query class and change visibility, next to SQLite FTS5.

    .venv/bin/python bench/search_bench.py --n 20000
    .venv/bin/python bench/search_bench.py --n 100000 --postgres postgresql+psycopg://registry:…@127.0.0.1/bench

Runs the Whoosh backend and SQLite FTS5, and the PostgreSQL backend when --postgres names a database
(its search tables are created there, and dropped afterwards unless --keep). --engines picks among
them; --dir and --reuse keep built indexes between runs (a Whoosh build of 100,000 entries takes
minutes). --explain prints EXPLAIN ANALYZE of each statement the PostgreSQL backend sends for each query.
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from bench.corpus import generate  # noqa: E402
from search import postgres  # noqa: E402
from search.contract import SearchRequest
from search.postgres import PostgresSearchIndex  # noqa: E402
from search.whoosh.index import SearchIndex  # noqa: E402
from search.whoosh.query import search, suggest  # noqa: E402

# (class, query, filters); the same mix runs against both engines.
QUERIES: list[tuple[str, str, dict]] = [
    ("no-marks", "nha van hoa", {}),
    ("no-marks", "cay atm gao", {}),
    ("no-marks", "hien mau tinh nguyen", {}),
    ("no-marks", "dan van kheo", {}),
    ("no-marks", "ve sinh moi truong", {}),
    ("no-marks", "nguoi cao tuoi", {}),
    ("marks", "nhà văn hóa", {}),
    ("marks", "hiến máu", {}),
    ("marks", "dân vận khéo", {}),
    ("marks", "người cao tuổi", {}),
    ("marks", "bảo vệ môi trường", {}),
    ("marks", "cá", {}),
    ("filters", "nha van hoa", {"kind": "collective"}),
    ("filters", "hiến máu", {"year": 2021}),
    ("filters", "thanh nien", {"kind": "initiative", "year": 2023}),
    ("filters", "covid", {"topic": "covid-19"}),
    ("phrase", '"tổ dân phố"', {}),
    ("phrase", '"phòng cháy chữa cháy"', {}),
    ("phrase", '"nhà văn hóa" thôn', {}),
    ("abbrev", "UBND", {}),
    ("abbrev", "PCCC", {}),
    ("abbrev", "hđnd huyện", {}),
    ("abbrev", "BHYT cận nghèo", {}),
    ("typo", "shiper xanh", {}),
    ("typo", "nha van hpa", {}),
    ("browse", "", {"kind": "individual", "year": 2020}),
    ("browse", "", {"topic": "moi-truong"}),
]
SUGGEST = ["nha v", "cay a", "hien ma", "to dan p", "shi"]


def wall(runs: list[tuple[float, float]]) -> list[float]:
    """Wall-clock seconds of runs returned by ``timed``."""
    return [w for w, _ in runs]


def cpu(runs: list[tuple[float, float]]) -> list[float]:
    """CPU seconds of runs returned by ``timed``."""
    return [c for _, c in runs]


def pct(values: list[float], p: float) -> float:
    """Return the p-th percentile (nearest rank) of values in milliseconds."""
    s = sorted(values)
    return s[min(len(s) - 1, max(0, int(round(p / 100 * len(s) + 0.5)) - 1))] * 1000


class Fts5:
    """SQLite FTS5 baseline with the same documents and query contract."""

    def __init__(self, path: Path) -> None:
        self.con = sqlite3.connect(str(path))
        self.con.execute(
            "CREATE VIRTUAL TABLE docs USING fts5(title, body, kind UNINDEXED, year UNINDEXED, "
            'topics UNINDEXED, visibility UNINDEXED, published UNINDEXED, tokenize="unicode61 remove_diacritics 2")'
        )

    def load(self, docs: list[dict]) -> None:
        rows = (
            (
                d["id"],
                d["title"],
                "\n".join([d["summary"], d["body"], d["unit_names"]]),
                d["kind"],
                d["year"],
                " ".join(d["topics"]),
                d["visibility"],
                d["published"].isoformat(),
            )
            for d in docs
        )
        self.con.executemany("INSERT INTO docs(rowid, title, body, kind, year, topics, visibility, published) "
                             "VALUES (?,?,?,?,?,?,?,?)", rows)
        self.con.commit()

    def _match(self, q: str) -> list[str]:
        parts = q.split('"')
        terms: list[str] = []
        for i, part in enumerate(parts):
            words = re.findall(r"\w+", part)
            if i % 2 and len(parts) > i + 1 and words:
                terms.append('"' + " ".join(words) + '"')
            else:
                terms.extend(f'"{w}"' for w in words)
        return terms

    def search(self, q: str, filters: dict) -> int:
        """Top 20 + total + kind/year facet counts, like the app's result page."""
        where = ["visibility = 'public'"]
        args: list = []
        for key in ("kind", "year"):
            if key in filters:
                where.append(f"{key} = ?")
                args.append(filters[key])
        if "topic" in filters:
            where.append("(' ' || topics || ' ') LIKE ?")
            args.append(f"% {filters['topic']} %")
        terms = self._match(q)
        if terms:
            for joiner in (" AND ", " OR "):
                cond = " AND ".join(["docs MATCH ?"] + where)
                params = [joiner.join(terms)] + args
                top = self.con.execute(
                    f"SELECT rowid FROM docs WHERE {cond} ORDER BY bm25(docs, 3.0, 1.0) LIMIT 20", params
                ).fetchall()
                if top:
                    break
        else:
            cond = " AND ".join(where)
            params = args
            top = self.con.execute(f"SELECT rowid FROM docs WHERE {cond} ORDER BY published DESC LIMIT 20", params)
            top = top.fetchall()
        total = self.con.execute(f"SELECT count(*) FROM docs WHERE {cond}", params).fetchone()[0]
        self.con.execute(f"SELECT kind, count(*) FROM docs WHERE {cond} GROUP BY kind", params).fetchall()
        self.con.execute(f"SELECT year, count(*) FROM docs WHERE {cond} GROUP BY year", params).fetchall()
        return total


def timed(fn: Callable[[], object], rounds: int) -> list[tuple[float, float]]:
    """Run fn ``rounds`` times; return (wall-clock, CPU) seconds of each run.

    CPU time is reported too because on a shared machine wall-clock percentiles
    also measure the neighbours' load.
    """
    out = []
    for _ in range(rounds):
        c = time.process_time()
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t, time.process_time() - c))
    return out


class Postgres:
    """The PostgreSQL backend in the database at ``url``, with its statements recorded for --explain."""

    def __init__(self, url: str) -> None:
        self.engine = sa.create_engine(url, pool_size=2)
        self.idx = PostgresSearchIndex(self.engine)
        self.statements: list[tuple[str, object]] | None = None
        sa.event.listen(self.engine, "before_cursor_execute", self._record)

    def _record(self, _conn, _cursor, statement, parameters, _context, _many) -> None:
        if self.statements is not None and not statement.startswith(("SET LOCAL", "SELECT set_config", "EXPLAIN")):
            self.statements.append((statement, parameters))

    def ready(self, n: int) -> bool:
        """True when the tables already hold this corpus (for --reuse)."""
        with self.engine.begin() as conn:
            postgres.create_schema(conn)
        return self.idx.count() == n

    def build(self, docs: list[dict]) -> int:
        with self.engine.begin() as conn:
            postgres.create_schema(conn)
        return self.idx.rebuild(docs)

    def vacuum(self) -> None:
        """What autovacuum does soon after a reindex: visibility map and hint bits, so timings are steady."""
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(f"VACUUM (ANALYZE) {postgres.TABLE}")

    def explain(self, run: Callable[[], object]) -> list[str]:
        """Run a search and return EXPLAIN ANALYZE of every statement it sent, slowest first."""
        self.statements = []
        try:
            run()
            recorded = self.statements
        finally:
            self.statements = None
        out: list[tuple[float, str]] = []
        with self.engine.connect() as conn:
            conn.exec_driver_sql("SELECT set_config('jit', 'off', true), set_config('enable_seqscan', 'off', true)")
            raw = conn.connection.driver_connection
            for statement, params in recorded:
                plan = [r[0] for r in raw.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, params)]
                took = next((float(line.split(":")[1].split()[0]) for line in plan if line.startswith("Execution Time")), 0)
                out.append((took, f"{took:8.2f} ms  {' '.join(statement.split())[:160]}\n" + "\n".join(
                    "            " + line for line in plan)))
            conn.rollback()
        return [text for _, text in sorted(out, reverse=True)]

    def close(self, drop: bool) -> None:
        if drop:
            with self.engine.begin() as conn:
                postgres.drop_schema(conn)
        self.engine.dispose()


def main() -> None:
    """Run the benchmark and print a report."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=100_000, help="number of entries")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--rounds", type=int, default=5, help="repetitions of each query")
    ap.add_argument("--dir", type=Path, default=None, help="work directory (default: a temp dir, removed)")
    ap.add_argument("--postgres", default=os.environ.get("REGISTRY_BENCH_POSTGRES_URL"),
                    help="SQLAlchemy URL of a PostgreSQL database for the PostgreSQL backend")
    ap.add_argument("--engines", default="whoosh,postgres,fts5", help="comma-separated: whoosh, postgres, fts5")
    ap.add_argument("--reuse", action="store_true", help="keep indexes already built for the same --n")
    ap.add_argument("--keep", action="store_true", help="leave the PostgreSQL search tables in place")
    ap.add_argument("--explain", action="store_true", help="print the PostgreSQL plans of every query")
    args = ap.parse_args()
    engines = {e.strip() for e in args.engines.split(",") if e.strip()}
    if "postgres" in engines and not args.postgres:
        engines.discard("postgres")
        print("postgres: skipped (no --postgres URL)")
    work = args.dir or Path(tempfile.mkdtemp(prefix="search-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        run(args, work, engines)
    finally:
        if args.dir is None:
            shutil.rmtree(work, ignore_errors=True)


def _build_report(name: str, count: int, seconds: float, size: int) -> None:
    print(f"{name + ':':<10}indexed {count} in {seconds:.1f} s ({count / max(seconds, 1e-9):.0f} entries/s), "
          f"{size / 2**20:.1f} MiB")


def run(args: argparse.Namespace, work: Path, engines: set[str]) -> None:
    """Build the indexes, time queries and a single change."""
    t = time.perf_counter()
    docs = list(generate(args.n, args.seed))
    gen_s = time.perf_counter() - t
    syllables = sum(len(d["body"].split()) for d in docs) / len(docs)
    print(f"corpus: {args.n} entries, mean story {syllables:.0f} syllables, generated in {gen_s:.1f} s")

    runners: dict[str, Callable[[str, dict], object]] = {}
    suggesters: dict[str, Callable[[str], object]] = {}
    idx = pg = fts = None
    if "whoosh" in engines:
        idx = SearchIndex(work / "index")
        if args.reuse and idx.count() == args.n:
            print(f"whoosh:   reusing {idx.count()} entries in {work / 'index'}")
        else:
            t = time.perf_counter()
            count = idx.rebuild(docs)
            _build_report("whoosh", count, time.perf_counter() - t, idx.size_bytes())
        runners["whoosh"] = lambda q, f: search(idx, SearchRequest(q=q, **f))
        suggesters["whoosh"] = lambda p: suggest(idx, p)
    if "postgres" in engines:
        pg = Postgres(args.postgres)
        if args.reuse and pg.ready(args.n):
            print(f"postgres: reusing {args.n} entries")
        else:
            t = time.perf_counter()
            count = pg.build(docs)
            _build_report("postgres", count, time.perf_counter() - t, pg.idx.size_bytes())
            t = time.perf_counter()
            pg.vacuum()
            print(f"postgres: vacuumed in {time.perf_counter() - t:.1f} s")
        runners["postgres"] = lambda q, f: postgres.search(pg.idx, SearchRequest(q=q, **f))
        suggesters["postgres"] = lambda p: postgres.suggest(pg.idx, p)
    if "fts5" in engines:
        path = work / "fts.db"
        if not (args.reuse and path.exists()):
            path.unlink(missing_ok=True)
            fts = Fts5(path)
            t = time.perf_counter()
            fts.load(docs)
            _build_report("fts5", len(docs), time.perf_counter() - t, path.stat().st_size)
        else:
            fts = Fts5.__new__(Fts5)
            fts.con = sqlite3.connect(str(path))
            print(f"fts5:     reusing {path}")
        runners["fts5"] = fts.search
    del docs

    # Warm-up: first searches load segment columns, statistics and OS caches.
    for name, runner in runners.items():
        runner("nha van hoa", {})
        runner("", {})
    # As in the app's workers (deploy/gunicorn.conf.py, post_worker_init): what lives as long as the
    # process leaves the collector's sight, so a full collection does not walk it in the middle of a query.
    gc.collect()
    gc.freeze()

    names = list(runners)
    per_class: dict[str, dict[str, list[tuple[float, float]]]] = {}
    totals: dict[str, dict[str, int]] = {}
    for cls, q, filters in QUERIES:
        per_class.setdefault(cls, {name: [] for name in names})
        # Engines take turns round by round, so a burst of load elsewhere hits them alike.
        for _ in range(args.rounds):
            for name in names:
                per_class[cls][name] += timed(lambda: runners[name](q, filters), 1)
        key = f"{cls}: {q} {filters or ''}".strip()
        totals[key] = {name: _total(runners[name](q, filters)) for name in names}
        if args.explain and pg is not None:
            print(f"\n--- EXPLAIN {key}")
            for text in pg.explain(lambda: runners["postgres"](q, filters)):
                print(text)
    per_class["suggest"] = {name: [] for name in names}
    for prefix in SUGGEST:
        for _ in range(args.rounds):
            for name, run_suggest in suggesters.items():
                per_class["suggest"][name] += timed(lambda: run_suggest(prefix), 1)

    print(f"\nlatency in ms over {args.rounds} rounds, wall-clock (search + facets + snippets; "
          "fts5: top 20 + count + 2 facets)")
    ours = [n for n in names if n != "fts5"]
    head = "".join(f"{n + ' p50':>14}{n + ' p95':>14}" for n in names)
    head += "".join(f"{n + '/fts5 p95':>20}" for n in ours if "fts5" in names)
    print(f"{'class':<10}{head}")
    everything: dict[str, list[tuple[float, float]]] = {n: [] for n in names}
    for cls, rows in list(per_class.items()) + [("ALL", everything)]:
        if cls != "ALL":
            for n in names:
                everything[n] += rows[n]
        cells = "".join(f"{pct(wall(rows[n]), 50):>14.1f}{pct(wall(rows[n]), 95):>14.1f}" if rows[n] else f"{'-':>14}" * 2
                        for n in names)
        if "fts5" in names:
            for n in ours:
                ratio = pct(wall(rows[n]), 95) / pct(wall(rows["fts5"]), 95) if rows["fts5"] and rows[n] else None
                cells += f"{ratio:>19.2f}x" if ratio is not None else f"{'-':>20}"
        print(f"{cls:<10}{cells}")
    if "whoosh" in names:
        print("\nCPU time of this process in ms (whoosh and fts5 run here; postgres mostly in the server):")
        print(f"{'class':<10}" + "".join(f"{n + ' p50':>14}{n + ' p95':>14}" for n in names if n != "postgres"))
        for cls, rows in per_class.items():
            print(f"{cls:<10}" + "".join(
                f"{pct(cpu(rows[n]), 50):>14.1f}{pct(cpu(rows[n]), 95):>14.1f}" if rows[n] else f"{'-':>14}" * 2
                for n in names if n != "postgres"))
    if pg is not None:
        slow = [(cls, pct(wall(rows["postgres"]), 95)) for cls, rows in per_class.items() if rows["postgres"]]
        missed = [f"{cls} ({p95:.0f} ms)" for cls, p95 in slow if p95 > 50]
        print("\npostgres target p95 <= 50 ms per class: " + ("met" if not missed else "missed by " + ", ".join(missed)))
    print("\nhits per query:")
    for key, by_engine in totals.items():
        print("  " + "".join(f"{n}={v:<8}" for n, v in by_engine.items()) + f"  {key}")

    marker = "xylophonxanh"
    doc = next(generate(1, args.seed + 1))
    doc.update(id=args.n + 1, title=f"Mô hình {marker} mới", stamp="bench")
    if idx is not None:
        visible, gone = _change(lambda: idx.upsert([doc]), lambda: idx.delete([args.n + 1]),
                                lambda: search(idx, SearchRequest(q=marker, facets=False)).total)
        print(f"\nwhoosh:   single-entry change visible after {visible:.0f} ms (upsert), {gone:.0f} ms (delete)")
        idx.close()
    if pg is not None:
        visible, gone = _change(lambda: pg.idx.upsert([doc]), lambda: pg.idx.delete([args.n + 1]),
                                lambda: postgres.search(pg.idx, SearchRequest(q=marker, facets=False)).total)
        print(f"postgres: single-entry change visible after {visible:.0f} ms (upsert and commit), "
              f"{gone:.0f} ms (delete)")
        pg.close(drop=not args.keep)


def _total(result: object) -> int:
    return result if isinstance(result, int) else result.total  # type: ignore[attr-defined]


def _change(upsert: Callable[[], object], delete: Callable[[], object], found: Callable[[], int]) -> tuple[float, float]:
    """Milliseconds from a write to the search seeing it, for an upsert and then a delete."""
    out = []
    for write, want in ((upsert, True), (delete, False)):
        t = time.perf_counter()
        write()
        while bool(found()) != want:
            time.sleep(0.005)
        out.append((time.perf_counter() - t) * 1000)
    return out[0], out[1]


if __name__ == "__main__":
    main()
