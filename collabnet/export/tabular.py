"""Tables out: CSV or Parquet files of any indicator table, written atomically (CSV also to
standard output)."""

from __future__ import annotations

import os
import sys

from collabnet.errors import InputError
from collabnet.fileio import atomic_path

__all__ = ["STDOUT", "TABLE_FORMATS", "table_format", "write_csv", "write_table"]

#: The path that means standard output (``-o -``).
STDOUT = "-"


def write_csv(df, path: str | os.PathLike) -> None:
    """Write a table as CSV (no index); ``"-"`` writes it to standard output.

    The file appears only when complete: a failed or interrupted write leaves the previous
    file as it was (:func:`collabnet.fileio.atomic_path`), and a path that cannot be written
    is one InputError line.

    Examples
    --------
    >>> import os, tempfile, pandas as pd
    >>> path = os.path.join(tempfile.mkdtemp(), "shares.csv")
    >>> write_csv(pd.DataFrame({"entity": ["JP"], "share": [0.25]}), path)
    >>> open(path).read()
    'entity,share\\nJP,0.25\\n'
    """
    if str(path) == STDOUT:
        df.to_csv(sys.stdout, index=False)
        return
    with atomic_path(path) as tmp:
        df.to_csv(tmp, index=False)


#: Table file suffixes and what is written.
TABLE_FORMATS = {".csv": "csv", ".parquet": "parquet"}


def table_format(path: str | os.PathLike) -> str:
    """The format of a table file by its suffix (``-``: CSV on standard output); any other
    suffix is an error that lists the known ones (a table is never written in disguise).

    >>> table_format("shares.csv"), table_format("-"), table_format("x.PARQUET")
    ('csv', 'csv', 'parquet')
    """
    if str(path) == STDOUT:
        return "csv"
    suffix = os.path.splitext(str(path))[1].lower()
    if suffix not in TABLE_FORMATS:
        raise InputError(f"{path}: unknown table file type {suffix or '(none)'!r}: use .csv or "
                         ".parquet (or - for standard output); networks are written by "
                         "'collabnet network'")
    return TABLE_FORMATS[suffix]


def write_table(df, path: str | os.PathLike) -> None:
    """Write a table as CSV or Parquet, by the suffix (:func:`table_format`), atomically.

    >>> import os, tempfile, pandas as pd
    >>> path = os.path.join(tempfile.mkdtemp(), "shares.parquet")
    >>> write_table(pd.DataFrame({"entity": ["JP"], "share": [0.25]}), path)
    >>> pd.read_parquet(path)["share"].tolist()
    [0.25]
    """
    if table_format(path) == "csv":
        write_csv(df, path)
        return
    with atomic_path(path) as tmp:
        df.to_parquet(tmp, index=False)

