"""Who may edit an entry: the officers of its unit or of a unit above it, and administrators."""
from __future__ import annotations

from registry.accounts.models import Role
from registry.entries.models import Entry


def editor_unit_ids(user) -> set[int]:
    """The units whose entries (and their sub-units' entries) the user keeps: those they are a unit officer of."""
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    return {r.unit_id for r in user.roles if r.role == Role.UNIT_OFFICER and r.unit_id}


def can_edit_in_unit(user, unit) -> bool:
    """True for administrators, and for officers of ``unit`` or of a unit above it."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.is_admin:
        return True
    return unit is not None and bool(editor_unit_ids(user) & {u.id for u in unit.path()})


def can_create_entries(user) -> bool:
    """Unit officers and administrators create entries."""
    return bool(editor_unit_ids(user)) or bool(getattr(user, "is_authenticated", False) and user.is_admin)


def can_edit_entry(user, entry: Entry) -> bool:
    """The entry's unit (or a unit above it) keeps it; administrators keep every entry. Merged entries are closed."""
    return entry.merged_into_id is None and can_edit_in_unit(user, entry.unit)


def can_see_entry_drafts(user, entry: Entry) -> bool:
    """Who may see an unpublished entry, its revisions and its held-back photos: those who may edit it."""
    return can_edit_in_unit(user, entry.unit)


def can_merge_entries(user) -> bool:
    """Merging two entries is for administrators."""
    return bool(getattr(user, "is_authenticated", False) and user.is_admin)
