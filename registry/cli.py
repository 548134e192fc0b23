"""Command-line interface: `flask --app registry <command>`; commands call the same domain functions as the views."""
from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import with_appcontext
from flask_babel import gettext as _

from registry.extensions import db


def _import_summary(report) -> str:
    return _("%(created)d created, %(updated)d updated, %(unchanged)d unchanged.",
             created=report.created, updated=report.updated, unchanged=report.unchanged)


@click.command("init")
@with_appcontext
def init_command() -> None:
    """Create or upgrade the database schema, load the topic and title catalogues and keep dossier documents
    private (idempotent)."""
    from registry.catalog.seed import catalogues_load
    from registry.entries.photo_store import photo_files_upkeep
    from registry.platform.database import upgrade_schema
    from registry.workflow.documents import documents_upkeep

    upgrade_schema()
    topics, titles = catalogues_load()
    db.session.commit()
    click.echo(_("Database ready: %(topics)d topics, %(titles)d award titles added.", topics=topics, titles=titles))
    upkeep = documents_upkeep()
    if upkeep.moved or upkeep.public_removed or upkeep.unnamed_removed:
        click.echo(_("Dossier documents: %(moved)d moved into the private store, %(public)d removed from the public "
                     "photo store, %(unnamed)d files of unfinished uploads removed.", moved=upkeep.moved,
                     public=upkeep.public_removed, unnamed=upkeep.unnamed_removed))
    # Pictures of photos that are not public are kept out of the public store (a crash may have left one there).
    photo_files_upkeep()


@click.command("load-admin-units")
@with_appcontext
@click.option("--current-only", is_flag=True, help="Skip the former (pre-2025) districts and wards.")
@click.option("--if-needed", is_flag=True, help="Do nothing when the provinces are already loaded.")
def load_admin_units_command(current_only: bool, if_needed: bool) -> None:
    """Load the provinces and communes since the 2025 reform, and the former districts and wards."""
    from registry.catalog.admin_units import admin_units_load
    from registry.catalog.models import Unit

    if if_needed and db.session.scalar(sa.select(sa.func.count(Unit.id)).where(Unit.code.is_not(None))):
        click.echo(_("Administrative units already loaded."))
        return

    report = admin_units_load(include_historical=not current_only)
    db.session.commit()
    click.echo(str(report))


@click.command("demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Load only when the database holds no entries.")
def demo_command(if_empty: bool) -> None:
    """Load the demo data set (entries, units, awards, illustrative photos) and one demo account per role."""
    from registry.demo import demo_load
    from registry.entries.models import Entry

    if if_empty and db.session.scalar(sa.select(sa.func.count(Entry.id))):
        click.echo(_("The database already holds entries; demo data not loaded."))
        return
    report = demo_load()
    db.session.commit()
    click.echo(_("Demo data:") + " " + _import_summary(report))
    from registry.demo.accounts import demo_accounts_create

    accounts = demo_accounts_create()
    db.session.commit()
    if accounts:
        click.echo("")
        click.echo(_("DEMO ONLY: one account per role, each with a one-time password that must be changed at "
                     "the first sign-in. Never use these accounts on a real installation."))
        width = max(len(str(a.role.label)) for a in accounts)
        for account in accounts:
            click.echo(f"  {str(account.role.label):<{width}}  {account.email:<24}  {account.password}")


@click.command("import-records")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_records_command(file: Path) -> None:
    """Import entries from a JSON Lines file; nothing is imported if any line is wrong."""
    from registry.entries.records import ImportRejected, records_import

    try:
        report = records_import(file)
    except ImportRejected as exc:
        db.session.rollback()
        for problem in exc.problems:
            prefix = _("line %(line)d: ", line=problem.line) if problem.line else ""
            click.echo(f"{file}: {prefix}{problem.message}", err=True)
        raise click.ClickException(
            _("%(count)d problem(s) found; nothing was imported.", count=len(exc.problems))
        ) from None
    db.session.commit()
    click.echo(_("Imported:") + " " + _import_summary(report))


@click.command("export-records")
@with_appcontext
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def export_records_command(file: Path) -> None:
    """Export published entries (public fields only) to a JSON Lines file, in a stable order."""
    from registry.entries.records import records_export

    count = records_export(file)
    click.echo(_("Exported %(count)d entries to %(file)s.", count=count, file=file))


@click.command("reindex")
@with_appcontext
@click.option("--pending", is_flag=True, help="Only apply the changes waiting in the outbox.")
def reindex_command(pending: bool) -> None:
    """Rebuild the search index from the database (built aside, then swapped in)."""
    from registry.showcase.search_index import apply_pending, reindex_all, search_index
    from search.contract import IndexNotReady

    if pending:
        try:
            count = apply_pending()
            search_index().verify()
        except IndexNotReady:
            raise click.ClickException(_("The search index is missing or far behind the database, which pending "
                                         "changes cannot repair; run `flask --app registry reindex`.")) from None
        click.echo(_("%(count)d pending entries applied to the search index.", count=count))
        return
    count = reindex_all()
    # A full rebuild follows large changes: the query planner's statistics are refreshed with it.
    from registry.platform.database import refresh_statistics

    refresh_statistics()
    click.echo(_("Search index rebuilt: %(count)d entries.", count=count))


@click.command("search-check")
@with_appcontext
def search_check_command() -> None:
    """Report entries missing from, stale in, or wrongly present in the search index."""
    from registry.showcase.search_index import index_check

    missing, stale, extra = index_check()
    for label, ids in ((_("missing"), missing), (_("stale"), stale), (_("not public"), extra)):
        click.echo(f"{label}: {len(ids)}" + (f" ({', '.join(map(str, ids[:50]))})" if ids else ""))
    if missing or stale or extra:
        raise click.ClickException(_("The search index is out of step; run `flask --app registry reindex`."))
    click.echo(_("The search index is in step with the database."))


@click.command("create-user")
@with_appcontext
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--admin/--no-admin", default=True, help="Make the user an administrator (the default).")
def create_user_command(email: str, name: str, password: str, admin: bool) -> None:
    """Create a user, by default an administrator (for the first sign-in)."""
    from registry.accounts.models import Role
    from registry.accounts.operations import AccountError, user_add_role, user_create

    try:
        user = user_create(email=email, name=name, password=password)
    except AccountError as exc:
        raise click.ClickException(str(exc.message)) from None
    if admin:
        user_add_role(user, Role.ADMINISTRATOR)
    db.session.commit()
    click.echo(_("User %(email)s created.", email=user.email))


@click.command("doctor")
@with_appcontext
def doctor_command() -> None:
    """Check the installation (database, folders, disk, index, files, secrets) and say what to do."""
    from registry.platform.doctor import FAIL, OK, run_checks

    results = run_checks()
    for check in results:
        click.echo(f"[{check.status:<4}] {check.name}: {check.detail}")
        if check.status != OK and check.remedy:
            click.echo(f"       → {check.remedy}")
    failed = sum(c.status == FAIL for c in results)
    if failed:
        raise click.ClickException(_("%(count)d check(s) failed.", count=failed))
    click.echo(_("No check failed."))


@click.command("backup")
@with_appcontext
@click.argument("dest", type=click.Path(path_type=Path))
def backup_command(dest: Path) -> None:
    """Back up the database, photos, documents and configuration to DEST (a folder, or a .tar.gz file)."""
    from registry.platform.backup import BackupError, backup_create

    try:
        report = backup_create(dest)
    except BackupError as exc:
        raise click.ClickException(str(exc.message)) from None
    counts = ", ".join(f"{k} {v}" for k, v in report.manifest["counts"].items())
    click.echo(_("Backup written to %(path)s (%(files)d files; %(counts)s).", path=report.path,
                 files=len(report.manifest["files"]), counts=counts))


@click.command("restore")
@with_appcontext
@click.argument("src", type=click.Path(exists=True, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already holds data.")
def restore_command(src: Path, force: bool) -> None:
    """Restore a backup into this instance (REGISTRY_INSTANCE_PATH), then rebuild the search index."""
    from registry.platform.backup import BackupError, backup_restore

    try:
        manifest = backup_restore(src, force=force)
    except BackupError as exc:
        raise click.ClickException(str(exc.message)) from None
    click.echo(_("Restored the backup of %(created)s; the search index has been rebuilt. Restart the app so it "
                 "uses the restored configuration.", created=manifest["created_at"]))


def init_app(app: Flask) -> None:
    """Register the commands with the app."""
    for command in (
        init_command, load_admin_units_command, demo_command, import_records_command, export_records_command,
        reindex_command, search_check_command,
        create_user_command, doctor_command, backup_command, restore_command,
    ):
        app.cli.add_command(command)
