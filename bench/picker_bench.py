"""Time the pickers' lookups on an instance's data (the demo data, or a bench corpus).

    REGISTRY_INSTANCE_PATH=/tmp/registry-bench .venv/bin/python bench/picker_bench.py

Prints, for each query, the time of the suggestions (what static/js/picker.js asks for as one types) and of the
lookup a form does on submit, and the first answers. On the demo data (14,156 units from load-admin-units) both
take 10–40 ms on SQLite, two queries each; the rest is building the labels (the units above each answer).
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

QUERIES = ("long bien", "Long Biên", "Quận Long Biên", "ba dinh", "ha", "Phường Long Biên — Thành phố Hà Nội",
           "Thành phố Hà Nội › Phường Long Biên", "hoan kiem", "Thừa Thiên Huế", "xa an", "zzzz")


def main() -> None:
    from registry import create_app
    from registry.catalog.unit_picker import unit_candidates, unit_lookup
    from registry.extensions import db
    from registry.workflow.entry_picker import entry_candidates

    app = create_app()
    with app.test_request_context("/?lang=vi"):
        unit_candidates("warm up")
        for q in QUERIES:
            db.session.expunge_all()
            start = time.perf_counter()
            ranked = unit_candidates(q)
            suggest_ms = (time.perf_counter() - start) * 1000
            db.session.expunge_all()
            start = time.perf_counter()
            unit, _candidates, problem = unit_lookup(q)
            lookup_ms = (time.perf_counter() - start) * 1000
            print(f"unit {q!r}: suggest {suggest_ms:.1f} ms, lookup {lookup_ms:.1f} ms; "
                  f"{[c.label for _r, c in ranked[:3]]} -> {unit.name if unit else problem}")
        for q in ("nguyen", "cay at", "Tuyến đường", "zzzz"):
            start = time.perf_counter()
            found = entry_candidates(None, q)
            print(f"entry {q!r}: {(time.perf_counter() - start) * 1000:.1f} ms; {[e.title for _s, e in found[:3]]}")


if __name__ == "__main__":
    main()
