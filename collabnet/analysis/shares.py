"""International-collaboration shares per country or institution, with the counts behind them.

The share of a country's (or institution's) works that are internationally co-authored is the
headline collaboration indicator of the OECD Science Scoreboard and of the CWTS Leiden
Ranking (PP(int collab)). It is computed here with full counting, as the Leiden Ranking does
for its collaboration indicators, and reported with the four counts it rests on so that
totals can be checked.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from collabnet.errors import InputError
from collabnet.keys import (
    COLLABORATION_TYPES,
    MIN_WORKS,
    SHARE_COLUMNS,
    check_choice,
    normalise_focus,
    parse_years,
)
from collabnet.selection import select
from collabnet.tables import WorkTables

__all__ = ["SHARE_COLUMNS", "collaboration_summary", "international_shares", "shares"]

def international_shares(
    tables: WorkTables,
    level: str = "country",
    *,
    years: str | tuple[int | None, int | None] | None = None,
    focus: str | Iterable[str] | None = None,
    merge_hk_mo: bool = False,
    collaboration_rule: str | None = None,
    by_year: bool = False,
    min_works: int = MIN_WORKS,
    compare: str | Iterable[str] | None = None,
    as_of: int | None = None,
) -> pd.DataFrame:
    """International-collaboration share per country or institution (optionally per year).

    Parameters
    ----------
    tables : WorkTables
        The works to count.
    level : {"country", "institution", "author"}
        Whose share to report.
    years : str or (from, to), optional
        Only works published in this inclusive range (``2009-2017``, ``2009..2017``,
        ``2009-``, …: :func:`collabnet.keys.parse_years`).
    focus : str or list of str, optional
        Only these entities (country codes such as ``"JP"`` or ids such as ``"I74801974"``).
    merge_hk_mo : bool
        Count Hong Kong and Macao as China (Leiden Ranking rule).
    collaboration_rule : {"countries", "leiden"}, optional
        The rule that makes a work international; default the tables' own (``countries``).
    by_year : bool
        One row per entity and publication year (works without a year are left out).
    min_works : int
        Rows whose indicator rests on fewer works than this are flagged in the
        ``low_evidence`` column (default 10).
    compare : str or list of str, optional
        Countries and country groups to report side by side (``"JP,OECD"``), each group as
        one aggregate entity: its works are those with an author in a member country, its
        international works those of them with two or more countries
        (:func:`collabnet.selection.with_groups`). Country level only; replaces ``focus``.
    as_of : int, optional
        With ``compare``: group membership in that year (e.g. 2009: 30 OECD members).

    Returns
    -------
    pandas.DataFrame
        Columns ``entity, name, [year], works, international_works, share, domestic_works,
        single_institution_works, unknown_works``, sorted by works (descending) then entity.
        ``works`` = international + domestic + single_institution + unknown; last,
        ``low_evidence``: the share rests on fewer than ``min_works`` works with a known
        country.

    Notes
    -----
    Full counting: a work counts once for every entity among its affiliations.
    A work is *international* when its affiliations (institutions' countries and authorships'
    ``countries``) span two or more countries; *domestic* when they span one country and two
    or more institutions; *single_institution* when one country and at most one institution;
    *unknown* when no country is known (possible for an institution without a country code).

    .. math:: \\text{share}_u = \\frac{P_u(\\text{int})}{P_u - P_u(\\text{unknown})}

    the Leiden Ranking's PP(int collab) with full counting; NaN when the denominator is 0.

    References
    ----------
    CWTS Leiden Ranking Open Edition, indicators: https://open.leidenranking.com/information/indicators
    OECD (2017), OECD Science, Technology and Industry Scoreboard 2017, "International
    scientific collaboration".

    Examples
    --------
    >>> from collabnet.tables import build_tables
    >>> recs = [
    ...   {"id": "W1", "publication_year": 2020, "authorships": [
    ...     {"institutions": [{"id": "I1", "country_code": "JP"}]},
    ...     {"institutions": [{"id": "I2", "country_code": "US"}]}]},
    ...   {"id": "W2", "publication_year": 2020, "authorships": [
    ...     {"institutions": [{"id": "I1", "country_code": "JP"}]}]}]
    >>> s = international_shares(build_tables(recs))
    >>> s[["entity", "works", "international_works", "share"]].values.tolist()
    [['JP', 2, 1, 0.5], ['US', 1, 1, 1.0]]
    """
    sel = select(tables, level, years=years, focus=focus, merge_hk_mo=merge_hk_mo,
                 collaboration_rule=collaboration_rule)
    groups: dict[str, str] = {}
    if compare is not None:
        sel, groups = _compared(sel, compare, as_of, focus)
    out = sel.collaboration_counts(by_year=by_year)
    out["name"] = sel.names(out["entity"])
    for key, name in groups.items():
        out.loc[out["entity"] == key, "name"] = name
    cols = [*(c for c in SHARE_COLUMNS if c != "year" or by_year), "low_evidence"]
    out["low_evidence"] = (out["works"] - out["unknown_works"]) < min_works
    if by_year:
        out = out.sort_values(["entity", "year"], ascending=True)
        totals = out.groupby("entity")["works"].transform("sum")
        out = out.assign(_t=totals).sort_values(
            ["_t", "entity", "year"], ascending=[False, True, True]
        )
    else:
        out = out.sort_values(["works", "entity"], ascending=[False, True])
    out = out[cols].reset_index(drop=True)
    out.attrs.update(collaboration_rule=sel.tables.collaboration_rule,
                     merge_hk_mo=sel.tables.hk_mo_merged)
    return out


def compared_entities(level: str, compare, *, focus=None, as_of=None, source="works"):
    """``compare``'s countries (codes) and groups (aggregate key -> display name), checked
    before any work: country level only, not with ``focus``, works path only."""
    from collabnet.groups import group_members, group_name, is_group
    from collabnet.keys import split_countries

    if level != "country":
        raise InputError("--compare is for countries and country groups: use --level country")
    if focus is not None:
        raise InputError("give --compare or --focus, not both")
    if source != "works":
        raise InputError("--compare with groups as aggregates needs the works: "
                         "use --source works")
    items = split_countries(compare)
    if not items:
        raise InputError("--compare needs countries or groups, e.g. JP,OECD")
    codes = normalise_focus("country", [i for i in items if not is_group(i)]) or []
    suffix = f" in {as_of})" if as_of is not None else ")"
    groups = {group_name(g): f"{group_name(g)} ({len(group_members(g, as_of))} members{suffix}"
              for g in items if is_group(g)}
    return codes, groups


def _compared(sel, compare, as_of, focus):
    """The selection with ``compare``'s groups as aggregate entities, and their names."""
    from dataclasses import replace

    from collabnet.selection import with_groups

    codes, groups = compared_entities(sel.level, compare, focus=focus, as_of=as_of)
    tables = with_groups(sel.tables, list(groups), as_of=as_of)
    return replace(sel, tables=tables, focus=[*codes, *groups]), groups


def shares(
    tables,
    level: str = "country",
    *,
    years: str | tuple[int | None, int | None] | None = None,
    focus: str | Iterable[str] | None = None,
    merge_hk_mo: bool = False,
    collaboration_rule: str | None = None,
    by_year: bool = False,
    min_works: int = MIN_WORKS,
    counts: bool = False,
    source: str = "works",
    settings=None,
    dry_run: bool = False,
    compare: str | Iterable[str] | None = None,
    as_of: int | None = None,
) -> pd.DataFrame:
    """The ``collabnet shares`` table: :func:`international_shares` with the columns it prints.

    Parameters are those of :func:`international_shares`; ``counts`` keeps the domestic,
    single-institution and unknown counts (the ``--counts`` option), which are left out by
    default so that the table reads ``entity, name, [year], works, international_works,
    share, low_evidence``.

    ``source="counts"`` answers from OpenAlex ``group_by`` counts instead of works
    (:func:`collabnet.sources.openalex.counts.count_shares`: 2 requests per year for every
    country, 2 in all for one entity over any span; cached); ``tables`` is then a
    :class:`~collabnet.query.WorkQuery`, and the HK/MO merge and the Leiden rule are not
    available. ``source="both"`` runs both paths on the query and returns them side by side
    (:func:`~collabnet.sources.openalex.counts.compare_sources`). ``dry_run`` (counts only)
    returns the request URLs that would be made, making none. ``compare`` (``"JP,OECD"``)
    and ``as_of`` report groups as aggregate entities (works path only; see
    :func:`international_shares`).

    Examples
    --------
    >>> from collabnet.tables import build_tables
    >>> t = build_tables([{"id": "W1", "publication_year": 2020, "authorships": [
    ...     {"institutions": [{"id": "I1", "country_code": "JP"}]},
    ...     {"institutions": [{"id": "I2", "country_code": "KR"}]}]}])
    >>> list(shares(t, years="2019..2021").columns)
    ['entity', 'name', 'works', 'international_works', 'share', 'low_evidence']
    """
    check_choice("source", source, SOURCES)
    keep = [*SHARE_COLUMNS[:6], "low_evidence"] if not counts else None
    if compare is not None and source != "works":  # (the works path checks it itself)
        compared_entities(level, compare, focus=focus, as_of=as_of, source=source)
    if source != "works":
        c = counted_shares(tables, level, years=years, focus=focus, merge_hk_mo=merge_hk_mo,
                           collaboration_rule=collaboration_rule, by_year=by_year,
                           min_works=min_works, breakdown=counts, settings=settings,
                           dry_run=dry_run)
        if dry_run or source == "counts":
            return c if dry_run or keep is None else c[[k for k in keep if k in c.columns]]
        from collabnet.loader import load
        from collabnet.sources.openalex.counts import compare_sources

        w = international_shares(load(tables, settings=settings), level, focus=focus,
                                 by_year=by_year, min_works=min_works)
        return compare_sources(w, c)
    out = international_shares(tables, level, years=years, focus=focus, merge_hk_mo=merge_hk_mo,
                               collaboration_rule=collaboration_rule, by_year=by_year,
                               min_works=min_works, compare=compare, as_of=as_of)
    if keep is not None:
        out = out[[c for c in keep if c in out.columns]]
    return out


#: Where shares come from: the works themselves, OpenAlex's group_by counts, or both.
SOURCES = ("works", "counts", "both")


def counted_shares(query, level="country", *, years=None, focus=None, merge_hk_mo=False,
                   collaboration_rule=None, by_year=True, min_works=MIN_WORKS,
                   breakdown=False, settings=None, dry_run=False):
    """Shares of a query from OpenAlex counts, refusing what the counts cannot do."""
    from collabnet.query import WorkQuery
    from collabnet.sources.openalex.counts import count_shares

    if not isinstance(query, WorkQuery):
        raise InputError("the counts path asks OpenAlex: give a query (--country or "
                         "--institution with --years), not files")
    if merge_hk_mo or collaboration_rule not in (None, "countries"):
        raise InputError("the counts path has no --merge-hk-mo or Leiden rule: OpenAlex "
                         "counts countries as they are; use --source works")
    if years is not None and parse_years(years) != query.years:
        raise InputError("give the years once, in the query (--years)")
    return count_shares(query, settings=settings, level=level, focus=focus, by_year=by_year,
                        breakdown=breakdown, dry_run=dry_run, min_works=min_works)


def collaboration_summary(tables: WorkTables) -> pd.DataFrame:
    """Works by collaboration type over the whole table, with each type's share.

    Returns a frame with columns ``collaboration, works, share`` in the order international,
    domestic, single_institution, unknown. ``share`` follows the one definition of
    :func:`international_shares`: of the works with a known country (so the three known
    types sum to 1), NaN for ``unknown`` (its ``works`` says how many have no country).

    Examples
    --------
    >>> from collabnet.tables import build_tables
    >>> t = build_tables([
    ...     {"id": "W1", "authorships": [{"institutions": [{"id": "I1", "country_code": "JP"}]},
    ...                                  {"institutions": [{"id": "I2", "country_code": "US"}]}]},
    ...     {"id": "W2", "authorships": [{"institutions": [{"id": "I1", "country_code": "JP"}]}]},
    ...     {"id": "W3", "authorships": []}])
    >>> collaboration_summary(t)[["collaboration", "works", "share"]].values.tolist()
    [['international', 1, 0.5], ['domestic', 0, 0.0], ['single_institution', 1, 0.5], \
['unknown', 1, nan]]
    """
    counts = tables.works["collaboration"].astype(str).value_counts()
    counts = counts.reindex(list(COLLABORATION_TYPES), fill_value=0).astype("int64")
    known = int(counts.drop("unknown").sum())
    share = counts / known if known else counts * np.nan
    share["unknown"] = np.nan
    return pd.DataFrame(
        {
            "collaboration": list(COLLABORATION_TYPES),
            "works": counts.values,
            "share": share.astype("float64").values,
        }
    )
