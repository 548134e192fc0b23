"""Load benchmark of the public pages under gunicorn, next to the framework's ceiling, with wrk.

    .venv/bin/python bench/app_corpus.py --instance /tmp/registry-bench       # once: 100,000 entries
    .venv/bin/python bench/load_bench.py --instance /tmp/registry-bench

Starts gunicorn on loopback against the instance (or against the PostgreSQL database named by
DATABASE_URL, with the instance folder for photos and settings), and bench/ceiling_app.py (the saved home
page rendered by a bare Flask app) under the same settings; then for each page visits every URL of that
kind a few times (so each worker has rendered it once: the page cache is warm, as on a site whose
visitors read the same pages), runs a short warm-up and `wrk -t2 -c16 -d15s`, rotating through the URLs
with a Lua script; the ceiling is measured again just before each page. Prints requests/s, p50/p95/p99
latency, the share of the ceiling's throughput and, asking 40 of the URLs again after the run, the share
the page cache answered.
`--cold` turns the page cache off, to measure rendering itself.
`--distinct` measures what journalists send instead: thousands of different searches (1–3 words taken from the
entries' own titles and summaries, half of them typed without marks, some with a filter) and different filter
combinations of the browse page (kind × year × topic × province × sort × page), each URL asked once, none of
them visited before (the warm-up has its own URLs): every answer is rendered cold, with the page cache on as in
production. `--profile DIR` also records the workers during each measured run with py-spy (`pip install py-spy`):
a flame graph and the collapsed stacks per page in DIR, and a table of the functions holding the most samples
printed after the results (it slows the workers a little, so read the numbers of a run without it).
Needs `wrk` (Debian package). Traffic stays on 127.0.0.1 and every run is bounded in time.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unicodedata
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
SEARCHES = [
    "nha van hoa", "hiến máu", "dân vận khéo", "cay atm gao", "người cao tuổi", "bảo vệ môi trường",
    "thanh nien tinh nguyen", "phòng cháy chữa cháy", "ve sinh moi truong", "chuyển đổi số", "nong thon moi",
    "cứu người đuối nước", "khuyen hoc", "camera an ninh", "giảm nghèo bền vững", "hoa giai co so",
]
# Runs after the last request: percentiles in microseconds, as one JSON line wrk prints. (No response()
# callback: wrk would copy every body into Lua, and the bigger pages would pay for it on the same cores.)
LUA_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"requests": %d, "duration_us": %d, "p50": %d, "p90": %d, "p95": %d, "p99": %d, '
    .. '"max": %d, "errors": %d, "status_errors": %d}\\n', summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(90), latency:percentile(95), latency:percentile(99), latency.max,
    e.connect + e.read + e.write + e.timeout, e.status))
end
"""


def lua_script(paths: list[str]) -> str:
    """A wrk script sending ``paths`` in turn, each thread starting at its own place."""
    quoted = ",\n".join(json.dumps(p) for p in paths)
    return f"""
local paths = {{ {quoted} }}
local i = 0
local counter = 0
setup = function(thread) thread:set("offset", counter * 7919); counter = counter + 1 end
init = function(args) i = (offset or 0) % #paths end
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
""" + LUA_DONE


def database_url(instance: Path) -> str:
    """The benchmark's database: DATABASE_URL when set, else the instance's SQLite file."""
    return os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'registry.sqlite3'}"


def sample_paths(url: str, rng: random.Random, count: int) -> dict[str, list[str]]:
    """URLs of each page kind, drawn from the published data of the database at ``url``."""
    engine = sa.create_engine(url)
    with engine.connect() as con:
        def rows(sql: str) -> list:
            return [tuple(row) for row in con.execute(sa.text(sql))]

        ids = rows("SELECT id, slug FROM entry WHERE status = 'published' ORDER BY id")
        communes = rows(
            "SELECT unit.id, unit.slug FROM unit JOIN entry ON entry.unit_id = unit.id "
            "WHERE unit.level = 'commune' AND unit.kind = 'administrative' AND unit.valid_to IS NULL "
            "GROUP BY unit.id, unit.slug HAVING count(*) >= 5 ORDER BY unit.id")
        provinces = rows("SELECT id, slug FROM unit WHERE level = 'province' AND valid_to IS NULL ORDER BY id")
        topics = [row[0] for row in rows("SELECT slug FROM topic ORDER BY slug")]
        years = [row[0] for row in rows("SELECT DISTINCT year FROM entry WHERE year IS NOT NULL ORDER BY year")]
    engine.dispose()
    entries = [f"/entries/{i}/{s}" for i, s in rng.sample(ids, min(count, len(ids)))]
    browse = []
    for _ in range(count):
        args = {"kind": rng.choice(["individual", "collective", "initiative"]), "year": rng.choice(years),
                "topic": rng.choice(topics)}
        browse.append("/entries?" + urlencode(args))
    searches = []
    for q in SEARCHES:
        searches.append("/search?" + urlencode({"q": q}))
        searches.append("/search?" + urlencode({"q": q, "kind": rng.choice(["individual", "initiative"])}))
    return {
        "home": ["/"],
        "browse": ["/entries", "/entries?sort=name", "/entries?page=2", "/entries?page=40"],
        "browse (kind+year+topic)": browse,
        "entry": entries,
        "unit (commune)": [f"/units/{i}/{s}" for i, s in rng.sample(communes, min(count, len(communes)))],
        "unit (province)": [f"/units/{i}/{s}" for i, s in provinces],
        "search page": searches,
        "search API": ["/api/v1/search?" + urlencode({"q": q}) for q in SEARCHES],
    }


def fold(text: str) -> str:
    """``text`` as typed without marks: "Phường Long Biên" → "Phuong Long Bien"."""
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))


def distinct_paths(url: str, rng: random.Random, count: int) -> dict[str, list[str]]:
    """Different URLs of each kind a journalist sends, each to be asked once (see --distinct)."""
    engine = sa.create_engine(url)
    with engine.connect() as con:
        texts = [row[0] for row in con.execute(sa.text(
            "SELECT title FROM entry WHERE status = 'published' UNION ALL "
            "SELECT summary FROM entry WHERE status = 'published' AND summary IS NOT NULL"))]
        topics = [row[0] for row in con.execute(sa.text("SELECT slug FROM topic ORDER BY slug"))]
        years = [row[0] for row in con.execute(sa.text(
            "SELECT DISTINCT year FROM entry WHERE year IS NOT NULL ORDER BY year"))]
        provinces = [row[0] for row in con.execute(sa.text(
            "SELECT id FROM unit WHERE level = 'province' AND valid_to IS NULL ORDER BY id"))]
    engine.dispose()
    sample = rng.sample(texts, min(len(texts), 20000))
    words_of = [[w.strip(".,;:!?()“”\"'«»") for w in t.split()] for t in sample]
    words_of = [[w for w in ws if len(w) > 1] for ws in words_of]
    queries: set[str] = set()
    attempts = 0
    while len(queries) < count and attempts < 50 * count:
        attempts += 1
        words = rng.choice(words_of)
        if not words:
            continue
        n = rng.choice((1, 2, 2, 3, 3))
        start = rng.randrange(max(1, len(words) - n + 1))
        q = " ".join(words[start:start + n]).lower()
        queries.add(fold(q) if rng.random() < 0.5 else q)
    queries_list = sorted(queries)
    rng.shuffle(queries_list)
    searches, api = [], []
    for i, q in enumerate(queries_list):
        args = {"q": q}
        if i % 4 == 0:
            args["kind"] = rng.choice(["individual", "collective", "initiative"])
        elif i % 4 == 1 and years:
            args["year"] = rng.choice(years)
        searches.append("/search?" + urlencode(args))
        api.append("/api/v1/search?" + urlencode({"q": q, "page": 1 + i % 3}))
    browse: set[str] = set()
    attempts = 0
    while len(browse) < count and attempts < 50 * count:
        attempts += 1
        args = {}
        for key, values, chance in (("kind", ["individual", "collective", "initiative"], 0.7),
                                    ("year", years, 0.6), ("topic", topics, 0.5), ("unit", provinces, 0.4),
                                    ("sort", ["name", "newest"], 0.3), ("page", [2, 3, 4, 5], 0.3)):
            if values and rng.random() < chance:
                args[key] = rng.choice(values)
        browse.add("/entries?" + urlencode(args))
    browse_list = sorted(browse)
    rng.shuffle(browse_list)
    return {"search page (distinct)": searches, "search API (distinct)": api, "browse (distinct filters)": browse_list}


def wait_for(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    """Wait until something listens on ``port``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"gunicorn exited with {proc.returncode}")
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"nothing listens on {HOST}:{port} after {timeout} s")


def gunicorn(app: str, port: int, args: argparse.Namespace, env: dict[str, str], log: Path) -> subprocess.Popen:
    """Start gunicorn on loopback in its own process group, with the sample production settings
    (deploy/gunicorn.conf.py: its hooks, timeouts and keep-alive) but this run's workers and threads.
    Workers are not recycled during a run: a fresh worker's page cache would be empty."""
    cmd = [str(Path(sys.executable).parent / "gunicorn"), "-c", str(ROOT / "deploy" / "gunicorn.conf.py"),
           "--workers", str(args.workers), "--threads", str(args.threads), "--worker-connections",
           str(args.worker_connections), "--max-requests", "0", "--bind", f"{HOST}:{port}",
           "--log-level", "warning", app]
    # The settings file reads GUNICORN_PRELOAD itself (its post_fork hook depends on it).
    env = {**env, "GUNICORN_PRELOAD": "1" if args.preload else "0"}
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT,
                            start_new_session=True)
    wait_for(port, proc)
    return proc


def stop(proc: subprocess.Popen) -> None:
    """Stop a gunicorn started here (its master and workers)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def run_wrk(port: int, paths: list[str], args: argparse.Namespace, workdir: Path, *, seconds: int) -> dict:
    """One wrk run over ``paths``; returns its summary."""
    script = workdir / "paths.lua"
    script.write_text(lua_script(paths), encoding="utf-8")
    out = subprocess.run(
        ["wrk", "-t", str(args.wrk_threads), "-c", str(args.connections), "-d", f"{seconds}s", "--timeout", "10s",
         "--latency", "-s", str(script), f"http://{HOST}:{port}"],
        capture_output=True, text=True, timeout=seconds + 60, check=True,
    ).stdout
    summary = json.loads(next(line for line in out.splitlines() if line.startswith("{")))
    summary["rps"] = summary["requests"] / (summary["duration_us"] / 1e6)
    return summary


def prime(port: int, paths: list[str], visits: int) -> float:
    """Visit every path ``visits`` times, 16 at once, so that each worker has likely rendered it; seconds taken."""
    def visit(path: str) -> None:
        with urllib.request.urlopen(f"http://{HOST}:{port}{path}", timeout=120) as response:
            response.read()

    started = time.monotonic()
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(visit, [path for path in paths for _ in range(visits)]))
    return time.monotonic() - started


def cache_share(port: int, paths: list[str], rng: random.Random, count: int = 40) -> float:
    """Share of ``count`` of the paths, asked again after a run, that the page cache answered."""
    hits = 0
    for path in rng.choices(paths, k=count):
        with urllib.request.urlopen(f"http://{HOST}:{port}{path}", timeout=60) as response:
            response.read()
            hits += response.headers.get("X-Page-Cache") == "hit"
    return hits / count


def page_bytes(port: int, path: str) -> int:
    with urllib.request.urlopen(f"http://{HOST}:{port}{path}", timeout=30) as response:
        return len(response.read())


def profile_start(app: subprocess.Popen, args: argparse.Namespace, name: str) -> list[subprocess.Popen]:
    """py-spy recording every worker of ``app`` for one measured run: a flame graph (.svg) and the same samples
    as collapsed stacks (.txt), which ``profile_summary`` reads."""
    args.profile.mkdir(parents=True, exist_ok=True)
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    stem = args.profile / profile_stem(name)
    return [subprocess.Popen([spy, "record", "--subprocesses", "--pid", str(app.pid), "--duration",
                              str(args.duration), "--rate", "100", "--nonblocking", "--format", fmt,
                              "-o", f"{stem}{suffix}"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for fmt, suffix in (("flamegraph", ".svg"), ("raw", ".txt"))]


def profile_stem(name: str) -> str:
    """A page's name as a file name."""
    return name.replace(" ", "-").replace("(", "").replace(")", "")


FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^()]*?)(?::\d+)?\)$")
OWN_CODE = ("registry/", "search/", "templates/")


def profile_summary(collapsed: Path, top: int = 16) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """What a py-spy collapsed-stacks file says of the workers' busy samples: the project's own functions by
    their share of the samples with them anywhere on the stack (a function counts once per stack), and the
    packages by their share of the samples spent in their code (the frame on top; `stdlib` for Python's own)."""
    inclusive: dict[str, int] = {}
    packages: dict[str, int] = {}
    total = 0
    for line in collapsed.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = [m for m in map(FRAME.match, stack.split(";")) if m]
        for key in {f"{m['func']} ({m['file']})" for m in frames if m["file"].startswith(OWN_CODE)}:
            inclusive[key] = inclusive.get(key, 0) + n
        if frames:
            leaf = frames[-1]["file"]
            package = leaf.split("/", 1)[0] if "/" in leaf and not leaf.startswith("<") else "stdlib"
            packages[package] = packages.get(package, 0) + n
    if not total:
        return [], []
    ranked = sorted(inclusive.items(), key=lambda kv: -kv[1])[:top]
    return ([(key, n / total) for key, n in ranked],
            [(key, n / total) for key, n in sorted(packages.items(), key=lambda kv: -kv[1])[:10]])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--instance", default="/tmp/registry-bench")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--worker-connections", type=int, help="gunicorn --worker-connections (default: three per "
                    "thread, as deploy/gunicorn.conf.py; with 1000, gunicorn's own default, all the connections "
                    "now and then gather on one worker)")
    ap.add_argument("--preload", action="store_true", help="load the app before forking (GUNICORN_PRELOAD=1)")
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--wrk-threads", type=int, default=2)
    ap.add_argument("--duration", type=int, default=15, help="seconds of each measured run")
    ap.add_argument("--warmup", type=int, default=3, help="seconds of load before each measured run")
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--pages", help="comma-separated subset of the page names")
    ap.add_argument("--urls", type=int, help="URLs drawn for each kind of page (default 200)")
    ap.add_argument("--cold", action="store_true", help="turn the page cache off (PAGE_CACHE_MB=0)")
    ap.add_argument("--distinct", action="store_true", help="different searches and filter combinations, each asked "
                    "once (the URL count is --urls, default 6,000 with --distinct)")
    ap.add_argument("--profile", type=Path,
                    help="record each measured run with py-spy: flame graphs and stacks in this folder")
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args()
    args.worker_connections = args.worker_connections or 3 * args.threads
    args.urls = args.urls or (6000 if args.distinct else 200)
    if args.profile and shutil.which("py-spy") is None and not (Path(sys.executable).parent / "py-spy").exists():
        sys.exit("py-spy is missing: .venv/bin/pip install py-spy")
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install -y wrk")
    instance = Path(args.instance).resolve()
    url = database_url(instance)
    if url.startswith("sqlite") and not (instance / "registry.sqlite3").exists():
        sys.exit(f"no database in {instance}: run bench/app_corpus.py first")

    if args.distinct:
        pages = distinct_paths(url, random.Random(7), args.urls)
        # The warm-up asks URLs of its own, so that every measured URL is new to the server.
        warm = distinct_paths(url, random.Random(8), 400)
    else:
        pages = sample_paths(url, random.Random(7), args.urls)
    if args.pages:
        wanted = [p.strip() for p in args.pages.split(",")]
        pages = {name: pages[name] for name in wanted}
    workdir = Path(tempfile.mkdtemp(prefix="load-bench-"))
    # The API's per-address rate limit would answer most of the benchmark's requests with 429.
    env = {**os.environ, "REGISTRY_INSTANCE_PATH": str(instance), "CEILING_HTML": str(workdir / "home.html"),
           "PYTHONPATH": str(ROOT), "API_RATE_LIMIT": "1000000 per minute", "GUNICORN_ACCESS_LOG": ""}
    if args.cold:
        env["PAGE_CACHE_MB"] = "0"
    engine = sa.create_engine(url)
    with engine.connect() as con:
        entries = con.execute(sa.text("SELECT count(*) FROM entry WHERE status = 'published'")).scalar_one()
    engine.dispose()
    print(f"{entries:,} published entries on {url.split(':', 1)[0]}; page cache "
          f"{'off' if args.cold else 'on'}; gunicorn --workers {args.workers} --threads {args.threads} "
          f"--worker-connections {args.worker_connections}"
          f"{' --preload' if args.preload else ''}"
          f"{'; distinct URLs, each asked once' if args.distinct else ''}"
          f"; wrk -t{args.wrk_threads} -c{args.connections} "
          f"-d{args.duration}s on {os.cpu_count()} cores", flush=True)

    results: dict[str, dict] = {}
    ceilings: dict[str, dict] = {}
    app = gunicorn("registry:create_app()", args.port, args, env, workdir / "gunicorn.log")
    ceiling = None
    try:
        with urllib.request.urlopen(f"http://{HOST}:{args.port}/", timeout=60) as response:
            (workdir / "home.html").write_bytes(response.read())
        ceiling = gunicorn("bench.ceiling_app:create_app()", args.port + 1, args, env, workdir / "ceiling.log")
        run_wrk(args.port + 1, ["/"], args, workdir, seconds=args.warmup)
        ceiling_bytes = page_bytes(args.port + 1, "/")
        for name, paths in pages.items():
            if not args.cold and not args.distinct:
                took = prime(args.port, paths, 4 * args.workers)
                print(f"  {name}: {len(paths)} URLs visited {4 * args.workers} times each in {took:.0f} s",
                      flush=True)
            # The ceiling runs just before each page (both servers stay up, the idle one costs nothing),
            # so a page is compared with what the machine could do at that moment.
            ceilings[name] = run_wrk(args.port + 1, ["/"], args, workdir, seconds=args.duration)
            if args.distinct:
                measured = set(paths)
                run_wrk(args.port, [p for p in warm[name] if p not in measured], args, workdir, seconds=args.warmup)
            else:
                run_wrk(args.port, paths, args, workdir, seconds=args.warmup)
            spies = profile_start(app, args, name) if args.profile else []
            results[name] = run_wrk(args.port, paths, args, workdir, seconds=args.duration)
            for spy in spies:
                spy.wait(timeout=60)
            if args.distinct and results[name]["requests"] > len(paths):
                print(f"  {name}: {results[name]['requests']} requests for {len(paths)} URLs: some were asked "
                      "twice; raise --urls", flush=True)
            results[name]["bytes"] = page_bytes(args.port, paths[0])
            results[name]["cache_share"] = cache_share(args.port, paths, random.Random(11))
            print(f"  {name}: {results[name]['rps']:.0f} req/s (ceiling {ceilings[name]['rps']:.0f})", flush=True)
    finally:
        stop(app)
        if ceiling is not None:
            stop(ceiling)

    print(f"\nceiling (bare Flask + Jinja, {ceiling_bytes / 1024:.0f} KB), measured before each page: "
          f"{min(c['rps'] for c in ceilings.values()):.0f}–{max(c['rps'] for c in ceilings.values()):.0f} req/s, "
          f"p95 {min(c['p95'] for c in ceilings.values()) / 1000:.1f}–"
          f"{max(c['p95'] for c in ceilings.values()) / 1000:.1f} ms")
    print("\n| page | req/s | p50 ms | p90 ms | p95 ms | p99 ms | ceiling req/s | of ceiling | from cache | errors "
          "| HTML KB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, r in results.items():
        errors = r["errors"] + r["status_errors"]
        top = ceilings[name]["rps"]
        print(f"| {name} | {r['rps']:.0f} | {r['p50'] / 1000:.1f} | {r['p90'] / 1000:.1f} | {r['p95'] / 1000:.1f} "
              f"| {r['p99'] / 1000:.1f} "
              f"| {top:.0f} | {r['rps'] / top:.0%} | {r['cache_share']:.0%} | {errors} "
              f"| {r['bytes'] / 1024:.0f} |")
    if args.profile:
        for name in results:
            functions, packages = profile_summary(args.profile / f"{profile_stem(name)}.txt")
            print(f"\n{name} (flame graph: {args.profile / profile_stem(name)}.svg)\n"
                  "  busy samples in each package's own code: "
                  + ", ".join(f"{key} {share:.0%}" for key, share in packages))
            print("  the project's functions, by the share of busy samples with them on the stack:")
            for key, share in functions:
                print(f"  {share:6.1%}  {key}")
    if args.json:
        args.json.write_text(json.dumps({"entries": entries, "workers": args.workers, "threads": args.threads,
                                         "results": results, "ceilings": ceilings}, indent=2))
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
