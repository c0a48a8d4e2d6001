"""The counts' cache: every ``group_by`` answer on disk, so that a rerun asks nothing.

An answer is stored whole (all its cursor pages merged) under
``<cache folder>/groups/<key>.json.gz``, where the key hashes the request's canonical filter,
its ``group_by``, how its groups were walked (top groups or every group with a cursor) and,
for a server other than api.openalex.org, its base URL (:func:`collabnet.query.cache_key`) —
never the API key or the page size. Files are written with :func:`collabnet.cache.atomic_write`
(a temporary name renamed into place, :mod:`collabnet.fileio`), so a run killed mid-write
leaves the old file or none. An entry that does not read back is treated as missing and asked
again. Besides answers, the store keeps small notes: which servers refused or garbled a
nested ``group_by`` (asked once per server), and ROR ids resolved to OpenAlex ids.

``collabnet cache clear`` removes pages and queries; the ``groups`` folder is kept (delete it
by hand to forget the counts).

>>> import tempfile
>>> store = GroupStore(tempfile.mkdtemp(), source="http://127.0.0.1:1")
>>> store.get("publication_year:2015", "institutions.country_code") is None
True
>>> store.put("publication_year:2015", "institutions.country_code",
...           {"meta": {"count": 2}, "group_by": []})
>>> store.get("publication_year:2015", "institutions.country_code")["meta"]["count"]
2
"""

from __future__ import annotations

import gzip
import os
import zlib
from datetime import datetime, timezone
from pathlib import Path

import orjson

from collabnet.cache import atomic_write
from collabnet.query import cache_key

__all__ = ["GroupStore"]

#: Bumped when what a stored answer means changes; part of every key.
GROUPS_FORMAT = "collabnet-groups-v1"


class GroupStore:
    """``group_by`` answers (and notes) of one server in a cache folder.

    Parameters
    ----------
    root : path
        The cache folder (``Settings.cache_dir``); answers go to its ``groups`` subfolder,
        created on the first write.
    source : str, optional
        The server's base URL; part of the keys unless it is the default OpenAlex API.
    """

    def __init__(self, root: str | os.PathLike, source: str | None = None):
        self.dir = Path(root) / "groups"
        self.source = source

    def key(self, filter_text: str, group_by: str, mode: str = "top") -> str:
        """The key of one request: filter, group_by, walk mode and server (never the key)."""
        parts = [GROUPS_FORMAT, f"group_by={group_by}", f"mode={mode}"]
        return cache_key(filter_text, select=parts, source=self.source)

    def path(self, key: str) -> Path:
        return self.dir / f"{key}.json.gz"

    def get(self, filter_text: str, group_by: str, mode: str = "top") -> dict | None:
        """The stored answer, or None (never stored, or unreadable: ask again)."""
        return self._read(self.path(self.key(filter_text, group_by, mode)))

    def put(self, filter_text: str, group_by: str, answer: dict, mode: str = "top") -> None:
        """Store ``answer`` (``{"meta": …, "group_by": […]}``) atomically, gzip-compressed."""
        record = {
            "request": {"filter": filter_text, "group_by": group_by, "mode": mode},
            "stored": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
            **answer,
        }
        self._write(self.path(self.key(filter_text, group_by, mode)), record)

    # --- notes: small facts about the server -----------------------------------------------
    def note(self, name: str) -> dict | None:
        """A stored note (``nested``, ``ror:<id>`` …) about this server, or None."""
        return self._read(self.path(self.key("", f"note={name}", "note")))

    def set_note(self, name: str, value: dict) -> None:
        self._write(self.path(self.key("", f"note={name}", "note")), value)

    # --- files -----------------------------------------------------------------------------
    def _read(self, path: Path) -> dict | None:
        try:
            data = orjson.loads(gzip.decompress(path.read_bytes()))
        except FileNotFoundError:
            return None
        except (OSError, EOFError, zlib.error, orjson.JSONDecodeError):
            return None  # damaged: ask the server again
        return data if isinstance(data, dict) else None

    def _write(self, path: Path, record: dict) -> None:
        from collabnet import fileio

        try:
            self.dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise fileio.os_error(self.dir, exc, "cannot write the cache") from None
        atomic_write(path, orjson.dumps(record), compress=True)
