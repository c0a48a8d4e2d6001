"""Settings for talking to OpenAlex and caching what it returns, gathered in one place.

A :class:`Settings` value is built by :func:`get_settings` from, in this order of precedence,
explicit arguments (the command line), the environment (``OPENALEX_API_KEY``,
``OPENALEX_EMAIL``, ``COLLABNET_CACHE``, ``COLLABNET_OPENALEX_URL``) and defaults (no key,
``./cache`` in the current directory, ``https://api.openalex.org``). The API key is a secret:
it is kept out of ``repr`` and every message, so a ``Settings`` can be printed or logged.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

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


@dataclass(frozen=True)
class Settings:
    """How collabnet reaches OpenAlex and where it caches pages.

    Attributes
    ----------
    api_key : str or None
        OpenAlex API key (sent as the ``api_key`` query parameter, never logged or stored).
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
        Seconds to wait for the server to answer one request.
    max_rate : float or None
        Most requests per second sent (OpenAlex allows 10/s without a key, 30/s with a free
        one); None for no client-side limit.
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
    max_rate: float | None = 10.0

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
        When ``url`` is not an ``http://`` or ``https://`` address with a host.

    Examples
    --------
    >>> normalize_base_url("http://127.0.0.1:8080/")
    'http://127.0.0.1:8080'
    """
    if not isinstance(url, str) or not url.strip():
        raise InputError("empty OpenAlex base URL: give e.g. https://api.openalex.org")
    url = url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(
            f"invalid OpenAlex base URL {url!r}: expected http(s)://host[:port][/path]"
        )
    if parts.query or parts.fragment:
        raise InputError(f"invalid OpenAlex base URL {url!r}: remove the ?query or #fragment")
    if parts.username or parts.password:
        raise InputError("invalid OpenAlex base URL: do not put credentials in the URL")
    try:
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise InputError(f"invalid OpenAlex base URL {url!r}: bad port") from None
    return url


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
