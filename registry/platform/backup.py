"""Backups while the app runs, and restores into a fresh or existing instance.

A backup holds the database (SQLite through its online backup API, PostgreSQL through ``pg_dump``), the photos,
the dossier documents and the instance's configuration (``config.py`` and ``secret_key``), with a ``manifest.json``
that names the schema revision, counts rows and gives the SHA-256 of every file. The search index is derived data
and is not included: a restore rebuilds it.

The database is copied first and the files after it. Files are stored by content hash and written before the row
that names them is committed, so every file the copied database refers to is already on disk when it is copied.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.engine import make_url

from registry.extensions import db

MANIFEST = "manifest.json"
SQLITE_NAME = "registry.sqlite3"
PG_DUMP_NAME = "registry.pgdump"
FORMAT_VERSION = 1
CONFIG_FILES = ("config.py", "secret_key")
# Tables whose row counts go in the manifest, so a restore can be compared at a glance.
COUNTED_TABLES = ("entry", "unit", "award", "photo", "topic", "user_account", "nomination", "attachment", "ballot",
                  "vote_record", "decision")


class BackupError(RuntimeError):
    """A backup or restore that cannot go on; ``message`` says why."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass
class BackupReport:
    path: Path
    manifest: dict


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _database_url():
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def _is_sqlite() -> bool:
    return _database_url().get_backend_name() == "sqlite"


def _libpq_url() -> str:
    # pg_dump speaks libpq URLs: no "+driver" in the scheme.
    url = _database_url().set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _sqlite_path() -> Path:
    database = _database_url().database
    if not database or database == ":memory:":
        raise BackupError(_l("An in-memory database cannot be backed up."))
    return Path(database)


def _copy_sqlite(source: Path, dest: Path) -> None:
    """Copy a live SQLite database page by page with its online backup API: a consistent snapshot."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(dest)
    try:
        src.backup(dst, pages=1024)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        dst.close()
        src.close()


def _copy_tree(source: Path, dest: Path) -> None:
    if not source.is_dir():
        return
    for path in sorted(source.rglob("*")):
        if path.is_file() and not path.name.startswith(".tmp-"):
            target = dest / path.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)


def _schema_revision_and_counts(connection) -> tuple[str | None, dict[str, int]]:
    tables = set(sa.inspect(connection).get_table_names())
    revision = None
    if "alembic_version" in tables:
        revision = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    counts = {t: connection.execute(sa.text(f'SELECT count(*) FROM "{t}"')).scalar_one()
              for t in COUNTED_TABLES if t in tables}
    return revision, counts


def backup_create(dest: Path) -> BackupReport:
    """Write a backup to ``dest``: a new directory, or a ``.tar.gz`` file when the name ends so."""
    dest = Path(dest)
    archive = dest.name.endswith((".tar.gz", ".tgz"))
    if dest.exists() and (archive or any(dest.iterdir())):
        raise BackupError(_l("%(path)s already exists; choose a new name.", path=dest))
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".backup-", dir=dest.parent)) if archive else dest
    staging.mkdir(parents=True, exist_ok=True)
    try:
        manifest = _fill(staging)
        if archive:
            tmp = dest.with_name(dest.name + ".part")
            with tarfile.open(tmp, "w:gz") as tar:
                for path in sorted(staging.rglob("*")):
                    tar.add(path, arcname=str(path.relative_to(staging)), recursive=False)
            os.replace(tmp, dest)
    except BaseException:
        if not archive:
            shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        if archive:
            shutil.rmtree(staging, ignore_errors=True)
    os.chmod(dest, 0o600 if archive else 0o700)
    return BackupReport(dest, manifest)


def _fill(staging: Path) -> dict:
    instance = Path(current_app.instance_path)
    if _is_sqlite():
        database = {"kind": "sqlite", "file": SQLITE_NAME}
        _copy_sqlite(_sqlite_path(), staging / SQLITE_NAME)
        engine = sa.create_engine(f"sqlite:///{staging / SQLITE_NAME}")
        try:
            with engine.connect() as connection:
                revision, counts = _schema_revision_and_counts(connection)
        finally:
            engine.dispose()
    else:
        database = {"kind": "postgresql", "file": PG_DUMP_NAME}
        pg_dump = shutil.which("pg_dump")
        if pg_dump is None:
            raise BackupError(_l("pg_dump was not found; install the PostgreSQL client tools."))
        # One snapshot for the whole dump; counts come from the live database just before.
        with db.engine.connect() as connection:
            revision, counts = _schema_revision_and_counts(connection)
        subprocess.run([pg_dump, "--format=custom", "--no-owner", "--file", str(staging / PG_DUMP_NAME),
                        "--dbname", _libpq_url()], check=True, capture_output=True)
    _copy_tree(Path(current_app.config["PHOTO_DIR"]), staging / "photos")
    _copy_tree(Path(current_app.config["PHOTO_HELD_DIR"]), staging / "photos-held")
    _copy_tree(Path(current_app.config["ATTACHMENT_DIR"]), staging / "attachments")
    for name in CONFIG_FILES:
        if (instance / name).is_file():
            (staging / "config").mkdir(exist_ok=True)
            shutil.copy2(instance / name, staging / "config" / name)
    files = {str(p.relative_to(staging)): _sha256(p) for p in sorted(staging.rglob("*")) if p.is_file()}
    manifest = {
        "format": FORMAT_VERSION,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "schema_revision": revision,
        "database": database,
        "counts": counts,
        "files": files,
        "search_index": "not included: rebuilt by restore",
    }
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    return manifest


# --- restore ------------------------------------------------------------------------------------

def _unpack(source: Path, into: Path) -> Path:
    if source.is_dir():
        return source
    if not tarfile.is_tarfile(source):
        raise BackupError(_l("%(path)s is neither a backup folder nor a .tar.gz backup.", path=source))
    with tarfile.open(source, "r:*") as tar:
        # The "data" filter refuses absolute paths, "..", links out of the folder and device files.
        tar.extractall(into, filter="data")
    return into


def backup_verify(folder: Path) -> dict:
    """Read the manifest and check every file's SHA-256; raise BackupError naming what is wrong."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise BackupError(_l("The backup has no readable manifest.json.")) from None
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(_l("This backup's format is not supported."))
    for name, digest in manifest.get("files", {}).items():
        path = (folder / name).resolve()
        if not path.is_relative_to(folder.resolve()) or not path.is_file():
            raise BackupError(_l("The backup lacks %(name)s.", name=name))
        if _sha256(path) != digest:
            raise BackupError(_l("%(name)s in the backup is damaged (its checksum differs).", name=name))
    return manifest


def _database_is_empty() -> bool:
    tables = set(sa.inspect(db.engine).get_table_names())
    if "entry" not in tables:
        return True
    with db.engine.connect() as connection:
        return not any(connection.execute(sa.text(f'SELECT count(*) FROM "{t}"')).scalar_one()
                       for t in ("entry", "user_account", "unit") if t in tables)


def backup_restore(source: Path, *, force: bool = False) -> dict:
    """Bring a backup back into this app's instance, then rebuild the search index; return the manifest."""
    source = Path(source)
    if not source.exists():
        raise BackupError(_l("%(path)s does not exist.", path=source))
    if not force and not _database_is_empty():
        raise BackupError(_l("The database already holds data; restore with --force to replace it."))
    with tempfile.TemporaryDirectory(prefix=".restore-", dir=Path(current_app.instance_path)) as tmp:
        folder = _unpack(source, Path(tmp))
        manifest = backup_verify(folder)
        kind = manifest["database"]["kind"]
        db.session.remove()
        db.engine.dispose()
        if kind == "sqlite":
            if not _is_sqlite():
                raise BackupError(_l("This SQLite backup cannot be restored into a PostgreSQL database."))
            src = sqlite3.connect(folder / manifest["database"]["file"])
            dst = sqlite3.connect(_sqlite_path(), timeout=30)
            try:
                src.backup(dst)
            finally:
                dst.close()
                src.close()
        else:
            if _is_sqlite():
                raise BackupError(_l("This PostgreSQL backup cannot be restored into SQLite."))
            pg_restore = shutil.which("pg_restore")
            if pg_restore is None:
                raise BackupError(_l("pg_restore was not found; install the PostgreSQL client tools."))
            subprocess.run([pg_restore, "--clean", "--if-exists", "--no-owner", "--dbname", _libpq_url(),
                            str(folder / manifest["database"]["file"])], check=True, capture_output=True)
        _copy_tree(folder / "photos", Path(current_app.config["PHOTO_DIR"]))
        if (folder / "photos-held").is_dir():
            _copy_tree(folder / "photos-held", Path(current_app.config["PHOTO_HELD_DIR"]))
        _copy_tree(folder / "attachments", Path(current_app.config["ATTACHMENT_DIR"]))
        instance = Path(current_app.instance_path)
        for name in CONFIG_FILES:
            saved = folder / "config" / name
            if saved.is_file() and (force or not (instance / name).exists() or name == "secret_key"):
                shutil.copy2(saved, instance / name)
    # A backup of an older release is brought up to this release's schema, then the index is rebuilt.
    from registry.entries.photo_store import photo_files_upkeep
    from registry.platform.database import upgrade_schema
    from registry.showcase.search_index import reindex_all
    from registry.workflow.documents import documents_upkeep

    if manifest.get("schema_revision"):
        upgrade_schema()
    # A backup of an earlier release may hold dossier pictures, or pictures of photos not public, among the public
    # photos.
    documents_upkeep()
    photo_files_upkeep()
    reindex_all()
    return manifest
