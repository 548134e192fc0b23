"""Index lifecycle: rebuild swap under load, concurrent writers, left-over locks."""

from __future__ import annotations

import multiprocessing as mp
import os
import shutil
import threading
from pathlib import Path

import pytest

from search.contract import IndexMissing, IndexNotReady, SearchRequest
from search.whoosh.index import SearchIndex
from search.whoosh.query import search
from tests.support.search_docs import doc


def _writer_process(path: str, start: int, count: int) -> None:
    idx = SearchIndex(path, lock_timeout=60)
    for i in range(start, start + count):
        idx.upsert([doc(i, f"Tấm gương số {i}")])
    idx.close()


def _crash_holding_lock(path: str) -> None:
    idx = SearchIndex(path)
    ix = idx._current_ix()
    writer = ix.writer()
    writer.add_document(id="999", title="never committed")
    os._exit(1)  # dies with the lock file still on disk


def test_rebuild_swaps_while_searching(tmp_path: Path) -> None:
    idx = SearchIndex(tmp_path / "ix")
    idx.upsert([doc(i, f"Nhà văn hóa số {i}") for i in range(1, 51)])
    errors: list[BaseException] = []
    totals: list[int] = []
    stop = threading.Event()

    def reader() -> None:
        other = SearchIndex(tmp_path / "ix")
        try:
            while not stop.is_set():
                totals.append(search(other, SearchRequest(q="nha van hoa")).total)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            other.close()

    t = threading.Thread(target=reader)
    t.start()
    try:
        for round_ in range(3):
            n = idx.rebuild(doc(i, f"Nhà văn hóa số {i}") for i in range(1, 51 + round_ * 10))
            assert n == 50 + round_ * 10
    finally:
        stop.set()
        t.join()
    assert not errors
    assert totals and all(total >= 50 for total in totals)
    assert idx.count() == 70
    # Only the live generation and the one before it remain on disk.
    assert len([p for p in (tmp_path / "ix").glob("ix-*") if p.is_dir()]) <= 2
    idx.close()


def test_writes_during_rebuild_are_not_lost(tmp_path: Path) -> None:
    idx = SearchIndex(tmp_path / "ix")
    idx.upsert([doc(1, "Cũ")])

    def docs():
        yield doc(1, "Cây ATM gạo")
        # A write that lands while the rebuild is still reading its source.
        other = SearchIndex(tmp_path / "ix")
        other.upsert([doc(2, "Shipper xanh")])
        other.delete([1])
        other.close()
        yield doc(3, "Đi chợ hộ")

    assert idx.rebuild(docs()) == 2
    assert sorted(idx.doc_ids_and_stamps()) == [2, 3]
    idx.close()


def test_failed_rebuild_keeps_old_index(tmp_path: Path) -> None:
    idx = SearchIndex(tmp_path / "ix")
    idx.upsert([doc(1, "Cây ATM gạo")])

    def broken():
        yield doc(2, "Shipper xanh")
        raise RuntimeError("source went away")

    try:
        idx.rebuild(broken())
    except RuntimeError:
        pass
    assert idx.doc_ids_and_stamps() == {1: "s1"}
    assert not list((tmp_path / "ix").glob("*.journal"))
    idx.upsert([doc(3, "Đi chợ hộ")])
    assert idx.count() == 2
    idx.close()


def test_two_threads_upserting(tmp_path: Path) -> None:
    idx = SearchIndex(tmp_path / "ix")
    errors: list[BaseException] = []

    def work(start: int) -> None:
        try:
            own = SearchIndex(tmp_path / "ix")
            for i in range(start, start + 15):
                own.upsert([doc(i, f"Tấm gương {i}")])
            own.close()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(s,)) for s in (1, 101)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert idx.count() == 30
    idx.close()


def test_two_processes_upserting(tmp_path: Path) -> None:
    path = str(tmp_path / "ix")
    SearchIndex(path).close()
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_writer_process, args=(path, s, 12)) for s in (1, 501)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    idx = SearchIndex(path)
    assert sorted(idx.doc_ids_and_stamps()) == list(range(1, 13)) + list(range(501, 513))
    assert search(idx, SearchRequest(q="tam guong")).total == 24
    idx.close()


def test_lock_left_behind_by_dead_process(tmp_path: Path) -> None:
    path = str(tmp_path / "ix")
    SearchIndex(path).upsert([doc(1, "Cây ATM gạo")])
    p = mp.get_context("fork").Process(target=_crash_holding_lock, args=(path,))
    p.start()
    p.join(30)
    assert p.exitcode == 1
    gen = (tmp_path / "ix" / (tmp_path / "ix" / "CURRENT").read_text().strip())
    assert (gen / "MAIN_WRITELOCK").exists()
    idx = SearchIndex(path, lock_timeout=5)
    idx.upsert([doc(2, "Shipper xanh")])
    assert sorted(idx.doc_ids_and_stamps()) == [1, 2]
    idx.close()


def test_stale_lock_file_and_journal(tmp_path: Path) -> None:
    idx = SearchIndex(tmp_path / "ix")
    gen = tmp_path / "ix" / (tmp_path / "ix" / "CURRENT").read_text().strip()
    (gen / "MAIN_WRITELOCK").write_text("")
    # A rebuild that died leaves its journal unlocked; writers must drop it.
    (tmp_path / "ix" / "ix-1-1.journal").write_bytes(b"")
    idx.upsert([doc(1, "Cây ATM gạo")])
    assert idx.count() == 1
    assert not (tmp_path / "ix" / "ix-1-1.journal").exists()
    idx.close()


def test_reopen_after_close(tmp_path: Path) -> None:
    idx = SearchIndex(tmp_path / "ix")
    idx.upsert([doc(1, "Cây ATM gạo")])
    idx.close()
    again = SearchIndex(tmp_path / "ix")
    assert again.count() == 1
    assert search(again, SearchRequest(q="cay atm gao")).hits[0].id == 1
    again.close()


def test_a_removed_index_is_reported_not_recreated_empty(tmp_path: Path) -> None:
    idx = SearchIndex(tmp_path / "ix")
    idx.upsert([doc(1, "Cây ATM gạo")])
    assert search(idx, SearchRequest(q="cay atm")).total == 1
    shutil.rmtree(tmp_path / "ix")
    for read in (idx.count, idx.verify, lambda: search(idx, SearchRequest(q="cay atm"))):
        with pytest.raises(IndexMissing):
            read()
    with pytest.raises(IndexMissing):
        idx.upsert([doc(2, "Shipper xanh")])
    assert not (tmp_path / "ix").exists()
    # Opening without create does not make one either; a rebuild does.
    other = SearchIndex(tmp_path / "ix", create=False)
    assert not other.exists() and not (tmp_path / "ix").exists()
    assert other.rebuild([doc(1, "Cây ATM gạo"), doc(2, "Shipper xanh")]) == 2
    assert other.count() == 2 and idx.count() == 2
    idx.close()
    other.close()


def test_a_check_judges_each_state_of_the_index_once_and_its_refusal_stands_until_it_changes(tmp_path: Path) -> None:
    seen: list[int] = []

    def at_least_two(documents: int) -> None:
        seen.append(documents)
        if documents < 2:
            raise IndexNotReady(f"{documents} documents")

    idx = SearchIndex(tmp_path / "ix", check=at_least_two)
    idx.upsert([doc(1, "Cây ATM gạo")])
    for _ in range(3):
        with pytest.raises(IndexNotReady):
            search(idx, SearchRequest(q="cay atm"))
        with pytest.raises(IndexNotReady):
            idx.verify()
    assert seen == [1]
    assert idx.count() == 1  # inspection still reads it
    idx.upsert([doc(2, "Shipper xanh")])
    assert search(idx, SearchRequest(q="shipper")).total == 1
    idx.verify()
    search(idx, SearchRequest(q="cay atm"))
    assert seen == [1, 2]
    idx.close()


def test_a_check_that_fails_itself_is_taken_again(tmp_path: Path) -> None:
    calls: list[int] = []

    def flaky(documents: int) -> None:
        calls.append(documents)
        if len(calls) == 1:
            raise ConnectionError("source unreachable")

    idx = SearchIndex(tmp_path / "ix", check=flaky)
    idx.upsert([doc(1, "Cây ATM gạo")])
    with pytest.raises(ConnectionError):
        idx.verify()
    assert search(idx, SearchRequest(q="cay atm")).total == 1
    assert calls == [1, 1]
    idx.close()
