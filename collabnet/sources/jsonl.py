"""Record files into raw frames, by the two readers that must agree.

:func:`read_jsonl_frames` is the columnar reader: whole JSON Lines files parsed by Arrow's
C++ JSON reader, about twice as fast as parsing record by record, as only the fields of
:data:`~collabnet.sources.records.WORK_RECORD_TYPE` are parsed, in C++, a block of lines at a
time. Any file it cannot take whole — odd types, a line that is an API page or not an
object, a record without an id, text that is not UTF-8, a damaged gzip stream — is handed
back (``None``) to :func:`read_record_frames`, the record-by-record reader
(:func:`~collabnet.sources.files.iter_works` and
:func:`~collabnet.sources.records.records_to_struct`), which fixes what it can, names the
file, line and field of what it cannot, and with ``skip_bad`` skips and counts it. A test
requires both to give identical tables on every real record file.
"""

from __future__ import annotations

from collections import deque
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from collabnet.sources.files import ReadReport, is_json_lines, iter_works
from collabnet.sources.records import WORK_RECORD_TYPE, fit_work, record_frames, records_to_struct

#: Decompressed bytes of whole lines that Arrow parses at a time.
BLOCK_SIZE = 32 << 20
#: Records converted at a time by the record-by-record reader.
BATCH = 20_000
#: Anything the Arrow reader raises sends the file to the record-by-record reader.
_FALLBACK = (pa.ArrowException, OSError, EOFError, UnicodeDecodeError)


def read_jsonl_frames(path, progress=None):
    """Raw frames of one JSON Lines file, or None when it needs the record-by-record path.

    Parameters
    ----------
    path : path
        A ``.jsonl``, ``.jsonl.gz`` or snapshot ``part_NNN.gz`` file (gzip is told by its
        first bytes).
    progress : callable, optional
        Called with the number of (compressed) bytes read from disk, as they are read.

    Returns
    -------
    (parts, n_records) or None
        ``parts`` is a list of raw (works, affiliations) frame pairs
        (see :func:`~collabnet.sources.records.record_frames`), every copy of a work still
        in them: which copy wins is decided over all files, by
        :func:`collabnet.tables.tables_from_frames`.
    """
    import pyarrow.json as pj

    fields = list(WORK_RECORD_TYPE)
    parse = pj.ParseOptions(explicit_schema=pa.schema(fields), unexpected_field_behavior="ignore")
    parts: list[tuple[pd.DataFrame, pd.DataFrame]] = []
    n_records = 0
    try:
        with pa.OSFile(str(path)) as raw, ThreadPoolExecutor(2) as pool:
            gzipped = raw.read(2) == b"\x1f\x8b"
            raw.seek(0)
            stream = pa.CompressedInputStream(raw, "gzip") if gzipped else raw
            blocks = _line_blocks(stream, raw)
            # Three stages at once: read block k+1, parse block k, make frames of block k-1.
            reading, parsing, done = pool.submit(next, blocks, None), deque(), 0
            while True:
                item = reading.result() if reading is not None else None
                if item is not None:
                    reading = pool.submit(next, blocks, None)
                    parsing.append(pool.submit(_parse_block, *item, parse))
                    if len(parsing) < 2:
                        continue
                elif not parsing:
                    break
                else:
                    reading = None
                table, position = parsing.popleft().result()
                if progress is not None:
                    progress(position - done)
                    done = position
                if table is None:
                    return None
                for batch in table.to_batches():
                    struct = pa.StructArray.from_arrays(
                        [batch.column(f.name) for f in fields], fields=fields
                    )
                    if not _whole(struct):
                        return None
                    n_records += len(struct)
                    if len(struct):
                        parts.append(record_frames(struct))
    except _FALLBACK:
        return None
    return parts, n_records


def _parse_block(block: pa.Buffer, position: int, parse):
    """``(table, raw position)`` of a block of lines, or ``(None, position)`` for a block the
    record-by-record reader must read: one whose first value is not an object (Arrow's reader
    crashes, SIGSEGV, on a block whose first value is null) or whose rows are not its lines
    (Arrow reads two objects on one line, or one over two lines; JSON Lines has neither)."""
    import pyarrow.json as pj

    head = block.slice(0, 4096).to_pybytes()
    if not head.strip() and block.size <= 4096:
        return pa.table({}), position  # white space only
    if head[:1] != b"{":
        return None, position
    options = pj.ReadOptions(block_size=block.size + 1, use_threads=False)
    table = pj.read_json(pa.BufferReader(block), read_options=options, parse_options=parse)
    return (table if table.num_rows == _lines(block) else None), position


def _lines(block: pa.Buffer) -> int:
    """The lines of a block that starts with a line, trailing white space aside."""
    text = np.frombuffer(block, np.uint8)
    end = max(len(text) - 4096, 0)
    end += len(text[end:].tobytes().rstrip())
    step = 1 << 18  # in steps that stay in the cache
    return 1 + sum(int(np.count_nonzero(text[i : min(i + step, end)] == 10))
                   for i in range(0, end, step))


def _line_blocks(stream, raw):
    """``(buffer, raw position)`` pairs: about :data:`BLOCK_SIZE` bytes of whole lines each
    (the last may lack its newline), read straight into the buffer, no copy."""
    rest = b""
    while True:
        buf = pa.allocate_buffer(len(rest) + BLOCK_SIZE, resizable=True)
        view = memoryview(buf).cast("B")
        view[: len(rest)] = rest
        got = stream.readinto(view[len(rest) :])
        filled = len(rest) + got
        if got == 0:
            if rest:
                yield pa.py_buffer(rest), raw.tell()
            return
        tail = max(0, filled - (1 << 16))
        cut = bytes(view[tail:filled]).rfind(b"\n")
        cut = cut + tail if cut >= 0 else bytes(view[:tail]).rfind(b"\n")
        if cut < 0:  # a line longer than a block: read on
            rest = bytes(view[:filled])
            continue
        rest = bytes(view[cut + 1 : filled])
        del view
        yield buf.slice(0, cut + 1), raw.tell()


def _whole(struct: pa.StructArray) -> bool:
    """Whether a parsed batch is one the record-by-record reader would take as it is: every
    record has a non-blank id, and all text is valid UTF-8 (Arrow does not check it)."""
    ids = struct.field("id")
    if ids.null_count or pc.any(pc.equal(pc.utf8_trim_whitespace(ids), "")).as_py():
        return False
    try:
        struct.validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def read_record_frames(
    path, *, skip_bad: bool, report: ReadReport, progress=None
) -> list[tuple[pd.DataFrame, pd.DataFrame]]:
    """Raw frames of one record file of any shape, read record by record.

    Every record goes through :func:`~collabnet.sources.records.fit_work`; every copy of a
    work is kept (:func:`collabnet.tables.tables_from_frames` decides which wins), so a
    malformed copy of a work never hides a good one. ``report`` counts records and (with
    ``skip_bad``) bad records; without ``skip_bad`` the first bad one raises its one-line
    error (file:line, field).
    """
    parts = []
    located = iter_works(path, skip_bad=skip_bad, report=report, located=True,
                         duplicates="keep", check=fit_work, progress=progress)

    def skip(err: Exception) -> None:  # a record Arrow refuses after all (rare)
        report.skipped(err)
        report.records -= 1

    batch: list[tuple] = []
    for item in located:
        batch.append(item)
        if len(batch) >= BATCH:
            parts.append(_frames(batch, skip if skip_bad else None))
            batch = []
    if batch:
        parts.append(_frames(batch, skip if skip_bad else None))
    return parts


def _frames(batch: list[tuple], on_bad) -> tuple[pd.DataFrame, pd.DataFrame]:
    where = [(source, line) for source, line, _ in batch]
    struct = records_to_struct([r for _, _, r in batch], where, on_bad=on_bad, fitted=True)
    return record_frames(struct)


def read_file_frames(path, *, skip_bad: bool = False, engine: str = "auto", progress=None
                     ) -> tuple[list[tuple[pd.DataFrame, pd.DataFrame]], ReadReport]:
    """Raw frames of one record file of any shape, by the columnar reader where it can
    (``engine="auto"``, JSON Lines) and record by record otherwise, with what the read saw.

    ``progress`` is called with (compressed) bytes read; a file the columnar reader hands
    back is counted again from its start by the record-by-record read.
    """
    report = ReadReport()
    fast = None
    if engine == "auto" and is_json_lines(path):
        read = [0]

        def counted(n: int) -> None:
            read[0] += n
            if progress is not None:
                progress(n)

        fast = read_jsonl_frames(path, progress=counted)
        if fast is None and progress is not None:
            progress(-read[0])  # read again, record by record
    if fast is not None:
        parts, report.records = fast
        report.files.append(str(path))
        return parts, report
    return read_record_frames(path, skip_bad=skip_bad, report=report, progress=progress), report
