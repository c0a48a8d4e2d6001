"""One part file of an OpenAlex snapshot into raw frames: the unit of work of a snapshot read.

:func:`read_part_frames` is a plain function of a :class:`SnapshotPart` (a picklable
description: where the file is, its partition, format and the manifest's counts), the ids to
leave out (deleted and merged-away works) and the filters, so that it can run on its own,
one task per part (Dask or any pool). It checks the part against the manifest (missing,
short, a record count that differs, damaged gzip or Parquet: a :class:`SnapshotPartError`
naming the part), reads it with the readers every file goes through (gzip JSON Lines by
:func:`~collabnet.sources.jsonl.read_jsonl_frames`, falling back to the record-by-record
reader; Parquet with pyarrow, conformed to
:data:`~collabnet.sources.fit.WORK_RECORD_TYPE`), and drops, frame by frame, the works that
are not wanted, so that memory holds only matching works. Parts on S3 or HTTP are read
through fsspec (the ``snapshot`` extra), one part copied to a temporary file at a time.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from collabnet.errors import InputError, MalformedRecordError
from collabnet.groups import expand
from collabnet.keys import (
    normalize_institution,
    parse_years,
    split_countries,
    split_list,
    validate_country,
)
from collabnet.query import WORK_TYPES
from collabnet.sources.duplicates import UPDATED
from collabnet.sources.files import ReadReport
from collabnet.sources.fit import WORK_RECORD_TYPE
from collabnet.sources.jsonl import BATCH, read_jsonl_frames, read_record_frames
from collabnet.sources.records import XPAC, record_frames

#: What to install for snapshots on S3 or HTTP.
INSTALL_HINT = "reading a snapshot from S3 or HTTP needs fsspec: pip install 'collabnet[snapshot]'"
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
#: What an unreachable remote file raises (fsspec maps HTTP 404 and S3's NoSuchKey to
#: FileNotFoundError; aiohttp's connection errors are OSErrors).
_REMOTE_ERRORS = (OSError, ValueError, RuntimeError)


@dataclass(frozen=True)
class SnapshotPart:
    """One part file of a snapshot, as the manifest and the folder describe it.

    ``location`` is the file's path or URL, ``name`` its path below the works folder
    (``updated_date=2024-01-02/part_000.gz``), ``partition`` the ``updated_date`` of its
    folder (None outside one), ``format`` ``"jsonl"`` or ``"parquet"``; ``record_count`` and
    ``content_length`` are the manifest's (None when it does not list the part;
    ``content_length`` also when it lists the part's other format), ``size`` the bytes found
    (None when not looked at, as for remote parts), ``present`` False for a part the
    manifest lists that is not there.
    """

    location: str
    name: str
    partition: str | None
    format: str
    record_count: int | None = None
    content_length: int | None = None
    size: int | None = None
    present: bool = True

    @property
    def listed(self) -> bool:
        """Whether the manifest lists this part (so its counts can be checked)."""
        return self.record_count is not None or self.content_length is not None


class SnapshotPartError(InputError):
    """A part file that is missing, short, damaged, or holds other records than the manifest
    says; the one-line message names the part."""


@dataclass
class SnapshotReport(ReadReport):
    """What a snapshot read saw: a :class:`~collabnet.sources.ReadReport` whose ``records``
    are the records kept (``records - duplicates`` works end up in the tables), with the
    parts read, the bad parts skipped (``skip_bad``) and the records left out on purpose."""

    parts: int = 0
    bad_parts: list[str] = field(default_factory=list)
    records_read: int = 0
    deleted: int = 0  # deleted or merged into another work
    xpac: int = 0
    filtered: int = 0
    warnings: list[str] = field(default_factory=list)

    def add(self, other: SnapshotReport) -> None:
        """Add another part's report to this one."""
        self.files += other.files
        self.bad_examples = (self.bad_examples + other.bad_examples)[:5]
        self.bad_parts += other.bad_parts
        self.warnings += [w for w in other.warnings if w not in self.warnings]
        for name in ("records", "duplicates", "bad", "parts", "records_read", "deleted",
                     "xpac", "filtered"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def warning(self) -> str | None:
        """One line on bad parts and malformed records skipped, or None."""
        said = [f"skipped {len(self.bad_parts)} bad snapshot part(s); first: "
                f"{self.bad_parts[0]}"] if self.bad_parts else []
        if self.bad:
            said.append(ReadReport.warning(self))
        return "; ".join([*self.warnings, *said]) or None


@dataclass(frozen=True)
class WorkFilter:
    """Which works a snapshot read keeps, with :class:`~collabnet.query.WorkQuery`'s meaning:
    any affiliation in one of ``countries`` (a work's countries as collabnet reads them:
    institutions' ``country_code``, and ``authorships[].countries``), any author at one of
    ``institutions`` (OpenAlex ids), ``publication_year`` in ``years`` (inclusive, either end
    open), ``type`` one of ``types``; empty means any. Build it with :func:`work_filter`."""

    countries: frozenset = frozenset()
    institutions: frozenset = frozenset()
    years: tuple | None = None
    types: frozenset = frozenset()
    include_xpac: bool = False


def work_filter(*, countries=None, institutions=None, years=None, types=None,
                include_xpac: bool = False) -> WorkFilter:
    """A :class:`WorkFilter` from values as :class:`~collabnet.query.WorkQuery` takes them
    (country codes and group names, ``I…`` ids, the year grammar, work types).

    >>> work_filter(countries="jp,kr", years="2015-").countries == {"JP", "KR"}
    True
    """
    insts = set()
    for raw in split_list(institutions):
        kind, ident = normalize_institution(raw)
        if kind != "openalex":
            raise InputError(f"snapshot filters take OpenAlex institution ids (I…), not the "
                             f"ROR id {raw!r}")
        insts.add(ident)
    kinds = {str(t).strip().lower() for t in split_list(types)}
    unknown = sorted(kinds - WORK_TYPES)
    if unknown:
        raise InputError(f"unknown work type {unknown[0]!r}: expected one of "
                         f"{', '.join(sorted(WORK_TYPES))}")
    return WorkFilter(
        countries=frozenset(validate_country(c) for c in expand(split_countries(countries))),
        institutions=frozenset(insts), years=parse_years(years), types=frozenset(kinds),
        include_xpac=bool(include_xpac))


def id_numbers(ids) -> np.ndarray:
    """Work ids (``W123``, or full URLs; a pandas Series or Arrow array) as int64 numbers,
    -1 for anything else: the compact form in which the ids to leave out travel (8 bytes
    each, picklable).

    >>> id_numbers(pd.Series(["W12", "https://openalex.org/W7", "A3", None])).tolist()
    [12, 7, -1, -1]
    """
    arr = ids if isinstance(ids, pa.Array) else pa.array(ids, type=pa.string(), from_pandas=True)
    key = pc.replace_substring_regex(pc.utf8_trim_whitespace(arr), pattern=r"^.*/",
                                     replacement="")
    ok = pc.fill_null(pc.match_substring_regex(key, pattern=r"^[Ww][0-9]{1,18}$"), False)
    number = pc.cast(pc.utf8_slice_codeunits(pc.if_else(ok, key, "W-1"), 1), pa.int64())
    return number.to_numpy(zero_copy_only=False)


@dataclass
class PartFrames:
    """What :func:`read_part_frames` gives for one part: the frames of the works kept, the
    report, and ``seen``, the sorted numbers of every work id in the part (W12 → 12; kept
    or not), which tell :func:`collabnet.sources.snapshot.combine_parts` which kept copies
    a later partition supersedes."""

    frames: list
    report: SnapshotReport
    seen: np.ndarray


def read_part_frames(part: SnapshotPart, *, excluded=None, countries=None, institutions=None,
                     years=None, types=None, include_xpac: bool = False,
                     skip_bad: bool = False, progress=None) -> PartFrames:
    """Raw frames of the wanted works in one snapshot part, and what was read.

    Parameters
    ----------
    part : SnapshotPart
        From :func:`collabnet.sources.snapshot.open_snapshot`.
    excluded : array of int or set of str, optional
        Works to leave out (deleted, merged into another): ``Snapshot.excluded_ids()``, or
        work ids.
    countries, institutions, years, types, include_xpac
        See :func:`work_filter`; xpac works are left out unless ``include_xpac``.
    skip_bad : bool
        A bad part (missing, short, damaged, other record count) is counted in
        ``report.bad_parts`` and gives no frames, instead of raising; malformed records in a
        good part are skipped and counted as :func:`collabnet.read_tables` does.
    progress : callable, optional
        Called with the number of bytes read (may go back, negative, when a file is read
        again by the record-by-record reader).

    Returns
    -------
    PartFrames
        ``frames`` are those of :func:`~collabnet.sources.records.record_frames` (a list of
        (works, affiliations) pairs), with ``_updated`` prefixed by the partition date, so
        that of copies in several parts the later partition wins in
        :func:`collabnet.tables.tables_from_frames` whatever their ``updated_date`` fields.
        A filter drops a part's copy of a work, not the work: pass the results, in date
        order, to :func:`collabnet.sources.snapshot.combine_parts`, which drops an older
        copy that a later partition holds, kept or not.

    Raises
    ------
    SnapshotPartError
        A bad part (unless ``skip_bad``), named in the message.
    """
    keep = work_filter(countries=countries, institutions=institutions, years=years,
                       types=types, include_xpac=include_xpac)
    drop = _as_numbers(excluded)
    report = SnapshotReport()
    try:
        with local_copy(part) as path:
            frames, n_read, part_report = _read(part, path, skip_bad, progress)
        _check_count(part, n_read)
    except SnapshotPartError as exc:
        if not skip_bad:
            raise
        report.bad_parts.append(str(exc))
        return PartFrames([], report, np.empty(0, "int64"))
    report.add(part_report)
    report.files.append(part.location)
    report.parts, report.records_read = 1, n_read
    seen = [np.empty(0, "int64")]
    out = []
    for works, aff in frames:
        seen.append(id_numbers(works["work_id"]))
        works, aff = _wanted(works, aff, seen[-1], keep, drop, report)
        if len(works):
            if part.partition is not None:
                works[UPDATED] = part.partition + "#" + works[UPDATED].fillna("")
            out.append((works, aff))
    report.records = n_read - report.bad - report.deleted - report.xpac - report.filtered
    seen = np.unique(np.concatenate(seen))
    return PartFrames(out, report, seen[seen >= 0])


def _as_numbers(excluded) -> np.ndarray:
    if excluded is None:
        return np.empty(0, dtype="int64")
    if isinstance(excluded, np.ndarray) and excluded.dtype.kind == "i":
        return np.unique(excluded)
    return np.unique(id_numbers(pd.Series(list(excluded), dtype="object")))


def _check_count(part: SnapshotPart, n_read: int) -> None:
    if part.record_count is not None and n_read != part.record_count:
        raise SnapshotPartError(f"{part.location}: snapshot part holds {n_read:,} records, "
                                f"the manifest says {part.record_count:,}")


def _read(part: SnapshotPart, path: Path, skip_bad: bool, progress):
    """(frames, records read including malformed ones, report) of one local part file."""
    size = path.stat().st_size
    if part.content_length is not None and size != part.content_length:
        raise SnapshotPartError(f"{part.location}: snapshot part is {size:,} bytes, the "
                                f"manifest says {part.content_length:,} (download incomplete?)")
    report = SnapshotReport()
    if part.format == "parquet":
        frames, n = _parquet_frames(part, path, skip_bad, report)
        if progress is not None:
            progress(size)
        return frames, n, report
    done = 0

    def step(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(n)

    fast = read_jsonl_frames(path, progress=step)
    if fast is not None:
        return fast[0], fast[1], report
    step(-done)  # read again, record by record
    seen = _Problems()
    local = str(path)
    try:
        frames = read_record_frames(path, skip_bad=True, report=seen, progress=step)
    except InputError as exc:  # the file could not be read at all
        raise SnapshotPartError(f"{part.location}: cannot read snapshot part "
                                f"({str(exc)[len(local):].lstrip(': ')})") from None

    def named(text: str) -> str:  # the part's own location, not a temporary copy's
        return part.location + text[len(local):] if text.startswith(local) else text

    if seen.damage is not None:
        where = str(seen.damage)[len(local):].lstrip(":")
        where = f"line {where}" if where[:1].isdigit() else where.lstrip()
        raise SnapshotPartError(f"{part.location}: damaged snapshot part ({where})")
    if seen.problems and not skip_bad:
        first = seen.problems[0]
        raise MalformedRecordError(part.location, first.line, first.reason)
    report.bad, report.bad_examples = seen.bad, [named(t) for t in seen.bad_examples]
    return frames, seen.records + seen.bad, report


@dataclass
class _Problems(ReadReport):
    """A report that keeps the problems themselves: damage (gzip) is told from malformed
    records by its type, not its wording."""

    problems: list = field(default_factory=list)
    damage: Exception | None = None

    def skipped(self, problem: Exception) -> None:
        super().skipped(problem)
        self.problems.append(problem)
        if self.damage is None and not isinstance(problem, MalformedRecordError):
            self.damage = problem


def _parquet_frames(part: SnapshotPart, path: Path, skip_bad: bool, report: SnapshotReport):
    import pyarrow.parquet as pq

    frames, n = [], 0
    try:
        pf = pq.ParquetFile(path)
        names = set(pf.schema_arrow.names)
        if "id" not in names:
            raise SnapshotPartError(f"{part.location}: snapshot part has no 'id' column")
        cols = [f.name for f in WORK_RECORD_TYPE if f.name in names]
        for batch in pf.iter_batches(batch_size=BATCH, columns=cols):
            struct = conform(pa.StructArray.from_arrays(
                [batch.column(c) for c in cols], names=cols), WORK_RECORD_TYPE, part.location)
            ids = pc.utf8_trim_whitespace(struct.field("id"))
            good = pc.fill_null(pc.not_equal(ids, ""), False)
            if not pc.all(good).as_py():
                first = n + pc.index(good, False).as_py() + 1
                err = MalformedRecordError(part.location, first, "record has no work 'id'")
                if not skip_bad:
                    raise err
                for _ in range(len(good) - pc.sum(good).as_py()):
                    report.skipped(err)
                struct = struct.filter(good)
            n += len(batch)
            if len(struct):
                frames.append(record_frames(struct))
    except (pa.ArrowException, OSError) as exc:
        why = " ".join(str(exc).split())[:200]
        raise SnapshotPartError(f"{part.location}: damaged snapshot part ({why})") from None
    return frames, n


def conform(arr: pa.Array, typ: pa.DataType, where: str, path: str = "") -> pa.Array:
    """``arr`` as Arrow type ``typ``: fields matched by name (missing ones null, others
    dropped), lists and numbers cast (int32 to int64, a timestamp to text); a value that
    cannot be cast raises :class:`SnapshotPartError` naming ``where`` and the field."""
    if arr.type == typ:
        return arr
    if pa.types.is_struct(typ) and pa.types.is_struct(arr.type):
        have = {arr.type.field(i).name for i in range(arr.type.num_fields)}
        children = [conform(arr.field(f.name), f.type, where, f"{path}.{f.name}".lstrip("."))
                    if f.name in have else pa.nulls(len(arr), f.type) for f in typ]
        return pa.StructArray.from_arrays(children, fields=list(typ), mask=arr.is_null())
    if pa.types.is_list(typ) and (pa.types.is_list(arr.type) or pa.types.is_large_list(arr.type)):
        offsets = arr.offsets
        start, end = offsets[0].as_py(), offsets[-1].as_py()
        values = conform(arr.values.slice(start, end - start), typ.value_type, where, path)
        offsets = pc.subtract(offsets, start).cast(pa.int32())
        return pa.ListArray.from_arrays(offsets, values, type=typ, mask=arr.is_null())
    try:
        return pc.cast(arr, typ)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        why = str(exc).splitlines()[0][:100]
        raise SnapshotPartError(f"{where}: snapshot field {path or 'record'} is {arr.type}, "
                                f"not {typ} ({why})") from None


def _wanted(works: pd.DataFrame, aff: pd.DataFrame, numbers: np.ndarray, keep: WorkFilter,
            drop: np.ndarray, report: SnapshotReport):
    """The frames without the works left out (``numbers``: the works' id numbers), each
    counted once under its first reason: deleted or merged, xpac, not matching."""
    gone = np.zeros(len(works), dtype=bool)
    if len(drop):
        gone = np.isin(numbers, drop)
        report.deleted += int(gone.sum())
    if not keep.include_xpac:
        xpac = works[XPAC].fillna(False).to_numpy(dtype=bool) & ~gone
        report.xpac += int(xpac.sum())
        gone |= xpac
    want = np.ones(len(works), dtype=bool)
    if keep.years is not None:
        first, last = keep.years
        year = works["year"]
        want &= year.notna().to_numpy() & (year >= (first or 0)).fillna(False).to_numpy() \
            & (year <= (last or 9999)).fillna(False).to_numpy()
    if keep.types:
        want &= works["type"].str.lower().isin(keep.types).fillna(False).to_numpy(dtype=bool)
    for column, values in (("country_code", keep.countries),
                           ("institution_id", keep.institutions)):
        if values:
            hit = aff.loc[aff[column].isin(values).fillna(False).to_numpy(dtype=bool), "work_id"]
            want &= works["work_id"].isin(hit).to_numpy()
    report.filtered += int((~want & ~gone).sum())
    kept = want & ~gone
    if kept.all():
        return works, aff
    works = works[kept].reset_index(drop=True)
    aff = aff[aff["work_id"].isin(works["work_id"]).to_numpy()].reset_index(drop=True)
    return works, aff


# --- where the files are: a local folder, or S3/HTTP through fsspec --------------------------

def is_url(location: str | os.PathLike) -> bool:
    """Whether ``location`` is a URL (``s3://…``, ``https://…``) rather than a local path."""
    return isinstance(location, str) and bool(_URL.match(location)) \
        and not location.startswith("file://")


def filesystem(url: str):
    """The fsspec file system of ``url``: S3 anonymously (the public OpenAlex bucket), HTTP
    as it is; InputError telling what to install when fsspec (or s3fs, aiohttp) is missing."""
    try:
        import fsspec
    except ImportError:
        raise InputError(INSTALL_HINT) from None
    protocol = url.split("://", 1)[0].lower()
    options = {"anon": True} if protocol in ("s3", "s3a", "gs", "gcs") else {}
    try:
        return fsspec.core.url_to_fs(url, **options)[0]
    except ImportError as exc:
        raise InputError(f"{INSTALL_HINT} ({exc.name or exc} is missing)") from None
    except ValueError as exc:
        raise InputError(f"{url}: cannot read this kind of location ({exc})") from None


@contextmanager
def local_copy(part: SnapshotPart):
    """The part as a local file: itself, or a temporary copy of a remote one (removed after);
    SnapshotPartError when it is not there."""
    if not is_url(part.location):
        path = Path(part.location.removeprefix("file://"))
        if not path.is_file():
            raise SnapshotPartError(f"{part.location}: snapshot part listed in the manifest "
                                    "is missing")
        yield path
        return
    folder = tempfile.mkdtemp(prefix="collabnet-part-")
    try:
        path = Path(folder) / Path(part.name).name
        try:
            filesystem(part.location).get_file(part.location, str(path))
        except FileNotFoundError:
            raise SnapshotPartError(f"{part.location}: snapshot part listed in the manifest "
                                    "is missing") from None
        except _REMOTE_ERRORS as exc:
            raise SnapshotPartError(f"{part.location}: cannot fetch snapshot part "
                                    f"({' '.join(str(exc).split())[:200]})") from None
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)
