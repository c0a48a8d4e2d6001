"""The loopback server itself: the HTTP handler, the data set and :class:`OpenAlexTestServer`.

:class:`OpenAlexTestServer` holds the works, the API keys, the credit pool, the fault queue
and the request log; it serves HTTP/1.1 from a background thread, passes each request
through the gateway (:mod:`collabnet.testing.gateway`) to the origin
(:mod:`collabnet.testing.origin`), and sends the reply (gzipped when asked, or dropped or
truncated for a fault).

>>> import json, urllib.request
>>> with OpenAlexTestServer([{"id": "W1", "publication_year": 2020}]) as srv:
...     url = srv.url + "/works?filter=publication_year:2020"
...     page = json.load(urllib.request.urlopen(url))
>>> page["meta"]["count"], page["results"][0]["id"]
(1, 'https://openalex.org/W1')
"""

from __future__ import annotations

import gzip
import socket
import threading
import time
from collections.abc import Iterable
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from collabnet.testing.constants import HIGH_AUTHOR_LIMIT, OPENALEX
from collabnet.testing.faults import Fault, RequestRecord
from collabnet.testing.fields import _authorships, _Field, _lower, _short_id
from collabnet.testing.gateway import _api_key_of, _Gateway
from collabnet.testing.origin import _Origin
from collabnet.testing.responses import _error_reply, _HttpError, _Reply


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "openalex-test-server"
    timeout = 60

    def setup(self) -> None:
        super().setup()
        self.server.app._track(self.connection, add=True)  # type: ignore[attr-defined]

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.app._track(self.connection, add=False)  # type: ignore[attr-defined]

    def version_string(self) -> str:
        return self.server_version

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        self.server.app._handle(self)  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class OpenAlexTestServer(_Gateway, _Origin):
    """A loopback HTTP server with the semantics of ``api.openalex.org`` for a given set of works.

    Parameters
    ----------
    works : iterable of dict
        OpenAlex work records (as in the API or the snapshot; all authorships kept). They are
        stored as shallow copies with ``id`` normalised to ``https://openalex.org/W…``.
    api_keys : iterable of str, optional
        The valid API keys. Any other key gets 401 "API key not found". ``None`` accepts any key.
    require_key : bool
        Refuse keyless requests with 401 (otherwise they are served, as on the anonymous budget).
    daily_credits : int, optional
        The daily credit budget (1 credit per list or group_by call, 10 with ``search``,
        0 for singletons). ``None`` means 10,000, a free key's daily allowance. One pool is
        shared by all callers; it never resets by itself (use :meth:`set_credits_remaining`).
    per_second : int, optional
        Token-bucket limit of requests per second (burst = ``per_second``); beyond it, 429
        "Rate limit exceeded" with ``Retry-After: 1``. ``None`` means no per-second limit.
    max_per_page : int
        The largest ``per_page`` accepted (200 in the origin code; the 2026 docs say 100).
    host, port : str, int
        Where to listen; port 0 picks a free port.
    premium_keys : iterable of str, optional
        Keys allowed to use ``from_updated_date`` / ``from_created_date`` filters; everyone
        else gets 429 "Plan upgrade required".
    pad_zero_groups : bool
        Append known zero-count buckets (countries, work types) to group_by pages until
        ``per_page`` is reached, as the real API does. Off by default.
    nested_group_by : bool
        Answer multi-dimensional ``group_by=a,b[,c]`` (the origin since 2026-06-07); False
        refuses it as the origin did before, with 400 "… is not a valid field".
    high_author_limit : int
        More authors than this on one list page gives 400 "High author count limitation.".

    Attributes
    ----------
    url : str
        Base URL without trailing slash, e.g. ``"http://127.0.0.1:54321"`` (after ``start``).
    requests : list of RequestRecord
        Every request received, in order.

    Notes
    -----
    Semantics implemented (messages and shapes from openalex-elastic-api / openalex-api-proxy):

    - Filters: ``,`` AND across fields; ``|`` OR (max 100 values, never across fields, ``!``
      only first meaning NOT(a OR b)); ``!`` NOT; ``+`` (a space) AND within a term/id field;
      numeric ranges ``2020``, ``2018-2022``, ``>2020``, ``<2020``, ``2020-``, ``-2020``,
      ``!2020``, ``null``; case-insensitive values; short or URL ids; ``-`` for ``_`` in keys.
      ``is_xpac:false`` is added unless the request filters ``is_xpac`` or sets
      ``include_xpac=true``. Records lacking ``is_xpac``, ``is_paratext`` or ``is_retracted``
      count as ``false`` (every record in the real index has them). Missing
      ``countries_distinct_count`` / ``institutions_distinct_count`` are derived from the
      authorships. ``authorships.countries`` sees only the first 100 authorships; the
      institution and author fields see all of them.
    - Lists: default sort ``-cited_by_percentile_year.max, -cited_by_count, id`` (missing values
      last); an explicit ``sort`` gets that default appended as tie-breaker. Cursor paging is a
      ``search_after`` on the live data set (adding/removing works between pages behaves like
      the real index); ``next_cursor`` is null once a page is short, so an exact multiple of
      ``per_page`` needs one extra, empty page. Authorships are cut to the first 100 and the
      work gets ``is_authors_truncated: true``; untruncated works carry no such key (as in
      recorded real pages). Singletons return the full list.
    - group_by: works counted once per distinct key; top ``per_page`` by count desc then key;
      with a cursor, all keys in key order, and (as the composite aggregation does)
      ``next_cursor`` stays set until a page comes back with no groups. Without
      ``:include_unknown`` a cursor group_by also restricts ``meta.count`` to works that have
      the field (the origin adds an ``exists`` filter); the default mode reports
      ``meta.count`` = all matched works. ``groups_count`` counts real (non-padding) groups.
      Multi-dimensional ``group_by=a,b[,c]`` (nested ``groups``, no cursor) and ``group_bys``
      are supported.
    - Credits: the cost is charged when the gateway lets a request through, so a 400 from the
      origin still costs its credit; 429s and scripted error faults cost nothing.
    """

    def __init__(
        self,
        works: Iterable[dict] = (),
        *,
        api_keys: Iterable[str] | None = None,
        require_key: bool = False,
        daily_credits: int | None = None,
        per_second: int | None = None,
        max_per_page: int = 200,
        host: str = "127.0.0.1",
        port: int = 0,
        premium_keys: Iterable[str] | None = None,
        pad_zero_groups: bool = False,
        high_author_limit: int = HIGH_AUTHOR_LIMIT,
        nested_group_by: bool = True,
    ):
        self._lock = threading.RLock()
        self._works: dict[str, dict] = {}
        self._facets: dict[tuple[str, str], Any] = {}
        self._names: dict[str, str] = {}
        self._institution_records: dict[str, dict] = {}
        self.api_keys = None if api_keys is None else set(api_keys)
        self.premium_keys = set(premium_keys or ())
        self.require_key = require_key
        self.credit_limit = 10_000 if daily_credits is None else int(daily_credits)
        self._credits_remaining = self.credit_limit
        self._credits_used = 0
        self.per_second = per_second
        self._bucket_tokens = float(per_second or 0)
        self._bucket_time = time.monotonic()
        self.max_per_page = max_per_page
        self.host, self.port = host, port
        self.pad_zero_groups = pad_zero_groups
        self.nested_group_by = nested_group_by
        self.high_author_limit = high_author_limit
        self.requests: list[RequestRecord] = []
        self._faults: list[Fault] = []
        self._version = 0  # bumped whenever the data set changes
        self._sorted_cache: dict[tuple, list[tuple[tuple, dict]]] = {}
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()
        self.url = ""
        self.add_works(works)

    # ---------------------------------------------------------------- lifecycle
    def start(self) -> OpenAlexTestServer:
        """Bind and serve in a background thread; returns ``self``."""
        if self._server is not None:
            return self
        self._server = _Server((self.host, self.port), _Handler)
        self._server.app = self  # type: ignore[attr-defined]
        host, port = self._server.server_address[:2]
        self.port = port
        self.url = f"http://{host}:{port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
            name=f"openalex-test-server:{port}", daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close open connections and the listening socket."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        with self._lock:
            conns = list(self._connections)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> OpenAlexTestServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"OpenAlexTestServer(url={self.url!r}, works={len(self._works)})"

    def _track(self, conn: socket.socket, *, add: bool) -> None:
        with self._lock:
            (self._connections.add if add else self._connections.discard)(conn)

    # ---------------------------------------------------------------- data set
    def add_works(self, works: Iterable[dict]) -> None:
        """Add (or replace, by id) work records; takes effect for the next request."""
        with self._lock:
            for work in works:
                sid = _short_id(work.get("id")) if isinstance(work, dict) else None
                if sid is None:
                    raise ValueError(f"work record without a valid OpenAlex id: {work!r:.80}")
                rec = dict(work)
                rec["id"] = OPENALEX + sid
                self._works[sid] = rec
                self._drop_facets(sid)
                self._version += 1
                self._learn_names(rec)

    def remove_works(self, ids: Iterable[str]) -> None:
        """Remove works by short or URL id (unknown ids are ignored)."""
        with self._lock:
            for i in ids:
                sid = _short_id(i)
                if sid and self._works.pop(sid, None) is not None:
                    self._drop_facets(sid)
                    self._version += 1

    @property
    def works(self) -> list[dict]:
        """The records currently served (stored copies, do not mutate)."""
        with self._lock:
            return list(self._works.values())

    def _drop_facets(self, sid: str) -> None:
        for key in [k for k in self._facets if k[0] == sid]:
            del self._facets[key]

    def _learn_names(self, rec: dict) -> None:
        for a in _authorships(rec):
            author = a.get("author") or {}
            aid = _short_id(author.get("id"))
            if aid and author.get("display_name"):
                self._names.setdefault(aid, author["display_name"])
            for inst in a.get("institutions") or []:
                if not isinstance(inst, dict):
                    continue
                iid = _short_id(inst.get("id"))
                if iid and inst.get("display_name"):
                    self._names.setdefault(iid, inst["display_name"])
                if iid and iid not in self._institution_records:
                    self._institution_records[iid] = dict(inst, id=OPENALEX + iid)
        topic = rec.get("primary_topic")
        if isinstance(topic, dict):
            for node in (topic, topic.get("field"), topic.get("subfield"), topic.get("domain")):
                if isinstance(node, dict) and node.get("id") and node.get("display_name"):
                    self._names.setdefault(node["id"], node["display_name"])

    def _facet(self, work: dict, fld: _Field) -> Any:
        key = (work["id"][len(OPENALEX):], fld.name)
        try:
            return self._facets[key]
        except KeyError:
            pass
        raw = fld.get(work)
        if fld.kind in ("term", "id", "url"):
            norm = fld.norm or _lower
            value: Any = {n for n in (norm(x) for x in raw) if n is not None}
        else:
            value = raw
        self._facets[key] = value
        return value

    # ---------------------------------------------------------------- scripting & credits
    def add_faults(self, *faults: Fault) -> None:
        """Queue faults; each is consumed by the next ``times`` requests it matches."""
        with self._lock:
            for f in faults:
                if not isinstance(f, Fault):
                    raise TypeError(f"expected Fault, got {type(f).__name__}")
                self._faults.append(replace(f))

    def clear_faults(self) -> None:
        """Forget all queued faults."""
        with self._lock:
            self._faults.clear()

    @property
    def pending_faults(self) -> list[Fault]:
        """Faults not yet consumed (copies)."""
        with self._lock:
            return [replace(f) for f in self._faults]

    def reset_log(self) -> None:
        """Empty :attr:`requests`."""
        with self._lock:
            self.requests.clear()

    @property
    def credits_used(self) -> int:
        """Credits charged by all requests so far (not changed by set_credits_remaining)."""
        return self._credits_used

    @property
    def credits_remaining(self) -> int:
        """Credits left in today's budget."""
        return self._credits_remaining

    def set_credits_remaining(self, n: int) -> None:
        """Set the remaining daily budget to ``n`` credits (raising the daily limit if needed)."""
        with self._lock:
            self._credits_remaining = max(0, int(n))
            self.credit_limit = max(self.credit_limit, self._credits_remaining)

    # ---------------------------------------------------------------- HTTP plumbing
    def _handle(self, h: _Handler) -> None:
        t0 = time.perf_counter()
        split = urlsplit(h.path)
        params = parse_qs(split.query, keep_blank_values=True)
        rec = RequestRecord(
            method=h.command, path=split.path, query=split.query, params=params,
            headers={k: v for k, v in h.headers.items()}, api_key=_api_key_of(h, params),
        )
        with self._lock:
            try:
                reply = self._dispatch(h, rec, t0)
            except _HttpError as e:
                reply = _error_reply(e)
            rec.status = 0 if reply.mode == "drop" else reply.status
            self.requests.append(rec)
        self._send(h, reply)

    def _send(self, h: _Handler, reply: _Reply) -> None:
        if reply.delay:
            time.sleep(reply.delay)
        if reply.mode == "drop":
            h.close_connection = True
            _shutdown(h.connection)
            return
        body = reply.body
        headers = dict(reply.headers)
        if body and "gzip" in h.headers.get("Accept-Encoding", "").lower():
            body = gzip.compress(body, compresslevel=5, mtime=0)
            headers["Content-Encoding"] = "gzip"
            headers["Vary"] = "Accept-Encoding"
        try:
            h.send_response(reply.status)
            h.send_header("Content-Type", reply.content_type)
            h.send_header("Content-Length", str(len(body)))
            for k, v in headers.items():
                h.send_header(k, v)
            h.end_headers()
            if reply.mode == "truncate":
                h.wfile.write(body[: max(1, len(body) // 2)])
                h.wfile.flush()
                h.close_connection = True
                _shutdown(h.connection)
            elif reply.mode == "trickle":
                self._trickle(h, body, reply.piece, reply.pause)
            else:
                h.wfile.write(body)
        except OSError:  # the client went away
            h.close_connection = True

    def _trickle(self, h: _Handler, body: bytes, piece: int, pause: float) -> None:
        """Send ``body`` ``piece`` bytes at a time; stops when the client or the server goes."""
        h.wfile.flush()
        for start in range(0, len(body), piece):
            if self._server is None:
                raise OSError("server stopped")
            h.wfile.write(body[start:start + piece])
            h.wfile.flush()
            if start + piece < len(body):
                time.sleep(pause)


def _shutdown(conn: socket.socket) -> None:
    try:
        conn.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
