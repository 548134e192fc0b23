"""Property tests: any import file is either accepted or rejected with reasons; any query answers without a 500."""
from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry.entries.records import ImportRejected, records_import, records_validate
from registry.extensions import db
from search.analysis import parse_query
from tests.support.files import write_jsonl
from tests.support.records import record

FUZZ = settings(max_examples=150, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
FUZZ_WEB = settings(FUZZ, max_examples=100)

json_scalars = st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.floats(allow_nan=False) | st.text(max_size=40)
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=12)
FIELDS = ["ref", "kind", "title", "unit", "year", "summary", "body", "topics", "awards", "replications", "photos"]
AWARD_FIELDS = ["title", "level", "year", "decision", "decision_date", "kind", "signer", "signer_position"]


@st.composite
def mangled_records(draw) -> dict:
    """A valid record with some fields dropped or replaced by anything, awards and photos included."""
    data = record(draw(st.from_regex(r"[a-z0-9][a-z0-9._:-]{0,20}", fullmatch=True)))
    for name in draw(st.lists(st.sampled_from(FIELDS), max_size=4, unique=True)):
        if draw(st.booleans()):
            data.pop(name, None)
        else:
            data[name] = draw(json_values)
    if draw(st.booleans()) and isinstance(data.get("awards"), list) and data["awards"]:
        award = dict(data["awards"][0]) if isinstance(data["awards"][0], dict) else {}
        award[draw(st.sampled_from(AWARD_FIELDS))] = draw(json_values)
        data["awards"] = [award]
    return data


lines = st.one_of(
    mangled_records().map(lambda r: json.dumps(r, ensure_ascii=False)),
    json_values.map(json.dumps),
    st.text(max_size=80),
)


def _write(tmp_path: Path, content: list[str]) -> Path:
    path = tmp_path / "fuzz.jsonl"
    path.write_text("\n".join(l.replace("\n", " ").replace("\r", " ") for l in content), encoding="utf-8")
    return path


@FUZZ
@given(content=st.lists(lines, min_size=0, max_size=4))
def test_import_checks_reject_bad_files_and_never_crash(app, tmp_path, content):
    path = _write(tmp_path, content)
    with app.test_request_context("/?lang=en"):
        try:
            records_validate(path)
        except ImportRejected as exc:
            assert exc.problems and all(str(p.message) for p in exc.problems)
        try:
            records_import(path)
        except ImportRejected:
            pass
        finally:
            db.session.rollback()


@FUZZ
@given(raw=st.binary(max_size=200))
def test_import_of_arbitrary_bytes_is_rejected_or_read(app, tmp_path, raw):
    path = tmp_path / "bytes.jsonl"
    path.write_bytes(raw)
    with app.test_request_context("/?lang=en"):
        try:
            records_validate(path)
        except ImportRejected:
            pass


@settings(FUZZ, max_examples=40)
@given(content=st.lists(lines, min_size=1, max_size=3))
def test_import_command_answers_with_problems_never_a_traceback(app, tmp_path, content):
    # Hypothesis seeds the random module alike for every example, and Whoosh names each new index segment
    # from it: the second import that reaches the index would pick the name of a segment already there.
    random.seed()
    path = _write(tmp_path, content)
    result = app.test_cli_runner().invoke(args=["import-records", str(path)])
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    with app.app_context():
        db.session.rollback()


queries = st.text(max_size=120) | st.text(alphabet="\"'*?~^:()[]{}-+!&|\\/ aăâđêôơưAĂÂĐÊÔƠỰ́̀̉̃", max_size=60)


@FUZZ
@given(q=queries)
def test_query_parser_takes_any_string(q):
    parsed = parse_query(q)
    assert isinstance(parsed.text, str)


@pytest.fixture
def searchable(app, tmp_path):
    from registry.entries.records import records_import as load

    with app.app_context():
        load(write_jsonl(tmp_path / "in.jsonl", [record("one"), record("two", title="Cây ATM gạo")]))
        db.session.commit()
    return app.test_client()


param_values = queries | st.sampled_from(["", "0", "-1", "99999999999999999999", "1e9", "individual", "NaN"])


@FUZZ_WEB
@given(q=queries, extra=st.dictionaries(st.sampled_from(["kind", "year", "unit", "topic", "award", "level", "sort",
                                                           "page", "per_page", "format"]), param_values, max_size=3))
def test_search_page_and_api_never_answer_500(searchable, q, extra):
    params = {"q": q, **extra}
    page = searchable.get("/search", query_string={k: v for k, v in params.items() if k != "format"})
    assert page.status_code in (200, 400), page.status_code
    api = searchable.get("/api/v1/search", query_string=params)
    assert api.status_code in (200, 400), (api.status_code, params)
    suggest = searchable.get("/api/v1/suggest", query_string={"q": q})
    assert suggest.status_code in (200, 400)
    browse = searchable.get("/entries", query_string=params)
    assert browse.status_code in (200, 400), (browse.status_code, params)


HUGE = "99999999999999999999"


def test_numbers_no_database_can_hold_are_refused_not_failed(searchable):
    for path in (f"/entries/{HUGE}", f"/units/{HUGE}", f"/api/v1/entries/{HUGE}", f"/api/v1/units/{HUGE}",
                 f"/feeds/units/{HUGE}.atom", f"/consultation/{HUGE}", f"/statistics?unit={HUGE}",
                 f"/statistics/by-unit.csv?unit={HUGE}", f"/statistics/report?unit={HUGE}"):
        assert searchable.get(path).status_code == 404, path
    for path in ("/entries", "/search", "/api/v1/entries", "/api/v1/search", "/feeds/search.atom"):
        for name in ("unit", "year", "page", "per_page"):
            assert searchable.get(path, query_string={name: HUGE, "q": "atm"}).status_code == 200, (path, name)
