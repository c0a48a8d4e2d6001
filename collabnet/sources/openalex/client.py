"""The HTTP client for OpenAlex: one session, OpenAlex's failure rules, bounded retries.

pyalex composes the requests (filters, ``select``, ``group-by``; :func:`pyalex_query_string`
turns one into the query string sent); collabnet sends them itself on one
``requests.Session`` to a configurable base URL, because pyalex hard-codes api.openalex.org,
retries only over https and cannot tell a per-second 429 from an exhausted daily budget
(OPENALEX_API.md §4). Responses are read with gzip transfer, and every attempt is counted in
:class:`RequestStats`.

Failures are classified as OpenAlex documents them (§1.7, §6.2): a per-second 429 waits for
``Retry-After``; an exhausted daily budget or "plan upgrade required" stops at once with a
message saying when the budget resets and how to resume; 5xx, 504, connection losses,
truncated bodies and ``meta.timed_out`` pages are retried with exponential backoff up to a
bound; 401 means the API key is wrong. Every attempt has two clocks: ``timeout`` for the
connection and each read, and ``deadline`` for the whole answer, so a server trickling a byte
every few seconds cannot hold a request forever (the attempt fails and is retried). The API
key travels in the ``Authorization`` header, never in a URL, and is scrubbed from every
message; sent over plain ``http://`` to a host that is not this machine, it is warned about
(:class:`~collabnet.config.InsecureKeyWarning`, Python :mod:`warnings`).
"""

from __future__ import annotations

import logging
import random
import re
import time
import warnings
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from urllib.parse import quote, urlsplit

import orjson
import requests

from collabnet._version import __version__
from collabnet.config import InsecureKeyWarning, Settings, key_transport_warning
from collabnet.errors import FetchError
from collabnet.sources.openalex.answers import (
    _body_json,
    _describe_reset,
    _float,
    _looks_rate_limited,
    _message,
    _next_midnight_utc,
    _read_body,
    _retry_after,
    _Retryable,
)

log = logging.getLogger("collabnet.openalex")

__all__ = [
    "AuthError",
    "BudgetExhaustedError",
    "OpenAlexClient",
    "PerPageRefused",
    "PlanRequiredError",
    "RateLimitError",
    "RequestStats",
    "WorkNotFound",
    "pyalex_query_string",
    "redact",
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


class WorkNotFound(Exception):
    """404 on a singleton: the work vanished between the list and the lookup.

    A signal for the caller of :meth:`OpenAlexClient.get` (``kind="singleton"``), which
    keeps the list record; not a :class:`~collabnet.errors.FetchError`.
    """


class PerPageRefused(Exception):
    """400 "per-page parameter must be between …": the caller retries with 100 per page."""


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


class OpenAlexClient:
    """One ``requests.Session`` to an OpenAlex-compatible server, with OpenAlex's failure rules.

    Parameters
    ----------
    settings : Settings
        Base URL, API key, retry bounds, client-side rate (see :class:`collabnet.config.Settings`).
    sleep : callable, optional
        Used for every wait (tests pass a recorder to avoid real sleeping).
    resumable : bool
        Whether the caller saves what it received (the fetcher does, the counts do not), so
        that a message about a stop can say "progress is saved" truthfully.

    Notes
    -----
    Requests are ``GET`` only. The API key is sent as ``Authorization: Bearer <key>``, which the
    OpenAlex gateway accepts ahead of the ``api_key`` query parameter; keeping it out of the
    URL keeps it out of logs, exception texts and anything derived from URLs.

    Examples
    --------
    A 503 is retried (after a backoff, recorded here instead of slept), then answered:

    >>> from collabnet.config import get_settings
    >>> from collabnet.testing import Fault, OpenAlexTestServer
    >>> waits = []
    >>> with OpenAlexTestServer([{"id": "W1", "publication_year": 2015}]) as srv:
    ...     srv.add_faults(Fault("503", retry_after=0))
    ...     settings = get_settings(base_url=srv.url, env={}, max_rate=None)
    ...     with OpenAlexClient(settings, sleep=waits.append) as client:
    ...         page = client.get("/works", "filter=publication_year:2015")
    >>> page["meta"]["count"], client.stats.http_requests, client.stats.retries, len(waits)
    (1, 2, 1, 1)
    """

    def __init__(self, settings: Settings, *, sleep=time.sleep, resumable: bool = True):
        self.settings = settings
        self.resumable = resumable
        insecure = key_transport_warning(settings)
        if insecure:
            warnings.warn(insecure, InsecureKeyWarning, stacklevel=2)
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

    def _rerun(self, when: str = "") -> str:
        """How to go on after a stop; "progress is saved" only when the caller saves it."""
        if self.resumable:
            return f"progress so far is saved, rerun the same command{when} to resume"
        return f"nothing was saved, rerun the same command{when}"

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
                        f"{rate_waits} waits; lower the request rate ({self._rerun()})"
                    )
                self._wait(wait, shown)
                continue
            attempt += 1
            self.stats.failures.append(failure.reason)
            if attempt > s.max_retries:
                raise FetchError(
                    f"request to {s.base_url} failed {attempt} times ({failure.reason}) for "
                    f"{shown}; {self._rerun()}"
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
                f"{self.settings.max_wait:.0f} s; {self._rerun(' later')}"
            )
        self.stats.waited_seconds += seconds
        self._sleep(seconds)

    def _attempt(self, url: str, shown: str, kind: str) -> dict:
        s = self.settings
        self._last_request = time.monotonic()
        self.stats.http_requests += 1
        try:
            resp = self.session.get(url, timeout=s.timeout, stream=True)
        except requests.exceptions.Timeout:
            raise _Retryable(f"no answer within {s.timeout:g} s") from None
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
        try:
            # The whole body is read here, against the deadline, so a cut transfer is caught.
            content = _read_body(resp, self._last_request + s.deadline, s)
        finally:
            resp.close()  # after a complete read the connection is already back in the pool
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
        body = _body_json(content)
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
            raise WorkNotFound(shown)
        if status == 400 and re.search(r"per[-_]page", msg, re.I) and "between" in msg:
            raise PerPageRefused(msg)
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
                f"{_describe_reset(resets_at)}{hint}; {self._rerun(' after the reset')}",
                resets_at=resets_at,
            )
        raise _Retryable("rate limited (429)", wait)


def pyalex_query_string(works) -> str:
    """The encoded query string of a pyalex object's URL (its host is ignored).

    This is what :meth:`OpenAlexClient.get` takes as ``query``: pyalex composes and encodes
    the request, the client sends it to the configured server.

    Examples
    --------
    >>> from collabnet.query import WorkQuery
    >>> q = WorkQuery(countries=["JP"], years=2015, exclude_paratext=False)
    >>> pyalex_query_string(q.pyalex().group_by("type"))
    'filter=institutions.country_code:jp,publication_year:2015&group-by=type'
    """
    return urlsplit(works.url).query
