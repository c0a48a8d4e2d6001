"""Which copy of a duplicated work wins, in one place for every reader.

OpenAlex updates a work in place, so of two copies of a work the newer says what OpenAlex
says now: the copy with the latest ``updated_date`` wins, a missing date counting as the
oldest, and of equally new copies the one read last (files are read in path order, so a
snapshot's later ``updated_date=`` partitions win over earlier ones). The rule is applied
within a batch of records (:func:`newest_copies`), across batches and files
(:func:`newest_frames`) and over records in memory (:func:`record_date`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from collabnet.keys import short_ids

#: Column of the raw works frame with the record's ``updated_date``, which decides which copy
#: of a duplicated work wins (see :func:`newest_copies`); dropped from the canonical table.
UPDATED = "_updated"


def newest_copies(struct: pa.StructArray) -> pa.StructArray:
    """The batch with each work id once: the copy with the latest ``updated_date`` wins, a
    missing date counting as the oldest, and of equally new copies the one read last.

    Between batches and files, :func:`newest_frames` applies the same rule.

    >>> recs = [{"id": "W1", "updated_date": "2025-01-02", "type": "new"},
    ...         {"id": "W1", "updated_date": "2023-05-06", "type": "old"},
    ...         {"id": "W2", "type": "first"}, {"id": "W2", "type": "last"}]
    >>> from collabnet.sources.fit import WORK_RECORD_TYPE
    >>> newest_copies(pa.array(recs, type=WORK_RECORD_TYPE)).field("type").to_pylist()
    ['new', 'last']
    """
    ids = short_ids(pc.struct_field(struct, ["id"]))
    if pc.count_distinct(ids).as_py() == len(ids):
        return struct
    keep = newest_rows(ids.to_pandas(), pc.struct_field(struct, ["updated_date"]).to_pandas())
    return struct.take(pa.array(keep))


def newest_rows(ids: pd.Series, dates: pd.Series) -> np.ndarray:
    """The index labels, sorted, of the copy of each id that wins by the rule above: the
    latest ``dates`` (``updated_date`` values; ``ids`` and ``dates`` share their index), a
    missing one the oldest, of equal ones the later row."""
    order = pd.DataFrame({"id": ids, "date": newest_order(dates)})
    keep = order.sort_values("date", kind="stable").drop_duplicates("id", keep="last").index
    return np.sort(keep.to_numpy())


def newest_order(dates: pd.Series) -> pd.Series:
    """``updated_date`` values as sortable text: trimmed, a missing one as the oldest."""
    return dates.astype("string").str.strip().fillna("")




def newest_frames(works, aff, work_lengths, aff_lengths):
    """Raw (works, affiliations) frames of batches, concatenated in read order, with each
    work once: the newest copy, by the rule above. ``work_lengths`` and ``aff_lengths`` are
    the batches' row counts; each batch holds a work id at most once (see
    :func:`newest_copies`), so a batch and a work id name one copy."""
    part = np.repeat(np.arange(len(work_lengths)), work_lengths)
    lost = np.ones(len(works), dtype=bool)
    lost[newest_rows(works["work_id"], works[UPDATED])] = False
    losers = pd.MultiIndex.from_arrays([part[lost], works["work_id"].to_numpy()[lost]])
    aff_part = np.repeat(np.arange(len(aff_lengths)), aff_lengths)
    gone = pd.MultiIndex.from_arrays([aff_part, aff["work_id"].to_numpy()]).isin(losers)
    return (works[~lost].reset_index(drop=True), aff[~gone].reset_index(drop=True))


def record_date(rec: dict) -> str:
    """A record's ``updated_date`` as sortable text (as :func:`newest_order`), a missing one
    as the oldest: of two copies, keep the later one when ``record_date(new) >=
    record_date(old)``."""
    date = rec.get("updated_date")
    return date.strip() if isinstance(date, str) else ""
