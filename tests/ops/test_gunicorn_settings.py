"""The sample gunicorn settings (deploy/gunicorn.conf.py) as gunicorn reads them, and their worker hook."""
from __future__ import annotations

import gc
import runpy
from pathlib import Path

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
