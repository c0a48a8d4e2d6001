"""Reading an OpenAlex answer: the body against a deadline, error texts, ``Retry-After``.

Helpers of :class:`~collabnet.sources.openalex.client.OpenAlexClient`: :func:`_read_body`
reads a streamed body one network read at a time (so a total deadline can be enforced
however slowly the bytes come) and decodes its gzip itself; a failure worth another attempt
is a :class:`_Retryable`.
"""

from __future__ import annotations

import email.utils
import gzip
import math
import time
import zlib
from datetime import datetime, timedelta, timezone

import orjson
import requests
import urllib3

from collabnet.config import Settings
from collabnet.errors import FetchError


class _Retryable(Exception):
    """A failure worth another attempt (internal)."""

    def __init__(self, reason: str, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


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


def _body_json(content: bytes) -> dict | None:
    try:
        data = orjson.loads(content)
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


def _read_body(resp: requests.Response, deadline: float, s: Settings) -> bytes:
    """The whole (decoded) body, read one network read at a time so the deadline is checked
    between reads: each read waits at most ``timeout``, all of them together ``deadline``."""
    chunks = []
    try:
        while True:
            if time.monotonic() > deadline:
                raise _Retryable(f"the answer was not complete after {s.deadline:g} s")
            chunk = resp.raw.read1(65536, decode_content=False)
            if not chunk:
                break
            chunks.append(chunk)
    except urllib3.exceptions.ReadTimeoutError:
        raise _Retryable(f"no answer within {s.timeout:g} s") from None
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        raise _Retryable(f"connection failed: {type(exc).__name__}") from None
    data = b"".join(chunks)
    encoding = resp.headers.get("Content-Encoding", "").strip().lower()
    try:
        if encoding in ("gzip", "x-gzip"):
            return gzip.decompress(data)
        if encoding == "deflate":
            try:
                return zlib.decompress(data)
            except zlib.error:
                return zlib.decompress(data, -zlib.MAX_WBITS)
    except (OSError, EOFError, zlib.error):
        raise _Retryable(f"truncated or damaged {encoding} answer") from None
    if encoding not in ("", "identity"):
        raise FetchError(f"{s.base_url} answered in an unrequested encoding ({encoding})")
    return data


def _looks_rate_limited(body: dict | None) -> bool:
    text = " ".join(str(v) for v in (body or {}).values()).lower()
    return "rate limit" in text or "budget" in text or "slow down" in text
