"""Fill a fresh instance with a large, realistic registry for load benchmarks.

    .venv/bin/python bench/app_corpus.py --instance /tmp/registry-bench --n 100000

Units are the real administrative tree (`load-admin-units`) plus generated mass organisations,
police and schools under every current commune; texts come from bench/corpus.py's generator;
topics and award titles are the shipped catalogues; a few hundred distinct photos are stored
through the real pipeline and reused. Rows go in through SQLAlchemy Core in batches, then the
search index is rebuilt. Each step prints its time.
"""
from __future__ import annotations

import argparse
import io
import itertools
import os
import random
import sys
import time
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BATCH = 5_000
# What every current commune gets below it, as (name prefix, kind).
ORGANISATIONS = (
    ("Đoàn Thanh niên", "youth_union"), ("Hội Liên hiệp Phụ nữ", "womens_union"),
    ("Hội Cựu chiến binh", "veterans"), ("Hội Nông dân", "farmers"), ("Công an", "police"),
    ("Trường Tiểu học", "school"),
)


@contextmanager
def step(label: str):
    """Print how long a step took."""
    start = time.perf_counter()
    print(f"{label}…", end=" ", flush=True)
    yield
    print(f"{time.perf_counter() - start:.1f} s", flush=True)


def _image(rng: random.Random) -> bytes:
    """A small JPEG of coloured shapes, different for every call."""
    from PIL import Image, ImageDraw

    width, height = rng.choice([(960, 640), (800, 600), (640, 800), (1024, 576)])
    img = Image.new("RGB", (width, height), tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(img)
    for _ in range(12):
        x, y = rng.randrange(width), rng.randrange(height)
        r = rng.randrange(20, 200)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rng.randrange(256) for _ in range(3)))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85)
    return buf.getvalue()


def _insert(table, rows: list[dict]) -> None:
    from registry.extensions import db

    for start in range(0, len(rows), BATCH):
        db.session.execute(table.insert(), rows[start:start + BATCH])


def build(n: int, photos: int, seed: int) -> None:
    """Load units, catalogues, photos and ``n`` entries into the current app's database, then reindex."""
    import sqlalchemy as sa
    from flask import current_app

    from bench.corpus import TOPICS, generate
    from registry.catalog.admin_units import admin_units_load
    from registry.catalog.folding import fold_name
    from registry.catalog.models import AdminLevel, AwardTitle, Topic, Unit, UnitKind
    from registry.catalog.seed import catalogues_load
    from registry.entries.models import Award, Entry, Photo, entry_topic
    from registry.entries.photos import store_image
    from registry.extensions import db
    from registry.platform import data_version
    from registry.platform.collation import sort_key
    from registry.platform.database import refresh_statistics, upgrade_schema
    from registry.platform.slugs import make_slug
    from registry.showcase.search_index import reindex_all

    rng = random.Random(seed)
    with step("schema and catalogues"):
        upgrade_schema()
        catalogues_load()
        db.session.commit()
    if db.session.scalar(sa.select(sa.func.count(Entry.id))):
        sys.exit("The instance already holds entries; give a fresh --instance folder.")
    if not db.session.scalar(sa.select(sa.func.count(Unit.id)).where(Unit.code.is_not(None))):
        with step("administrative units"):
            admin_units_load(include_historical=True)
            db.session.commit()

    communes = db.session.execute(
        sa.select(Unit.id, Unit.name).where(Unit.level == AdminLevel.COMMUNE, Unit.valid_to.is_(None))
        .order_by(Unit.id)
    ).all()
    former = list(db.session.scalars(sa.select(Unit.id).where(Unit.valid_to.is_not(None))))
    provinces = list(db.session.scalars(
        sa.select(Unit.id).where(Unit.level == AdminLevel.PROVINCE, Unit.valid_to.is_(None))))
    with step(f"organisations under {len(communes):,} communes"):
        rows = []
        for commune_id, commune_name in communes:
            place = commune_name[0].lower() + commune_name[1:]
            for prefix, kind in ORGANISATIONS:
                name = f"{prefix} {place}"
                rows.append({"name": name, "name_key": fold_name(name), "slug": make_slug(name), "kind": UnitKind(kind),
                             "level": AdminLevel.COMMUNE, "parent_id": commune_id})
        _insert(Unit.__table__, rows)
        db.session.commit()
    organisations: dict[int, list[int]] = {}
    for unit_id, parent_id in db.session.execute(
            sa.select(Unit.id, Unit.parent_id).where(Unit.kind != UnitKind.ADMINISTRATIVE)):
        organisations.setdefault(parent_id, []).append(unit_id)

    with step(f"{photos} distinct photos"):
        stored = [store_image(_image(rng), root=Path(current_app.config["PHOTO_DIR"])) for _ in range(photos)]

    topics = list(db.session.scalars(sa.select(Topic.id).order_by(Topic.id)))
    titles = db.session.execute(sa.select(AwardTitle.id, AwardTitle.default_level).order_by(AwardTitle.id)).all()
    # Busy communes hold many entries, most hold a few (the corpus' Zipf over units, applied to real ones).
    shuffled = list(communes)
    rng.shuffle(shuffled)
    cum_weights = list(itertools.accumulate(1.0 / (i + 1) ** 0.7 for i in range(len(shuffled))))

    def pick_unit() -> int:
        roll = rng.random()
        if roll < 0.03:
            return rng.choice(provinces)
        if roll < 0.06:
            return rng.choice(former)
        commune_id = rng.choices(shuffled, cum_weights=cum_weights)[0][0]
        if roll < 0.45:
            return commune_id
        return rng.choice(organisations.get(commune_id) or [commune_id])

    entry_rows: list[dict] = []
    topic_rows: list[dict] = []
    award_rows: list[dict] = []
    photo_rows: list[dict] = []
    inserted = 0

    def flush() -> None:
        nonlocal inserted
        _insert(Entry.__table__, entry_rows)
        _insert(entry_topic, topic_rows)
        _insert(Award.__table__, award_rows)
        _insert(Photo.__table__, photo_rows)
        inserted += len(entry_rows)
        for rows_ in (entry_rows, topic_rows, award_rows, photo_rows):
            rows_.clear()

    started = time.perf_counter()
    with step(f"{n:,} entries with topics, awards and photos"):
        for doc in generate(n, seed):
            entry_id = doc["id"]
            published = rng.random() < 0.95
            entry_rows.append({
                "id": entry_id, "ref": doc["ref"], "kind": doc["kind"], "title": doc["title"][:300],
                "slug": make_slug(doc["title"]), "title_sort": sort_key(doc["title"]),
                "summary": doc["summary"], "story": doc["body"], "unit_id": pick_unit(), "year": doc["year"],
                "status": "published" if published else "draft",
                "published_at": doc["published"] if published else None,
                "created_at": doc["published"], "updated_at": doc["published"],
            })
            chosen = {topics[TOPICS.index(slug) % len(topics)] for slug in doc["topics"]}
            topic_rows.extend({"entry_id": entry_id, "topic_id": t} for t in chosen)
            for number in range(len(doc["awards"]) + (rng.random() < 0.1)):
                title_id, default_level = titles[rng.randrange(len(titles))]
                year = min(2100, doc["year"] + rng.randrange(2))
                award_rows.append({
                    "entry_id": entry_id, "title_id": title_id,
                    "level": default_level or doc["levels"][0], "year": year, "award_kind": "achievement",
                    "decision_number": f"{rng.randrange(1, 5000)}/QĐ-UBND",
                    "decision_date": date(year, 1, 1) + timedelta(days=rng.randrange(360)),
                })
            if rng.random() < 0.35:
                for position in range(1 + (rng.random() < 0.2)):
                    image = stored[rng.randrange(len(stored))]
                    photo_rows.append({
                        "entry_id": entry_id, "sha256": image.sha256, "position": position,
                        "alt": doc["title"][:300], "width": image.width, "height": image.height,
                        "source_format": image.format, "is_illustration": False,
                        "renditions": {k: [r.width, r.height] for k, r in image.renditions.items()},
                    })
            if len(entry_rows) >= BATCH:
                flush()
        flush()
        # Core inserts skip the ORM's hooks, so the caches are told here.
        data_version.bump(db.session)
        db.session.commit()
    print(f"  {inserted / (time.perf_counter() - started):,.0f} entries/s")
    with step("planner statistics (ANALYZE)"):
        refresh_statistics()
    with step("search index rebuilt"):
        count = reindex_all()
    print(f"  {count:,} published entries indexed")
    for label, model in (("units", Unit), ("entries", Entry), ("awards", Award), ("photos", Photo)):
        print(f"  {label}: {db.session.scalar(sa.select(sa.func.count()).select_from(model)):,}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--instance", default="/tmp/registry-bench", help="a fresh instance folder")
    ap.add_argument("--n", type=int, default=100_000, help="entries to generate")
    ap.add_argument("--photos", type=int, default=300, help="distinct photos, reused across entries")
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    os.environ["REGISTRY_INSTANCE_PATH"] = str(Path(args.instance).resolve())
    from registry import create_app

    app = create_app({"SEARCH_SYNC": False})
    total = time.perf_counter()
    with app.app_context():
        build(args.n, args.photos, args.seed)
    print(f"total {time.perf_counter() - total:.1f} s")


if __name__ == "__main__":
    main()
