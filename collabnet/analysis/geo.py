"""Great-circle distances between the affiliations of a work (the Leiden Ranking's GCD).

For every work, the largest great-circle distance between two of its institutions: the
"geographical collaboration distance" (GCD) of the CWTS Leiden Ranking, on which its
PP(<100 km) and PP(>5000 km) indicators rest. Coordinates come from OpenAlex institution
records (:mod:`collabnet.sources.institutions`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from collabnet.errors import InputError
from collabnet.sources.institutions import institution_coordinates, read_institutions

#: Mean Earth radius (km) used by the CWTS Leiden Ranking's distance function.
EARTH_RADIUS_KM = 6371.01

#: How a work's distance is defined when some of its institutions have no coordinates.
DISTANCE_RULES = ("complete", "leiden")

# Works with more institutions than this get their pairwise distances computed one by one
# (an n x n matrix each) instead of through one pairwise join, which grows with n squared.
_JOIN_LIMIT = 300

__all__ = [
    "DISTANCE_RULES",
    "EARTH_RADIUS_KM",
    "haversine_km",
    "institution_coordinates",
    "read_institutions",
    "work_distances",
]


def haversine_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distance in km between points given in degrees (arrays broadcast).

    Notes
    -----
    .. math:: d = 2R \\arcsin\\sqrt{\\frac{1-\\cos(\\varphi_2-\\varphi_1)}{2}
              + \\cos\\varphi_1\\cos\\varphi_2\\,\\frac{1-\\cos(\\lambda_2-\\lambda_1)}{2}}

    with :math:`R` = 6371.01 km, the formula of the CWTS OpenAlex indicator scripts
    (``02_create_tables.sql``, ``gcd``).

    Examples
    --------
    >>> round(float(haversine_km(0, 0, 0, 1)), 1)  # one degree along the equator
    111.2
    """
    p1, l1, p2, l2 = (np.radians(np.asarray(x, dtype="float64")) for x in (lat1, lon1, lat2, lon2))
    h = (1 - np.cos(p2 - p1)) / 2 + np.cos(p1) * np.cos(p2) * (1 - np.cos(l2 - l1)) / 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def work_distances(
    work_institutions: pd.DataFrame, coordinates: pd.DataFrame, *, rule: str = "complete"
) -> pd.DataFrame:
    """Largest great-circle distance between the institutions of each work (GCD).

    Parameters
    ----------
    work_institutions : pandas.DataFrame
        Distinct ``work_id, institution_id`` pairs (as
        :meth:`collabnet.tables.WorkTables.work_institutions` gives).
    coordinates : pandas.DataFrame
        ``institution_id, latitude, longitude`` (see :func:`institution_coordinates`).
    rule : {"complete", "leiden"}
        ``"complete"`` (collabnet's default): a work's distance is known only when every one of
        its institutions has coordinates. ``"leiden"``: the CWTS rule, the maximum over the
        institutions that have coordinates. Under both, a work with two or more institutions
        of which fewer than two have coordinates has no known distance (NaN): missing
        coordinates are never 0 km.

    Returns
    -------
    pandas.DataFrame
        ``work_id, distance_km`` for every work in ``work_institutions``; ``distance_km`` is 0
        for a work with one institution and NaN where unknown under ``rule``.

    Notes
    -----
    :math:`\\mathrm{GCD}_k = \\max_{i,j \\in I_k} d(i, j)` with :math:`d` from
    :func:`haversine_km`.

    References
    ----------
    CWTS OpenAlex databases, ``02_create_tables.sql`` (``gcd``); Waltman, L. et al. (2012).
    The Leiden Ranking 2011/2012. JASIST 63(12), 2419–2432 (geographical collaboration
    distance).
    """
    if rule not in DISTANCE_RULES:
        raise InputError(f"unknown distance rule {rule!r}: choose complete or leiden")
    wi = work_institutions[["work_id", "institution_id"]].dropna().drop_duplicates()
    c = coordinates.dropna(subset=["latitude", "longitude"]).set_index("institution_id")
    wi = wi.assign(
        lat=wi["institution_id"].map(c["latitude"]).astype("float64"),
        lon=wi["institution_id"].map(c["longitude"]).astype("float64"),
    )
    works = pd.Index(wi["work_id"].unique())
    n_inst = wi.groupby("work_id", sort=False).size().reindex(works)
    geo = wi.dropna(subset=["lat", "lon"])
    n_geo = geo.groupby("work_id", sort=False).size().reindex(works, fill_value=0)
    dist = pd.Series(0.0, index=works)
    multi = geo[geo["work_id"].map(n_geo) >= 2]
    if len(multi):
        size = multi["work_id"].map(n_geo)
        small = multi[size <= _JOIN_LIMIT]
        if len(small):
            pairs = small.merge(small, on="work_id", suffixes=("", "_2"))
            pairs = pairs[pairs["institution_id"] < pairs["institution_id_2"]]
            d = haversine_km(pairs["lat"], pairs["lon"], pairs["lat_2"], pairs["lon_2"])
            dmax = pd.Series(d, index=pairs["work_id"].to_numpy()).groupby(level=0).max()
            dist.loc[dmax.index] = dmax.to_numpy()
        for wid, grp in multi[size > _JOIN_LIMIT].groupby("work_id", sort=False):
            lat, lon = grp["lat"].to_numpy(), grp["lon"].to_numpy()
            dist.loc[wid] = float(haversine_km(lat[:, None], lon[:, None], lat, lon).max())
    collaborative = (n_inst >= 2).to_numpy()
    if rule == "complete":
        dist[(n_geo < n_inst).to_numpy() & collaborative] = np.nan
    else:
        dist[(n_geo < 2).to_numpy() & collaborative] = np.nan
    return pd.DataFrame({"work_id": works.astype("string"), "distance_km": dist.to_numpy()})
