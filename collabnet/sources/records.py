"""OpenAlex work records as columnar frames: the record schema and its Arrow conversion.

The one place that knows the shape of an OpenAlex work record (both the current schema with
``authorships[].countries`` and the 2022–23 one; the schema itself and the fixing of odd
field types are in :mod:`collabnet.sources.fit`). A batch of records becomes one Arrow struct
array (C++ conversion that keeps only the fields collabnet uses); its nested authorships and
institutions are unnested with Arrow list kernels and pandas joins, never a Python loop per
authorship, into two raw frames — one row per work and one per (work, author, institution) —
that :mod:`collabnet.tables` turns into the canonical :class:`~collabnet.tables.WorkTables`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from collabnet.errors import MalformedRecordError
from collabnet.keys import country_codes, short_id, short_ids
from collabnet.sources.duplicates import UPDATED, newest_copies
from collabnet.sources.fit import QUOTE_CHARS, WORK_RECORD_TYPE, Misfit, fit_work, quote

__all__ = ["AFFILIATION_COLUMNS", "RAW_WORK_COLUMNS", "WORK_RECORD_TYPE", "empty_frames",
           "fit_work", "record_frames", "records_to_struct"]

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
    "author_name",
    "author_position",
    "is_corresponding",
    "institution_id",
    "institution_name",
    "institution_type",
    "country_code",
    "weight",
]

#: What pyarrow raises for a record it cannot convert.
_CONVERSION_ERRORS = (pa.ArrowException, TypeError, ValueError, OverflowError)


def records_to_struct(
    records: list[dict], where: list[tuple[str, int | None]], *, on_bad=None,
    fitted: bool = False,
) -> pa.StructArray:
    """Convert records to Arrow, fixing what :func:`fit_work` fixes.

    A record that does not fit raises :class:`MalformedRecordError` naming its place (from
    ``where``, one ``(source, line)`` per record) and the field, or, with ``on_bad``, is
    passed to ``on_bad`` as that error and left out. ``fitted``: the records have been
    through :func:`fit_work` already (as :func:`collabnet.sources.files.iter_works` does
    with ``check=fit_work``).
    """
    def misfit(i: int, reason: str) -> None:
        src, line = where[i] if i < len(where) else ("<records>", None)
        wid = records[i].get("id") if isinstance(records[i], dict) else None
        wid = short_id(wid)[:QUOTE_CHARS] if isinstance(wid, str) else quote(wid)
        err = MalformedRecordError(src, line, f"work {wid}: {reason}")
        if on_bad is None:
            raise err
        on_bad(err)

    kept, places = [], []
    for i, rec in enumerate(records):
        if not fitted:
            try:
                rec = fit_work(rec)
            except Misfit as exc:
                misfit(i, str(exc))
                continue
        kept.append(rec)
        places.append(i)
    try:
        return pa.array(kept, type=WORK_RECORD_TYPE)
    except _CONVERSION_ERRORS:
        pass
    # What fit_work lets through and Arrow still refuses (a string it cannot encode…).
    good = []
    for i, rec in zip(places, kept):
        try:
            pa.array([rec], type=WORK_RECORD_TYPE)
        except _CONVERSION_ERRORS as exc:
            misfit(i, quote(str(exc).splitlines()[0], 80))
            continue
        good.append(rec)
    return pa.array(good, type=WORK_RECORD_TYPE)


def _clean_codes(arr: pa.Array) -> pa.Array:
    """Upper-case, trimmed country codes; anything that is not ISO 3166-1 alpha-2 (or
    OpenAlex's XK) — ``JPN``, ``USA``, ``jp-``, an empty string — becomes null (unknown)."""
    arr = pc.utf8_upper(pc.utf8_trim_whitespace(arr))
    valid = pc.is_in(arr, value_set=pa.array(sorted(country_codes()), pa.string()))
    return pc.if_else(valid, arr, pa.scalar(None, pa.string()))


def _real_institutions(ids: pa.Array) -> pa.Array:
    """Institution ids as they are when ``I<digits>``; OpenAlex's placeholder ``I-1`` and any
    other id become null: no institution (the row's country, if any, still counts)."""
    real = pc.match_substring_regex(ids, pattern=r"^I[0-9]+$")
    return pc.if_else(real, ids, pa.scalar(None, pa.string()))


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
    struct = newest_copies(struct)
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
    author_name = _field(_field(flat, "author"), "display_name")
    authorships = pd.DataFrame(
        {
            "work_row": auth_parent,
            "author_index": author_index.astype("int64"),
            "author_id": _string_col(author_id),
            "author_name": _string_col(author_name),
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
    inst_id = _real_institutions(pc.if_else(pc.is_null(inst_id), inst_id, short_ids(inst_id)))
    raw_inst_codes = _field(iflat, "country_code")
    inst_codes = _clean_codes(raw_inst_codes)
    inst_rows = pd.DataFrame(
        {
            "auth_row": inst_parent,
            "institution_id": _string_col(inst_id),
            "institution_name": _string_col(_field(iflat, "display_name")),
            "institution_type": _string_col(_field(iflat, "type")),
            "country_code": _string_col(inst_codes),
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
    # The author's credit 1/n is split over their institution entries (1/m each). A country
    # that only ``countries`` names takes the share of the author's entries without a
    # country (or of the author's one empty slot when they list no institution), split
    # evenly when several such countries; when all the author's entries have a country, it
    # still counts for the work's countries but takes no share (weight 0).
    ctry = _field(flat, "countries")
    c_parent = pc.list_parent_indices(ctry).to_numpy()
    raw_c_codes = pc.list_flatten(ctry)
    c_codes = _clean_codes(raw_c_codes)
    c_rows = pd.DataFrame({"auth_row": c_parent, "country_code": _string_col(c_codes)}).dropna()
    c_rows = c_rows.drop_duplicates()
    m = np.bincount(inst_rows["auth_row"].to_numpy(), minlength=n_auth_rows)
    inst_rows = inst_rows.assign(share=1.0)
    if not c_rows.empty:
        covered = inst_rows[["auth_row", "country_code"]].dropna().drop_duplicates()
        c_rows = c_rows.merge(covered, how="left", indicator=True)
        c_rows = c_rows[c_rows["_merge"] == "left_only"].drop(columns="_merge")
    if not c_rows.empty:
        k = c_rows["auth_row"].value_counts()
        open_slot = inst_rows["country_code"].isna() & inst_rows["auth_row"].isin(k.index)
        filled = inst_rows[open_slot].drop(columns="country_code").merge(c_rows, on="auth_row")
        filled["share"] = 1.0 / k.reindex(filled["auth_row"]).to_numpy()
        no_slot = c_rows["auth_row"].isin(inst_rows.loc[open_slot, "auth_row"])
        c_rows = c_rows[~no_slot.to_numpy()]
        no_inst = m[c_rows["auth_row"].to_numpy()] == 0
        c_rows = c_rows.assign(
            share=np.where(no_inst, 1.0 / k.reindex(c_rows["auth_row"]).to_numpy(), 0.0)
        )
        inst_rows = pd.concat([inst_rows[~open_slot], filled], ignore_index=True)
    # --- authors with nothing at all get one empty row -------------------------------------
    has_row = np.zeros(n_auth_rows, dtype=bool)
    has_row[inst_rows["auth_row"].to_numpy()] = True
    has_row[c_rows["auth_row"].to_numpy()] = True
    empty = pd.DataFrame({"auth_row": np.flatnonzero(~has_row), "share": 1.0})

    rows = pd.concat([inst_rows, c_rows, empty], ignore_index=True, sort=False)
    rows = rows.sort_values("auth_row", kind="stable", ignore_index=True)
    auth_row = rows["auth_row"].to_numpy()
    aff = authorships.iloc[auth_row].reset_index(drop=True)
    for col in ("institution_id", "institution_name", "institution_type", "country_code"):
        aff[col] = pd.array(rows[col].to_numpy(dtype=object), dtype="string")
    work_row = aff["work_row"].to_numpy()
    na = n_authors.to_numpy(zero_copy_only=False)
    aff["weight"] = rows["share"].to_numpy(dtype="float64") / (
        na[work_row] * np.maximum(m, 1)[auth_row]
    )
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
    works[UPDATED] = _string_col(_field(struct, "updated_date"))
    works[XPAC] = pd.array(_field(struct, "is_xpac").to_pandas(), dtype="boolean")
    # Codes read as unknown: how many per work, and which, for the report.
    i_mask = _dropped(raw_inst_codes, inst_codes)
    c_mask = _dropped(raw_c_codes, c_codes)
    bad_rows = np.concatenate([auth_parent[inst_parent[i_mask]], auth_parent[c_parent[c_mask]]])
    bad_codes = np.concatenate([raw_inst_codes.filter(pa.array(i_mask)).to_numpy(False),
                                raw_c_codes.filter(pa.array(c_mask)).to_numpy(False)])
    works[BAD_CODES] = np.bincount(bad_rows, minlength=n).astype("int64")
    first = pd.Series(bad_codes, index=bad_rows, dtype="object").groupby(level=0).agg(
        lambda codes: "\n".join(dict.fromkeys(codes)))
    works[BAD_CODE] = pd.array(first.reindex(np.arange(n)).to_numpy(), dtype="string")
    return works[[*RAW_WORK_COLUMNS, *INTERNAL_COLUMNS]], aff[AFFILIATION_COLUMNS]


#: Columns of the raw works frame with the number of country codes read as unknown in the
#: record, and those codes (one per line; for :attr:`collabnet.tables.WorkTables.warnings`).
BAD_CODES, BAD_CODE = "_bad_codes", "_bad_code"
#: Column of the raw works frame with the record's ``is_xpac`` (a snapshot's xpac works are
#: left out unless asked for, as the API leaves them out; see :mod:`collabnet.sources.snapshot`).
XPAC = "_xpac"
#: Columns of the raw works frame that :func:`collabnet.tables.tables_from_frames` uses and
#: drops: which copy of a work wins, the codes read as unknown, and whether it is xpac.
INTERNAL_COLUMNS = [UPDATED, BAD_CODES, BAD_CODE, XPAC]


def _dropped(raw: pa.Array, clean: pa.Array) -> np.ndarray:
    """Where a code was given (not null, not blank) but is read as unknown."""
    given = pc.fill_null(pc.not_equal(pc.utf8_trim_whitespace(raw), ""), False)
    return pc.and_(given, pc.is_null(clean)).to_numpy(zero_copy_only=False)


def empty_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Raw (works, affiliations) frames with no rows and the right columns and types."""
    return record_frames(pa.array([], type=WORK_RECORD_TYPE))
