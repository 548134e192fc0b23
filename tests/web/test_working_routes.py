"""The permission matrix: every working route, for every role; the server answers 403 (or sends to sign-in)."""
from __future__ import annotations

import pytest

from tests.support.clients import client_for, csrf
from tests.support.routes import ROLES, ROUTES


@pytest.mark.parametrize("method, template, allowed", ROUTES, ids=[f"{m} {t}" for m, t, _ in ROUTES])
def test_route_answers_each_role_as_it_should(world_app, method, template, allowed):
    app, world, ids = world_app
    url = template.format(**ids)
    # Refused roles first: a refused request must change nothing for the roles allowed after it.
    for role in sorted(ROLES, key=lambda r: (r in allowed, r)):
        client = client_for(app, world, None if role == "anonymous" else role)
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={"csrf_token": csrf(client)})
        code = response.status_code
        if role in allowed:
            assert code not in (401, 403, 404, 405, 500), (role, method, url, code)
            if role == "anonymous" or template.startswith(("/account/logout",)):
                continue
            assert not (code == 302 and "/account/login" in response.headers.get("Location", "")), (role, url)
        elif role == "anonymous" and template.endswith("/edit") and method == "POST":
            # Typing sent without a session is not kept: a page says so and links to the sign-in.
            assert code == 401 and "/account/login" in response.get_data(as_text=True), (role, url, code)
        elif role == "anonymous":
            assert code == 302 and "/account/login" in response.headers["Location"], (role, method, url, code)
        else:
            assert code == 403, (role, method, url, code)


def test_the_matrix_covers_every_working_route(app):
    working = ("auth.", "desk.", "nominations.", "council.", "admin.", "consultation.")
    rules = {(m, r.rule) for r in app.url_map.iter_rules() if r.endpoint.startswith(working)
             for m in r.methods - {"HEAD", "OPTIONS"}}
    import re
    covered = {(m, re.sub(r"/do/[a-z_]+", "/do/X", re.sub(r"\{[a-z_]+\}", "X", t))) for m, t, _ in ROUTES}
    normal = {(m, re.sub(r"<[^>]+>", "X", rule)) for m, rule in rules}
    public_consultation = {("GET", "/consultation/X"), ("POST", "/consultation/X")}  # tested in their own file
    missing = normal - covered - public_consultation - {("POST", "/account/login")}
    assert not missing, sorted(missing)


def test_posts_without_a_csrf_token_are_refused(world_app):
    app, world, ids = world_app
    secretary = client_for(app, world, "secretary")
    assert secretary.post(f"/council/nominations/{ids['submitted']}/do/accept").status_code == 400
    assert secretary.post(f"/council/nominations/{ids['in_vote']}/do/close_vote").status_code == 400
