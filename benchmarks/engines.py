"""Which engine parses work records: DuckDB's ``read_json`` against pyarrow's JSON reader.

    python benchmarks/engines.py /tmp/collabnet-bench/works-100000-padded --runs 3

Each run is a fresh process that reads every part file of the corpus into collabnet's raw
frames and canonical tables, by one engine; wall and CPU seconds and peak RSS are printed
(medians). The DuckDB reader here is the one collabnet would need to use it safely:

DuckDB casts where collabnet refuses — ``2015.5`` read as a year gives 2015, as a boolean
``true``, a list read as text its JSON — so every scalar field is read as DuckDB's ``JSON``
type and converted here in SQL only when its JSON type is exactly the field's: a string for
text, an integer for whole numbers, a number for ``fwci``, ``true``/``false`` for flags.
A file in which any value is of another type (or that DuckDB cannot parse as one object per
line) is handed back (``None``) to the record-by-record reader, which fixes what
:func:`~collabnet.sources.fit.fit_work` fixes and names the file, line and field of the
rest — so both readers give the same tables, as a test checks on every real record file.
Records stream out of DuckDB in batches; each becomes its raw frames at once.

Measured 2026-12-02 (100 000 padded works, 1.8 GB of JSON): typed DuckDB parsing alone
needs 7.3 CPU s against pyarrow's 11; with the exact-type conversion that keeps the
nothing-lost rule, 13.5 CPU s against 13.0 — no gain, so collabnet keeps pyarrow.
"""

from __future__ import annotations

import pyarrow as pa

from collabnet.sources.fit import WORK_RECORD_TYPE
from collabnet.sources.records import record_frames

#: Records turned into frames at a time.
BATCH = 50_000
_JSON_TYPES = {pa.string(): ("VARCHAR",), pa.int64(): ("BIGINT", "UBIGINT"),
               pa.float64(): ("BIGINT", "UBIGINT", "DOUBLE"), pa.bool_(): ("BOOLEAN",)}
_SQL_TYPES = {pa.string(): "VARCHAR", pa.int64(): "BIGINT", pa.float64(): "DOUBLE",
              pa.bool_(): "BOOLEAN"}


def available() -> bool:
    """Whether DuckDB can be imported (it is a dependency; a broken install falls back)."""
    try:
        import duckdb  # noqa: F401
    except ImportError:
        return False
    return True


def _read_type(t: pa.DataType) -> str:
    """The DuckDB column type to read ``t`` as: nesting kept, every scalar as JSON."""
    if pa.types.is_struct(t):
        return "STRUCT(" + ", ".join(f'"{f.name}" {_read_type(f.type)}' for f in t) + ")"
    if pa.types.is_list(t):
        return _read_type(t.value_type) + "[]"
    return "JSON"


def _convert(expr: str, t: pa.DataType, depth: int = 0) -> tuple[str, str]:
    """SQL for the value of ``expr`` as ``t`` and for whether it is exactly of that type."""
    if pa.types.is_struct(t):
        parts = [_convert(f"{expr}.\"{f.name}\"", f.type, depth) for f in t]
        packed = ", ".join(f'"{f.name}" := {v}' for f, (v, _) in zip(t, parts))
        value = f"CASE WHEN {expr} IS NULL THEN NULL ELSE struct_pack({packed}) END"
        return value, "(" + " AND ".join(ok for _, ok in parts) + ")"
    if pa.types.is_list(t):
        var = f"e{depth}"
        value, ok = _convert(var, t.value_type, depth + 1)
        return (f"list_transform({expr}, lambda {var}: {value})",
                f"coalesce(list_bool_and(list_transform({expr}, lambda {var}: {ok})), true)")
    kinds = ", ".join(f"'{k}'" for k in (*_JSON_TYPES[t], "NULL"))
    ok = f"coalesce(json_type({expr}) IN ({kinds}), true)"
    value = f"({expr} ->> '$')" if t == pa.string() else f"CAST({expr} AS {_SQL_TYPES[t]})"
    return value, ok


def work_sql(path_parameter: str) -> str:
    """The query that reads the JSON Lines file(s) ``path_parameter`` (an SQL expression)
    into :data:`WORK_RECORD_TYPE` columns plus ``_ok`` (every value of the row exactly of
    its field's type)."""
    columns = ", ".join(f"'{f.name}': '{_read_type(f.type)}'" for f in WORK_RECORD_TYPE)
    columns = "{" + columns + "}"
    values, oks = [], []
    for f in WORK_RECORD_TYPE:
        value, ok = _convert(f'"{f.name}"', f.type)
        values.append(f'{value} AS "{f.name}"')
        oks.append(ok)
    return (
        f"SELECT {', '.join(values)}, ({' AND '.join(oks)}) AS _ok "
        f"FROM read_json({path_parameter}, format = 'newline_delimited', "
        f"compression = 'auto_detect', hive_partitioning = false, columns = {columns})"
    )


def read_duckdb_frames(path, progress=None, *, connection=None):
    """Raw frames of one JSON Lines file, or None when it needs the record-by-record path.

    The same contract as :func:`collabnet.sources.jsonl.read_jsonl_frames`: ``(parts,
    n_records)``, every copy of a work still in ``parts``; ``progress`` is called with the
    file's size once it is read.
    """
    import os

    import duckdb

    con = connection if connection is not None else duckdb.connect()
    fields = list(WORK_RECORD_TYPE)
    parts, n_records = [], 0
    try:
        literal = "'" + str(path).replace("'", "''") + "'"
        reader = con.sql(work_sql(literal)).to_arrow_reader(BATCH)
        for batch in reader:
            if not _clean(batch):
                return None
            struct = pa.StructArray.from_arrays(
                [batch.column(f.name) for f in fields], fields=fields).cast(WORK_RECORD_TYPE)
            n_records += len(struct)
            if len(struct):
                parts.append(record_frames(struct))
    except (duckdb.Error, pa.ArrowException, OSError, UnicodeDecodeError):
        return None
    finally:
        if connection is None:
            con.close()
    if progress is not None:
        try:
            progress(os.path.getsize(path))
        except OSError:
            pass
    return parts, n_records


def _clean(batch: pa.RecordBatch) -> bool:
    """Every value of the batch exactly typed, every record with a non-blank id."""
    import pyarrow.compute as pc

    ok = batch.column("_ok")
    if ok.null_count or not pc.all(ok).as_py():
        return False
    ids = batch.column("id")
    return not (ids.null_count or pc.any(pc.equal(pc.utf8_trim_whitespace(ids), "")).as_py())


def main(argv=None) -> int:
    import argparse
    import glob
    import statistics
    import subprocess
    import sys

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--engine", choices=("duckdb", "arrow"))
    args = ap.parse_args(argv)
    files = sorted(glob.glob(args.corpus + "/**/*.gz", recursive=True))
    if args.engine:  # one measured run, in this process
        from collabnet.sources.jsonl import read_jsonl_frames
        from collabnet.tables import tables_from_frames

        read = read_duckdb_frames if args.engine == "duckdb" else read_jsonl_frames
        parts = []
        for f in files:
            got = read(f)
            if got is None:
                raise SystemExit(f"{args.engine} handed {f} back to the record-by-record reader")
            parts.extend(got[0])
        print(len(tables_from_frames(parts)), "works")
        return 0
    for engine in ("duckdb", "arrow"):
        runs = []
        for _ in range(args.runs):
            out = subprocess.run(["/usr/bin/time", "-f", "%e %U %S %M", sys.executable,
                                  __file__, args.corpus, "--engine", engine],
                                 capture_output=True, text=True, check=True)
            wall, user, system, rss = out.stderr.split()[-4:]
            runs.append((float(wall), float(user) + float(system), int(rss) / 1024))
        wall, cpu, rss = (statistics.median(r[i] for r in runs) for i in range(3))
        print(f"{engine}: wall {wall:.2f} s, CPU {cpu:.2f} s, peak RSS {rss:.0f} MiB "
              f"(median of {args.runs})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
