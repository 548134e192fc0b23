"""Statistics views: pick the scope, ask the selectors, render tables with charts or CSV."""
from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _

from registry.catalog.models import Unit
from registry.extensions import db
from registry.platform.i18n import current_language
from registry.platform.slugs import make_slug
from registry.platform.vietnam_time import today_in_vietnam
from registry.showcase.charts import bar_chart
from registry.showcase.exports import rows_csv
from registry.showcase.statistics import award_years, statistics_table, statistics_tables, year_report

bp = Blueprint("stats", __name__, url_prefix="/statistics")


def _scope() -> Unit | None:
    """The unit named by ?unit=, None for all units; an unknown unit is a 404."""
    raw = request.args.get("unit")
    if raw in (None, ""):
        return None
    unit = db.session.get(Unit, int(raw)) if raw.isdigit() and int(raw) < 2**63 else None
    if unit is None:
        abort(404)
    return unit


def _csv(header, rows, name: str) -> Response:
    response = Response(rows_csv(header, rows), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@bp.get("")
def index():
    """Entries and awards by year, unit, topic, title and level, as charts with their tables."""
    scope = _scope()
    tables = statistics_tables(scope, current_language())
    charts = {t.name: bar_chart(t, ident=t.name) for t in tables}
    return render_template("stats/index.html", scope=scope, tables=tables, charts=charts, years=award_years())


@bp.get("/<name>.csv")
def table_csv(name: str):
    """One table of the statistics page as CSV (UTF-8 with BOM, for Excel)."""
    scope = _scope()
    table = statistics_table(name, scope, current_language())
    if table is None:
        abort(404)
    header, rows = table.csv_rows()
    suffix = f"-{make_slug(scope.name, max_length=40)}" if scope else ""
    return _csv(header, rows, f"statistics-{name}{suffix}")


def _report_year() -> int:
    years = award_years()
    try:
        year = int(request.args.get("year", ""))
    except ValueError:
        year = years[0] if years else today_in_vietnam().year
    if not 1945 <= year <= 2100:
        abort(404)
    return year


@bp.get("/report")
def report():
    """The yearly report: awards of a year by title × level and by unit × level, revoked ones apart."""
    scope, year = _scope(), _report_year()
    result = year_report(year, scope, current_language())
    charts = {t.name: bar_chart(t, ident=t.name) for t in (result.by_title, result.by_unit)}
    return render_template("stats/report.html", scope=scope, report=result, charts=charts, years=award_years())


@bp.get("/report.csv")
def report_csv():
    """The yearly report as one row per unit, title and level."""
    scope, year = _scope(), _report_year()
    result = year_report(year, scope, current_language())
    header = [_("Year"), _("Unit"), _("Title"), _("Level"), _("Awards"), _("Revoked (not counted)")]
    rows = [[year, *line] for line in result.lines]
    suffix = f"-{make_slug(scope.name, max_length=40)}" if scope else ""
    return _csv(header, rows, f"report-{year}{suffix}")
