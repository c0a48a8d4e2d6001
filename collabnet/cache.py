"""The page cache: API pages on disk as they arrive, a checkpoint per slice, and a lock.

Layout under the cache folder (``./cache`` or ``COLLABNET_CACHE``)::

    slices/<slice key>/slice.json          what the slice is (filter, fields selected)
    slices/<slice key>/checkpoint.json     next cursor, pages and works so far, done or not
    slices/<slice key>/page-00001.json.gz  the API page as received: {"meta": …, "results": […]}
    slices/<slice key>/.lock               held while a run fetches the slice
    queries/<query key>.json               a query and the slices it is made of

A slice is keyed by its own canonical filter (:func:`collabnet.query.cache_key`), so queries
that overlap (JP 2009–2017 and JP 2015–2020) share the years they have in common. Every file
is written to a temporary name and renamed into place (``os.replace``), so a run killed at any
moment leaves either the old or the new file, never half of one. The checkpoint is written
after its page: after a crash, pages beyond the checkpoint are discarded and fetched again
from the saved cursor, so no page is counted twice. The lock is an OS file lock
(``filelock``), released by the operating system if the process dies, so an interrupted run
never leaves a stale lock. Nothing here stores an API key or a server address in a key or
file name.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import orjson
from filelock import FileLock, Timeout

from collabnet.errors import CollabnetError, InputError

_PAGE = re.compile(r"^page-(\d{5,})\.json\.gz$")
_KEY = re.compile(r"^[0-9a-f]{8,64}$")


class CacheBusyError(CollabnetError):
    """Another run holds the lock of a cache slice."""


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def atomic_write(path: Path, data: bytes, *, compress: bool = False) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never a part.

    The bytes go to a temporary file in the same folder, are flushed and fsynced, and the
    file is renamed over ``path`` with ``os.replace`` (atomic on POSIX and Windows).
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    if compress:
        data = gzip.compress(data, compresslevel=5, mtime=0)
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _read_json(path: Path):
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    return orjson.loads(raw)


@dataclass
class Checkpoint:
    """Where the fetch of one slice stands.

    Attributes
    ----------
    next_cursor : str or None
        Cursor for the next page (``"*"`` before the first; None once done).
    pages : int
        Pages saved (``page-00001`` … ``page-{pages}``), all consistent with ``next_cursor``.
    results : int
        Work records in those pages (a work seen twice by a drifting cursor counts twice).
    count : int or None
        ``meta.count`` of the slice's first page: how many works the server said it had.
    per_page : int
        Page size used.
    done : bool
        True once the server returned no further cursor.
    refetched : int
        Works whose truncated author lists were replaced by the full record.
    works : int or None
        Distinct works in the slice, counted once it is done (None before).
    """

    next_cursor: str | None = "*"
    pages: int = 0
    results: int = 0
    count: int | None = None
    per_page: int = 200
    done: bool = False
    refetched: int = 0
    works: int | None = None
    started: str = field(default_factory=_now)
    updated: str = field(default_factory=_now)


class SliceStore:
    """The files of one slice in the cache (see the module docstring for the layout)."""

    def __init__(self, root: Path, key: str):
        if not _KEY.match(key):
            raise InputError(f"invalid cache key {key!r}")
        self.key = key
        self.dir = Path(root) / "slices" / key

    # --- lock ------------------------------------------------------------------------------
    @contextmanager
    def lock(self, timeout: float = 0.0):
        """Hold the slice's lock; raise :class:`CacheBusyError` if another run holds it."""
        self.dir.mkdir(parents=True, exist_ok=True)
        lock = FileLock(self.dir / ".lock", timeout=timeout)
        try:
            lock.acquire()
        except Timeout:
            raise CacheBusyError(
                f"cache slice {self.key} in {self.dir.parent.parent} is being written by another "
                "collabnet run; wait for it to finish (or use a different cache folder)"
            ) from None
        try:
            self._remove_temporaries()
            yield self
        finally:
            lock.release()

    def _remove_temporaries(self) -> None:
        # Left behind only by a run killed mid-write; the real file is intact.
        for tmp in self.dir.glob(".*.tmp"):
            tmp.unlink(missing_ok=True)

    # --- descriptor and checkpoint ---------------------------------------------------------
    def describe(self, info: dict) -> None:
        """Write ``slice.json`` (what this slice is) if it is not there yet."""
        path = self.dir / "slice.json"
        if not path.exists():
            self.dir.mkdir(parents=True, exist_ok=True)
            atomic_write(path, orjson.dumps(info, option=orjson.OPT_INDENT_2))

    def info(self) -> dict | None:
        path = self.dir / "slice.json"
        return _read_json(path) if path.exists() else None

    def checkpoint(self) -> Checkpoint | None:
        """The saved checkpoint, or None when the slice was never started."""
        path = self.dir / "checkpoint.json"
        if not path.exists():
            return None
        try:
            data = _read_json(path)
            known = {k: data[k] for k in Checkpoint.__dataclass_fields__ if k in data}
            return Checkpoint(**known)
        except (orjson.JSONDecodeError, TypeError, OSError) as exc:
            raise InputError(
                f"{path}: unreadable checkpoint ({exc}); remove the folder {self.dir} to refetch"
            ) from None

    def save_checkpoint(self, cp: Checkpoint) -> None:
        cp.updated = _now()
        atomic_write(self.dir / "checkpoint.json", orjson.dumps(asdict(cp)))

    @property
    def complete(self) -> bool:
        cp = self.checkpoint()
        return cp is not None and cp.done

    # --- pages -----------------------------------------------------------------------------
    def page_path(self, number: int) -> Path:
        return self.dir / f"page-{number:05d}.json.gz"

    def write_page(self, number: int, page: dict) -> None:
        """Save page ``number`` (1-based) atomically, gzip-compressed."""
        atomic_write(self.page_path(number), orjson.dumps(page), compress=True)

    def page_numbers(self) -> list[int]:
        if not self.dir.exists():
            return []
        nums = [int(m.group(1)) for p in self.dir.iterdir() if (m := _PAGE.match(p.name))]
        return sorted(nums)

    def discard_pages_after(self, number: int) -> int:
        """Delete pages past ``number`` (written after the last checkpoint); return how many."""
        gone = 0
        for n in self.page_numbers():
            if n > number:
                self.page_path(n).unlink(missing_ok=True)
                gone += 1
        return gone

    def reset(self) -> None:
        """Forget the slice's pages and checkpoint (keep its description)."""
        (self.dir / "checkpoint.json").unlink(missing_ok=True)
        self.discard_pages_after(0)

    def iter_pages(self, pages: int | None = None) -> Iterator[dict]:
        """Saved pages covered by the checkpoint (or the first ``pages``), in order."""
        if pages is None:
            cp = self.checkpoint()
            if cp is None:
                return
            pages = cp.pages
        for n in range(1, pages + 1):
            path = self.page_path(n)
            try:
                yield _read_json(path)
            except FileNotFoundError:
                raise InputError(
                    f"{path}: page missing from the cache; clear the query and fetch it again"
                ) from None
            except (orjson.JSONDecodeError, OSError, EOFError, gzip.BadGzipFile) as exc:
                raise InputError(
                    f"{path}: damaged cache page ({exc}); clear the query and fetch it again"
                ) from None

    def size_bytes(self) -> int:
        if not self.dir.exists():
            return 0
        return sum(p.stat().st_size for p in self.dir.iterdir() if p.is_file())


class Cache:
    """A cache folder: slices of fetched pages and the queries made of them.

    Parameters
    ----------
    root : path
        The cache folder; created on first write.
    """

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"Cache({str(self.root)!r})"

    def slice(self, key: str) -> SliceStore:
        return SliceStore(self.root, key)

    # --- queries ---------------------------------------------------------------------------
    def _query_path(self, key: str) -> Path:
        if not _KEY.match(key):
            raise InputError(f"invalid cache key {key!r}")
        return self.root / "queries" / f"{key}.json"

    def register_query(self, key: str, record: dict) -> None:
        """Save (or update) the description of a query and its slice keys."""
        path = self._query_path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        old = _read_json(path) if path.exists() else {}
        record = {**record, "created": old.get("created", _now()), "updated": _now()}
        atomic_write(path, orjson.dumps(record, option=orjson.OPT_INDENT_2))

    def query_record(self, key: str) -> dict | None:
        path = self._query_path(key)
        return _read_json(path) if path.exists() else None

    def query_records(self) -> list[tuple[str, dict]]:
        folder = self.root / "queries"
        if not folder.is_dir():
            return []
        out = []
        for path in sorted(folder.glob("*.json")):
            try:
                out.append((path.stem, _read_json(path)))
            except (orjson.JSONDecodeError, OSError):
                continue  # a foreign or damaged file: list what can be read
        return out

    def slice_keys(self) -> list[str]:
        folder = self.root / "slices"
        if not folder.is_dir():
            return []
        return sorted(p.name for p in folder.iterdir() if p.is_dir() and _KEY.match(p.name))

    def summary(self) -> list[dict]:
        """One row per cached query: key, description, slices complete, records, size.

        ``records`` counts the work records in saved pages (a work seen twice by a drifting
        cursor counts twice; readers yield it once). Slices are shared between queries, so
        sizes of overlapping queries overlap too.
        """
        rows = []
        for key, rec in self.query_records():
            slices = rec.get("slices", [])
            done = records = size = 0
            for skey in slices:
                try:
                    store = self.slice(skey)
                    cp = store.checkpoint()
                except InputError:
                    continue
                if cp is not None:
                    done += cp.done
                    records += cp.results
                size += store.size_bytes()
            rows.append(
                {
                    "key": key,
                    "query": rec.get("description", rec.get("filter", "")),
                    "slices": f"{done}/{len(slices)}",
                    "complete": done == len(slices),
                    "records": records,
                    "size_mb": round(size / 1e6, 2),
                    "updated": rec.get("updated", ""),
                }
            )
        return rows

    def remove_query(self, key: str) -> list[str]:
        """Delete a query and the slices no other cached query uses; return the slices removed.

        Raises
        ------
        CacheBusyError
            When a slice to delete is being fetched by another run.
        """
        record = self.query_record(key)
        if record is None:
            raise InputError(f"no cached query with key {key!r} in {self.root}")
        others = {
            s for k, rec in self.query_records() if k != key for s in rec.get("slices", [])
        }
        removed = []
        for skey in record.get("slices", []):
            if skey in others:
                continue
            if self._remove_slice(skey):
                removed.append(skey)
        self._query_path(key).unlink(missing_ok=True)
        return removed

    def clear(self) -> int:
        """Delete every cached query and slice (only collabnet's own files); return slices."""
        n = 0
        for skey in self.slice_keys():
            n += self._remove_slice(skey)
        for key, _ in self.query_records():
            self._query_path(key).unlink(missing_ok=True)
        return n

    def _remove_slice(self, skey: str) -> bool:
        store = self.slice(skey)
        if not store.dir.exists():
            return False
        with store.lock():
            for p in store.dir.iterdir():
                if p.name != ".lock":
                    if p.is_dir():
                        shutil.rmtree(p)
                    else:
                        p.unlink(missing_ok=True)
        # The lock file goes last, once released.
        (store.dir / ".lock").unlink(missing_ok=True)
        try:
            store.dir.rmdir()
        except OSError:
            pass
        return True


def _cache_at(cache: str | os.PathLike | None) -> Cache:
    from collabnet.config import get_settings

    return Cache(get_settings(cache_dir=cache).cache_dir)


def cache_list(*, cache: str | os.PathLike | None = None) -> list[dict]:
    """The ``collabnet cache list`` table: one row per cached query (see :meth:`Cache.summary`).

    ``cache`` is the cache folder (default ``$COLLABNET_CACHE``, else ``./cache``).

    Examples
    --------
    >>> import tempfile
    >>> cache_list(cache=tempfile.mkdtemp())
    []
    """
    return _cache_at(cache).summary()


def cache_clear(keys=(), *, cache: str | os.PathLike | None = None) -> dict[str, int]:
    """The ``collabnet cache clear [KEY …]`` action: remove cached queries.

    Parameters
    ----------
    keys : iterable of str
        Query keys (from :func:`cache_list`); empty for every query.
    cache : path, optional
        The cache folder (default ``$COLLABNET_CACHE``, else ``./cache``).

    Returns
    -------
    dict
        Slices removed per key (``{"*": n}`` when everything was cleared). A slice another
        query still uses is kept.

    Examples
    --------
    >>> import tempfile
    >>> cache_clear(cache=tempfile.mkdtemp())
    {'*': 0}
    """
    store = _cache_at(cache)
    keys = list(keys or ())
    if not keys:
        return {"*": store.clear()}
    return {key: len(store.remove_query(key)) for key in keys}
