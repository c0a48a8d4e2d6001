"""Per-work facts the collaboration and impact indicators rest on, and the Leiden-rule options.

Every indicator in :mod:`collabnet.analysis` is a (weighted) mean over an entity's works of
some property of each work: is it international, does it involve a company, how far apart are
its institutions, how often was it cited. This module computes those properties once per work
(:func:`work_indicators`) and holds the option that changes the country of some
affiliations for every indicator at once (:func:`merge_hong_kong_macao`, the Leiden Ranking's
rule of counting Hong Kong and Macao with China).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from collabnet.errors import InputError
from collabnet.geo import DISTANCE_RULES, institution_coordinates, work_distances
from collabnet.tables import COLLABORATION_TYPES, WorkTables, classify_collaboration

#: Codes counted with China under the Leiden Ranking rule.
CHINA_SARS = ("HK", "MO")

COUNTINGS = ("full", "fractional")


def merge_hong_kong_macao(tables: WorkTables) -> WorkTables:
    """The tables with Hong Kong (HK) and Macao (MO) affiliations counted as China (CN).

    Parameters
    ----------
    tables : WorkTables

    Returns
    -------
    WorkTables
        A new object: ``affiliations.country_code`` HK/MO become CN, and each work's
        ``n_countries`` and ``collaboration`` are recomputed with
        :func:`collabnet.tables.classify_collaboration`. A work between Hong Kong and mainland
        China is then domestic, not international. The input is not modified.

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
    aff = tables.affiliations.copy()
    cc = aff["country_code"]
    aff["country_code"] = cc.mask(cc.isin(CHINA_SARS), "CN").astype("string")
    works = tables.works.copy()
    pairs = aff[["work_id", "country_code"]].dropna().drop_duplicates()
    n_ctry = pairs.groupby("work_id").size()
    nc = works["work_id"].map(n_ctry).fillna(0).astype("int64")
    works["n_countries"] = pd.array(nc.to_numpy(), dtype="Int64")
    n_inst = works["n_institutions"].fillna(0).to_numpy(dtype="int64")
    coll = classify_collaboration(nc.to_numpy(), n_inst)
    works["collaboration"] = pd.Categorical(
        coll.astype(str).to_numpy(), categories=list(COLLABORATION_TYPES)
    )
    return WorkTables(works, aff)


def check_counting(counting: str) -> str:
    """Validate a counting method name (``full`` or ``fractional``)."""
    if counting not in COUNTINGS:
        raise InputError(f"unknown counting {counting!r}: choose full or fractional")
    return counting


def work_indicators(
    tables: WorkTables,
    *,
    institutions=None,
    distance_rule: str = "complete",
) -> pd.DataFrame:
    """One row per work with the properties collaboration indicators are means of.

    Parameters
    ----------
    tables : WorkTables
    institutions : DataFrame, records or path, optional
        Institution coordinates (see :func:`collabnet.geo.institution_coordinates`); without
        them ``distance_km`` is NaN for every collaborative work.
    distance_rule : {"complete", "leiden"}
        See :func:`collabnet.geo.work_distances`.

    Returns
    -------
    pandas.DataFrame
        ``work_id, year, collaboration, n_countries, n_institutions, is_industry,
        distance_km, cited_by_count, fwci`` in the order of ``tables.works``.
        ``is_industry`` is true when an affiliated institution has type ``company``
        (Leiden Ranking P(industry)); ``distance_km`` is the largest great-circle distance
        between the work's institutions (0 for one institution, NaN when unknown).
    """
    if distance_rule not in DISTANCE_RULES:
        raise InputError(f"unknown distance rule {distance_rule!r}: choose complete or leiden")
    w = tables.works
    out = pd.DataFrame(
        {
            "work_id": w["work_id"],
            "year": w["year"],
            "collaboration": w["collaboration"].astype(str),
            "n_countries": w["n_countries"].fillna(0).astype("int64"),
            "n_institutions": w["n_institutions"].fillna(0).astype("int64"),
        }
    )
    aff = tables.affiliations
    company = aff.loc[(aff["institution_type"] == "company").fillna(False), "work_id"].unique()
    out["is_industry"] = out["work_id"].isin(company).to_numpy()
    if institutions is None:
        dist = np.where(out["n_institutions"] >= 2, np.nan, 0.0)
    else:
        coords = institution_coordinates(institutions)
        d = work_distances(tables.work_institutions(), coords, rule=distance_rule)
        dist = out["work_id"].map(d.set_index("work_id")["distance_km"]).to_numpy(
            dtype="float64", na_value=np.nan
        )
        dist = np.where(out["n_institutions"] >= 2, dist, 0.0)
    out["distance_km"] = dist
    out["cited_by_count"] = w["cited_by_count"].astype("Float64").to_numpy(
        dtype="float64", na_value=np.nan
    )
    out["fwci"] = w["fwci"].astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    return out


def entity_work_rows(
    tables: WorkTables, level: str, focus: list[str] | None = None
) -> pd.DataFrame:
    """(work_id, entity, fraction) pairs at ``level``, optionally only for ``focus`` entities.

    ``level="all"`` treats the whole data set as one entity named ``"all"`` (every work once,
    fraction 1).
    """
    if level == "all":
        return pd.DataFrame(
            {"work_id": tables.works["work_id"], "entity": "all", "fraction": 1.0}
        ).astype({"entity": "string"})
    pairs = tables.entity_works(level)
    if focus is not None:
        pairs = pairs[pairs["entity"].isin(focus)]
    return pairs.reset_index(drop=True)
