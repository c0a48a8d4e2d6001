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

from collabnet.countries import country_name, validate_country
from collabnet.errors import InputError
from collabnet.tables import COLLABORATION_TYPES, WorkTables, entity_column

#: Columns of :func:`international_shares`, in order (``year`` only when ``by_year``).
SHARE_COLUMNS = [
    "entity",
    "name",
    "year",
    "works",
    "international_works",
    "share",
    "domestic_works",
    "single_institution_works",
    "unknown_works",
]

_COUNT_COLUMNS = {
    "international": "international_works",
    "domestic": "domestic_works",
    "single_institution": "single_institution_works",
    "unknown": "unknown_works",
}


def parse_years(text: str | tuple | None) -> tuple[int | None, int | None] | None:
    """Parse a year range: ``"2009-2017"``, ``"2015"``, ``"2009-"``, ``"-2017"`` or a tuple.

    Raises InputError for text that is not a range or a range that runs backwards.
    """
    if text is None or text == "":
        return None
    if isinstance(text, tuple):
        lo, hi = text
    else:
        s = str(text).strip()
        try:
            if "-" in s.strip("-") or (s.startswith("-") is False and s.endswith("-")):
                a, _, b = s.partition("-")
                lo = int(a) if a.strip() else None
                hi = int(b) if b.strip() else None
            elif s.startswith("-"):
                lo, hi = None, int(s[1:])
            else:
                lo = hi = int(s)
        except ValueError:
            raise InputError(
                f"invalid year range {text!r}: expected YEAR or FROM-TO, e.g. 2009-2017"
            ) from None
    for y in (lo, hi):
        if y is not None and not 1000 <= y <= 2100:
            raise InputError(f"invalid year range {text!r}: year {y} is out of range 1000-2100")
    if lo is not None and hi is not None and lo > hi:
        raise InputError(f"invalid year range {text!r}: {lo} is after {hi}")
    return lo, hi


def normalise_focus(level: str, focus: str | Iterable[str] | None) -> list[str] | None:
    """Validate focus entities: country codes at country level, short ids elsewhere."""
    if focus is None:
        return None
    items = [f.strip() for f in focus.split(",")] if isinstance(focus, str) else list(focus)
    items = [f for f in items if f]
    if not items:
        return None
    if level == "country":
        return [validate_country(f) for f in items]
    out = []
    for f in items:
        key = f.rstrip("/").rsplit("/", 1)[-1]
        key = key[:1].upper() + key[1:]
        prefix = {"institution": "I", "author": "A"}[level]
        if not (key.startswith(prefix) and key[1:].isdigit()):
            raise InputError(f"invalid {level} id {f!r}: expected an OpenAlex id like {prefix}123")
        out.append(key)
    return out


def international_shares(
    tables: WorkTables,
    level: str = "country",
    *,
    by_year: bool = False,
    years: str | tuple[int | None, int | None] | None = None,
    focus: str | Iterable[str] | None = None,
) -> pd.DataFrame:
    """International-collaboration share per country or institution (optionally per year).

    Parameters
    ----------
    tables : WorkTables
        The works to count.
    level : {"country", "institution", "author"}
        Whose share to report.
    by_year : bool
        One row per entity and publication year (works without a year are left out).
    years : "FROM-TO" or (from, to), optional
        Only works published in this inclusive range.
    focus : str or list of str, optional
        Only these entities (country codes such as ``"JP"`` or ids such as ``"I74801974"``).

    Returns
    -------
    pandas.DataFrame
        Columns ``entity, name, [year], works, international_works, share, domestic_works,
        single_institution_works, unknown_works``, sorted by works (descending) then entity.
        ``works`` = international + domestic + single_institution + unknown.

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
    entity_column(level)  # validates level
    span = parse_years(years) if not isinstance(years, tuple) else parse_years(years)
    focus_ids = normalise_focus(level, focus)
    if span is not None:
        tables = tables.select(years=span)
    pairs = tables.entity_works(level)[["work_id", "entity"]]
    if focus_ids is not None:
        pairs = pairs[pairs["entity"].isin(focus_ids)]
    keys = ["entity", "year"] if by_year else ["entity"]
    w = tables.works[["work_id", "year", "collaboration"]]
    df = pairs.merge(w, on="work_id", how="inner")
    if by_year:
        df = df.dropna(subset=["year"])
    counts = pd.crosstab(
        [df[k] for k in keys], df["collaboration"].astype(str), dropna=False
    ) if len(df) else pd.DataFrame()
    counts = counts.reindex(columns=list(COLLABORATION_TYPES), fill_value=0)
    counts = counts.rename(columns=_COUNT_COLUMNS)
    counts.index.names = keys
    out = counts.reset_index()
    out.columns.name = None
    out["works"] = out[list(_COUNT_COLUMNS.values())].sum(axis=1)
    out = out[out["works"] > 0]
    known = out["works"] - out["unknown_works"]
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = out["international_works"] / known.where(known > 0)
        out["share"] = np.where(known > 0, ratio, np.nan)
    out["name"] = entity_names(tables, level, out["entity"])
    cols = [c for c in SHARE_COLUMNS if c != "year" or by_year]
    for c in ("works", *_COUNT_COLUMNS.values()):
        out[c] = out[c].astype("int64")
    if by_year:
        out["year"] = out["year"].astype("int64")
    order = ["works", "entity"] + (["year"] if by_year else [])
    if by_year:
        out = out.sort_values(["entity", "year"], ascending=True)
        totals = out.groupby("entity")["works"].transform("sum")
        out = out.assign(_t=totals).sort_values(
            ["_t", "entity", "year"], ascending=[False, True, True]
        )
        out = out.drop(columns="_t")
    else:
        out = out.sort_values(order, ascending=[False, True])
    return out[cols].reset_index(drop=True)


def entity_names(tables: WorkTables, level: str, entities: pd.Series) -> pd.Series:
    """Display names for entity keys: country names, institution names, author ids."""
    if level == "country":
        return entities.map(country_name).astype("string").values
    if level == "institution":
        names = tables.institutions().set_index("institution_id")["name"]
        return entities.map(names).astype("string").values
    return entities.astype("string").values


def collaboration_summary(tables: WorkTables) -> pd.DataFrame:
    """Works by collaboration type over the whole table, with each type's share of all works.

    Returns a frame with columns ``collaboration, works, share`` in the order
    international, domestic, single_institution, unknown (shares of all works, so they sum
    to 1 when there are works).
    """
    counts = tables.works["collaboration"].astype(str).value_counts()
    counts = counts.reindex(list(COLLABORATION_TYPES), fill_value=0)
    total = int(counts.sum())
    return pd.DataFrame(
        {
            "collaboration": list(COLLABORATION_TYPES),
            "works": counts.astype("int64").values,
            "share": (counts / total).values if total else np.nan,
        }
    )
