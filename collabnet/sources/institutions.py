"""OpenAlex institution records: read them into one small table with coordinates.

Work records carry no coordinates; OpenAlex *institution* entities do (``geo.latitude``,
``geo.longitude``). This module reads such entities — files of any shape the record reader
takes, a list of dicts, or a table — into one table of ids, names, countries, types and
coordinates, which the distance indicators (:mod:`collabnet.analysis.geo`) use.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

import numpy as np
import pandas as pd

from collabnet.errors import InputError
from collabnet.keys import short_id
from collabnet.sources.files import iter_records

#: Columns of :func:`read_institutions` / :func:`institution_coordinates`.
COORDINATE_COLUMNS = ["institution_id", "name", "country_code", "type", "latitude", "longitude"]

__all__ = ["COORDINATE_COLUMNS", "institution_coordinates", "read_institutions"]


def _from_records(records: Iterable[dict]) -> pd.DataFrame:
    rows = []
    for rec in records:
        if not isinstance(rec, dict) or not isinstance(rec.get("id"), str):
            continue
        geo = rec.get("geo") if isinstance(rec.get("geo"), dict) else {}
        lat = geo.get("latitude", rec.get("latitude"))
        lon = geo.get("longitude", rec.get("longitude"))
        cc = rec.get("country_code") or geo.get("country_code")
        rows.append(
            (
                short_id(rec["id"]),
                rec.get("display_name") or rec.get("name"),
                cc.upper() if isinstance(cc, str) and cc.strip() else None,
                rec.get("type"),
                lat,
                lon,
            )
        )
    return pd.DataFrame(rows, columns=COORDINATE_COLUMNS)


def _clean(df: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({"institution_id": df["institution_id"].astype("string")})
    for col in ("name", "country_code", "type"):
        out[col] = df[col].astype("string") if col in df else pd.Series(pd.NA, index=df.index,
                                                                         dtype="string")
    for col in ("latitude", "longitude"):
        out[col] = pd.to_numeric(df[col], errors="coerce").astype("float64")
    bad = (out["latitude"].abs() > 90) | (out["longitude"].abs() > 180)
    out.loc[bad, ["latitude", "longitude"]] = np.nan
    out = out.dropna(subset=["institution_id"]).drop_duplicates("institution_id")
    return out.sort_values("institution_id", ignore_index=True)


def read_institutions(paths: str | os.PathLike | Iterable[str | os.PathLike]) -> pd.DataFrame:
    """Read OpenAlex institution entities (JSON Lines, JSON, API pages) into a table.

    Parameters
    ----------
    paths : path or iterable of paths
        Files or folders of OpenAlex institution records, in any shape
        :func:`collabnet.sources.files.iter_records` reads (``.jsonl[.gz]``, JSON arrays,
        saved pages).

    Returns
    -------
    pandas.DataFrame
        ``institution_id, name, country_code, type, latitude, longitude``, one row per
        institution (first record wins), sorted by id; coordinates NaN when absent.

    Examples
    --------
    >>> import json, os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "institutions.jsonl")
    >>> with open(path, "w") as fh:
    ...     _ = fh.write(json.dumps({"id": "https://openalex.org/I1", "display_name": "Kyoto U",
    ...         "country_code": "JP", "geo": {"latitude": 35.03, "longitude": 135.78}}))
    >>> read_institutions(path)[["institution_id", "country_code", "latitude"]].values.tolist()
    [['I1', 'JP', 35.03]]
    """
    return _clean(_from_records(iter_records(paths, kind="institution")))


def institution_coordinates(institutions) -> pd.DataFrame:
    """Normalise institution coordinates given as a table, records or file path(s).

    Parameters
    ----------
    institutions : DataFrame, list of dict, path or list of paths
        A table with ``institution_id`` (or ``id``), ``latitude``, ``longitude``; OpenAlex
        institution entities (``geo.latitude``/``geo.longitude``); or files holding them.

    Returns
    -------
    pandas.DataFrame
        Columns as :func:`read_institutions`.

    Raises
    ------
    InputError
        A table without id or coordinate columns.
    """
    if isinstance(institutions, pd.DataFrame):
        df = institutions
        if "institution_id" not in df and "id" in df:
            df = df.rename(columns={"id": "institution_id"})
        if "name" not in df and "display_name" in df:
            df = df.rename(columns={"display_name": "name"})
        missing = {"institution_id", "latitude", "longitude"} - set(df.columns)
        if missing:
            raise InputError(
                "institution table lacks column(s) "
                f"{', '.join(sorted(missing))}: expected institution_id, latitude, longitude"
            )
        df = df.copy()
        df["institution_id"] = df["institution_id"].astype("string").map(
            lambda v: short_id(v) if isinstance(v, str) else v
        )
        return _clean(df)
    if isinstance(institutions, (str, os.PathLike)):
        return read_institutions(institutions)
    items = list(institutions)
    if items and all(isinstance(x, (str, os.PathLike)) for x in items):
        return read_institutions(items)
    return _clean(_from_records(items))
