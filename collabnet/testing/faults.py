"""Scripted faults and the request log: :class:`Fault`, :class:`RequestRecord`.

A test queues faults on the server (``add_faults``); each is consumed by the next request(s)
whose path and query contain its ``match``, and answers in place of the API (429s, 5xx,
HTML 404) or changes the real answer (dropped, truncated, ``meta.timed_out``, slow, trickled,
or a cursor page that is empty, short, ends the chain early or cycles). :class:`_FaultScript`,
mixed into :class:`~collabnet.testing.OpenAlexTestServer`, takes the next fault and builds
its reply.

>>> Fault("503", retry_after=0)
Fault(kind='503', times=1, retry_after=0, match=None, delay=None, size=None, count=None)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from urllib.parse import unquote

from collabnet.testing.credits import _Credits
from collabnet.testing.responses import (
    _CF_502,
    _FLASK_500,
    _error_reply,
    _HttpError,
    _not_found,
    _Reply,
)

FAULT_KINDS = (
    "rate_limit", "budget", "plan", "500", "502", "503", "504",
    "drop", "truncate", "timed_out", "html404", "slow",
    "trickle", "empty_page", "early_end", "cycle", "small_pages",
)

#: Kinds that let the request through to the origin and change its answer (the others
#: answer in its place).
SHAPING_KINDS = (
    "drop", "truncate", "timed_out", "slow", "trickle",
    "empty_page", "early_end", "cycle", "small_pages",
)

#: Kinds that change a cursor list page (ignored by other requests).
CURSOR_KINDS = ("empty_page", "early_end", "cycle", "small_pages")


@dataclass
class Fault:
    """A scripted failure, consumed by the next request(s) whose path+query contains ``match``.

    Parameters
    ----------
    kind : str
        One of :data:`FAULT_KINDS`:

        - ``"rate_limit"``: 429 per-second limit (gateway JSON body, ``Retry-After: 1``).
        - ``"budget"``: 429 "Insufficient budget…" with ``Retry-After`` = seconds to midnight
          UTC and ``X-RateLimit-Remaining: 0`` < ``X-RateLimit-Credits-Required``.
        - ``"plan"``: 429 "Plan upgrade required", no ``Retry-After``.
        - ``"500"``, ``"502"``, ``"503"``: server errors with ``Retry-After: 30`` (or
          ``retry_after``); 500 and 502 have HTML bodies (Flask / Cloudflare), 503 JSON.
        - ``"504"``: the gateway-timeout JSON (``reason: query_timeout``).
        - ``"drop"``: the connection is closed without any response.
        - ``"truncate"``: headers with the full ``Content-Length``, then half the body, then
          the connection is closed.
        - ``"timed_out"``: 200 with ``meta.timed_out: true`` and only the first half of the
          page (``next_cursor`` is then null, as ES computes it from the short page).
        - ``"html404"``: Flask's HTML 404 page.
        - ``"slow"``: the normal response, sent after ``delay`` seconds (default 2).
        - ``"trickle"``: the normal response, its body sent ``size`` bytes (default 1) at a
          time with ``delay`` seconds (default 0.5) between them: every read returns soon,
          the whole answer takes very long.

        Cursor list pages only (other requests are answered normally):

        - ``"empty_page"``: ``results: []`` while ``next_cursor`` is still set (to the cursor
          asked for, so following it continues where the chain was).
        - ``"early_end"``: the normal page with ``next_cursor: null``: the chain ends before
          ``meta.count`` works were served.
        - ``"cycle"``: ``meta.count`` is ``count`` (default 1,000,000), and where the chain
          would end, ``next_cursor`` is ``*`` again: the pages come round forever.
        - ``"small_pages"``: at most ``size`` works (default 7) per page whatever ``per_page``
          asks, with ``next_cursor`` set while works remain.
    times : int
        How many consecutive matching requests the fault hits.
    retry_after : float, optional
        Overrides the ``Retry-After`` header (rounded up to whole seconds, as the gateway does).
    match : str, optional
        Substring that the request's path+query (raw or percent-decoded) must contain.
    delay : float, optional
        Seconds to wait for ``"slow"``, or between two pieces of a ``"trickle"``.
    size : int, optional
        Bytes per piece for ``"trickle"``; works per page for ``"small_pages"``.
    count : int, optional
        The ``meta.count`` a ``"cycle"`` claims.

    Notes
    -----
    Faults apply to every route except ``/rate-limit`` and are checked after authentication.
    Error faults (429s, 5xx, ``html404``) cost no credits; the others (:data:`SHAPING_KINDS`)
    are charged like the request they hit.
    """

    kind: str
    times: int = 1
    retry_after: float | None = None
    match: str | None = None
    delay: float | None = None
    size: int | None = None
    count: int | None = None

    def __post_init__(self) -> None:
        self.kind = str(self.kind)
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {FAULT_KINDS}")
        if self.times < 1:
            raise ValueError("Fault.times must be >= 1")
        if self.size is not None and self.size < 1:
            raise ValueError("Fault.size must be >= 1")


@dataclass
class RequestRecord:
    """One request as the server saw it (appended to ``server.requests`` before the reply)."""

    method: str
    path: str
    query: str
    params: dict[str, list[str]]
    headers: dict[str, str]
    api_key: str | None
    status: int = 0  # 0 = no response sent ("drop")
    credits: int = 0
    fault: str | None = None

    @property
    def url(self) -> str:
        """Path plus query string, as sent."""
        return self.path + ("?" + self.query if self.query else "")


class _FaultScript(_Credits):
    """Consumes queued faults and answers for them; the host holds the queue, ``_faults``."""

    _faults: list[Fault]

    def _take_fault(self, rec: RequestRecord) -> Fault | None:
        raw = rec.url
        texts = (raw, unquote(raw), unquote(raw.replace("+", " ")))
        for f in self._faults:
            if f.match is None or any(f.match in t for t in texts):
                f.times -= 1
                if f.times <= 0:
                    self._faults.remove(f)
                return f
        return None

    def _fault_reply(self, fault: Fault, cost: int) -> _Reply:
        ra = fault.retry_after
        kind = fault.kind
        if kind == "rate_limit":
            wait = 0.05 if ra is None else ra
            e = _HttpError(429, self._per_second_body(cost, wait), {
                "Retry-After": str(math.ceil(1 if ra is None else ra)),
                "X-RateLimit-Credits-Required": str(cost),
            })
        elif kind == "budget":
            e = self._budget_error(cost, 0, ra)
        elif kind == "plan":
            e = _HttpError(429, {
                "error": "Plan upgrade required",
                "message": 'The "from_updated_date" filter requires a Premium plan. Upgrade at '
                           "https://openalex.org/pricing",
            })
        elif kind in ("500", "502", "503"):
            body: dict | str
            if kind == "500":
                body = _FLASK_500
            elif kind == "502":
                body = _CF_502
            else:
                body = {"error": "Service temporarily unavailable",
                        "message": "OpenAlex is temporarily unable to serve this request. "
                                   "Retry after the delay in the Retry-After header."}
            wait = 30 if ra is None else ra
            e = _HttpError(int(kind), body, {"Retry-After": str(math.ceil(wait))})
        elif kind == "504":
            e = _HttpError(504, {
                "error": "Gateway timeout",
                "message": "Your query took too long to complete (over 9 seconds) and was "
                           "stopped. Try narrowing it with more specific filters. You were not "
                           "charged for this request.",
                "reason": "query_timeout",
            }, {} if ra is None else {"Retry-After": str(math.ceil(ra))})
        else:  # html404
            e = _not_found()
        reply = _error_reply(e)
        for k, v in self._rate_headers(0).items():
            reply.headers.setdefault(k, v)
        return reply
