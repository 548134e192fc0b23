"""The password policy (OWASP ASVS level 2 as the yardstick): length, variety, and no common or personal passwords."""
from __future__ import annotations

from functools import cache
from importlib import resources

from flask import current_app
from flask_babel import lazy_gettext as _l


@cache
def common_passwords() -> frozenset[str]:
    """A short list of passwords everyone tries first (English and Vietnamese habits)."""
    text = resources.files("registry.accounts").joinpath("data/common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def _character_classes(password: str) -> int:
    classes = set()
    for ch in password:
        if ch.isdigit():
            classes.add("digit")
        elif ch.isalpha():
            classes.add("upper" if ch.isupper() else "lower")
        else:
            classes.add("other")
    return len(classes)


def password_policy_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Say what is wrong with a new password under the policy, or None when it is acceptable."""
    password = password or ""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        return str(_l("The password must have at least %(min)d characters.", min=minimum))
    if password.strip() == "" or len(set(password)) < 4 or _character_classes(password) < 2:
        return str(_l("The password is too simple: mix letters with digits, spaces or other signs."))
    folded = password.lower()
    if folded in common_passwords() or folded.rstrip("0123456789!.@#") in common_passwords():
        return str(_l("This password is among the most common ones. Please choose another."))
    local = (email or "").strip().lower().partition("@")[0]
    hints = [local] + [part for part in (name or "").lower().split() if len(part) >= 4]
    if any(len(hint) >= 3 and hint in folded for hint in hints):
        return str(_l("The password must not contain your e-mail name or your name."))
    return None
