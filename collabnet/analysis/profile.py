"""Collaboration profile of countries or institutions: the Leiden Ranking collaboration indicators.

One row per entity (and year) with its output and the shares of it that are international,
domestic, single-institution, with industry, short- and long-distance, bilateral and
multilateral — the numbers a report such as "Is Japan falling behind in international
collaboration?" quotes — with full or fractional counting and, on request, bootstrap
stability intervals on every share.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from collabnet.analysis.bootstrap import (
    CONFIDENCE,
    N_RESAMPLES,
    check_ci_options,
    interval_columns,
    stability_intervals,
)
from collabnet.analysis.works import work_indicators
from collabnet.errors import InputError
from collabnet.keys import MIN_WORKS, check_counting
from collabnet.selection import select
from collabnet.tables import WorkTables

#: Count columns of :func:`collaboration_profile` (before the shares).
COUNT_COLUMNS = [
    "works",
    "international_works",
    "domestic_works",
    "single_institution_works",
    "unknown_works",
    "industry_works",
    "bilateral_works",
    "multilateral_works",
]
#: Share columns without coordinates: (name, numerator, denominator).
SHARES = [
    ("international_share", "international_works", "known_works"),
    ("domestic_share", "domestic_works", "known_works"),
    ("single_institution_share", "single_institution_works", "known_works"),
    ("industry_share", "industry_works", "known_works"),
    ("bilateral_share", "bilateral_works", "international_works"),
    ("multilateral_share", "multilateral_works", "international_works"),
]
#: Extra columns when institution coordinates are given.
DISTANCE_COUNTS = ["distance_known_works", "near_works", "far_works"]
DISTANCE_SHARES = [
    ("near_share", "near_works", "distance_known_works"),
    ("far_share", "far_works", "distance_known_works"),
]


def _flags(wk: pd.DataFrame, near_km: float, far_km: float) -> pd.DataFrame:
    """0/1 per-work indicator columns named like the count columns."""
    coll = wk["collaboration"]
    known = coll != "unknown"
    intl = coll == "international"
    collab = wk["n_institutions"] >= 2
    dist = wk["distance_km"]
    dist_known = known & dist.notna()
    f = pd.DataFrame(
        {
            "works": np.ones(len(wk)),
            "known_works": known,
            "international_works": intl,
            "domestic_works": coll == "domestic",
            "single_institution_works": coll == "single_institution",
            "unknown_works": ~known,
            "industry_works": known & wk["is_industry"],
            "bilateral_works": intl & (wk["n_countries"] == 2),
            "multilateral_works": intl & (wk["n_countries"] >= 3),
            "distance_known_works": dist_known,
            "near_works": dist_known & collab & (dist <= near_km),
            "far_works": dist_known & collab & (dist >= far_km),
            "collaborative_works": known & collab,
        }
    )
    return f.astype("float64")


def collaboration_profile(
    tables: WorkTables,
    level: str = "country",
    *,
    years: str | tuple[int | None, int | None] | None = None,
    focus: str | Iterable[str] | None = None,
    counting: str = "full",
    merge_hk_mo: bool = False,
    collaboration_rule: str | None = None,
    ci: bool = False,
    by_year: bool = False,
    institutions=None,
    near_km: float = 100.0,
    far_km: float = 5000.0,
    distance_rule: str = "complete",
    min_coverage: float = 0.8,
    min_works: int = MIN_WORKS,
    n_resamples: int = N_RESAMPLES,
    confidence: float = CONFIDENCE,
    seed: int | None = 0,
) -> pd.DataFrame:
    """Collaboration profile per country or institution (optionally per year).

    Parameters
    ----------
    tables : WorkTables
    level : {"country", "institution", "author"}
    by_year : bool
        One row per entity and publication year (works without a year are left out).
    years : "FROM-TO" or (from, to), optional
        Only works published in this inclusive range.
    focus : str or list of str, optional
        Only these entities (``"JP,DE"``, ``["I134085113"]``).
    counting : {"full", "fractional"}
        ``"full"`` (Leiden Ranking rule for collaboration indicators): each work counts 1 for
        every entity on it. ``"fractional"``: it counts the entity's share of the work's
        authorship (each author 1/n, split equally over the author's affiliations;
        Perianes-Rodriguez, Waltman & van Eck 2016), so that a work adds 1 in total.
    institutions : DataFrame, records or path, optional
        Institution coordinates (OpenAlex institution entities with ``geo``; see
        :func:`~collabnet.analysis.geo.institution_coordinates`). When given, the distance
        columns are added.
    near_km, far_km : float
        Distance thresholds of PP(<100 km) and PP(>5000 km) (older Leiden Ranking editions
        used 1000 km for long distance).
    distance_rule : {"complete", "leiden"}
        When is a work's distance known: ``"complete"`` (default) only when all its
        institutions have coordinates; ``"leiden"`` the CWTS rule (maximum over the geocoded
        ones; unknown when fewer than two have coordinates, never 0 km). See
        :func:`collabnet.analysis.geo.work_distances`.
    min_coverage : float
        Least ``distance_coverage`` (share of collaborative works with a known distance) for
        ``near_share`` and ``far_share`` to be reported; below it they are NaN (default 0.8).
    min_works : int
        Rows whose shares rest on fewer works with a known country than this are flagged
        in the ``low_evidence`` column (default 10).
    merge_hk_mo : bool
        Count Hong Kong and Macao as China (Leiden Ranking rule); default False.
    collaboration_rule : {"countries", "leiden"}, optional
        The rule that makes a work international; default the tables' own (``countries``).
    ci : bool
        Add bootstrap stability intervals ``<share>_lo``, ``<share>_hi`` for every share
        (off by default because they cost time: about a second per 20 000 entity-works).
    n_resamples, confidence, seed
        Bootstrap settings (Leiden Ranking: 1000 resamples, 95 %; the seed is fixed so that
        results repeat). See :func:`collabnet.analysis.bootstrap.stability_intervals`.

    Returns
    -------
    pandas.DataFrame
        Columns ``entity, name, [year], works, international_works, domestic_works,
        single_institution_works, unknown_works, industry_works, bilateral_works,
        multilateral_works, international_share, domestic_share, single_institution_share,
        industry_share, bilateral_share, multilateral_share`` and, with coordinates,
        ``distance_known_works, near_works, far_works, near_share, far_share,
        distance_coverage`` (the share of the collaborative works whose distance is known;
        the distance shares are NaN when it is below ``min_coverage``); then the
        interval columns when ``ci``. Counts are integers under full counting, fractional sums
        otherwise; ``works`` = international + domestic + single_institution + unknown.
        ``attrs`` records ``counting``, ``merge_hk_mo`` and the bootstrap settings.

    Notes
    -----
    For entity :math:`u` with works :math:`k` and weights :math:`x_{uk}` (1, or the fractional
    share), :math:`P_u(X) = \\sum_k x_{uk} [k \\in X]` and, with :math:`K` the works whose
    affiliations name at least one country (``works - unknown_works``):

    - ``international_share`` = :math:`P(\\text{int})/P(K)`: affiliations in two or more
      countries (Leiden Ranking PP(int collab)).
    - ``domestic_share`` = :math:`P(\\text{dom})/P(K)`: one country, two or more institutions.
    - ``single_institution_share`` = :math:`P(\\text{single})/P(K)`; the three add up to 1.
    - ``industry_share`` = :math:`P(\\text{industry})/P(K)`: an affiliated institution of
      OpenAlex type ``company`` (PP(industry); as in the Leiden Ranking the work-level flag is
      used, so a company's own works count).
    - ``bilateral_share``, ``multilateral_share``: international works with exactly two,
      resp. three or more countries, as shares of the international works.
    - ``near_share`` = :math:`P(\\text{collab}, \\mathrm{GCD} \\le 100)/P(D)`,
      ``far_share`` = :math:`P(\\text{collab}, \\mathrm{GCD} \\ge 5000)/P(D)`, where GCD is
      the largest great-circle distance between the work's institutions, "collab" means two
      or more institutions, and :math:`D` the works of :math:`K` whose distance is known
      (PP(<100 km), PP(>5000 km); in the Leiden Ranking, where every institution is
      geocoded, :math:`D` is all works).

    The Leiden Ranking divides by all works :math:`P`; works without any affiliation country
    are excluded from its publication set, which is why :math:`K` is used here.

    References
    ----------
    CWTS Leiden Ranking Open Edition, indicators: https://open.leidenranking.com/information/indicators
    and ``calc_leiden_ranking_open_edition.sql`` (``pub_collab_indicators``).
    Waltman, L., et al. (2012). The Leiden Ranking 2011/2012. JASIST 63(12), 2419–2432.
    Perianes-Rodriguez, A., Waltman, L., & van Eck, N. J. (2016). Constructing bibliometric
    networks: A comparison between full and fractional counting. J. Informetrics 10(4),
    1178–1195.

    Examples
    --------
    >>> from collabnet.tables import build_tables
    >>> recs = [
    ...   {"id": "W1", "publication_year": 2020, "authorships": [
    ...     {"institutions": [{"id": "I1", "country_code": "JP"}]},
    ...     {"institutions": [{"id": "I2", "country_code": "US", "type": "company"}]}]},
    ...   {"id": "W2", "publication_year": 2020, "authorships": [
    ...     {"institutions": [{"id": "I1", "country_code": "JP"}]}]}]
    >>> p = collaboration_profile(build_tables(recs), focus="JP")
    >>> row = p.iloc[0]
    >>> int(row["works"]), float(row["international_share"]), float(row["industry_share"])
    (2, 0.5, 0.5)
    """
    check_counting(counting)
    if ci:
        check_ci_options(n_resamples, confidence)
    if not (near_km >= 0 and far_km >= 0):
        raise InputError(f"invalid distance thresholds {near_km}, {far_km}: must be 0 km or more")
    if not 0 <= min_coverage <= 1:
        raise InputError(f"invalid minimum coverage {min_coverage}: must be between 0 and 1")
    sel = select(tables, level, years=years, focus=focus, merge_hk_mo=merge_hk_mo,
                 collaboration_rule=collaboration_rule, allow_all=True)
    tables = sel.tables
    wk = work_indicators(tables, institutions=institutions, distance_rule=distance_rule)
    pairs = sel.entity_works()
    df = pairs.merge(wk, on="work_id", how="inner")
    if by_year:
        df = df.dropna(subset=["year"])
        df["year"] = df["year"].astype("int64")
    keys = ["entity", "year"] if by_year else ["entity"]
    x = np.ones(len(df)) if counting == "full" else df["fraction"].to_numpy(dtype="float64")
    flags = _flags(df, near_km, far_km)
    df = df.reset_index(drop=True)
    counted = pd.concat([df[keys], flags.reset_index(drop=True).mul(x, axis=0)], axis=1)
    grouped = counted.groupby(keys, sort=False)
    out = grouped.sum().reset_index()
    has_geo = institutions is not None
    shares = SHARES + (DISTANCE_SHARES if has_geo else [])
    for name, num, den in shares:
        d = out[den].to_numpy()
        with np.errstate(invalid="ignore", divide="ignore"):
            out[name] = np.where(d > 0, out[num].to_numpy() / np.where(d > 0, d, 1), np.nan)
    count_cols = COUNT_COLUMNS + (DISTANCE_COUNTS if has_geo else [])
    if has_geo:
        # How many of the collaborative works have a known distance: the distance shares
        # describe only those; with none, they are unknown rather than 0.
        alone = out["known_works"] - out["collaborative_works"]  # distance 0, always known
        known_collab = out["distance_known_works"] - alone
        with np.errstate(invalid="ignore", divide="ignore"):
            cov = known_collab / out["collaborative_works"].where(out["collaborative_works"] > 0)
        out["distance_coverage"] = cov.to_numpy(dtype="float64")
        # Too few known distances: the shares would describe a different set of works.
        blind = (out["collaborative_works"] > 0) & ~(cov.fillna(0) >= min_coverage)
        out.loc[blind, ["near_share", "far_share"]] = np.nan
    if counting == "full":
        out[count_cols] = out[count_cols].round().astype("int64")
    share_cols = [s[0] for s in shares]
    if ci and len(out):
        # Row i of ``out`` is group i in order of first appearance, as ngroup numbers them.
        codes = grouped.ngroup().to_numpy(dtype=np.int64)
        num = np.column_stack([flags[s[1]].to_numpy() for s in shares])
        den = np.column_stack([flags[s[2]].to_numpy() for s in shares])
        lo, hi = stability_intervals(
            codes, x, num, den, n_resamples=n_resamples, confidence=confidence, seed=seed
        )
        for j, name in enumerate(share_cols):
            unknown = out[name].isna().to_numpy()
            out[f"{name}_lo"] = np.where(unknown, np.nan, lo[:, j])
            out[f"{name}_hi"] = np.where(unknown, np.nan, hi[:, j])
    elif ci:  # no works: the interval columns are there, empty
        for name in share_cols:
            out[f"{name}_lo"] = out[f"{name}_hi"] = np.nan
    out["name"] = sel.names(out["entity"])
    cols = (
        ["entity", "name"] + (["year"] if by_year else []) + count_cols + share_cols
        + (["distance_coverage"] if has_geo else [])
        + (interval_columns(share_cols) if ci else [])
    )
    if by_year:
        totals = out.groupby("entity")["works"].transform("sum")
        out = out.assign(_t=totals).sort_values(
            ["_t", "entity", "year"], ascending=[False, True, True]
        )
    else:
        out = out.sort_values(["works", "entity"], ascending=[False, True])
    out["low_evidence"] = out["known_works"] < min_works
    out = out[[*cols, "low_evidence"]].reset_index(drop=True)
    out.attrs.update(
        counting=counting,
        merge_hk_mo=merge_hk_mo,
        collaboration_rule=tables.collaboration_rule,
        min_coverage=min_coverage,
        ci=(dict(n_resamples=n_resamples, confidence=confidence, seed=seed) if ci else None),
    )
    return out


#: The ``collabnet profile`` command's library call.
profile = collaboration_profile
