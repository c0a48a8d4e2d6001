"""OpenAlex work records as columnar frames: the record schema and its Arrow conversion.

The one place that knows the shape of an OpenAlex work record (both the current schema with
``authorships[].countries`` and the 2022–23 one). A batch of records becomes one Arrow struct
array (C++ conversion that keeps only the fields collabnet uses); its nested authorships and
institutions are unnested with Arrow list kernels and pandas joins, never a Python loop per
authorship, into two raw frames — one row per work and one per (work, author, institution) —
that :mod:`collabnet.tables` turns into the canonical :class:`~collabnet.tables.WorkTables`.
Records whose fields have odd types are fixed where the intent is clear (``"true"``, ``"12"``)
and otherwise reported with their file, line and field path (:func:`fit_work`).
"""

from __future__ import annotations

import contextlib
import math
import operator

import numpy as np
import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from collabnet.errors import MalformedRecordError
from collabnet.keys import country_codes, short_id, short_ids

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

_INT64 = (-(1 << 63), (1 << 63) - 1)
#: How much of a wrong value an error message quotes.
QUOTE_CHARS = 40
_JSON_KINDS = {str: "a string", bool: "a boolean", int: "a number", float: "a number",
               dict: "an object", list: "a list", tuple: "a list"}
_NONE = type(None)
_STR, _INT, _BOOL = frozenset((str, _NONE)), frozenset((int, _NONE)), frozenset((bool, _NONE))
_NUM = frozenset((float, int, _NONE))


class Misfit(ValueError):
    """A value that does not fit :data:`WORK_RECORD_TYPE` and cannot be fixed; ``str(err)``
    is one short line naming the field path and quoting at most :data:`QUOTE_CHARS`
    characters of the value.

    >>> str(Misfit("authorships[2].institutions", "a list", 5))
    'authorships[2].institutions must be a list, not a number (5)'
    """

    def __init__(self, path: str, want: str, value: object):
        self.path = path
        kind = next((k for t, k in _JSON_KINDS.items() if isinstance(value, t)), "")
        kind = kind or type(value).__name__
        super().__init__(f"{path} must be {want}, not {kind} ({quote(value)})")


def quote(value: object, limit: int = QUOTE_CHARS) -> str:
    """A value as JSON-like text for a message, cut to ``limit`` characters."""
    try:
        finite = not isinstance(value, float) or math.isfinite(value)
        text = orjson.dumps(value).decode() if finite else repr(value)
    except (TypeError, ValueError, orjson.JSONEncodeError):
        text = repr(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def fit_work(rec: dict) -> dict:
    """``rec`` itself when it fits :data:`WORK_RECORD_TYPE`, else a fixed copy.

    Fixed where the intent is clear: ``"true"``/``"false"`` (any case) and 0/1 for
    true/false; ``2015.0`` and ``"2015"`` for a whole number; ``"1.5"`` for a number; one
    country code string for a list of one. Any other value that is not null and not of the
    field's type — a fractional or boolean year, ``authorships`` that is not a list, an
    institution that is not an object, ``author`` a list — raises :class:`Misfit` naming
    the field path. Fields collabnet does not read are not looked at.

    >>> fit_work({"id": "W1", "publication_year": "2015"})["publication_year"]
    2015
    >>> fit_work({"id": "W1", "publication_year": 2015.5})
    Traceback (most recent call last):
    ...
    collabnet.sources.records.Misfit: publication_year must be a whole number, not a number (2015.5)
    """
    if type(rec) is dict and _fits(rec):
        return rec
    return _fit(rec, WORK_RECORD_TYPE, "")


def _fits(rec: dict) -> bool:
    """Whether a record fits as it is: the common case, checked in one unrolled pass as it
    runs for every record (False: :func:`_fit` looks closer)."""
    g = rec.get
    if (type(g("id")) not in _STR or type(g("type")) not in _STR or type(g("fwci")) not in _NUM
            or type(g("is_paratext")) not in _BOOL or type(g("is_retracted")) not in _BOOL
            or type(g("is_authors_truncated")) not in _BOOL):
        return False
    for k in ("publication_year", "cited_by_count", "countries_distinct_count"):
        v = g(k)
        if type(v) not in _INT or v is not None and not _INT64[0] <= v <= _INT64[1]:
            return False
    v = g("citation_normalized_percentile")
    if v is not None and (type(v) is not dict or type(v.get("is_in_top_10_percent")) not in _BOOL):
        return False
    auths = g("authorships")
    if auths is None:
        return True
    if type(auths) is not list:
        return False
    for a in auths:  # unrolled, as are the institutions below: a call each would cost more
        if type(a) is not dict:
            if a is None:
                continue
            return False
        g = a.get
        au = g("author")
        if (type(g("author_position")) not in _STR or type(g("is_corresponding")) not in _BOOL
                or au is not None and (type(au) is not dict or type(au.get("id")) not in _STR)):
            return False
        v = g("countries")
        if v is not None:
            if type(v) is not list:
                return False
            for c in v:
                if type(c) is not str and c is not None:
                    return False
        insts = g("institutions")
        if insts is None:
            continue
        if type(insts) is not list:
            return False
        for i in insts:
            if type(i) is dict:
                g = i.get
                if (type(g("id")) not in _STR or type(g("display_name")) not in _STR
                        or type(g("country_code")) not in _STR or type(g("type")) not in _STR):
                    return False
            elif i is not None:
                return False
    return True


def _fit(v, t: pa.DataType, path: str):
    """``v`` fitted to the Arrow type ``t``: itself, a fixed copy, or :class:`Misfit`."""
    if v is None:
        return None
    if pa.types.is_struct(t):
        if not isinstance(v, dict):
            raise Misfit(path or "record", "an object", v)
        out = v
        for f in t:
            x = v.get(f.name)
            y = _fit(x, f.type, f"{path}.{f.name}" if path else f.name)
            if y is not x:
                out = out if out is not v else dict(v)
                out[f.name] = y
        return out
    if pa.types.is_list(t):
        if isinstance(v, str) and pa.types.is_string(t.value_type):
            v = [v]  # one country code for a list of one
        if not isinstance(v, (list, tuple)):
            raise Misfit(path, "a list", v)
        items = [_fit(x, t.value_type, f"{path}[{i}]") for i, x in enumerate(v)]
        return v if type(v) is list and all(x is y for x, y in zip(items, v)) else items
    if pa.types.is_string(t):
        if not isinstance(v, str):
            raise Misfit(path, "a string", v)
        return v
    if isinstance(v, (bool, np.bool_)) and not pa.types.is_boolean(t):
        raise Misfit(path, "a whole number" if pa.types.is_integer(t) else "a number", v)
    if pa.types.is_integer(t):
        return v if type(v) is int and _INT64[0] <= v <= _INT64[1] else _as_int(v, path)
    if pa.types.is_floating(t):
        return v if type(v) in _NUM else _as_float(v, path)
    return v if type(v) is bool else _as_bool(v, path)


def _as_int(v, path: str) -> int:
    """A whole number from an int, an integral float (2015.0) or such a string ("2015")."""
    n = None
    if isinstance(v, str):
        with contextlib.suppress(ValueError):
            n = int(v)
    if n is None:
        try:
            n = operator.index(v)
        except TypeError:
            with contextlib.suppress(TypeError, ValueError, OverflowError):
                f = float(v)
                n = int(f) if f == int(f) else None
    if n is None or not _INT64[0] <= n <= _INT64[1]:
        raise Misfit(path, "a whole number", v)
    return n


def _as_float(v, path: str) -> float:
    """A number from an int, a float or a numeric string ("1.5")."""
    try:
        return float(v.strip() if isinstance(v, str) else v)
    except (TypeError, ValueError, OverflowError):
        raise Misfit(path, "a number", v) from None


def _as_bool(v, path: str) -> bool:
    """true/false from a bool, "true"/"false" (any case) or the numbers 0 and 1."""
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, str) and v.strip().lower() in ("true", "false"):
        return v.strip().lower() == "true"
    if isinstance(v, (int, float)) and v in (0, 1):
        return bool(v)
    raise Misfit(path, "true or false", v)


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
    inst_id = _real_institutions(pc.if_else(pc.is_null(inst_id), inst_id, short_ids(inst_id)))
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
