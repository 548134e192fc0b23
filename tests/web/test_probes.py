"""Liveness and readiness probes."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from registry.showcase.search_index import close_indexes


def test_healthz_is_plain_ok_without_the_database(app, client, monkeypatch):
    from registry.extensions import db

    def no_database(*_a, **_k):
        raise AssertionError("liveness must not touch the database")

    monkeypatch.setattr(db.session, "execute", no_database)
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_data(as_text=True).strip() == "ok"


def test_readyz_reports_database_and_index(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ready" and body["checks"]["database"]["ok"] and body["checks"]["search_index"]["ok"]


@pytest.mark.whoosh
def test_readyz_is_503_with_details_when_the_index_is_broken(app, client):
    close_indexes()
    index_dir = Path(app.config["SEARCH_INDEX_DIR"])
    shutil.rmtree(index_dir, ignore_errors=True)
    index_dir.write_text("not a directory")
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"]["ok"] and not body["checks"]["search_index"]["ok"]
    assert client.get("/healthz").status_code == 200


def test_readyz_is_503_when_the_database_is_unreachable(app, client, monkeypatch):
    from registry.web.probes import views as health

    def broken():
        raise RuntimeError("connection refused")

    monkeypatch.setattr(health, "_check_database", broken)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["database"] == {"ok": False, "error": "RuntimeError"}
