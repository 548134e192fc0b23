"""A minimal registry document for index tests."""

from __future__ import annotations

from datetime import datetime


def doc(i: int, title: str, **kw: object) -> dict:
    """Return a public document with defaults for every field the index reads."""
    base = {
        "id": i,
        "ref": None,
        "kind": "individual",
        "title": title,
        "summary": "",
        "body": "",
        "year": 2021,
        "unit_ids": [1],
        "unit_names": "",
        "topics": [],
        "awards": [],
        "levels": [],
        "visibility": "public",
        "published": datetime(2021, 1, i % 28 + 1),
        "stamp": f"s{i}",
    }
    base.update(kw)
    return base
