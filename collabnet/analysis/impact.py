"""Citation impact by collaboration type: are internationally co-authored works cited more?

For each entity, works are split by collaboration type (single-institution, domestic,
international) or by number of countries, and each group gets its number of works, mean and
median citations, mean FWCI (where OpenAlex gives one) and the share of its works among the
10 % most cited works of the same publication year in the data set, with the CWTS handling
of ties at the threshold, plus bootstrap stability intervals. Comparing the international
row with the domestic one, interval against interval, is the field's test of the claim that
international papers are more highly cited (Adams 2013; Leiden Ranking impact indicators by
collaboration type).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from collabnet.analysis.bootstrap import (
    CONFIDENCE,
    N_RESAMPLES,
    check_ci_options,
    median_intervals,
    stability_intervals,
)
from collabnet.analysis.works import work_indicators
from collabnet.errors import InputError
from collabnet.keys import MIN_WORKS, check_counting
from collabnet.selection import select
from collabnet.tables import WorkTables

#: Ways to split an entity's works.
GROUPINGS = ("collaboration", "n_countries")
#: Reference sets of the top-x % threshold.
REFERENCES = ("year", "year_type")
_TYPE_ORDER = ["all", "international", "domestic", "single_institution", "unknown"]


def top_share_weights(citations, groups=None, *, share: float = 0.10) -> np.ndarray:
    """Each work's membership (0..1) of the top ``share`` most cited works of its group.

    Parameters
    ----------
    citations : array-like of float, shape (n,)
        Citation counts; NaN for unknown (weight NaN).
    groups : array-like, shape (n,), optional
        Reference set of each work (e.g. publication year); one set when omitted. Works with
        a null group get NaN.
    share : float
        The top fraction, e.g. 0.10 for PP(top 10 %).

    Returns
    -------
    numpy.ndarray of float
        1 above the threshold, 0 below it and a fraction at it; within each group the
        weights sum to exactly ``share`` times the number of works.

    Notes
    -----
    CWTS tie handling (``05_create_tables.sql``): within a reference set of :math:`n` works
    let :math:`p(c)` be the share of works with :math:`c` citations and :math:`F(c)` the
    share with at most :math:`c`. The threshold :math:`t` is the smallest :math:`c` with
    :math:`F(c) \\ge 1 - x`. A work with :math:`c > t` counts 1, one with :math:`c = t`
    counts :math:`(F(t) - (1 - x)) / p(t)`, one below counts 0; equivalently
    :math:`\\min(1, \\max(0, (F(c) - (1-x)) / p(c)))`.

    References
    ----------
    Waltman, L., & Schreiber, M. (2013). On the calculation of percentile-based bibliometric
    indicators. JASIST 64(2), 372–379.

    Examples
    --------
    Ten works, one with 9 citations and two tied at 5: the top 10 % is the 9-cited work.

    >>> top_share_weights([9, 5, 5, 1, 1, 1, 0, 0, 0, 0]).tolist()[:3]
    [1.0, 0.0, 0.0]

    Two works tied at the top of five: each counts half of the 0.5 top-10 % slot.

    >>> top_share_weights([3, 3, 1, 0, 0]).tolist()
    [0.25, 0.25, 0.0, 0.0, 0.0]
    """
    if not 0 < share < 1:
        raise InputError(f"invalid top share {share!r}: must be between 0 and 1, e.g. 0.10")
    c = pd.Series(np.asarray(citations, dtype="float64"))
    g = pd.Series(np.zeros(len(c)) if groups is None else np.asarray(groups, dtype=object))
    ok = c.notna().to_numpy() & g.notna().to_numpy()
    out = np.full(len(c), np.nan)
    if not ok.any():
        return out
    df = pd.DataFrame({"g": g[ok].astype(str).to_numpy(), "c": c[ok].to_numpy()})
    n = df.groupby("g")["c"].transform("size").to_numpy(dtype="float64")
    eq = df.groupby(["g", "c"])["c"].transform("size").to_numpy(dtype="float64")
    # Works with at most c citations: rank (method "max") within the group.
    le = df.groupby("g")["c"].rank(method="max").to_numpy()
    # (F(c) - (1 - x)) / p(c) with counts: (le - (1 - x) n) / eq.
    w = (le - (1.0 - share) * n) / eq
    out[ok] = np.clip(np.round(w, 12), 0.0, 1.0)
    return out


def _bucket(wk: pd.DataFrame, by: str, max_countries: int) -> pd.Series:
    if by == "collaboration":
        return wk["collaboration"].astype(str)
    nc = wk["n_countries"].to_numpy()
    label = np.where(nc >= max_countries, f"{max_countries}+", nc.astype(str))
    return pd.Series(np.where(nc == 0, "unknown", label), index=wk.index)


def _bucket_order(by: str, max_countries: int) -> list[str]:
    if by == "collaboration":
        return _TYPE_ORDER
    return ["all", *(str(i) for i in range(1, max_countries)), f"{max_countries}+", "unknown"]


def impact_by_collaboration(
    tables: WorkTables,
    level: str = "country",
    *,
    years: str | tuple[int | None, int | None] | None = None,
    focus: str | Iterable[str] | None = None,
    counting: str = "full",
    merge_hk_mo: bool = False,
    collaboration_rule: str | None = None,
    ci: bool = True,
    by: str = "collaboration",
    by_year: bool = False,
    top: float = 0.10,
    reference: str = "year",
    max_countries: int = 5,
    min_works: int = MIN_WORKS,
    n_resamples: int = N_RESAMPLES,
    confidence: float = CONFIDENCE,
    seed: int | None = 0,
) -> pd.DataFrame:
    """Citation impact of each entity's works by collaboration type or number of countries.

    Parameters
    ----------
    tables : WorkTables
    level : {"country", "institution", "author", "all"}
        Whose works; ``"all"`` treats the whole data set as one entity.
    by : {"collaboration", "n_countries"}
        Split by collaboration type (single_institution, domestic, international, unknown) or
        by number of countries (1, 2, …, ``max_countries``\\+, unknown). Each entity also gets
        an ``all`` row.
    by_year : bool
        One set of rows per entity and publication year (works without a year left out).
    years : "FROM-TO" or (from, to), optional
        Only works published in this inclusive range (also the reference set).
    focus : str or list of str, optional
        Only these entities.
    counting : {"full", "fractional"}
        Weight of a work in the entity's means: 1 (full), or the entity's share of the work's
        authorship (fractional, as the Leiden Ranking's fractional impact indicators).
    top : float
        The top fraction of PP(top x %); 0.10 by default.
    reference : {"year", "year_type"}
        Reference set of the top-x % threshold: works of the same publication year in the
        data set (default), or of the same year and OpenAlex work type.
    min_works : int
        Rows whose means rest on fewer works with a citation count than this are flagged in
        the ``low_evidence`` column (default 10).
    merge_hk_mo : bool
        Count Hong Kong and Macao as China (Leiden Ranking rule); default False.
    collaboration_rule : {"countries", "leiden"}, optional
        The rule that makes a work international; default the tables' own (``countries``).
    ci : bool
        Add bootstrap stability intervals (on by default: this table is for testing claims).
    n_resamples, confidence, seed
        Bootstrap settings (Leiden Ranking: 1000 resamples, 95 %, fixed seed).

    Returns
    -------
    pandas.DataFrame
        ``entity, name, [year], group, works, cited_works, citations, mean_citations,
        median_citations, fwci_works, mean_fwci, top10_share`` (the last named after
        ``top``: ``top1_share`` for 0.01), plus ``<indicator>_lo``/``_hi`` for
        ``mean_citations, median_citations, mean_fwci, top10_share`` when ``ci``.
        ``works`` counts all the group's works (fractional sums under fractional counting);
        ``cited_works`` those with a known citation count; ``fwci_works`` those with an FWCI;
        last, ``low_evidence`` when ``cited_works`` is below ``min_works``.

    Notes
    -----
    With weights :math:`x_{uk}` and citations :math:`c_k` of the group's works :math:`k`:

    - ``mean_citations`` = :math:`\\sum_k x_{uk} c_k / \\sum_k x_{uk}` (Leiden Ranking MCS,
      without its exclusion of self-citations: OpenAlex's ``cited_by_count``).
    - ``median_citations``: median of :math:`c_k` over the group's works, each once.
    - ``mean_fwci`` = :math:`\\sum_k x_{uk} \\mathrm{FWCI}_k / \\sum_k x_{uk}` over works
      with an FWCI (OpenAlex's field-weighted citation impact: citations over those expected
      for works of the same type, year and subfield).
    - ``top10_share`` = :math:`\\sum_k x_{uk} t_k / \\sum_k x_{uk}`, with :math:`t_k` from
      :func:`top_share_weights` computed over all works of the data set in the same
      publication year (PP(top 10 %), CWTS tie handling). It is relative to *this data set*,
      not to the world: 10 % of the data set's works are top 10 % by construction.

    Stability intervals resample each group's works (1000 times, 95 %; see
    :func:`collabnet.analysis.bootstrap.stability_intervals`).

    References
    ----------
    CWTS Leiden Ranking Open Edition, indicators: https://open.leidenranking.com/information/indicators
    Waltman, L., & Schreiber, M. (2013). On the calculation of percentile-based bibliometric
    indicators. JASIST 64(2), 372–379.
    Adams, J. (2013). The fourth age of research. Nature 497, 557–560.

    Examples
    --------
    >>> from collabnet.tables import build_tables
    >>> def work(i, cites, countries):
    ...     return {"id": f"W{i}", "publication_year": 2020, "cited_by_count": cites,
    ...             "authorships": [{"institutions": [{"id": f"I{c}", "country_code": c}]}
    ...                             for c in countries]}
    >>> t = build_tables([work(1, 10, ["JP", "US"]), work(2, 2, ["JP"])])
    >>> r = impact_by_collaboration(t, focus="JP", ci=False).set_index("group")
    >>> float(r.loc["international", "mean_citations"]), float(r.loc["all", "mean_citations"])
    (10.0, 6.0)
    """
    if by not in GROUPINGS:
        raise InputError(f"unknown grouping {by!r}: choose collaboration or n_countries")
    if reference not in REFERENCES:
        raise InputError(f"unknown reference set {reference!r}: choose year or year_type")
    if not isinstance(max_countries, int) or max_countries < 2:
        raise InputError(f"invalid max_countries {max_countries!r}: must be 2 or more")
    check_counting(counting)
    if ci:
        check_ci_options(n_resamples, confidence)
    sel = select(tables, level, years=years, focus=focus, merge_hk_mo=merge_hk_mo,
                 collaboration_rule=collaboration_rule, allow_all=True)
    tables = sel.tables
    wk = work_indicators(tables)
    ref = wk["year"].astype("string")
    if reference == "year_type":
        ref = ref + "|" + tables.works["type"].astype("string").fillna("?")
    wk["top"] = top_share_weights(wk["cited_by_count"], ref.to_numpy(dtype=object, na_value=None),
                                  share=top)
    wk["group"] = _bucket(wk, by, max_countries)
    pairs = sel.entity_works()
    df = pairs.merge(wk, on="work_id", how="inner")
    if by_year:
        df = df.dropna(subset=["year"])
        df["year"] = df["year"].astype("int64")
    df = pd.concat([df.assign(group="all"), df], ignore_index=True)
    keys = ["entity", "year", "group"] if by_year else ["entity", "group"]
    x = np.ones(len(df)) if counting == "full" else df["fraction"].to_numpy(dtype="float64")
    c = df["cited_by_count"].to_numpy()
    f = df["fwci"].to_numpy()
    t = df["top"].to_numpy()
    has_c, has_f, has_t = ~np.isnan(c), ~np.isnan(f), ~np.isnan(t)
    num = np.column_stack([np.nan_to_num(c), np.nan_to_num(f), np.nan_to_num(t)])
    den = np.column_stack([has_c, has_f, has_t]).astype("float64")
    grouped = df.groupby(keys, sort=False)
    codes = grouped.ngroup().to_numpy(dtype=np.int64)
    n_groups = int(codes.max()) + 1 if len(codes) else 0
    out = grouped.size().reset_index()[keys]

    def wsum(v):
        return np.bincount(codes, weights=v, minlength=n_groups)

    out["works"] = wsum(x)
    out["cited_works"] = wsum(x * has_c)
    out["citations"] = wsum(x * num[:, 0])
    out["fwci_works"] = wsum(x * has_f)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["mean_citations"] = out["citations"] / out["cited_works"].where(out["cited_works"] > 0)
        out["mean_fwci"] = wsum(x * num[:, 1]) / out["fwci_works"].where(out["fwci_works"] > 0)
        top_den = wsum(x * has_t)
        top_col = f"top{top * 100:g}_share"
        out[top_col] = wsum(x * num[:, 2]) / np.where(top_den > 0, top_den, np.nan)
    med = pd.Series(c[has_c]).groupby(codes[has_c]).median()
    out["median_citations"] = med.reindex(range(n_groups)).to_numpy()
    if counting == "full":
        for col in ("works", "cited_works", "citations", "fwci_works"):
            out[col] = out[col].round().astype("int64")
    stats = ["mean_citations", "median_citations", "mean_fwci", top_col]
    if ci and n_groups:
        lo, hi = stability_intervals(codes, x, num, den, n_resamples=n_resamples,
                                     confidence=confidence, seed=seed)
        mlo, mhi = median_intervals(codes[has_c], c[has_c], n_resamples=n_resamples,
                                    confidence=confidence, seed=seed)
        bounds = {"mean_citations": (lo[:, 0], hi[:, 0]), "mean_fwci": (lo[:, 1], hi[:, 1]),
                  top_col: (lo[:, 2], hi[:, 2]),
                  "median_citations": (_pad(mlo, n_groups), _pad(mhi, n_groups))}
        for s in stats:
            out[f"{s}_lo"], out[f"{s}_hi"] = bounds[s]
    elif ci:  # no works: the interval columns are there, empty
        for s in stats:
            out[f"{s}_lo"] = out[f"{s}_hi"] = np.nan
    out["name"] = sel.names(out["entity"])
    order = {g: i for i, g in enumerate(_bucket_order(by, max_countries))}
    totals = out[out["group"] == "all"].groupby("entity")["works"].sum()
    out = out.assign(_t=out["entity"].map(totals), _o=out["group"].map(order))
    sort = ["_t", "entity", *(["year"] if by_year else []), "_o"]
    out = out.sort_values(sort, ascending=[False] + [True] * (len(sort) - 1))
    cols = ["entity", "name", *(["year"] if by_year else []), "group", "works", "cited_works",
            "citations", "mean_citations", "median_citations", "fwci_works", "mean_fwci",
            top_col]
    if ci:
        cols += [f"{s}_{b}" for s in stats for b in ("lo", "hi")]
    out["low_evidence"] = out["cited_works"] < min_works
    out = out[[*cols, "low_evidence"]].reset_index(drop=True)
    out.attrs.update(counting=counting, by=by, by_year=by_year, top=top, reference=reference,
                     merge_hk_mo=merge_hk_mo, collaboration_rule=tables.collaboration_rule,
                     ci=(dict(n_resamples=n_resamples, confidence=confidence, seed=seed)
                         if ci else None))
    return out



#: The ``collabnet impact`` command's library call.
impact = impact_by_collaboration

def _pad(a: np.ndarray, n: int) -> np.ndarray:
    out = np.full(n, np.nan)
    out[: len(a)] = a
    return out
