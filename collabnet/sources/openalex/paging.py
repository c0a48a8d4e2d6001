"""One slice's cursor walk: pages into the cache until the API itself ends the chain.

The rules :func:`~collabnet.sources.openalex.fetch` follows for each slice:

* **Only the API ends a slice.** A walk ends when a page says ``meta.next_cursor: null``. An
  empty page that still carries a cursor is followed, as is a page shorter than asked.
* **The endless-cursor guard counts what is new**, not pages against ``meta.count`` or the
  page size: after ``Settings.stall_pages`` pages in a row that bring no work not already
  served in this walk (empty pages, repeated pages, a cursor going round in circles), the
  walk stops. Besides, one run spends at most ``max_slice_requests`` requests and
  ``max_slice_seconds`` on a slice; past either it stops with a FetchError, progress saved.
* **A shortfall is retried once.** When a walk ends with fewer distinct works than the
  server's latest ``meta.count``, the cursor chain is walked once more from ``*``, keeping
  every page saved so far: the second walk can only add works (each is kept once, the first
  copy winning), and a page that brings no new work is not stored again. Still short, the
  slice is done but recorded *incomplete* (works expected and got, and why) in its
  checkpoint; ``strict`` fetches refuse it instead (see ``fetch``).
* **Pages are verified.** A resumed slice first reads back the pages it has; a damaged one
  sends the slice back to the start (said in the fetch report).
"""

from __future__ import annotations

import logging
import sys
import time
from dataclasses import dataclass, field
from urllib.parse import quote

from collabnet.cache import Checkpoint, DamagedPage, SliceStore
from collabnet.errors import FetchError, InputError
from collabnet.keys import short_id
from collabnet.query import SELECT_FIELDS, QuerySlice
from collabnet.sources.openalex.client import (
    OpenAlexClient,
    PerPageRefused,
    WorkNotFound,
    pyalex_query_string,
)

log = logging.getLogger("collabnet.openalex")


@dataclass
class SliceReport:
    """What happened to one slice in a fetch."""

    name: str
    key: str
    count: int | None  # meta.count reported by the server when the slice started
    works: int  # distinct works now cached for the slice
    pages: int
    from_cache: bool  # True: already complete, nothing requested
    resumed: bool  # True: continued from a checkpoint left by an earlier run
    refetched: int = 0  # truncated author lists replaced by the full record
    #: ``{"expected": n, "got": m, "reason": …}`` when the slice is short; None when complete.
    incomplete: dict | None = None
    walks: int = 1  # cursor chains walked from "*" (2: a shortfall was retried)


class Progress:
    """Two tqdm bars on stderr: slices, and the works of the current slice (its total from
    ``meta.count``, advanced page by page). ``enabled=False`` shows nothing; otherwise tqdm
    shows them only on a terminal."""

    def __init__(self, enabled: bool, slices: int):
        from tqdm.auto import tqdm

        opts = dict(disable=None if enabled else True, file=sys.stderr, dynamic_ncols=True)
        self.slices = tqdm(total=slices, desc="fetch", unit=" slice", position=0, **opts)
        self.works = tqdm(total=0, desc="", unit=" works", position=1, leave=False, **opts)

    def start(self, name: str, total: int | None, done: int = 0) -> None:
        self.works.reset(total=total or 0)
        self.works.set_description(name, refresh=False)
        self.works.update(done)

    def page(self, works: int, pages: int, total: int | None) -> None:
        if total is not None and total != self.works.total:
            self.works.total = total
        self.works.set_postfix(pages=pages, refresh=False)
        self.works.update(works)

    def slice_done(self) -> None:
        self.slices.update(1)

    def close(self) -> None:
        self.works.close()
        self.slices.close()


@dataclass
class _Walk:
    """Work ids of a slice in memory: all saved ones, and those served in the current walk."""

    seen: set = field(default_factory=set)
    walked: set = field(default_factory=set)
    requests: int = 0
    started: float = field(default_factory=time.monotonic)


def fetch_slice(s: QuerySlice, store: SliceStore, client: OpenAlexClient, bars: Progress,
                report, *, refresh: bool, strict: bool) -> SliceReport:
    """Fetch slice ``s`` into ``store`` (the rules in the module docstring)."""
    with store.lock():
        store.describe({"filter": s.filter_string, "select": list(SELECT_FIELDS), "name": s.name})
        cp = _checkpoint(store, report, s.name)
        if refresh and cp is not None:
            store.reset()
            cp = None
        if cp is not None and cp.done and not (strict and cp.incomplete):
            # Another run finished it while we were busy with other slices.
            return complete_report(s, store, cp, bars)
        resumed = cp is not None
        walk = _Walk()
        if cp is None:
            cp = Checkpoint(per_page=client.per_page)
        else:
            store.discard_pages_after(cp.pages)
            damaged = _read_back(store, cp, walk)
            if damaged:
                report.repairs.append(f"{s.name}: cached {damaged}; fetched the slice again")
                store.reset()
                cp, walk, resumed = Checkpoint(per_page=client.per_page), _Walk(), False
            elif cp.done:  # strict, and the slice was accepted short before: walk it again
                log.info("slice %s: incomplete in the cache; walking it again", s.name)
                _restart(cp, walk)
            else:
                log.info("slice %s: resuming after page %d", s.name, cp.pages)
        bars.start(s.name, cp.expected, len(walk.seen))
        _walk(s, store, client, cp, walk, bars, report)
        n = cp.works
        if cp.expected is not None and n > cp.expected:
            report.warnings.append(
                f"{s.name}: server counted {cp.expected} works, {n} fetched (OpenAlex is a live "
                "index; counts drift while paging)"
            )
        return SliceReport(s.name, s.key, cp.count, n, cp.pages, False, resumed, cp.refetched,
                           cp.incomplete, cp.walks)


def complete_report(s: QuerySlice, store: SliceStore, cp: Checkpoint, bars) -> SliceReport:
    """The report of a slice already done in the cache (nothing requested)."""
    n = cp.works if cp.works is not None else len(_ids(store, 1, cp.pages, cp))
    bars.start(s.name, n, n)
    return SliceReport(s.name, s.key, cp.count, n, cp.pages, True, False, cp.refetched,
                       cp.incomplete, cp.walks)


def _checkpoint(store: SliceStore, report, name: str) -> Checkpoint | None:
    try:
        return store.checkpoint()
    except InputError:
        report.repairs.append(f"{name}: cached checkpoint unreadable; fetched the slice again")
        store.reset()
        return None


def _ids(store: SliceStore, first: int, last: int, cp: Checkpoint) -> set:
    return {short_id(w["id"]) for n in range(first, last + 1)
            for w in store.read_page(n, cp)["results"]}


def _read_back(store: SliceStore, cp: Checkpoint, walk: _Walk) -> str | None:
    """Load the ids of the saved pages into ``walk``; the first damaged page in words."""
    for n in range(1, cp.pages + 1):
        try:
            page = store.check_page(n, cp)
        except DamagedPage as exc:
            return f"page {n} of {cp.pages}: {exc}"
        ids = {short_id(w["id"]) for w in page["results"]}
        walk.seen |= ids
        if n > cp.walk_start:
            walk.walked |= ids
    return None


def _restart(cp: Checkpoint, walk: _Walk) -> None:
    """Walk the cursor chain again from ``*``, keeping what was saved."""
    cp.walks += 1
    cp.walk_start, cp.next_cursor, cp.stalled, cp.done = cp.pages, "*", 0, False
    walk.walked = set()


def _walk(s: QuerySlice, store: SliceStore, client: OpenAlexClient, cp: Checkpoint,
          walk: _Walk, bars: Progress, report) -> None:
    settings = client.settings
    base_query = pyalex_query_string(s.query.pyalex(year=s.year, select=SELECT_FIELDS))
    while not cp.done:
        _check_budget(s.name, settings, walk, cp)
        cursor = cp.next_cursor or "*"
        query = f"{base_query}&per_page={cp.per_page}&cursor={quote(cursor, safe='')}"
        before = client.stats.http_requests
        try:
            page = client.get("/works", query, kind="list")
        except PerPageRefused:
            if cp.per_page <= 100:
                raise FetchError(
                    f"{settings.base_url} refused per_page={cp.per_page}; "
                    "it does not behave like the OpenAlex API"
                ) from None
            log.info("server refuses per_page=%d; using 100", cp.per_page)
            cp.per_page = client.per_page = 100
            continue
        finally:
            walk.requests += client.stats.http_requests - before
        new = _take_page(page, store, client, cp, walk, report)
        nxt = cp.next_cursor
        if nxt is None:
            _end_walk(s.name, cp, walk, "the server ended the cursor chain early", report)
        elif cp.stalled >= settings.stall_pages:
            _end_walk(s.name, cp, walk, f"{cp.stalled} pages in a row brought no new work",
                      report)
        store.save_checkpoint(cp)
        bars.page(new, cp.pages, cp.expected)


def _check_budget(name: str, settings, walk: _Walk, cp: Checkpoint) -> None:
    spent = None
    if settings.max_slice_requests is not None and walk.requests >= settings.max_slice_requests:
        spent = f"{walk.requests} requests"
    elapsed = time.monotonic() - walk.started
    if settings.max_slice_seconds is not None and elapsed > settings.max_slice_seconds:
        spent = f"{elapsed:.0f} s"
    if spent:
        raise FetchError(
            f"slice {name}: {spent} in this run and the server has not ended the cursor chain "
            f"({len(walk.seen)} works so far, {cp.pages} pages); stopped: progress so far is "
            "saved, rerun the same command to continue"
        )


def _take_page(page: dict, store: SliceStore, client: OpenAlexClient, cp: Checkpoint,
               walk: _Walk, report) -> int:
    """Account for one page (saved if it brings a work not saved before); return how many
    works it brought that the slice did not have."""
    meta, results = _check_page(page, client.settings.base_url, cp.per_page)
    count = _int(meta.get("count"))
    if count is not None:
        cp.count = count if cp.count is None else cp.count
        cp.last_count = count
    ids = [short_id(w["id"]) for w in results]
    fresh = any(i not in walk.walked for i in ids)
    walk.walked.update(ids)
    new = {i for i in ids if i not in walk.seen}
    if new:
        cp.refetched += _refetch_truncated(results, client, report, new)
        cp.checksums.append(store.write_page(cp.pages + 1, page))
        cp.pages += 1
        cp.results += len(results)
        walk.seen |= new
    cp.stalled = 0 if fresh else cp.stalled + 1
    cp.next_cursor = meta.get("next_cursor") or None
    return len(new)


def _end_walk(name: str, cp: Checkpoint, walk: _Walk, why: str, report) -> None:
    got, expected = len(walk.seen), cp.expected
    if expected is not None and got < expected and cp.walks < 2:
        log.info("slice %s: %d of %d works (%s); walking the cursor chain again", name, got,
                 expected, why)
        _restart(cp, walk)
        return
    cp.done, cp.works, cp.incomplete = True, got, None
    if expected is not None and got < expected:
        cp.incomplete = {"expected": expected, "got": got, "reason": why}
    elif cp.next_cursor is not None:
        report.warnings.append(
            f"{name}: the server still offered a next cursor, but {why}; stopped with all "
            f"{got} works it counted"
        )
    cp.next_cursor = None


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _check_page(page: dict, base_url: str, per_page: int) -> tuple[dict, list]:
    meta, results = page.get("meta"), page.get("results")
    if not isinstance(meta, dict) or not isinstance(results, list):
        raise FetchError(
            f"{base_url} did not answer with an OpenAlex list page (meta and results); "
            "is the base URL right?"
        )
    for w in results:
        if not isinstance(w, dict) or not isinstance(w.get("id"), str):
            raise FetchError(f"{base_url} returned a work without an id; not an OpenAlex page")
    if "next_cursor" not in meta and results and len(results) >= per_page:
        raise FetchError(f"{base_url} does not support cursor paging (no meta.next_cursor)")
    return meta, results


def _refetch_truncated(results: list, client: OpenAlexClient, report, new: set) -> int:
    """Replace works (among ``new``) whose author list was cut at 100 by their full record."""
    n = 0
    select = ",".join(f for f in SELECT_FIELDS if f != "is_authors_truncated")
    for i, work in enumerate(results):
        wid = short_id(work["id"])
        if not work.get("is_authors_truncated") or wid not in new:
            continue
        try:
            full = client.get(f"/works/{quote(wid)}", f"select={select}", kind="singleton")
        except WorkNotFound:
            report.warnings.append(f"{wid}: full record not found; kept the first 100 authors")
            continue
        if not isinstance(full, dict) or short_id(str(full.get("id", ""))) != wid:
            # A merged work redirects to its new id; the list record stays as it was.
            report.warnings.append(f"{wid}: singleton answered another id; kept the list record")
            continue
        results[i] = {**work, **full, "is_authors_truncated": False}
        n += 1
    return n
