"""Every route of the app, for every role: the working routes are in tests/workflow/test_permissions.py,
the public, open-data, media, feed, statistics and operations routes here. A new route without an entry in
one of the two tables fails the coverage test."""
from __future__ import annotations

import re
import shutil

import pytest
import sqlalchemy as sa

from registry import create_app
from registry.extensions import db
from registry.showcase.search_index import close_indexes
from tests import databases
from tests.workflow.conftest import client_for, csrf
from tests.workflow.test_permissions import CONFIG, ROUTES, golden  # noqa: F401  (golden: the shared world)

ROLES = ["anonymous", "other_officer", "member1", "secretary", "admin"]
OK = {role: 200 for role in ROLES}
MOVED = {role: 301 for role in ROLES}
FOUND = {role: 302 for role in ROLES}
GONE = {role: 404 for role in ROLES}
ADMIN_ONLY = {"anonymous": 302, "other_officer": 403, "member1": 403, "secretary": 403, "admin": 200}
# Signing in again while signed in sends you to your desk; a wrong password re-renders the form.
LOGIN_POST = {"anonymous": 200, "other_officer": 302, "member1": 302, "secretary": 302, "admin": 302}

# (method, url template, expected status by role). Placeholders are filled from the golden world.
PUBLIC_ROUTES = [
    ("GET", "/", OK),
    ("GET", "/entries", OK),
    ("GET", "/entries?kind=individual&year=2025&sort=name", OK),
    ("GET", "/entries/{entry}", MOVED),
    ("GET", "/entries/{entry}/{entry_slug}", OK),
    ("GET", "/entries/{entry}/wrong-slug", MOVED),
    ("GET", "/entries/{draft_entry}/{draft_slug}", GONE),
    ("GET", "/units", OK),
    ("GET", "/units/{unit}", MOVED),
    ("GET", "/units/{unit}/{unit_slug}", OK),
    ("GET", "/topics", OK),
    ("GET", "/topics/{topic}", OK),
    ("GET", "/search?q=h%C3%B9ng", OK),
    ("GET", "/consultation/{passed}", GONE),
    ("POST", "/consultation/{passed}", GONE),
    ("POST", "/account/login", LOGIN_POST),
    ("GET", "/media/photos/{photo_sha}/thumb.webp", OK),
    ("GET", "/media/photos/{photo_sha}/poster.webp", GONE),
    ("GET", "/media/photos/{document_sha}/original.webp", GONE),  # a dossier's picture is no public photo
    ("GET", "/media/photos/{document_sha}/thumb.webp", GONE),
    ("GET", "/static/css/site.css", OK),
    ("GET", "/api/v1/", FOUND),  # to the API's documentation
    ("GET", "/api/v1/docs", OK),
    ("GET", "/api/v1/openapi.json", OK),
    ("GET", "/api/v1/entries", OK),
    ("GET", "/api/v1/entries?format=csv", OK),
    ("GET", "/api/v1/entries?format=jsonl", OK),
    ("GET", "/api/v1/entries/{entry}", OK),
    ("GET", "/api/v1/entries/{draft_entry}", GONE),
    ("GET", "/api/v1/units", OK),
    ("GET", "/api/v1/units/{unit}", OK),
    ("GET", "/api/v1/topics", OK),
    ("GET", "/api/v1/award-titles", OK),
    ("GET", "/api/v1/awards", OK),
    ("GET", "/api/v1/search?q=hung", OK),
    ("GET", "/api/v1/search?q=hung&format=csv", OK),
    ("GET", "/api/v1/suggest?q=ph", OK),
    ("GET", "/feeds/entries.atom", OK),
    ("GET", "/feeds/awards.atom", OK),
    ("GET", "/feeds/search.atom?q=hung", OK),
    ("GET", "/feeds/units/{unit}.atom", OK),
    ("GET", "/feeds/topics/{topic}.atom", OK),
    ("GET", "/statistics", OK),
    ("GET", "/statistics/by-unit.csv", OK),
    ("GET", "/statistics/no-such-table.csv", GONE),
    ("GET", "/statistics/report", OK),
    ("GET", "/statistics/report.csv", OK),
    ("GET", "/sitemap.xml", OK),
    ("GET", "/sitemap-1.xml", GONE),  # one sitemap is enough for a small registry
    ("GET", "/robots.txt", OK),
    ("GET", "/healthz", OK),
    ("GET", "/readyz", OK),
    ("GET", "/admin/sign-ins", ADMIN_ONLY),
]


def public_ids(app, ids: dict) -> dict:
    from registry.catalog.models import Topic
    from registry.entries.models import Entry
    from registry.workflow.models import Nomination

    with app.app_context():
        published = db.session.get(Nomination, ids["published"]).entry
        draft = db.session.get(Nomination, ids["draft"]).entry
        topic = db.session.scalar(sa.select(Topic).order_by(Topic.id))
        return {**ids, "entry": published.id, "entry_slug": published.slug, "draft_entry": draft.id,
                "draft_slug": draft.slug, "unit": published.unit_id, "unit_slug": published.unit.slug,
                "topic": topic.slug, "photo_sha": draft.photos[0].sha256,
                "entries_count": db.session.scalar(sa.select(sa.func.count(Entry.id)))}


@pytest.fixture
def world_app(golden, tmp_path, monkeypatch, request):
    source, world, ids, url = golden
    shutil.copytree(source, tmp_path / "instance")
    monkeypatch.setenv("REGISTRY_INSTANCE_PATH", str(tmp_path / "instance"))
    if url is not None:
        copy = databases.clone_database(url)
        request.addfinalizer(lambda: databases.drop_database(copy))
        monkeypatch.setenv("DATABASE_URL", copy)
    app = create_app(CONFIG)
    yield app, world, public_ids(app, ids)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    close_indexes()


def test_public_routes_answer_every_role_as_they_should(world_app):
    app, world, ids = world_app
    app.config["COMMENT_RATE_LIMIT"] = "1000 per minute"
    app.config["EXPORT_RATE_LIMIT"] = "1000 per minute"  # every role downloads from the same address
    clients = {role: client_for(app, world, None if role == "anonymous" else role) for role in ROLES}
    wrong = []
    for method, template, expected in PUBLIC_ROUTES:
        url = template.format(**ids)
        for role, client in clients.items():
            if method == "GET":
                response = client.get(url)
            else:
                response = client.post(url, data={"csrf_token": csrf(client), "email": "x@example.org",
                                                   "password": "wrong password here", "body": "Ý kiến"})
            if response.status_code != expected[role]:
                wrong.append((method, url, role, response.status_code, expected[role]))
    assert not wrong, wrong


def _rule_pattern(rule: str) -> re.Pattern:
    """A regular expression matching the paths of a Werkzeug rule."""
    parts, last = [], 0
    for match in re.finditer(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", rule):
        parts.append(re.escape(rule[last:match.start()]))
        parts.append(".+" if match.group(1) == "path" else "[^/]+")
        last = match.end()
    parts.append(re.escape(rule[last:]))
    return re.compile("^" + "".join(parts) + "$")


def test_every_route_of_the_app_is_in_a_table(app):
    # Table entries are templates: any value stands for a placeholder.
    entries = {(m, re.sub(r"\{[a-z_]+\}", "1", t.split("?", 1)[0])) for m, t, _ in [*ROUTES, *PUBLIC_ROUTES]}
    missing = []
    for rule in app.url_map.iter_rules():
        pattern = _rule_pattern(rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if not any(m == method and pattern.match(path) for m, path in entries):
                missing.append((method, rule.rule))
    assert not missing, f"routes without an entry in a permission table: {sorted(missing)}"
    assert not any(_rule_pattern("/made-up/<int:x>").match(path) for _, path in entries)  # the check can fail


def test_every_post_route_refuses_a_request_without_a_csrf_token(world_app):
    app, world, ids = world_app
    from registry.workflow.models import Nomination

    with app.app_context():
        draft_version = db.session.get(Nomination, ids["draft"]).version
    urls = {template.format(**ids) for method, template, _ in [*ROUTES, *PUBLIC_ROUTES] if method == "POST"}
    post_rules = [_rule_pattern(r.rule) for r in app.url_map.iter_rules() if "POST" in r.methods]
    assert all(any(p.match(u.split("?")[0]) for u in urls) for p in post_rules)
    for who in ("anonymous", "admin", "officer"):
        client = client_for(app, world, None if who == "anonymous" else who)
        for url in sorted(urls):
            response = client.post(url, data={"report": "forged", "title": "forged", "choice": "agree"})
            if url == f"/nominations/{ids['draft']}/edit":
                # The dossier saves nothing and hands what was typed back: to a visitor who is not signed in
                # with "nothing was saved" (401), to its editor with the form to send again (400).
                assert response.status_code == (401 if who == "anonymous" else 400), (who, url)
            else:
                assert response.status_code == 400, (who, url, response.status_code)
    with app.app_context():
        assert db.session.get(Nomination, ids["draft"]).version == draft_version
