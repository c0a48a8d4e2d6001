"""International-collaboration shares per country and year from OpenAlex counts, without
downloading works.

For each publication year two ``group_by=institutions.country_code`` requests answer the
question: one counts the works of every country, ``P_c``, the other the same works restricted
to ``countries_distinct_count:>1``, ``P_c(int)`` (OPENALEX_API.md §6.3). That is two small
requests per year instead of one request per 200 works; ``breakdown=True`` adds two more per
year for the domestic and single-institution counts. The result has the columns of
:func:`collabnet.analysis.shares.international_shares` with ``by_year=True``.

Where the two paths differ
--------------------------
Both use the definitions of DESIGN.md (international = affiliations in two or more
countries; share = international / works with a known country; full counting), but they read
different OpenAlex fields, so on real data their numbers can differ slightly:

* **Countries without an institution.** The work-level path also takes countries from
  ``authorships[].countries``, which OpenAlex fills from raw affiliation strings when an
  author has no matched institution. ``institutions.country_code`` and
  ``countries_distinct_count`` use institution country codes only. An author known only by
  a raw-parsed country therefore counts at work level and is invisible here.
* **Institutions without a country code** count towards neither path's countries.
* **Author lists.** ``countries_distinct_count`` and the ``institutions.*`` filters see up to
  5000 authors; list pages carry the first 100 (collabnet re-fetches longer ones whole), and
  the ``authorships.countries`` filter, which collabnet does not use, sees only the first 100.
* **Domestic / single institution** (``breakdown=True``) use ``institutions_distinct_count``
  (distinct institution ids); the work level counts distinct institution ids as well, but an
  institution with a country and no id counts towards the country and not the institutions.
  The remainder ``works - international - domestic - single_institution`` is reported as
  ``unknown_works`` (0 when both paths agree).
* **Live index.** The counts are taken at request time; cached works were taken when fetched.
* **Works without a year** are left out of both by-year results.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

from collabnet.config import Settings, get_settings
from collabnet.errors import FetchError, InputError
from collabnet.keys import MIN_WORKS, SHARE_COLUMNS, country_name, short_id
from collabnet.query import WorkQuery
from collabnet.sources.openalex.client import OpenAlexClient, pyalex_query_string

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["COUNT_COLUMNS", "GROUP_FIELD", "country_counts", "international_shares"]

#: Columns of the result: those of :func:`collabnet.analysis.shares.international_shares`.
COUNT_COLUMNS = [*SHARE_COLUMNS, "low_evidence"]

GROUP_FIELD = "institutions.country_code"

#: Extra filters per count; each is one ``group_by`` (plus cursor pages past 200 countries).
_SUBSETS = {
    "works": None,
    "international_works": {"countries_distinct_count": ">1"},
    "domestic_works": {"countries_distinct_count": "1", "institutions_distinct_count": ">1"},
    "single_institution_works": {
        "countries_distinct_count": "1",
        "institutions_distinct_count": "1",
    },
}


def _country_key(key) -> str | None:
    """``https://openalex.org/countries/JP`` -> ``JP``; None for the unknown bucket."""
    if key is None:
        return None
    code = short_id(key).strip().upper()
    if not code or code in ("UNKNOWN", "-111", "NULL") or len(code) != 2:
        return None
    return code


def country_counts(
    query: WorkQuery, year: int, client, *, extra: dict | None = None
) -> dict[str, tuple[int, str]]:
    """Works per country for one year of ``query``: ``{code: (count, display name)}``.

    One ``group_by=institutions.country_code`` request returns the top 200 countries by
    count; only when all 200 are taken (more countries may exist) does it page through every
    country with a cursor (key order; the composite aggregation ends with an empty page).
    Zero-count padding and the unknown bucket are dropped.
    """
    base = pyalex_query_string(query.pyalex(year=year, extra=extra).group_by(GROUP_FIELD))
    data = client.get("/works", f"{base}&per_page={_GROUPS}", kind="group_by")
    groups = _groups(data, client)
    real = [g for g in groups if isinstance(g, dict) and _positive(g.get("count"))]
    if len(real) < _GROUPS:
        return _tally(groups)
    out: dict[str, tuple[int, str]] = {}
    cursor, seen = "*", set()
    while True:
        q = f"{base}&per_page={_GROUPS}&cursor={quote(cursor, safe='')}"
        data = client.get("/works", q, kind="group_by")
        groups = _groups(data, client)
        for code, (n, name) in _tally(groups).items():
            out[code] = (out.get(code, (0, name))[0] + n, name)
        nxt = (data.get("meta") or {}).get("next_cursor")
        if not nxt or not groups:
            return out
        if nxt in seen:
            raise FetchError(f"{client.settings.base_url} repeated a group_by cursor")
        seen.add(nxt)
        cursor = nxt


_GROUPS = 200  # most groups per group_by page


def _positive(count) -> bool:
    return isinstance(count, int) and not isinstance(count, bool) and count > 0


def _groups(data: dict, client) -> list:
    groups = data.get("group_by")
    if not isinstance(groups, list):
        raise FetchError(
            f"{client.settings.base_url} did not answer a group_by request with a group_by "
            "list; is the base URL right?"
        )
    return groups


def _tally(groups: list) -> dict[str, tuple[int, str]]:
    out: dict[str, tuple[int, str]] = {}
    for g in groups:
        if not isinstance(g, dict) or not _positive(g.get("count")):
            continue
        code = _country_key(g.get("key"))
        if code is None:
            continue
        name = country_name(code)  # the same names as the work-level path
        out[code] = (out.get(code, (0, name))[0] + g["count"], name)
    return out


def international_shares(
    query: WorkQuery,
    *,
    settings: Settings | None = None,
    breakdown: bool = False,
    progress: bool = False,
    client=None,
    min_works: int = MIN_WORKS,
) -> pd.DataFrame:
    """Share of internationally co-authored works per country and year, from counts.

    Parameters
    ----------
    query : WorkQuery
        Needs a year range. With ``countries``, only those countries are reported (partner
        countries' counts would be restricted to works shared with them); otherwise every
        country with works.
    settings : Settings, optional
        Base URL and API key (default :func:`collabnet.config.get_settings`).
    breakdown : bool
        Also count domestic and single-institution works (two more requests per year).
    progress : bool
        tqdm bar over the years (only on a terminal).
    client : OpenAlexClient, optional
        Reuse a client and its request statistics.
    min_works : int
        Rows resting on fewer works than this are flagged in ``low_evidence`` (default 10),
        as in the work-level path.

    Returns
    -------
    pandas.DataFrame
        Columns ``entity, name, year, works, international_works, share, domestic_works,
        single_institution_works, unknown_works, low_evidence``. Without ``breakdown``
        the three before the last are NaN; with it, ``unknown_works`` is the remainder
        ``works - international - domestic - single_institution`` (0 when the counts add
        up). Every counted work has a known country, so ``low_evidence`` is
        ``works < min_works``.

    Notes
    -----
    For country :math:`c` and year :math:`y`, with :math:`P_{c,y}` the works with at least
    one institution in :math:`c` and :math:`P_{c,y}(\\text{int})` those of them whose
    institutions span two or more countries (``countries_distinct_count > 1``):

    .. math:: \\text{share}_{c,y} = P_{c,y}(\\text{int}) / P_{c,y}

    (every counted work has a known country, :math:`c`). Full counting, as in the work-level
    path; see the module docstring for where the two paths can differ.

    Requests: 2 per year (4 with ``breakdown``); a count with 200 or more countries is
    re-read with cursor paging (about three more requests) so that none is cut off.

    Examples
    --------
    Against the loopback server of :mod:`collabnet.testing`: W1 is Japanese-American, W2
    Japanese only, so Japan's share in 2015 is one half.

    >>> from collabnet.testing import OpenAlexTestServer
    >>> def work(wid, *codes):
    ...     inst = [{"institutions": [{"id": f"I{c}", "country_code": c}]} for c in codes]
    ...     return {"id": wid, "publication_year": 2015, "authorships": inst}
    >>> works = [work("W1", "JP", "US"), work("W2", "JP")]
    >>> with OpenAlexTestServer(works) as srv:
    ...     settings = get_settings(base_url=srv.url, env={})
    ...     df = international_shares(WorkQuery(countries=["JP"], years=2015), settings=settings)
    >>> df[["entity", "year", "works", "international_works", "share"]].values.tolist()
    [['JP', 2015, 2, 1, 0.5]]
    """
    if query.years is None:
        raise InputError("counts need a year range (e.g. --years 2009-2017): one request per year")
    import numpy as np
    import pandas as pd
    from tqdm.auto import tqdm

    settings = settings or get_settings()
    own = client is None
    # Counts are not cached: a stop must not promise "progress is saved".
    client = client or OpenAlexClient(settings, resumable=False)
    resumable, client.resumable = client.resumable, False
    wanted = _SUBSETS if breakdown else ("works", "international_works")
    subsets = {k: _SUBSETS[k] for k in wanted}
    first, last = query.years
    rows = []
    try:
        years = range(first, last + 1)
        bar = tqdm(years, desc="counts", unit=" year", disable=None if progress else True)
        for y in bar:
            counts = {
                name: country_counts(query, y, client, extra=ex) for name, ex in subsets.items()
            }
            for code, (n, name) in counts["works"].items():
                if query.countries and code not in query.countries:
                    continue
                row = {"entity": code, "name": name, "year": y, "works": n}
                for col in subsets:
                    if col != "works":
                        row[col] = counts[col].get(code, (0, name))[0]
                rows.append(row)
    finally:
        client.resumable = resumable
        if own:
            client.close()
    df = pd.DataFrame(rows, columns=[c for c in SHARE_COLUMNS if c != "share"])
    for col in ("works", "international_works"):
        df[col] = df[col].astype("int64")
    if breakdown:
        for col in ("domestic_works", "single_institution_works"):
            df[col] = df[col].astype("int64")
        df["unknown_works"] = (
            df["works"] - df["international_works"] - df["domestic_works"]
            - df["single_institution_works"]
        ).astype("int64")
    else:
        for col in ("domestic_works", "single_institution_works", "unknown_works"):
            df[col] = np.nan
    with np.errstate(invalid="ignore", divide="ignore"):
        df["share"] = np.where(df["works"] > 0, df["international_works"] / df["works"], np.nan)
    df["year"] = df["year"].astype("int64")
    df["low_evidence"] = df["works"] < min_works
    totals = df.groupby("entity")["works"].transform("sum")
    df = df.assign(_t=totals).sort_values(["_t", "entity", "year"], ascending=[False, True, True])
    return df.drop(columns="_t")[COUNT_COLUMNS].reset_index(drop=True)
