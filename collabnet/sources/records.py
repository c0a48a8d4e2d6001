"""OpenAlex work records as columnar frames: the record schema and its Arrow conversion.

The one place that knows the shape of an OpenAlex work record (both the current schema with
``authorships[].countries`` and the 2022–23 one). A batch of records becomes one Arrow struct
array (C++ conversion that keeps only the fields collabnet uses); its nested authorships and
institutions are unnested with Arrow list kernels and pandas joins, never a Python loop per
authorship, into two raw frames — one row per work and one per (work, author, institution) —
that :mod:`collabnet.tables` turns into the canonical :class:`~collabnet.tables.WorkTables`.
Records whose fields have odd types are fixed where the intent is clear (``"true"``, ``"12"``)
and otherwise reported with their file and line.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from collabnet.errors import MalformedRecordError
from collabnet.keys import short_ids

_INSTITUTION = pa.struct(
    [
        ("id", pa.string()),
        ("display_name", pa.string()),
        ("country_code", pa.string()),
        ("type", pa.string()),
    ]
)
_AUTHORSHIP = pa.struct(
    [
        ("author_position", pa.string()),
        ("author", pa.struct([("id", pa.string())])),
        ("is_corresponding", pa.bool_()),
        ("countries", pa.list_(pa.string())),
        ("institutions", pa.list_(_INSTITUTION)),
    ]
)
#: The part of an OpenAlex work record that collabnet reads; other fields are ignored.
WORK_RECORD_TYPE = pa.struct(
    [
        ("id", pa.string()),
        ("publication_year", pa.int64()),
        ("type", pa.string()),
        ("cited_by_count", pa.int64()),
        ("fwci", pa.float64()),
        ("countries_distinct_count", pa.int64()),
        ("is_paratext", pa.bool_()),
        ("is_retracted", pa.bool_()),
        ("is_authors_truncated", pa.bool_()),
        ("citation_normalized_percentile", pa.struct([("is_in_top_10_percent", pa.bool_())])),
        ("authorships", pa.list_(_AUTHORSHIP)),
    ]
)

#: Columns of the raw works frame (the canonical table adds ``collaboration``).
RAW_WORK_COLUMNS = [
    "work_id",
    "year",
    "type",
    "cited_by_count",
    "fwci",
    "n_authors",
    "n_institutions",
    "n_countries",
    "countries_distinct_count",
    "is_top10",
    "is_paratext",
    "is_retracted",
    "is_authors_truncated",
]
AFFILIATION_COLUMNS = [
    "work_id",
    "year",
    "author_index",
    "author_id",
    "author_position",
    "is_corresponding",
    "institution_id",
    "institution_name",
    "institution_type",
    "country_code",
    "weight",
]

_BOOL_FIELDS = ("is_paratext", "is_retracted", "is_authors_truncated")
_INT_FIELDS = ("publication_year", "cited_by_count", "countries_distinct_count")


def _coerce_bool(v):
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, str) and v.strip().lower() in ("true", "false"):
        return v.strip().lower() == "true"
    if isinstance(v, (int, float)) and v in (0, 1):
        return bool(v)
    return None


def _coerce_int(v):
    if v is None or isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return int(f) if math.isfinite(f) and f == int(f) else None


def _coerce_record(rec: dict) -> dict:
    """A copy of an oddly typed record with fixable values fixed (``"true"`` -> True, …)."""
    rec = dict(rec)
    for k in _BOOL_FIELDS:
        if k in rec:
            rec[k] = _coerce_bool(rec[k])
    for k in _INT_FIELDS:
        if k in rec:
            rec[k] = _coerce_int(rec[k])
    if "fwci" in rec and not isinstance(rec["fwci"], (int, float, type(None))):
        try:
            rec["fwci"] = float(rec["fwci"])
        except (TypeError, ValueError):
            rec["fwci"] = None
    auths = rec.get("authorships")
    if isinstance(auths, list):
        fixed = []
        for a in auths:
            if not isinstance(a, dict):
                fixed.append(None)
                continue
            a = dict(a)
            a["is_corresponding"] = _coerce_bool(a.get("is_corresponding"))
            if not isinstance(a.get("author"), (dict, type(None))):
                a["author"] = None
            if isinstance(a.get("countries"), str):
                a["countries"] = [a["countries"]]
            fixed.append(a)
        rec["authorships"] = fixed
    return rec


def records_to_struct(
    records: list[dict], where: list[tuple[str, int | None]]
) -> pa.StructArray:
    """Convert records to Arrow; find, fix or report (file:line) the ones that do not fit."""
    try:
        return pa.array(records, type=WORK_RECORD_TYPE)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        pass
    fixed = []
    for i, rec in enumerate(records):
        try:
            pa.array([rec], type=WORK_RECORD_TYPE)
            fixed.append(rec)
            continue
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            first_error = exc
        rec2 = _coerce_record(rec)
        try:
            pa.array([rec2], type=WORK_RECORD_TYPE)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            src, line = where[i] if i < len(where) else ("<records>", None)
            reason = str(first_error).splitlines()[0]
            raise MalformedRecordError(src, line, f"work {rec.get('id')}: {reason}") from None
        fixed.append(rec2)
    return pa.array(fixed, type=WORK_RECORD_TYPE)


def _clean_codes(arr: pa.Array) -> pa.Array:
    """Upper-case, trimmed country codes; empty strings become null."""
    arr = pc.utf8_upper(pc.utf8_trim_whitespace(arr))
    return pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)


def _string_col(arr: pa.Array) -> pd.Series:
    return arr.to_pandas(types_mapper={pa.string(): pd.StringDtype()}.get)


def _field(arr: pa.Array, name: str) -> pa.Array:
    """A child of a struct array, null wherever the parent is null.

    ``StructArray.field`` ignores the parent's nulls, so a missing
    ``citation_normalized_percentile`` would read as ``is_in_top_10_percent = False``.
    """
    return pc.struct_field(arr, [name])


def record_frames(struct: pa.StructArray) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Unnest one batch of work records into raw (works, affiliations) frames.

    The works frame has :data:`RAW_WORK_COLUMNS` (with ``n_institutions`` and
    ``n_countries`` counted from the affiliations); the affiliations frame has
    :data:`AFFILIATION_COLUMNS`. Collaboration types are assigned by
    :mod:`collabnet.tables`, which owns their definition.
    """
    n = len(struct)
    work_id = short_ids(_field(struct, "id"))
    year = _field(struct, "publication_year")
    auths = _field(struct, "authorships")
    n_authors = pc.fill_null(pc.list_value_length(auths), 0)

    works = pd.DataFrame(
        {
            "work_id": _string_col(work_id),
            "year": pd.array(year.to_pandas(), dtype="Int64"),
            "type": _string_col(_field(struct, "type")),
            "cited_by_count": pd.array(_field(struct, "cited_by_count").to_pandas(), dtype="Int64"),
            "fwci": pd.array(_field(struct, "fwci").to_pandas(), dtype="Float64"),
            "n_authors": pd.array(n_authors.to_numpy(zero_copy_only=False), dtype="Int64"),
            "countries_distinct_count": pd.array(
                _field(struct, "countries_distinct_count").to_pandas(), dtype="Int64"
            ),
            "is_top10": pd.array(
                _field(_field(struct, "citation_normalized_percentile"), "is_in_top_10_percent")
                .to_pandas(),
                dtype="boolean",
            ),
            "is_paratext": pd.array(_field(struct, "is_paratext").to_pandas(), dtype="boolean"),
            "is_retracted": pd.array(_field(struct, "is_retracted").to_pandas(), dtype="boolean"),
            "is_authors_truncated": pd.array(
                pc.fill_null(_field(struct, "is_authors_truncated"), False).to_pandas(),
                dtype="boolean",
            ),
        }
    )

    # --- authorships: one row each --------------------------------------------------------
    auth_parent = pc.list_parent_indices(auths).to_numpy()
    flat = pc.list_flatten(auths)
    n_auth_rows = len(flat)
    offsets = auths.offsets.to_numpy()
    # Position within the work's list: flat row i is child offsets[0] + i of the list array.
    author_index = np.arange(n_auth_rows) + offsets[0] - offsets[auth_parent]
    author_id = _field(_field(flat, "author"), "id")
    author_id = pc.if_else(pc.is_null(author_id), author_id, short_ids(author_id))
    authorships = pd.DataFrame(
        {
            "work_row": auth_parent,
            "author_index": author_index.astype("int64"),
            "author_id": _string_col(author_id),
            "author_position": _string_col(_field(flat, "author_position")),
            "is_corresponding": pd.array(
                _field(flat, "is_corresponding").to_pandas(), dtype="boolean"
            ),
        }
    )
    # A null authorship entry (not a dict) is kept as an author with no affiliation.

    # --- institutions of each authorship ---------------------------------------------------
    insts = _field(flat, "institutions")
    inst_parent = pc.list_parent_indices(insts).to_numpy()
    iflat = pc.list_flatten(insts)
    inst_id = _field(iflat, "id")
    inst_id = pc.if_else(pc.is_null(inst_id), inst_id, short_ids(inst_id))
    inst_rows = pd.DataFrame(
        {
            "auth_row": inst_parent,
            "institution_id": _string_col(inst_id),
            "institution_name": _string_col(_field(iflat, "display_name")),
            "institution_type": _string_col(_field(iflat, "type")),
            "country_code": _string_col(_clean_codes(_field(iflat, "country_code"))),
        }
    )
    # An entry that is null altogether (not even a name) carries nothing.
    inst_rows = inst_rows[
        inst_rows[["institution_id", "institution_name", "country_code"]].notna().any(axis=1)
    ]
    # The same institution listed twice for one author counts once.
    dup = inst_rows["institution_id"].notna() & inst_rows.duplicated(
        subset=["auth_row", "institution_id"]
    )
    inst_rows = inst_rows[~dup]

    # --- per-author countries not covered by their institutions ---------------------------
    ctry = _field(flat, "countries")
    c_parent = pc.list_parent_indices(ctry).to_numpy()
    c_rows = pd.DataFrame(
        {"auth_row": c_parent, "country_code": _string_col(_clean_codes(pc.list_flatten(ctry)))}
    ).dropna()
    c_rows = c_rows.drop_duplicates()
    if not c_rows.empty:
        covered = inst_rows[["auth_row", "country_code"]].dropna().drop_duplicates()
        c_rows = c_rows.merge(covered, how="left", indicator=True)
        c_rows = c_rows[c_rows["_merge"] == "left_only"].drop(columns="_merge")
    # --- authors with nothing at all get one empty row -------------------------------------
    has_row = np.zeros(n_auth_rows, dtype=bool)
    has_row[inst_rows["auth_row"].to_numpy()] = True
    has_row[c_rows["auth_row"].to_numpy()] = True
    empty = pd.DataFrame({"auth_row": np.flatnonzero(~has_row)})

    rows = pd.concat([inst_rows, c_rows, empty], ignore_index=True, sort=False)
    rows = rows.sort_values("auth_row", kind="stable", ignore_index=True)
    auth_row = rows["auth_row"].to_numpy()
    aff = authorships.iloc[auth_row].reset_index(drop=True)
    for col in ("institution_id", "institution_name", "institution_type", "country_code"):
        aff[col] = pd.array(rows[col].to_numpy(dtype=object), dtype="string")
    per_author = np.bincount(auth_row, minlength=n_auth_rows)
    work_row = aff["work_row"].to_numpy()
    na = n_authors.to_numpy(zero_copy_only=False)
    aff["weight"] = 1.0 / (na[work_row] * per_author[auth_row])
    aff.insert(0, "work_id", works["work_id"].to_numpy()[work_row])
    aff.insert(1, "year", works["year"].to_numpy()[work_row])
    aff = aff.drop(columns="work_row")
    aff["year"] = aff["year"].astype("Int64")
    aff["work_id"] = aff["work_id"].astype("string")

    # --- work-level counts and collaboration type ------------------------------------------
    n_inst = np.zeros(n, dtype="int64")
    n_ctry = np.zeros(n, dtype="int64")
    if len(aff):
        inst_pairs = pd.DataFrame({"w": work_row, "i": aff["institution_id"]}).dropna()
        inst_pairs = inst_pairs.drop_duplicates()
        n_inst = np.bincount(inst_pairs["w"].to_numpy(), minlength=n)
        ctry_pairs = pd.DataFrame({"w": work_row, "c": aff["country_code"]}).dropna()
        ctry_pairs = ctry_pairs.drop_duplicates()
        n_ctry = np.bincount(ctry_pairs["w"].to_numpy(), minlength=n)
    works.insert(6, "n_institutions", pd.array(n_inst, dtype="Int64"))
    works.insert(7, "n_countries", pd.array(n_ctry, dtype="Int64"))
    return works[RAW_WORK_COLUMNS], aff[AFFILIATION_COLUMNS]


def empty_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Raw (works, affiliations) frames with no rows and the right columns and types."""
    return record_frames(pa.array([], type=WORK_RECORD_TYPE))
