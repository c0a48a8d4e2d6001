"""Read OpenAlex work records from files: JSON Lines, JSON arrays, saved API pages, snapshots.

One reader serves every file shape collabnet meets in practice: JSON Lines (``.jsonl``,
``.jsonl.gz``), the OpenAlex snapshot's ``part_NNN.gz`` files (gzip JSON Lines), a JSON array of
works, a single work, and saved API pages (``{"meta": …, "results": […]}``, one per file or one
per line). A path may be a file or a folder (searched recursively). Records are yielded as
plain dicts, each work id once; a malformed line raises :class:`MalformedRecordError` naming the
file and line, or, with ``skip_bad=True``, is counted and reported at the end. Gzip is told by a
file's first bytes; a damaged or truncated gzip stretch is one such bad record, and reading goes
on after it (see :func:`iter_works`).
"""

from __future__ import annotations

import gc
import itertools
import json
import os
import re
import zlib
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from collabnet.errors import InputError, MalformedRecordError
from collabnet.keys import check_choice, short_id
from collabnet.sources.duplicates import record_date
from collabnet.sources.pieces import GZIP, Bad, pieces

#: File name endings read when a folder is given; anything else in a folder is ignored.
RECORD_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz", ".json", ".json.gz", ".gz")


@dataclass
class ReadReport:
    """What a read saw: files, records, duplicates dropped and bad lines skipped."""

    files: list[str] = field(default_factory=list)
    records: int = 0
    duplicates: int = 0
    bad: int = 0
    bad_examples: list[str] = field(default_factory=list)

    def add(self, other: ReadReport) -> None:
        """Count what another read (of other files) saw into this one."""
        self.files.extend(other.files)
        self.records += other.records
        self.duplicates += other.duplicates
        self.bad += other.bad
        self.bad_examples.extend(other.bad_examples[: max(0, 5 - len(self.bad_examples))])

    def skipped(self, problem: Exception) -> None:
        """Count one bad record (or damaged stretch) and keep the first few messages."""
        self.bad += 1
        if len(self.bad_examples) < 5:
            self.bad_examples.append(str(problem))

    @property
    def works(self) -> int:
        """Distinct works yielded (records minus duplicates)."""
        return self.records - self.duplicates

    def warning(self) -> str | None:
        """One line on skipped records, or None when nothing was skipped."""
        if not self.bad:
            return None
        first = self.bad_examples[0] if self.bad_examples else ""
        return f"skipped {self.bad} malformed record(s); first: {first}"


@dataclass
class ReadResult:
    """Records read from files, with the :class:`ReadReport` describing the read."""

    records: list[dict]
    report: ReadReport


def expand_paths(paths: str | os.PathLike | Iterable[str | os.PathLike]) -> list[Path]:
    """Turn files and folders into a sorted list of record files; raise InputError if missing."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(
                f
                for f in p.rglob("*")
                if f.is_file() and f.name.lower().endswith(RECORD_SUFFIXES)
            )
            if not found:
                raise InputError(
                    f"{p}: folder holds no record files ({', '.join(RECORD_SUFFIXES)})"
                )
            out.extend(found)
        elif p.is_file():
            if not os.access(p, os.R_OK):
                raise InputError(f"{p}: file is not readable")
            out.append(p)
        elif p.exists():
            raise InputError(f"{p}: not a regular file")
        else:
            raise InputError(f"{p}: no such file or folder")
    return out


_SURROGATE = re.compile("[\ud800-\udfff]")


def is_json_lines(path: Path) -> bool:
    """Whether ``path`` is read line by line (JSON Lines, snapshot parts), not as one document."""
    if path.name.lower().endswith((".json", ".json.gz")):
        return False
    try:
        with open(path, "rb") as fh:
            head = fh.read(1 << 16)
        if head[:2] == GZIP[:2]:
            head = zlib.decompressobj(31).decompress(head, 1 << 16)
        if not head.strip():  # (rare) white space first: read on
            with closing(pieces(path)) as parts:
                head = next((p for p in parts if isinstance(p, Bad) or p.strip()), b"")
        return isinstance(head, Bad) or head.lstrip()[:1] != b"["
    except zlib.error:
        return True
    except OSError:
        return False


def _loads(data: bytes):
    """Parse JSON, or a Bad saying why not. Text orjson refuses but :func:`json.loads`
    reads (a lone UTF-16 surrogate ``"\\ud800"``, NaN) is read as ``json.loads`` reads it,
    with each lone surrogate and each byte that is not UTF-8 replaced by U+FFFD: Arrow and
    pandas cannot hold a lone surrogate, and the Arrow reader reads such bytes so too."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        try:
            return _no_surrogates(json.loads(data.decode("utf-8", "replace").lstrip("\ufeff")))
        except (ValueError, RecursionError):
            return Bad(f"invalid JSON ({' '.join(str(exc).split())[:100]})", line=exc.lineno)


def _no_surrogates(obj):
    if isinstance(obj, str):
        return _SURROGATE.sub("\ufffd", obj)
    if isinstance(obj, list):
        return [_no_surrogates(v) for v in obj]
    if isinstance(obj, dict):
        return {_no_surrogates(k): _no_surrogates(v) for k, v in obj.items()}
    return obj


def _works_in(obj: object) -> list | None:
    """The work records in one parsed JSON value, or None when it holds none we recognise."""
    if isinstance(obj, dict):
        if "results" in obj and isinstance(obj.get("results"), list):
            return obj["results"]  # a saved API page
        if "page" in obj and isinstance(obj["page"], dict):
            return _works_in(obj["page"])  # a wrapped page (as in recorded API captures)
        if "id" in obj:
            return [obj]
        if "group_by" in obj or "meta" in obj:
            return []  # a page without works (group_by answer)
        return None
    if isinstance(obj, list):
        return obj
    return None


def _iter_file(path: Path, progress=None) -> Iterator[tuple[int | None, object]]:
    """Yield (line number or None, parsed item or Bad) for every record-bearing value."""
    if is_json_lines(path):
        yield from _iter_lines(pieces(path, progress))
        return
    parts = list(pieces(path, progress))
    damage = next((p for p in parts if isinstance(p, Bad)), None)
    if damage is not None:
        yield None, damage
        return
    data = b"".join(parts)
    obj = _loads(data)
    if isinstance(obj, Bad):
        # A .json file may still be JSON Lines; fall back to reading lines.
        if data.lstrip().startswith(b"{") and b"\n" in data.strip():
            yield from _iter_lines([data])
        else:
            yield obj.line, obj
        return
    works = _works_in(obj)
    if works is None:
        yield None, Bad("not a work, a list of works or an API page")
        return
    for item in works:
        yield None, item


def _iter_lines(parts: Iterable[bytes | Bad]) -> Iterator[tuple[int | None, object]]:
    """Yield (line number, parsed item or Bad) for the lines of a JSON Lines text. A broken
    line right after a damaged stretch is taken to be part of it, as is the line it cut."""
    lineno, tail, after_damage, loads = 0, b"", False, orjson.loads
    for piece in itertools.chain(parts, [b"\n"]):
        if isinstance(piece, Bad):
            lineno, tail, after_damage = lineno + 1, b"", True
            yield lineno, piece
            continue
        lines = piece.split(b"\n")
        lines[0] = tail + lines[0]
        tail = lines.pop()
        for line in lines:
            lineno += 1
            try:
                obj = loads(line)
            except orjson.JSONDecodeError:
                if line.isspace() or not line:
                    continue
                obj = _loads(line)
                if isinstance(obj, Bad):
                    if not after_damage:
                        yield lineno, obj
                    after_damage = False
                    continue
            after_damage = False
            if type(obj) is dict and "id" in obj and "results" not in obj and "page" not in obj:
                yield lineno, obj  # a work record: the common case of _works_in, fast
                continue
            works = _works_in(obj)
            if works is None:
                yield lineno, _not_a_work(obj)
                continue
            for item in works:
                yield lineno, item


def _not_a_work(obj: object) -> Bad:
    what = "no 'id'" if isinstance(obj, dict) else orjson.dumps(obj).decode()[:40]
    return Bad(f"not a work record ({what})")


def iter_works(
    paths: str | os.PathLike | Iterable[str | os.PathLike],
    *,
    skip_bad: bool = False,
    report: ReadReport | None = None,
    located: bool = False,
    duplicates: str = "first",
    check=None,
    progress=None,
) -> Iterator:
    """Yield OpenAlex work records from files or folders, as they are read.

    Parameters
    ----------
    paths : path or iterable of paths
        Files (``.jsonl``, ``.jsonl.gz``, snapshot ``part_NNN.gz``, ``.json`` arrays, saved API
        pages) or folders holding them.
    skip_bad : bool
        Count malformed records in ``report.bad`` instead of raising.
    report : ReadReport, optional
        Filled in as records are read (files, records, duplicates, bad).
    located : bool
        Yield ``(source, line, record)`` triples instead of records, so later stages can say
        where a record came from.
    duplicates : {"first", "keep"}
        ``"first"`` yields each work id once, its first copy (a stream cannot know whether a
        newer copy follows); ``"keep"`` yields every copy, for a reader that resolves them
        by the rule every table follows (see Notes).
    check : callable, optional
        Called with each record (with an id) before duplicates are dropped; returns the
        record to yield (fixed, if need be) or raises ``ValueError`` for one that is not a
        work (e.g. :func:`collabnet.sources.records.fit_work`), which counts as malformed.
    progress : callable, optional
        Called with the number of bytes read from disk (compressed), as they are read.

    Raises
    ------
    InputError
        A path that does not exist or cannot be read; a damaged or truncated gzip file
        (``file:line: cannot read file (…)``, unless ``skip_bad``).
    MalformedRecordError
        A line that is not JSON or not a work record (unless ``skip_bad``).

    Notes
    -----
    Every table collabnet builds (:func:`read_works`, :func:`collabnet.load`,
    :func:`collabnet.tables.build_tables`) keeps, of a work id seen twice (in one file or
    across files), the copy with the latest ``updated_date``: a missing date counts as the
    oldest, and of equally new copies the one read last wins (files are read in path
    order, so a snapshot's later ``updated_date=`` partitions win). With
    ``skip_bad``, a damaged stretch of a gzip file counts as one bad record: the records
    before it are kept and reading goes on at the next gzip member that can be read (line
    numbers after it count the lines that could be read). Text that is not UTF-8 and lone
    UTF-16 surrogates (``"\\ud800"``) are read with U+FFFD in their place.
    """
    return iter_records(paths, kind="work", skip_bad=skip_bad, report=report, located=located,
                        duplicates=duplicates, check=check, progress=progress)


def iter_records(
    paths: str | os.PathLike | Iterable[str | os.PathLike],
    *,
    kind: str = "work",
    skip_bad: bool = False,
    report: ReadReport | None = None,
    located: bool = False,
    duplicates: str = "first",
    check=None,
    progress=None,
) -> Iterator:
    """Yield OpenAlex records of any entity (``kind``: work, institution…) as they are read.

    The reader behind :func:`iter_works` (same parameters); ``kind`` names the entity in
    error messages ("record has no institution 'id'").
    """
    report = report if report is not None else ReadReport()
    check_choice("duplicates", duplicates, ("first", "keep"))
    files = expand_paths(paths)
    seen: set[str] = set()
    first = duplicates == "first"
    for path in files:
        report.files.append(str(path))
        source = str(path)
        try:
            for lineno, item in _iter_file(path, progress):
                problem = None
                if isinstance(item, Bad):
                    problem = item.error(source, lineno)
                elif not isinstance(item, dict):
                    problem = MalformedRecordError(source, lineno, "record is not a JSON object")
                elif not isinstance(item.get("id"), str) or not item["id"].strip():
                    problem = MalformedRecordError(source, lineno, f"record has no {kind} 'id'")
                elif check is not None:
                    try:
                        item = check(item)
                    except ValueError as exc:
                        reason = f"{kind} {short_id(item['id'])[:40]}: {exc}"
                        problem = MalformedRecordError(source, lineno, reason)
                if problem is not None:
                    if not skip_bad:
                        raise problem
                    report.skipped(problem)
                    continue
                report.records += 1
                if first:
                    key = short_id(item["id"])
                    if key in seen:
                        report.duplicates += 1
                        continue
                    seen.add(key)
                yield (source, lineno, item) if located else item
        except OSError as exc:
            raise InputError(f"{path}: cannot read file ({exc.strerror or exc})") from None


def read_works(
    paths: str | os.PathLike | Iterable[str | os.PathLike], *, skip_bad: bool = False
) -> ReadResult:
    """Read every work record in ``paths`` into memory; see :func:`iter_works`.

    Examples
    --------
    >>> import json, os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "works.jsonl")
    >>> with open(path, "w") as fh:
    ...     _ = fh.write("\\n".join(json.dumps({"id": f"W{i}"}) for i in (1, 2, 1)))
    >>> result = read_works(path)
    >>> result.report.records, result.report.works, [r["id"] for r in result.records]
    (3, 2, ['W1', 'W2'])

    Of a work seen twice, the copy with the latest ``updated_date`` is kept (in the place of
    the first); see :func:`iter_works`.
    """
    report = ReadReport()
    records: list[dict] = []
    where: dict[str, int] = {}
    with paused_gc():
        for rec in iter_works(paths, skip_bad=skip_bad, report=report, duplicates="keep"):
            key = short_id(rec["id"])
            at = where.get(key)
            if at is None:
                where[key] = len(records)
                records.append(rec)
                continue
            report.duplicates += 1
            if record_date(rec) >= record_date(records[at]):
                records[at] = rec
    return ReadResult(records=records, report=report)


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
