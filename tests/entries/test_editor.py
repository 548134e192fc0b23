"""The entry editor: create, edit (each save a revision), optimistic locking, unpublish and republish, restore."""
from __future__ import annotations

import re

import pytest

from registry.entries.models import Entry, EntryRevision, EntryStatus
from registry.extensions import db
from tests.support.clients import client_for, csrf, post


def create(client, world, title="Trần Thị Hạnh", **extra):
    data = {"kind": "individual", "title": title, "unit": f"#{world.group}", "year": "2025",
            "summary": "Cứu người đuối nước.", "story": "Đoạn một.\nDòng hai.\n\nĐoạn hai.", **extra}
    return post(client, "/desk/entries/new", data, token_from="/desk/entries/new")


def created_id(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/desk/entries/(\d+)/edit", response.headers["Location"]).group(1))


def save(client, world, entry_id: int, version: str, **fields):
    data = {"kind": "individual", "title": "Trần Thị Hạnh", "unit": f"#{world.group}", "year": "2025",
            "summary": "Cứu người đuối nước.", "story": "Đoạn một.\nDòng hai.\n\nĐoạn hai.", "version": version,
            **fields}
    return post(client, f"/desk/entries/{entry_id}/edit", data, token_from=f"/desk/entries/{entry_id}/edit")


def version_of(app, entry_id: int) -> str:
    with app.app_context():
        return str(db.session.get(Entry, entry_id).version)


def test_officer_creates_a_draft_with_its_first_revision(app, world):
    client = client_for(app, world, "officer")
    entry_id = created_id(create(client, world))
    with app.app_context():
        entry = db.session.get(Entry, entry_id)
        assert entry.status == EntryStatus.DRAFT and entry.unit_id == world.group
        assert entry.story_format == "text"
        assert [r.note for r in entry.revisions] == ["created"]
        assert entry.revisions[0].author_id == world.users["officer"]
    # A draft is nobody's business on the public side.
    assert client_for(app, world, None).get(f"/entries/{entry_id}").status_code == 404


def test_plain_text_story_keeps_its_paragraphs_on_the_public_page(app, world):
    client = client_for(app, world, "officer")
    entry_id = created_id(create(client, world, story="Đoạn một <b>đậm</b>.\nDòng hai.\n\n**Đoạn hai**."))
    post(client, f"/desk/entries/{entry_id}/publish", token_from=f"/desk/entries/{entry_id}/edit")
    html = client_for(app, world, None).get(f"/entries/{entry_id}", follow_redirects=True).get_data(as_text=True)
    assert "<p>Đoạn một &lt;b&gt;đậm&lt;/b&gt;.<br>\nDòng hai.</p>" in html
    assert "<p>**Đoạn hai**.</p>" in html  # no Markdown to learn: the stars stay as typed


def test_an_officer_outside_the_unit_may_not_create_there(app, world):
    client = client_for(app, world, "other_officer")
    response = create(client, world)
    assert response.status_code == 422
    assert "not an officer of this unit" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(Entry).count() == 0


def test_every_save_is_a_revision_with_a_readable_diff(app, world):
    client = client_for(app, world, "officer")
    entry_id = created_id(create(client, world))
    r = save(client, world, entry_id, version_of(app, entry_id), story="Đoạn một.\nDòng hai.\n\nĐoạn ba mới.",
             place="Tổ dân phố số 5")
    assert r.status_code == 302
    html = client.get(f"/desk/entries/{entry_id}/revisions").get_data(as_text=True)
    assert "Version 2" in html and "Officer" in html
    assert "<del><span class=\"visually-hidden\">removed: </span>Đoạn hai.</del>" in html
    assert "<ins><span class=\"visually-hidden\">added: </span>Đoạn ba mới.</ins>" in html
    assert "Tổ dân phố số 5" in html
    # Saving the same text again makes no new revision.
    save(client, world, entry_id, version_of(app, entry_id), story="Đoạn một.\nDòng hai.\n\nĐoạn ba mới.",
         place="Tổ dân phố số 5")
    with app.app_context():
        assert db.session.query(EntryRevision).filter_by(entry_id=entry_id).count() == 2


def test_a_save_on_an_outdated_copy_is_refused_and_keeps_what_was_typed(app, world):
    client = client_for(app, world, "officer")
    entry_id = created_id(create(client, world))
    old = version_of(app, entry_id)
    assert save(client, world, entry_id, old, summary="Bản của người thứ nhất.").status_code == 302
    r = save(client, world, entry_id, old, summary="Bản của người thứ hai.")
    assert r.status_code == 409
    assert "Bản của người thứ hai." in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Entry, entry_id).summary == "Bản của người thứ nhất."


def test_restore_an_earlier_version(app, world):
    client = client_for(app, world, "officer")
    entry_id = created_id(create(client, world))
    save(client, world, entry_id, version_of(app, entry_id), story="Câu chuyện đã sửa.")
    r = post(client, f"/desk/entries/{entry_id}/revisions/1/restore", token_from=f"/desk/entries/{entry_id}/revisions")
    assert r.status_code == 302
    with app.app_context():
        entry = db.session.get(Entry, entry_id)
        assert entry.story == "Đoạn một.\nDòng hai.\n\nĐoạn hai."
        assert [r.note for r in entry.revisions] == ["restored 1", "edited", "created"]


def test_unpublish_needs_a_reason_and_republish_brings_it_back(app, world):
    client = client_for(app, world, "officer")
    citizen = client_for(app, world, None)
    entry_id = created_id(create(client, world))
    edit_url = f"/desk/entries/{entry_id}/edit"
    post(client, f"/desk/entries/{entry_id}/publish", token_from=edit_url)
    assert citizen.get(f"/entries/{entry_id}", follow_redirects=True).status_code == 200
    post(client, f"/desk/entries/{entry_id}/unpublish", {"reason": ""}, token_from=edit_url)
    with app.app_context():
        assert db.session.get(Entry, entry_id).status == EntryStatus.PUBLISHED
    post(client, f"/desk/entries/{entry_id}/unpublish", {"reason": "Gia đình đề nghị tạm gỡ."}, token_from=edit_url)
    assert citizen.get(f"/entries/{entry_id}", follow_redirects=True).status_code == 404
    assert "Gia đình đề nghị tạm gỡ." in client.get(edit_url).get_data(as_text=True)
    post(client, f"/desk/entries/{entry_id}/publish", token_from=edit_url)
    assert citizen.get(f"/entries/{entry_id}", follow_redirects=True).status_code == 200


def test_the_public_page_offers_edit_only_to_those_allowed(app, world):
    officer = client_for(app, world, "officer")
    entry_id = created_id(create(officer, world))
    post(officer, f"/desk/entries/{entry_id}/publish", token_from=f"/desk/entries/{entry_id}/edit")
    edit_link = f'href="/desk/entries/{entry_id}/edit"'
    assert edit_link in officer.get(f"/entries/{entry_id}", follow_redirects=True).get_data(as_text=True)
    for who in (None, "other_officer", "member1"):
        html = client_for(app, world, who).get(f"/entries/{entry_id}", follow_redirects=True).get_data(as_text=True)
        assert edit_link not in html
    assert edit_link in client_for(app, world, "admin").get(f"/entries/{entry_id}",
                                                             follow_redirects=True).get_data(as_text=True)


@pytest.mark.parametrize("path", ["edit", "revisions", "revisions/1", "photos"])
def test_an_officer_of_the_next_unit_gets_404_on_the_draft(app, world, path):
    entry_id = created_id(create(client_for(app, world, "officer"), world))
    assert client_for(app, world, "other_officer").get(f"/desk/entries/{entry_id}/{path}").status_code == 404
    assert client_for(app, world, "member1").get(f"/desk/entries/{entry_id}/{path}").status_code == 404
    anonymous = client_for(app, world, None).get(f"/desk/entries/{entry_id}/{path}")
    assert anonymous.status_code == 302 and "/account/login" in anonymous.headers["Location"]
    assert client_for(app, world, "admin").get(f"/desk/entries/{entry_id}/{path}").status_code == 200


def test_a_forged_entry_id_is_404_for_writes_too(app, world):
    entry_id = created_id(create(client_for(app, world, "officer"), world))
    other = client_for(app, world, "other_officer")
    token_page = "/desk/"
    for url in (f"/desk/entries/{entry_id}/edit", f"/desk/entries/{entry_id}/publish",
                f"/desk/entries/{entry_id}/revisions/1/restore", "/desk/entries/999999/edit"):
        assert post(other, url, {"title": "Forged", "version": "1"}, token_from=token_page).status_code == 404
    with app.app_context():
        assert db.session.get(Entry, entry_id).status == EntryStatus.DRAFT


def test_anonymous_posts_are_refused(app, world):
    entry_id = created_id(create(client_for(app, world, "officer"), world))
    anonymous = client_for(app, world, None)
    token = csrf(anonymous)
    r = anonymous.post(f"/desk/entries/{entry_id}/publish", data={"csrf_token": token})
    assert r.status_code in (302, 401) and "/account/login" in r.headers.get("Location", "/account/login")
    with app.app_context():
        assert db.session.get(Entry, entry_id).status == EntryStatus.DRAFT


def test_a_markdown_story_from_before_still_renders_and_stays_markdown(app, world):
    from registry.entries.models import EntryKind
    from registry.entries.operations import entry_publish, entry_set_title

    with app.app_context():
        entry = Entry(kind=EntryKind.INDIVIDUAL, story="Một **việc tốt**.\n\n- điểm một", unit_id=world.group)
        entry_set_title(entry, "Hoàng Văn Nam")
        entry_publish(entry)
        db.session.add(entry)
        db.session.commit()
        entry_id = entry.id
        assert entry.story_format == "markdown"
    html = client_for(app, world, None).get(f"/entries/{entry_id}", follow_redirects=True).get_data(as_text=True)
    assert "<strong>việc tốt</strong>" in html and "<li>điểm một</li>" in html
    officer = client_for(app, world, "officer")
    page = officer.get(f"/desk/entries/{entry_id}/edit").get_data(as_text=True)
    assert "written in Markdown before" in page
    save(officer, world, entry_id, version_of(app, entry_id), story="Một **việc tốt** nữa.")
    with app.app_context():
        assert db.session.get(Entry, entry_id).story_format == "markdown"


def test_awards_and_replications_recorded_outside_the_workflow(app, world):
    import sqlalchemy as sa

    from registry.catalog.models import AwardTitle

    client = client_for(app, world, "officer")
    entry_id = created_id(create(client, world, kind="initiative", title="Mô hình thùng rác tái chế"))
    edit_url = f"/desk/entries/{entry_id}/edit"
    with app.app_context():
        title_id = db.session.scalar(sa.select(AwardTitle.id).where(AwardTitle.name == "Chiến sĩ thi đua cơ sở"))
    r = post(client, f"/desk/entries/{entry_id}/awards", {"title_id": title_id, "level": "commune", "year": "2019",
                                                          "award_kind": "campaign", "decision_number": "12/QĐ-UBND"},
             token_from=edit_url)
    assert r.status_code == 302
    post(client, f"/desk/entries/{entry_id}/replications", {"unit": f"#{world.other_commune}", "since_year": "2024"},
         token_from=edit_url)
    with app.app_context():
        entry = db.session.get(Entry, entry_id)
        assert [(a.year, a.decision_number) for a in entry.awards] == [(2019, "12/QĐ-UBND")]
        assert [(r.unit_id, r.since_year) for r in entry.replications] == [(world.other_commune, 2024)]
        award_id, replication_id = entry.awards[0].id, entry.replications[0].id
        assert [r.note for r in entry.revisions][:2] == ["replication recorded", "award recorded"]
    html = client.get(f"/desk/entries/{entry_id}/revisions").get_data(as_text=True)
    assert "12/QĐ-UBND" in html and "Phường Hoàn Kiếm (2024)" in html
    post(client, f"/desk/entries/{entry_id}/awards/{award_id}/delete", token_from=edit_url)
    post(client, f"/desk/entries/{entry_id}/replications/{replication_id}/delete", token_from=edit_url)
    with app.app_context():
        entry = db.session.get(Entry, entry_id)
        assert entry.awards == [] and entry.replications == []
