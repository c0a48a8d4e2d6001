"""Reading work records from files, and running the server in the foreground.

:func:`load_works` reads JSON Lines (plain or gzip) or JSON pages; :func:`serve_main` is
``python -m collabnet.testing --works FILE``.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import sys
import time
from collections.abc import Iterable
from pathlib import Path

from collabnet.testing.server import OpenAlexTestServer


def load_works(path_or_paths: str | Path | Iterable[str | Path]) -> list[dict]:
    """Read OpenAlex work records from JSON Lines files (plain or gzip).

    Parameters
    ----------
    path_or_paths : str, Path or iterable of them
        ``.jsonl`` / ``.jsonl.gz`` files with one record per line. A ``.json`` file holding a
        list of records or an API page (``{"results": [...]}``) is read too.

    Returns
    -------
    list of dict
        The records in file order; blank lines are skipped.

    Examples
    --------
    >>> import gzip, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = Path(folder, "works.jsonl.gz")
    ...     _ = path.write_bytes(gzip.compress(b'{"id": "W1"}'))
    ...     load_works(path)
    [{'id': 'W1'}]
    """
    paths = ([path_or_paths] if isinstance(path_or_paths, (str, Path))
             else list(path_or_paths))
    out: list[dict] = []
    for p in paths:
        p = Path(p)
        raw = p.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        text = raw.decode("utf-8")
        stripped = text.lstrip()
        if p.suffix == ".json" or (stripped.startswith("[")):
            data = json.loads(text)
            records = data.get("results", []) if isinstance(data, dict) else data
            out.extend(r for r in records if isinstance(r, dict))
            continue
        for line in io.StringIO(text):
            line = line.strip()
            if line:
                out.append(json.loads(line))
    return out


def serve_main(argv: list[str] | None = None) -> int:
    """Run the server in the foreground: ``python -m collabnet.testing --works FILE``."""
    ap = argparse.ArgumentParser(
        prog="python -m collabnet.testing",
        description="Serve OpenAlex work records with api.openalex.org semantics on localhost.",
    )
    ap.add_argument("--works", nargs="+", required=True, help="JSON Lines (.jsonl/.jsonl.gz)")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8000)
    ap.add_argument("--api-key", action="append", dest="api_keys",
                    help="a valid key (repeatable); without it any key is accepted")
    ap.add_argument("--require-key", action="store_true")
    ap.add_argument("--daily-credits", type=int, default=None)
    ap.add_argument("--per-second", type=int, default=None)
    ap.add_argument("--max-per-page", type=int, default=200)
    ap.add_argument("--pad-zero-groups", action="store_true")
    args = ap.parse_args(argv)
    server = OpenAlexTestServer(
        load_works(args.works), api_keys=args.api_keys, require_key=args.require_key,
        daily_credits=args.daily_credits, per_second=args.per_second,
        max_per_page=args.max_per_page, host=args.host, port=args.port,
        pad_zero_groups=args.pad_zero_groups,
    ).start()
    print(f"serving {len(server.works)} works at {server.url} (Ctrl-C to stop)",
          file=sys.stderr)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0
