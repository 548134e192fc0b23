"""Journey 3: a citizen on a phone (390×844): results before filters, a folding menu, the header search, the about page."""
from __future__ import annotations

import re
import unicodedata

import pytest

from tests.support.browser import axe_violations, shot

PHONE_HEIGHT = 844


def mentions_illustration(text: str) -> bool:
    """Whether a text carries the illustration note, in either spelling of the tone mark."""
    folded = unicodedata.normalize("NFC", text).casefold()
    return "minh họa" in folded or "minh hoạ" in folded


def first_result_top(page, selector: str) -> float:
    """The first result's top edge in the viewport, as the page opens (nothing scrolled)."""
    assert page.evaluate("window.scrollY") == 0
    box = page.locator(selector).first.bounding_box()
    assert box is not None
    return box["y"]


def test_the_first_entry_shows_without_scrolling(phone, base_url):
    phone.goto(base_url + "/entries")
    assert first_result_top(phone, ".results .grid > li") < PHONE_HEIGHT - 100
    # The filters are folded into "Lọc", above the results in one line.
    assert phone.locator(".filters-panel > summary").is_visible()
    assert not phone.locator(".facet").first.is_visible()
    shot(phone, "journey3-01-entries-phone")


def test_the_header_search_leads_to_results_that_show_without_scrolling(phone, base_url):
    phone.goto(base_url + "/")
    box = phone.get_by_role("searchbox", name="Tìm trong cơ sở dữ liệu")
    box.focus()
    phone.keyboard.type("cay atm gao")
    phone.keyboard.press("Enter")
    phone.wait_for_url(re.compile(r"/search\?q=cay\+atm\+gao"))
    assert re.sub(r"\s+", " ", phone.locator(".hit-title a").first.inner_text()).strip() == "Cây ATM gạo"
    assert first_result_top(phone, ".hit") < PHONE_HEIGHT - 100
    shot(phone, "journey3-02-search-phone")


def test_the_filter_panel_is_folded_and_opens_with_the_keyboard(phone, base_url):
    phone.goto(base_url + "/search?q=nha+van+hoa")
    facet = phone.locator(".facet a", has_text="Mô hình, sáng kiến").first
    assert not facet.is_visible()
    summary = phone.locator(".filters-panel > summary")
    # Tab from the last header control reaches the panel before any result.
    summary.focus()
    assert phone.evaluate("document.activeElement.closest('details').id") == "filters"
    phone.keyboard.press("Enter")
    assert phone.locator("#filters").get_attribute("open") is not None
    assert facet.is_visible()
    facet.focus()
    phone.keyboard.press("Enter")
    phone.wait_for_url(re.compile(r"kind=initiative"))
    assert "q=nha+van+hoa" in phone.url
    # After filtering, the panel is folded again and says one filter is chosen.
    assert phone.locator(".filters-panel > summary").inner_text().strip().endswith("(đã chọn 1)")
    assert first_result_top(phone, ".hit") < PHONE_HEIGHT - 100


def test_the_menu_folds_and_opens_with_the_keyboard(phone, base_url):
    phone.goto(base_url + "/entries")
    about = phone.get_by_role("link", name="Giới thiệu", exact=True).first
    menu_links = phone.locator(".site-menu nav a")
    assert not menu_links.first.is_visible()
    phone.locator(".site-menu > summary").focus()
    phone.keyboard.press("Enter")
    assert menu_links.first.is_visible()
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.textContent.trim()") == "Khám phá"
    shot(phone, "journey3-03-menu-open")
    about.click()
    phone.wait_for_url(re.compile(r"/about$"))
    assert phone.get_by_role("heading", level=1).inner_text() == "Giới thiệu"


def test_the_about_page_in_vietnamese_and_english(phone, base_url):
    phone.goto(base_url + "/about")
    assert phone.locator("html").get_attribute("lang") == "vi"
    assert phone.get_by_role("heading", name="Quyền riêng tư").count() == 1
    assert phone.get_by_role("heading", name="Giấy phép dữ liệu").count() == 1
    shot(phone, "journey3-04-about-vi")
    phone.get_by_role("link", name="English").click()
    assert phone.locator("html").get_attribute("lang") == "en"
    assert phone.get_by_role("heading", level=1).inner_text() == "About this registry"
    assert phone.get_by_role("heading", name="Privacy").count() == 1
    assert axe_violations(phone) == []


@pytest.mark.parametrize("phone", [{"javascript": False}], indirect=True)
def test_the_panels_work_without_javascript(phone, base_url):
    phone.goto(base_url + "/entries")
    assert first_result_top(phone, ".results .grid > li") < PHONE_HEIGHT - 100
    phone.locator(".filters-panel > summary").click()
    phone.locator(".facet a", has_text="Cá nhân").first.click()
    phone.wait_for_url(re.compile(r"kind=individual"))
    phone.locator(".site-menu > summary").click()
    phone.locator(".site-menu nav a", has_text="Đơn vị").click()
    phone.wait_for_url(re.compile(r"/units$"))
    phone.get_by_role("searchbox", name="Tìm trong cơ sở dữ liệu").fill("shipper xanh")
    phone.get_by_role("search", name="Tìm kiếm trên trang").get_by_role("button", name="Tìm").click()
    phone.wait_for_url(re.compile(r"/search\?q=shipper"))
    assert phone.locator(".hit").count() > 0


def test_on_a_wide_screen_the_filters_and_the_menu_stay_open(page, base_url):
    page.goto(base_url + "/entries")
    assert page.locator(".facet").first.is_visible()
    assert page.locator(".filters-panel > summary").evaluate("s => getComputedStyle(s, '::before').display") == "none"
    assert page.locator(".site-menu nav a", has_text="Khám phá").is_visible()
    assert not page.locator(".site-menu > summary").is_visible()


def test_the_illustration_note_shows_on_the_page_never_in_snippets_or_the_api(phone, base_url):
    phone.goto(base_url + "/search?q=shipper+xanh")
    snippets = phone.locator(".snippet").all_inner_texts()
    assert snippets and not any(mentions_illustration(s) for s in snippets)
    phone.locator(".hit-title a").first.click()
    assert phone.locator("figcaption .badge", has_text="Ảnh minh họa").count() >= 1
    assert phone.locator("figcaption .badge").count() == phone.locator(".gallery figure").count()
    found = phone.request.get(base_url + "/api/v1/search?q=shipper+xanh").json()
    assert not mentions_illustration(str(found))
    entry = phone.request.get(base_url + f"/api/v1/entries/{found['results'][0]['id']}").json()
    assert entry["photos"] and all(p["illustration"] for p in entry["photos"])
    assert not mentions_illustration(str(entry))
    feed = phone.request.get(base_url + "/feeds/entries.atom").text()
    assert "<entry>" in feed and not mentions_illustration(feed)


def test_the_demo_holds_the_local_news_models_before_and_after_the_reform(phone, base_url):
    phone.goto(base_url + "/search?q=phuc+dong")
    titles = [re.sub(r"\s+", " ", t).strip() for t in phone.locator(".hit-title a").all_inner_texts()]
    assert "Biến bãi đất trống thành vườn hoa, sân chơi" in titles
    assert "Đội thanh niên tình nguyện hỗ trợ thủ tục hành chính phường Phúc Lợi" in titles
    phone.goto(base_url + "/search?q=hong+bang")
    hits = phone.locator(".hit")
    assert hits.filter(has_text="Tuyến phố văn minh đô thị phố Hoàng Văn Thụ").count() == 1
    hits.filter(has_text="Tổ dân phố số 5").locator(".hit-title a").click()
    # The entry of 2025 sits under the new ward; the path names it, and the story says which wards it grew from.
    # The click returns once the entry's page has begun to load: wait for its facts, as a reader would.
    from playwright.sync_api import expect

    expect(phone.locator(".entry-facts").filter(has_text="Phường Hồng Bàng")).to_have_count(1, timeout=30_000)
    assert "Hồng Bàng cũ" in phone.locator(".story").inner_text()


@pytest.mark.parametrize("path", ["/entries", "/search?q=nha+van+hoa", "/about"])
def test_phone_pages_with_their_panels_open_pass_the_accessibility_check(phone, base_url, path):
    """Contrast, names and roles of what a phone shows, with the menu and the filter panel open too."""
    phone.goto(base_url + path)
    assert axe_violations(phone) == []
    if phone.locator(".filters-panel > summary").count():
        phone.locator(".filters-panel > summary").click()
    phone.locator(".site-menu > summary").click()  # the open menu lies over the page
    assert axe_violations(phone) == []
