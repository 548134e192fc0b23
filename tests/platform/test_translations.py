"""Both catalogs are complete: no untranslated or fuzzy entry, placeholders kept."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parents[2] / "registry" / "translations"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _catalog(lang: str):
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", "rb") as fh:
        return read_po(fh)


def _template_ids() -> set:
    with open(TRANSLATIONS / "messages.pot", "rb") as fh:
        return {m.id for m in read_po(fh) if m.id}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_catalog_is_complete(lang):
    catalog = _catalog(lang)
    messages = {m.id: m for m in catalog if m.id}
    missing = _template_ids() - set(messages)
    assert not missing, f"not in the {lang} catalog (run make update-messages): {sorted(map(str, missing))[:10]}"
    untranslated = [m.id for m in messages.values() if not (all(m.string) if isinstance(m.string, tuple) else m.string)]
    fuzzy = [m.id for m in messages.values() if m.fuzzy]
    assert not untranslated, f"untranslated in {lang}: {untranslated[:10]}"
    assert not fuzzy, f"fuzzy in {lang}: {fuzzy[:10]}"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_placeholders_survive_translation(lang):
    for message in _catalog(lang):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(ids[0]))
        for string in strings:
            # Plural forms may drop the number itself ("một mục"), never the other names.
            assert set(PLACEHOLDER.findall(string)) - {"num"} >= wanted - {"num"}, (message.id, string)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_catalog_compiles_without_errors(lang):
    # What `pybabel compile` checks: a stray "%" in a python-format message breaks it at run time.
    catalog = _catalog(lang)
    errors = [(message.id, [str(e) for e in found]) for message, found in catalog.check()]
    assert not errors, errors[:5]
