"""Error and reply shapes: OpenAlex's HTML and JSON error bodies, and the reply to send.

Anything inside request handling raises :class:`_HttpError` for an error response (the
origin's 400 bodies through :func:`_query_error` and :func:`_pagination_error`, Flask's HTML
404 through :func:`_not_found`); the server sends it as the :class:`_Reply` that
:func:`_error_reply` makes of it.

>>> reply = _error_reply(_query_error("bad"))
>>> reply.status, reply.content_type, reply.body
(400, 'application/json', b'{"error": "Invalid query parameters error.", "message": "bad"}')
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

_FLASK_404 = (
    "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n"
    "<p>The requested URL was not found on the server. If you entered the URL manually please "
    "check your spelling and try again.</p>\n"
)

_FLASK_500 = (
    "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n"
    "<h1>Internal Server Error</h1>\n<p>The server encountered an internal error and was unable "
    "to complete your request. Either the server is overloaded or there is an error in the "
    "application.</p>\n"
)

_CF_502 = (
    "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>\n"
    "<center><h1>502 Bad Gateway</h1></center>\n<hr><center>cloudflare</center>\n</body>\n"
    "</html>\n"
)


class _HttpError(Exception):
    """An error response; raised anywhere inside request handling."""

    def __init__(self, status: int, body: dict | str, headers: dict | None = None):
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}


def _query_error(message: str) -> _HttpError:
    return _HttpError(400, {"error": "Invalid query parameters error.", "message": message})


def _pagination_error(message: str) -> _HttpError:
    return _HttpError(400, {"error": "Pagination error.", "message": message})


def _not_found() -> _HttpError:
    return _HttpError(404, _FLASK_404)


@dataclass
class _Reply:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    mode: str = "normal"  # "normal" | "drop" | "truncate" | "trickle"
    delay: float = 0.0
    piece: int = 1  # "trickle": bytes per write
    pause: float = 0.5  # "trickle": seconds between writes


def _json_reply(status: int, body: Any) -> _Reply:
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    return _Reply(status, data, "application/json")


def _error_reply(e: _HttpError) -> _Reply:
    if isinstance(e.body, str):
        reply = _Reply(e.status, e.body.encode("utf-8"), "text/html; charset=utf-8")
    else:
        reply = _json_reply(e.status, e.body)
    reply.headers.update(e.headers)
    return reply
