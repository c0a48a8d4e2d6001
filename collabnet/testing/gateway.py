"""The gateway (openalex-api-proxy): what a request meets before the origin.

In order: the request-line limit, API-key checks, ``/rate-limit``, the key requirement,
routing and cost (:func:`_classify`), scripted faults, the ``limit`` parameter, Premium-only
filters, the per-second limit and the credit budget; then the origin answers and the rate
headers are added. :class:`_Gateway` is mixed into
:class:`~collabnet.testing.OpenAlexTestServer`.

>>> _classify("/works", {"search": ["graphene"]}), _classify("/works/W1", {})
(('list', 10), ('work', 0))
"""

from __future__ import annotations

import math
import re
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING

from collabnet.testing.constants import MAX_REQUEST_LINE
from collabnet.testing.faults import SHAPING_KINDS, RequestRecord, _FaultScript
from collabnet.testing.params import _first
from collabnet.testing.responses import _error_reply, _HttpError, _json_reply, _Reply

if TYPE_CHECKING:
    from collabnet.testing.server import _Handler


class _Gateway(_FaultScript):
    """Authentication, faults, plan, rate and budget checks, then the origin.

    The host (OpenAlexTestServer) provides ``api_keys``, ``premium_keys``, ``require_key``,
    the credit counters and ``_origin`` (see :class:`~collabnet.testing.origin._Origin`).
    """

    api_keys: set[str] | None
    premium_keys: set[str]
    require_key: bool
    _credits_used: int

    def _dispatch(self, h: _Handler, rec: RequestRecord, t0: float) -> _Reply:
        if len(h.requestline) > MAX_REQUEST_LINE:
            raise _HttpError(400, {
                "error": "Request URL too long",
                "message": f"The request line is {len(h.requestline)} bytes; the limit is "
                           f"{MAX_REQUEST_LINE}. Use fewer values per filter.",
            })
        key = rec.api_key
        if key is not None and self.api_keys is not None and key not in self.api_keys:
            raise _HttpError(401, {"error": "Invalid or missing API key",
                                   "message": "API key not found"})
        path = rec.path.rstrip("/") or "/"
        if path.lower() == "/rate-limit":
            return _json_reply(200, self._rate_limit_body(key))
        if key is None and self.require_key:
            raise _HttpError(401, {
                "error": "Invalid or missing API key",
                "message": "An API key is required. Get a free key at "
                           "https://openalex.org/settings/api",
            })
        route, cost = _classify(path, rec.params)

        fault = self._take_fault(rec)
        rec.fault = fault.kind if fault else None
        if fault is not None and fault.kind not in SHAPING_KINDS:
            return self._fault_reply(fault, cost)

        if "limit" in rec.params:
            raise _HttpError(400, {
                "error": "Invalid query parameters error.",
                "message": "limit is not a valid parameter. Use per_page (1-200) to set the "
                           "page size.",
                "error_source": "openalex-api-proxy",
            }, {"x-openalex-edge-reject": "f1:limit_param"})
        plan = self._plan_violation(rec.params, key)
        if plan:
            raise _HttpError(429, {
                "error": "Plan upgrade required",
                "message": f'The "{plan}" filter requires a Premium plan. Upgrade at '
                           "https://openalex.org/pricing",
            }, self._rate_headers(0))
        if self.per_second:
            wait = self._take_token()
            if wait > 0:
                raise _HttpError(429, self._per_second_body(cost, wait), {
                    "Retry-After": str(math.ceil(wait)),
                    "X-RateLimit-Credits-Required": str(cost),
                    **self._rate_headers(0),
                })
        if cost > self._credits_remaining:
            raise self._budget_error(cost, self._credits_remaining)

        self._credits_remaining -= cost
        self._credits_used += cost
        rec.credits = cost
        try:
            reply = self._origin(route, path, rec.params, cost, fault, t0)
        except _HttpError as e:
            reply = _error_reply(e)
        reply.headers.update(self._rate_headers(cost))
        if fault is not None and fault.kind in ("drop", "truncate"):
            reply.mode = fault.kind
        elif fault is not None and fault.kind == "slow":
            reply.delay = 2.0 if fault.delay is None else float(fault.delay)
        elif fault is not None and fault.kind == "trickle":
            reply.mode = "trickle"
            reply.piece = fault.size or 1
            reply.pause = 0.5 if fault.delay is None else float(fault.delay)
        return reply

    def _plan_violation(self, params: dict[str, list[str]], key: str | None) -> str | None:
        if key is not None and key in self.premium_keys:
            return None
        for text in params.get("filter", []) + params.get("sort", []):
            m = re.search(r"(?:from|to)_(?:updated|created)_date(?::[><]?\d{4}-\d{2}-\d{2})?",
                          text)
            if m:
                return m.group(0)
        return None


def _classify(path: str, params: dict[str, list[str]]) -> tuple[str, int]:
    """Route and credit cost (1 list/group_by, 10 search without group_by, 0 singleton)."""
    low = path.lower()
    if low == "/works":
        grouped = any(k in params for k in ("group_by", "group-by", "group_bys", "group-bys"))
        search = bool(_first(params, "search")) or any(k.startswith("search.") for k in params)
        return "list", (10 if search and not grouped else 1)
    if low.startswith("/works/"):
        return "work", 0
    if low.startswith("/institutions/"):
        return "institution", 0
    if low == "/":
        return "root", 0
    return "unknown", 0


def _api_key_of(h: BaseHTTPRequestHandler, params: dict[str, list[str]]) -> str | None:
    """The gateway's order: Authorization: Bearer, then ?api_key / ?api-key, then headers."""
    auth = h.headers.get("Authorization")
    if auth:
        parts = auth.split(" ")
        if len(parts) == 2 and parts[0].lower() == "bearer":
            return parts[1]
    for name in ("api_key", "api-key"):
        if params.get(name) and params[name][0]:
            return params[name][0]
    for name in ("api_key", "api-key"):
        value = h.headers.get(name)
        if value:
            return value
    return None
