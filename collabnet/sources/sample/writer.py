"""Writing the SYNTHETIC records to a JSON Lines file, plain or gzip.

The file is written beside its final name and renamed when complete; gzip runs in a second
thread (zlib releases the GIL) while records are made, with a bounded queue in between, so
memory stays flat at any size. Gzip headers carry no timestamp: the same arguments give
byte-identical files.
"""

from __future__ import annotations

import gzip
import queue
import threading
from pathlib import Path

import orjson

from collabnet.errors import InputError
from collabnet.fileio import atomic_path
from collabnet.progress import bar as progress_bar
from collabnet.sources.sample.records import _generate
from collabnet.sources.sample.world import _check_args


def write_sample(
    path,
    n_works: int = 20000,
    *,
    seed: int = 2024,
    years: tuple[int, int] = (2000, 2023),
    progress: bool = False,
) -> int:
    """Write SYNTHETIC works (see :func:`generate_works`) as JSON Lines, gzip by suffix.

    Parameters
    ----------
    path : str or Path
        Output file ending in ``.jsonl`` or ``.jsonl.gz`` (gzip, level 1, no timestamp in the
        header, so the same arguments give byte-identical files). Written to a temporary
        file beside it and renamed when complete.
    n_works, seed, years
        As for :func:`generate_works`.
    progress : bool
        Show a progress bar (works written) on standard error.

    Returns
    -------
    int
        Number of records written.

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp()
    >>> write_sample(os.path.join(d, "s.jsonl.gz"), 50, seed=3)
    50
    """
    path = Path(path)
    name = path.name.lower()
    if not (name.endswith(".jsonl") or name.endswith(".jsonl.gz")):
        raise InputError(f"{path}: sample file name must end in .jsonl or .jsonl.gz")
    n_works, seed, y0, y1 = _check_args(n_works, seed, years)
    if not path.parent.exists():
        raise InputError(f"{path.parent}: folder does not exist")
    written = 0
    dumps = orjson.dumps
    # Compression runs in a second thread (zlib releases the GIL) while records are made;
    # the bounded queue keeps memory flat.
    blocks: queue.Queue = queue.Queue(maxsize=4)
    failure: list[BaseException] = []

    def sink(out) -> None:
        try:
            while (block := blocks.get()) is not None:
                out.write(block)
        except BaseException as exc:  # reported by the main thread
            failure.append(exc)
            while blocks.get() is not None:
                pass

    bar = progress_bar(n_works, "writing sample", " works", enabled=progress)
    with bar, atomic_path(path) as tmp, open(tmp, "wb") as raw:
        gz = name.endswith(".gz")
        out = (gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=1, mtime=0)
               if gz else raw)
        writer = threading.Thread(target=sink, args=(out,), daemon=True)
        writer.start()
        try:
            buf: list[bytes] = []
            for rec in _generate(n_works, seed, y0, y1):
                buf.append(dumps(rec))
                written += 1
                if len(buf) >= 2048:
                    buf.append(b"")
                    blocks.put(b"\n".join(buf))
                    bar.update(len(buf) - 1)
                    buf = []
                    if failure:
                        break
            if buf:
                buf.append(b"")
                blocks.put(b"\n".join(buf))
                bar.update(len(buf) - 1)
        finally:
            blocks.put(None)
            writer.join()
            if gz:
                out.close()
        if failure:
            raise failure[0]
    return written

