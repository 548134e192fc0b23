"""Test clients as people use the site: signed in through the form, posting with a real CSRF token."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from registry.extensions import db

if TYPE_CHECKING:
    from tests.support.world import World

PASSWORD = "correct horse battery"


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def login(client, user_id: int) -> None:
    """Sign a test client in through the sign-in form."""
    from registry.accounts.models import User

    with client.application.app_context():
        email = db.session.get(User, user_id).email
    client.set_cookie("lang", "en")
    token = csrf(client, "/account/login")
    response = client.post("/account/login", data={"csrf_token": token, "email": email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)


def client_for(app, world: World | None, who: str | None):
    """A test client signed in as ``who`` (None: a citizen), reading English pages."""
    client = app.test_client()
    client.set_cookie("lang", "en")
    if who:
        login(client, world.users[who])
    return client


def csrf(client, url: str | None = None) -> str:
    """Read the CSRF token from a form page, as a browser would (the sign-out button carries one)."""
    for page in ([url] if url else ["/", "/account/login"]):
        html = client.get(page).get_data(as_text=True)
        if match := CSRF_RE.search(html):
            return match.group(1)
    raise AssertionError(f"no CSRF token on {url or 'the home or sign-in page'}")


def post(client, url: str, data: dict | None = None, *, token_from: str | None = None, **kwargs):
    """POST a form with a real CSRF token."""
    data = dict(data or {})
    data["csrf_token"] = csrf(client, token_from)
    return client.post(url, data=data, **kwargs)


@dataclass(frozen=True)
class Session:
    """A browser's state after signing in (or, for a visitor, after opening a form): its cookies and the CSRF token
    its forms carry. Kept in the golden world before it is copied, each copy's server knows the session."""
    cookies: tuple[tuple[str, str, str, bool, str], ...]
    token: str


def session_of(client) -> Session:
    """The cookies and CSRF token of a test client, to be handed to a new client later."""
    token = csrf(client)  # first: a visitor's session cookie gets its token on the way
    cookies = tuple((c.decoded_key, c.decoded_value, c.domain, c.origin_only, c.path) for c in client._cookies.values())
    return Session(cookies, token)


def client_in(app, session: Session):
    """A new test client carrying ``session``: signed in as it was, without going through the sign-in form again."""
    client = app.test_client()
    for key, value, domain, origin_only, path in session.cookies:
        client.set_cookie(key, value, domain=domain, origin_only=origin_only, path=path)
    return client
