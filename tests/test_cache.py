"""The page cache: atomic writes, checkpoints, discarding pages past a checkpoint, the lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from collabnet.cache import Cache, CacheBusyError, Checkpoint, atomic_write, checksum
from collabnet.errors import InputError

KEY = "0123456789abcdef0123"


def _page(ids, cursor=None):
    return {
        "meta": {"count": 5, "next_cursor": cursor},
        "results": [{"id": f"https://openalex.org/W{i}"} for i in ids],
    }


def test_atomic_write_replaces_whole_file_and_leaves_no_temporaries(tmp_path):
    path = tmp_path / "f.json"
    atomic_write(path, b"old")
    atomic_write(path, b"new")
    assert path.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["f.json"]


def test_pages_and_checkpoint_round_trip(tmp_path):
    store = Cache(tmp_path).slice(KEY)
    assert store.checkpoint() is None and not store.complete
    with store.lock():
        store.write_page(1, _page([1, 2], "c1"))
        store.save_checkpoint(Checkpoint(next_cursor="c1", pages=1, results=2, count=5))
        store.write_page(2, _page([3, 4, 5]))
        store.save_checkpoint(
            Checkpoint(next_cursor=None, pages=2, results=5, count=5, done=True)
        )
    assert store.complete
    pages = list(store.iter_pages())
    assert [len(p["results"]) for p in pages] == [2, 3]
    # Pages are gzip files that the ordinary file reader understands too.
    from collabnet.sources import read_works

    assert len(read_works([store.page_path(1), store.page_path(2)]).records) == 5


def test_pages_past_the_checkpoint_are_ignored_and_discarded(tmp_path):
    """A run killed after writing page 2 but before its checkpoint: page 2 is not trusted."""
    store = Cache(tmp_path).slice(KEY)
    with store.lock():
        store.write_page(1, _page([1, 2], "c1"))
        store.save_checkpoint(Checkpoint(next_cursor="c1", pages=1, results=2))
        store.write_page(2, _page([3, 4], "c2"))  # no checkpoint follows
        # A temporary file left by a kill in the middle of a write.
        (store.dir / ".page-00003.json.gz.999.tmp").write_bytes(b"half")
    assert [len(p["results"]) for p in store.iter_pages()] == [2]
    with store.lock():  # taking the lock removes temporaries
        assert store.discard_pages_after(store.checkpoint().pages) == 1
    assert store.page_numbers() == [1]
    assert not list(store.dir.glob("*.tmp"))


def test_missing_or_damaged_page_is_an_input_error(tmp_path):
    store = Cache(tmp_path).slice(KEY)
    with store.lock():
        store.write_page(1, _page([1]))
        store.save_checkpoint(Checkpoint(next_cursor=None, pages=2, results=1, done=True))
    with pytest.raises(InputError, match="page missing"):
        list(store.iter_pages())
    store.page_path(2).write_bytes(b"\x1f\x8b garbage")
    with pytest.raises(InputError, match="damaged cache page"):
        list(store.iter_pages())
    (store.dir / "checkpoint.json").write_text("{not json")
    with pytest.raises(InputError, match="unreadable checkpoint"):
        store.checkpoint()


def test_lock_refuses_a_second_holder(tmp_path):
    store = Cache(tmp_path).slice(KEY)
    other = Cache(tmp_path).slice(KEY)
    with store.lock():
        with pytest.raises(CacheBusyError, match="another collabnet run"):
            with other.lock():
                pass
    with other.lock():  # free again once released
        pass


def test_lock_of_a_killed_process_is_released(tmp_path):
    """kill -9 cannot run cleanup code; the OS drops the file lock with the process."""
    code = textwrap.dedent(
        f"""
        import sys, time
        from collabnet.cache import Cache
        with Cache({str(tmp_path)!r}).slice({KEY!r}).lock():
            print("locked", flush=True)
            time.sleep(60)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "locked"
        with pytest.raises(CacheBusyError):
            with Cache(tmp_path).slice(KEY).lock():
                pass
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        deadline = time.monotonic() + 5
        while True:
            try:
                with Cache(tmp_path).slice(KEY).lock():
                    break
            except CacheBusyError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_remove_query_keeps_slices_other_queries_use(tmp_path):
    cache = Cache(tmp_path)
    a, b, shared = "a" * 20, "b" * 20, "c" * 20
    for k in (a, b, shared):
        with cache.slice(k).lock() as s:
            s.write_page(1, _page([1]))
            s.save_checkpoint(Checkpoint(next_cursor=None, pages=1, results=1, done=True))
    cache.register_query("1" * 20, {"slices": [a, shared]})
    cache.register_query("2" * 20, {"slices": [b, shared]})
    assert cache.remove_query("1" * 20) == [a]
    assert cache.slice_keys() == [b, shared]
    assert [k for k, _ in cache.query_records()] == ["2" * 20]
    with pytest.raises(InputError, match="no cached query"):
        cache.remove_query("1" * 20)
    assert cache.clear() == 2
    assert cache.slice_keys() == [] and cache.query_records() == []


def test_keys_must_look_like_keys(tmp_path):
    with pytest.raises(InputError):
        Cache(tmp_path).slice("../etc")


def test_register_query_writes_nothing_when_the_record_is_unchanged(tmp_path, monkeypatch):
    """So a finished query can be fetched (from the cache) out of a read-only folder."""
    cache = Cache(tmp_path)
    record = {"slices": [KEY], "slice_names": ["2011"], "description": "q"}
    cache.register_query("1" * 20, record)
    first = cache.query_record("1" * 20)
    import collabnet.cache as cache_module

    def no_writes(*a, **kw):
        raise AssertionError("wrote an unchanged record")

    monkeypatch.setattr(cache_module, "atomic_write", no_writes)
    cache.register_query("1" * 20, dict(record))
    assert cache.query_record("1" * 20) == first
    monkeypatch.undo()
    cache.register_query("1" * 20, {**record, "description": "changed"})
    assert cache.query_record("1" * 20)["description"] == "changed"


def test_summary_names_incomplete_slices_with_works_got_and_expected(tmp_path):
    cache = Cache(tmp_path)
    full, short = "a" * 20, "b" * 20
    for key, inc in ((full, None), (short, {"expected": 5, "got": 3, "reason": "ended"})):
        with cache.slice(key).lock() as s:
            s.describe({"name": key[:1]})
            s.write_page(1, _page([1, 2, 3]))
            s.save_checkpoint(Checkpoint(next_cursor=None, pages=1, results=3, done=True,
                                         incomplete=inc))
    cache.register_query("1" * 20, {"slices": [full, short], "slice_names": ["2010", "2011"]})
    (row,) = cache.summary()
    assert row["slices"] == "2/2" and row["incomplete"] == "2011: 3/5"
    assert row["complete"] is False and row["records"] == 6


def test_page_checksums_are_of_the_bytes_on_disk(tmp_path):
    store = Cache(tmp_path).slice(KEY)
    with store.lock():
        size, digest = store.write_page(1, _page([1]))
    raw = store.page_path(1).read_bytes()
    assert size == len(raw) and digest == checksum(raw)
    cp = Checkpoint(next_cursor=None, pages=1, results=1, done=True, checksums=[[size, digest]])
    assert store.read_page(1, cp)["results"][0]["id"].endswith("W1")
    store.page_path(1).write_bytes(raw[:-1])
    with pytest.raises(InputError, match=f"cache slice {KEY}.*{size - 1} bytes, {size} were"):
        store.read_page(1, cp)
