"""The wording the papers share: what a round confers, the recipients counted and listed."""
from __future__ import annotations

from decimal import Decimal

from registry.catalog.models import AwardTitle, TitleCategory
from registry.entries.models import EntryKind
from registry.workflow.models import Nomination

KIND_LABELS = {EntryKind.INDIVIDUAL: "Cá nhân", EntryKind.COLLECTIVE: "Tập thể",
               EntryKind.INITIATIVE: "Mô hình, sáng kiến"}
# How a decision counts its recipients: "02 cá nhân, 01 tập thể và 01 mô hình".
KIND_WORDS = {EntryKind.INDIVIDUAL: "cá nhân", EntryKind.COLLECTIVE: "tập thể", EntryKind.INITIATIVE: "mô hình"}


def award_phrase(title: AwardTitle, year: int) -> str:
    """What the decision does: "tặng danh hiệu “Chiến sĩ thi đua cơ sở” năm 2025", "tặng Giấy khen"…"""
    if title.category == TitleCategory.COMMENDATION:
        return f"tặng {title.name}"
    if title.category == TitleCategory.LOCAL_PROGRAMME:
        return f"công nhận danh hiệu “{title.name}” năm {year}"
    return f"tặng danh hiệu “{title.name}” năm {year}"


def count_phrase(nominations: list[Nomination]) -> str:
    """"02 cá nhân và 01 tập thể": the recipients counted by kind, two digits as decisions write them."""
    counts: dict[str, int] = {}
    for nomination in sorted(nominations, key=lambda n: list(KIND_WORDS).index(n.entry.kind)):
        kind = KIND_WORDS[nomination.entry.kind]
        counts[kind] = counts.get(kind, 0) + 1
    parts = [f"{n:02d} {kind}" for kind, n in counts.items()]
    return " và ".join([", ".join(parts[:-1]), parts[-1]] if len(parts) > 1 else parts)


def kinds_phrase(nominations: list[Nomination]) -> str:
    """"cá nhân, tập thể": the kinds of recipient on the list."""
    present = {n.entry.kind for n in nominations}
    kinds = [word for kind, word in KIND_WORDS.items() if kind in present]
    return ", ".join(kinds) or "cá nhân, tập thể"


def annex_rows(nominations: list[Nomination]) -> list[list[str]]:
    """One row per recipient: number, name, unit, kind. Public facts only: no phone, address or ID number."""
    return [[str(i), n.entry.title, n.unit.name, KIND_LABELS.get(n.entry.kind, "")]
            for i, n in enumerate(nominations, start=1)]




def percent(value) -> str:
    """"66,67": a percentage as Vietnamese writes it (comma for decimals, no trailing zeros)."""
    number = Decimal(str(value)).normalize()
    text = format(number, "f")
    return text.replace(".", ",")
