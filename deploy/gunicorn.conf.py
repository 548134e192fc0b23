"""gunicorn settings for the registry: `gunicorn -c deploy/gunicorn.conf.py 'registry:create_app()'`.

Every value can be overridden from the environment (the systemd unit's EnvironmentFile), so the file
itself stays the same on every server. Measured on 2 cores with bench/load_bench.py: see README,
"Performance".
"""
from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import re

from gunicorn.glogging import Logger


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


# Loopback only: nginx in front terminates TLS, buffers slow clients and serves static files and photos.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# The pages are CPU work in Python (templates, facet labelling, search scoring), and the GIL lets one
# thread of a process run Python at a time: one worker process per core gives the throughput.
# A few threads per worker keep a core busy while another request waits on SQLite or on disk, and
# stop one slow search from holding up the pages queued behind it. More workers than cores only
# add memory and context switches (measured: no gain on 2 cores).
workers = _int("GUNICORN_WORKERS", multiprocessing.cpu_count())
threads = _int("GUNICORN_THREADS", 4)
worker_class = "gthread"

# A page answers in milliseconds; a CSV download of EXPORT_MAX_ROWS entries or a statistics report
# can take seconds. Past `timeout` the master kills the worker: generous, but it still catches a hang.
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = 30
keepalive = 5

# A kept-alive connection stays with the worker that accepted it, and Linux gives a burst of new
# connections on the shared socket mostly to one waiting worker. Measured with bench/load_bench.py: now
# and then all 16 persistent connections ended on one worker, which ran at one core's speed while the
# other idled (about 40% of the machine's throughput). nginx's pooled upstream connections do the same.
# A bound per worker prevents it: a worker holding `worker_connections` stops accepting, and one with
# `worker_connections - threads` idle connections closes a connection after its answer, so the client
# reconnects and another worker takes it. Three per thread measured best on 2 cores: twice kept 16
# connections even but made clients beyond the bound wait up to 1.5 s (p99 at 64 connections); four times
# still let 14 of 16 gather on one worker. (SO_REUSEPORT also spreads connections, but a recycled worker's
# queued connections are reset: thousands of errors in a run with max_requests.)
worker_connections = _int("GUNICORN_WORKER_CONNECTIONS", 3 * threads)

# Recycle workers now and then (with jitter, so not all at once): bounds any slow growth in memory.
max_requests = _int("GUNICORN_MAX_REQUESTS", 20_000)
max_requests_jitter = 2_000

# preload_app loads the app once in the master and forks it: less memory and faster restarts, but
# anything opened before the fork is shared by every worker. The registry opens nothing at start:
# the SQLAlchemy engine connects on first use, the Whoosh searcher is opened by the first search in
# each process (registry.showcase.search_index.search_index), and the read-side caches start empty. post_fork
# below still throws away any pooled SQLite connection, which must never cross a fork. Off by
# default because a preloaded app does not pick up new code on `systemctl reload` (HUP): only a
# restart does.
preload_app = os.environ.get("GUNICORN_PRELOAD", "0") == "1"


def post_worker_init(worker) -> None:
    """Take the app's start-up objects out of the garbage collector's sight.

    A worker holds about 150,000 container objects once the app is loaded (modules, classes, SQLAlchemy
    mappings, message catalogues). They live as long as the worker, yet every full collection walks them
    all: measured at 60 ms, and 90-100 ms once the first pages have compiled their templates, holding every
    thread of the worker meanwhile. Frozen, a full collection walks only what came later (about 2 ms).
    Objects created afterwards are collected as usual."""
    gc.collect()
    gc.freeze()


def post_fork(server, worker) -> None:
    """Give each worker its own database connections and search index handles."""
    if not preload_app:
        return
    from registry.extensions import db
    from registry.showcase.search_index import close_indexes

    app = server.app.wsgi()
    with app.app_context():
        # close=False: leave the parent's connections alone, only forget them in this child.
        db.engine.dispose(close=False)
    close_indexes()


# One line per request; %(L)s is the time taken in seconds, for spotting slow pages in the log.
# The client address is the one nginx passes on (TRUSTED_PROXY_COUNT=1 makes the app trust it too).
# The path is logged without its query string (%(U)s, not %(r)s), and the referrer not at all: a search
# or a form sent by GET carries what a citizen typed, and the referrer is often such an address.
# An empty GUNICORN_ACCESS_LOG turns this log off: the app's own request log (REQUEST_LOG) has the same facts.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%({x-forwarded-for}i)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(L)ss "%(a)s"'

# A query string: from "?" to the next blank or quote.
_QUERY_STRING = re.compile(r"\?[^\s\"']*")


class _WithoutQueryStrings(logging.Filter):
    """Cut query strings out of a log line and its traceback before any handler writes it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = _QUERY_STRING.sub("", record.getMessage()), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = _QUERY_STRING.sub("", logging.Formatter().formatException(record.exc_info))
        return True


class PrivateLogger(Logger):
    """gunicorn's logger, whose lines never carry a query string, whatever the format asks for.

    %(r)s (the request line) and %(q)s are given without the query, %(f)s without the referrer's; the
    error log's own lines ("Error handling request /search?q=…", a malformed request line) are cut too.
    """

    def setup(self, cfg) -> None:
        super().setup(cfg)
        for logger in (self.error_log, self.access_log):
            if not any(isinstance(f, _WithoutQueryStrings) for f in logger.filters):
                logger.addFilter(_WithoutQueryStrings())

    def atoms(self, resp, req, environ, request_time) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["r"] = f"{atoms['m']} {atoms['U']} {atoms['H']}"
        atoms["q"] = ""
        return atoms


logger_class = PrivateLogger
forwarded_allow_ips = "127.0.0.1,::1"
proc_name = "registry"
