"""Files read in pieces: gzip told by its first bytes, damage reported, not fatal.

A gzip file is decompressed member by member; a member's output is held back until its
checksum proves it, and a damaged or truncated stretch becomes one :class:`Bad` marker
(reading goes on at the next member that decompresses), so the readers in
:mod:`collabnet.sources.files` can report it with its file and line, or skip it.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from pathlib import Path

from collabnet.errors import InputError, MalformedRecordError

#: Raw bytes read at a time, and the most decompressed bytes one step may give.
_CHUNK, _STEP = 1 << 20, 8 << 20
#: A gzip member (deflate) starts with these bytes.
GZIP = b"\x1f\x8b\x08"
#: Decompressed bytes of a gzip member held back until its checksum proves them.
_HOLD = 8 << 20


class Bad:
    """What stands where a record should: a line that is not one, or a damaged stretch."""

    __slots__ = ("reason", "damage", "line")

    def __init__(self, reason: str, damage: bool = False, line: int | None = None):
        self.reason, self.damage, self.line = reason, damage, line

    def error(self, source: str, line: int | None) -> InputError:
        if self.damage:
            where = f"{source}:{line}" if line is not None else source
            return InputError(f"{where}: cannot read file ({self.reason})")
        return MalformedRecordError(source, line, self.reason)


def pieces(path: Path, progress=None) -> Iterator[bytes | Bad]:
    """A file's bytes in pieces, decompressed when it is gzip (by its first bytes, not its
    name); ``progress`` is called with the number of (compressed) bytes read."""
    with open(path, "rb") as raw:

        def read() -> bytes:
            data = raw.read(_CHUNK)
            if progress is not None and data:
                progress(len(data))
            return data

        data = read()
        if data[:2] != GZIP[:2]:
            while data:
                yield data
                data = read()
            return
        yield from _gunzip(data, read)


def _gunzip(data: bytes, read) -> Iterator[bytes | Bad]:
    """Decompress gzip members one after another (zero padding between them allowed, as
    :mod:`gzip` does). A member's output is held back until its checksum proves it (up to
    :data:`_HOLD` bytes; a larger member is given out as it comes). Where a member cannot be
    read, yield one damage marker (its unproven output dropped) and go on at the next member
    that decompresses; a file that ends inside a member yields what it could read, then a
    damage marker."""
    member, lost, eof = None, False, False
    held: list[bytes] | None = None  # the member's output not given out yet (None: streaming)
    while True:
        if len(data) < len(GZIP) and not eof:
            more = read()
            data, eof = data + more, not more
            continue
        if member is None:
            if not lost:
                data = data.lstrip(b"\0")
                if len(data) < len(GZIP) and not eof:
                    continue
                if not data:
                    return
                if not data.startswith(GZIP):
                    yield Bad("not gzip data", damage=True)
                    lost = True
            if lost:
                k = data.find(GZIP)
                if k < 0:
                    if eof:
                        return
                    more = read()
                    data, eof = data[-2:] + more, not more
                    continue
                data = data[k:]
            member, held = zlib.decompressobj(31), []
        saved = member.copy()
        try:
            out = member.decompress(data, _STEP) if data else member.flush()
        except zlib.error as exc:
            if held is None:  # given out so far: keep what came before the damage
                yield from _salvage(saved, data)
            if not lost:
                yield Bad(f"damaged gzip data: {exc}", damage=True)
            member, lost, data = None, True, data[1:]
            continue
        data = member.unused_data if member.eof else member.unconsumed_tail
        if held is None:
            if out:
                yield out
        else:
            held.append(out)
            if member.eof or sum(map(len, held)) >= _HOLD:
                yield from held
                held, lost = None, False
        if member.eof:
            member = None
        elif eof and not data and not out:
            if not lost:
                yield from held or ()
                yield Bad("truncated gzip data: the file ends inside a gzip member", damage=True)
            return


def _salvage(member, data: bytes) -> Iterator[bytes]:
    """What ``data`` decompresses to up to the point where it cannot (in small steps)."""
    for k in range(0, len(data), 256):
        try:
            out = member.decompress(data[k : k + 256])
        except zlib.error:
            return
        if out:
            yield out
