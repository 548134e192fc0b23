"""The reference catalogues every installation starts with: topics and award titles."""
from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa

from registry.catalog.models import AwardLevel, AwardTitle, TitleCategory, Topic
from registry.catalog.operations import award_title_get_or_create, topic_get_or_create
from registry.extensions import db

DATA_DIR = Path(__file__).parent / "data"


def catalogues_load() -> tuple[int, int]:
    """Add the missing topics and award titles of the shipped catalogues; return how many were added."""
    topic_count = db.session.scalar(sa.select(sa.func.count(Topic.id)))
    for item in json.loads((DATA_DIR / "topics.json").read_text(encoding="utf-8")):
        topic = topic_get_or_create(item["name"], name_en=item.get("name_en"))
        if not topic.description and item.get("description"):
            topic.description = item["description"]
    title_count = db.session.scalar(sa.select(sa.func.count(AwardTitle.id)))
    for item in json.loads((DATA_DIR / "award_titles.json").read_text(encoding="utf-8")):
        title = award_title_get_or_create(item["name"])
        # Fill what an administrator has not set; never overwrite their edits.
        title.name_en = title.name_en or item.get("name_en")
        title.category = TitleCategory(item.get("category") or title.category or TitleCategory.COMMENDATION)
        title.applies_to = title.applies_to or item.get("applies_to") or []
        if title.default_level is None and item.get("default_level"):
            title.default_level = AwardLevel(item["default_level"])
        for key in ("issuing_office", "prerequisites", "legal_basis", "valid_years"):
            if getattr(title, key) is None and item.get(key) is not None:
                setattr(title, key, item[key])
    db.session.flush()
    return (
        db.session.scalar(sa.select(sa.func.count(Topic.id))) - topic_count,
        db.session.scalar(sa.select(sa.func.count(AwardTitle.id))) - title_count,
    )
