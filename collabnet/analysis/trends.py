"""Indicators over time: yearly values, the change between two years and a trend slope.

Any indicator of :func:`~collabnet.analysis.profile.collaboration_profile`,
:func:`~collabnet.analysis.impact.impact_by_collaboration` or
:func:`~collabnet.analysis.centrality.centrality` can be followed year by year for several
focus entities side by side ("Japan vs Germany vs the UK vs Korea"), with the change between
two years and the least-squares slope per year that a report quotes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from collabnet.analysis.bootstrap import CONFIDENCE, N_RESAMPLES
from collabnet.analysis.centrality import centrality
from collabnet.analysis.impact import impact_by_collaboration
from collabnet.analysis.profile import collaboration_profile
from collabnet.errors import InputError
from collabnet.keys import (
    IMPACT_INDICATORS,
    INDICATORS,
    MIN_WORKS,
    NETWORK_INDICATORS,
    PROFILE_INDICATORS,
    parse_years,
)
from collabnet.networks import coauthorship_network
from collabnet.selection import select
from collabnet.tables import WorkTables

__all__ = [
    "IMPACT_INDICATORS",
    "INDICATORS",
    "NETWORK_INDICATORS",
    "PROFILE_INDICATORS",
    "TrendComparison",
    "indicator_trend",
    "COUNTED",
    "counted_values",
    "indicator_values",
    "ols_slope",
    "trend",
]



def ols_slope(df: pd.DataFrame, x: str, y: str, by: str | list[str]) -> pd.Series:
    """Least-squares slope of ``y`` on ``x`` within each ``by`` group (NaN rows ignored).

    Notes
    -----
    :math:`b = \\sum (x_i - \\bar x)(y_i - \\bar y) / \\sum (x_i - \\bar x)^2`; NaN when a group
    has fewer than two distinct ``x`` values.

    Examples
    --------
    >>> d = pd.DataFrame({"g": ["a"] * 3, "year": [2000, 2001, 2002], "v": [0.1, 0.2, 0.3]})
    >>> round(float(ols_slope(d, "year", "v", "g")["a"]), 6)
    0.1
    """
    d = df[[*([by] if isinstance(by, str) else by), x, y]].dropna(subset=[x, y]).copy()
    d[x] = d[x].astype("float64")
    d[y] = d[y].astype("float64")
    g = d.groupby(by, sort=False)
    dx = d[x] - g[x].transform("mean")
    dy = d[y] - g[y].transform("mean")
    d["_sxy"] = dx * dy
    d["_sxx"] = dx * dx
    s = d.groupby(by, sort=False)[["_sxy", "_sxx"]].sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        return (s["_sxy"] / s["_sxx"].where(s["_sxx"] > 0)).rename("slope")


@dataclass
class TrendComparison:
    """Yearly values of one indicator for several entities, and their change and slope.

    Attributes
    ----------
    indicator : str
    values : pandas.DataFrame
        Long form: ``entity, name, year, works, value`` (plus ``value_lo``, ``value_hi``
        with intervals).
    summary : pandas.DataFrame
        One row per entity: ``entity, name, from_year, to_year, value_from, value_to, change,
        slope_per_year, years``.
    """

    indicator: str
    values: pd.DataFrame
    summary: pd.DataFrame

    def wide(self) -> pd.DataFrame:
        """Years as rows, entities as columns (side-by-side comparison)."""
        if self.values.empty:
            return pd.DataFrame()
        w = self.values.pivot(index="year", columns="entity", values="value")
        order = list(dict.fromkeys(self.values["entity"]))
        return w[order].sort_index()


def indicator_trend(
    tables: WorkTables,
    indicator: str = "international_share",
    level: str = "country",
    *,
    years: str | tuple[int | None, int | None] | None = None,
    focus: str | Iterable[str] | None = None,
    counting: str = "full",
    merge_hk_mo: bool = False,
    collaboration_rule: str | None = None,
    ci: bool = False,
    compare: tuple[int, int] | str | None = None,
    collaboration: str = "all",
    institutions=None,
    n_resamples: int = N_RESAMPLES,
    confidence: float = CONFIDENCE,
    seed: int | None = 0,
    top: int | None = 10,
    min_works: int = MIN_WORKS,
    source: str = "works",
    settings=None,
) -> TrendComparison:
    """An indicator by year for focus entities, with its change and least-squares slope.

    Parameters
    ----------
    tables : WorkTables
    indicator : str
        A collaboration-profile indicator (``international_share``, ``works``,
        ``industry_share``, …: :data:`PROFILE_INDICATORS`), an impact indicator
        (``mean_citations``, ``median_citations``, ``mean_fwci``, ``top10_share``), or a
        network indicator computed on each year's co-authorship network (``degree``,
        ``strength``, ``betweenness``, ``closeness``, ``eigenvector``, ``pagerank``,
        ``core_number``).
    level : {"country", "institution", "author"}
    focus : str or list of str, optional
        Entities to compare (``"JP,DE,GB,KR"``); default the ``top`` entities by works.
    years : "FROM-TO" or (from, to), optional
        Only works published in this inclusive range.
    compare : (year_from, year_to) or "FROM-TO", optional
        The two years whose values the ``change`` column compares; default the first and
        last year with a value for the entity.
    counting, merge_hk_mo, collaboration_rule, ci, institutions, n_resamples, confidence, seed
        As in :func:`~collabnet.analysis.profile.collaboration_profile`.
    collaboration : str
        For impact indicators, the group to follow (``all``, ``international``, ``domestic``,
        ``single_institution``).
    top : int, optional
        Number of entities followed when ``focus`` is not given.
    min_works : int
        Yearly values resting on fewer works than this are flagged ``low_evidence``
        (default 10).
    source : {"works", "counts"}
        ``counts`` follows ``international_share``, ``works`` or ``international_works``
        from OpenAlex ``group_by`` counts (2 requests per focus entity over any span, cached;
        see :func:`collabnet.sources.openalex.counts.count_shares`); ``tables`` is then a
        :class:`~collabnet.query.WorkQuery`, or None for the works of the ``focus``
        countries or institutions in ``years``.
    settings : collabnet.config.Settings, optional
        How to reach OpenAlex, for ``source="counts"``.

    Returns
    -------
    TrendComparison
        ``values`` (long), ``summary`` (change and slope) and ``wide()`` (years x entities).

    Notes
    -----
    ``change`` = value(year_to) − value(year_from). ``slope_per_year`` is the ordinary
    least-squares slope of the yearly values on the year over the same window,
    ``from_year``..``to_year`` (the ``compare`` years, else the entity's first and last year
    with a value; ``years`` counts the years with a value in it),
    :math:`b = \\sum_t (t - \\bar t)(v_t - \\bar v) / \\sum_t (t - \\bar t)^2`, over the years
    with a value (unweighted: a year with few works weighs as much as one with many, so read
    it with the ``works`` column). For shares it is in share units per year (0.01 = one
    percentage point a year). Yearly values are the indicators' own definitions applied to
    one publication year; the top-10 % reference set is then that year's works.

    References
    ----------
    CWTS Leiden Ranking Open Edition, trend view (indicators per period):
    https://open.leidenranking.com/information/indicators

    Examples
    --------
    >>> from collabnet.tables import build_tables
    >>> recs = [{"id": f"W{i}", "publication_year": 2018 + i // 2, "authorships": [
    ...     {"institutions": [{"id": "I1", "country_code": "JP"}]},
    ...     {"institutions": [{"id": "I2", "country_code": "DE" if i % 2 else "JP"}]}]}
    ...     for i in range(6)]
    >>> t = indicator_trend(build_tables(recs), "international_share", focus="JP")
    >>> t.wide()["JP"].tolist(), float(t.summary.loc[0, "slope_per_year"])
    ([0.5, 0.5, 0.5], 0.0)
    """
    if indicator not in INDICATORS:
        raise InputError(
            f"unknown indicator {indicator!r}: choose one of {', '.join(INDICATORS)}"
        )
    cmp_years = _compare_years(compare)
    if source == "counts":
        return _counted_trend(tables, indicator, level, focus=focus, years=years,
                              cmp_years=cmp_years, merge_hk_mo=merge_hk_mo,
                              collaboration_rule=collaboration_rule, ci=ci,
                              settings=settings, min_works=min_works)
    if source != "works":
        raise InputError(f"unknown source {source!r}: choose works or counts")
    sel = select(tables, level, years=years, focus=focus, merge_hk_mo=merge_hk_mo,
                 collaboration_rule=collaboration_rule)
    tables, focus_ids = sel.tables, sel.focus
    if focus_ids is None:
        ranked = sel.collaboration_counts().sort_values(["works", "entity"],
                                                        ascending=[False, True])
        focus_ids = ranked["entity"].head(top or 10).tolist()
    if indicator in NETWORK_INDICATORS:
        values = _network_values(tables, indicator, level, focus_ids)
    else:
        values = indicator_values(tables, indicator, level, focus_ids, counting=counting,
                                  collaboration=collaboration, institutions=institutions,
                                  ci=ci, n_resamples=n_resamples, confidence=confidence,
                                  seed=seed).drop(columns="low_evidence")
    order = {e: i for i, e in enumerate(focus_ids)}
    values = values.assign(_o=values["entity"].map(order)).sort_values(["_o", "year"])
    values = values.drop(columns="_o").reset_index(drop=True)
    values["low_evidence"] = values["works"].astype("float64") < min_works
    summary = _summary(values, focus_ids, cmp_years)
    summary["name"] = tables.entity_names(level, summary["entity"])
    summary = summary[["entity", "name", "from_year", "to_year", "value_from", "value_to",
                       "change", "slope_per_year", "years"]]
    return TrendComparison(indicator=indicator, values=values, summary=summary)



#: The ``collabnet trend`` command's library call.
trend = indicator_trend

#: What the counts path can follow or rank, and the column of its table that holds it.
COUNTED = {"international_share": "share", "works": "works",
           "international_works": "international_works"}


def counted_values(query, indicator, level, focus_ids, *, years, by_year, ci, merge_hk_mo,
                   collaboration_rule, settings, min_works, dry_run=False,
                   verb="follows", needs="--focus countries or institutions"):
    """``entity, name, [year], works, value, low_evidence`` of ``indicator`` from OpenAlex
    counts (the counts path's share denominator as ``works``), for a trend or a ranking.

    ``query`` None means the works of the ``focus_ids`` countries (or institutions) in
    ``years``. ``verb`` and ``needs`` word the errors for the caller.
    """
    from collabnet.analysis.shares import counted_shares
    from collabnet.query import WorkQuery

    if indicator not in COUNTED:
        raise InputError(f"the counts path {verb} {', '.join(COUNTED)}; use --source works "
                         f"for {indicator}")
    if ci:
        raise InputError("the counts path has no stability intervals: use --source works")
    if query is None:
        if not focus_ids or level == "author":
            raise InputError(f"the counts path needs {needs} to know what to count")
        key = "countries" if level == "country" else "institutions"
        query = WorkQuery(**{key: focus_ids}, years=years)
        years = None
    c = counted_shares(query, level, years=years, focus=focus_ids or None, by_year=by_year,
                       merge_hk_mo=merge_hk_mo, collaboration_rule=collaboration_rule,
                       min_works=min_works, settings=settings, dry_run=dry_run)
    if dry_run:
        return c
    out = c[["entity", "name", *(["year"] if by_year else []), "works"]].copy()
    out["value"] = c[COUNTED[indicator]].to_numpy()
    out["low_evidence"] = c["low_evidence"].to_numpy()
    out.attrs.update(c.attrs)
    return out


def _counted_trend(query, indicator, level, *, focus, years, cmp_years, merge_hk_mo,
                   collaboration_rule, ci, settings, min_works) -> TrendComparison:
    from collabnet.keys import normalise_focus

    focus_ids = normalise_focus(level, focus)
    values = counted_values(query, indicator, level, focus_ids, years=years, by_year=True,
                            ci=ci, merge_hk_mo=merge_hk_mo,
                            collaboration_rule=collaboration_rule, settings=settings,
                            min_works=min_works)
    focus_ids = focus_ids or list(dict.fromkeys(values["entity"]))
    summary = _summary(values, focus_ids, cmp_years)
    names = dict(zip(values["entity"], values["name"], strict=True))
    summary["name"] = summary["entity"].map(names)
    summary = summary[["entity", "name", "from_year", "to_year", "value_from", "value_to",
                       "change", "slope_per_year", "years"]]
    t = TrendComparison(indicator=indicator, values=values.reset_index(drop=True),
                        summary=summary)
    t.values.attrs.update(values.attrs)
    return t


def _compare_years(compare) -> tuple[int, int] | None:
    if compare is None:
        return None
    span = parse_years(compare)
    if span is None or span[0] is None or span[1] is None or span[0] == span[1]:
        raise InputError(f"invalid comparison years {compare!r}: give two years, e.g. 2010-2020")
    return span  # type: ignore[return-value]


def indicator_values(tables, indicator, level, focus_ids, *, by_year=True, counting="full",
                     collaboration="all", institutions=None, ci=False,
                     n_resamples=N_RESAMPLES, confidence=CONFIDENCE, seed=0) -> pd.DataFrame:
    """``entity, name, [year], works, value[, value_lo, value_hi], low_evidence`` of a profile
    or impact indicator for ``focus_ids`` (all entities when None), overall or by year."""
    keys = ["entity", "name", *(["year"] if by_year else []), "works"]
    if indicator in PROFILE_INDICATORS:
        if indicator in ("near_share", "far_share") and institutions is None:
            raise InputError(f"{indicator} needs institution coordinates: pass institutions=...")
        r = collaboration_profile(
            tables, level, by_year=by_year, focus=focus_ids, counting=counting,
            institutions=institutions, ci=ci and indicator.endswith("_share"),
            n_resamples=n_resamples, confidence=confidence, seed=seed,
        )
    elif indicator in IMPACT_INDICATORS:
        r = impact_by_collaboration(
            tables, level, by_year=by_year, focus=focus_ids, counting=counting,
            ci=ci, n_resamples=n_resamples, confidence=confidence, seed=seed,
        )
        r = r[r["group"] == collaboration]
    else:
        raise InputError(f"unknown indicator {indicator!r}: choose one of "
                         f"{', '.join(PROFILE_INDICATORS + IMPACT_INDICATORS)}")
    out = r[keys].copy()
    out["value"] = r[indicator].to_numpy()
    if f"{indicator}_lo" in r:
        out["value_lo"] = r[f"{indicator}_lo"].to_numpy()
        out["value_hi"] = r[f"{indicator}_hi"].to_numpy()
    out["low_evidence"] = r["low_evidence"].to_numpy()
    return out.reset_index(drop=True)


def _network_values(tables, indicator, level, focus_ids) -> pd.DataFrame:
    parts = []
    # Only years in which a focus entity has works get a network.
    ew = tables.entity_works(level)
    focus_works = ew.loc[ew["entity"].isin(focus_ids), "work_id"]
    wy = tables.works.loc[tables.works["work_id"].isin(focus_works), "year"].dropna()
    for y in sorted(int(v) for v in wy.unique()):
        g = coauthorship_network(tables, level, years=(y, y))
        if g.number_of_nodes() == 0:
            continue
        c = centrality(g, communities_method=None)
        c = c[c["entity"].isin(focus_ids)]
        if c.empty:
            continue
        part = pd.DataFrame({"entity": c["entity"].to_numpy(), "name": c["name"].to_numpy(),
                             "year": y, "works": c["works"].to_numpy(),
                             "value": c[indicator].to_numpy()})
        parts.append(part)
    if not parts:
        return pd.DataFrame(columns=["entity", "name", "year", "works", "value"])
    return pd.concat(parts, ignore_index=True)


def _summary(values: pd.DataFrame, focus_ids: list[str], cmp_years) -> pd.DataFrame:
    rows = []
    v = values.dropna(subset=["value"])
    for e in focus_ids:
        ev = v[v["entity"] == e].set_index("year")["value"]
        if cmp_years is not None:
            y0, y1 = cmp_years
        elif len(ev):
            y0, y1 = int(ev.index.min()), int(ev.index.max())
        else:
            y0 = y1 = None
        v0 = float(ev.get(y0, np.nan)) if y0 is not None else np.nan
        v1 = float(ev.get(y1, np.nan)) if y1 is not None else np.nan
        # The slope over the same window as the change: from_year..to_year, nothing outside.
        window = ev[(ev.index >= y0) & (ev.index <= y1)] if y0 is not None else ev
        slope = np.nan
        if len(window) >= 2:
            w = window.reset_index().assign(entity=e)
            slope = float(ols_slope(w, "year", "value", "entity").get(e, np.nan))
        rows.append({"entity": e, "from_year": y0, "to_year": y1, "value_from": v0,
                     "value_to": v1, "change": v1 - v0, "slope_per_year": slope,
                     "years": int(len(window))})
    out = pd.DataFrame(rows, columns=["entity", "from_year", "to_year", "value_from",
                                      "value_to", "change", "slope_per_year", "years"])
    for c in ("from_year", "to_year"):
        out[c] = out[c].astype("Int64")
    return out
