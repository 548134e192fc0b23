"""A process killed between the database commit and the index update loses nothing: the outbox catches up."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa

from registry.entries.models import Entry
from registry.extensions import db
from registry.showcase.models import IndexOutbox
from registry.showcase.search_index import close_indexes, index_check
from tests.support.files import write_jsonl
from tests.support.records import record

ROOT = Path(__file__).resolve().parents[2]
# About the Whoosh index and its outbox; with PostgreSQL search the rows commit with the data.
pytestmark = pytest.mark.whoosh

# The child commits a change, then dies at the very moment the index would be updated.
CHILD = textwrap.dedent("""
    import os, sys
    import sqlalchemy as sa
    import registry.showcase.search_index
    from registry import create_app
    from registry.extensions import db
    from registry.entries.models import Entry

    def die(*args, **kwargs):
        os._exit(1)

    registry.showcase.search_index.apply_pending = die
    app = create_app({"TESTING": True, "SEARCH_SYNC": True})
    with app.app_context():
        entry = db.session.scalar(sa.select(Entry).where(Entry.ref == sys.argv[1]))
        entry.title = sys.argv[2]
        db.session.commit()
    os._exit(0)  # not reached: the commit hook dies first
""")


@pytest.fixture
def indexed(app, tmp_path):
    from registry.entries.records import records_import

    with app.app_context():
        records_import(write_jsonl(tmp_path / "in.jsonl", [record("one"), record("two", title="Cây ATM gạo")]))
        db.session.commit()
        assert index_check() == ([], [], [])
        db.session.remove()
        db.engine.dispose()
    close_indexes()
    return app


def crash_after_commit(app, ref: str, title: str) -> None:
    env = {**os.environ, "REGISTRY_INSTANCE_PATH": app.instance_path, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", CHILD, ref, title], env=env, cwd=ROOT, capture_output=True,
                            timeout=60)
    assert result.returncode == 1, result.stderr.decode()


def test_reindex_pending_brings_the_index_in_step_after_a_crash(indexed):
    crash_after_commit(indexed, "one", "Bếp ăn yêu thương")
    with indexed.app_context():
        entry_id = db.session.scalar(sa.select(Entry.id).where(Entry.ref == "one"))
        assert db.session.get(Entry, entry_id).title == "Bếp ăn yêu thương"  # the commit survived
        assert db.session.scalar(sa.select(sa.func.count(IndexOutbox.id))) >= 1  # and so did the outbox
        assert index_check()[1] == [entry_id]  # the index is stale until someone catches up
    runner = indexed.test_cli_runner()
    check = runner.invoke(args=["search-check"])
    assert check.exit_code != 0 and f"1 ({entry_id})" in check.output
    assert runner.invoke(args=["reindex", "--pending"]).exit_code == 0
    check = runner.invoke(args=["search-check"])
    assert check.exit_code == 0, check.output
    found = indexed.test_client().get("/api/v1/search?q=bep+an+yeu+thuong").get_json()
    assert found["results"][0]["title"] == "Bếp ăn yêu thương"


def test_the_next_write_brings_the_index_in_step_after_a_crash(indexed):
    crash_after_commit(indexed, "one", "Bếp ăn yêu thương")
    with indexed.app_context():
        other = db.session.scalar(sa.select(Entry).where(Entry.ref == "two"))
        other.summary = "Một dòng mới."
        db.session.commit()
        assert index_check() == ([], [], [])
        assert db.session.scalar(sa.select(sa.func.count(IndexOutbox.id))) == 0
