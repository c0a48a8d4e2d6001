"""Where an OpenAlex snapshot's works are and what its manifest and folders say.

:func:`open_snapshot` finds the works folder below the path given (``DIR/``, ``DIR/data/works``,
the 2026 layout's ``data/jsonl/works`` or ``data/parquet/works``), reads the manifest
(``manifest.json`` or the legacy ``manifest``: ``entries`` or ``files``, each a ``url`` with
``meta.record_count`` and ``meta.content_length``), lists the ``updated_date=YYYY-MM-DD``
partitions and finds the lists of deleted (``deleted_ids.csv``: ``work_id,deleted_date``) and
merged works (``merged_ids/works/*.csv.gz``: ``merge_date,id,merge_into_id``), as
OPENALEX_API.md §3 describes them; no record is read. A folder on disk is read directly, a
URL (``s3://openalex/data/works``, ``https://…``) through fsspec.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from collabnet.errors import InputError
from collabnet.sources.snapshot_parts import SnapshotPart, filesystem, id_numbers, is_url

#: The manifest's names: the current one, then the legacy (Redshift) one.
MANIFEST_NAMES = ("manifest.json", "manifest")
#: Where the works entity may lie below the path given, in the order looked at.
WORKS_FOLDERS = ("", "data/works", "data/jsonl/works", "jsonl/works", "works",
                 "data/parquet/works", "parquet/works")
#: Part file endings; of a part found in both formats, the Parquet file is read.
PART_SUFFIXES = (".gz", ".jsonl", ".ndjson", ".parquet")
_PARTITION = re.compile(r"^updated_date=(\d{4}-\d{2}-\d{2})$")
_DELETED_NAMES = ("deleted_ids.csv", "deleted_ids.csv.gz")


class _Where:
    """A snapshot's location, a local folder or an fsspec URL, and the few file operations
    the layout needs (reads are small: the manifest, the id lists, folder listings)."""

    def __init__(self, location):
        location = os.fspath(location)
        self.remote = is_url(location)
        self.fs = filesystem(location) if self.remote else None
        self.root = location.rstrip("/") if self.remote else \
            str(Path(location.removeprefix("file://")))

    def at(self, *names: str) -> str:
        names = [n.strip("/") for n in names if n and n.strip("/")]
        return "/".join([self.root, *names]) if self.remote else str(Path(self.root, *names))

    def read(self, loc: str) -> bytes | None:
        """The file's bytes, or None when there is no such file."""
        try:
            if not self.remote:
                return Path(loc).read_bytes() if Path(loc).is_file() else None
            return self.fs.cat_file(loc)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None
        except (OSError, ValueError, RuntimeError) as exc:
            raise InputError(f"{loc}: cannot read ({' '.join(str(exc).split())[:200]})") from None

    def children(self, loc: str) -> list[tuple[str, bool, int | None]] | None:
        """(name, is a folder, size) of what a folder holds; None when it is no folder (or,
        remotely, cannot be listed)."""
        if not self.remote:
            if not os.path.isdir(loc):
                return None
            with os.scandir(loc) as entries:
                return [(e.name, e.is_dir(), None if e.is_dir() else e.stat().st_size)
                        for e in entries]
        try:
            entries = self.fs.ls(loc, detail=True)
        except (OSError, ValueError, RuntimeError):
            return None
        out = []
        for e in entries:
            name = str(e["name"]).rstrip("/").rsplit("/", 1)[-1]
            if name and e["name"].rstrip("/") != loc.rstrip("/"):
                out.append((name, e.get("type") == "directory", e.get("size")))
        return out


@dataclass
class Snapshot:
    """An OpenAlex snapshot's works, as its manifest and folders describe them (no record
    read): the part files in reading order (partition date, then part number), the files of
    merged and deleted ids, and what :func:`open_snapshot` noticed."""

    root: str
    parts: list[SnapshotPart]
    manifest: str | None = None
    merged_id_files: tuple[str, ...] = ()
    deleted_id_file: str | None = None
    warnings: tuple[str, ...] = ()

    @cached_property
    def merged_ids(self) -> np.ndarray:
        """The works merged into another (the ``id`` column), as sorted numbers (W12 → 12)."""
        return np.unique(np.concatenate(
            [np.empty(0, "int64")] + [_id_file(f, ("id",)) for f in self.merged_id_files]))

    @cached_property
    def deleted_ids(self) -> np.ndarray:
        """The deleted works (``work_id``), as sorted numbers (W12 → 12)."""
        if self.deleted_id_file is None:
            return np.empty(0, "int64")
        return np.unique(_id_file(self.deleted_id_file, ("work_id", "id")))

    def excluded_ids(self) -> np.ndarray:
        """Works that are not counted: deleted or merged into another (sorted numbers)."""
        both = np.union1d(self.merged_ids, self.deleted_ids)
        return both[both >= 0]

    def problems(self) -> list[str]:
        """One line for each part the manifest lists that is missing or whose size on disk
        is not the manifest's (damage and record counts show only when a part is read)."""
        out = []
        for p in self.parts:
            if not p.present:
                out.append(f"{p.location}: snapshot part listed in the manifest is missing")
            elif None not in (p.size, p.content_length) and p.size != p.content_length:
                out.append(f"{p.location}: snapshot part is {p.size:,} bytes, the manifest "
                           f"says {p.content_length:,} (download incomplete?)")
        return out


def is_snapshot(path) -> bool:
    """Whether ``path`` is an OpenAlex snapshot (its works folder, or a folder above it):
    a manifest or ``updated_date=`` partitions. A URL needs the ``snapshot`` extra (else
    InputError saying so); one that looks like a snapshot but cannot be read is one (and
    :func:`open_snapshot` says what is wrong)."""
    location = os.fspath(path)
    if not is_url(location) and not os.path.isdir(location.removeprefix("file://")):
        return False
    where = _Where(location)
    try:
        return _find_root(where) is not None
    except InputError:
        return True


def open_snapshot(path) -> Snapshot:
    """The snapshot at ``path`` (a folder, ``s3://openalex/data/works``, an https URL).

    Reads the manifest and lists the folders, no record: the parts in reading order, with
    the manifest's record count and size; the files of merged and deleted ids (read when
    :attr:`Snapshot.excluded_ids` is first asked for).

    Raises
    ------
    InputError
        ``path`` is no snapshot, its manifest cannot be read, or fsspec is missing for a URL.
    """
    base = _Where(path)
    found = _find_root(base)
    if found is None:
        raise InputError(f"{base.root}: not an OpenAlex snapshot (no manifest.json and no "
                         "updated_date=YYYY-MM-DD folders, here or in data/works)")
    where, manifest, listed = found
    on_disk = _listing(where) if not (where.remote and manifest) else {}
    parts = _parts(where, listed, on_disk)
    merged, warnings = _merged_id_files(where)
    deleted = next((where.at(n) for n in _DELETED_NAMES if _exists(where, n)), None)
    return Snapshot(root=where.root, parts=parts, manifest=manifest, merged_id_files=merged,
                    deleted_id_file=deleted, warnings=warnings)


# --- the layout -------------------------------------------------------------------------------

def _find_root(base: _Where):
    """(works folder, manifest name, manifest entries) below ``base``, or None."""
    for sub in WORKS_FOLDERS:
        for name in MANIFEST_NAMES:
            data = base.read(base.at(sub, name))
            if data is not None:
                entries = _manifest_entries(data, base.at(sub, name))
                if entries is not None:
                    return _Where(base.at(sub)), name, entries
        kids = base.children(base.at(sub))
        if kids and any(d and _PARTITION.match(n) for n, d, _ in kids):
            return _Where(base.at(sub)), None, {}
    return None


def _manifest_entries(data: bytes, loc: str) -> dict[str, tuple] | None:
    """{part name below the works folder: (record count, content length)} of a manifest,
    or None when the file is no snapshot manifest (a ``manifest`` file of something else)."""
    try:
        doc = json.loads(data)
    except ValueError:
        return None
    entries = doc.get("entries", doc.get("files")) if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        return None
    out = {}
    for e in entries:
        url = e.get("url") if isinstance(e, dict) else None
        meta = e.get("meta") or {} if isinstance(e, dict) else {}
        if not isinstance(url, str) or not isinstance(meta, dict):
            raise InputError(f"{loc}: manifest entry without a url: {str(e)[:80]}")
        at = url.find("updated_date=")
        name = url[at:] if at >= 0 else url.rstrip("/").rsplit("/", 1)[-1]
        try:
            out[name] = tuple(None if meta.get(k) is None else int(meta[k])
                              for k in ("record_count", "content_length"))
        except (TypeError, ValueError):
            raise InputError(f"{loc}: manifest entry {name}: counts are not numbers") from None
    return out


def _listing(where: _Where) -> dict[str, int | None]:
    """{part name: size} of the part files in the partition folders."""
    found = {}
    for name, is_dir, _ in sorted(where.children(where.root) or []):
        if not (is_dir and _PARTITION.match(name)):
            continue
        for file, sub_dir, size in where.children(where.at(name)) or []:
            if not sub_dir and file.lower().endswith(PART_SUFFIXES):
                found[f"{name}/{file}"] = size
    return found


def _stem(name: str) -> str:
    low = name.lower()
    for suffix in (".jsonl.gz", ".ndjson.gz", *PART_SUFFIXES):
        if low.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _parts(where: _Where, listed: dict, on_disk: dict) -> list[SnapshotPart]:
    """The parts to read: one file per partition and part name (Parquet over gzip where
    both are there), the manifest's counts on each it lists, missing ones marked."""
    files: dict[str, str] = {}
    for name in sorted(on_disk):
        stem = _stem(name)
        if stem not in files or name.lower().endswith(".parquet"):
            files[stem] = name
    by_stem = {_stem(n): n for n in listed}
    parts = []
    for stem in sorted(set(files) | set(by_stem)):
        name = files.get(stem, by_stem.get(stem))
        entry = listed.get(by_stem.get(stem), (None, None))
        date = _PARTITION.match(name.split("/", 1)[0]) if "/" in name else None
        present = name in on_disk or (where.remote and not on_disk)
        parts.append(SnapshotPart(
            location=where.at(name), name=name, partition=date.group(1) if date else None,
            format="parquet" if name.lower().endswith(".parquet") else "jsonl",
            record_count=entry[0], content_length=entry[1] if name in listed else None,
            size=on_disk.get(name), present=bool(present)))
    return sorted(parts, key=lambda p: (p.partition or "", _natural(p.name)))


def _natural(name: str) -> list:
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]


def _exists(where: _Where, name: str) -> bool:
    if not where.remote:
        return os.path.isfile(where.at(name))
    try:
        return bool(where.fs.isfile(where.at(name)))
    except (OSError, ValueError, RuntimeError):
        return False


def _merged_id_files(where: _Where) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The merged-id files (``merged_ids/works/*.csv.gz``) in the works folder or up to two
    folders up (legacy layout: ``data/merged_ids/works`` beside ``data/works``), and any
    warning."""
    up = [where.root]
    for _ in range(2):  # the works folder, and two folders up (data/works, data/jsonl/works)
        up.append(up[-1].rstrip("/").rsplit("/", 1)[0] if where.remote
                  else str(Path(up[-1]).parent))
    for folder in dict.fromkeys(f"{u.rstrip('/')}/merged_ids/works" for u in up):
        kids = where.children(folder)
        if kids:
            names = sorted(n for n, d, _ in kids if not d and n.lower().endswith((".csv",
                                                                                  ".csv.gz")))
            return tuple(f"{folder.rstrip('/')}/{n}" for n in names), ()
    protocols = where.fs.protocol if where.remote else ()
    if "http" in ((protocols,) if isinstance(protocols, str) else protocols):
        return (), ("merged ids could not be listed over HTTP; merged works may be counted "
                    "(use s3:// or a local copy)",)
    return (), ()


def _id_file(loc: str, columns: tuple[str, ...]) -> np.ndarray:
    """The work ids of a merged- or deleted-id CSV (gzip or not) as numbers."""
    where = _Where(loc.rsplit("/", 1)[0]) if is_url(loc) else None
    data = where.read(loc) if where else Path(loc).read_bytes()
    if data is None:
        raise InputError(f"{loc}: id file is missing")
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise InputError(f"{loc}: damaged id file ({exc})") from None
    try:
        table = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    except (ValueError, pd.errors.ParserError) as exc:
        raise InputError(f"{loc}: not a CSV file ({' '.join(str(exc).split())[:100]})") \
            from None
    except pd.errors.EmptyDataError:
        return np.empty(0, "int64")
    column = next((c for c in columns if c in table.columns), None)
    if column is None:
        raise InputError(f"{loc}: id file has no {' or '.join(columns)} column "
                         f"(columns: {', '.join(map(str, table.columns))})")
    return id_numbers(table[column])

