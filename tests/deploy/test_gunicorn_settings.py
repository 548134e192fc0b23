"""The sample gunicorn settings (deploy/gunicorn.conf.py) as gunicorn reads them, and their worker hook."""
from __future__ import annotations

import gc
import os
import runpy
import signal
import socket
import subprocess
import time
import urllib.request
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

SETTINGS = Path(__file__).resolve().parents[2] / "deploy" / "gunicorn.conf.py"


def settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict:
    for name in ("GUNICORN_THREADS", "GUNICORN_WORKER_CONNECTIONS", "GUNICORN_ACCESS_LOG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS))


def test_each_worker_takes_three_connections_per_thread_unless_told(monkeypatch):
    assert settings(monkeypatch, GUNICORN_THREADS="4")["worker_connections"] == 12
    assert settings(monkeypatch, GUNICORN_THREADS="2")["worker_connections"] == 6
    assert settings(monkeypatch, GUNICORN_WORKER_CONNECTIONS="50")["worker_connections"] == 50


def test_an_empty_access_log_setting_turns_the_log_off(monkeypatch):
    assert settings(monkeypatch)["accesslog"] == "-"
    assert settings(monkeypatch, GUNICORN_ACCESS_LOG="")["accesslog"] is None
    assert settings(monkeypatch, GUNICORN_ACCESS_LOG="/var/log/registry/access.log")["accesslog"] \
        == "/var/log/registry/access.log"


def test_a_new_worker_takes_what_it_has_loaded_out_of_the_collectors_sight(monkeypatch, app):
    post_worker_init = settings(monkeypatch)["post_worker_init"]
    assert gc.get_freeze_count() == 0
    try:
        post_worker_init(None)
        frozen = gc.get_freeze_count()
        # The app, its libraries and this test run are in the tens of thousands of objects; a full
        # collection now walks only what is made from here on.
        assert frozen > 20_000
        assert len(gc.get_objects()) < frozen / 4
        # What comes later is collected as usual: a reference cycle made now is found and freed.
        cycle: list = []
        cycle.append(cycle)
        marker = id(cycle)
        assert any(id(o) == marker for o in gc.get_objects())
        del cycle
        assert gc.collect() >= 1
    finally:
        gc.unfreeze()
    assert gc.get_freeze_count() == 0


SECRET = "0977555666"


def test_gunicorn_logs_no_query_string_in_its_access_or_error_log(app, tmp_path):
    """A real gunicorn on the settings file: what a citizen typed in a search stays out of both logs."""
    from tests.support.servers import GUNICORN, ROOT, free_port

    port = free_port()
    log = tmp_path / "gunicorn.log"
    env = {**os.environ, "REGISTRY_INSTANCE_PATH": app.instance_path, "GUNICORN_WORKERS": "1",
           "GUNICORN_THREADS": "2", "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_LOG_LEVEL": "debug",
           "REQUEST_LOG": "1"}
    for name in ("GUNICORN_ACCESS_LOG", "GUNICORN_ERROR_LOG"):
        env.pop(name, None)
    proc = subprocess.Popen([str(GUNICORN), "-c", str(SETTINGS), "registry:create_app()"], cwd=ROOT, env=env,
                            stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text(errors="replace")[-3000:]
            try:
                urllib.request.urlopen(url + "/healthz", timeout=2).close()
                break
            except OSError:
                time.sleep(0.2)
        for path in (f"/search?q={SECRET}", f"/api/v1/search?q={SECRET}&format=csv",
                     f"/entries?kind=individual&note={SECRET}"):
            request = urllib.request.Request(url + path, headers={"Referer": f"{url}/search?q={SECRET}"})
            urllib.request.urlopen(request, timeout=30).close()
        # A request line gunicorn cannot parse is reported in its error log: without the query either.
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            raw.sendall(f"GET /search?q={SECRET} HTTP/1.1 trailing-junk\r\nHost: x\r\n\r\n".encode())
            raw.recv(4096)
        time.sleep(0.5)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    text = log.read_text(errors="replace")
    assert '"GET /search HTTP/1.1" 200' in text and '"GET /entries HTTP/1.1" 200' in text, text[-3000:]
    assert "Invalid request" in text, text[-3000:]
    assert SECRET not in text, [line for line in text.splitlines() if SECRET in line]


def test_the_logger_cuts_query_strings_whatever_the_format_or_message(monkeypatch, capsys):
    from gunicorn.config import Config

    namespace = settings(monkeypatch)
    config = Config()
    config.set("accesslog", "-")
    config.set("errorlog", "-")
    config.set("access_log_format", '"%(r)s" q=%(q)s ref=%({referer}i)s')
    logger = namespace["logger_class"](config)
    response = SimpleNamespace(status="200 OK", headers=[], sent=10, response_length=10)
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": f"/search?q={SECRET}", "PATH_INFO": "/search",
               "QUERY_STRING": f"q={SECRET}", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1"}
    request = SimpleNamespace(headers=[("REFERER", f"https://registry.example.vn/search?q={SECRET}")])
    logger.access(response, request, environ, timedelta(milliseconds=5))
    try:
        raise ValueError(f"bad value in /search?q={SECRET}")
    except ValueError:
        logger.exception("Error handling request %s %s", "GET", f"/search?q={SECRET}")
    out = capsys.readouterr()
    text = out.out + out.err
    assert '"GET /search HTTP/1.1"' in text and "Error handling request GET /search" in text, text
    assert "ValueError" in text and SECRET not in text, text
