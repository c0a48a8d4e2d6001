"""Tables out: CSV files of any indicator table, written atomically (or to standard output)."""

from __future__ import annotations

import os
import sys

from collabnet.fileio import atomic_path

__all__ = ["STDOUT", "write_csv"]

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
