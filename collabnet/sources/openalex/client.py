"""Fetch works from the OpenAlex API into the page cache, resumably, within its rate limits.

pyalex composes the requests (filters, ``select``, ``group-by``); collabnet sends them itself
on one ``requests.Session`` to a configurable base URL, because pyalex hard-codes
api.openalex.org, retries only over https and cannot tell a per-second 429 from an exhausted
daily budget (OPENALEX_API.md §4). A query is fetched slice by slice (one per publication
year) with cursor paging at the largest page size the API accepts (200), only the fields
collabnet reads (``select``) and gzip transfer. Every page is written to the cache as it
arrives, followed by the slice's checkpoint (the next cursor), so an interrupted fetch –
Ctrl-C, ``kill -9``, a lost connection, an exhausted budget – continues where it stopped
and a finished one is read from disk without a single request. Works whose author lists the
list endpoint truncates at 100 (``is_authors_truncated``) are fetched again whole from the
singleton endpoint, which OpenAlex does not charge for.

Failures are classified as OpenAlex documents them (§1.7, §6.2): a per-second 429 waits for
``Retry-After``; an exhausted daily budget or "plan upgrade required" stops at once with a
message saying when the budget resets and how to resume; 5xx, 504, connection losses,
truncated bodies and ``meta.timed_out`` pages are retried with exponential backoff up to a
bound; 401 means the API key is wrong. The API key travels in the ``Authorization`` header,
never in a URL, and is scrubbed from every message.
"""

from __future__ import annotations

import email.utils
import logging
import math
import random
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from urllib.parse import quote, urlsplit

import orjson
import requests

from collabnet import __version__
from collabnet.cache import Cache, Checkpoint, SliceStore
from collabnet.config import Settings, get_settings
from collabnet.errors import FetchError, InputError
from collabnet.query import SELECT_FIELDS, QuerySlice, WorkQuery
from collabnet.sources.files import short_id

log = logging.getLogger("collabnet.openalex")

__all__ = [
    "AuthError",
    "BudgetExhaustedError",
    "FetchReport",
    "OpenAlexClient",
    "PlanRequiredError",
    "RateLimitError",
    "SliceReport",
    "fetch",
    "is_cached",
    "iter_cached_works",
    "load_query",
]


class AuthError(FetchError):
    """The server refused the API key (HTTP 401)."""


class BudgetExhaustedError(FetchError):
    """The daily credit budget is spent; ``resets_at`` says when it refills (UTC)."""

    def __init__(self, message: str, resets_at: datetime | None = None):
        super().__init__(message)
        self.resets_at = resets_at


class PlanRequiredError(FetchError):
    """The request needs a paid OpenAlex plan ("Plan upgrade required")."""


class RateLimitError(FetchError):
    """Rate limited for longer than collabnet is willing to wait in-process."""


class _Retryable(Exception):
    """A failure worth another attempt (internal)."""

    def __init__(self, reason: str, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class _NotFound(Exception):
    """404 on a singleton (internal: the work vanished between the list and the lookup)."""


class _PerPageRefused(Exception):
    """400 "per-page parameter must be between …" (internal: fall back to 100)."""


# --- the HTTP client -------------------------------------------------------------------------


@dataclass
class RequestStats:
    """What a client sent: HTTP requests (every attempt), by purpose, and the retries."""

    http_requests: int = 0
    list_pages: int = 0
    group_by: int = 0
    singletons: int = 0
    retries: int = 0
    rate_limit_waits: int = 0
    waited_seconds: float = 0.0
    failures: list[str] = field(default_factory=list)


def redact(text: str, secret: str | None) -> str:
    """``text`` with ``secret`` and any ``api_key=…`` value replaced by ``***``.

    Examples
    --------
    >>> redact("GET /works?api_key=abc123&x=1", None)
    'GET /works?api_key=***&x=1'
    """
    if secret:
        text = text.replace(secret, "***")
        enc = quote(secret, safe="")
        if enc != secret:
            text = text.replace(enc, "***")
    return re.sub(r"(?i)(api[_-]key=)[^&\s'\"]+", r"\1***", text)


def _float(value) -> float | None:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _retry_after(resp: requests.Response, body: dict | None) -> float | None:
    """Seconds the server asks us to wait (``Retry-After`` seconds or date, or body)."""
    header = resp.headers.get("Retry-After")
    if header:
        secs = _float(header)
        if secs is None:
            try:
                when = email.utils.parsedate_to_datetime(header)
                secs = (when - datetime.now(timezone.utc)).total_seconds()
            except (TypeError, ValueError):
                secs = None
        if secs is not None:
            return max(0.0, secs)
    if isinstance(body, dict):
        secs = _float(body.get("retryAfter"))
        if secs is not None:
            return max(0.0, secs)
    return None


def _next_midnight_utc() -> datetime:
    now = datetime.now(timezone.utc)
    return (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)


def _describe_reset(resets_at: datetime) -> str:
    left = max(0, int((resets_at - datetime.now(timezone.utc)).total_seconds()))
    h, m = divmod(left // 60, 60)
    return f"{resets_at:%Y-%m-%d %H:%M} UTC (in {h} h {m:02d} min)"


def _body_json(resp: requests.Response) -> dict | None:
    try:
        data = orjson.loads(resp.content)
    except (orjson.JSONDecodeError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _message(body: dict | None, resp: requests.Response) -> str:
    """The server's explanation, one line, short."""
    if body:
        parts = [str(body.get(k)) for k in ("error", "message") if body.get(k)]
        if parts:
            text = ": ".join(dict.fromkeys(parts))
            return " ".join(text.split())[:300]
    kind = resp.headers.get("Content-Type", "").split(";")[0] or "unknown content"
    return f"non-JSON answer ({kind})"


class OpenAlexClient:
    """One ``requests.Session`` to an OpenAlex-compatible server, with OpenAlex's failure rules.

    Parameters
    ----------
    settings : Settings
        Base URL, API key, retry bounds, client-side rate (see :class:`collabnet.config.Settings`).
    sleep : callable, optional
        Used for every wait (tests pass a recorder to avoid real sleeping).

    Notes
    -----
    Requests are ``GET`` only. The API key is sent as ``Authorization: Bearer <key>``, which the
    OpenAlex gateway accepts ahead of the ``api_key`` query parameter; keeping it out of the
    URL keeps it out of logs, exception texts and anything derived from URLs.
    """

    def __init__(self, settings: Settings, *, sleep=time.sleep):
        self.settings = settings
        self.stats = RequestStats()
        self._sleep = sleep
        self._last_request = 0.0
        #: Largest page size the server accepted; lowered once if it refuses 200.
        self.per_page = settings.per_page
        self.session = requests.Session()
        agent = f"collabnet/{__version__} (+https://github.com/; requests)"
        if settings.email:
            agent = f"collabnet/{__version__} (mailto:{settings.email})"
        self.session.headers.update(
            {"Accept": "application/json", "Accept-Encoding": "gzip", "User-Agent": agent}
        )
        if settings.email:
            self.session.headers["From"] = settings.email
        if settings.api_key:
            self.session.headers["Authorization"] = f"Bearer {settings.api_key}"
        # No urllib3 retries: every retry decision is ours, so it is counted and bounded.
        adapter = requests.adapters.HTTPAdapter(max_retries=0, pool_maxsize=2)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> OpenAlexClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _redact(self, text: str) -> str:
        return redact(text, self.settings.api_key)

    def _throttle(self) -> None:
        rate = self.settings.max_rate
        if not rate:
            return
        gap = 1.0 / rate - (time.monotonic() - self._last_request)
        if gap > 0:
            self._sleep(gap)

    def get(self, path: str, query: str = "", *, kind: str = "list") -> dict:
        """GET ``base_url + path + "?" + query`` and return the JSON object, after retries.

        Parameters
        ----------
        path : str
            ``/works`` or ``/works/W123``.
        query : str
            Encoded query string (as pyalex builds it), without the API key.
        kind : {"list", "group_by", "singleton"}
            What the request is, for the statistics and for reading a 404.

        Raises
        ------
        AuthError, BudgetExhaustedError, PlanRequiredError, RateLimitError, FetchError
            See the module docstring for which response leads to which.
        """
        url = self.settings.base_url + path + (f"?{query}" if query else "")
        shown = self._redact(path + (f"?{query}" if query else ""))
        s = self.settings
        attempt = 0
        rate_waits = 0
        while True:
            self._throttle()
            try:
                result = self._attempt(url, shown, kind)
            except _Retryable as exc:
                failure = exc
            else:
                if kind == "list":
                    self.stats.list_pages += 1
                elif kind == "group_by":
                    self.stats.group_by += 1
                else:
                    self.stats.singletons += 1
                return result
            if failure.reason.startswith("rate limited"):
                # Per-second 429s: wait as told; bounded separately from real failures.
                rate_waits += 1
                self.stats.rate_limit_waits += 1
                wait = failure.retry_after if failure.retry_after is not None else 1.0
                if rate_waits > max(10, 4 * s.max_retries):
                    raise RateLimitError(
                        f"OpenAlex kept answering 429 (rate limited) for {shown}: gave up after "
                        f"{rate_waits} waits; lower the request rate and rerun to resume"
                    )
                self._wait(wait, shown)
                continue
            attempt += 1
            self.stats.failures.append(failure.reason)
            if attempt > s.max_retries:
                raise FetchError(
                    f"request to {s.base_url} failed {attempt} times ({failure.reason}) for "
                    f"{shown}; progress so far is saved, rerun the same command to resume"
                )
            self.stats.retries += 1
            delay = min(s.max_backoff, s.backoff * 2 ** (attempt - 1))
            delay *= 0.75 + 0.5 * random.random()  # jitter: do not march in step with others
            if failure.retry_after is not None:
                delay = max(delay, failure.retry_after)
            log.info("retry %d/%d in %.1fs: %s (%s)", attempt, s.max_retries, delay,
                     failure.reason, shown)
            self._wait(delay, shown)

    def _wait(self, seconds: float, shown: str) -> None:
        if seconds > self.settings.max_wait:
            raise RateLimitError(
                f"OpenAlex asked to wait {seconds:.0f} s before retrying {shown}, longer than "
                f"{self.settings.max_wait:.0f} s; progress is saved, rerun later to resume"
            )
        self.stats.waited_seconds += seconds
        self._sleep(seconds)

    def _attempt(self, url: str, shown: str, kind: str) -> dict:
        s = self.settings
        self._last_request = time.monotonic()
        self.stats.http_requests += 1
        try:
            resp = self.session.get(url, timeout=s.timeout)
            content = resp.content  # read the whole body here, so a cut transfer is caught
        except requests.exceptions.Timeout:
            raise _Retryable(f"no answer within {s.timeout:.0f} s") from None
        except (
            requests.exceptions.ConnectionError,
            requests.exceptions.ChunkedEncodingError,
            requests.exceptions.ContentDecodingError,
        ) as exc:
            raise _Retryable(f"connection failed: {type(exc).__name__}") from None
        except requests.exceptions.RequestException as exc:
            raise FetchError(
                f"cannot request {shown} from {s.base_url}: "
                f"{self._redact(str(exc)).splitlines()[0][:200]}"
            ) from None
        status = resp.status_code
        log.debug("GET %s -> %d (%d bytes)", shown, status, len(content))
        if status == 200:
            try:
                data = orjson.loads(content)
            except orjson.JSONDecodeError:
                raise _Retryable("truncated or invalid JSON in a 200 answer") from None
            if not isinstance(data, dict):
                raise FetchError(
                    f"{s.base_url} answered {shown} with JSON that is not an OpenAlex response; "
                    "is the base URL right?"
                )
            meta = data.get("meta")
            if isinstance(meta, dict) and meta.get("timed_out"):
                raise _Retryable("server timed out (meta.timed_out): partial results")
            return data
        body = _body_json(resp)
        msg = self._redact(_message(body, resp))
        if status in (429, 403) and (status == 429 or _looks_rate_limited(body)):
            self._raise_for_rate_limit(resp, body, msg, shown)
        if status == 401:
            if s.api_key:
                raise AuthError(
                    f"OpenAlex rejected the API key (401: {msg}); check --api-key or "
                    "OPENALEX_API_KEY (keys: https://openalex.org/settings/api)"
                )
            raise AuthError(
                f"OpenAlex requires an API key for this request (401: {msg}); get a free key "
                "at https://openalex.org/settings/api and set OPENALEX_API_KEY"
            )
        if status in (500, 502, 503, 504):
            raise _Retryable(f"HTTP {status} ({msg})", _retry_after(resp, body))
        if status == 404 and kind == "singleton":
            raise _NotFound(shown)
        if status == 400 and re.search(r"per[-_]page", msg, re.I) and "between" in msg:
            raise _PerPageRefused(msg)
        if status == 400:
            raise FetchError(f"OpenAlex refused {shown} (400: {msg})")
        if status == 404:
            raise FetchError(
                f"{s.base_url} answered 404 for {shown} ({msg}); is the base URL right?"
            )
        raise FetchError(f"unexpected HTTP {status} from {s.base_url} for {shown} ({msg})")

    def _raise_for_rate_limit(self, resp, body, msg: str, shown: str) -> None:
        """Classify a 429 (OPENALEX_API.md §1.7/§6.2) and raise accordingly."""
        h = resp.headers
        error = str((body or {}).get("error", ""))
        text = f"{error} {(body or {}).get('message', '')}".lower()
        if "plan upgrade" in text or "requires a premium" in text or "premium" in error.lower():
            raise PlanRequiredError(
                f"OpenAlex says this request needs a paid plan ({msg}); remove the premium "
                "filter or use a key with a Premium plan"
            )
        remaining = _float(h.get("X-RateLimit-Remaining"))
        required = _float(h.get("X-RateLimit-Credits-Required"))
        exhausted = (
            "insufficient budget" in text
            or "budget" in text
            or "daily" in text
            or (remaining is not None and required is not None and remaining < required)
        )
        wait = _retry_after(resp, body)
        if exhausted:
            reset = _float(h.get("X-RateLimit-Reset"))
            if reset is None:
                reset = wait
            resets_at = (
                datetime.now(timezone.utc) + timedelta(seconds=reset)
                if reset is not None
                else _next_midnight_utc()
            )
            who = "this API key's" if self.settings.api_key else "the keyless (per-IP)"
            hint = (
                ""
                if self.settings.api_key
                else "; a free API key (https://openalex.org/settings/api) has a larger budget"
            )
            raise BudgetExhaustedError(
                f"{who} daily OpenAlex budget is exhausted; it resets at "
                f"{_describe_reset(resets_at)}{hint}. Progress is saved: rerun the same "
                "command after the reset to resume",
                resets_at=resets_at,
            )
        raise _Retryable("rate limited (429)", wait)


def _looks_rate_limited(body: dict | None) -> bool:
    text = " ".join(str(v) for v in (body or {}).values()).lower()
    return "rate limit" in text or "budget" in text or "slow down" in text


def _query_of(works) -> str:
    """The encoded query string of a pyalex object's URL (its host is ignored)."""
    return urlsplit(works.url).query


# --- fetching into the cache -----------------------------------------------------------------


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
    >>> q = WorkQuery(countries=["JP"], years="2015-2016")  # doctest: +SKIP
    >>> fetch(q).works  # doctest: +SKIP
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
                n = cp.works if cp.works is not None else _count_distinct(store)
                report.slices.append(
                    SliceReport(s.name, s.key, cp.count, n, cp.pages, True, False, cp.refetched)
                )
                bar.total += n
                bar.update(n)
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
            n = cp.works if cp.works is not None else _count_distinct(store)
            bar.total += n
            bar.update(n)
            return SliceReport(s.name, s.key, cp.count, n, cp.pages, True, False, cp.refetched)
        resumed = cp is not None
        if cp is None:
            cp = Checkpoint(per_page=client.per_page)
        else:
            store.discard_pages_after(cp.pages)
            if cp.count is not None:
                bar.total += cp.count
                bar.update(cp.results)
            log.info("slice %s: resuming after page %d", s.name, cp.pages)
        base_query = _query_of(s.query.pyalex(year=s.year, select=SELECT_FIELDS))
        max_pages = None
        while not cp.done:
            cursor = cp.next_cursor or "*"
            query = f"{base_query}&per_page={cp.per_page}&cursor={quote(cursor, safe='')}"
            try:
                page = client.get("/works", query, kind="list")
            except _PerPageRefused:
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
        except _NotFound:
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
