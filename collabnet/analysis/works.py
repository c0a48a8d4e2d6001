"""Per-work facts the collaboration and impact indicators rest on, and the Leiden-rule options.

Every indicator in :mod:`collabnet.analysis` is a (weighted) mean over an entity's works of
some property of each work: is it international, does it involve a company, how far apart are
its institutions, how often was it cited. This module computes those properties once per work
(:func:`work_indicators`); the options that change which works count, and how (years,
focus, the HK/MO merge, the collaboration rule), live in :mod:`collabnet.selection`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from collabnet.analysis.geo import DISTANCE_RULES, institution_coordinates, work_distances
from collabnet.errors import InputError
from collabnet.tables import WorkTables


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
        Institution coordinates (see
        :func:`~collabnet.analysis.geo.institution_coordinates`); without them
        ``distance_km`` is NaN for every collaborative work.
    distance_rule : {"complete", "leiden"}
        See :func:`collabnet.analysis.geo.work_distances`.

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
