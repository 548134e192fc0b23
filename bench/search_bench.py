"""Benchmark: index build, latency per query class and change visibility, next to SQLite FTS5.

    .venv/bin/python bench/search_bench.py --n 20000
"""

from __future__ import annotations

import argparse
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpus import generate  # noqa: E402
from search.index import SearchIndex  # noqa: E402
from search.query import SearchRequest, search, suggest  # noqa: E402

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


def main() -> None:
    """Run the benchmark and print a report."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=100_000, help="number of entries")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--rounds", type=int, default=5, help="repetitions of each query")
    ap.add_argument("--dir", type=Path, default=None, help="work directory (default: a temp dir, removed)")
    args = ap.parse_args()
    work = args.dir or Path(tempfile.mkdtemp(prefix="search-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        run(args, work)
    finally:
        if args.dir is None:
            shutil.rmtree(work, ignore_errors=True)


def run(args: argparse.Namespace, work: Path) -> None:
    """Build both indexes, time queries and a single change."""
    t = time.perf_counter()
    docs = list(generate(args.n, args.seed))
    gen_s = time.perf_counter() - t
    syllables = sum(len(d["body"].split()) for d in docs) / len(docs)
    print(f"corpus: {args.n} entries, mean story {syllables:.0f} syllables, generated in {gen_s:.1f} s")

    idx = SearchIndex(work / "index")
    t = time.perf_counter()
    count = idx.rebuild(docs)
    build_s = time.perf_counter() - t
    size = idx.size_bytes()
    print(f"ours:  indexed {count} in {build_s:.1f} s ({count / build_s:.0f} entries/s), "
          f"{size / 2**20:.1f} MiB on disk")

    fts = Fts5(work / "fts.db")
    t = time.perf_counter()
    fts.load(docs)
    fts_s = time.perf_counter() - t
    fts_size = (work / "fts.db").stat().st_size
    print(f"fts5:  indexed {len(docs)} in {fts_s:.1f} s ({len(docs) / fts_s:.0f} entries/s), "
          f"{fts_size / 2**20:.1f} MiB on disk")
    del docs

    # Warm-up: first searches load segment columns and OS caches.
    search(idx, SearchRequest(q="nha van hoa"))
    search(idx, SearchRequest(q=""))

    per_class: dict[str, dict[str, list[tuple[float, float]]]] = {}
    totals: dict[str, int] = {}
    for cls, q, filters in QUERIES:
        req = SearchRequest(q=q, **filters)
        ours = timed(lambda: search(idx, req), args.rounds)
        base = timed(lambda: fts.search(q, filters), args.rounds)
        per_class.setdefault(cls, {"ours": [], "fts5": []})
        per_class[cls]["ours"] += ours
        per_class[cls]["fts5"] += base
        totals[f"{cls}: {q} {filters or ''}".strip()] = search(idx, req).total
    sug = []
    for p in SUGGEST:
        sug += timed(lambda: suggest(idx, p), args.rounds)
    per_class["suggest"] = {"ours": sug, "fts5": []}

    print(f"\nlatency in ms over {args.rounds} rounds (ours: search + facets + snippets; fts5: top 20 + count + 2 facets)")
    print("wall = elapsed time; cpu = this process's CPU time (immune to other load on the machine)")
    head = ["ours p50", "ours p95", "fts5 p50", "fts5 p95", "p95 ratio"]
    print(f"{'class':<10}" + "".join(f"{'wall ' + h:>15}" for h in head) + "".join(f"{'cpu ' + h:>14}" for h in head))
    all_ours: list[tuple[float, float]] = []
    all_fts: list[tuple[float, float]] = []

    def cells(o: list[float], f: list[float], width: int) -> str:
        row = [pct(o, 50), pct(o, 95)]
        text = "".join(f"{v:>{width}.1f}" for v in row)
        if f:
            text += f"{pct(f, 50):>{width}.1f}{pct(f, 95):>{width}.1f}{pct(o, 95) / pct(f, 95):>{width - 1}.2f}x"
        else:
            text += f"{'-':>{width}}" * 3
        return text

    for cls, rows in per_class.items():
        o, f = rows["ours"], rows["fts5"]
        all_ours += o
        all_fts += f
        print(f"{cls:<10}{cells(wall(o), wall(f), 15)}{cells(cpu(o), cpu(f), 14)}")
    print(f"{'ALL':<10}{cells(wall(all_ours), wall(all_fts), 15)}{cells(cpu(all_ours), cpu(all_fts), 14)}")
    print("\nhits per query:")
    for k, v in totals.items():
        print(f"  {v:>7}  {k}")

    # A single-entry change: time from upsert() to the entry being found.
    marker = "xylophonxanh"
    doc = next(generate(1, args.seed + 1))
    doc.update(id=args.n + 1, title=f"Mô hình {marker} mới", stamp="bench")
    t = time.perf_counter()
    idx.upsert([doc])
    while not search(idx, SearchRequest(q=marker, facets=False)).total:
        time.sleep(0.005)
    visible = time.perf_counter() - t
    t = time.perf_counter()
    idx.delete([args.n + 1])
    while search(idx, SearchRequest(q=marker, facets=False)).total:
        time.sleep(0.005)
    gone = time.perf_counter() - t
    print(f"\nsingle-entry change visible after {visible * 1000:.0f} ms (upsert), {gone * 1000:.0f} ms (delete)")
    print(f"median of all (wall): ours {statistics.median(wall(all_ours)) * 1000:.1f} ms, "
          f"fts5 {statistics.median(wall(all_fts)) * 1000:.1f} ms")
    idx.close()


if __name__ == "__main__":
    main()
