"""The one door in: :func:`load` turns files, a query or records into :class:`WorkTables`.

Whatever the works come from — JSON Lines files and folders, snapshot part files, saved API
pages, an OpenAlex :class:`~collabnet.query.WorkQuery` (read from the cache, fetching what is
missing), a list of records, or tables already built — every command and every library user
starts here, so every indicator sees the same canonical form and the same duplicate rule.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from collabnet import stored
from collabnet.errors import InputError
from collabnet.query import WorkQuery
from collabnet.sources.files import ReadReport, expand_paths, paused_gc
from collabnet.sources.jsonl import read_file_frames
from collabnet.tables import WorkTables, build_tables, tables_from_frames

#: How files are parsed: ``auto`` (columnar where possible) or ``python`` (record by record).
READ_ENGINES = ("auto", "python")

__all__ = ["READ_ENGINES", "load", "read_tables"]


def load(
    source,
    *,
    settings=None,
    skip_bad: bool = False,
    progress: bool = False,
    engine: str = "auto",
    strict: bool = False,
    cache: bool = True,
    workers: int | None = None,
    scheduler: str | None = None,
    countries=None,
    institutions=None,
    years=None,
    types=None,
    include_xpac: bool = False,
    columns=None,
) -> WorkTables:
    """Works from any source as :class:`~collabnet.tables.WorkTables`.

    Parameters
    ----------
    source : path, list of paths, WorkQuery, iterable of records, or WorkTables
        Files or folders of work records (anything :func:`collabnet.sources.iter_works`
        reads); a :class:`~collabnet.query.WorkQuery`, answered from the cache and fetched
        from OpenAlex where the cache lacks a slice; OpenAlex work records as dicts; or
        tables, returned as they are.
    settings : collabnet.config.Settings, optional
        API key, base URL and cache folder for a query (default: environment, then defaults).
    skip_bad : bool
        Files: skip malformed records (counted in ``tables.report``) instead of stopping.
    progress : bool
        Show progress bars on standard error.
    engine : {"auto", "python"}
        Files: see :func:`read_tables`.
    strict : bool
        A query: refuse (one FetchError line) a year slice that OpenAlex ended short of its
        own count, instead of loading it with a warning in ``tables.warnings``.
    cache : bool
        Files and queries: keep the tables built in the columnar cache
        (``CACHE/tables/``, see :mod:`collabnet.stored`) and, when the same input (same
        files, sizes and modification times; same cached pages) is loaded again, read them
        from there instead of parsing JSON. ``False`` reads the input and keeps nothing.
    workers, scheduler : optional
        Files: read them as Dask tasks, one per file — on a local cluster of ``workers``
        single-threaded processes, or on the running cluster at ``scheduler``
        (``tcp://HOST:PORT``; default ``$COLLABNET_SCHEDULER``), whose workers must see the
        input and the cache folder. The tables are the same as read in one process (see
        :mod:`collabnet.distributed`).
    countries, institutions, years, types, include_xpac : optional
        An OpenAlex snapshot folder (or URL): keep only the works that match, as
        :class:`~collabnet.query.WorkQuery` means them, filtered as each part is read; xpac
        works are left out unless ``include_xpac`` (see
        :func:`collabnet.sources.snapshot.read_snapshot_frames`).
    columns : list of str, optional
        Only these columns of ``affiliations`` (``work_id`` is always kept; ``works`` is
        whole): for a computation that needs no others, read from the table cache in a
        fraction of the time and memory (the command line asks for what each command uses).

    Returns
    -------
    WorkTables
        ``tables.report`` says what was read: a :class:`~collabnet.sources.ReadReport` for
        files, the fetch report for a query that needed fetching (None when all was cached).

    Examples
    --------
    >>> import collabnet as cn
    >>> t = cn.load([{"id": "W1", "authorships": [
    ...     {"institutions": [{"id": "I1", "country_code": "JP"}]}]}])
    >>> len(t), str(t.works.loc[0, "collaboration"])
    (1, 'single_institution')
    """
    pick = None if columns is None else {"affiliations": _with_key(columns)}
    tables = _load(source, settings=settings, skip_bad=skip_bad, progress=progress,
                   engine=engine, strict=strict, cache=cache, workers=workers,
                   scheduler=scheduler, pick=pick, countries=countries,
                   institutions=institutions, years=years, types=types,
                   include_xpac=include_xpac)
    return tables if pick is None else _pruned(tables, pick["affiliations"])


def _with_key(columns) -> list[str]:
    from collabnet.sources.records import AFFILIATION_COLUMNS

    cols = ["work_id", *(c for c in columns if c != "work_id")]
    unknown = [c for c in cols if c not in AFFILIATION_COLUMNS]
    if unknown:
        raise InputError(f"unknown affiliations column {unknown[0]!r}: expected some of "
                         f"{', '.join(AFFILIATION_COLUMNS)}")
    return [c for c in AFFILIATION_COLUMNS if c in cols]  # in the canonical order


def _pruned(tables: WorkTables, columns: list[str]) -> WorkTables:
    if list(tables.affiliations.columns) == columns:
        return tables
    return dataclasses.replace(tables, affiliations=tables.affiliations[columns])


def _load(source, *, settings, skip_bad, progress, engine, strict, cache, workers,
          scheduler, pick, countries, institutions, years, types, include_xpac):
    if isinstance(source, WorkTables):
        return source
    if isinstance(source, WorkQuery):
        return _load_query(source, settings=settings, progress=progress, strict=strict,
                           cache=cache)
    filters = dict(countries=countries, institutions=institutions, years=years, types=types,
                   include_xpac=include_xpac)
    if isinstance(source, (str, os.PathLike)) and _snapshot(source):
        return _load_snapshot(source, filters, settings=settings, skip_bad=skip_bad,
                              progress=progress, cache=cache, workers=workers,
                              scheduler=scheduler, pick=pick)
    if any(v for v in filters.values()):
        raise InputError("countries, institutions, years, types and include_xpac filter an "
                         "OpenAlex snapshot as it is read; for other inputs select with the "
                         "indicators' own options")
    if isinstance(source, (str, os.PathLike)) or _is_path_list(source):
        return _load_files(source, settings=settings, skip_bad=skip_bad, progress=progress,
                           engine=engine, cache=cache, workers=workers, scheduler=scheduler,
                           pick=pick)
    if isinstance(source, Iterable) and not isinstance(source, (bytes, dict)):
        return build_tables(source)
    raise InputError(
        f"cannot load works from {type(source).__name__}: give paths, a WorkQuery, records "
        "or WorkTables"
    )


def _is_path_list(source) -> bool:
    return isinstance(source, (list, tuple)) and bool(source) and all(
        isinstance(s, (str, os.PathLike)) for s in source
    )


def _snapshot(source) -> bool:
    from collabnet.sources.snapshot import is_snapshot

    return is_snapshot(source)


def _load_snapshot(source, filters: dict, *, settings=None, skip_bad: bool = False,
                   progress: bool = False, cache: bool = True, workers: int | None = None,
                   scheduler: str | None = None, pick=None) -> WorkTables:
    """A snapshot's works: parts read one by one (as Dask tasks with a cluster) into the
    table cache, the later partition's copy of a work winning; deleted, merged-away and
    (by default) xpac works left out."""
    import functools

    from collabnet.config import get_settings
    from collabnet.distributed import scheduler_from_env
    from collabnet.sources.snapshot import (
        SnapshotPartError,
        open_snapshot,
        read_snapshot_frames,
        work_filter,
    )
    from collabnet.sources.snapshot_parts import is_url
    from collabnet.tables import tables_from_frames

    snap = open_snapshot(source)
    work_filter(**filters)  # a bad filter value fails before any reading
    problems = snap.problems()
    if problems and not skip_bad:
        raise SnapshotPartError(problems[0])
    cluster = bool(workers) or scheduler_from_env(scheduler) is not None
    local = not is_url(snap.root)
    root = (settings if settings is not None else get_settings()).cache_dir
    if local:
        stray = _outside_parts(snap, root)
        if stray:
            snap = dataclasses.replace(snap, warnings=(*snap.warnings, stray))
    def in_memory() -> WorkTables:
        frames, report = read_snapshot_frames(snap, skip_bad=skip_bad, progress=progress,
                                               **filters)
        tables = tables_from_frames(frames)
        tables.report = report
        return tables

    if not cluster and not (cache and local):
        return in_memory()
    keep = cache and local
    key = None
    if local:
        present = [p.location for p in snap.parts if p.present]
        meta = [f for f in (snap.manifest and os.path.join(snap.root, snap.manifest),
                            *snap.merged_id_files, snap.deleted_id_file) if f]
        key = stored.files_key([*meta, *present], snapshot=[p.name for p in snap.parts],
                               skip_bad=skip_bad, filters=repr(sorted(filters.items())))
        if keep:
            tables = stored.load_stored(root, key, columns=pick)
            if tables is not None:
                return tables
    if key is None:
        key = stored.pages_key(str(snap.root), [], parts=[p.name for p in snap.parts],
                               filters=repr(sorted(filters.items())))
    read = functools.partial(stored.read_snapshot_part, excluded=snap.excluded_ids(),
                             skip_bad=skip_bad, filters=filters)
    tables = _ingest(list(snap.parts), root, key, keep=keep, workers=workers,
                     scheduler=scheduler, progress=progress, read=read,
                     warnings=tuple(snap.warnings), columns=pick)
    return tables if tables is not None else in_memory()  # None: the cache is not writable


def _outside_cache(files: list, root) -> list:
    """The input files that are not collabnet's own cache (a ``./cache`` made inside the
    input folder holds pages and tables, not the user's records)."""
    try:
        cache = Path(root).resolve()
    except OSError:
        return files
    kept = [f for f in files if not Path(f).resolve().is_relative_to(cache)]
    if not kept:
        raise InputError(f"no input: the only record files given are in the cache {root}")
    return kept


def _outside_parts(snap, root) -> str | None:
    """A warning for record files in the snapshot's folder that are not its parts."""
    parts = {os.path.abspath(p.location) for p in snap.parts}
    try:
        files = _outside_cache(expand_paths(snap.root), root)
    except InputError:
        return None
    stray = [p for p in files if os.path.abspath(p) not in parts
             and "merged_ids" not in p.parts and not p.name.startswith(("manifest",
                                                                          "deleted_ids"))]
    if not stray:
        return None
    return (f"{len(stray)} file(s) in the snapshot folder outside its updated_date= "
            f"partitions not read (e.g. {stray[0].name}); give them as inputs of their own")


def _load_files(source, *, settings=None, skip_bad: bool = False, progress: bool = False,
                engine: str = "auto", cache: bool = True, workers: int | None = None,
                scheduler: str | None = None, pick=None) -> WorkTables:
    """Files' works: from the table cache when the same files were read before; else read
    file by file into it (as Dask tasks with ``workers``/``scheduler``)."""
    from collabnet.config import get_settings
    from collabnet.distributed import scheduler_from_env

    if engine not in READ_ENGINES:
        raise InputError(f"unknown read engine {engine!r}: choose auto or python")
    root = (settings if settings is not None else get_settings()).cache_dir
    files = _outside_cache(expand_paths(source), root)

    def in_memory() -> WorkTables:
        tables, report = read_tables(files, skip_bad=skip_bad, progress=progress,
                                     engine=engine)
        tables.report = report
        return tables

    if not cache and not (workers or scheduler_from_env(scheduler) is not None):
        return in_memory()
    key = stored.files_key(files, skip_bad=skip_bad)
    if cache:
        tables = stored.load_stored(root, key, columns=pick)
        if tables is not None:
            return tables
    tables = _ingest(files, root, key, skip_bad=skip_bad, engine=engine, progress=progress,
                     workers=workers, scheduler=scheduler, keep=cache, columns=pick)
    return tables if tables is not None else in_memory()  # None: the cache is not writable


def _ingest(files, root, key, *, keep: bool, workers=None, scheduler=None, **options):
    from collabnet.distributed import file_mapper

    with file_mapper(workers=workers, scheduler=scheduler,
                     progress=options.get("progress", False)) as mapper:
        tables = stored.ingest(files, root, key, map_files=mapper, **options)
    if tables is not None and not keep:
        stored.remove_entry(root, key)
    return tables


def _load_query(query: WorkQuery, *, settings=None, progress: bool = False,
                strict: bool = False, cache: bool = True) -> WorkTables:
    """A query's works from the cache, fetching the slices that are missing."""
    from collabnet.config import get_settings
    from collabnet.sources.openalex import (
        cached_page_files,
        fetch,
        is_cached,
        iter_cached_works,
        query_warnings,
    )

    settings = settings if settings is not None else get_settings()
    report = None
    if strict or not is_cached(query, settings.cache_dir, base_url=settings.base_url):
        report = fetch(query, settings=settings, progress=progress, strict=strict)
    key = None
    if cache:
        qkey, pages = cached_page_files(query, settings.cache_dir, base_url=settings.base_url)
        key = stored.pages_key(qkey, pages)
        kept = stored.load_stored(settings.cache_dir, key)
        if kept is not None:
            kept.report = report
            kept.warnings = tuple(report.warnings if report is not None
                                  else query_warnings(query, settings))
            return kept
    tables = build_tables(iter_cached_works(query, settings.cache_dir, base_url=settings.base_url))
    if key is not None:
        stored.store_tables(settings.cache_dir, key, tables)
    tables.report = report
    tables.warnings = tuple(report.warnings if report is not None
                            else query_warnings(query, settings)) + tables.warnings
    return tables


def read_tables(
    paths, *, skip_bad: bool = False, progress: bool = False, engine: str = "auto"
) -> tuple[WorkTables, ReadReport]:
    """Read work records from files or folders straight into :class:`WorkTables`.

    Parameters
    ----------
    paths : path or list of paths
        Anything :func:`collabnet.sources.iter_works` reads.
    skip_bad : bool
        Skip malformed records and damaged stretches of gzip files (counted in
        ``report.bad``, the first places in ``report.bad_examples``) and read on, instead
        of stopping at the first with its one-line error.
    progress : bool
        Show a progress bar on standard error, advancing with the bytes read from disk
        (compressed) within each file; nothing is printed when false.
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
    >>> import gzip, json, os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "works.jsonl.gz")
    >>> with gzip.open(path, "wt") as fh:
    ...     for wid in ("W1", "W2", "W1"):
    ...         _ = fh.write(json.dumps({"id": wid, "publication_year": 2020}) + "\\n")
    >>> tables, report = read_tables(path)
    >>> report.records, report.works, report.duplicates, len(tables)
    (3, 2, 1, 2)
    """
    from tqdm.auto import tqdm

    if engine not in READ_ENGINES:
        raise InputError(f"unknown read engine {engine!r}: choose auto or python")
    report = ReadReport()
    parts: list[tuple[pd.DataFrame, pd.DataFrame]] = []
    files = expand_paths(paths)
    with paused_gc(), tqdm(
        desc="reading works", total=sum(_size(p) for p in files) if progress else None,
        unit="B", unit_scale=True, unit_divisor=1024, disable=not progress, leave=False,
        mininterval=0.5,
    ) as bar:
        for path in files:
            file_parts, seen = read_file_frames(path, skip_bad=skip_bad, engine=engine,
                                                progress=bar.update)
            report.add(seen)
            parts.extend(file_parts)
            bar.set_postfix_str(f"{report.records:,} records", refresh=False)
    tables = tables_from_frames(parts)
    report.duplicates = report.records - len(tables)
    return tables, report


def _size(path) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0
