"""End-to-end fixtures: the app served on loopback with the demo data, and Debian's Chromium driven by Playwright."""
from __future__ import annotations

import logging
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.support import databases
from tests.support.apps import app_release
from tests.support.browser import shot

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
# Without these flags Chromium keeps trying to reach Google's services, which this network refuses.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions", "--mute-audio",
]

if not Path(CHROMIUM).exists():
    reason = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    if os.environ.get("E2E_REQUIRED"):
        raise RuntimeError(reason)
    pytest.skip(reason, allow_module_level=True)


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """The app with the demo data on its own instance folder."""
    from registry import create_app
    from registry.catalog.seed import catalogues_load
    from registry.demo import demo_load
    from registry.extensions import db
    from registry.platform.database import upgrade_schema

    instance = tmp_path_factory.mktemp("e2e-instance")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("REGISTRY_INSTANCE_PATH", str(instance))
        url = databases.use_new_database(mp, empty=True)
        app = create_app({"TESTING": False, "SERVER_NAME": None})
    with app.app_context():
        upgrade_schema()
        catalogues_load()
        demo_load()
        db.session.commit()
    yield app
    app_release(app)
    databases.drop_database(url)


@pytest.fixture(scope="session")
def base_url(live_app) -> Iterator[str]:
    """Serve the app on a free loopback port for the whole session."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    """A fresh browser context per test; a screenshot is kept when the test fails."""
    # axe-core is injected as an inline script, which the site's CSP rightly refuses.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    # The pages run under the site's Content-Security-Policy; anything it blocks fails the test.
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    yield page
    if getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed:
        shot(page, f"FAILED-{request.node.name}")
    context.close()
    assert not blocked, blocked


@pytest.fixture
def phone(browser, request):
    """A fresh browser context the size of a phone (390×844), under the site's CSP like ``page``."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale="vi-VN", bypass_csp=True,
                                  java_script_enabled=getattr(request, "param", {}).get("javascript", True))
    page = context.new_page()
    page.set_default_timeout(15_000)
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    yield page
    if getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed:
        shot(page, f"FAILED-{request.node.name}")
    context.close()
    assert not blocked, blocked


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)




