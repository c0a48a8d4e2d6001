"""Files that are never half-written: every output collabnet writes goes through here.

A write goes to a hidden temporary file in the destination's own folder (so the final rename
never crosses a file system), is flushed and fsynced, and is renamed over the destination
with :func:`os.replace` only when complete. A failed or interrupted write (an error, a full
disk, ``ulimit -f``, Ctrl-C) removes the temporary file and leaves the previous file as it
was. OS errors become one :class:`~collabnet.errors.InputError` line naming the path.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterator
from pathlib import Path

from collabnet.errors import InputError

__all__ = ["atomic_path", "atomic_write", "check_writable", "os_error"]


def os_error(path, exc: OSError, doing: str = "cannot write") -> InputError:
    """One line for an OS error on ``path``: ``out.csv: cannot write (No space left on device)``."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    return InputError(f"{path}: {doing} ({reason})")


def _temporary(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """A temporary path to write; renamed to ``path`` when the block ends without error.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "shares.csv"
    >>> _ = out.write_text("old")
    >>> try:
    ...     with atomic_path(out) as tmp:
    ...         _ = tmp.write_text("half")
    ...         raise KeyboardInterrupt
    ... except KeyboardInterrupt:
    ...     pass
    >>> out.read_text(), sorted(p.name for p in out.parent.iterdir())
    ('old', ['shares.csv'])
    >>> with atomic_path(out) as tmp:
    ...     _ = tmp.write_text("new")
    >>> out.read_text()
    'new'
    """
    path = Path(path)
    tmp = _temporary(path)
    try:
        yield tmp
        _fsync(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        _discard(tmp)
        raise os_error(path, exc) from None
    except BaseException:
        _discard(tmp)
        raise


def _fsync(tmp: Path) -> None:
    """Flush the written file to disk; an I/O error here (a full disk on NFS) is a failure."""
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EROFS):  # cannot fsync
            raise
    finally:
        os.close(fd)


def _discard(tmp: Path) -> None:
    with contextlib.suppress(OSError):
        tmp.unlink()


def atomic_write(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_path`).

    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "page.json"
    >>> atomic_write(out, b"{}")
    >>> out.read_bytes()
    b'{}'
    """
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        fh.write(data)


def check_writable(path: str | os.PathLike, *, folder: bool = False) -> None:
    """Fail now, before any work, when ``path`` cannot be written.

    For a file: its folder must exist and be writable, and ``path`` must not be a folder.
    For a folder (``folder=True``): it, or its nearest existing parent, must be writable.

    >>> try:
    ...     check_writable("/no/such/folder/out.csv")
    ... except InputError as e:
    ...     print(e)
    /no/such/folder/out.csv: cannot write (folder /no/such/folder does not exist)
    """
    path = Path(path)
    if folder:
        probe = path
        while not probe.exists() and probe != probe.parent:
            probe = probe.parent
        if probe.exists() and not probe.is_dir():
            raise InputError(f"{path}: cannot create output folder ({probe} is a file)")
        if not os.access(probe, os.W_OK):
            raise InputError(f"{path}: cannot create output folder ({probe} is not writable)")
        return
    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise InputError(f"{path}: cannot write (it is a folder)")
    if not parent.is_dir():
        raise InputError(f"{path}: cannot write (folder {parent} does not exist)")
    if not os.access(parent, os.W_OK):
        raise InputError(f"{path}: cannot write (folder {parent} is not writable)")
