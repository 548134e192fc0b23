"""Files of the photo and document stores, written whole or not at all through each store's staging folder."""
from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO

from flask import Flask

logger = logging.getLogger(__name__)

TEMP_PREFIX = ".tmp-"
# One folder per store, on the store's own disk so the final rename is atomic. A worker killed mid-upload
# leaves its temporary file here, where a glance finds it, rather than somewhere among a million photos.
STAGING_FOLDER = ".tmp"
# Older than any upload takes (gunicorn stops a request after GUNICORN_TIMEOUT, 60 s by default): a file
# this old belongs to no upload still running, on this server or another sharing the folder.
STALE_AFTER = timedelta(hours=1)
STORE_FOLDERS = ("PHOTO_DIR", "ATTACHMENT_DIR")


def write_whole(dest: Path, *, root: Path, write: Callable[[BinaryIO], object], mode: int) -> None:
    """Write ``dest`` (a file under the store ``root``) so that readers see all of it or none."""
    staging = Path(root) / STAGING_FOLDER
    staging.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=staging)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, dest)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise


def _temp_files(root: Path, *, everywhere: bool) -> Iterator[Path]:
    if everywhere:  # also beside the stored files, where versions before the staging folder wrote them
        for folder, _subfolders, names in os.walk(root):
            yield from (Path(folder) / name for name in names if name.startswith(TEMP_PREFIX))
    elif (root / STAGING_FOLDER).is_dir():
        yield from (path for path in (root / STAGING_FOLDER).iterdir() if path.name.startswith(TEMP_PREFIX))


def stale_temp_files_remove(roots: Iterable[Path], *, everywhere: bool = False) -> tuple[int, list[str]]:
    """Remove temporary files older than STALE_AFTER from the stores' staging folders (or the whole stores)."""
    # Returns how many were removed, and the ones that could not be with the reason.
    removed, failed = 0, []
    cutoff = time.time() - STALE_AFTER.total_seconds()
    for root in roots:
        for path in _temp_files(Path(root), everywhere=everywhere):
            try:
                if path.lstat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
            except FileNotFoundError:
                pass  # another server of the same folders removed it first
            except OSError as exc:
                failed.append(f"{path}: {exc.strerror or type(exc).__name__}")
    return removed, failed


def store_folders(app: Flask) -> list[Path]:
    """The folders the app stores uploaded files in."""
    return [Path(app.config[key]) for key in STORE_FOLDERS]


def init_app(app: Flask) -> None:
    """Remove what killed uploads left in the staging folders; a start never fails over it."""
    try:
        removed, failed = stale_temp_files_remove(store_folders(app))
    except OSError as exc:  # e.g. a store on a mount that is not there yet
        removed, failed = 0, [str(exc)]
    if removed:
        logger.info("removed %d stale temporary files left by interrupted uploads", removed)
    if failed:
        logger.warning("could not remove stale temporary files: %s", "; ".join(failed[:5]))
