"""The package's seams: the PostgreSQL engine runs without Whoosh, and Whoosh indexes written
before the engines had their own folders still open."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from search.contract import SearchRequest
from search.postgres import PostgresSearchIndex
from search.whoosh.index import SearchIndex
from search.whoosh.query import search
from tests.support.search_docs import doc

OLD_INDEX = Path(__file__).with_name("data") / "index_built_before_split"
ROOT = Path(__file__).resolve().parents[2]

_WITHOUT_WHOOSH = """
import sys
sys.modules["whoosh"] = None  # any "import whoosh..." now raises ImportError
import sqlalchemy as sa
from search import postgres
from search.contract import SearchRequest
idx = postgres.PostgresSearchIndex(sa.create_engine(sys.argv[1]))
result = postgres.search(idx, SearchRequest(q="nha van hoa"))
print(result.total, [h.id for h in result.hits], postgres.suggest(idx, "nhà v"))
assert not any(name == "whoosh" or name.startswith(("whoosh.", "search.whoosh")) for name in sys.modules
               if sys.modules[name] is not None)
"""


def test_postgres_engine_runs_a_query_with_whoosh_blocked(empty_pg_index: PostgresSearchIndex) -> None:
    empty_pg_index.upsert([doc(1, "Nhà văn hóa tổ dân phố 5"), doc(2, "Con đường bích họa")])
    url = empty_pg_index.engine.url.render_as_string(hide_password=False)
    run = subprocess.run([sys.executable, "-c", _WITHOUT_WHOOSH, url], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "1 [1] [{'id': 1, 'title': 'Nhà văn hóa tổ dân phố 5'}]"


def test_postgres_engine_imports_without_whoosh() -> None:
    code = 'import sys; sys.modules["whoosh"] = None; import search.postgres, search.postgres.query'
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr


def test_index_built_with_the_old_analyzer_path_opens_and_answers(tmp_path: Path) -> None:
    # Built on the code before the split: its pickled schema names search.whoosh_analysis.
    toc = next(OLD_INDEX.glob("ix-*/_MAIN_*.toc")).read_bytes()
    assert b"search.whoosh_analysis" in toc and b"search.whoosh.analysis" not in toc
    shutil.copytree(OLD_INDEX, tmp_path / "ix")
    idx = SearchIndex(tmp_path / "ix", create=False)
    try:
        assert [h.id for h in search(idx, SearchRequest(q="bich hoa phuc tan")).hits] == [1]
        idx.upsert([doc(2, "Bích họa trên tường rào")])
        assert {h.id for h in search(idx, SearchRequest(q="bích họa")).hits} == {1, 2}
    finally:
        idx.close()
