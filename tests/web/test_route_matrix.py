"""Every route of the app, for every role: the working routes are in tests/workflow/test_permissions.py,
the public, open-data, media, feed, statistics and operations routes here. A new route without an entry in
one of the two tables fails the coverage test."""
from __future__ import annotations

import re

from registry.extensions import db
from tests.support.clients import client_for, client_in, csrf
from tests.support.routes import EDITOR_PAGES, EDITOR_ROUTES, PUBLIC_ROLES, PUBLIC_ROUTES, ROUTES


def test_public_routes_answer_every_role_as_they_should(golden_sessions, world_app):
    app, world, ids = world_app
    app.config["COMMENT_RATE_LIMIT"] = "1000 per minute"
    app.config["EXPORT_RATE_LIMIT"] = "1000 per minute"  # every role downloads from the same address
    clients = {role: client_in(app, golden_sessions[role]) for role in PUBLIC_ROLES}
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
    tables = [*ROUTES, *PUBLIC_ROUTES, *EDITOR_PAGES, *[(m, t, None) for m, t in EDITOR_ROUTES]]
    entries = {(m, re.sub(r"\{[a-z_]+\}", "1", t.split("?", 1)[0])) for m, t, _ in tables}
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
    urls = {template.format(**ids) for method, template, _ in [*ROUTES, *PUBLIC_ROUTES, *EDITOR_PAGES] if method == "POST"}
    # Without a token the answer is 400 before any id is looked at: made-up ids do for the editor's own.
    urls |= {template.format(**{"consent": 1, "revision": 1, "replication": 1, **ids})
             for method, template in EDITOR_ROUTES if method == "POST"}
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
