"""Demo accounts: one per role, each with a one-time password printed once and changed at the first sign-in.

For trying the registry out only: `flask --app registry demo` creates them beside the demo entries; a real
installation creates its first administrator instead (`create-user`, or the sign-in page of an empty database).
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass

import sqlalchemy as sa

from registry.accounts.models import Role, User
from registry.accounts.operations import user_create, user_set_roles
from registry.catalog.models import Unit
from registry.entries.models import Entry
from registry.extensions import db
from registry.workflow.rounds import council_save

DEMO_DOMAIN = "demo.invalid"  # a domain that can never receive mail: these accounts are for trying out only
# (e-mail name, person's name, role)
DEMO_PEOPLE = [
    ("quantri", "Quản trị viên (demo)", Role.ADMINISTRATOR),
    ("canbo", "Cán bộ đơn vị (demo)", Role.UNIT_OFFICER),
    ("thuky", "Thư ký hội đồng (demo)", Role.SECRETARY),
    ("chutich", "Chủ tịch hội đồng (demo)", Role.CHAIR),
    ("uyvien1", "Ủy viên hội đồng 1 (demo)", Role.MEMBER),
    ("uyvien2", "Ủy viên hội đồng 2 (demo)", Role.MEMBER),
]


@dataclass(frozen=True)
class DemoAccount:
    role: Role
    email: str
    password: str


def one_time_password() -> str:
    """A random password of letters, digits and a dash that passes the password rules."""
    return f"{secrets.token_hex(3)}-{secrets.token_hex(3)}-{secrets.randbelow(90) + 10}"


def _demo_unit() -> Unit | None:
    """The unit of the first demo entry: the officer works there, the council advises the unit above it."""
    return db.session.scalar(sa.select(Unit).join(Entry, Entry.unit_id == Unit.id).order_by(Entry.id).limit(1))


def demo_accounts_create() -> list[DemoAccount]:
    """Create the demo accounts that do not exist yet (and the demo council); return them with their one-time
    passwords. Flush."""
    unit = _demo_unit() or db.session.scalar(sa.select(Unit).order_by(Unit.id).limit(1))
    council = None
    if unit is not None:
        council_unit = unit.parent or unit
        council = council_save(None, name=f"Hội đồng Thi đua – Khen thưởng {council_unit.name} (demo)",
                               unit=council_unit)
    created = []
    for local, name, role in DEMO_PEOPLE:
        email = f"{local}@{DEMO_DOMAIN}"
        if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
            continue
        if role is not Role.ADMINISTRATOR and unit is None:
            continue
        password = one_time_password()
        user = user_create(email=email, name=name, password=password,
                           unit_id=unit.id if role is Role.UNIT_OFFICER and unit else None)
        user.must_change_password = True
        if role is Role.ADMINISTRATOR:
            user_set_roles(user, [(role, None, None)])
        elif role is Role.UNIT_OFFICER:
            user_set_roles(user, [(role, unit.id, None)])
        else:
            user_set_roles(user, [(role, None, council.id)])
        created.append(DemoAccount(role=role, email=email, password=password))
    db.session.flush()
    return created
