"""A ward officer on a phone (390×844), in Vietnamese: finds "long bien" without diacritics in the unit picker,
creates an entry, adds three photos (one of an adult who must consent, one of a child whose guardian must), orders
them, publishes, edits the story and restores the earlier one, then attaches a .docx and an .odt to a dossier;
no page on the way shows a word of English.

Uses the end-to-end fixtures (served app, Chromium, axe-core) of tests/e2e/conftest.py; skipped where they are absent.
"""
from __future__ import annotations

import re

import pytest

e2e = pytest.importorskip("tests.support.browser")


from tests.support.clients import PASSWORD
from tests.support.english import english_needles, english_on, visible_text
from tests.support.files import DOCX, ODT, jpeg_bytes

PHONE = {"width": 390, "height": 844}
STORY = "Anh Tư chèo xuồng cứu hai em nhỏ bị nước cuốn.\n\nSau đó anh tổ chức lớp dạy bơi miễn phí cho trẻ em trong ấp."


shows = e2e.shows


@pytest.fixture(scope="module")
def officer_unit(live_app):
    """The officer of Phường Long Biên (a unit of the demo data), and an open round of the ward's council."""
    from datetime import timedelta

    import sqlalchemy as sa

    from registry.accounts.models import Role
    from registry.accounts.operations import user_add_role, user_create
    from registry.catalog.models import AwardLevel, AwardTitle, Unit
    from registry.extensions import db
    from registry.platform.vietnam_time import today_in_vietnam
    from registry.workflow.models import Council, Round

    with live_app.app_context():
        ward = db.session.scalar(sa.select(Unit).where(Unit.name == "Phường Long Biên"))
        user = user_create(email="can-bo-phuong@example.org", name="Cán bộ phường Long Biên", password=PASSWORD)
        user_add_role(user, Role.UNIT_OFFICER, unit_id=ward.id)
        council = Council(name="Hội đồng Thi đua - Khen thưởng phường Long Biên", unit_id=ward.id)
        db.session.add(council)
        db.session.flush()
        title = db.session.scalar(sa.select(AwardTitle).where(AwardTitle.name == "Chiến sĩ thi đua cơ sở"))
        today = today_in_vietnam()
        db.session.add(Round(name="Đợt xét cuối năm", title_id=title.id, level=AwardLevel.COMMUNE,
                             council_id=council.id, year=today.year, opens_on=today - timedelta(days=3),
                             closes_on=today + timedelta(days=20)))
        db.session.commit()
        return ward.id


NEEDLES = english_needles()


def accessible(page, name):
    e2e.shot(page, name)
    assert not e2e.axe_violations(page), name
    in_vietnamese(page)


def in_vietnamese(page):
    page.wait_for_load_state()
    assert '<html lang="vi"' in page.content(), page.url
    assert not english_on(visible_text(page.content()), NEEDLES), (page.url, english_on(visible_text(page.content()),
                                                                                         NEEDLES))


def choose_unit(page, field: str, typed: str, wanted: str):
    """Type into a unit picker and choose the suggestion that starts with ``wanted``."""
    box = page.locator(f"#{field}")
    box.fill("")
    box.press_sequentially(typed, delay=30)
    option = page.locator(f"#{field}-listbox [role=option]", has_text=wanted).first
    option.wait_for()
    option.click()
    assert page.locator(f'input[name="{field}-choice"]').input_value().isdigit()


def test_officer_keeps_an_entry_from_a_phone(browser, base_url, officer_unit, tmp_path):
    files = []
    for i, color in enumerate(((30, 120, 200), (200, 120, 30), (40, 160, 60))):
        path = tmp_path / f"anh-{i + 1}.jpg"
        path.write_bytes(jpeg_bytes(color=color))
        files.append(str(path))
    page = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    page.goto(f"{base_url}/account/login?lang=vi")
    page.fill("#email", "can-bo-phuong@example.org")
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")

    # From the desk to a new entry.
    page.goto(f"{base_url}/desk/")
    in_vietnamese(page)
    page.get_by_role("link", name="Thêm hồ sơ điển hình").first.click()
    page.fill("#title", "Nguyễn Văn Tư")
    choose_unit(page, "unit", "long bien", "Phường Long Biên")
    page.fill("#year", "2026")
    page.fill("#summary", "Cứu hai em nhỏ đuối nước trên kênh Giồng Tre.")
    page.fill("#story", STORY)
    accessible(page, "officer-01-new-entry")
    page.get_by_role("button", name="Lưu bản nháp").click()
    shows(page, "Đã lưu hồ sơ dạng nháp")
    entry_id = int(re.search(r"/desk/entries/(\d+)/edit", page.url).group(1))

    # Three photos at once.
    page.locator("nav.subnav a").nth(1).click()
    page.set_input_files("#photos", files)
    page.get_by_role("button", name="Tải lên").click()
    shows(page, "Đã thêm 3 ảnh")
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
        shows(page, "Đã lưu thông tin ảnh")

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
        shows(page, "Đã ghi nhận sự đồng ý")

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
    shows(page, "Đã công bố hồ sơ")

    # Edit the story, then restore the version before the edit.
    page.fill("#story", "Câu chuyện viết lại, chưa đúng sự thật.")
    page.get_by_role("button", name="Lưu", exact=True).click()
    shows(page, "Đã lưu.")
    page.locator("nav.subnav").get_by_role("link", name="Lịch sử", exact=True).click()
    shows(page, "Câu chuyện viết lại")
    accessible(page, "officer-03-history")
    page.get_by_role("button", name=re.compile("^Khôi phục phiên bản này")).first.click()
    shows(page, "Đã khôi phục phiên bản")
    assert page.input_value("#story").replace("\r\n", "\n") == STORY

    # The public page: the restored story in two paragraphs, the child's photo first.
    page.goto(f"{base_url}/entries/{entry_id}")
    assert page.locator(".story p").count() == 2
    assert "Sau đó anh tổ chức lớp dạy bơi" in page.locator(".story").inner_text()
    first_alt = page.locator(".gallery img").first.get_attribute("alt")
    assert first_alt == "Anh Tư hướng dẫn một em nhỏ tập bơi ở bến sông"
    assert page.get_by_role("link", name=re.compile("^Sửa")).count() == 1
    accessible(page, "officer-04-public-page")

    # A dossier for the ward's round, with the achievement report as a Word file and the minutes as OpenDocument.
    page.goto(f"{base_url}/nominations/new")
    in_vietnamese(page)
    page.select_option("#round_id", page.locator("#round_id option", has_text="Đợt xét cuối năm").get_attribute("value"))
    choose_unit(page, "unit", "long bien", "Phường Long Biên")
    page.locator("#kind").select_option("individual")
    page.fill("#title", "Trần Thị Mai")
    page.get_by_role("button", name="Tạo dự thảo hồ sơ").click()
    in_vietnamese(page)
    if page.locator("#confirm_new").count():
        # Is it one of these? Someone of a similar name is in the registry nearby: this is someone else.
        page.locator("#confirm_new").check()
        page.get_by_role("button", name="Tạo dự thảo hồ sơ").click()
    assert re.search(r"/nominations/\d+/edit", page.url), page.url
    for name, data in (("bao-cao-thanh-tich.docx", DOCX), ("bien-ban-hop-chi-bo.odt", ODT)):
        path = tmp_path / name
        path.write_bytes(data)
        form = page.locator("form", has=page.locator("#att-file"))
        form.locator("#att-file").set_input_files(str(path))
        form.get_by_role("button", name="Đính kèm").click()
        shows(page, "Đã đính kèm tài liệu.")
        in_vietnamese(page)
    assert "bao-cao-thanh-tich.docx" in page.content() and "bien-ban-hop-chi-bo.odt" in page.content()
    accessible(page, "officer-05-dossier-documents")
