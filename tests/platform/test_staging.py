"""A worker killed mid-upload leaves a temporary file: the next start and `doctor` remove it once it is stale,
never one that an upload running elsewhere is still writing."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from registry import create_app
from registry.platform.staging import STALE_AFTER
from tests.support.commands import doctor

ROOT = Path(__file__).resolve().parents[2]

# The child stores a photo or a PDF and is killed (SIGKILL: no cleanup runs) as the file is about to be written.
CHILD = textwrap.dedent("""
    import os, signal, sys
    from PIL import Image
    from registry import create_app
    from pathlib import Path
    from registry.workflow.documents import store_document
    from registry.entries.photos import store_image
    from tests.support.files import jpeg_bytes
    from tests.support.files import PDF

    def killed(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)

    app = create_app({"TESTING": True})
    with app.app_context():
        if sys.argv[1] == "photo":
            photo = jpeg_bytes()
            Image.Image.save = killed
            store_image(photo, root=Path(app.config["PHOTO_DIR"]))
        else:
            os.fsync = killed
            store_document(PDF, "to-trinh.pdf")
""")


def temporary_files(app) -> list[Path]:
    return sorted(path for key in ("PHOTO_DIR", "ATTACHMENT_DIR") for path in Path(app.config[key]).rglob(".tmp-*"))


def age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


@pytest.mark.parametrize("kind, store", [("photo", "PHOTO_DIR"), ("document", "ATTACHMENT_DIR")])
def test_a_start_removes_what_a_killed_upload_left_once_it_is_stale(app, kind, store):
    env = {**os.environ, "REGISTRY_INSTANCE_PATH": app.instance_path, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", CHILD, kind], env=env, cwd=ROOT, capture_output=True, timeout=120)
    assert result.returncode == -9, result.stderr.decode()
    left = temporary_files(app)
    # One place per store, where a start finds it at a glance.
    assert [p.parent for p in left] == [Path(app.config[store]) / ".tmp"], left
    create_app({"TESTING": True})
    assert temporary_files(app) == left  # it could be an upload still running in another worker
    age(left[0], STALE_AFTER.total_seconds() + 60)
    create_app({"TESTING": True})
    assert temporary_files(app) == []


def test_doctor_removes_stale_temporary_files_anywhere_in_the_stores_and_keeps_fresh_ones(app):
    photos, documents = Path(app.config["PHOTO_DIR"]), Path(app.config["ATTACHMENT_DIR"])
    stale = [photos / ".tmp" / ".tmp-a1b2", photos / "ab" / ("ab" + "0" * 62) / ".tmp-c3d4.webp",  # an older layout
             documents / "cd" / ".tmp-e5f6"]
    fresh = documents / ".tmp" / ".tmp-g7h8"
    for path in [*stale, fresh]:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"")
    for path in stale:
        age(path, STALE_AFTER.total_seconds() + 60)
    result, lines = doctor(app)
    assert lines["temporary files"].startswith("[OK") and "removed 3" in lines["temporary files"], result.output
    assert temporary_files(app) == [fresh]
    result, lines = doctor(app)
    assert "none left" in lines["temporary files"]
