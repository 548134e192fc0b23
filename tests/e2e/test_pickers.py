"""The unit picker in a real browser with its script: suggestions while typing, chosen with the keyboard alone."""
from __future__ import annotations

import pytest

e2e = pytest.importorskip("tests.support.browser")

from tests.support.clients import PASSWORD


@pytest.fixture(scope="module")
def admin_email(live_app):
    from registry.accounts.models import Role
    from registry.accounts.operations import user_add_role, user_create
    from registry.extensions import db

    with live_app.app_context():
        user = user_create(email="picker-admin@example.org", name="Picker Admin", password=PASSWORD)
        user_add_role(user, Role.ADMINISTRATOR)
        db.session.commit()
    return "picker-admin@example.org"


def test_a_unit_is_chosen_from_the_suggestions_with_the_keyboard(browser, base_url, admin_email):
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{base_url}/account/login?lang=en")
    page.fill("#email", admin_email)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.goto(f"{base_url}/admin/units/new?lang=en")
    page.fill("#name", "Chi đoàn thanh niên thử nghiệm")
    unit = page.locator("#parent")
    unit.focus()
    unit.press_sequentially("ha noi", delay=30)
    listbox = page.locator("#parent-listbox")
    listbox.locator("[role=option]").first.wait_for()
    assert unit.get_attribute("role") == "combobox" and unit.get_attribute("aria-expanded") == "true"
    first = listbox.locator("[role=option]").first.text_content()
    unit.press("ArrowDown")
    assert unit.get_attribute("aria-activedescendant") == "parent-listbox-0"
    unit.press("Enter")  # chooses; does not send the form
    assert unit.get_attribute("aria-expanded") == "false"
    assert first.startswith(unit.input_value())
    assert page.locator('input[name="parent-choice"]').input_value().isdigit()
    e2e.shot(page, "picker-chosen")
    assert not e2e.axe_violations(page)
    page.click("main form button[type=submit]")
    e2e.shows(page, "Unit saved.")
    assert "History of Chi đoàn thanh niên thử nghiệm" in page.content()
