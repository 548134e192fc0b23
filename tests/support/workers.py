"""Code run in separate processes by the concurrency tests (spawned, so each is a fresh interpreter)."""
from __future__ import annotations

import importlib
import os

CONFIG = {"TESTING": True, "WTF_CSRF_ENABLED": True, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
          "SEARCH_SYNC": True, "REQUEST_LOG": False}


def post_in_step(instance: str, database_url: str | None, user_id: int, url: str, data: dict, hold: tuple[str, str], barrier, out) -> None:
    """Sign in as ``user_id``, then POST ``data`` to ``url``; the first call to ``hold`` waits for the other process.

    Both processes pass their checks first and meet at the barrier just before the write, which is the
    moment a lost update or a double vote would slip through.
    """
    os.environ["REGISTRY_INSTANCE_PATH"] = instance
    # The fork server keeps the environment it started with: name this test's database explicitly.
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    from registry import create_app
    from tests.support.clients import csrf, login

    app = create_app(CONFIG)
    client = app.test_client()
    client.set_cookie("lang", "en")
    login(client, user_id)
    token = csrf(client)
    module, name = hold
    target = importlib.import_module(module)
    original = getattr(target, name)

    met = []

    def in_step(*args, **kwargs):
        if not met:  # the first call meets the other process; later calls of the same function run on
            met.append(True)
            barrier.wait(timeout=60)
        return original(*args, **kwargs)

    setattr(target, name, in_step)
    try:
        response = client.post(url, data={**data, "csrf_token": token})
        status = response.status_code
        text = response.get_data(as_text=True)
        if status == 302:
            text = client.get(response.headers["Location"]).get_data(as_text=True)
        out.put((user_id, status, text))
    except BaseException as exc:  # report, so the parent does not wait for nothing
        out.put((user_id, -1, repr(exc)))
        raise
