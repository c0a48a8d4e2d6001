"""Where the report's works came from, and whether they are synthetic.

A report must say what it rests on: the files or the OpenAlex query, when it was made, how
many records were read and kept, and what the reader warned about. And it must never let
generated records pass for data: works of collabnet's synthetic sample are recognised by
their marks (institution names ending in "(synthetic)", work ids in the sample's range
``W9`` + 11 digits, which OpenAlex does not use), whatever file they were read from.
"""

from __future__ import annotations

import datetime as _dt
import os

import pandas as pd

from collabnet.sources.sample.inputs import SYNTHETIC_MARK
from collabnet.tables import WorkTables

__all__ = ["SYNTHETIC_ID", "source_facts", "synthetic_works"]

#: Work ids of the synthetic sample: 12-digit numbers starting with 9 (OpenAlex ids have at
#: most 10 digits; see :mod:`collabnet.sources.sample`).
SYNTHETIC_ID = r"W9\d{11}"
_FILES_SHOWN = 5


def synthetic_works(tables: WorkTables) -> int:
    """How many works of ``tables`` are collabnet's synthetic records.

    A work is synthetic when its id is in the sample's range (:data:`SYNTHETIC_ID`) or one of
    its institutions' names ends in "(synthetic)".

    Examples
    --------
    >>> import collabnet as cn
    >>> synthetic_works(cn.build_tables(cn.generate_works(5, seed=1)))
    5
    >>> synthetic_works(cn.build_tables([{"id": "W12", "authorships": []}]))
    0
    """
    ids = tables.works["work_id"].astype("string")
    by_id = ids.str.fullmatch(SYNTHETIC_ID).fillna(False).astype(bool)
    aff = tables.affiliations
    names = aff["institution_name"].astype("string").str.strip()
    marked = aff.loc[names.str.endswith(SYNTHETIC_MARK).fillna(False).astype(bool), "work_id"]
    return int((by_id | ids.isin(pd.unique(marked))).sum())


def _stamp(ts: float | None) -> str | None:
    if ts is None:
        return None
    return _dt.datetime.fromtimestamp(ts, _dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _files_line(files: list[str]) -> str:
    shown = [os.path.basename(f) or f for f in files[:_FILES_SHOWN]]
    more = f" and {len(files) - _FILES_SHOWN} more" if len(files) > _FILES_SHOWN else ""
    return f"{len(files)} file(s): {', '.join(shown)}{more}"


def _newest_mtime(files: list[str]) -> float | None:
    times = []
    for f in files:
        try:
            times.append(os.path.getmtime(f))
        except OSError:
            continue
    return max(times) if times else None


def source_facts(tables: WorkTables, *, data_source: str | None = None,
                 now: _dt.datetime | None = None) -> list[tuple[str, str]]:
    """The header's facts as (label, text) pairs: source, dates, record counts, warnings.

    ``tables.report`` is read when the tables come from :func:`collabnet.load`: a read
    report for files (files, records, duplicates, skipped records), a fetch report for an
    OpenAlex query (query, slices, requests). ``data_source`` (e.g. the query the command
    line answered from the cache) is listed first when given.

    >>> import collabnet as cn
    >>> facts = dict(source_facts(cn.build_tables([{"id": "W1", "publication_year": 2020}])))
    >>> facts["works"], facts["source"]
    ('1 works, 0 affiliation rows; publication years 2020–2020', 'work records given in memory')
    """
    now = now or _report_time()
    facts: list[tuple[str, str]] = []
    rep = tables.report
    if data_source:
        facts.append(("source", data_source))
    if rep is not None and hasattr(rep, "files"):  # files: a ReadReport
        facts.append(("files", _files_line(list(rep.files)) if rep.files else "no files"))
        facts.append(("records read", f"{rep.records:,} records: {rep.records - rep.duplicates:,}"
                      f" works after removing {rep.duplicates:,} duplicate(s)"
                      + (f"; {rep.bad:,} malformed record(s) skipped" if rep.bad else "")))
        newest = _stamp(_newest_mtime(list(rep.files)))
        if newest:
            facts.append(("files last changed", newest))
    elif rep is not None and hasattr(rep, "query"):  # an OpenAlex fetch report
        if not data_source:
            facts.append(("source", f"OpenAlex query: {rep.query.describe()}"))
        cached = sum(1 for s in rep.slices if s.from_cache)
        facts.append(("fetch", f"{rep.works:,} works; {len(rep.slices)} slice(s), {cached} "
                      f"from the cache {rep.cache_dir}; {rep.stats.http_requests} request(s)"))
    elif not data_source:
        facts.append(("source", "work records given in memory"))
    years = pd.to_numeric(tables.works["year"], errors="coerce").dropna()
    span = f"; publication years {int(years.min())}–{int(years.max())}" if len(years) else ""
    facts.append(("works", f"{len(tables):,} works, {len(tables.affiliations):,} affiliation "
                  f"rows{span}"))
    facts.append(("report made", now.strftime("%Y-%m-%d")))
    for w in tables.warnings:
        facts.append(("warning", str(w)))
    if rep is not None and hasattr(rep, "warning") and rep.warning():
        facts.append(("warning", rep.warning()))
    return facts


def _report_time() -> _dt.datetime:
    """Now, or ``$SOURCE_DATE_EPOCH`` where set (the reproducible-builds convention), so that
    a report rerun on the same works is the same file; the header shows the day only."""
    import os

    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return _dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc)
    return _dt.datetime.now(_dt.timezone.utc)

