"""The cache keeps what it was given, or says in one line why it cannot.

Pages carry their size and checksum in the slice checkpoint: a damaged page (cut short,
altered, gone, not gzip) makes a reader fail with one line naming the slice, and ``fetch``
sends that slice -- and only that one -- back to the server. A cache that cannot be written
(a read-only mount, a full disk) is one line too, before any request where it can be known,
and no temporary file survives. The tests run as root, so permission bits would not stop
a write: read-only and full are real mounts where the kernel allows them (else skipped) and
a patched ``open`` in :mod:`collabnet.fileio` everywhere.
"""

from __future__ import annotations

import errno
import gzip
import subprocess
import zlib
from collections import Counter
from pathlib import Path

import orjson
import pytest
from fetch_helpers import assert_exact, loopback, settings_for, synthetic_works

from collabnet import fileio
from collabnet.cache import Cache, checksum
from collabnet.errors import CollabnetError, InputError
from collabnet.query import WorkQuery
from collabnet.sources.openalex import fetch, is_cached, iter_cached_works

Q = WorkQuery(years="2010-2011", exclude_paratext=False)
PER_PAGE = 50
server = loopback(synthetic_works(600, years=(2010, 2011), big_every=0))


def store_of(s, name, q=Q):
    sl = next(x for x in q.slices(s.base_url) if x.name == name)
    return Cache(s.cache_dir).slice(sl.key)


def lists_by_year(srv) -> Counter:
    return Counter(r.params["filter"][0].split("publication_year:")[1].split(",")[0]
                   for r in srv.requests if r.path == "/works")


def temporaries(root) -> list[Path]:
    return [p for p in Path(root).rglob("*") if p.name.endswith(".tmp")]


def one_line(exc: BaseException) -> str:
    msg = str(exc)
    assert isinstance(exc, CollabnetError) and "\n" not in msg and "Traceback" not in msg
    return msg


# --- checksums ---------------------------------------------------------------------------------


def test_every_page_has_its_size_and_checksum_in_the_checkpoint(server, tmp_path):
    s = settings_for(server, tmp_path)
    fetch(Q, settings=s, progress=False)
    for name in ("2010", "2011"):
        store = store_of(s, name)
        cp = store.checkpoint()
        assert len(cp.checksums) == cp.pages >= 6
        for n, (size, digest) in enumerate(cp.checksums, start=1):
            raw = store.page_path(n).read_bytes()
            assert (len(raw), checksum(raw)) == (size, digest)


def _truncate(path):
    path.write_bytes(path.read_bytes()[:-40])


def _flip(path):
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0xFF  # same size, other bytes
    path.write_bytes(bytes(raw))


def _delete(path):
    path.unlink()


@pytest.mark.parametrize("damage", [_truncate, _flip, _delete])
def test_a_damaged_page_is_one_line_for_readers_and_refetched_alone(server, tmp_path, damage):
    s = settings_for(server, tmp_path)
    fetch(Q, settings=s, progress=False)
    damage(store_of(s, "2011").page_path(2))
    with pytest.raises(InputError) as err:
        list(iter_cached_works(Q, s.cache_dir, base_url=s.base_url))
    msg = one_line(err.value)
    assert "cache slice 2011" in msg and "page-00002" in msg and "collabnet fetch" in msg
    # A missing or cut page is seen by a stat: the query no longer counts as cached.
    assert is_cached(Q, s.cache_dir, base_url=s.base_url) is (damage is _flip)
    server.reset_log()
    report = fetch(Q, settings=s, progress=False)
    assert len(report.repairs) == 1 and "\n" not in report.repairs[0]
    assert report.repairs[0].startswith("2011: cached page 2 of ")
    assert "repaired: 2011: cached page 2" in report.summary()
    assert set(lists_by_year(server)) == {"2011"}  # only the damaged slice was asked again
    assert [r.from_cache for r in report.slices] == [True, False]
    assert_exact(server, s, Q)


def _legacy(store):
    """Forget the checksums, as in a checkpoint written before they were kept."""
    cp = store.checkpoint()
    cp.checksums = []
    store.save_checkpoint(cp)


@pytest.mark.parametrize("content, what", [
    (gzip.compress(b'{"meta": {}, "results": []}')[:-12], "bad gzip data"),  # EOFError
    (gzip.compress(b"x" * 50)[:10] + b"\x00" * 30, "bad gzip data"),  # zlib.error
    (b"\x1f\x8b\x07" + b"\x00" * 20, "bad gzip data"),  # BadGzipFile
    (gzip.compress(b"{not json"), "bad JSON"),
    (gzip.compress(b'{"results": [{"no": "id"}]}'), "not an OpenAlex list page"),
])
def test_a_corrupt_gzip_page_is_one_line_never_a_traceback(server, tmp_path, content, what):
    s = settings_for(server, tmp_path)
    fetch(Q, settings=s, progress=False)
    store = store_of(s, "2010")
    _legacy(store)  # no checksum to catch it first: the decoding itself must fail cleanly
    store.page_path(3).write_bytes(content)
    with pytest.raises(InputError) as err:
        list(iter_cached_works(Q, s.cache_dir, base_url=s.base_url))
    msg = one_line(err.value)
    assert "cache slice 2010" in msg and what in msg and "page-00003" in msg
    assert err.value.__suppress_context__  # no zlib/gzip/JSON chain behind the line
    report = fetch(Q, settings=s, progress=False)  # legacy pages are read whole to check
    assert report.repairs and report.repairs[0].startswith("2010: cached page 3 of ")
    assert_exact(server, s, Q)


def test_checksum_mismatch_is_caught_although_the_page_still_decodes(server, tmp_path):
    s = settings_for(server, tmp_path)
    fetch(Q, settings=s, progress=False)
    store = store_of(s, "2010")
    page = orjson.loads(gzip.decompress(store.page_path(1).read_bytes()))
    page["results"] = page["results"][:-1]  # a work quietly gone
    store.page_path(1).write_bytes(gzip.compress(orjson.dumps(page)))
    with pytest.raises(InputError, match="cache slice 2010.*damaged cache page"):
        list(iter_cached_works(Q, s.cache_dir, base_url=s.base_url))
    assert fetch(Q, settings=s, progress=False).repairs
    assert_exact(server, s, Q)


def test_an_unreadable_checkpoint_is_one_line_and_fetch_starts_the_slice_again(server, tmp_path):
    s = settings_for(server, tmp_path)
    fetch(Q, settings=s, progress=False)
    (store_of(s, "2011").dir / "checkpoint.json").write_bytes(b"\x1f\x8b\x08garbage")
    with pytest.raises(InputError) as err:
        list(iter_cached_works(Q, s.cache_dir, base_url=s.base_url))
    assert "unreadable checkpoint" in one_line(err.value)
    report = fetch(Q, settings=s, progress=False)
    assert any(r.startswith("2011: cached checkpoint unreadable") for r in report.repairs)
    assert_exact(server, s, Q)


# --- a cache that cannot be written ----------------------------------------------------------


def _enospc_after(monkeypatch, pages_ok: int):
    """fileio's writes fail with ENOSPC (after half the bytes) once ``pages_ok`` pages went."""
    real_open = open
    state = {"pages": 0}

    class Full:
        def __init__(self, fh):
            self.fh = fh

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

        def write(self, data):
            self.fh.write(data[: len(data) // 2])
            self.fh.flush()
            raise OSError(errno.ENOSPC, "No space left on device")

    def fake_open(path, mode="r", *a, **kw):
        fh = real_open(path, mode, *a, **kw)
        if "w" in mode and ".page-" in str(path):
            state["pages"] += 1
            if state["pages"] > pages_ok:
                return Full(fh)
        return fh

    monkeypatch.setattr(fileio, "open", fake_open, raising=False)


def test_a_full_disk_mid_fetch_is_one_line_leaves_no_temporary_and_resumes(
        server, tmp_path, monkeypatch):
    s = settings_for(server, tmp_path / "cache")
    _enospc_after(monkeypatch, pages_ok=8)  # 2010 has 6-7 pages: stops inside 2011
    with pytest.raises(InputError) as err:
        fetch(Q, settings=s, progress=False)
    msg = one_line(err.value)
    assert "No space left on device" in msg and "page-0000" in msg
    assert "stopped in 2011" in msg and "rerun" in msg
    assert temporaries(s.cache_dir) == []
    assert store_of(s, "2010").checkpoint().done
    monkeypatch.undo()
    before = len([r for r in server.requests if r.path == "/works"])
    report = fetch(Q, settings=s, progress=False)
    assert [r.from_cache for r in report.slices] == [True, False] and report.slices[1].resumed
    assert_exact(server, s, Q)
    minimum = sum(n // PER_PAGE + 1 for n in Counter(
        w["publication_year"] for w in server.works).values())
    assert before + report.stats.list_pages <= minimum + 1  # at most the page that failed


def test_a_read_only_cache_is_one_line_before_any_request(server, tmp_path, monkeypatch):
    s = settings_for(server, tmp_path / "cache")
    real_open = open

    def read_only(path, mode="r", *a, **kw):
        if "w" in mode:
            raise OSError(errno.EROFS, "Read-only file system")
        return real_open(path, mode, *a, **kw)

    monkeypatch.setattr(fileio, "open", read_only, raising=False)
    with pytest.raises(InputError) as err:
        fetch(Q, settings=s, progress=False)
    assert "Read-only file system" in one_line(err.value)
    assert server.requests == [] and temporaries(tmp_path) == []


# --- real mounts (root in a container that allows them; skipped elsewhere) --------------------


@pytest.fixture
def tmpfs(tmp_path):
    """A 96 KiB tmpfs at tmp_path/mnt; yields a function that remounts it (options)."""
    mnt = tmp_path / "mnt"
    mnt.mkdir()

    def mount(*opts):
        return subprocess.run(["mount", *opts], capture_output=True, timeout=10).returncode

    if mount("-t", "tmpfs", "-o", "size=96k", "tmpfs", str(mnt)) != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield mnt, lambda options: mount("-o", f"remount,{options}", str(mnt))
    finally:
        if subprocess.run(["umount", str(mnt)], capture_output=True, timeout=10).returncode:
            subprocess.run(["umount", "-l", str(mnt)], capture_output=True, timeout=10)


def test_a_real_full_disk(server, tmpfs):
    mnt, remount = tmpfs
    s = settings_for(server, mnt / "cache")
    with pytest.raises(InputError) as err:  # about 150 KB of pages for 96 KiB
        fetch(Q, settings=s, progress=False)
    assert "No space left on device" in one_line(err.value)
    assert temporaries(mnt) == []
    assert remount("size=4m") == 0
    fetch(Q, settings=s, progress=False)
    assert_exact(server, s, Q)


def test_a_real_read_only_cache(server, tmpfs):
    mnt, remount = tmpfs
    s = settings_for(server, mnt / "cache")
    assert remount("size=4m") == 0
    fetch(Q, settings=s, progress=False)
    assert remount("ro") == 0
    server.reset_log()
    # What is complete can still be fetched (nothing to write) and read.
    report = fetch(Q, settings=s, progress=False)
    assert report.from_cache and server.requests == []
    assert_exact(server, s, Q)
    # Anything new is one line, before a request.
    with pytest.raises(InputError) as err:
        fetch(WorkQuery(years=2012), settings=s, progress=False)
    assert "Read-only file system" in one_line(err.value)
    assert server.requests == []


def test_zlib_error_is_what_the_damaged_gzip_case_raises():
    """The corrupt-gzip cases above are the errors the issue names, not something milder."""
    with pytest.raises(zlib.error):
        gzip.decompress(gzip.compress(b"x" * 50)[:10] + b"\x00" * 30)
    with pytest.raises(EOFError):
        gzip.decompress(gzip.compress(b'{"meta": {}, "results": []}')[:-12])
    with pytest.raises(gzip.BadGzipFile):
        gzip.decompress(b"\x1f\x8b\x07" + b"\x00" * 20)
