"""Works from the OpenAlex API: fetched into the page cache resumably, read back, or counted.

- :mod:`~collabnet.sources.openalex.client`: the HTTP client (one session, retries with
  backoff, rate limits, OpenAlex's error classes, the API key kept out of every message);
- :mod:`~collabnet.sources.openalex.fetching`: :func:`fetch` a query slice by slice into the
  cache, resuming from checkpoints (:func:`load_query`: fetch what is missing, then read);
  :mod:`~collabnet.sources.openalex.paging` walks one slice's cursor chain (when a slice is
  done, when it is incomplete); :mod:`~collabnet.sources.openalex.answers` reads one answer
  against a deadline;
- :mod:`~collabnet.sources.openalex.reading`: the cached works back (:func:`is_cached`,
  :func:`iter_cached_works`) and the warnings owed to their readers (:func:`query_warnings`);
- :mod:`~collabnet.sources.openalex.counts`: shares per country and year from two
  ``group_by`` counts per year, without downloading works.

Only the standard library, requests and orjson load with this package; pandas, numpy, tqdm
and pyalex load when a function needs them.
"""

from collabnet.sources.openalex import counts
from collabnet.sources.openalex.client import (
    AuthError,
    BudgetExhaustedError,
    OpenAlexClient,
    PlanRequiredError,
    RateLimitError,
    RequestStats,
    redact,
)
from collabnet.sources.openalex.fetching import FetchReport, SliceReport, fetch, load_query
from collabnet.sources.openalex.reading import (
    cached_page_files,
    is_cached,
    iter_cached_works,
    query_warnings,
)

__all__ = [
    "AuthError",
    "BudgetExhaustedError",
    "FetchReport",
    "OpenAlexClient",
    "PlanRequiredError",
    "RateLimitError",
    "RequestStats",
    "SliceReport",
    "cached_page_files",
    "counts",
    "fetch",
    "is_cached",
    "iter_cached_works",
    "load_query",
    "query_warnings",
    "redact",
]
