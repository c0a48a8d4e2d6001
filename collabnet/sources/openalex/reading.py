"""Reading a fetched query back from the cache, and what a reader must be told about it.

:func:`iter_cached_works` yields each cached work once and refuses a query whose slices are
not all fetched; a cached page that does not read back (cut short, altered, not gzip, not
JSON) is one :class:`~collabnet.errors.InputError` line naming its slice. A slice fetched
short of the server's count (see :mod:`~collabnet.sources.openalex.paging`) is readable, and
:func:`query_warnings` gives the line to repeat to the user whenever it is read.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from collabnet.cache import Cache, Checkpoint, DamagedPage, SliceStore
from collabnet.config import Settings, get_settings
from collabnet.errors import InputError
from collabnet.keys import short_id
from collabnet.query import WorkQuery

__all__ = ["cached_page_files", "incomplete_note", "is_cached", "iter_cached_works",
           "query_warnings"]


def incomplete_note(name: str, info: dict) -> str:
    """The warning line of a slice accepted with fewer works than the server counted.

    >>> incomplete_note("2011", {"expected": 400, "got": 282, "reason": "the server ended "
    ...                          "the cursor chain early"})  # doctest: +NORMALIZE_WHITESPACE
    '2011: incomplete in the cache: 282 of the 400 works OpenAlex counts (the server ended
    the cursor chain early, also when walked again); figures for 2011 may be too low'
    """
    return (
        f"{name}: incomplete in the cache: {info.get('got')} of the {info.get('expected')} works "
        f"OpenAlex counts ({info.get('reason', 'short')}, also when walked again); figures for "
        f"{name} may be too low"
    )


def query_warnings(query: WorkQuery, settings: Settings | None = None) -> list[str]:
    """The lines to tell whoever reads ``query`` from the cache: one per slice that was
    accepted incomplete (works got and expected), or whose checkpoint is unreadable.

    Examples
    --------
    >>> import tempfile
    >>> s = get_settings(cache_dir=tempfile.mkdtemp(), env={})
    >>> query_warnings(WorkQuery(years="2010-2011"), s)
    []
    """
    settings = settings or get_settings()
    cache = Cache(settings.cache_dir)
    out = []
    for s in query.slices(source=settings.base_url):
        try:
            cp = cache.slice(s.key).checkpoint()
        except InputError as exc:
            out.append(str(exc))
            continue
        if cp is not None and cp.done and cp.incomplete:
            out.append(incomplete_note(s.name, cp.incomplete))
    return out


def pages_present(store: SliceStore, cp: Checkpoint) -> bool:
    """Whether every page of ``cp`` is on disk with its recorded size (a ``stat`` each)."""
    for n in range(1, cp.pages + 1):
        try:
            size = store.page_path(n).stat().st_size
        except OSError:
            return False
        if n <= len(cp.checksums) and size != cp.checksums[n - 1][0]:
            return False
    return True


def verify_slice(store: SliceStore, cp: Checkpoint) -> str | None:
    """The first damaged page of ``cp`` in words, None when all are intact: by size and
    checksum, without decompressing (pages saved before checksums were kept: read whole)."""
    for n in range(1, cp.pages + 1):
        try:
            store.check_page(n, cp, decode=False)
        except DamagedPage as exc:
            return f"page {n} of {cp.pages}: {exc}"
    return None


def is_cached(query: WorkQuery, cache_dir, *, base_url: str | None = None) -> bool:
    """Whether every slice of ``query``, as fetched from ``base_url``, is done in
    ``cache_dir`` with all its pages present (``base_url`` None: the default OpenAlex API).

    A slice with a page missing or of the wrong size counts as not cached, so that loading
    fetches it again; one accepted incomplete counts as cached (see :func:`query_warnings`).
    """
    cache = Cache(cache_dir)
    for s in query.slices(source=base_url):
        store = cache.slice(s.key)
        try:
            cp = store.checkpoint()
        except InputError:
            return False
        if cp is None or not cp.done or not pages_present(store, cp):
            return False
    return True


def cached_page_files(query: WorkQuery, cache_dir, *, base_url: str | None = None
                      ) -> tuple[str, list[Path]]:
    """What identifies a query's cached works: a key of its slices (as fetched from
    ``base_url``) and every page file they hold now, with each slice's checkpoint (a
    refetched or resumed slice changes a page's size or time, or the checkpoint's)."""
    cache = Cache(cache_dir)
    keys, files = [], []
    for s in query.slices(source=base_url):
        store = cache.slice(s.key)
        keys.append(s.key)
        files.extend(p for p in sorted(store.dir.glob("*")) if p.is_file()
                     and not p.name.startswith("."))
    return "|".join(keys), files


def iter_cached_works(
    query: WorkQuery, cache_dir: str | os.PathLike, *, base_url: str | None = None,
    allow_partial: bool = False,
) -> Iterator[dict]:
    """Yield every cached work of ``query`` exactly once (first occurrence of each id wins).

    Parameters
    ----------
    query : WorkQuery
    cache_dir : path
        The cache folder (``Settings.cache_dir``).
    base_url : str, optional
        The server the pages were fetched from (``Settings.base_url``); None for the default
        OpenAlex API. Pages from another server are kept apart in the cache.
    allow_partial : bool
        Also yield the pages of unfinished slices instead of raising.

    Raises
    ------
    InputError
        When a slice is missing or unfinished (and ``allow_partial`` is false), so a partial
        result is never mistaken for the whole; or when a cached page is damaged (one line
        naming the slice: run the fetch again to refetch it).
    """
    cache = Cache(cache_dir)
    seen: set[str] = set()
    slices = query.slices(source=base_url)
    if not allow_partial:
        missing = [s.name for s in slices if not cache.slice(s.key).complete]
        if missing:
            shown = ", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")
            raise InputError(
                f"{len(missing)} of {len(slices)} slice(s) of the query ({query.describe()}) are "
                f"not fully in the cache {cache.root} ({shown}); run `collabnet fetch` first"
            )
    for s in slices:
        for page in cache.slice(s.key).iter_pages():
            for work in page["results"]:
                key = short_id(work["id"])
                if key in seen:
                    continue
                seen.add(key)
                yield work
