"""Tables out: CSV files of any indicator table."""

from __future__ import annotations

import os

from collabnet.errors import InputError

__all__ = ["write_csv"]


def write_csv(df, path: str | os.PathLike) -> None:
    """Write a table as CSV (no index); a path that cannot be written is one InputError line.

    Examples
    --------
    >>> import os, tempfile, pandas as pd
    >>> path = os.path.join(tempfile.mkdtemp(), "shares.csv")
    >>> write_csv(pd.DataFrame({"entity": ["JP"], "share": [0.25]}), path)
    >>> open(path).read()
    'entity,share\\nJP,0.25\\n'
    """
    try:
        df.to_csv(path, index=False)
    except OSError as exc:
        raise InputError(f"{path}: cannot write CSV ({exc.strerror or exc})") from None
