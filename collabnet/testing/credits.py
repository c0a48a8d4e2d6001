"""The credit budget and the per-second limit: ``X-RateLimit-*`` headers, 429s, ``/rate-limit``.

The gateway's accounting (openalex-api-proxy): a daily pool of credits (1 credit =
$0.0001) that resets at midnight UTC, a token bucket of requests per second, and the bodies
and headers of their 429 responses. :class:`_Credits` is mixed into
:class:`~collabnet.testing.OpenAlexTestServer`.

>>> _usd(1), _usd(10_000), _usd(0)
('0.0001', '1', '0')
"""

from __future__ import annotations

import datetime as _dt
import math
import time

from collabnet.testing.constants import CREDIT_USD
from collabnet.testing.responses import _HttpError


class _Credits:
    """Rate-limit headers, 429 bodies and the token bucket of the gateway.

    The host (OpenAlexTestServer) holds the state: ``credit_limit``, ``_credits_remaining``,
    ``per_second`` and the bucket's ``_bucket_tokens`` / ``_bucket_time``.
    """

    credit_limit: int
    _credits_remaining: int
    per_second: int | None
    _bucket_tokens: float
    _bucket_time: float

    def _rate_headers(self, cost: int, remaining: int | None = None) -> dict[str, str]:
        rem = self._credits_remaining if remaining is None else remaining
        return {
            "X-RateLimit-Limit": str(self.credit_limit),
            "X-RateLimit-Remaining": str(rem),
            "X-RateLimit-Onetime-Remaining": "0",
            "X-RateLimit-Credits-Used": str(cost),
            "X-RateLimit-Reset": str(_seconds_to_midnight_utc()),
            "X-RateLimit-Limit-USD": _usd(self.credit_limit),
            "X-RateLimit-Remaining-USD": _usd(rem),
            "X-RateLimit-Prepaid-Remaining-USD": "0",
            "X-RateLimit-Cost-USD": _usd(cost),
        }

    def _take_token(self) -> float:
        """Per-second token bucket; returns 0 if the request may pass, else seconds to wait."""
        rate = float(self.per_second or 0)
        now = time.monotonic()
        self._bucket_tokens = min(rate, self._bucket_tokens + (now - self._bucket_time) * rate)
        self._bucket_time = now
        if self._bucket_tokens >= 1:
            self._bucket_tokens -= 1
            return 0.0
        return (1 - self._bucket_tokens) / rate

    def _per_second_body(self, cost: int, wait: float) -> dict:
        rem = self._credits_remaining
        return {
            "error": "Rate limit exceeded",
            "message": f"Rate limit exceeded: {self.per_second or 30} requests per second. "
                       "Please slow down.",
            "retryAfter": round(wait, 3),
            "costUsd": cost * CREDIT_USD,
            "dailyRemainingUsd": round(rem * CREDIT_USD, 6),
            "prepaidRemainingUsd": 0,
            "creditsRequired": cost,
            "creditsRemaining": rem,
            "onetimeCreditsRemaining": 0,
        }

    def _budget_error(self, cost: int, remaining: int,
                      retry_after: float | None = None) -> _HttpError:
        wait = _seconds_to_midnight_utc() if retry_after is None else retry_after
        body = {
            "error": "Rate limit exceeded",
            "message": f"Insufficient budget. This request costs ${_usd(max(cost, 1))} but you "
                       f"only have ${_usd(remaining)} remaining. Resets at midnight UTC. Need "
                       "more? Add funds at https://openalex.org/pricing",
            "retryAfter": wait,
            "costUsd": max(cost, 1) * CREDIT_USD,
            "dailyRemainingUsd": round(remaining * CREDIT_USD, 6),
            "prepaidRemainingUsd": 0,
            "creditsRequired": max(cost, 1),
            "creditsRemaining": remaining,
            "onetimeCreditsRemaining": 0,
        }
        headers = {
            "Retry-After": str(math.ceil(wait)),
            **self._rate_headers(0, remaining),
            "X-RateLimit-Credits-Required": str(max(cost, 1)),
            "X-RateLimit-Cost-Required-USD": _usd(max(cost, 1)),
        }
        return _HttpError(429, body, headers)

    def _rate_limit_body(self, key: str | None) -> dict:
        if key is None:
            raise _HttpError(401, {"error": "Invalid or missing API key",
                                   "message": "Provide a valid API key"})
        now = _dt.datetime.now(_dt.timezone.utc)
        secs = _seconds_to_midnight_utc(now)
        resets = (now + _dt.timedelta(seconds=secs)).replace(microsecond=0)
        limit, rem = self.credit_limit, self._credits_remaining
        used = max(0, limit - rem)
        costs = {"singleton": 0, "list": 1, "search": 10, "content": 100, "semantic": 10,
                 "text": 100}
        return {
            "api_key": (key[:4] + "…" + key[-4:]) if len(key) > 8 else "…",
            "is_grandfathered": False,
            "rate_limit": {
                "daily_budget_usd": round(limit * CREDIT_USD, 6),
                "daily_used_usd": round(used * CREDIT_USD, 6),
                "daily_remaining_usd": round(rem * CREDIT_USD, 6),
                "prepaid_balance_usd": 0,
                "prepaid_remaining_usd": 0,
                "resets_at": resets.isoformat().replace("+00:00", "Z"),
                "resets_in_seconds": secs,
                "endpoint_costs_usd": {k: round(v * CREDIT_USD, 6) for k, v in costs.items()},
                "credits_limit": limit,
                "credits_used": used,
                "credits_remaining": rem,
                "credit_costs": costs,
            },
        }


def _seconds_to_midnight_utc(now: _dt.datetime | None = None) -> int:
    now = now or _dt.datetime.now(_dt.timezone.utc)
    midnight = (now + _dt.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(1, math.ceil((midnight - now).total_seconds()))


def _usd(credits: float) -> str:
    text = f"{credits * CREDIT_USD:.6f}".rstrip("0").rstrip(".")
    return text or "0"
