"""`flask --app registry doctor`: check an installation and say, for each problem, what to do about it."""
from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from registry.extensions import db
from registry.platform.staging import stale_temp_files_remove, store_folders

OK, WARN, FAIL = "OK", "WARN", "FAIL"
# Keys someone might copy from a tutorial; any of them signs forgeable sessions.
KNOWN_WEAK_KEYS = {"dev", "development", "secret", "changeme", "change-me", "change me", "your-secret-key",
                   "secret-key", "supersecret", "test", "testing", "default", "registry"}


@dataclass
class Check:
    """The outcome of one check: its status, what was found and, unless OK, the remedy."""

    name: str
    status: str
    detail: str
    remedy: str = ""


def _schema_heads() -> tuple[str | None, set[str]]:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    migrate = current_app.extensions["migrate"]
    config = migrate.migrate.get_config(migrate.directory)
    heads = set(ScriptDirectory.from_config(config).get_heads())
    with db.engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    return current, heads


def check_database() -> Check:
    """The database answers and its schema is at the latest migration."""
    name = _("database")
    try:
        db.session.execute(sa.text("SELECT 1"))
        current, heads = _schema_heads()
    except Exception as exc:
        db.session.rollback()
        return Check(name, FAIL, _("cannot be reached (%(error)s)", error=type(exc).__name__),
                     _("Check DATABASE_URL (or the SQLite file in the instance folder) and that the database server "
                       "is running; restore from a backup with `flask --app registry restore` if the file is damaged."))
    if current is None:
        return Check(name, FAIL, _("reachable, but the schema has no migration version"),
                     _("Run `flask --app registry init` to create or upgrade the schema."))
    if current not in heads:
        return Check(name, FAIL, _("schema at %(current)s, the code expects %(heads)s",
                                   current=current, heads=", ".join(sorted(heads))),
                     _("Run `flask --app registry init` to upgrade the schema."))
    return Check(name, OK, _("reachable, schema at the latest migration (%(rev)s)", rev=current))


def _writable(folder: Path) -> str | None:
    """None if a file can be created and removed in ``folder``; else the reason."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".doctor-", dir=folder)
        os.write(fd, b"probe")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    return None


def check_instance_writable() -> Check:
    """The instance folder and the folders the app writes into accept new files."""
    name = _("instance folder")
    instance = Path(current_app.instance_path)
    folders = [instance] + store_folders(current_app)
    problems = [f"{folder}: {reason}" for folder in folders if (reason := _writable(folder))]
    if problems:
        return Check(name, FAIL, _("not writable: %(problems)s", problems="; ".join(problems)),
                     _("Give the user running the app write access to these folders, and check that the disk is "
                       "not mounted read-only. Until then uploads and edits fail; public pages keep working."))
    return Check(name, OK, _("%(path)s is writable", path=instance))


def check_temporary_files() -> Check:
    """No temporary file of an interrupted upload is left in the photo and document stores (stale ones go)."""
    name = _("temporary files")
    try:
        removed, failed = stale_temp_files_remove(store_folders(current_app), everywhere=True)
    except OSError as exc:
        removed, failed = 0, [exc.strerror or type(exc).__name__]
    if failed:
        return Check(name, WARN, _("%(count)d left by interrupted uploads could not be removed: %(files)s",
                                   count=len(failed), files="; ".join(failed[:3])),
                     _("Give the user running the app write access to the photo and attachment folders, or remove "
                       "these files by hand (they are never part of a stored photo or document)."))
    if removed:
        return Check(name, OK, _("removed %(count)d left by interrupted uploads", count=removed))
    return Check(name, OK, _("none left by interrupted uploads"))


def check_disk_space() -> Check:
    """Enough free space for uploads, the index and backups."""
    name = _("free disk space")
    usage = shutil.disk_usage(current_app.instance_path)
    free_mb = usage.free // (1024 * 1024)
    detail = _("%(free)d MB free on the instance folder's disk", free=free_mb)
    remedy = _("Free some space (old backups, logs) or move the instance folder to a larger disk "
               "(REGISTRY_INSTANCE_PATH).")
    if free_mb < current_app.config["DISK_FREE_FAIL_MB"]:
        return Check(name, FAIL, detail, remedy)
    if free_mb < current_app.config["DISK_FREE_WARN_MB"]:
        return Check(name, WARN, detail, remedy)
    return Check(name, OK, detail)


def check_search_index() -> Check:
    """The search index opens and holds exactly the published entries, as they are now."""
    from registry.showcase.models import IndexOutbox
    from registry.showcase.search_index import (
        SearchIndexBehind,
        check_in_step,
        index_check,
        search_backend,
        search_index,
    )
    from search.contract import IndexMissing

    name = _("search index")
    postgres = search_backend() == "postgres"
    backend = "PostgreSQL" if postgres else "Whoosh"
    rebuild = _("Run `flask --app registry reindex` to build it from the database (search answers 503 until "
                "then, the other pages keep working).")
    try:
        documents = len(search_index().doc_ids_and_stamps())
    except IndexMissing:
        return Check(name, FAIL, _("missing: %(path)s holds no index", path=current_app.config["SEARCH_INDEX_DIR"]),
                     rebuild)
    except Exception as exc:
        if postgres:
            return Check(name, FAIL, _("%(backend)s: the search tables cannot be read (%(error)s)",
                                       backend=backend, error=type(exc).__name__),
                         _("Run `flask --app registry init` to create them, then `flask --app registry reindex` "
                           "(search is unavailable until then, the other pages keep working)."))
        return Check(name, FAIL, _("cannot be opened (%(error)s)", error=type(exc).__name__),
                     _("Rebuild it with `flask --app registry reindex` (the database is not affected; search is "
                       "unavailable until then, the other pages keep working)."))
    try:
        check_in_step(documents)
        missing, stale, extra = index_check()
        queued = db.session.scalar(sa.select(IndexOutbox.id).limit(1)) is not None
    except SearchIndexBehind as behind:
        return Check(name, FAIL, _("%(backend)s, far behind the database: %(documents)d documents for %(published)d "
                                   "published entries", backend=backend, documents=behind.documents,
                                   published=behind.published), rebuild)
    except Exception as exc:
        db.session.rollback()
        return Check(name, WARN, _("opens, but was not compared with the database (%(error)s)",
                                   error=type(exc).__name__), _("Fix the database check first."))
    if missing or stale or extra:
        # Only changes waiting in the outbox can be applied alone; anything else needs the whole rebuild.
        return Check(name, WARN, _("out of step: %(missing)d missing, %(stale)d stale, %(extra)d not public",
                                   missing=len(missing), stale=len(stale), extra=len(extra)),
                     _("Run `flask --app registry reindex --pending` to apply the changes waiting in the outbox, "
                       "then `doctor` again; if it still warns, `reindex`.") if queued else
                     _("Run `flask --app registry reindex`."))
    return Check(name, OK, _("%(backend)s, in step with the database", backend=backend))


def missing_files() -> tuple[list[str], list[str]]:
    """Photo renditions and dossier documents that the database names but the disk lacks."""
    from registry.entries.models import Photo
    from registry.entries.photos import RENDITION_NAMES, photo_dir, rendition_path, stored_rendition
    from registry.workflow.documents import document_path
    from registry.workflow.models import Attachment, Decision

    root = photo_dir()
    photos = []
    for sha in db.session.scalars(sa.select(Photo.sha256).distinct()):
        if any(not stored_rendition(sha, r).is_file() for r in RENDITION_NAMES):
            photos.append(sha)
    documents = []
    rows = list(db.session.execute(sa.select(Attachment.sha256, Attachment.file_type)))
    rows += [(sha, kind) for sha, kind in db.session.execute(
        sa.select(Decision.scan_sha256, Decision.scan_type).where(Decision.scan_sha256.is_not(None)))]
    for sha, file_type in rows:
        # A picture an earlier release kept among the photos is there, only not private yet (check_documents).
        earlier = file_type == "image" and rendition_path(root, sha, "original").is_file()
        if not document_path(sha, file_type).is_file() and not earlier:
            documents.append(sha)
    return sorted(set(photos)), sorted(set(documents))


def check_files() -> Check:
    """Every photo and document the database refers to exists on disk."""
    name = _("photo and document files")
    try:
        photos, documents = missing_files()
    except Exception as exc:
        db.session.rollback()
        return Check(name, WARN, _("not checked (%(error)s)", error=type(exc).__name__),
                     _("Fix the database check first."))
    if photos or documents:
        return Check(name, FAIL, _("%(photos)d photos and %(documents)d documents are missing on disk, e.g. %(first)s",
                                   photos=len(photos), documents=len(documents), first=(photos + documents)[0]),
                     _("Restore the photos/ and attachments/ folders from a backup (`flask --app registry restore`). "
                       "Pages still render; the missing pictures answer 404."))
    return Check(name, OK, _("every photo and document referred to exists"))


def check_documents() -> Check:
    """Dossier documents are kept only in the private store, and every file there belongs to a dossier or decision."""
    from registry.workflow.documents import UNUSED_GRACE_SECONDS, public_copies, unnamed_documents

    name = _("private dossier documents")
    try:
        public = public_copies()
        unnamed = unnamed_documents(older_than=UNUSED_GRACE_SECONDS)
    except Exception as exc:
        db.session.rollback()
        return Check(name, WARN, _("not checked (%(error)s)", error=type(exc).__name__),
                     _("Fix the database check first."))
    if public:
        return Check(name, FAIL, _("%(count)d dossier pictures can still be fetched from the public photo store, "
                                   "e.g. %(first)s", count=len(public), first=public[0]),
                     _("Run `flask --app registry init`: it moves them into the private document store."))
    if unnamed:
        return Check(name, WARN, _("%(count)d files in the document store belong to no dossier, e.g. %(first)s",
                                   count=len(unnamed), first=unnamed[0].name),
                     _("Run `flask --app registry init`: it removes them (uploads that never completed)."))
    return Check(name, OK, _("kept apart from the public photos, each belonging to a dossier or a decision"))


def check_secret_key() -> Check:
    """The key that signs sessions is long, random and not a well-known value."""
    name = _("secret key")
    key = str(current_app.config.get("SECRET_KEY") or "")
    if not key or key.lower() in KNOWN_WEAK_KEYS or len(key) < 32 or len(set(key)) < 10:
        return Check(name, FAIL, _("missing, short or a well-known value"),
                     _("Set SECRET_KEY to at least 32 random bytes, e.g. the output of "
                       "`python -c 'import secrets; print(secrets.token_hex(32))'`, or unset it so a random key is "
                       "kept in the instance folder."))
    if not os.environ.get("SECRET_KEY"):
        return Check(name, OK, _("random, kept in the instance folder (secret_key)"))
    return Check(name, OK, _("set from the environment"))


def check_cookies() -> Check:
    """Behind TLS, session cookies are marked Secure."""
    name = _("cookies")
    behind_tls = current_app.config.get("PREFERRED_URL_SCHEME") == "https"
    behind_proxy = int(current_app.config.get("TRUSTED_PROXY_COUNT") or 0) > 0
    secure = current_app.config.get("SESSION_COOKIE_SECURE") and current_app.config.get("REMEMBER_COOKIE_SECURE")
    remedy = _("Set SESSION_COOKIE_SECURE=1 so session cookies travel over HTTPS only.")
    if secure:
        return Check(name, OK, _("session cookies are sent over HTTPS only"))
    if behind_tls:
        return Check(name, FAIL, _("the site is served over HTTPS but session cookies are not marked Secure"), remedy)
    if behind_proxy:
        return Check(name, WARN, _("behind a proxy, but session cookies are not marked Secure"), remedy)
    return Check(name, OK, _("plain HTTP (development): cookies are not marked Secure"))


CHECKS: tuple[Callable[[], Check], ...] = (
    check_database, check_instance_writable, check_temporary_files, check_disk_space, check_search_index, check_files,
    check_documents, check_secret_key, check_cookies,
)


def run_checks() -> list[Check]:
    """Run every check; a check that breaks is reported as failed, never stops the others."""
    results = []
    for check in CHECKS:
        try:
            results.append(check())
        except Exception as exc:
            results.append(Check(check.__name__.removeprefix("check_").replace("_", " "), FAIL,
                                 _("the check itself failed (%(error)s)", error=type(exc).__name__)))
    return results
