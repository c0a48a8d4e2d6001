"""Read OpenAlex work records from files: JSON Lines, JSON arrays, saved API pages, snapshots.

One reader serves every file shape collabnet meets in practice: JSON Lines (``.jsonl``,
``.jsonl.gz``), the OpenAlex snapshot's ``part_NNN.gz`` files (gzip JSON Lines), a JSON array of
works, a single work, and saved API pages (``{"meta": …, "results": […]}``, one per file or one
per line). A path may be a file or a folder (searched recursively). Records are yielded as
plain dicts, each work id once; a malformed line raises :class:`MalformedRecordError` naming the
file and line, or, with ``skip_bad=True``, is counted and reported at the end.
"""

from __future__ import annotations

import gc
import gzip
import io
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from collabnet.errors import InputError, MalformedRecordError
from collabnet.keys import short_id

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


def _open_text(path: Path) -> io.BufferedReader:
    raw = open(path, "rb")  # noqa: SIM115 - closed by the caller's with-block
    head = raw.peek(2)[:2] if hasattr(raw, "peek") else b""
    if head == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=raw)  # type: ignore[return-value]
    return raw  # type: ignore[return-value]


def _first_char(path: Path) -> bytes:
    with _open_text(path) as fh:
        while True:
            chunk = fh.read(4096)
            if not chunk:
                return b""
            stripped = chunk.lstrip()
            if stripped:
                return stripped[:1]


def is_json_lines(path: Path) -> bool:
    """Whether ``path`` is read line by line (JSON Lines, snapshot parts), not as one document."""
    name = path.name.lower()
    if name.endswith((".json", ".json.gz")):
        return False
    try:
        return _first_char(path) != b"["
    except (OSError, EOFError, gzip.BadGzipFile):
        return False


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


def _iter_file(path: Path) -> Iterator[tuple[int | None, object]]:
    """Yield (line number or None, parsed item) for every record-bearing value in a file."""
    try:
        whole_document = not is_json_lines(path)
        with _open_text(path) as fh:
            if whole_document:
                data = fh.read()
                try:
                    obj = orjson.loads(data)
                except orjson.JSONDecodeError as exc:
                    # A .json file may still be JSON Lines; fall back to reading lines.
                    if data.lstrip().startswith(b"{") and b"\n" in data.strip():
                        yield from _iter_lines(io.BytesIO(data))
                        return
                    raise MalformedRecordError(str(path), None, f"invalid JSON ({exc})") from None
                works = _works_in(obj)
                if works is None:
                    raise MalformedRecordError(
                        str(path), None, "not a work, a list of works or an API page"
                    )
                for item in works:
                    yield None, item
            else:
                yield from _iter_lines(fh)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise InputError(f"{path}: cannot read file ({exc})") from None


def _iter_lines(fh) -> Iterator[tuple[int | None, object]]:
    for lineno, line in enumerate(fh, start=1):
        if not line.strip():
            continue
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            yield lineno, MalformedRecordError("", lineno, f"invalid JSON ({exc})")
            continue
        works = _works_in(obj)
        if works is None:
            yield lineno, MalformedRecordError("", lineno, "not a work record (no 'id')")
            continue
        for item in works:
            yield lineno, item


def iter_works(
    paths: str | os.PathLike | Iterable[str | os.PathLike],
    *,
    skip_bad: bool = False,
    report: ReadReport | None = None,
    located: bool = False,
    seen: set[str] | None = None,
) -> Iterator:
    """Yield OpenAlex work records from files or folders, each work id once.

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
    seen : set of str, optional
        Short ids already read elsewhere (updated in place), to drop duplicates across calls.

    Raises
    ------
    InputError
        A path that does not exist or cannot be read.
    MalformedRecordError
        A line that is not JSON or not a work record (unless ``skip_bad``).

    Notes
    -----
    A work id seen twice (in one file or across files) is yielded once: the first occurrence
    wins, as the same work fetched twice differs at most in volatile counts.
    """
    return iter_records(paths, kind="work", skip_bad=skip_bad, report=report, located=located,
                        seen=seen)


def iter_records(
    paths: str | os.PathLike | Iterable[str | os.PathLike],
    *,
    kind: str = "work",
    skip_bad: bool = False,
    report: ReadReport | None = None,
    located: bool = False,
    seen: set[str] | None = None,
) -> Iterator:
    """Yield OpenAlex records of any entity (``kind``: work, institution…), each id once.

    The reader behind :func:`iter_works` (same parameters); ``kind`` names the entity in
    error messages ("record has no institution 'id'").
    """
    report = report if report is not None else ReadReport()
    files = expand_paths(paths)
    seen = seen if seen is not None else set()
    for path in files:
        report.files.append(str(path))
        source = str(path)
        for lineno, item in _iter_file(path):
            problem = None
            if isinstance(item, MalformedRecordError):
                problem = MalformedRecordError(source, lineno, item.reason)
            elif not isinstance(item, dict):
                problem = MalformedRecordError(source, lineno, "record is not a JSON object")
            elif not isinstance(item.get("id"), str) or not item["id"].strip():
                problem = MalformedRecordError(source, lineno, f"record has no {kind} 'id'")
            if problem is not None:
                if not skip_bad:
                    raise problem
                report.bad += 1
                if len(report.bad_examples) < 5:
                    report.bad_examples.append(str(problem))
                continue
            report.records += 1
            key = short_id(item["id"])
            if key in seen:
                report.duplicates += 1
                continue
            seen.add(key)
            yield (source, lineno, item) if located else item


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
    """
    report = ReadReport()
    with paused_gc():
        records = list(iter_works(paths, skip_bad=skip_bad, report=report))
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
