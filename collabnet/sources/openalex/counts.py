"""International-collaboration shares per country or institution (and year) from OpenAlex
``group_by`` counts, without downloading works: the ``--source counts`` fast path.

Two counts answer the question: the works of an entity, ``P``, and the same works restricted
to ``countries_distinct_count:>1``, ``P(int)`` (OPENALEX_API.md §6.3); ``breakdown=True`` adds
the domestic and single-institution counts. :func:`count_shares` asks them in the fewest
requests (:mod:`~collabnet.sources.openalex.counts_plan`): every country at once, two per
year; one country or institution (with its lineage) over any span, two in all; several
entities, two per entity, or two in all where the server answers a nested ``group_by``.
Every answer is cached (:mod:`~collabnet.sources.openalex.counts_cache`), so a rerun asks
nothing; :func:`count_plan` lists the requests without sending any; :func:`compare_sources`
sets the result beside the works path's for ``--source both``.

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
* **Institutions: lineage.** The counts filter ``authorships.institutions.lineage`` (the
  institution and every institution under it, e.g. a university's hospitals); the works path
  counts the institution's own id, as a works query fetches it (``lineage=False`` counts the
  same way).
* **Partners.** A query for some countries fetches their works, in which the works path also
  reports every partner country (restricted to the shared works); the counts report only the
  entities asked for (``focus``, else the query's countries or institutions, else every
  country).
* **What the counts cannot do:** the Leiden rule (``collaboration_rule="leiden"``), merging
  Hong Kong and Macao, fractional counting, intervals, and author-level shares.
"""


from __future__ import annotations

from typing import TYPE_CHECKING

from collabnet.config import Settings, get_settings
from collabnet.errors import FetchError, InputError
from collabnet.keys import MIN_WORKS, SHARE_COLUMNS, country_name
from collabnet.query import WorkQuery
from collabnet.sources.openalex.counts_fetch import GroupFetcher
from collabnet.sources.openalex.counts_plan import (
    COUNTRY_FIELD,
    SUBSETS,
    Entity,
    entities_for,
    per_entity,
    plan,
)
from collabnet.sources.openalex.counts_read import nested_problem, read_step

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["COUNT_COLUMNS", "GROUP_FIELD", "compare_sources", "count_plan", "count_shares",
           "international_shares"]

#: Columns of the result: those of :func:`collabnet.analysis.shares.international_shares`.
COUNT_COLUMNS = [*SHARE_COLUMNS, "low_evidence"]
GROUP_FIELD = COUNTRY_FIELD
#: Groups per page (OpenAlex's most); tests lower it to exercise cursor walks and caps.
GROUP_PAGE = 200

DEFINITION = (
    "counts path: full counting; a work counts for a country when one of its institutions is "
    "there (institutions.country_code), for an institution when one of its institutions is it "
    "or under it (authorships.institutions.lineage); international = institutions in two or "
    "more countries (countries_distinct_count > 1); share = international / works with a "
    "known country"
)
DIFFERENCES = (
    "countries from institutions only (the works path also reads authorships[].countries)",
    "institutions with their lineage (child institutions); the works path: the id alone",
    "the Leiden rule, Hong Kong/Macao merging and intervals are not available",
    "only the entities asked for are reported (no partner rows)",
    "without breakdown, works with no known country stay in the share's denominator "
    "(possible for institutions without a country code; never at country level)",
    "live index at request time (cached answers: when they were asked)",
)


def _resolve(fetcher: GroupFetcher, entities, names: dict, dry_run: bool):
    """ROR entities under lineage become OpenAlex ids (one free lookup each, cached)."""
    if entities is None:
        return None, []
    out, lookups = [], []
    for e in entities:
        if e.given is not None and e.field == "institutions.ror" and e.key == e.given:
            if dry_run and not fetcher.store.note(f"ror:{e.key}"):
                lookups.append(fetcher.ror_url(e))
            e, name = fetcher.resolve_ror(e, dry_run=dry_run)
            if name:
                names[e.key] = name
        out.append(e)
    return out, lookups


def _entities(query, level, focus, lineage) -> list[Entity] | None:
    ents = entities_for(query, level, focus, lineage=lineage)
    if not lineage and ents:  # RORs stay RORs (institutions.ror), no lookup
        ents = [Entity(e.key, e.field, e.value, None) if e.field == "institutions.ror" else e
                for e in ents]
    return ents


def count_plan(query: WorkQuery, *, settings: Settings | None = None, level: str = "country",
               focus=None, by_year: bool = True, breakdown: bool = False, lineage: bool = True,
               refresh: bool = False) -> list[str]:
    """The URLs (without the API key) :func:`count_shares` would request, sending none.

    Requests already answered in the cache are left out (all of them with ``refresh``).
    Where the plan adapts to answers, the list shows its first choice: a cursor walk's first
    page (``cursor=*``; a second page follows where more than 200 groups exist), the nested
    ``group_by`` where the server has not refused one (if it does, :func:`count_shares`
    falls back to two requests per entity), and a lookup of each ROR id whose OpenAlex id is
    not yet known (its filter shows ``<id of ror:…>``).

    Examples
    --------
    >>> import tempfile
    >>> s = get_settings(cache_dir=tempfile.mkdtemp(), env={})
    >>> for url in count_plan(WorkQuery(years="2009-2017"), settings=s, focus="JP"):
    ...     print(url)  # doctest: +NORMALIZE_WHITESPACE
    https://api.openalex.org/works?filter=institutions.country_code:jp,is_paratext:false,publication_year:2009-2017&group_by=publication_year&per_page=200
    https://api.openalex.org/works?filter=countries_distinct_count:%3E1,institutions.country_code:jp,is_paratext:false,publication_year:2009-2017&group_by=publication_year&per_page=200
    """
    settings = settings or get_settings()
    fetcher = GroupFetcher(settings, per_page=GROUP_PAGE, refresh=refresh)
    entities, lookups = _resolve(fetcher, _entities(query, level, focus, lineage), {}, True)
    steps = plan(query, level, entities, by_year=by_year, breakdown=breakdown,
                 nested=not fetcher.nested_known_bad(), per_page=GROUP_PAGE)
    return lookups + [fetcher.url(s) for s in steps if not fetcher.is_cached(s)]


def count_shares(query: WorkQuery, *, settings: Settings | None = None, level: str = "country",
                 focus=None, by_year: bool = True, breakdown: bool = False,
                 lineage: bool = True, refresh: bool = False, dry_run: bool = False,
                 progress: bool = False, client=None, min_works: int = MIN_WORKS):
    """Share of internationally co-authored works per country or institution, from counts.

    Parameters
    ----------
    query : WorkQuery
        The works counted (types, exclusions, and a year range, which is required); its
        countries or institutions, if any, restrict them as a works query would.
    settings : Settings, optional
        Base URL, API key and cache folder (default :func:`collabnet.config.get_settings`).
    level : {"country", "institution"}
        Whose shares.
    focus : str or list of str, optional
        The entities reported (``"JP,DE"``, ``"OECD"``, ``"I74801974"``, a ROR id); default
        the query's countries (or institutions), else, at country level, every country.
    by_year : bool
        One row per entity and year (default); False: one row per entity over the range.
    breakdown : bool
        Also count domestic and single-institution works (twice the requests).
    lineage : bool
        Count an institution with the institutions under it (default); False: its own id only.
    refresh : bool
        Ask again what the cache already holds.
    dry_run : bool
        Send nothing: return :func:`count_plan`'s list of URLs instead of a table.
    progress : bool
        A progress bar over the requests.
    client : OpenAlexClient, optional
        Reuse a client and its request statistics.
    min_works : int
        Rows resting on fewer works with a known country are flagged ``low_evidence``.

    Returns
    -------
    pandas.DataFrame (or list of str with ``dry_run``)
        The columns of :func:`collabnet.analysis.shares.international_shares` (``year`` only
        ``by_year``); without ``breakdown`` the domestic, single-institution and unknown
        counts are NaN. ``attrs``: ``source`` ("counts"), ``definition``, ``differences``
        (from the works path), ``collaboration_rule`` ("countries"), ``intervals`` (False),
        ``lineage``, ``plan``, ``requests`` (HTTP requests sent, retries included),
        ``answers`` (group_by answers asked), ``cached_answers`` (read from the cache).

    Notes
    -----
    :math:`\\text{share} = P(\\text{int}) / (P - P(\\text{unknown}))`, with
    :math:`P(\\text{unknown})` known only with ``breakdown`` (works whose institutions have
    no country; 0 at country level). See the module docstring for where the paths differ.

    Examples
    --------
    W1 is Japanese-American, W2 Japanese only: Japan's share in 2015 is one half; asked
    again, the answer comes from the cache.

    >>> import tempfile
    >>> from collabnet.testing import OpenAlexTestServer
    >>> def work(wid, *codes):
    ...     inst = [{"institutions": [{"id": f"I{c}", "country_code": c}]} for c in codes]
    ...     return {"id": wid, "publication_year": 2015, "authorships": inst}
    >>> with OpenAlexTestServer([work("W1", "JP", "US"), work("W2", "JP")]) as srv:
    ...     s = get_settings(base_url=srv.url, cache_dir=tempfile.mkdtemp(), env={})
    ...     df = count_shares(WorkQuery(years=2015), settings=s, focus="JP")
    ...     again = count_shares(WorkQuery(years=2015), settings=s, focus="JP")
    >>> df[["entity", "year", "works", "international_works", "share"]].values.tolist()
    [['JP', 2015, 2, 1, 0.5]]
    >>> df.attrs["requests"], again.attrs["requests"], again.attrs["cached_answers"]
    (2, 0, 2)
    """
    settings = settings or get_settings()
    if query.years is None:
        raise InputError("counts need a year range (e.g. --years 2009-2017): the counts "
                         "are asked per year or over a span of years")
    if dry_run:
        return count_plan(query, settings=settings, level=level, focus=focus, by_year=by_year,
                          breakdown=breakdown, lineage=lineage, refresh=refresh)
    from collabnet.progress import bar

    fetcher = GroupFetcher(settings, per_page=GROUP_PAGE, refresh=refresh, client=client)
    resumable = None if client is None else client.resumable
    if client is not None:
        client.resumable = True  # every answer is saved as it arrives
    counts: dict = {}
    names: dict = {}
    try:
        entities, _ = _resolve(fetcher, _entities(query, level, focus, lineage), names, False)
        nested = not fetcher.nested_known_bad()
        while True:
            steps = plan(query, level, entities, by_year=by_year, breakdown=breakdown,
                         nested=nested, per_page=GROUP_PAGE)
            counts.clear()
            try:
                shown = bar(len(steps), "counts", " request", enabled=True if progress else None)
                missing = _run(fetcher, steps, counts, names, query, shown, by_year)
            except _NestedRefused as exc:
                fetcher.note_nested(False, str(exc))
                nested = False
                continue
            break
        if any(s.read == "nested" for s in steps) and not fetcher.store.note("nested"):
            fetcher.note_nested(True)
        if missing:  # a capped page cut them off: ask for each of them alone
            again = [e for e in entities if e.key in missing]
            for cell in [k for k in counts if k[0] in missing]:
                del counts[cell]
            extra = per_entity(query, again, breakdown=breakdown, per_page=GROUP_PAGE)
            _run(fetcher, extra, counts, names, query, None, by_year)
            steps = steps + extra
    finally:
        if client is not None:
            client.resumable = resumable
        fetcher.close()
    df = _frame(counts, names, level, entities, by_year=by_year, breakdown=breakdown,
                min_works=min_works)
    named = {"keys": "per_year" if by_year else "total", "years": "per_entity",
             "nested": "nested"}
    kinds = list(dict.fromkeys(named[s.read] for s in steps))
    df.attrs.update(
        source="counts", definition=DEFINITION, differences=list(DIFFERENCES),
        collaboration_rule="countries", merge_hk_mo=False, intervals=False,
        lineage=lineage if level == "institution" else None,
        plan="+".join(kinds),
        requests=fetcher.requests, answers=fetcher.answers, cached_answers=fetcher.cached,
    )
    return df


class _NestedRefused(Exception):
    """The server refused or garbled a nested group_by: plan again without it."""


def _run(fetcher: GroupFetcher, steps, counts, names, query, progress_bar, by_year: bool
         ) -> set[str]:
    missing: set[str] = set()
    try:
        for step in steps:
            if step.read == "nested":
                try:
                    answer = fetcher.answer(step)
                except FetchError as exc:
                    if "(400:" not in str(exc):
                        raise
                    raise _NestedRefused(str(exc)) from None
                why = nested_problem(answer, step, query.years)
                if why:
                    raise _NestedRefused(why)
            else:
                answer = fetcher.answer(step)
            missing |= read_step(step, answer, counts, names, by_year)
            if progress_bar is not None:
                progress_bar.update(1)
    finally:
        if progress_bar is not None:
            progress_bar.close()
    return missing


def _frame(counts: dict, names: dict, level: str, entities, *, by_year: bool, breakdown: bool,
           min_works: int) -> pd.DataFrame:
    import numpy as np
    import pandas as pd

    wanted = None if entities is None else {e.key for e in entities}
    subsets = list(SUBSETS) if breakdown else ["works", "international_works"]
    rows = []
    for (entity, year), cell in counts.items():
        if cell.get("works", 0) <= 0 or (wanted is not None and entity not in wanted):
            continue
        name = country_name(entity) if level == "country" else names.get(entity) or entity
        row = {"entity": entity, "name": name, "year": year}
        row.update({k: cell.get(k, 0) for k in subsets})
        rows.append(row)
    df = pd.DataFrame(rows, columns=["entity", "name", "year", *SUBSETS])
    for col in ("works", "international_works"):
        df[col] = df[col].astype("int64")
    if breakdown:
        for col in ("domestic_works", "single_institution_works"):
            df[col] = df[col].astype("int64")
        df["unknown_works"] = (df["works"] - df["international_works"] - df["domestic_works"]
                               - df["single_institution_works"]).astype("int64")
        known = df["works"] - df["unknown_works"]
    else:
        for col in ("domestic_works", "single_institution_works"):
            df[col] = np.nan
        df["unknown_works"] = np.nan
        known = df["works"]
    with np.errstate(invalid="ignore", divide="ignore"):
        df["share"] = np.where(known > 0, df["international_works"] / known.where(known > 0),
                               np.nan)
    df["low_evidence"] = known < min_works
    if by_year:
        df["year"] = df["year"].astype("int64")
        totals = df.groupby("entity")["works"].transform("sum")
        df = df.assign(_t=totals).sort_values(["_t", "entity", "year"],
                                              ascending=[False, True, True]).drop(columns="_t")
        cols = COUNT_COLUMNS
    else:
        df = df.sort_values(["works", "entity"], ascending=[False, True])
        cols = [c for c in COUNT_COLUMNS if c != "year"]
    return df[cols].reset_index(drop=True)


def compare_sources(works_df: pd.DataFrame, counts_df: pd.DataFrame) -> pd.DataFrame:
    """The works path's and the counts path's shares side by side (``--source both``).

    Rows are matched on ``entity`` (and ``year`` when both tables have it); a row in one
    table only is kept with NaN for the other. Columns: ``entity, name, [year],
    works_works, counts_works, works_share, counts_share, share_difference`` (counts minus
    works). ``attrs``: ``only_works``, ``only_counts`` (rows in one table only) and the counts
    table's ``definition`` and ``differences``.

    Examples
    --------
    >>> import pandas as pd
    >>> w = pd.DataFrame({"entity": ["JP", "US"], "name": ["Japan", "United States"],
    ...                   "works": [10, 4], "share": [0.5, 0.25]})
    >>> c = pd.DataFrame({"entity": ["JP"], "name": ["Japan"], "works": [10], "share": [0.4]})
    >>> compare_sources(w, c).round(2).values.tolist()
    [['JP', 'Japan', 10, 10.0, 0.5, 0.4, -0.1], ['US', 'United States', 4, nan, 0.25, nan, nan]]
    """
    import pandas as pd

    on = ["entity", "year"] if "year" in works_df and "year" in counts_df else ["entity"]
    cols = [*on, "name", "works", "share"]
    m = pd.merge(works_df[cols], counts_df[cols], on=on, how="outer",
                 suffixes=("_w", "_c"), indicator=True)
    out = m[on].copy()
    out.insert(1, "name", m["name_w"].fillna(m["name_c"]))
    out["works_works"] = m["works_w"]
    out["counts_works"] = m["works_c"]
    out["works_share"] = m["share_w"]
    out["counts_share"] = m["share_c"]
    out["share_difference"] = out["counts_share"] - out["works_share"]
    out = out.sort_values(on).reset_index(drop=True)
    out.attrs.update(only_works=int((m["_merge"] == "left_only").sum()),
                     only_counts=int((m["_merge"] == "right_only").sum()),
                     definition=counts_df.attrs.get("definition", DEFINITION),
                     differences=counts_df.attrs.get("differences", list(DIFFERENCES)))
    return out


def international_shares(query: WorkQuery, *, settings: Settings | None = None,
                         breakdown: bool = False, progress: bool = False, client=None,
                         min_works: int = MIN_WORKS) -> pd.DataFrame:
    """Shares per country and year from counts: :func:`count_shares` at country level, for
    the query's countries (else every country), by year.

    >>> from collabnet.testing import OpenAlexTestServer
    >>> import tempfile
    >>> works = [{"id": "W1", "publication_year": 2015, "authorships": [
    ...     {"institutions": [{"id": "I1", "country_code": "JP"}]}]}]
    >>> with OpenAlexTestServer(works) as srv:
    ...     s = get_settings(base_url=srv.url, cache_dir=tempfile.mkdtemp(), env={})
    ...     df = international_shares(WorkQuery(countries=["JP"], years=2015), settings=s)
    >>> df[["entity", "year", "works", "international_works", "share"]].values.tolist()
    [['JP', 2015, 1, 0, 0.0]]
    """
    return count_shares(query, settings=settings, level="country", by_year=True,
                        breakdown=breakdown, progress=progress, client=client,
                        min_works=min_works)
