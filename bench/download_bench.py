"""What anonymous downloads from one address do to everyone else's pages, under gunicorn.

    .venv/bin/python bench/app_corpus.py --instance /tmp/registry-bench --n 20000      # once
    .venv/bin/python bench/download_bench.py --instance /tmp/registry-bench

Starts gunicorn on loopback with the sample settings (deploy/gunicorn.conf.py, 2 workers x 4 threads,
TRUSTED_PROXY_COUNT=1 so each client is told apart by X-Forwarded-For). A reader at one address asks entry
pages (already in the page cache) one after another for --duration seconds, first alone, then while
--clients threads at another address ask `/api/v1/search?q=…&format=csv&z=<n>` as fast as they are
answered, each with a new z so that, without canonical cache keys, every download is rendered afresh.
Prints the reader's latency (p50, p95, max) in both runs and what the downloaders got (status counts).
`--root` runs another checkout of the code (e.g. an export of the main branch) on the same instance.
Traffic stays on 127.0.0.1 and every run is bounded in time.
"""
from __future__ import annotations

import argparse
import itertools
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load_bench import stop as stop_server  # noqa: E402

HOST = "127.0.0.1"
READER, DOWNLOADER = "198.51.100.1", "203.0.113.9"
QUERIES = ("nha van hoa", "thanh nien tinh nguyen", "bảo vệ môi trường", "hiến máu", "nong thon moi")


def start(root: Path, args: argparse.Namespace, log: Path) -> subprocess.Popen:
    """gunicorn on the checkout ``root`` with its sample settings, in its own process group."""
    env = {**os.environ, "PYTHONPATH": str(root), "REGISTRY_INSTANCE_PATH": args.instance, "TRUSTED_PROXY_COUNT": "1",
           "GUNICORN_WORKERS": str(args.workers), "GUNICORN_THREADS": str(args.threads),
           "GUNICORN_BIND": f"{HOST}:{args.port}", "GUNICORN_MAX_REQUESTS": "0", "GUNICORN_ACCESS_LOG": "",
           "GUNICORN_LOG_LEVEL": "warning", "REQUEST_LOG": "0"}
    command = [str(Path(sys.executable).parent / "gunicorn"), "-c", str(root / "deploy" / "gunicorn.conf.py"),
               "registry:create_app()"]
    proc = subprocess.Popen(command, cwd=root, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT,
                            start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"gunicorn exited with {proc.returncode}; see {log}")
        try:
            with socket.create_connection((HOST, args.port), timeout=0.5):
                return proc
        except OSError:
            time.sleep(0.2)
    sys.exit("gunicorn did not start")


def get(path: str, address: str, port: int) -> tuple[int, float]:
    """Status and seconds of one GET from ``address``."""
    request = urllib.request.Request(f"http://{HOST}:{port}{path}", headers={"X-Forwarded-For": address})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        exc.read()
        status = exc.code
    return status, time.perf_counter() - started


def read_entries(paths: list[str], port: int, seconds: float) -> list[float]:
    """Ask entry pages one after another for ``seconds``; their latencies in milliseconds."""
    latencies = []
    deadline = time.monotonic() + seconds
    for path in itertools.cycle(paths):
        if time.monotonic() >= deadline:
            break
        status, took = get(path, READER, port)
        assert status == 200, (path, status)
        latencies.append(took * 1000)
    return latencies


def download(port: int, stop: threading.Event, counter: itertools.count, seen: Counter, lock: threading.Lock) -> None:
    while not stop.is_set():
        n = next(counter)
        q = urllib.parse.quote(QUERIES[n % len(QUERIES)])
        status, _took = get(f"/api/v1/search?q={q}&format=csv&z={n}", DOWNLOADER, port)
        with lock:
            seen[status] += 1


def summary(latencies: list[float]) -> str:
    ordered = sorted(latencies)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    return (f"{len(ordered)} pages, p50 {statistics.median(ordered):.1f} ms, p95 {p95:.1f} ms, "
            f"max {ordered[-1]:.1f} ms")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--instance", default="/tmp/registry-bench")
    ap.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent,
                    help="the checkout whose code runs (default: this one)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--clients", type=int, default=8, help="threads downloading from one address")
    ap.add_argument("--duration", type=float, default=15.0)
    ap.add_argument("--port", type=int, default=8771)
    args = ap.parse_args()

    engine = sa.create_engine(f"sqlite:///{Path(args.instance) / 'registry.sqlite3'}")
    with engine.connect() as connection:
        ids = connection.execute(sa.text("SELECT id FROM entry WHERE status = 'published'")).scalars().all()
    engine.dispose()
    paths = [f"/entries/{i}" for i in random.Random(7).sample(ids, min(50, len(ids)))]
    log = Path(args.instance) / "download-bench-gunicorn.log"
    proc = start(args.root.resolve(), args, log)
    try:
        for path in paths * 4:  # every worker has each page in its cache
            get(path, READER, args.port)
        print(f"code: {args.root.resolve()}")
        print(f"alone:            {summary(read_entries(paths, args.port, args.duration))}")
        stop, lock, seen, counter = threading.Event(), threading.Lock(), Counter(), itertools.count()
        clients = [threading.Thread(target=download, args=(args.port, stop, counter, seen, lock))
                   for _ in range(args.clients)]
        for client in clients:
            client.start()
        try:
            loaded = read_entries(paths, args.port, args.duration)
        finally:
            stop.set()
            for client in clients:
                client.join(150)
        print(f"with downloaders: {summary(loaded)}")
        print(f"downloads ({args.clients} clients, one address): "
              + ", ".join(f"{status}: {count}" for status, count in sorted(seen.items())))
    finally:
        stop_server(proc)


if __name__ == "__main__":
    main()
