"""Anonymous POSTs with large bodies, sent to every POST route of the app with existing and made-up ids:
the database and the instance folder stay exactly as they were."""
from __future__ import annotations

import hashlib
import io
import itertools
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_wtf import FlaskForm
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart
from wtforms.fields import FileField, MultipleFileField
from wtforms.fields.core import UnboundField
from wtforms.validators import Length

from registry.accounts.models import User
from registry.catalog.models import AwardTitle, Unit
from registry.entries.models import Award, Entry, Photo, PhotoConsent, Replication
from registry.extensions import db
from registry.web.entries.views import PHOTO_ACTIONS
from registry.workflow.actions import ACTIONS
from registry.workflow.models import Attachment, Council, CouncilSession, Decision, Holiday, Nomination, Round
from tests.support import databases
from tests.support.clients import CSRF_RE

# What fills each path parameter: the table its ids come from, or the words it may be.
ARGUMENT_TABLES = {
    "nomination_id": Nomination, "attachment_id": Attachment, "photo_id": Photo, "round_id": Round,
    "council_id": Council, "session_id": CouncilSession, "holiday_id": Holiday, "title_id": AwardTitle,
    "unit_id": Unit, "user_id": User, "decision_id": Decision, "entry_id": Entry, "award_id": Award,
    "replication_id": Replication, "consent_id": PhotoConsent,
}
# Revision numbers count from 1 within each entry.
ARGUMENT_NUMBERS = {"number": [1, 2, 1000]}
ARGUMENT_WORDS = {"action": (*ACTIONS, *PHOTO_ACTIONS, "no_such_action"), **ARGUMENT_NUMBERS}
# Each text field gets more than any form lets it hold (and at least this), each file this much.
LARGE_TEXT = 16 * 1024
LARGE_FILE = 512 * 1024
# On PostgreSQL autovacuum may add a visibility map or two meanwhile; the bodies sent are far larger.
POSTGRES_SLACK = 1024 * 1024


def _forms(cls=FlaskForm):
    for sub in cls.__subclasses__():
        yield sub
        yield from _forms(sub)


def form_fields() -> tuple[dict[str, int], list[str]]:
    """Every text field of the app's forms with a length none of them accepts, and every file field."""
    text, files = {}, set()
    for form in _forms():
        for name in dir(form):
            unbound = getattr(form, name, None)
            if not isinstance(unbound, UnboundField) or name == "csrf_token":
                continue
            if issubclass(unbound.field_class, (FileField, MultipleFileField)):
                files.add(name)
                continue
            longest = max((v.max for v in unbound.kwargs.get("validators") or () if isinstance(v, Length)),
                          default=0)
            text[name] = max(text.get(name, LARGE_TEXT), longest + 1)
    return text, sorted(files)


def post_urls(app) -> list[str]:
    """Every POST route, its parameters filled with up to three existing ids (or words) and a made-up one."""
    values = {}
    with app.app_context():
        for name, model in ARGUMENT_TABLES.items():
            ids = db.session.scalars(sa.select(model.id).order_by(model.id)).all()
            values[name] = [*ids[:2], *ids[-1:], (max(ids, default=0) + 1000)]
    values.update(ARGUMENT_WORDS)
    urls = set()
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods:
            continue
        arguments = sorted(rule.arguments)
        unknown = [a for a in arguments if a not in values]
        assert not unknown, f"{rule.rule}: say in ARGUMENT_TABLES or ARGUMENT_WORDS what fills {unknown}"
        for combination in itertools.product(*(values[a] for a in arguments)):
            with app.test_request_context():
                from flask import url_for

                try:
                    urls.add(url_for(rule.endpoint, **dict(zip(arguments, combination))))
                except ValueError:  # a word the rule's converter does not take (another table's action)
                    continue
    return sorted(urls)


def table_fingerprints() -> dict[str, tuple[int, str]]:
    """Each table's row count and a hash of its rows, the search engine's own tables included."""
    prints = {}
    with db.engine.connect() as connection:
        for table in sorted(sa.inspect(connection).get_table_names()):
            rows = connection.execute(sa.text(f'SELECT * FROM "{table}"')).all()
            digest = hashlib.sha256("\n".join(sorted(repr(tuple(r)) for r in rows)).encode())
            prints[table] = (len(rows), digest.hexdigest())
    return prints


def database_size() -> int:
    """Bytes the database takes: its files on SQLite, pg_database_size on PostgreSQL."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as connection:
            return connection.execute(sa.text("SELECT pg_database_size(current_database())")).scalar_one()
    path = Path(db.engine.url.database)
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def instance_files(app) -> dict[str, int]:
    """Every file of the instance folder but the SQLite database's own, with its size."""
    root = Path(app.instance_path)
    return {str(p.relative_to(root)): p.stat().st_size for p in root.rglob("*")
            if p.is_file() and ".sqlite3" not in p.name}


def state(app) -> tuple[dict, int, dict]:
    with app.app_context():
        return table_fingerprints(), database_size(), instance_files(app)


def bodies(text_fields: dict[str, int], file_fields: list[str]) -> list[tuple[str, Callable[[str | None], dict]]]:
    """Large bodies as a script would send them, each a function of the CSRF token (or None): a multipart form
    filling every field of every form with too much (files included), and one oversized urlencoded field.

    The multipart body is encoded once (megabytes of files); a token goes in front of it as its own part."""
    boundary, payload = encode_multipart(
        {**{name: "Đ" + "x" * size for name, size in text_fields.items()},
         **{name: FileStorage(io.BytesIO(b"%PDF-1.4\n" + b"\0" * LARGE_FILE), "big.pdf", content_type="application/pdf")
            for name in file_fields}})

    def multipart(token: str | None) -> dict:
        head = (f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}'.encode()
                if token else b"")
        return {"data": head + payload, "content_type": f"multipart/form-data; boundary={boundary}"}

    def urlencoded(token: str | None) -> dict:
        return {"data": {"story": "x" * (1024 * 1024), **({"csrf_token": token} if token else {})}}

    return [("multipart", multipart), ("urlencoded", urlencoded)]


@pytest.fixture
def golden_app(world_app):  # noqa: F811
    """A copy of the shared world, with a nomination in public consultation (anonymous comments are taken)."""
    app, world, ids = world_app
    app.config.update(COMMENT_RATE_LIMIT="10000 per minute", LOGIN_RATE_LIMIT="10000 per minute",
                      LOGIN_ACCOUNT_RATE_LIMIT="10000 per minute")
    with app.test_request_context("/?lang=en"):
        from registry.workflow import consultation

        passed = db.session.get(Nomination, ids["passed"])
        passed.round.consultation_days = 5
        consultation.consultation_open(passed, actor=db.session.get(User, world.users["secretary"]),
                                       today=date.today())
        db.session.commit()
    return app


def test_anonymous_posts_with_large_bodies_leave_the_database_and_the_instance_folder_as_they_were(golden_app):
    app = golden_app
    text_fields, file_fields = form_fields()
    assert {"story", "report", "body", "email", "file", "photo", "scan"} <= set(text_fields) | set(file_fields)
    urls = post_urls(app)
    assert "/nominations/999999/edit" not in urls and any(u.endswith("/edit") for u in urls)
    app.test_client().get("/")  # opens the database (SQLite makes its -wal and -shm files then)
    before_tables, before_size, before_files = state(app)
    grew = []
    shapes = bodies(text_fields, file_fields)
    for url in urls:
        for with_token in (False, True):
            for shape, body in shapes:
                client = app.test_client()  # a visitor with no session, or one who only fetched a form
                token = (CSRF_RE.search(client.get("/account/login").get_data(as_text=True)).group(1)
                         if with_token else None)
                response = client.post(url, headers={"Origin": "http://localhost"}, **body(token))
                assert response.status_code < 500, (url, shape, with_token, response.status_code)
        tables, size, files = state(app)
        changed = [t for t in tables if tables[t] != before_tables.get(t)]
        slack = POSTGRES_SLACK if databases.on_postgres() else 0
        if changed or size > before_size + slack or files != before_files:
            grew.append((url, changed, size - before_size, set(files.items()) ^ set(before_files.items())))
            before_tables, before_size, before_files = tables, size, files
    assert not grew, grew
