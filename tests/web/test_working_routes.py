"""The permission matrix: every working route, for every role; the server answers 403 (or sends to sign-in)."""
from __future__ import annotations

import pytest

from tests.support.clients import client_for, client_in
from tests.support.routes import ROLES, ROUTES

GET_ROUTES = [route for route in ROUTES if route[0] == "GET"]
POST_ROUTES = [route for route in ROUTES if route[0] == "POST"]


def _wrong_answers(app, sessions, ids, method, template, allowed) -> list[str]:
    """Ask one route as every role, each with a browser of its own; what each role got that it should not have."""
    url = template.format(**ids)
    wrong = []
    # Refused roles first: a refused request must change nothing for the roles allowed after it.
    for role in sorted(ROLES, key=lambda r: (r in allowed, r)):
        client = client_in(app, sessions[role])
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={"csrf_token": sessions[role].token})
        code, location = response.status_code, response.headers.get("Location", "")
        if role in allowed:
            if code in (401, 403, 404, 405, 500):
                wrong.append(f"{role}: {method} {url} answered {code}, but the role may use it")
            elif role != "anonymous" and not template.startswith("/account/logout") \
                    and code == 302 and "/account/login" in location:
                wrong.append(f"{role}: {method} {url} sent a signed-in user to sign in")
        elif role == "anonymous" and template.endswith("/edit") and method == "POST":
            # Typing sent without a session is not kept: a page says so and links to the sign-in.
            if not (code == 401 and "/account/login" in response.get_data(as_text=True)):
                wrong.append(f"{role}: {method} {url} answered {code}, not 401 with a link to sign in")
        elif role == "anonymous":
            if not (code == 302 and "/account/login" in location):
                wrong.append(f"{role}: {method} {url} answered {code} {location}, not a redirect to sign in")
        elif code != 403:
            wrong.append(f"{role}: {method} {url} answered {code}, not 403")
    return wrong


def test_every_page_answers_each_role_as_it_should(golden_sessions, world_app):
    # Reading a page changes nothing another page's answer depends on: every GET route is asked in one world.
    app, _world, ids = world_app
    wrong = [line for method, template, allowed in GET_ROUTES
             for line in _wrong_answers(app, golden_sessions, ids, method, template, allowed)]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("method, template, allowed", POST_ROUTES, ids=[f"{m} {t}" for m, t, _ in POST_ROUTES])
def test_route_answers_each_role_as_it_should(golden_sessions, world_app, method, template, allowed):
    # A POST acts: each gets a world of its own.
    app, _world, ids = world_app
    wrong = _wrong_answers(app, golden_sessions, ids, method, template, allowed)
    assert not wrong, "\n".join(wrong)


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
