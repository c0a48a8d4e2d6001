"""The OpenAlex snapshot: the works entity read from a folder, S3 or HTTP, part by part.

A snapshot's works folder (``DIR/``, or ``DIR/data/works/`` below the snapshot's top; the
2026 layout's ``data/jsonl/works`` and ``data/parquet/works`` too) holds a manifest
(``manifest.json``, or the legacy ``manifest``: every part file with its size and record
count), ``updated_date=YYYY-MM-DD/part_NNN.gz`` partitions of gzip JSON Lines (or
``part_NNN.parquet``), the ledger of deleted works (``deleted_ids.csv``) and, beside the
works folder, the merged works (``merged_ids/works/YYYY-MM-DD.csv.gz``) — OPENALEX_API.md §3.
Reading it follows the snapshot's own rules: a deleted or merged-away work is not counted; a
work in several partitions counts once, the copy in the latest partition (each partition
holds the records last changed on its date), even where a filter leaves that copy out; xpac
works are left out unless asked for, as the API leaves them out.

:func:`open_snapshot` and :func:`snapshot_info` look at the manifest and the folders only
(:mod:`~collabnet.sources.snapshot_layout`); :func:`read_snapshot_frames` reads the parts in
date order, one at a time, with
:func:`~collabnet.sources.snapshot_parts.read_part_frames` (a plain function of one part,
usable as one task per part), and :func:`combine_parts` puts the parts' results together
into the raw frames :func:`collabnet.tables.tables_from_frames` takes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from collabnet.sources.files import paused_gc
from collabnet.sources.snapshot_layout import Snapshot, is_snapshot, open_snapshot
from collabnet.sources.snapshot_parts import (
    PartFrames,
    SnapshotPart,
    SnapshotPartError,
    SnapshotReport,
    id_numbers,
    read_part_frames,
    work_filter,
)

__all__ = ["PartFrames", "Snapshot", "SnapshotInfo", "SnapshotPart", "SnapshotPartError",
           "SnapshotReport", "combine_parts", "is_snapshot", "open_snapshot",
           "read_part_frames", "read_snapshot_frames", "snapshot_info"]

#: Work ids of parts held at once while finding the copies a later partition supersedes.
SEEN_BATCH = 20_000_000


@dataclass(frozen=True)
class SnapshotInfo:
    """What a snapshot holds, from its manifest and folders (:func:`snapshot_info`)."""

    root: str
    manifest: str | None
    parts: tuple[SnapshotPart, ...]
    works: int | None  # the manifest's record counts (xpac works included), None without one
    first_date: str | None
    last_date: str | None
    size: int  # bytes: as found on disk, else as the manifest says
    merged_id_files: int
    deleted_id_file: str | None
    problems: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def partitions(self) -> int:
        """The ``updated_date`` partitions the parts lie in."""
        return len({p.partition for p in self.parts})

    @property
    def formats(self) -> dict[str, int]:
        """Parts per format (``jsonl``, ``parquet``)."""
        return {f: sum(p.format == f for p in self.parts)
                for f in sorted({p.format for p in self.parts})}

    @property
    def unlisted(self) -> int:
        """Parts found that the manifest does not list (0 without a manifest)."""
        return sum(not p.listed for p in self.parts) if self.manifest else 0


def snapshot_info(path) -> SnapshotInfo:
    """Parts, works (per the manifest), date range and size of a snapshot, without reading
    its records (see :func:`open_snapshot`).

    Examples
    --------
    >>> import json, os, tempfile
    >>> top = tempfile.mkdtemp()
    >>> os.makedirs(os.path.join(top, "updated_date=2024-01-02"))
    >>> with open(os.path.join(top, "updated_date=2024-01-02", "part_000.gz"), "wb") as fh:
    ...     _ = fh.write(b"")
    >>> info = snapshot_info(top)
    >>> len(info.parts), info.first_date, info.works
    (1, '2024-01-02', None)
    """
    snap = path if isinstance(path, Snapshot) else open_snapshot(path)
    dates = sorted({p.partition for p in snap.parts if p.partition})
    counts = [p.record_count for p in snap.parts if p.record_count is not None]
    size = sum(p.size if p.size is not None else (p.content_length or 0) for p in snap.parts)
    return SnapshotInfo(
        root=snap.root, manifest=snap.manifest, parts=tuple(snap.parts),
        works=sum(counts) if snap.manifest else None,
        first_date=dates[0] if dates else None, last_date=dates[-1] if dates else None,
        size=size, merged_id_files=len(snap.merged_id_files),
        deleted_id_file=snap.deleted_id_file, problems=tuple(snap.problems()),
        warnings=snap.warnings)


def read_snapshot_frames(path, *, countries=None, institutions=None, years=None, types=None,
                         include_xpac: bool = False, skip_bad: bool = False,
                         progress: bool = False):
    """Raw frames of a snapshot's works, ready for :func:`collabnet.tables.tables_from_frames`.

    Parameters
    ----------
    path : path, URL or Snapshot
        The snapshot (see :func:`open_snapshot`).
    countries, institutions, years, types
        Keep only matching works, as :class:`~collabnet.query.WorkQuery` means them (see
        :func:`~collabnet.sources.snapshot_parts.work_filter`), applied to each part as it is
        read, so memory holds only matching works.
    include_xpac : bool
        Keep xpac works (left out by default, as the API leaves them out).
    skip_bad : bool
        Skip bad parts (missing, short, damaged, another record count than the manifest's;
        listed in ``report.bad_parts``) and malformed records (``report.bad``) instead of
        stopping at the first with its one-line error.
    progress : bool
        Show a progress bar (bytes read) on standard error.

    Returns
    -------
    (list of (works, affiliations) frame pairs, SnapshotReport)
        Parts read in date order; of a work's copies in several partitions only the latest
        partition's is kept, whatever its ``updated_date`` field says (and when a filter
        leaves it out, the older copies are not counted either: see
        :func:`combine_parts`); deleted and merged-away works are left out.
        ``report.records`` are the records kept, ``report.duplicates`` the copies that lose.

    Raises
    ------
    SnapshotPartError, InputError, MalformedRecordError
        The first bad part or record, named, unless ``skip_bad``.

    Examples
    --------
    >>> import gzip, json, os, tempfile
    >>> top = tempfile.mkdtemp()
    >>> for date, cited in (("2024-01-01", 1), ("2024-02-01", 2)):
    ...     os.makedirs(os.path.join(top, f"updated_date={date}"))
    ...     with gzip.open(os.path.join(top, f"updated_date={date}", "part_000.gz"), "wt") as f:
    ...         _ = f.write(json.dumps({"id": "W1", "cited_by_count": cited}) + "\\n")
    >>> from collabnet.tables import tables_from_frames
    >>> frames, report = read_snapshot_frames(top)
    >>> tables_from_frames(frames).works["cited_by_count"].tolist(), report.duplicates
    ([2], 1)
    """
    from tqdm.auto import tqdm

    snap = path if isinstance(path, Snapshot) else open_snapshot(path)
    filters = dict(countries=countries, institutions=institutions, years=years, types=types,
                   include_xpac=include_xpac)
    work_filter(**filters)  # a bad filter value fails before any reading
    problems = snap.problems()
    if problems and not skip_bad:
        raise SnapshotPartError(problems[0])
    excluded = snap.excluded_ids()
    total = sum(p.size or p.content_length or 0 for p in snap.parts)
    with paused_gc(), tqdm(desc="reading snapshot", total=total if progress else None, unit="B",
                           unit_scale=True, unit_divisor=1024, disable=not progress,
                           leave=False, mininterval=0.5) as bar:
        parts = (read_part_frames(part, excluded=excluded, skip_bad=skip_bad,
                                  progress=bar.update, **filters) for part in snap.parts)
        frames, report = combine_parts(parts)
    report.warnings[:0] = [w for w in snap.warnings if w not in report.warnings]
    return frames, report


def combine_parts(parts: Iterable[PartFrames]):
    """The frames and report of a snapshot read from its parts' results, in reading order.

    A part's copy of a work that a later part also holds is dropped (counted in
    ``report.duplicates``), whether the later copy was kept or left out by a filter: the
    latest partition says what the work is now. ``parts`` may be a generator (each part's
    ``seen`` ids are let go once used: memory holds the kept frames and at most
    :data:`SEEN_BATCH` seen ids). Within one part, copies are left to
    :func:`collabnet.tables.tables_from_frames` (the newest ``updated_date`` wins).

    Returns
    -------
    (list of (works, affiliations) frame pairs, SnapshotReport)
    """
    report = SnapshotReport()
    frames: list = []
    kept: list[np.ndarray] = []  # the numbers of the kept works, frame by frame
    owner: list[int] = []  # each frame's part
    latest = np.empty(0, "int64")  # per kept work: the latest part seen holding it
    pending: list[tuple[int, np.ndarray]] = []

    def settle() -> None:
        nonlocal latest
        ids_kept = np.concatenate([np.empty(0, "int64"), *kept])
        latest = np.concatenate([latest, np.full(len(ids_kept) - len(latest), -1)])
        if not pending or not len(ids_kept):
            pending.clear()
            return
        ids = np.concatenate([seen for _, seen in pending])
        where = np.concatenate([np.full(len(seen), i) for i, seen in pending])
        pending.clear()
        order = np.lexsort((where, ids))
        ids, where = ids[order], where[order]
        last = np.append(ids[1:] != ids[:-1], True)  # each id once, at its latest part
        ids, where = ids[last], where[last]
        at = np.minimum(np.searchsorted(ids, ids_kept), len(ids) - 1)
        hit = (ids[at] == ids_kept) & (ids_kept >= 0)
        latest[hit] = np.maximum(latest[hit], where[at[hit]])

    held = 0
    for i, part in enumerate(parts):
        report.add(part.report)
        for works, aff in part.frames:
            frames.append((works, aff))
            kept.append(id_numbers(works["work_id"]))
            owner.append(i)
        pending.append((i, part.seen))
        held += len(part.seen)
        if held >= SEEN_BATCH:
            settle()
            held = 0
    settle()
    out, start = [], 0
    for (works, aff), ids, i in zip(frames, kept, owner):
        newer = latest[start : start + len(ids)] > i
        start += len(ids)
        if newer.any():
            works = works[~newer].reset_index(drop=True)
            aff = aff[aff["work_id"].isin(works["work_id"]).to_numpy()].reset_index(drop=True)
        if len(works):
            out.append((works, aff))
    works = int(pd.concat([w["work_id"] for w, _ in out]).nunique()) if out else 0
    report.duplicates = report.records - works  # superseded, and copies within a part
    return out, report
