"""Collaboration partners of a focus country or institution, ranked, with their trend.

"Who does Japan write with, and is that changing?": for each focus entity, its partners
ranked by co-authored works, each partner's share of the focus's works and of its
international works, the fractional link weight, and the least-squares trend of those over
the years.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from collabnet.analysis.trends import ols_slope
from collabnet.errors import InputError
from collabnet.keys import entity_column
from collabnet.networks import fractional_links
from collabnet.selection import select
from collabnet.tables import WorkTables

PARTNER_COLUMNS = [
    "focus",
    "focus_name",
    "rank",
    "partner",
    "partner_name",
    "works",
    "international_works",
    "fractional_weight",
    "focus_works_share",
    "international_works_share",
    "first_year",
    "last_year",
    "works_slope",
    "share_slope",
]


def _home_country(tables: WorkTables, level: str, focus_ids: list[str]) -> dict:
    if level != "institution":
        return {}
    info = tables.institutions().set_index("institution_id")["country_code"]
    return {f: info.get(f) for f in focus_ids}


def _fractional_weights(tables: WorkTables, level: str, pairs: pd.DataFrame) -> np.ndarray:
    """The network's fractional link weight of each (focus, partner) pair."""
    entities = pd.Index(pd.unique(pd.concat([pairs["focus"], pairs["partner"]])))
    links = fractional_links(tables, level, entities)
    f = entities.get_indexer(pairs["focus"])
    p = entities.get_indexer(pairs["partner"])
    return np.asarray(links[f, p]).ravel() if len(pairs) else np.zeros(0)


def partners(
    tables: WorkTables,
    focus: str | Iterable[str],
    level: str = "country",
    *,
    years: str | tuple[int | None, int | None] | None = None,
    merge_hk_mo: bool = False,
    collaboration_rule: str | None = None,
    partner_level: str | None = None,
    by_year: bool = False,
    top: int | None = None,
) -> pd.DataFrame:
    """Partners of focus entities, ranked by co-authored works, with shares and trends.

    Parameters
    ----------
    tables : WorkTables
    focus : str or list of str
        Focus entities (``"JP"``, ``"JP,DE"``, ``"I134085113"``).
    level : {"country", "institution", "author"}
        Level of the focus entities.
    partner_level : {"country", "institution", "author"}, optional
        Level of the partners; default ``level`` (country partners of an institution, or
        institution partners of a country, are allowed).
    by_year : bool
        One row per focus, partner and year instead of the ranked summary.
    years : "FROM-TO" or (from, to), optional
        Only works published in this inclusive range.
    top : int, optional
        Keep the ``top`` partners of each focus (by rank; ties at the cut are kept; with
        ``by_year``, ranked by their works over all the years).
    merge_hk_mo : bool
        Count Hong Kong and Macao as China (Leiden Ranking rule); default False.
    collaboration_rule : {"countries", "leiden"}, optional
        The rule behind ``international_works``; default the tables' own (``countries``).

    Returns
    -------
    pandas.DataFrame
        Ranked summary: ``focus, focus_name, rank, partner, partner_name, works,
        international_works, fractional_weight, focus_works_share, international_works_share,
        first_year, last_year, works_slope, share_slope``. With ``by_year``: ``focus, partner,
        partner_name, year, works, international_works, focus_works,
        focus_international_works, international_works_share``, every year in which the focus
        has international works (0 where the pair did not co-author that year).

    Notes
    -----
    A *partner* of focus :math:`f` is an entity other than :math:`f` that shares at least
    one work with it; with ``partner_level`` country and an institution focus, the
    institution's own country is not a partner, and with institution partners of a country
    focus, that country's institutions are not (they are the focus itself).

    - ``works`` :math:`c_{fp}`: works co-authored by focus and partner (full counting).
      ``rank``: 1 for the most; equal counts share a rank (1, 2, 2, 4), listed by key.
    - ``international_works``: those of them that are international.
    - ``focus_works_share`` = :math:`c_{fp} / P_f`; ``international_works_share`` =
      :math:`c^{int}_{fp} / P_f(\\text{int})`, the partner's share of the focus's
      international works (shares of different partners add to more than 1, since a work
      can have several partners).
    - ``fractional_weight``: fractional link weight
      :math:`\\sum_{k: n_k \\ge 2} a_{kf} a_{kp} / (n_k - 1)` (Perianes-Rodriguez, Waltman &
      van Eck 2016; :math:`a_{ku}` authors of :math:`k` affiliated with :math:`u`), as in
      :func:`collabnet.networks.coauthorship_network`; only when both are at the same level.
    - ``works_slope``, ``share_slope``: least-squares slopes per year of the yearly
      ``works`` and ``international_works_share`` over the years in which the focus has
      international works (see :func:`collabnet.analysis.trends.ols_slope`).

    References
    ----------
    Glänzel, W. (2001). National characteristics in international scientific co-authorship
    relations. Scientometrics 51(1), 69–115.
    Perianes-Rodriguez, A., Waltman, L., & van Eck, N. J. (2016). J. Informetrics 10(4),
    1178–1195.

    Examples
    --------
    >>> from collabnet.tables import build_tables
    >>> def work(i, countries):
    ...     return {"id": f"W{i}", "publication_year": 2020, "authorships": [
    ...         {"institutions": [{"id": f"I{c}", "country_code": c}]} for c in countries]}
    >>> t = build_tables([work(1, ["JP", "US"]), work(2, ["JP", "US", "DE"]), work(3, ["JP"])])
    >>> p = partners(t, "JP")
    >>> p[["partner", "rank", "works", "international_works_share"]].values.tolist()
    [['US', 1, 2, 1.0], ['DE', 2, 1, 0.5]]
    """
    partner_level = partner_level or level
    entity_column(partner_level)
    if top is not None and top < 1:
        raise InputError(f"invalid --top {top}: must be a positive number of partners")
    sel = select(tables, level, years=years, focus=focus, merge_hk_mo=merge_hk_mo,
                 collaboration_rule=collaboration_rule)
    if not sel.focus:
        raise InputError("partners needs a focus entity, e.g. --focus JP")
    tables, focus_ids = sel.tables, sel.focus

    works = tables.works[["work_id", "year", "collaboration", "n_authors"]].copy()
    works["international"] = (works["collaboration"].astype(str) == "international")
    fw = sel.entity_works().rename(
        columns={"entity": "focus", "fraction": "f_fraction"}
    )
    fw = fw.merge(works, on="work_id", how="inner")
    pw = tables.entity_works(partner_level).rename(
        columns={"entity": "partner", "fraction": "p_fraction"}
    )
    pairs = fw.merge(pw[pw["work_id"].isin(fw["work_id"])], on="work_id", how="inner")
    pairs = pairs[pairs["partner"] != pairs["focus"]]
    if partner_level == "country" and level == "institution":
        home = _home_country(tables, level, focus_ids)
        pairs = pairs[pairs["partner"] != pairs["focus"].map(home)]
    elif partner_level == "institution" and level == "country":
        info = tables.institutions().set_index("institution_id")["country_code"]
        pairs = pairs[pairs["partner"].map(info) != pairs["focus"]]
    pairs = pairs.assign(intl=pairs["international"].astype("int64"))

    # Focus totals, overall and per year.
    f_tot = fw.groupby("focus").agg(focus_works=("work_id", "size"),
                                    focus_int=("international", "sum"))
    fy = fw.dropna(subset=["year"]).astype({"year": "int64"})
    fy_tot = fy.groupby(["focus", "year"]).agg(focus_works=("work_id", "size"),
                                              focus_international_works=("international", "sum"))
    fy_tot = fy_tot.reset_index()

    py = pairs.dropna(subset=["year"]).astype({"year": "int64"})
    yearly = py.groupby(["focus", "partner", "year"]).agg(
        works=("work_id", "size"), international_works=("intl", "sum")
    ).reset_index()
    # Every year in which the focus has international works, for every partner of it.
    years_int = fy_tot[fy_tot["focus_international_works"] > 0][["focus", "year"]]
    grid = yearly[["focus", "partner"]].drop_duplicates().merge(years_int, on="focus")
    yearly = grid.merge(yearly, on=["focus", "partner", "year"], how="outer")
    yearly = yearly.merge(fy_tot, on=["focus", "year"], how="left")
    yearly[["works", "international_works"]] = (
        yearly[["works", "international_works"]].fillna(0).astype("int64")
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        yearly["international_works_share"] = yearly["international_works"] / yearly[
            "focus_international_works"].where(yearly["focus_international_works"] > 0)
    partner_names = tables.entity_names(partner_level, pd.Series(
        pd.unique(pairs["partner"]), dtype="string"))
    name_of = dict(zip(pd.unique(pairs["partner"]), partner_names, strict=True))

    if by_year:
        out = yearly.sort_values(["focus", "partner", "year"]).reset_index(drop=True)
        out["partner_name"] = out["partner"].map(name_of).astype("string")
        cols = ["focus", "partner", "partner_name", "year", "works", "international_works",
                "focus_works", "focus_international_works", "international_works_share"]
        out[["focus_works", "focus_international_works"]] = out[
            ["focus_works", "focus_international_works"]].fillna(0).astype("int64")
        if top is not None:  # the top partners by their works over all the years
            totals = pairs.groupby(["focus", "partner"]).size().rename("n").reset_index()
            rank = totals.groupby("focus")["n"].rank(method="min", ascending=False)
            out = out.merge(totals.loc[rank <= top, ["focus", "partner"]],
                            on=["focus", "partner"], how="inner")
        return out[cols]

    out = pairs.groupby(["focus", "partner"]).agg(
        works=("work_id", "size"),
        international_works=("intl", "sum"),
        first_year=("year", "min"),
        last_year=("year", "max"),
    ).reset_index()
    out["fractional_weight"] = _fractional_weights(tables, level, out) \
        if partner_level == level else np.nan
    out = out.merge(f_tot, left_on="focus", right_index=True, how="left")
    with np.errstate(invalid="ignore", divide="ignore"):
        out["focus_works_share"] = (out["works"] / out["focus_works"]).astype("float64")
        out["international_works_share"] = out["international_works"] / out["focus_int"].where(
            out["focus_int"] > 0).astype("float64")
    key = ["focus", "partner"]
    ws = ols_slope(yearly, "year", "works", key)
    ss = ols_slope(yearly, "year", "international_works_share", key)
    idx = pd.MultiIndex.from_frame(out[key])
    out["works_slope"] = ws.reindex(idx).to_numpy()
    out["share_slope"] = ss.reindex(idx).to_numpy()
    out = out.sort_values(["focus", "works", "partner"], ascending=[True, False, True])
    out["rank"] = out.groupby("focus")["works"].rank(method="min", ascending=False)
    out["rank"] = out["rank"].astype("int64")
    if top is not None:
        out = out[out["rank"] <= top]
    order = {f: i for i, f in enumerate(focus_ids)}
    out = out.assign(_o=out["focus"].map(order)).sort_values(
        ["_o", "rank", "partner"], kind="stable")
    out["focus_name"] = sel.names(out["focus"])
    out["partner_name"] = out["partner"].map(name_of).astype("string")
    for c in ("first_year", "last_year"):
        out[c] = out[c].astype("Int64")
    out["international_works"] = out["international_works"].astype("int64")
    return out[PARTNER_COLUMNS].reset_index(drop=True)
