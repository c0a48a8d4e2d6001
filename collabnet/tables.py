"""The canonical form of a set of works: :class:`WorkTables` (``works`` and ``affiliations``).

Every source produces, and every analysis consumes, these two tables. They are built from
OpenAlex work records in batches: a batch of records becomes one Arrow struct array (C++
conversion that keeps only the fields collabnet uses), and the nested authorships and
institutions are unnested with Arrow list kernels and pandas joins, never a Python loop per
authorship. Both the current record schema (``authorships[].countries``) and the 2022–23 one
(``host_venue``, no per-author countries) are read.

Rules (see DESIGN.md): ids are short keys (``W123``, ``I45``, ``A67``); country codes are
upper case; a missing value is null; a work with no known country stays in ``works`` and is
classified ``"unknown"``.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from collabnet.errors import InputError, MalformedRecordError
from collabnet.sources.files import ReadReport, iter_works

#: Collaboration types of a work, in the order reports list them.
COLLABORATION_TYPES = ("international", "domestic", "single_institution", "unknown")

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

WORK_COLUMNS = [
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
    "collaboration",
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
_BATCH = 20_000


@dataclass
class WorkTables:
    """Works and their affiliations in canonical form.

    Attributes
    ----------
    works : pandas.DataFrame
        One row per work: ``work_id, year, type, cited_by_count, fwci, n_authors,
        n_institutions, n_countries, countries_distinct_count, is_top10, is_paratext,
        is_retracted, is_authors_truncated, collaboration``.
    affiliations : pandas.DataFrame
        One row per (work, authorship, institution): ``work_id, year, author_index, author_id,
        author_position, is_corresponding, institution_id, institution_name, institution_type,
        country_code, weight``. An author with no institution has one row with a null
        institution; an author whose ``countries`` name a country none of their institutions
        has gets an extra row with that country and a null institution. ``weight`` is the
        row's fractional share of the work: ``1 / (n_authors * rows of that author)``, so the
        weights of a work with authors sum to 1.
    """

    works: pd.DataFrame
    affiliations: pd.DataFrame

    def __len__(self) -> int:
        return len(self.works)

    def __repr__(self) -> str:
        return f"WorkTables({len(self.works)} works, {len(self.affiliations)} affiliations)"

    def select(
        self,
        *,
        years: tuple[int | None, int | None] | None = None,
        work_ids: Iterable[str] | None = None,
    ) -> WorkTables:
        """The tables restricted to works published in ``years`` (inclusive) or ``work_ids``."""
        mask = pd.Series(True, index=self.works.index)
        if years is not None:
            lo, hi = years
            y = self.works["year"]
            if lo is not None:
                mask &= (y >= lo).fillna(False)
            if hi is not None:
                mask &= (y <= hi).fillna(False)
        if work_ids is not None:
            mask &= self.works["work_id"].isin(set(work_ids))
        if bool(mask.all()):
            return self
        works = self.works[mask].reset_index(drop=True)
        keep = self.affiliations["work_id"].isin(works["work_id"])
        return WorkTables(works, self.affiliations[keep].reset_index(drop=True))

    def with_collaboration_rule(self, rule: str = "countries") -> WorkTables:
        """The same works with ``collaboration`` classified by ``rule``
        (``"countries"`` or ``"leiden"``; see :func:`classify_collaboration`)."""
        works = self.works.copy()
        works["collaboration"] = classify_collaboration(
            works["n_countries"].to_numpy(), works["n_institutions"].to_numpy(), rule
        ).to_numpy()
        works["collaboration"] = pd.Categorical(
            works["collaboration"], categories=list(COLLABORATION_TYPES)
        )
        return WorkTables(works, self.affiliations)

    def entity_works(self, level: str) -> pd.DataFrame:
        """Distinct (work_id, entity) pairs at ``level`` (country, institution or author).

        Each row also carries ``fraction``: the entity's share of the work's authorship, the
        sum over the work's authors of 1/n_authors split equally over each author's
        affiliations (Perianes-Rodriguez, Waltman & van Eck 2016). Fractions of one work sum
        to at most 1 (less when some affiliations have no known entity).
        """
        col = entity_column(level)
        a = self.affiliations[["work_id", col, "weight"]].dropna(subset=[col])
        out = a.groupby(["work_id", col], sort=False, observed=True)["weight"].sum()
        out = out.reset_index().rename(columns={col: "entity", "weight": "fraction"})
        return out

    def work_countries(self) -> pd.DataFrame:
        """Distinct (work_id, country_code) pairs: the countries of each work."""
        a = self.affiliations[["work_id", "country_code"]].dropna()
        return a.drop_duplicates(ignore_index=True)

    def work_institutions(self) -> pd.DataFrame:
        """Distinct (work_id, institution_id) pairs with the institution's name, type, country."""
        cols = ["work_id", "institution_id", "institution_name", "institution_type", "country_code"]
        a = self.affiliations[cols].dropna(subset=["institution_id"])
        return a.drop_duplicates(subset=["work_id", "institution_id"], ignore_index=True)

    def institutions(self) -> pd.DataFrame:
        """One row per institution: id and the name, type and country most often seen with it.

        Ties between equally frequent values go to the alphabetically first, so the result
        does not depend on record order.
        """
        a = self.affiliations.dropna(subset=["institution_id"])
        out = pd.DataFrame({"institution_id": pd.Series(sorted(a["institution_id"].unique()),
                                                        dtype="string")})
        for col, name in (("institution_name", "name"), ("institution_type", "type"),
                          ("country_code", "country_code")):
            out[name] = out["institution_id"].map(_most_frequent(a, "institution_id", col))
            out[name] = out[name].astype("string")
        return out


def _most_frequent(df: pd.DataFrame, key: str, col: str) -> pd.Series:
    """For each ``key``, its most frequent non-null ``col`` value (ties: smallest value)."""
    counts = df.groupby([key, col], observed=True).size().rename("n").reset_index()
    counts = counts.sort_values([key, "n", col], ascending=[True, False, True])
    return counts.drop_duplicates(subset=key).set_index(key)[col]


LEVELS = {"country": "country_code", "institution": "institution_id", "author": "author_id"}


def entity_column(level: str) -> str:
    """The affiliations column holding the entity key at ``level``."""
    try:
        return LEVELS[level]
    except KeyError:
        raise InputError(
            f"unknown level {level!r}: choose one of {', '.join(LEVELS)}"
        ) from None


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


def _to_struct(records: list[dict], where: list[tuple[str, int | None]]) -> pa.StructArray:
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


def _short_ids(arr: pa.Array) -> pa.Array:
    """Vectorised :func:`collabnet.sources.short_id`."""
    arr = pc.utf8_trim_whitespace(arr)
    arr = pc.replace_substring_regex(arr, pattern=r"^.*/", replacement="")
    first = pc.utf8_upper(pc.utf8_slice_codeunits(arr, 0, 1))
    rest = pc.utf8_slice_codeunits(arr, 1)
    return pc.binary_join_element_wise(first, rest, "")


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


def _batch_tables(struct: pa.StructArray) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Unnest one batch of work records into (works, affiliations) frames."""
    n = len(struct)
    work_id = _short_ids(_field(struct, "id"))
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
    author_id = pc.if_else(pc.is_null(author_id), author_id, _short_ids(author_id))
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
    inst_id = pc.if_else(pc.is_null(inst_id), inst_id, _short_ids(inst_id))
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
    works["collaboration"] = classify_collaboration(n_ctry, n_inst)
    return works[WORK_COLUMNS], aff[AFFILIATION_COLUMNS]


#: Rules for a work's collaboration type; see :func:`classify_collaboration`.
COLLABORATION_RULES = ("countries", "leiden")


def classify_collaboration(n_countries, n_institutions, rule: str = "countries") -> pd.Series:
    """Collaboration type of works from their numbers of distinct countries and institutions.

    Rule ``"countries"`` (collabnet's default, DESIGN.md): ``international`` when the
    affiliations span two or more countries; ``domestic`` when one country and two or more
    institutions; ``single_institution`` when one country and at most one institution;
    ``unknown`` when no country is known.

    Rule ``"leiden"`` (CWTS Leiden Ranking, ``collaboration_type_no``): a work with at most
    one institution is not a collaboration, whatever its countries, so ``international``
    needs two or more institutions *and* two or more countries. This differs from the
    default only for works whose countries come from one institution-less or multi-country
    author (e.g. a sole author whose ``countries`` lists two codes). Works with no known
    country stay ``unknown`` under both rules.

    The four types partition the works, so their counts add up to the total.

    References
    ----------
    CWTS-OpenAlex-databases, ``src/sql/indicators/table_scripts/02_create_tables.sql``.
    """
    if rule not in COLLABORATION_RULES:
        raise InputError(
            f"unknown collaboration rule {rule!r}: choose {' or '.join(COLLABORATION_RULES)}"
        )
    nc = np.asarray(n_countries)
    ni = np.asarray(n_institutions)
    multi_country = nc >= 2 if rule == "countries" else (nc >= 2) & (ni >= 2)
    out = np.where(
        multi_country,
        "international",
        np.where(nc >= 1, np.where(ni >= 2, "domestic", "single_institution"), "unknown"),
    )
    return pd.Series(pd.Categorical(out, categories=list(COLLABORATION_TYPES)))


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while many parsed records are alive.

    Parsed JSON holds no reference cycles, but each batch allocates hundreds of thousands of
    containers, which makes the collector run over and over (it tripled read times on the
    real sample). Reference counting still frees everything.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _empty_tables() -> WorkTables:
    struct = pa.array([], type=WORK_RECORD_TYPE)
    works, aff = _batch_tables(struct)
    return WorkTables(works, aff)


def build_tables(
    records: Iterable, *, located: bool = False, batch_size: int = _BATCH, progress=None
) -> WorkTables:
    """Build :class:`WorkTables` from OpenAlex work records.

    Parameters
    ----------
    records : iterable of dict
        OpenAlex work records (API, snapshot or JSON Lines shape; current or 2022–23 schema),
        or ``(source, line, record)`` triples when ``located`` is true (as yielded by
        :func:`collabnet.sources.iter_works` with ``located=True``), so that errors name the
        file and line.
    batch_size : int
        Records converted at once; bounds memory for large inputs.
    progress : callable, optional
        Called with the number of records in each finished batch (e.g. ``tqdm.update``).

    Returns
    -------
    WorkTables

    Raises
    ------
    MalformedRecordError
        A record whose fields have impossible types (e.g. ``authorships`` not a list).

    Notes
    -----
    A work's countries are the union of its institutions' ``country_code`` and its
    authorships' ``countries`` (as the CWTS Leiden Ranking does). Work ids seen twice are
    kept once (first occurrence).

    Examples
    --------
    >>> rec = {"id": "https://openalex.org/W1", "publication_year": 2020, "authorships": [
    ...     {"author": {"id": "https://openalex.org/A1"}, "institutions": [
    ...         {"id": "https://openalex.org/I1", "display_name": "Univ A", "country_code": "jp"}]},
    ...     {"author": {"id": "https://openalex.org/A2"}, "countries": ["US"], "institutions": []}]}
    >>> t = build_tables([rec])
    >>> w = t.works.iloc[0]
    >>> w["work_id"], int(w["n_countries"]), w["collaboration"]
    ('W1', 2, 'international')
    """
    works_parts: list[pd.DataFrame] = []
    aff_parts: list[pd.DataFrame] = []
    seen: set[str] = set()
    batch: list[dict] = []
    where: list[tuple[str, int | None]] = []

    def flush():
        if not batch:
            return
        struct = _to_struct(batch, where)
        w, a = _batch_tables(struct)
        works_parts.append(w)
        aff_parts.append(a)
        if progress is not None:
            progress(len(batch))
        batch.clear()
        where.clear()

    with paused_gc():
        _consume(records, located, seen, batch, where, batch_size, flush)
    return _concat(list(zip(works_parts, aff_parts)))


def _consume(records, located, seen, batch, where, batch_size, flush) -> None:
    for i, item in enumerate(records):
        if located:
            src, line, rec = item
        else:
            src, line, rec = "<records>", i + 1, item
        if not isinstance(rec, dict) or not isinstance(rec.get("id"), str):
            raise MalformedRecordError(src, line, "record has no work 'id'")
        key = rec["id"].strip().rstrip("/").rsplit("/", 1)[-1].upper()
        if key in seen:
            continue
        seen.add(key)
        batch.append(rec)
        where.append((src, line))
        if len(batch) >= batch_size:
            flush()
    flush()


def tables_from_records(records: Iterable[dict]) -> WorkTables:
    """Convenience alias of :func:`build_tables` for a list of records."""
    return build_tables(records)


READ_ENGINES = ("auto", "python")


def _arrow_file_tables(path, seen: set[str]):
    """Parse a JSON Lines file with Arrow's C++ JSON reader; None when it needs the Python path.

    Only the fields of :data:`WORK_RECORD_TYPE` are parsed. Any file the fast reader cannot
    take whole — odd types, a line that is an API page, a record without an id, a damaged
    gzip stream — returns None and is read again by the record-by-record path, which fixes
    what it can and names the file and line of what it cannot. ``seen`` is only updated
    when the whole file succeeded.
    """
    import pyarrow.json as pj

    fields = list(WORK_RECORD_TYPE)
    parse = pj.ParseOptions(explicit_schema=pa.schema(fields), unexpected_field_behavior="ignore")
    parts: list[tuple[pd.DataFrame, pd.DataFrame]] = []
    file_seen: set[str] = set()
    n_records = n_new = 0
    try:
        reader = pj.open_json(
            str(path), read_options=pj.ReadOptions(block_size=32 << 20), parse_options=parse
        )
        for batch in reader:
            struct = pa.StructArray.from_arrays(
                [batch.column(f.name) for f in fields], fields=fields
            )
            if struct.field("id").null_count:
                return None
            n_records += len(struct)
            keys = pc.utf8_upper(_short_ids(struct.field("id"))).to_pylist()
            keep = []
            for k in keys:
                fresh = k not in seen and k not in file_seen
                keep.append(fresh)
                file_seen.add(k)
            n_new += sum(keep)
            if not all(keep):
                struct = struct.filter(pa.array(keep))
            if len(struct):
                parts.append(_batch_tables(struct))
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OSError, EOFError):
        return None
    seen.update(file_seen)
    return parts, n_records, n_records - n_new


def _concat(parts: list[tuple[pd.DataFrame, pd.DataFrame]]) -> WorkTables:
    if not parts:
        return _empty_tables()
    works = pd.concat([w for w, _ in parts], ignore_index=True)
    aff = pd.concat([a for _, a in parts], ignore_index=True)
    works["collaboration"] = pd.Categorical(
        works["collaboration"].astype(str), categories=list(COLLABORATION_TYPES)
    )
    return WorkTables(works, aff)


def read_tables(
    paths, *, skip_bad: bool = False, progress: bool = False, engine: str = "auto"
) -> tuple[WorkTables, ReadReport]:
    """Read work records from files or folders straight into :class:`WorkTables`.

    Parameters
    ----------
    paths : path or list of paths
        Anything :func:`collabnet.sources.iter_works` reads.
    skip_bad : bool
        Skip malformed records (counted in the report) instead of stopping at the first.
    progress : bool
        Show a progress bar (records read) on standard error.
    engine : {"auto", "python"}
        ``"auto"`` parses JSON Lines files with Arrow's C++ JSON reader (about twice as fast)
        and falls back, file by file, to the record-by-record reader for anything it cannot
        take whole; ``"python"`` always uses the record-by-record reader. Both give the
        same tables (a test checks it on every real record file).

    Returns
    -------
    (WorkTables, ReadReport)

    Examples
    --------
    >>> tables, report = read_tables("works.jsonl.gz")  # doctest: +SKIP
    >>> report.records, report.works, len(tables)  # doctest: +SKIP
    """
    from tqdm.auto import tqdm

    from collabnet.sources.files import expand_paths, is_json_lines

    if engine not in READ_ENGINES:
        raise InputError(f"unknown read engine {engine!r}: choose auto or python")
    report = ReadReport()
    seen: set[str] = set()
    parts: list[tuple[pd.DataFrame, pd.DataFrame]] = []
    with paused_gc(), tqdm(
        desc="reading works", unit=" works", disable=not progress, leave=False, mininterval=0.5
    ) as bar:
        for path in expand_paths(paths):
            fast = None
            if engine == "auto" and is_json_lines(path):
                fast = _arrow_file_tables(path, seen)
            if fast is not None:
                file_parts, n_records, n_dupes = fast
                report.files.append(str(path))
                report.records += n_records
                report.duplicates += n_dupes
                parts.extend(file_parts)
                bar.update(n_records)
                continue
            records = iter_works(path, skip_bad=skip_bad, report=report, located=True, seen=seen)
            t = build_tables(records, located=True, progress=bar.update)
            parts.append((t.works, t.affiliations))
    return _concat(parts), report
