"""The about page's texts, taken from configuration in the reader's language."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

# (anchor, config key, heading): the order the page shows them in.
ABOUT_SECTIONS = (
    ("agency", "ABOUT_AGENCY", _l("Who keeps this registry")),
    ("contact", "ABOUT_CONTACT", _l("Contact")),
    ("licence", "ABOUT_DATA_LICENCE", _l("Data licence")),
    ("privacy", "ABOUT_PRIVACY", _l("Privacy")),
)


@dataclass(frozen=True)
class AboutSection:
    anchor: str
    heading: str
    paragraphs: list[str]
    lang: str


def _text_for(value: str | Mapping[str, str] | None, language: str) -> tuple[str, str]:
    """Return (text, its language): a dict picks the reader's language, else Vietnamese; a str is Vietnamese."""
    if isinstance(value, Mapping):
        if value.get(language):
            return value[language], language
        return value.get("vi") or next(iter(value.values()), ""), "vi"
    return value or "", "vi"


def about_sections(config: Mapping, language: str) -> list[AboutSection]:
    """Return the about page's sections that have text, each split into paragraphs on blank lines."""
    sections = []
    for anchor, key, heading in ABOUT_SECTIONS:
        text, lang = _text_for(config.get(key), language)
        paragraphs = [" ".join(p.split()) for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
        if paragraphs:
            sections.append(AboutSection(anchor=anchor, heading=str(heading), paragraphs=paragraphs, lang=lang))
    return sections
