"""Settings for talking to OpenAlex and caching what it returns, gathered in one place.

A :class:`Settings` value is built by :func:`get_settings` from, in this order of precedence,
explicit arguments (the command line), the environment (``OPENALEX_API_KEY``,
``OPENALEX_EMAIL``, ``COLLABNET_CACHE``, ``COLLABNET_OPENALEX_URL``) and defaults (no key,
``./cache`` in the current directory, ``https://api.openalex.org``). The API key is a secret:
it is kept out of ``repr`` and every message, so a ``Settings`` can be printed or logged.

Credentials never belong in the base URL: one there (``?api_key=…``, ``user:pass@``) is
refused without being repeated. A key that would travel over plain ``http://`` to a host
other than this machine is allowed (a test server on the LAN) but warned about, see
:func:`key_transport_warning`.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from collabnet.errors import InputError

#: The OpenAlex API's own address; any server speaking the same API can replace it.
DEFAULT_BASE_URL = "https://api.openalex.org"
#: Cache folder used when neither an argument nor ``COLLABNET_CACHE`` names one.
DEFAULT_CACHE_DIR = "cache"

ENV_API_KEY = "OPENALEX_API_KEY"
ENV_EMAIL = "OPENALEX_EMAIL"
ENV_CACHE = "COLLABNET_CACHE"
ENV_BASE_URL = "COLLABNET_OPENALEX_URL"

_KEY_CHARS = re.compile(r"^[\x21-\x7e]+$")  # printable ASCII, no spaces
_SECRET_PARAMS = re.compile(r"(?i)^(api[_-]?key|key|token|access[_-]?token|auth|password)$")


class InsecureKeyWarning(UserWarning):
    """The API key would be sent unencrypted (plain ``http://``) to another machine."""


@dataclass(frozen=True)
class Settings:
    """How collabnet reaches OpenAlex and where it caches pages.

    Attributes
    ----------
    api_key : str or None
        OpenAlex API key (sent in the ``Authorization`` header, never logged or stored).
    email : str or None
        Contact address, sent in the ``User-Agent`` header (OpenAlex's old polite pool).
    cache_dir : pathlib.Path
        Folder holding fetched pages and checkpoints.
    base_url : str
        Address of the OpenAlex API (no trailing slash).
    per_page : int
        Works per list request; 200 is the most the API accepts (fallback to 100 is automatic).
    max_retries : int
        Attempts after the first for a request that failed in a way worth retrying
        (5xx, 504, connection loss, a truncated body, ``meta.timed_out``, per-second 429).
    backoff : float
        First wait in seconds between retries; doubled each time (capped at ``max_backoff``).
    max_backoff : float
        Longest wait between two retries, in seconds.
    max_wait : float
        Longest ``Retry-After`` honoured in-process; a longer one stops the fetch cleanly.
    timeout : float
        Seconds to wait for the server to answer one request (for the connection, and for
        each read of the answer).
    deadline : float
        Most seconds one request may take in all, from sending it to the last byte of the
        answer, however steadily the bytes trickle in; past it the attempt counts as failed
        (retried like a timeout).
    max_rate : float or None
        Most requests per second sent (OpenAlex allows 10/s without a key, 30/s with a free
        one); None for no client-side limit.
    stall_pages : int
        A cursor chain that serves this many pages in a row without a work not already seen
        in that walk (empty pages, repeated pages, a cursor going round in circles) is
        stopped: the slice then counts as ended there (see ``collabnet.sources.openalex``).
    max_slice_requests : int or None
        Most requests one run sends for one slice before it stops (progress saved, a rerun
        continues); None for no bound.
    max_slice_seconds : float or None
        Most seconds one run spends on one slice before it stops likewise; None for no bound.
    """

    api_key: str | None = field(default=None, repr=False)
    email: str | None = None
    cache_dir: Path = Path(DEFAULT_CACHE_DIR)
    base_url: str = DEFAULT_BASE_URL
    per_page: int = 200
    max_retries: int = 5
    backoff: float = 0.5
    max_backoff: float = 30.0
    max_wait: float = 60.0
    timeout: float = 60.0
    deadline: float = 300.0
    max_rate: float | None = 10.0
    stall_pages: int = 10
    max_slice_requests: int | None = 200_000
    max_slice_seconds: float | None = 24 * 3600.0

    def __repr__(self) -> str:
        key = "set" if self.api_key else "none"
        return (
            f"Settings(api_key={key}, email={self.email!r}, cache_dir={str(self.cache_dir)!r}, "
            f"base_url={self.base_url!r}, per_page={self.per_page})"
        )

    def with_changes(self, **changes) -> Settings:
        """A copy with some fields changed (validated like :func:`get_settings`)."""
        new = replace(self, **changes)
        _validate(new)
        return new


def normalize_base_url(url: str) -> str:
    """Check an API address and return it without trailing slash.

    Raises
    ------
    InputError
        When ``url`` is not an ``http://`` or ``https://`` address with a host, or carries
        a query, a fragment or credentials. The message never repeats a query or
        credentials: they may hold an API key.

    Examples
    --------
    >>> normalize_base_url("http://127.0.0.1:8080/")
    'http://127.0.0.1:8080'
    >>> normalize_base_url("https://api.openalex.org/?api_key=SECRET")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    collabnet.errors.InputError: invalid OpenAlex base URL https://api.openalex.org/?…: do not ...
    """
    if not isinstance(url, str) or not url.strip():
        raise InputError("empty OpenAlex base URL: give e.g. https://api.openalex.org")
    url = url.strip().rstrip("/")
    parts = urlsplit(url)
    shown = _shown_url(parts)
    if parts.username or parts.password:
        raise InputError(
            f"invalid OpenAlex base URL {shown}: do not put credentials in the URL; give the "
            "API key with --api-key or OPENALEX_API_KEY"
        )
    if parts.query and any(_SECRET_PARAMS.match(k) for k, _ in parse_qsl(parts.query, True)):
        raise InputError(
            f"invalid OpenAlex base URL {shown}: do not put the API key in the URL; give it "
            "with --api-key or OPENALEX_API_KEY"
        )
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(
            f"invalid OpenAlex base URL {shown}: expected http(s)://host[:port][/path]"
        )
    if parts.query or parts.fragment:
        raise InputError(f"invalid OpenAlex base URL {shown}: remove the ?query or #fragment")
    try:
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise InputError(f"invalid OpenAlex base URL {shown}: bad port") from None
    return url


def _shown_url(parts) -> str:
    """The URL fit to print: no user, password, bad port, query or fragment (any may be a
    secret pasted in the wrong place)."""
    try:
        port = f":{parts.port}" if parts.port is not None else ""
    except ValueError:
        port = ":…"
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    text = f"{parts.scheme}://{host}{port}{parts.path}" if parts.scheme else parts.path
    return text + ("?…" if parts.query else "") + ("#…" if parts.fragment else "")


def is_loopback(host: str | None) -> bool:
    """Whether ``host`` is this machine: ``localhost``, 127.0.0.0/8 or ``::1``.

    >>> is_loopback("127.0.0.2"), is_loopback("::1"), is_loopback("api.openalex.org")
    (True, True, False)
    """
    if not host:
        return False
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def key_transport_warning(settings: Settings) -> str | None:
    """One line when the API key would travel unencrypted to another machine, else None.

    A key is sent with every request; over plain ``http://`` anyone on the way can read it.
    That is harmless to a loopback server (127.0.0.0/8, ``::1``, ``localhost``), so only
    other hosts are warned about. :class:`~collabnet.sources.openalex.OpenAlexClient` issues
    it as an :class:`InsecureKeyWarning` (Python :mod:`warnings`) when it is created.

    >>> s = Settings(api_key="k", base_url="http://10.0.0.5:8000")
    >>> print(key_transport_warning(s))  # doctest: +ELLIPSIS
    the OpenAlex API key is sent unencrypted (plain http://) to 10.0.0.5; use https:// or ...
    >>> key_transport_warning(Settings(api_key="k", base_url="http://127.0.0.1:8000")) is None
    True
    """
    if not settings.api_key:
        return None
    parts = urlsplit(settings.base_url)
    if parts.scheme != "http" or is_loopback(parts.hostname):
        return None
    return (
        f"the OpenAlex API key is sent unencrypted (plain http://) to {parts.hostname}; "
        "use https:// or a loopback address"
    )


def _validate(s: Settings) -> None:
    if s.api_key is not None and not _KEY_CHARS.match(s.api_key):
        # Do not echo the key: it is a secret even when malformed.
        raise InputError("the OpenAlex API key contains spaces or non-printable characters")
    if not 1 <= s.per_page <= 200:
        raise InputError(f"per_page must be between 1 and 200, not {s.per_page}")
    if s.max_retries < 0:
        raise InputError("max_retries must be 0 or more")
    if s.max_rate is not None and s.max_rate <= 0:
        raise InputError("max_rate must be positive (or None for no limit)")
    if not s.timeout > 0 or not s.deadline > 0:
        raise InputError("timeout and deadline must be positive (seconds)")
    if s.stall_pages < 1:
        raise InputError("stall_pages must be 1 or more")
    for name in ("max_slice_requests", "max_slice_seconds"):
        value = getattr(s, name)
        if value is not None and value <= 0:
            raise InputError(f"{name} must be positive (or None for no limit)")
    normalize_base_url(s.base_url)


def get_settings(
    *,
    api_key: str | None = None,
    email: str | None = None,
    cache_dir: str | os.PathLike | None = None,
    base_url: str | None = None,
    env: Mapping[str, str] | None = None,
    **options,
) -> Settings:
    """Settings from arguments, then the environment, then defaults.

    Parameters
    ----------
    api_key, email, cache_dir, base_url : optional
        Explicit values (e.g. from the command line); None means "not given".
    env : mapping, optional
        The environment to read (default ``os.environ``); tests pass their own.
    **options
        Other :class:`Settings` fields (``per_page``, ``max_retries``, ``max_rate`` …).

    Returns
    -------
    Settings

    Notes
    -----
    Empty environment values count as unset. The default cache folder is ``./cache``
    relative to the current working directory at the time of the call.

    Examples
    --------
    >>> s = get_settings(env={"COLLABNET_OPENALEX_URL": "http://127.0.0.1:9/"})
    >>> s.base_url, s.api_key
    ('http://127.0.0.1:9', None)
    """
    env = os.environ if env is None else env

    def pick(arg, name):
        if arg is not None and str(arg) != "":
            return arg
        value = env.get(name)
        return value if value else None

    key = pick(api_key, ENV_API_KEY)
    key = key.strip() if isinstance(key, str) else key
    cache = pick(cache_dir, ENV_CACHE) or DEFAULT_CACHE_DIR
    url = normalize_base_url(pick(base_url, ENV_BASE_URL) or DEFAULT_BASE_URL)
    settings = Settings(
        api_key=key or None,
        email=pick(email, ENV_EMAIL),
        cache_dir=Path(cache).expanduser().absolute(),
        base_url=url,
        **options,
    )
    _validate(settings)
    return settings
