"""Pointing client libraries at the loopback server: :func:`pyalex_to`."""

from __future__ import annotations

import contextlib


@contextlib.contextmanager
def pyalex_to(base_url: str):
    """Route pyalex's requests to ``base_url`` while the block runs.

    pyalex hard-codes ``https://api.openalex.org``; this mounts a transport adapter on the
    sessions pyalex creates that rewrites that host to ``base_url`` (keeping pyalex's own
    retry settings), and restores pyalex afterwards.

    Examples
    --------
    >>> import pyalex
    >>> from collabnet.testing import OpenAlexTestServer
    >>> works = [{"id": "W1", "publication_year": 2020}, {"id": "W2", "publication_year": 2021}]
    >>> with OpenAlexTestServer(works) as srv, pyalex_to(srv.url):
    ...     [w["id"] for w in pyalex.Works().filter(publication_year=2020).get()]
    ['https://openalex.org/W1']
    """
    import pyalex.api as api
    import requests

    host = "https://api.openalex.org"
    base = base_url.rstrip("/")

    class _Loopback(requests.adapters.HTTPAdapter):
        def send(self, request, **kw):
            request.url = request.url.replace(host, base, 1)
            return super().send(request, **kw)

    original = api._get_requests_session

    def session():
        s = original()
        s.mount(host, _Loopback(max_retries=s.get_adapter("https://x").max_retries))
        return s

    api._get_requests_session = session
    try:
        yield
    finally:
        api._get_requests_session = original
