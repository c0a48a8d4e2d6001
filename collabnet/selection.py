"""One selection of works for every indicator: level, years, focus, HK/MO merge, collaboration rule.

Every indicator, network and trend starts by choosing the same things — whose output to
count (``level``), which publication years, which entities to report (``focus``), whether Hong
Kong and Macao count as China, and which rule makes a work international — and they all do it
here, through :func:`select`, so no two of them can disagree on what those options mean. The
keyword names, their order and their defaults are the same everywhere::

    indicator(tables, level="country", *, years=None, focus=None, counting="full",
              merge_hk_mo=False, collaboration_rule=None, ...)

The collaboration rule and the merge are recorded on the tables
(:attr:`~collabnet.tables.WorkTables.collaboration_rule`,
:attr:`~collabnet.tables.WorkTables.hk_mo_merged`) and kept by every later re-derivation, so
they can be applied in either order and give the same works.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from collabnet.keys import (
    COLLABORATION_TYPES,
    entity_column,
    normalise_focus,
    parse_years,
)
from collabnet.tables import WorkTables

#: Codes counted with China under the Leiden Ranking rule.
CHINA_SARS = ("HK", "MO")

_COUNT_COLUMNS = {
    "international": "international_works",
    "domestic": "domestic_works",
    "single_institution": "single_institution_works",
    "unknown": "unknown_works",
}

__all__ = ["CHINA_SARS", "Selection", "merge_hong_kong_macao", "select"]


def merge_hong_kong_macao(tables: WorkTables) -> WorkTables:
    """The tables with Hong Kong (HK) and Macao (MO) affiliations counted as China (CN).

    Parameters
    ----------
    tables : WorkTables

    Returns
    -------
    WorkTables
        A new object: ``affiliations.country_code`` HK/MO become CN, and each work's
        ``n_countries`` and ``collaboration`` are recomputed under the tables' own
        collaboration rule. A work between Hong Kong and mainland China is then domestic,
        not international. The input is not modified; merging twice changes nothing more.

    Notes
    -----
    collabnet keeps HK and MO as their own countries by default (they are distinct ISO 3166-1
    codes and OpenAlex reports them so); the CWTS Leiden Ranking Open Edition maps both to
    China (``02_create_tables.sql``). Pass ``merge_hk_mo=True`` to any indicator to follow it.

    Examples
    --------
    >>> from collabnet.tables import build_tables
    >>> t = build_tables([{"id": "W1", "authorships": [
    ...     {"institutions": [{"id": "I1", "country_code": "HK"}]},
    ...     {"institutions": [{"id": "I2", "country_code": "CN"}]}]}])
    >>> merged = merge_hong_kong_macao(t)
    >>> str(t.works.loc[0, "collaboration"]), str(merged.works.loc[0, "collaboration"])
    ('international', 'domestic')
    """
    if tables.hk_mo_merged:
        return tables
    merged = tables.with_countries_merged({c: "CN" for c in CHINA_SARS})
    merged.hk_mo_merged = True
    return merged


@dataclass(frozen=True)
class Selection:
    """The works an indicator counts, and whose output it reports.

    Attributes
    ----------
    tables : WorkTables
        The works published in ``years``, with the HK/MO merge and collaboration rule applied.
    level : str
        ``country``, ``institution``, ``author`` (or ``all``: the whole data set as one
        entity, where an indicator allows it).
    focus : list of str or None
        Entity keys to report (None: every entity).
    years : (first, last) or None
        The publication years kept (None: all).
    """

    tables: WorkTables
    level: str
    focus: list[str] | None = None
    years: tuple[int | None, int | None] | None = None

    def entity_works(self) -> pd.DataFrame:
        """(work_id, entity, fraction) rows of the focus entities (every entity without one).

        ``fraction`` is the entity's fractional share of the work (see
        :meth:`WorkTables.entity_works`). At level ``all`` every work is one row of entity
        ``"all"`` with fraction 1.
        """
        if self.level == "all":
            return pd.DataFrame(
                {"work_id": self.tables.works["work_id"], "entity": "all", "fraction": 1.0}
            ).astype({"entity": "string"})
        pairs = self.tables.entity_works(self.level)
        if self.focus is not None:
            pairs = pairs[pairs["entity"].isin(self.focus)]
        return pairs.reset_index(drop=True)

    def names(self, entities) -> np.ndarray:
        """Display names of entity keys at this level."""
        if self.level == "all":
            return np.array(["all"] * len(entities), dtype=object)
        return self.tables.entity_names(self.level, entities)

    def collaboration_counts(self, *, by_year: bool = False) -> pd.DataFrame:
        """Works of each entity (and year) by collaboration type, full counting, with the share.

        Returns ``entity, [year], international_works, domestic_works,
        single_institution_works, unknown_works, works, share`` (entities with works only),
        where ``works`` is the sum of the four counts and ``share`` =
        international / (works − unknown), NaN when nothing is known.
        """
        keys = ["entity", "year"] if by_year else ["entity"]
        w = self.tables.works[["work_id", "year", "collaboration"]]
        df = self.entity_works()[["work_id", "entity"]].merge(w, on="work_id", how="inner")
        if by_year:
            df = df.dropna(subset=["year"])
        if len(df):
            counts = pd.crosstab(
                [df[k] for k in keys], df["collaboration"].astype(str), dropna=False
            )
        else:
            counts = pd.DataFrame(index=pd.MultiIndex.from_arrays([[]] * len(keys), names=keys))
        counts = counts.reindex(columns=list(COLLABORATION_TYPES), fill_value=0)
        counts = counts.rename(columns=_COUNT_COLUMNS)
        counts.index.names = keys
        out = counts.reset_index()
        out.columns.name = None
        out["works"] = out[list(_COUNT_COLUMNS.values())].sum(axis=1)
        out = out[out["works"] > 0].reset_index(drop=True)
        for c in ("works", *_COUNT_COLUMNS.values()):
            out[c] = out[c].astype("int64")
        if by_year:
            out["year"] = out["year"].astype("int64")
        known = out["works"] - out["unknown_works"]
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = out["international_works"] / known.where(known > 0)
        out["share"] = np.where(known > 0, ratio, np.nan)
        return out


def select(
    tables: WorkTables,
    level: str = "country",
    *,
    years=None,
    focus: str | Iterable[str] | None = None,
    merge_hk_mo: bool = False,
    collaboration_rule: str | None = None,
    allow_all: bool = False,
) -> Selection:
    """The works and entities an indicator is computed on.

    Parameters
    ----------
    tables : WorkTables
    level : {"country", "institution", "author"}
        Whose output to count; ``"all"`` too when ``allow_all``.
    years : str or (first, last), optional
        Publication years, in the one grammar of :func:`collabnet.keys.parse_years`
        (``2017``, ``2009-2017``, ``2009..2017``, ``2009-``, ``-2017``).
    focus : str or list of str, optional
        Entities to report: country codes (``"JP,DE"``) or OpenAlex ids (``"I74801974"``).
    merge_hk_mo : bool
        Count Hong Kong and Macao as China (Leiden Ranking rule).
    collaboration_rule : {"countries", "leiden"}, optional
        Reclassify works by this rule; None keeps the tables' own
        (:attr:`WorkTables.collaboration_rule`, ``countries`` unless chosen otherwise).
    allow_all : bool
        Accept level ``"all"`` (the whole data set as one entity).

    Returns
    -------
    Selection

    Raises
    ------
    InputError
        An unknown level or rule, a range outside the grammar, an invalid focus entity.

    Examples
    --------
    >>> from collabnet.tables import build_tables
    >>> t = build_tables([{"id": "W1", "publication_year": 2012, "authorships": [
    ...     {"countries": ["FR"], "institutions": [{"id": "I1", "country_code": "JP"}]}]}])
    >>> s = select(t, years="2009..2017", focus="jp", collaboration_rule="leiden")
    >>> s.focus, s.years, str(s.tables.works.loc[0, "collaboration"])
    (['JP'], (2009, 2017), 'single_institution')
    """
    if not (allow_all and level == "all"):
        entity_column(level)
    span = parse_years(years)
    focus_ids = None if level == "all" else normalise_focus(level, focus)
    if span is not None:
        tables = tables.select(years=span)
    if collaboration_rule is not None:
        tables = tables.with_collaboration_rule(collaboration_rule)
    if merge_hk_mo:
        tables = merge_hong_kong_macao(tables)
    return Selection(tables=tables, level=level, focus=focus_ids, years=span)


def with_groups(tables: WorkTables, groups: Iterable[str], *, as_of: int | None = None
                ) -> WorkTables:
    """The tables with each country group also counted as one aggregate "country".

    Every affiliation in a member country is repeated with the group's name
    (:func:`collabnet.groups.group_name`, e.g. ``OECD``) as its country, so the group's
    works are the works with at least one author in a member country (each once), and its
    international works those of them that are international (two or more countries, as
    for any entity; a work of two members is international for the group too). Works keep
    their collaboration type; use these tables for full-counting shares and counts only
    (a work's fractional weights would count twice).

    >>> from collabnet.tables import build_tables
    >>> t = build_tables([{"id": "W1", "authorships": [
    ...     {"institutions": [{"id": "I1", "country_code": "JP"}]},
    ...     {"institutions": [{"id": "I2", "country_code": "US"}]}]}])
    >>> sorted(with_groups(t, ["G7"]).entity_works("country")["entity"])
    ['G7', 'JP', 'US']
    """
    from collabnet.groups import group_members, group_name

    a = tables.affiliations
    extra = []
    for group in groups:
        rows = a[a["country_code"].isin(group_members(group, as_of))]
        extra.append(rows.assign(country_code=pd.array([group_name(group)] * len(rows),
                                                       dtype="string")))
    if not extra:
        return tables
    return tables._derived(tables.works, pd.concat([a, *extra], ignore_index=True))

