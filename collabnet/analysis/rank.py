"""Rankings within a group: "is Japan last among OECD countries in international co-authorship?"

Any share, count or impact indicator of the collaboration profile or of citation impact,
computed for the members of a country group (as of a year) or for chosen entities, and ranked,
overall or year by year. Ties share a rank, and members without data are listed, unranked, so
a reader sees who is missing rather than a shorter list.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from collabnet.analysis.bootstrap import CONFIDENCE, N_RESAMPLES
from collabnet.analysis.trends import counted_values, indicator_values
from collabnet.errors import InputError
from collabnet.groups import group_members, group_name
from collabnet.keys import (
    IMPACT_INDICATORS,
    MIN_WORKS,
    PROFILE_INDICATORS,
    check_choice,
    check_counting,
    country_name,
    normalise_focus,
)
from collabnet.selection import select
from collabnet.tables import WorkTables

__all__ = ["RANK_COLUMNS", "RANKABLE", "rank"]

#: Indicators a ranking can be made of.
RANKABLE = PROFILE_INDICATORS + IMPACT_INDICATORS
#: Columns of :func:`rank` (``year`` only by year; intervals only with ``ci``).
RANK_COLUMNS = ["year", "rank", "entity", "name", "value", "value_lo", "value_hi", "works",
                "tied", "low_evidence", "missing"]


def rank(
    tables: WorkTables,
    level: str = "country",
    *,
    years=None,
    focus: str | Iterable[str] | None = None,
    counting: str = "full",
    merge_hk_mo: bool = False,
    collaboration_rule: str | None = None,
    ci: bool = False,
    group: str | None = None,
    as_of: int | None = None,
    indicator: str = "international_share",
    by_year: bool = False,
    ascending: bool = False,
    collaboration: str = "all",
    min_works: int = MIN_WORKS,
    n_resamples: int = N_RESAMPLES,
    confidence: float = CONFIDENCE,
    seed: int | None = 0,
    source: str = "works",
    settings=None,
    dry_run: bool = False,
) -> pd.DataFrame:
    """Rank countries (or institutions) by an indicator, overall or within each year.

    Parameters
    ----------
    tables : WorkTables
    level : {"country", "institution", "author"}
    years, focus, counting, merge_hk_mo, collaboration_rule, ci
        As for every indicator; ``focus`` names the entities to rank (with ``group`` too:
        both are ranked together).
    group : str, optional
        A country group (:mod:`collabnet.groups`: ``OECD``, ``EU``, ``G7``, ``G20``, a UN
        region); its members are ranked (country level only).
    as_of : int, optional
        The year whose membership of ``group`` counts (default: today's).
    indicator : str
        A collaboration-profile indicator (``international_share``, ``works``, …) or an
        impact indicator (``mean_citations``, ``mean_fwci``, ``top10_share``; of the
        ``collaboration`` group of works).
    by_year : bool
        One ranking per publication year.
    ascending : bool
        Rank the smallest value first (default: the largest).
    min_works : int
        Values resting on fewer works are flagged ``low_evidence``.
    source : {"works", "counts"}
        ``counts`` ranks ``international_share``, ``works`` or ``international_works`` from
        OpenAlex ``group_by`` counts (:func:`collabnet.sources.openalex.counts.count_shares`)
        instead of works: ``tables`` is then a :class:`~collabnet.query.WorkQuery` or None
        (the works of the group's members and ``focus`` in ``years``); no intervals.
    settings, dry_run
        For ``source="counts"``: how to reach OpenAlex; ``dry_run`` returns the request URLs
        that would be made, making none.

    Returns
    -------
    pandas.DataFrame
        ``[year], rank, entity, name, value, [value_lo, value_hi], works, tied,
        low_evidence, missing``, by rank (and year). ``rank`` 1 is the highest value; equal
        values share the smallest rank (1, 2, 2, 4) and are marked ``tied``; entities with
        no value are listed last with ``rank`` and ``value`` empty and ``missing`` true.

    Examples
    --------
    >>> from collabnet.tables import build_tables
    >>> def work(i, *cs):
    ...     return {"id": f"W{i}", "publication_year": 2017, "authorships": [
    ...         {"institutions": [{"id": f"I{c}", "country_code": c}]} for c in cs]}
    >>> t = build_tables([work(1, "JP", "US"), work(2, "JP"), work(3, "US"), work(4, "KR"),
    ...                   work(5, "KR", "CN"), work(6, "KR", "CN"), work(7, "KR", "CN")])
    >>> r = rank(t, focus="JP,US,KR,DE", min_works=1)
    >>> r[["rank", "entity", "value", "tied", "missing"]].values.tolist()
    [[1, 'KR', 0.75, False, False], [2, 'JP', 0.5, True, False], \
[2, 'US', 0.5, True, False], [<NA>, 'DE', nan, False, True]]
    """
    if indicator not in RANKABLE:
        raise InputError(f"cannot rank by {indicator!r}: choose one of {', '.join(RANKABLE)}")
    check_counting(counting)
    members: list[str] = []
    if group is not None:
        if level != "country":
            raise InputError("--group ranks countries: use it with --level country")
        members = group_members(group, as_of)
    elif as_of is not None:
        raise InputError("--as-of goes with --group (membership of a group in that year)")
    check_choice("source", source, ("works", "counts"))
    if source == "counts":
        focus_ids = normalise_focus(level, focus) or []
        entities = list(dict.fromkeys(members + focus_ids))
        values = counted_values(tables, indicator, level, entities, years=years,
                                by_year=by_year, ci=ci, merge_hk_mo=merge_hk_mo,
                                collaboration_rule=collaboration_rule, settings=settings,
                                dry_run=dry_run, min_works=min_works, verb="ranks",
                                needs="--group or --focus")
        if dry_run:
            return values
        counted_attrs = {k: values.attrs[k] for k in ("definition", "requests")
                         if k in values.attrs}
        names = dict(zip(values["entity"], values["name"], strict=True))
    else:
        sel = select(tables, level, years=years, focus=focus, merge_hk_mo=merge_hk_mo,
                     collaboration_rule=collaboration_rule)
        entities = list(dict.fromkeys(members + (sel.focus or [])))
        values = indicator_values(
            sel.tables, indicator, level, entities or None, by_year=by_year,
            counting=counting, collaboration=collaboration, ci=ci, n_resamples=n_resamples,
            confidence=confidence, seed=seed,
        )
        names, counted_attrs = None, {}
    values["low_evidence"] = values["works"].astype("float64") < min_works
    keys = ["year"] if by_year else []
    if entities:  # every entity asked for appears, with or without a value
        grid = pd.DataFrame({"entity": pd.Series(entities, dtype="string")})
        if by_year:
            yrs = sorted(values["year"].unique()) if len(values) else []
            grid = grid.merge(pd.DataFrame({"year": yrs}), how="cross")
        values = grid.merge(values.drop(columns="name"), on=["entity", *keys], how="left")
        values["name"] = (sel.names(values["entity"]) if names is None else
                          values["entity"].map(lambda e: names.get(e, country_name(e))
                                               if level == "country" else names.get(e, e)))
    values["missing"] = values["value"].isna()
    values["works"] = values["works"].fillna(0)
    values["low_evidence"] = values["low_evidence"].fillna(True).astype(bool)
    groups = values.groupby(keys) if keys else [((), values)]
    parts = []
    for _, part in groups:
        part = part.copy()
        part["rank"] = part["value"].rank(method="min", ascending=ascending)
        counts = part["value"].map(part["value"].value_counts())
        part["tied"] = (counts > 1).fillna(False).astype(bool)
        parts.append(part)
    out = pd.concat(parts, ignore_index=True) if parts else values.assign(rank=[], tied=[])
    order = [*keys, "missing", "rank", "entity"]
    out = out.sort_values(order, ascending=[True] * len(order), kind="stable")
    cols = [c for c in RANK_COLUMNS if c in out.columns and (c != "year" or by_year)]
    out = out[cols].reset_index(drop=True)
    out["rank"] = out["rank"].astype("Int64")
    if counting == "full" and out["works"].notna().all():
        out["works"] = out["works"].astype("int64")
    out.attrs.update(indicator=indicator, group=group_name(group) if group else None,
                     as_of=as_of, members=len(entities) or None, source=source,
                     **counted_attrs)
    return out
