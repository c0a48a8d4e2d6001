"""A faithful loopback OpenAlex server for tests: real HTTP on 127.0.0.1, OpenAlex semantics.

``OpenAlexTestServer`` serves a given set of work records the way ``api.openalex.org`` does:
``/works`` lists with filters (``,`` AND, ``|`` OR, ``!`` NOT, ``+`` AND within a field,
numeric ranges, ``null``), ``select``, ``sort``, basic and cursor paging, ``group_by`` /
``group_bys`` with OpenAlex's key shapes, ``/works/{id}`` singletons (full author lists),
``/rate-limit``, API-key auth, the credit budget with ``X-RateLimit-*`` headers, gzip, and
scripted faults (429s, 5xx, dropped, truncated and trickled answers, ``meta.timed_out``
pages, and cursor chains that misbehave: empty pages, early ends, cycles, short pages).
Messages, status codes and JSON shapes are copied from the OpenAlex origin API
(openalex-elastic-api) and its Cloudflare gateway (openalex-api-proxy) as summarised in the
project's notes, and checked against recorded real pages in the test suite. It uses the
standard library only, so users can run collabnet -- or their own code -- against it::

    from collabnet.testing import OpenAlexTestServer, Fault, load_works
    with OpenAlexTestServer(load_works("works.jsonl.gz"), api_keys=["k"]) as srv:
        srv.add_faults(Fault("503", retry_after=0))
        ...  # point the client at srv.url

or standalone: ``python -m collabnet.testing --works works.jsonl.gz --port 8000``.

The modules, in the order a request meets them: :mod:`~collabnet.testing.server` (HTTP and
the data set), :mod:`~collabnet.testing.gateway` with :mod:`~collabnet.testing.faults` and
:mod:`~collabnet.testing.credits` (keys, scripted faults, budget and rate limits),
:mod:`~collabnet.testing.origin` (the API's routes) with :mod:`~collabnet.testing.filters`,
:mod:`~collabnet.testing.params` and :mod:`~collabnet.testing.grouping`, all reading works
through :mod:`~collabnet.testing.fields`; :mod:`~collabnet.testing.constants` and
:mod:`~collabnet.testing.responses` are shared by all. :mod:`~collabnet.testing.standalone`
loads records and runs the server from the command line, :mod:`~collabnet.testing.clients`
points pyalex at it.
"""

from collabnet.testing.clients import pyalex_to
from collabnet.testing.constants import COUNTRY_NAMES, WORK_TYPES
from collabnet.testing.constants import CREDIT_USD as CREDIT_USD
from collabnet.testing.constants import HIGH_AUTHOR_LIMIT as HIGH_AUTHOR_LIMIT
from collabnet.testing.constants import LIST_AUTHOR_LIMIT as LIST_AUTHOR_LIMIT
from collabnet.testing.constants import MAX_OR_VALUES as MAX_OR_VALUES
from collabnet.testing.constants import MAX_REQUEST_LINE as MAX_REQUEST_LINE
from collabnet.testing.constants import MAX_RESULT_WINDOW as MAX_RESULT_WINDOW
from collabnet.testing.constants import OPENALEX as OPENALEX
from collabnet.testing.constants import SELECT_FIELDS as SELECT_FIELDS
from collabnet.testing.constants import VALID_PARAMS as VALID_PARAMS
from collabnet.testing.faults import FAULT_KINDS, Fault, RequestRecord
from collabnet.testing.fields import FIELD_ALIASES as FIELD_ALIASES
from collabnet.testing.fields import FIELDS as FIELDS
from collabnet.testing.filters import Predicate as Predicate
from collabnet.testing.params import DEFAULT_SORT as DEFAULT_SORT
from collabnet.testing.server import OpenAlexTestServer
from collabnet.testing.standalone import load_works, serve_main

__all__ = [
    "COUNTRY_NAMES",
    "FAULT_KINDS",
    "WORK_TYPES",
    "Fault",
    "OpenAlexTestServer",
    "RequestRecord",
    "load_works",
    "pyalex_to",
    "serve_main",
]
