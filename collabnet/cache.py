"""The page cache: API pages on disk as they arrive, a checkpoint per slice, and a lock.

Layout under the cache folder (``./cache`` or ``COLLABNET_CACHE``)::

    slices/<slice key>/slice.json          what the slice is (filter, fields selected)
    slices/<slice key>/checkpoint.json     next cursor, pages, their sizes and checksums, done
    slices/<slice key>/page-00001.json.gz  the API page as received: {"meta": …, "results": […]}
    slices/<slice key>/.lock               held while a run fetches the slice
    queries/<query key>.json               a query and the slices it is made of
    tables/<key>/                          tables read from files or pages (collabnet.stored)

A slice is keyed by its own canonical filter (:func:`collabnet.query.cache_key`), so queries
that overlap (JP 2009–2017 and JP 2015–2020) share their common years. Every file is written
to a temporary name and renamed into place, so a run killed at any moment leaves the old or
the new file, never half of one; the checkpoint is written after its page, so after a crash
pages beyond it are fetched again from the saved cursor and none is counted twice. The lock
is an OS file lock (``filelock``), released if the process dies. No key or file name holds
an API key or a server address. Each page's size and BLAKE2b checksum in the checkpoint find
a damaged page cheaply (an InputError line naming its slice, never a zlib or JSON traceback);
a slice fetched short of the server's count is recorded ``incomplete``
(:meth:`Cache.summary`). OS errors (read-only, disk full) are one line.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import shutil
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import orjson
from filelock import FileLock, Timeout

from collabnet import fileio
from collabnet.errors import CollabnetError, InputError

_PAGE = re.compile(r"^page-(\d{5,})\.json\.gz$")
_KEY = re.compile(r"^[0-9a-f]{8,64}$")


class CacheBusyError(CollabnetError):
    """Another run holds the lock of a cache slice."""


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def atomic_write(path: Path, data: bytes, *, compress: bool = False) -> bytes:
    """Write ``data`` (gzip-compressed if ``compress``) atomically with
    :func:`collabnet.fileio.atomic_write`; return the bytes written."""
    if compress:
        data = gzip.compress(data, compresslevel=5, mtime=0)
    try:
        fileio.atomic_write(path, data)
    except InputError as exc:
        raise InputError(
            f"{exc}; the cache needs a writable folder with free space (choose another with "
            "--cache or COLLABNET_CACHE), then rerun to resume"
        ) from None
    return data


@contextmanager
def _os_errors(path, doing: str = "cannot write the cache"):
    """OS errors (read-only folder, full disk …) inside the block as one InputError line."""
    try:
        yield
    except OSError as exc:
        raise fileio.os_error(path, exc, doing) from None


class DamagedPage(Exception):
    """A cache file that does not read back (the reason, one line); readers turn it into an
    InputError naming the slice (:meth:`SliceStore.read_page`)."""


def _decode(raw: bytes):
    try:
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        return orjson.loads(raw)
    except (OSError, EOFError, zlib.error) as exc:
        raise DamagedPage(f"bad gzip data: {exc}") from None
    except orjson.JSONDecodeError as exc:
        raise DamagedPage(f"bad JSON: {exc}") from None


def _read_json(path: Path):
    with _os_errors(path, "cannot read"):
        return _decode(path.read_bytes())


def checksum(data: bytes) -> str:
    """The checksum kept for a page: BLAKE2b (128 bits) of its bytes on disk, in hex."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@dataclass
class Checkpoint:
    """Where the fetch of one slice stands (``done``: nothing more is to be asked; a done
    slice may still be ``incomplete``, ``{"expected": n, "got": m, "reason": …}``)."""

    next_cursor: str | None = "*"  # for the next page ("*" before the first; None once done)
    pages: int = 0  # pages saved (page-00001 … page-{pages}), consistent with next_cursor
    results: int = 0  # work records in them (a work seen twice by a drifting cursor: twice)
    count: int | None = None  # meta.count of the first page
    per_page: int = 200
    done: bool = False
    refetched: int = 0  # truncated author lists replaced by the full record
    works: int | None = None  # distinct works, once done
    checksums: list = field(default_factory=list)  # [size, checksum()] of each page
    walks: int = 1  # cursor chains started from "*" (2 once a shortfall was retried)
    walk_start: int = 0  # pages saved before the current chain began
    stalled: int = 0  # its pages in a row that brought no work new to it
    last_count: int | None = None  # meta.count of the latest page (a live index drifts)
    incomplete: dict | None = None
    started: str = field(default_factory=_now)
    updated: str = field(default_factory=_now)

    @property
    def expected(self) -> int | None:
        """The works the server counts for the slice (its latest ``meta.count``)."""
        return self.last_count if self.last_count is not None else self.count


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
        lock = FileLock(self.dir / ".lock", timeout=timeout)
        with _os_errors(self.dir):
            self.dir.mkdir(parents=True, exist_ok=True)
        try:
            lock.acquire()
        except Timeout:  # an OSError too, so caught first
            raise CacheBusyError(
                f"cache slice {self.key} in {self.dir.parent.parent} is being written by another "
                "collabnet run; wait for it to finish (or use a different cache folder)"
            ) from None
        except OSError as exc:  # e.g. a read-only folder
            raise fileio.os_error(self.dir, exc, "cannot write the cache") from None
        try:
            self._remove_temporaries()
            yield self
        finally:
            lock.release()

    @property
    def name(self) -> str:
        """The slice's name (its year) from ``slice.json``, else its key."""
        try:
            info = self.info()
        except (InputError, DamagedPage):
            info = None
        name = info.get("name") if isinstance(info, dict) else None
        return str(name) if name else self.key

    def _remove_temporaries(self) -> None:
        # Left behind only by a run killed mid-write; the real file is intact.
        with _os_errors(self.dir):
            for tmp in self.dir.glob(".*.tmp"):
                tmp.unlink(missing_ok=True)

    # --- descriptor and checkpoint ---------------------------------------------------------
    def describe(self, info: dict) -> None:
        """Write ``slice.json`` (what this slice is) if it is not there yet."""
        path = self.dir / "slice.json"
        if not path.exists():
            with _os_errors(self.dir):
                self.dir.mkdir(parents=True, exist_ok=True)
            atomic_write(path, orjson.dumps(info, option=orjson.OPT_INDENT_2))

    def info(self) -> dict | None:
        """What ``slice.json`` records about the slice, or None before it was first saved."""
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
        except (DamagedPage, TypeError) as exc:
            raise InputError(
                f"{path}: unreadable checkpoint ({exc}); run `collabnet fetch` again to fetch "
                f"slice {self.name} anew"
            ) from None

    def save_checkpoint(self, cp: Checkpoint) -> None:
        """Save ``cp`` atomically as the slice's checkpoint, stamped with the time now."""
        cp.updated = _now()
        atomic_write(self.dir / "checkpoint.json", orjson.dumps(asdict(cp)))

    @property
    def complete(self) -> bool:
        """Done: nothing more to ask the server (see ``Checkpoint.incomplete`` for short)."""
        cp = self.checkpoint()
        return cp is not None and cp.done

    # --- pages -----------------------------------------------------------------------------
    def page_path(self, number: int) -> Path:
        """Where page ``number`` (1-based) of the slice is stored."""
        return self.dir / f"page-{number:05d}.json.gz"

    def write_page(self, number: int, page: dict) -> list:
        """Save page ``number`` (1-based) atomically, gzip-compressed; return its
        ``[size, checksum]`` for the checkpoint."""
        data = atomic_write(self.page_path(number), orjson.dumps(page), compress=True)
        return [len(data), checksum(data)]

    def page_numbers(self) -> list[int]:
        """Numbers of the pages stored for the slice, in order."""
        if not self.dir.exists():
            return []
        nums = [int(m.group(1)) for p in self.dir.iterdir() if (m := _PAGE.match(p.name))]
        return sorted(nums)

    def discard_pages_after(self, number: int) -> int:
        """Delete pages past ``number`` (written after the last checkpoint); return how many."""
        gone = 0
        with _os_errors(self.dir):
            for n in self.page_numbers():
                if n > number:
                    self.page_path(n).unlink(missing_ok=True)
                    gone += 1
        return gone

    def reset(self) -> None:
        """Forget the slice's pages and checkpoint (keep its description)."""
        with _os_errors(self.dir):
            (self.dir / "checkpoint.json").unlink(missing_ok=True)
        self.discard_pages_after(0)

    def read_page(self, number: int, cp: Checkpoint | None = None) -> dict:
        """Page ``number``, checked against ``cp``; if damaged, one InputError naming the slice."""
        try:
            return self.check_page(number, cp)
        except DamagedPage as exc:
            raise InputError(
                f"cache slice {self.name} ({self.dir}): {exc} ({self.page_path(number).name}); "
                "run `collabnet fetch` with the same options to fetch that slice again"
            ) from None

    def check_page(self, number: int, cp: Checkpoint | None, decode: bool = True):
        """Page ``number`` (None if not ``decode`` and its checksum is recorded and matches);
        raises :class:`DamagedPage` with the reason in words."""
        try:
            raw = self.page_path(number).read_bytes()
        except FileNotFoundError:
            raise DamagedPage("page missing from the cache") from None
        except OSError as exc:
            raise DamagedPage(f"page unreadable ({exc.strerror or exc})") from None
        if cp is not None and number <= len(cp.checksums):
            size, digest = cp.checksums[number - 1]
            if len(raw) != size:
                raise DamagedPage(f"damaged cache page (has {len(raw)} bytes, {size} were saved)")
            if checksum(raw) != digest:
                raise DamagedPage("damaged cache page (does not match its checksum)")
            if not decode:
                return None
        try:
            page = _decode(raw)
        except DamagedPage as exc:
            raise DamagedPage(f"damaged cache page ({exc})") from None
        results = page.get("results") if isinstance(page, dict) else None
        if not isinstance(results, list) or not all(
            isinstance(w, dict) and isinstance(w.get("id"), str) for w in results
        ):
            raise DamagedPage("damaged cache page (not an OpenAlex list page)")
        return page

    def iter_pages(self, pages: int | None = None) -> Iterator[dict]:
        """Saved pages covered by the checkpoint (or the first ``pages``), in order, each
        checked against its recorded size and checksum (see :meth:`read_page`)."""
        cp = self.checkpoint()
        pages = (cp.pages if cp else 0) if pages is None else pages
        for n in range(1, pages + 1):
            yield self.read_page(n, cp)

    def size_bytes(self) -> int:
        """Bytes the slice's files take on disk."""
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
        """The store of the slice with cache key ``key`` (it need not exist yet)."""
        return SliceStore(self.root, key)

    # --- queries ---------------------------------------------------------------------------
    def _query_path(self, key: str) -> Path:
        if not _KEY.match(key):
            raise InputError(f"invalid cache key {key!r}")
        return self.root / "queries" / f"{key}.json"

    def register_query(self, key: str, record: dict) -> None:
        """Save (or update) the description of a query and its slice keys.

        Nothing is written when the saved record says the same (so a finished query can be
        read again from a read-only cache).
        """
        path = self._query_path(key)
        try:
            old = _read_json(path) if path.exists() else {}
        except (DamagedPage, InputError):
            old = {}
        if not isinstance(old, dict):
            old = {}
        if old and {k: v for k, v in old.items() if k not in ("created", "updated")} == record:
            return
        with _os_errors(path.parent):
            path.parent.mkdir(parents=True, exist_ok=True)
        record = {**record, "created": old.get("created", _now()), "updated": _now()}
        atomic_write(path, orjson.dumps(record, option=orjson.OPT_INDENT_2))

    def query_record(self, key: str) -> dict | None:
        """The saved record of the query with cache key ``key``, or None when there is none."""
        path = self._query_path(key)
        if not path.exists():
            return None
        try:
            return _read_json(path)
        except DamagedPage as exc:
            raise InputError(f"{path}: unreadable query record ({exc})") from None

    def query_records(self) -> list[tuple[str, dict]]:
        """``(key, record)`` of every readable saved query, by key; damaged files are left out."""
        folder = self.root / "queries"
        if not folder.is_dir():
            return []
        out = []
        for path in sorted(folder.glob("*.json")):
            try:
                rec = _read_json(path)
            except (DamagedPage, InputError):
                continue  # a foreign or damaged file: list what can be read
            if isinstance(rec, dict):
                out.append((path.stem, rec))
        return out

    def slice_keys(self) -> list[str]:
        """Cache keys of every slice folder in the cache, sorted."""
        folder = self.root / "slices"
        if not folder.is_dir():
            return []
        return sorted(p.name for p in folder.iterdir() if p.is_dir() and _KEY.match(p.name))

    def summary(self) -> list[dict]:
        """One row per cached query: key, description, slices done, records, size, and
        ``incomplete``: the slices accepted short, with works got/expected (``"2011:
        282/400"``). ``records`` counts records in saved pages (a work seen twice counts
        twice; readers yield it once); sizes of queries sharing slices overlap."""
        rows = []
        for key, rec in self.query_records():
            slices, names = rec.get("slices", []), rec.get("slice_names") or []
            done = records = size = 0
            short = []
            for i, skey in enumerate(slices):
                try:
                    store = self.slice(skey)
                    cp = store.checkpoint()
                except InputError:
                    continue
                if cp is not None:
                    done, records = done + cp.done, records + cp.results
                    if cp.done and cp.incomplete:
                        name = names[i] if i < len(names) else store.name
                        short.append(f"{name}: {cp.incomplete.get('got')}/"
                                     f"{cp.incomplete.get('expected')}")
                size += store.size_bytes()
            rows.append({
                "key": key, "query": rec.get("description", rec.get("filter", "")),
                "slices": f"{done}/{len(slices)}", "complete": done == len(slices) and not short,
                "records": records, "size_mb": round(size / 1e6, 2),
                "incomplete": ", ".join(short), "updated": rec.get("updated", ""),
            })
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
        with store.lock(), _os_errors(store.dir, "cannot remove"):
            for p in (p for p in store.dir.iterdir() if p.name != ".lock"):
                shutil.rmtree(p) if p.is_dir() else p.unlink(missing_ok=True)
        # The lock file goes last, once released.
        with _os_errors(store.dir, "cannot remove"):
            (store.dir / ".lock").unlink(missing_ok=True)
        with suppress(OSError):
            store.dir.rmdir()
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

    ``keys``: query keys (from :func:`cache_list`), none for every query; ``cache``: the cache
    folder (default ``$COLLABNET_CACHE``, else ``./cache``). Returns the slices removed per
    key (``{"*": n}`` when everything was cleared); a slice another query uses is kept.

    >>> import tempfile
    >>> cache_clear(cache=tempfile.mkdtemp())
    {'*': 0}
    """
    store = _cache_at(cache)
    keys = list(keys or ())
    if not keys:
        return {"*": store.clear()}
    return {key: len(store.remove_query(key)) for key in keys}
