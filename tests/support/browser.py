"""Browser test helpers: screenshots and accessibility checks with axe-core."""
from __future__ import annotations

from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
AXE = Path(__file__).resolve().parents[1] / "e2e" / "vendor" / "axe-core" / "axe.min.js"


def shows(page, text: str) -> None:
    """The page a click led to says ``text``.

    A click returns once the next page's navigation has begun, and its body may still be empty on a loaded
    machine: reading ``page.content()`` then is a race. This waits for the text, as a reader would.
    """
    from playwright.sync_api import expect

    expect(page.locator("body")).to_contain_text(text, timeout=30_000)


def sign_in(browser, base_url: str, who: str, password: str):
    """A new browser context signed in as ``who@example.org`` (English pages), on the page the login leads to."""
    page = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True).new_page()
    page.goto(f"{base_url}/account/login?lang=en")
    page.fill("#email", f"{who}@example.org")
    page.fill("#password", password)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/account/login" not in url, timeout=30_000)
    page.wait_for_load_state()
    return page


def shot(page, name: str) -> Path:
    """Save a full-page screenshot as a test artifact, once the page has loaded."""
    page.wait_for_load_state()
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core in the page and return violations of the given impacts."""
    # Evaluated by the test driver, not as an inline <script>, which the site's CSP rightly blocks.
    page.evaluate("() => {" + AXE.read_text(encoding="utf-8") + "\n}")
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"] if v["impact"] in impacts
    ]
