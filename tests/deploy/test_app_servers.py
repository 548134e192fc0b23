"""Two gunicorn servers of two workers each, as behind a load balancer: one user's requests land on either.

On PostgreSQL the servers share the database and nothing else but the photo and document folders (each has
its own instance folder, as on two machines); on SQLite they share one instance folder, as on one machine.
Either way a session, a change, a photo, a vote and a search made through one server hold on the other.
"""
from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from registry.extensions import db
from registry.workflow.models import Ballot, Nomination, NominationState
from tests.support.apps import app_release
from tests.support.clients import CSRF_RE, PASSWORD
from tests.support.databases import on_postgres
from tests.support.files import jpeg_bytes
from tests.support.servers import GUNICORN, ROOT, free_port


class Server:
    """gunicorn on loopback with the sample production settings (deploy/gunicorn.conf.py), two workers of
    two threads, in its own process group."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        settings = {"GUNICORN_WORKERS": "2", "GUNICORN_THREADS": "2", "GUNICORN_BIND": f"127.0.0.1:{self.port}",
                    "GUNICORN_LOG_LEVEL": "warning"}
        self.proc = subprocess.Popen(
            [str(GUNICORN), "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "--graceful-timeout", "5",
             "registry:create_app()"],
            cwd=ROOT, env={**env, **settings}, stdout=log.open("ab"), stderr=subprocess.STDOUT,
            start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, log.read_text(errors="replace")[-3000:]
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"gunicorn did not answer on {self.url}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


class Browser:
    """One person's cookies, sent to whichever server a request goes to (cookies ignore the port)."""

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.opener.addheaders = [("Accept-Language", "en"), ("User-Agent", "registry-tests")]

    def open(self, url: str, data: bytes | None = None, headers: dict | None = None) -> tuple[int, str]:
        request = urllib.request.Request(url, data=data, headers=headers or {})
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8", "replace")

    def get(self, url: str) -> tuple[int, str]:
        return self.open(url)

    def token(self, url: str) -> str:
        status, html = self.get(url)
        assert status == 200, (url, status)
        match = CSRF_RE.search(html)
        assert match, f"no CSRF token on {url}"
        return match.group(1)

    def post(self, url: str, fields: dict[str, str], token: str | None = None) -> tuple[int, str]:
        data = urllib.parse.urlencode({**fields, "csrf_token": token or self.token(url)}).encode()
        return self.open(url, data, {"Content-Type": "application/x-www-form-urlencoded"})

    def post_file(self, url: str, fields: dict[str, str], name: str, filename: str, content: bytes,
                  token: str) -> tuple[int, str]:
        boundary = uuid.uuid4().hex
        parts = []
        for key, value in {**fields, "csrf_token": token}.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode())
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     f"Content-Type: image/jpeg\r\n\r\n".encode() + content + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        return self.open(url, b"".join(parts), {"Content-Type": f"multipart/form-data; boundary={boundary}"})

    def sign_in(self, server: Server, email: str) -> None:
        self.get(f"{server.url}/account/login?lang=en")  # the language is remembered in a cookie
        status, html = self.post(f"{server.url}/account/login", {"email": email, "password": PASSWORD})
        assert status == 200 and "Sign out" in html, html[:2000]


def at_once(*calls):
    """Run the calls in threads started together; return their results in order."""
    results: list = [None] * len(calls)
    start = threading.Barrier(len(calls))

    def run(i, call):
        start.wait()
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results


@pytest.fixture
def servers(app, world, tmp_path):
    """Server A and server B over the test's database; the test's own app stays usable for checks."""
    app_release(app)
    shared = tmp_path / "shared"
    env = {**os.environ, "SECRET_KEY": "one key for every server " + uuid.uuid4().hex,
           "PHOTO_DIR": str(shared / "photos"), "ATTACHMENT_DIR": str(shared / "attachments"),
           "PYTHONPATH": str(ROOT)}
    if on_postgres():
        env["DATABASE_URL"] = app.config["SQLALCHEMY_DATABASE_URI"]
        instances = [tmp_path / "server-a", tmp_path / "server-b"]
    else:
        env.pop("DATABASE_URL", None)
        instances = [Path(app.instance_path)] * 2
    pair = []
    try:
        for name, instance in zip("ab", instances):
            pair.append(Server({**env, "REGISTRY_INSTANCE_PATH": str(instance)}, tmp_path / f"gunicorn-{name}.log"))
        yield pair
    finally:
        for server in pair:
            server.stop()
    for server in pair:
        log = server.log.read_text(errors="replace")
        assert "Traceback" not in log, log[-5000:]


def email(app, world, who: str) -> str:
    from registry.accounts.models import User

    with app.app_context():
        return db.session.get(User, world.users[who]).email


def test_two_servers_share_sessions_edits_photos_votes_and_search(app, world, servers):
    a, b = servers
    from registry.catalog.models import Unit
    from registry.entries.models import EntryKind
    from registry.workflow.dossiers import nomination_create
    from registry.workflow.models import Round
    from tests.support.world import nomination_in_vote, users

    with app.test_request_context("/?lang=en"):
        officer, = users(world, "officer")
        draft = nomination_create(round_=db.session.get(Round, world.round), unit=db.session.get(Unit, world.group),
                                  actor=officer, kind=EntryKind.INDIVIDUAL, title="Trần Thị Hạnh")
        voting = nomination_in_vote(world, title="Đỗ Minh Khôi")
        db.session.commit()
        draft_id, version, voting_id = draft.id, draft.version, voting.id
    app_release(app)

    # Signed in through A, recognised by B: one secret key, sessions in signed cookies.
    officer = Browser()
    officer.sign_in(a, email(app, world, "officer"))
    status, desk = officer.get(f"{b.url}/desk/")
    assert status == 200 and "Sign out" in desk

    # The same dossier saved through both servers at once: one save holds, the other is told.
    edit = f"/nominations/{draft_id}/edit"
    tokens = officer.token(a.url + edit), officer.token(b.url + edit)
    base = {"version": str(version), "kind": "individual", "title": "Trần Thị Hạnh", "save": "1",
            "letter_date": date.today().isoformat()}
    results = at_once(lambda: officer.post(a.url + edit, {**base, "report": "Bản của máy A."}, tokens[0]),
                      lambda: officer.post(b.url + edit, {**base, "report": "Bản của máy B."}, tokens[1]))
    statuses = sorted(status for status, _ in results)
    assert statuses == [200, 409], statuses
    assert any("Someone else changed this dossier" in html for status, html in results if status == 409)

    # A photo uploaded through A is served by B.
    status, html = officer.post_file(f"{a.url}/nominations/{draft_id}/photos", {"alt": "Chị Hạnh ở tổ dân phố"},
                                     "photo", "hanh.jpg", jpeg_bytes(), officer.token(a.url + edit))
    assert status == 200 and "The photo is added." in html
    status, html = officer.get(b.url + edit)
    image = re.search(r'<img[^>]+src="(/media/photos/[^"]+)"', html)
    assert image, "the photo is on the form B shows"
    with urllib.request.urlopen(b.url + image.group(1), timeout=30) as response:
        assert response.status == 200 and response.headers["Content-Type"] == "image/webp"

    # One member voting from two devices, through both servers at once, is counted once.
    phone, laptop = Browser(), Browser()
    phone.sign_in(a, email(app, world, "member1"))
    laptop.sign_in(b, email(app, world, "member1"))
    vote = f"/council/nominations/{voting_id}/vote"
    tokens = phone.token(f"{a.url}/nominations/{voting_id}"), laptop.token(f"{b.url}/nominations/{voting_id}")
    results = at_once(lambda: phone.post(a.url + vote, {"choice": "agree"}, tokens[0]),
                      lambda: laptop.post(b.url + vote, {"choice": "disagree"}, tokens[1]))
    assert [status for status, _ in results if status >= 500] == []
    assert sum("Your vote is recorded." in html for _, html in results) == 1
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Ballot.id)).where(Ballot.nomination_id == voting_id)) == 1

    # B has counted the showcase; an award published through A shows on B at once, and B's search finds it.
    citizen = Browser()
    _, before = citizen.get(f"{b.url}/entries")
    _, found = citizen.get(f"{b.url}/search?q=do+minh+khoi")
    assert "Minh Khôi" not in before and "Minh</mark> <mark>Khôi" not in found
    for who in ("chair", "member2"):
        voter = Browser()
        voter.sign_in(a, email(app, world, who))
        status, html = voter.post(a.url + vote, {"choice": "agree"}, voter.token(f"{a.url}/nominations/{voting_id}"))
        assert "Your vote is recorded." in html
    secretary = Browser()
    secretary.sign_in(a, email(app, world, "secretary"))
    page = f"/nominations/{voting_id}"
    council = f"/council/nominations/{voting_id}"
    status, html = secretary.post(a.url + f"{council}/do/close_vote", {}, secretary.token(a.url + page))
    assert status == 200, html[:2000]
    _record_decision(app, world, voting_id)
    status, html = secretary.post(a.url + f"{council}/do/publish", {}, secretary.token(a.url + page))
    assert status == 200 and "The award is published on the showcase." in html
    with app.app_context():
        link = f'href="/entries/{db.session.get(Nomination, voting_id).entry_id}/'
        db.session.remove()
        db.engine.dispose()
    for _ in range(4):  # every worker of B, whatever it had cached
        _, after = citizen.get(f"{b.url}/entries")
        assert link in after
        _, found = citizen.get(f"{b.url}/search?q=do+minh+khoi")
        assert link in found


def _record_decision(app, world, nomination_id: int) -> None:
    from registry.catalog.models import Unit
    from registry.workflow.decisions import decision_record
    from registry.workflow.models import NumberingStyle
    from tests.support.world import users

    with app.test_request_context("/?lang=en"):
        nomination = db.session.get(Nomination, nomination_id)
        assert nomination.state == NominationState.PASSED
        secretary, = users(world, "secretary")
        decision_record(round_=nomination.round, issuer=db.session.get(Unit, world.commune),
                        style=NumberingStyle.STATE, number=88, symbol="QĐ-UBND", signed_on=date.today(), signer="A",
                        signer_position="B", legal_basis="", term=None, actor=secretary, nominations=[nomination])
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
