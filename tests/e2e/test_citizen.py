"""Journey 1: a citizen searches without diacritics, filters, opens an entry and switches to English."""
from __future__ import annotations

import re

import pytest

from tests.support.browser import axe_violations, shot


def test_citizen_searches_filters_reads_and_switches_language(page, base_url):
    page.goto(base_url + "/")
    assert page.locator("html").get_attribute("lang") == "vi"
    shot(page, "journey1-01-home")

    page.get_by_label("Tìm cá nhân, tập thể, mô hình").fill("cay atm gao")
    page.get_by_role("button", name="Tìm kiếm").click()
    page.wait_for_url(re.compile(r"/search\?q=cay"))
    first = page.locator(".hit-title a").first
    assert first.inner_text().replace("\n", " ").strip() == "Cây ATM gạo"
    assert page.locator(".hit mark").count() > 0
    shot(page, "journey1-02-search")

    # Filter by kind with a facet link, keeping the query.
    page.locator(".facet a", has_text="Mô hình, sáng kiến").first.click()
    assert "kind=initiative" in page.url and "q=cay" in page.url
    assert page.locator(".facet a.selected", has_text="Mô hình, sáng kiến").count() == 1

    first = page.locator(".hit-title a").first
    first.click()
    page.wait_for_url(re.compile(r"/entries/\d+/cay-atm-gao"))
    assert page.get_by_role("heading", level=1).inner_text() == "Cây ATM gạo"
    assert page.locator(".gallery img").first.get_attribute("srcset")
    shot(page, "journey1-03-entry")

    page.get_by_role("link", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Awards").count() == 1
    # The choice persists on the next page.
    page.get_by_role("link", name="Browse").click()
    assert page.locator("html").get_attribute("lang") == "en"
    shot(page, "journey1-04-browse-en")


def test_browse_works_with_keyboard_only(page, base_url):
    page.goto(base_url + "/entries")
    page.keyboard.press("Tab")
    # The skip link comes first and is visible when focused.
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.locator(".skip-link").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


@pytest.mark.parametrize("path", ["/", "/entries", "/entries?kind=individual&sort=name", "/search?q=nha+van+hoa",
                                  "/units", "/topics", "/entries/1", "/no-such-page", "/?lang=en",
                                  "/about"])
def test_public_pages_have_no_serious_accessibility_violations(page, base_url, path):
    page.goto(base_url + path)
    if path == "/entries/1":
        page.wait_for_load_state()
    violations = axe_violations(page)
    assert violations == [], violations
