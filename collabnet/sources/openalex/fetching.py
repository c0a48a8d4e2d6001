"""Fetch a query's works into the page cache, resumably, and read them back.

A query is fetched slice by slice (one per publication year) with cursor paging at the
largest page size the API accepts (200), only the fields collabnet reads (``select``) and
gzip transfer, through :class:`~collabnet.sources.openalex.client.OpenAlexClient`. Every
page is written to the cache as it arrives, followed by the slice's checkpoint (the next
cursor), so an interrupted fetch – Ctrl-C, ``kill -9``, a lost connection, an exhausted
budget – continues where it stopped and a finished one is read from disk without a single
request. Works whose author lists the list endpoint truncates at 100
(``is_authors_truncated``) are fetched again whole from the singleton endpoint, which
OpenAlex does not charge for.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import quote

from collabnet.cache import Cache, Checkpoint, SliceStore
from collabnet.config import Settings, get_settings
from collabnet.errors import FetchError, InputError
from collabnet.keys import short_id
from collabnet.query import SELECT_FIELDS, QuerySlice, WorkQuery
from collabnet.sources.openalex.client import (
    OpenAlexClient,
    PerPageRefused,
    RequestStats,
    WorkNotFound,
    pyalex_query_string,
)

log = logging.getLogger("collabnet.openalex")

__all__ = [
    "FetchReport",
    "SliceReport",
    "fetch",
    "is_cached",
    "iter_cached_works",
    "load_query",
]



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


@dataclass
class FetchReport:
    """The outcome of :func:`fetch`.

    Attributes
    ----------
    query : WorkQuery
    slices : list of SliceReport
    works : int
        Distinct works cached for the query.
    stats : RequestStats
        Requests sent by this run (zero when everything came from the cache).
    warnings : list of str
        Things worth telling the user, e.g. a server count that differs from what was fetched.
    """

    query: WorkQuery
    cache_dir: str
    slices: list[SliceReport] = field(default_factory=list)
    works: int = 0
    stats: RequestStats = field(default_factory=RequestStats)
    warnings: list[str] = field(default_factory=list)

    @property
    def from_cache(self) -> bool:
        return all(s.from_cache for s in self.slices)

    def summary(self) -> str:
        """A few lines for people: what was fetched, from where, at what cost."""
        done = sum(1 for s in self.slices if s.from_cache)
        st = self.stats
        lines = [
            f"{self.works} works for {self.query.describe()}",
            f"  {len(self.slices)} slice(s): {done} already cached, "
            f"{len(self.slices) - done} fetched; cache {self.cache_dir}",
            f"  requests: {st.http_requests} ({st.list_pages} list pages, {st.singletons} "
            f"full-author lookups, {st.retries} retries, {st.rate_limit_waits} rate-limit waits)",
        ]
        refetched = sum(s.refetched for s in self.slices)
        if refetched:
            lines.append(f"  {refetched} works with >100 authors fetched whole")
        lines.extend(f"  warning: {w}" for w in self.warnings)
        return "\n".join(lines)


def _progress_bar(progress: bool, desc: str):
    from tqdm.auto import tqdm

    # disable=None: tqdm switches itself off when stderr is not a terminal.
    return tqdm(
        total=0,
        unit=" works",
        desc=desc,
        disable=None if progress else True,
        file=sys.stderr,
        dynamic_ncols=True,
        leave=True,
    )


def fetch(
    query: WorkQuery,
    *,
    settings: Settings | None = None,
    progress: bool = True,
    refresh: bool = False,
    client: OpenAlexClient | None = None,
) -> FetchReport:
    """Fetch every work of ``query`` into the cache, resuming what an earlier run left.

    Parameters
    ----------
    query : WorkQuery
        The works to fetch; fetched one slice (publication year) at a time.
    settings : Settings, optional
        Base URL, API key, cache folder … (default :func:`collabnet.config.get_settings`).
    progress : bool
        Show a tqdm progress bar on stderr (only when stderr is a terminal).
    refresh : bool
        Fetch again even slices that are complete in the cache.
    client : OpenAlexClient, optional
        Reuse a client (and its session and statistics).

    Returns
    -------
    FetchReport

    Raises
    ------
    BudgetExhaustedError, PlanRequiredError, RateLimitError, AuthError, FetchError
        The fetch stopped; every page received so far is saved and the next run resumes.
    CacheBusyError
        Another run is fetching one of the slices.

    Notes
    -----
    Requests: a slice of ``n`` works costs ``floor(n / per_page) + 1`` list requests at
    ``per_page = 200`` (the last page is short, or empty when ``n`` is an exact multiple),
    i.e. 50–51 per 10 000 works plus at most one per slice, and nothing for cached slices.
    Truncated author lists add one free singleton request per affected work.

    Examples
    --------
    Against the loopback server of :mod:`collabnet.testing` (any OpenAlex-compatible base URL
    works the same way); the second fetch is answered by the cache alone:

    >>> import tempfile
    >>> from collabnet.testing import OpenAlexTestServer
    >>> works = [{"id": f"W{i}", "publication_year": 2015 + i % 2} for i in range(5)]
    >>> q = WorkQuery(years="2015-2016")
    >>> with OpenAlexTestServer(works) as srv, tempfile.TemporaryDirectory() as tmp:
    ...     settings = get_settings(base_url=srv.url, cache_dir=tmp, env={})
    ...     first = fetch(q, settings=settings, progress=False)
    ...     again = fetch(q, settings=settings, progress=False)
    ...     cached = [w["id"] for w in iter_cached_works(q, tmp, base_url=srv.url)]
    >>> first.works, [(s.name, s.works) for s in first.slices], first.stats.list_pages
    (5, [('2015', 3), ('2016', 2)], 2)
    >>> again.from_cache, again.stats.http_requests, len(cached)
    (True, 0, 5)
    """
    settings = settings or get_settings()
    cache = Cache(settings.cache_dir)
    report = FetchReport(query=query, cache_dir=str(settings.cache_dir))
    slices = query.slices(source=settings.base_url)
    cache.register_query(
        query.cache_key(settings.base_url),
        {
            "query": query.to_dict(),
            "description": query.describe(),
            "filter": query.filter_string(),
            "select": list(SELECT_FIELDS),
            "slices": [s.key for s in slices],
            "slice_names": [s.name for s in slices],
            "base_url": settings.base_url,
        },
    )
    own_client = client is None
    client = client or OpenAlexClient(settings)
    report.stats = client.stats
    bar = _progress_bar(progress, "fetch")
    try:
        for i, s in enumerate(slices, start=1):
            # The total grows as each slice reports its meta.count (no extra count requests).
            bar.set_description(f"fetch {s.name} [{i}/{len(slices)}]", refresh=False)
            store = cache.slice(s.key)
            cp = store.checkpoint()
            if cp is not None and cp.done and not refresh:
                report.slices.append(_report_complete(s, store, cp, bar))
                continue
            try:
                report.slices.append(_fetch_slice(s, store, client, bar, refresh, report))
            except FetchError as exc:
                exc.args = (
                    f"{exc} [{len(report.slices)} of {len(slices)} slices complete; "
                    f"stopped in {s.name}]",
                )
                raise
    finally:
        bar.close()
        if own_client:
            client.close()
    report.works = sum(r.works for r in report.slices)
    return report


def _report_complete(s: QuerySlice, store: SliceStore, cp: Checkpoint, bar) -> SliceReport:
    """The report of a slice already complete in the cache (nothing requested)."""
    n = cp.works if cp.works is not None else _count_distinct(store)
    bar.total += n
    bar.update(n)
    return SliceReport(s.name, s.key, cp.count, n, cp.pages, True, False, cp.refetched)


def _fetch_slice(
    s: QuerySlice,
    store: SliceStore,
    client: OpenAlexClient,
    bar,
    refresh: bool,
    report: FetchReport,
) -> SliceReport:
    settings = client.settings
    with store.lock():
        store.describe(
            {"filter": s.filter_string, "select": list(SELECT_FIELDS), "name": s.name}
        )
        cp = store.checkpoint()
        if refresh and cp is not None:
            store.reset()
            cp = None
        if cp is not None and cp.done:
            # Another run finished it while we were busy with other slices.
            return _report_complete(s, store, cp, bar)
        resumed = cp is not None
        if cp is None:
            cp = Checkpoint(per_page=client.per_page)
        else:
            store.discard_pages_after(cp.pages)
            if cp.count is not None:
                bar.total += cp.count
                bar.update(cp.results)
            log.info("slice %s: resuming after page %d", s.name, cp.pages)
        base_query = pyalex_query_string(s.query.pyalex(year=s.year, select=SELECT_FIELDS))
        max_pages = None
        while not cp.done:
            cursor = cp.next_cursor or "*"
            query = f"{base_query}&per_page={cp.per_page}&cursor={quote(cursor, safe='')}"
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
            meta, results = _check_page(page, settings.base_url)
            if cp.count is None:
                cp.count = _int(meta.get("count"))
                if cp.count is not None:
                    bar.total += cp.count
                    bar.refresh()
            if max_pages is None:
                # A guard against a server that never ends its cursor chain.
                known = cp.count if cp.count is not None else 0
                max_pages = cp.pages + 2 * (known // max(1, cp.per_page)) + 10
            nxt = meta.get("next_cursor") if "next_cursor" in meta else None
            if "next_cursor" not in meta and results and len(results) >= cp.per_page:
                raise FetchError(
                    f"{settings.base_url} does not support cursor paging (no meta.next_cursor)"
                )
            if nxt is not None and nxt == cursor:
                raise FetchError(f"{settings.base_url} returned the same cursor twice")
            refetched = _refetch_truncated(results, client, report)
            if results:
                store.write_page(cp.pages + 1, page)
                cp.pages += 1
                cp.results += len(results)
                cp.refetched += refetched
            cp.next_cursor = nxt
            cp.done = nxt is None or not results
            if cp.done:
                cp.works = _count_distinct(store, cp.pages)
            store.save_checkpoint(cp)
            bar.update(len(results))
            if not cp.done and cp.pages > max_pages:
                raise FetchError(
                    f"slice {s.name}: {cp.pages} pages for {cp.count} works and the server "
                    "still returns a next cursor; stopped"
                )
        n = cp.works
        if cp.count is not None and n != cp.count:
            report.warnings.append(
                f"{s.name}: server counted {cp.count} works, {n} fetched (OpenAlex is a live "
                "index; counts drift while paging)"
            )
        return SliceReport(s.name, s.key, cp.count, n, cp.pages, False, resumed, cp.refetched)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _check_page(page: dict, base_url: str) -> tuple[dict, list]:
    meta, results = page.get("meta"), page.get("results")
    if not isinstance(meta, dict) or not isinstance(results, list):
        raise FetchError(
            f"{base_url} did not answer with an OpenAlex list page (meta and results); "
            "is the base URL right?"
        )
    for w in results:
        if not isinstance(w, dict) or not isinstance(w.get("id"), str):
            raise FetchError(f"{base_url} returned a work without an id; not an OpenAlex page")
    return meta, results


def _refetch_truncated(results: list, client: OpenAlexClient, report: FetchReport) -> int:
    """Replace works whose author list was cut at 100 by their full record; return how many."""
    n = 0
    select = ",".join(f for f in SELECT_FIELDS if f != "is_authors_truncated")
    for i, work in enumerate(results):
        if not work.get("is_authors_truncated"):
            continue
        wid = short_id(work["id"])
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


def _iter_slice_works(store: SliceStore, pages: int | None = None) -> Iterator[dict]:
    for page in store.iter_pages(pages):
        yield from page.get("results", [])


def _count_distinct(store: SliceStore, pages: int | None = None) -> int:
    return len({short_id(w["id"]) for w in _iter_slice_works(store, pages)})


# --- reading back ----------------------------------------------------------------------------


def is_cached(query: WorkQuery, cache_dir, *, base_url: str | None = None) -> bool:
    """Whether every slice of ``query``, as fetched from ``base_url``, is complete in
    ``cache_dir`` (``base_url`` None: the default OpenAlex API)."""
    cache = Cache(cache_dir)
    return all(cache.slice(s.key).complete for s in query.slices(source=base_url))


def iter_cached_works(
    query: WorkQuery, cache_dir, *, base_url: str | None = None, allow_partial: bool = False
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
        result is never mistaken for the whole.
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
        for work in _iter_slice_works(cache.slice(s.key)):
            key = short_id(work["id"])
            if key in seen:
                continue
            seen.add(key)
            yield work


def load_query(
    query: WorkQuery,
    *,
    settings: Settings | None = None,
    fetch_missing: bool = True,
    progress: bool = True,
) -> list[dict]:
    """The works of ``query`` from the cache, fetching what is missing first.

    Parameters
    ----------
    query : WorkQuery
    settings : Settings, optional
    fetch_missing : bool
        Fetch slices not yet (completely) cached; otherwise raise InputError for them.
    progress : bool
        Progress bar while fetching.

    Returns
    -------
    list of dict
        OpenAlex work records, each work once.
    """
    settings = settings or get_settings()
    source = settings.base_url
    if fetch_missing and not is_cached(query, settings.cache_dir, base_url=source):
        report = fetch(query, settings=settings, progress=progress)
        for w in report.warnings:
            log.warning("%s", w)
    return list(iter_cached_works(query, settings.cache_dir, base_url=source))
