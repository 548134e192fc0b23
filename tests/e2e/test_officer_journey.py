"""A unit officer on a phone (390×844), in Vietnamese: creates an entry, adds three photos (one of an adult who must
consent, one of a child whose guardian must), orders them, publishes, edits the story and restores the earlier one.

Uses the end-to-end fixtures (served app, Chromium, axe-core) of tests/e2e/conftest.py; skipped where they are absent.
"""
from __future__ import annotations

import re

import pytest

e2e = pytest.importorskip("tests.support.browser")

from tests.support.clients import PASSWORD
from tests.support.files import jpeg_bytes

PHONE = {"width": 390, "height": 844}
STORY = "Anh Tư chèo xuồng cứu hai em nhỏ bị nước cuốn.\n\nSau đó anh tổ chức lớp dạy bơi miễn phí cho trẻ em trong ấp."


@pytest.fixture(scope="module")
def officer_unit(live_app):
    """A commune and its hamlet of their own, with an officer of the commune."""
    from registry.accounts.models import Role
    from registry.accounts.operations import user_add_role, user_create
    from registry.catalog.models import Unit, UnitKind
    from registry.extensions import db

    with live_app.app_context():
        commune = Unit(name="Xã Tân Phú Đông", slug="tan-phu-dong", kind=UnitKind.ADMINISTRATIVE)
        hamlet = Unit(name="Ấp Giồng Tre", slug="giong-tre", kind=UnitKind.RESIDENTIAL_GROUP, parent=commune)
        db.session.add_all([commune, hamlet])
        db.session.flush()
        user = user_create(email="can-bo-xa@example.org", name="Cán bộ xã Tân Phú Đông", password=PASSWORD)
        user_add_role(user, Role.UNIT_OFFICER, unit_id=commune.id)
        db.session.commit()
        return hamlet.id


def accessible(page, name):
    e2e.shot(page, name)
    assert not e2e.axe_violations(page), name


def test_officer_keeps_an_entry_from_a_phone(browser, base_url, officer_unit, tmp_path):
    files = []
    for i, color in enumerate(((30, 120, 200), (200, 120, 30), (40, 160, 60))):
        path = tmp_path / f"anh-{i + 1}.jpg"
        path.write_bytes(jpeg_bytes(color=color))
        files.append(str(path))
    page = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    page.goto(f"{base_url}/account/login?lang=vi")
    page.fill("#email", "can-bo-xa@example.org")
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")

    # From the desk to a new entry.
    page.goto(f"{base_url}/desk/")
    page.get_by_role("link", name="Thêm hồ sơ điển hình").first.click()
    page.fill("#title", "Nguyễn Văn Tư")
    page.fill("#unit", f"#{officer_unit}")
    page.fill("#year", "2026")
    page.fill("#summary", "Cứu hai em nhỏ đuối nước trên kênh Giồng Tre.")
    page.fill("#story", STORY)
    accessible(page, "officer-01-new-entry")
    page.get_by_role("button", name="Lưu bản nháp").click()
    assert "Đã lưu hồ sơ dạng nháp" in page.content()
    entry_id = int(re.search(r"/desk/entries/(\d+)/edit", page.url).group(1))

    # Three photos at once.
    page.locator("nav.subnav a").nth(1).click()
    page.set_input_files("#photos", files)
    page.get_by_role("button", name="Tải lên").click()
    assert "Đã thêm 3 ảnh" in page.content()
    items = page.locator("li.photo-item")
    assert items.count() == 3
    ids = [int(items.nth(i).get_attribute("id").split("-")[1]) for i in range(3)]
    landscape, adult, child = ids

    def describe(photo_id, alt, *checks):
        item = page.locator(f"#photo-{photo_id}")
        item.locator(f"#p{photo_id}-alt").fill(alt)
        for name in checks:
            item.locator(f"#p{photo_id}-{name}").check()
        item.get_by_role("button", name=re.compile("^Lưu thông tin ảnh")).click()
        assert "Đã lưu thông tin ảnh" in page.content()

    describe(landscape, "Kênh Giồng Tre mùa nước nổi, hai bên là hàng dừa")
    describe(adult, "Anh Tư đứng trên xuồng, tay cầm mái chèo", "shows_people")
    describe(child, "Anh Tư hướng dẫn một em nhỏ tập bơi ở bến sông", "shows_minor")
    assert "Chưa công bố: cần sự đồng ý" in page.locator(f"#photo-{adult}").inner_text()
    assert "cha, mẹ hoặc người giám hộ" in page.locator(f"#photo-{child}").inner_text()

    # Consent: the adult's own, the child's from a guardian.
    def consent(photo_id, given_by, guardian=False):
        item = page.locator(f"#photo-{photo_id}")
        item.locator("summary", has_text="Ghi nhận sự đồng ý").click()
        item.locator(f"#c{photo_id}-given_by").fill(given_by)
        if guardian:
            item.locator(f"#c{photo_id}-by_guardian").check()
        item.locator(f"#c{photo_id}-given_on").fill("2026-12-01")
        item.get_by_role("button", name="Ghi nhận sự đồng ý").click()
        assert "Đã ghi nhận sự đồng ý" in page.content()

    consent(adult, "Nguyễn Văn Tư")
    consent(child, "Trần Thị Mai (mẹ)", guardian=True)
    assert page.locator(".badge-ok").count() == 3
    accessible(page, "officer-02-photos")

    # The child's photo becomes the cover, the landscape goes last.
    page.locator(f"#photo-{child}").get_by_role("button", name=re.compile("^Chọn làm ảnh đại diện")).click()
    page.locator(f"#photo-{landscape}").get_by_role("button", name=re.compile("^Chuyển xuống")).click()
    order = [int(page.locator("li.photo-item").nth(i).get_attribute("id").split("-")[1]) for i in range(3)]
    assert order == [child, adult, landscape]

    # Publish.
    page.locator("nav.subnav").get_by_role("link", name="Thông tin chi tiết").click()
    page.get_by_role("button", name="Công bố", exact=True).click()
    assert "Đã công bố hồ sơ" in page.content()

    # Edit the story, then restore the version before the edit.
    page.fill("#story", "Câu chuyện viết lại, chưa đúng sự thật.")
    page.get_by_role("button", name="Lưu", exact=True).click()
    assert "Đã lưu." in page.content()
    page.get_by_role("link", name="Lịch sử chỉnh sửa").first.click()
    assert "Câu chuyện viết lại" in page.content()
    accessible(page, "officer-03-history")
    page.get_by_role("button", name=re.compile("^Khôi phục phiên bản này")).first.click()
    assert "Đã khôi phục phiên bản" in page.content()
    assert page.input_value("#story").replace("\r\n", "\n") == STORY

    # The public page: the restored story in two paragraphs, the child's photo first.
    page.goto(f"{base_url}/entries/{entry_id}")
    assert page.locator(".story p").count() == 2
    assert "Sau đó anh tổ chức lớp dạy bơi" in page.locator(".story").inner_text()
    first_alt = page.locator(".gallery img").first.get_attribute("alt")
    assert first_alt == "Anh Tư hướng dẫn một em nhỏ tập bơi ở bến sông"
    assert page.get_by_role("link", name=re.compile("^Sửa")).count() == 1
    accessible(page, "officer-04-public-page")
