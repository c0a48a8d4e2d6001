"""Fetch a query's works into the page cache, resumably, and read them back.

A query is fetched slice by slice (one per publication year) with cursor paging at the
largest page size the API accepts (200), only the fields collabnet reads (``select``) and
gzip transfer, through :class:`~collabnet.sources.openalex.client.OpenAlexClient`. Every
page is written to the cache as it arrives, followed by the slice's checkpoint (the next
cursor, the page's size and checksum), so an interrupted fetch – Ctrl-C, ``kill -9``, a lost
connection, an exhausted budget, a full disk – continues where it stopped and a finished one
is read from disk without a single request, after a cheap check of its pages (a damaged page
sends only its slice back to the server). Works whose author lists the list endpoint
truncates at 100 (``is_authors_truncated``) are fetched again whole from the singleton
endpoint, which OpenAlex does not charge for. How a slice ends, and what counts as
incomplete, is in :mod:`~collabnet.sources.openalex.paging`.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field

from collabnet import fileio
from collabnet.cache import Cache
from collabnet.config import Settings, get_settings
from collabnet.errors import CollabnetError, FetchError, InputError
from collabnet.query import SELECT_FIELDS, WorkQuery
from collabnet.sources.openalex.client import OpenAlexClient, RequestStats
from collabnet.sources.openalex.paging import Progress, SliceReport, complete_report, fetch_slice
from collabnet.sources.openalex.reading import (
    incomplete_note,
    is_cached,
    iter_cached_works,
    query_warnings,
    verify_slice,
)

log = logging.getLogger("collabnet.openalex")

__all__ = ["FetchReport", "SliceReport", "fetch", "load_query"]


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
        Things to tell the user, one line each: first every slice accepted incomplete (the
        same lines as :func:`~collabnet.sources.openalex.query_warnings`), then e.g. a server
        count that differs from what was fetched.
    repairs : list of str
        Cached slices found damaged and fetched again, one line each.
    """

    query: WorkQuery
    cache_dir: str
    slices: list[SliceReport] = field(default_factory=list)
    works: int = 0
    stats: RequestStats = field(default_factory=RequestStats)
    warnings: list[str] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)

    @property
    def from_cache(self) -> bool:
        return all(s.from_cache for s in self.slices)

    @property
    def incomplete(self) -> list[SliceReport]:
        """The slices accepted with fewer works than the server counted."""
        return [s for s in self.slices if s.incomplete]

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
        lines.extend(f"  repaired: {r}" for r in self.repairs)
        lines.extend(f"  warning: {w}" for w in self.warnings)
        return "\n".join(lines)


def fetch(
    query: WorkQuery,
    *,
    settings: Settings | None = None,
    progress: bool = True,
    refresh: bool = False,
    client: OpenAlexClient | None = None,
    strict: bool = False,
) -> FetchReport:
    """Fetch every work of ``query`` into the cache, resuming what an earlier run left.

    Parameters
    ----------
    query : WorkQuery
        The works to fetch; fetched one slice (publication year) at a time.
    settings : Settings, optional
        Base URL, API key, cache folder … (default :func:`collabnet.config.get_settings`).
    progress : bool
        tqdm bars on stderr (only when stderr is a terminal): slices, and the works of the
        current slice (its total from ``meta.count``), advanced page by page.
    refresh : bool
        Fetch again even slices that are complete in the cache.
    client : OpenAlexClient, optional
        Reuse a client (and its session and statistics).
    strict : bool
        Refuse incomplete slices. A slice is complete only when the server ended its cursor
        chain with at least as many distinct works as its ``meta.count``; a shortfall is
        retried once (the chain walked again from ``*``). Without ``strict`` a slice still
        short is accepted, recorded as incomplete (listed by ``cache list``, repeated by
        :func:`~collabnet.sources.openalex.query_warnings` to every reader, and in
        ``report.warnings``). With ``strict``, every slice is fetched as far as it goes, a
        slice recorded incomplete by an earlier run is walked once more, and if any is still
        short a one-line :class:`~collabnet.errors.FetchError` names them all; their pages
        stay in the cache (a later fetch without ``strict`` accepts them without requests).

    Returns
    -------
    FetchReport

    Raises
    ------
    BudgetExhaustedError, PlanRequiredError, RateLimitError, AuthError, FetchError
        The fetch stopped; every page received so far is saved and the next run resumes.
        Also a FetchError with ``strict`` for incomplete slices, or when one run has spent
        ``Settings.max_slice_requests`` / ``max_slice_seconds`` on a slice.
    InputError
        The cache folder cannot be written (read-only, full disk): one line, no temporary
        file left; the pages saved before are kept.
    CacheBusyError
        Another run is fetching one of the slices.

    Notes
    -----
    Requests: a slice of ``n`` works costs ``floor(n / per_page) + 1`` list requests at
    ``per_page = 200`` (the last page is short, or empty when ``n`` is an exact multiple),
    i.e. 50–51 per 10 000 works plus at most one per slice, and nothing for cached slices.
    Truncated author lists add one free singleton request per affected work; a shortfall
    against ``meta.count`` costs one more walk of its slice.

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
    bars = Progress(progress, len(slices))
    probed = False
    try:
        for s in slices:
            store = cache.slice(s.key)
            again = refresh
            try:
                cp = store.checkpoint()
            except InputError:
                cp = None  # fetch_slice repairs it, under the lock
            if cp is not None and cp.done and not refresh and not (strict and cp.incomplete):
                damaged = verify_slice(store, cp)
                if damaged is None:
                    report.slices.append(complete_report(s, store, cp, bars))
                    bars.slice_done()
                    continue
                report.repairs.append(f"{s.name}: cached {damaged}; fetched the slice again")
                again = True
            try:
                if not probed:
                    _check_writable(cache)
                    probed = True
                report.slices.append(
                    fetch_slice(s, store, client, bars, report, refresh=again, strict=strict)
                )
            except CollabnetError as exc:
                exc.args = (
                    f"{exc} [{len(report.slices)} of {len(slices)} slices complete; "
                    f"stopped in {s.name}]",
                )
                raise
            bars.slice_done()
    finally:
        bars.close()
        if own_client:
            client.close()
    report.works = sum(r.works for r in report.slices)
    report.warnings[:0] = [incomplete_note(r.name, r.incomplete) for r in report.incomplete]
    if strict and report.incomplete:
        short = ", ".join(
            f"{r.name} ({r.incomplete['got']} of {r.incomplete['expected']} works: "
            f"{r.incomplete['reason']})" for r in report.incomplete
        )
        raise FetchError(
            f"strict fetch of {query.describe()}: {len(report.incomplete)} slice(s) incomplete "
            f"after a second walk of the cursor chain: {short}; their pages are kept in the "
            "cache (a fetch without strict accepts them)"
        )
    return report


def _check_writable(cache: Cache) -> None:
    """Fail before any request when the cache cannot be written: a real write and removal
    of a probe file finds a read-only mount or a full disk that permission bits (and root)
    would not show."""
    probe = cache.root / f".write-probe.{os.getpid()}"
    try:
        cache.root.mkdir(parents=True, exist_ok=True)
        fileio.atomic_write(probe, b"probe")
        probe.unlink()
    except (OSError, InputError) as exc:
        cause = exc if isinstance(exc, OSError) else exc.__context__
        reason = (cause.strerror or str(cause)) if isinstance(cause, OSError) else str(exc)
        raise InputError(
            f"{cache.root}: cannot write the cache folder ({reason}); choose another with "
            "--cache or COLLABNET_CACHE"
        ) from None


def load_query(
    query: WorkQuery,
    *,
    settings: Settings | None = None,
    fetch_missing: bool = True,
    progress: bool = True,
    strict: bool = False,
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
    strict : bool
        Refuse incomplete slices (see :func:`fetch`); without it, each is logged as a warning
        (logger ``collabnet.openalex``), fetched now or earlier.

    Returns
    -------
    list of dict
        OpenAlex work records, each work once.
    """
    settings = settings or get_settings()
    source = settings.base_url
    warnings = None
    if fetch_missing and (strict or not is_cached(query, settings.cache_dir, base_url=source)):
        report = fetch(query, settings=settings, progress=progress, strict=strict)
        warnings = report.warnings
    for w in query_warnings(query, settings) if warnings is None else warnings:
        log.warning("%s", w)
    return list(iter_cached_works(query, settings.cache_dir, base_url=source))
