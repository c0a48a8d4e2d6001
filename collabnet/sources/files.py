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


#: Raw bytes read at a time, and the most decompressed bytes one step may give.
_CHUNK, _STEP = 1 << 20, 8 << 20
#: A gzip member (deflate) starts with these bytes.
_GZIP = b"\x1f\x8b\x08"
#: Decompressed bytes of a gzip member held back until its checksum proves them.
_HOLD = 8 << 20
_SURROGATE = re.compile("[\ud800-\udfff]")


class _Bad:
    """What stands where a record should: a line that is not one, or a damaged stretch."""

    __slots__ = ("reason", "damage", "line")

    def __init__(self, reason: str, damage: bool = False, line: int | None = None):
        self.reason, self.damage, self.line = reason, damage, line

    def error(self, source: str, line: int | None) -> InputError:
        if self.damage:
            where = f"{source}:{line}" if line is not None else source
            return InputError(f"{where}: cannot read file ({self.reason})")
        return MalformedRecordError(source, line, self.reason)


def _pieces(path: Path, progress=None) -> Iterator[bytes | _Bad]:
    """A file's bytes in pieces, decompressed when it is gzip (by its first bytes, not its
    name); ``progress`` is called with the number of (compressed) bytes read."""
    with open(path, "rb") as raw:

        def read() -> bytes:
            data = raw.read(_CHUNK)
            if progress is not None and data:
                progress(len(data))
            return data

        data = read()
        if data[:2] != _GZIP[:2]:
            while data:
                yield data
                data = read()
            return
        yield from _gunzip(data, read)


def _gunzip(data: bytes, read) -> Iterator[bytes | _Bad]:
    """Decompress gzip members one after another (zero padding between them allowed, as
    :mod:`gzip` does). A member's output is held back until its checksum proves it (up to
    :data:`_HOLD` bytes; a larger member is given out as it comes). Where a member cannot be
    read, yield one damage marker (its unproven output dropped) and go on at the next member
    that decompresses; a file that ends inside a member yields what it could read, then a
    damage marker."""
    member, lost, eof = None, False, False
    held: list[bytes] | None = None  # the member's output not given out yet (None: streaming)
    while True:
        if len(data) < len(_GZIP) and not eof:
            more = read()
            data, eof = data + more, not more
            continue
        if member is None:
            if not lost:
                data = data.lstrip(b"\0")
                if len(data) < len(_GZIP) and not eof:
                    continue
                if not data:
                    return
                if not data.startswith(_GZIP):
                    yield _Bad("not gzip data", damage=True)
                    lost = True
            if lost:
                k = data.find(_GZIP)
                if k < 0:
                    if eof:
                        return
                    more = read()
                    data, eof = data[-2:] + more, not more
                    continue
                data = data[k:]
            member, held = zlib.decompressobj(31), []
        saved = member.copy()
        try:
            out = member.decompress(data, _STEP) if data else member.flush()
        except zlib.error as exc:
            if held is None:  # given out so far: keep what came before the damage
                yield from _salvage(saved, data)
            if not lost:
                yield _Bad(f"damaged gzip data: {exc}", damage=True)
            member, lost, data = None, True, data[1:]
            continue
        data = member.unused_data if member.eof else member.unconsumed_tail
        if held is None:
            if out:
                yield out
        else:
            held.append(out)
            if member.eof or sum(map(len, held)) >= _HOLD:
                yield from held
                held, lost = None, False
        if member.eof:
            member = None
        elif eof and not data and not out:
            if not lost:
                yield from held or ()
                yield _Bad("truncated gzip data: the file ends inside a gzip member", damage=True)
            return


def _salvage(member, data: bytes) -> Iterator[bytes]:
    """What ``data`` decompresses to up to the point where it cannot (in small steps)."""
    for k in range(0, len(data), 256):
        try:
            out = member.decompress(data[k : k + 256])
        except zlib.error:
            return
        if out:
            yield out


def is_json_lines(path: Path) -> bool:
    """Whether ``path`` is read line by line (JSON Lines, snapshot parts), not as one document."""
    if path.name.lower().endswith((".json", ".json.gz")):
        return False
    try:
        with open(path, "rb") as fh:
            head = fh.read(1 << 16)
        if head[:2] == _GZIP[:2]:
            head = zlib.decompressobj(31).decompress(head, 1 << 16)
        if not head.strip():  # (rare) white space first: read on
            with closing(_pieces(path)) as pieces:
                head = next((p for p in pieces if isinstance(p, _Bad) or p.strip()), b"")
        return isinstance(head, _Bad) or head.lstrip()[:1] != b"["
    except zlib.error:
        return True
    except OSError:
        return False


def _loads(data: bytes):
    """Parse JSON, or a _Bad saying why not. Text orjson refuses but :func:`json.loads`
    reads (a lone UTF-16 surrogate ``"\\ud800"``, NaN) is read as ``json.loads`` reads it,
    with each lone surrogate and each byte that is not UTF-8 replaced by U+FFFD: Arrow and
    pandas cannot hold a lone surrogate, and the Arrow reader reads such bytes so too."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        try:
            return _no_surrogates(json.loads(data.decode("utf-8", "replace").lstrip("\ufeff")))
        except (ValueError, RecursionError):
            return _Bad(f"invalid JSON ({' '.join(str(exc).split())[:100]})", line=exc.lineno)


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
    """Yield (line number or None, parsed item or _Bad) for every record-bearing value."""
    if is_json_lines(path):
        yield from _iter_lines(_pieces(path, progress))
        return
    pieces = list(_pieces(path, progress))
    damage = next((p for p in pieces if isinstance(p, _Bad)), None)
    if damage is not None:
        yield None, damage
        return
    data = b"".join(pieces)
    obj = _loads(data)
    if isinstance(obj, _Bad):
        # A .json file may still be JSON Lines; fall back to reading lines.
        if data.lstrip().startswith(b"{") and b"\n" in data.strip():
            yield from _iter_lines([data])
        else:
            yield obj.line, obj
        return
    works = _works_in(obj)
    if works is None:
        yield None, _Bad("not a work, a list of works or an API page")
        return
    for item in works:
        yield None, item


def _iter_lines(pieces: Iterable[bytes | _Bad]) -> Iterator[tuple[int | None, object]]:
    """Yield (line number, parsed item or _Bad) for the lines of a JSON Lines text. A broken
    line right after a damaged stretch is taken to be part of it, as is the line it cut."""
    lineno, tail, after_damage, loads = 0, b"", False, orjson.loads
    for piece in itertools.chain(pieces, [b"\n"]):
        if isinstance(piece, _Bad):
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
                if isinstance(obj, _Bad):
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


def _not_a_work(obj: object) -> _Bad:
    what = "no 'id'" if isinstance(obj, dict) else orjson.dumps(obj).decode()[:40]
    return _Bad(f"not a work record ({what})")


def iter_works(
    paths: str | os.PathLike | Iterable[str | os.PathLike],
    *,
    skip_bad: bool = False,
    report: ReadReport | None = None,
    located: bool = False,
    seen: set[str] | None = None,
    check=None,
    progress=None,
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
    A work id seen twice (in one file or across files) is yielded once: the first occurrence
    wins, as the same work fetched twice differs at most in volatile counts. With
    ``skip_bad``, a damaged stretch of a gzip file counts as one bad record: the records
    before it are kept and reading goes on at the next gzip member that can be read (line
    numbers after it count the lines that could be read). Text that is not UTF-8 and lone
    UTF-16 surrogates (``"\\ud800"``) are read with U+FFFD in their place.
    """
    return iter_records(paths, kind="work", skip_bad=skip_bad, report=report, located=located,
                        seen=seen, check=check, progress=progress)


def iter_records(
    paths: str | os.PathLike | Iterable[str | os.PathLike],
    *,
    kind: str = "work",
    skip_bad: bool = False,
    report: ReadReport | None = None,
    located: bool = False,
    seen: set[str] | None = None,
    check=None,
    progress=None,
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
        try:
            for lineno, item in _iter_file(path, progress):
                problem = None
                if isinstance(item, _Bad):
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
