"""Reading a job file's TOML, and finding the line of each of its tables and keys.

``tomllib`` gives no positions, so :class:`TomlText` scans the text once: it follows the
table headers (``[job]``, ``[[analysis]]`` — the n-th array table gets index n-1, as in the
parsed dict), skips multi-line strings and arrays, and records the line of every
``key = value``. :meth:`TomlText.line_of` then answers for any path of the parsed document
(``("analysis", 1, "levle")``), falling back to the nearest enclosing table or key.
"""

from __future__ import annotations

import re
import sys

from collabnet.errors import InputError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = ["TomlText", "parse_toml"]

_BARE = r"[A-Za-z0-9_-]+"
_PART = rf'(?:{_BARE}|"[^"\\]*(?:\\.[^"\\]*)*"|\'[^\']*\')'
_DOTTED = rf"{_PART}(?:\s*\.\s*{_PART})*"
_HEADER = re.compile(rf"^\s*(\[\[|\[)\s*({_DOTTED})\s*(\]\]|\])")
_KEY = re.compile(rf"^\s*({_DOTTED})\s*=")
_SPLIT = re.compile(rf"\s*({_PART})\s*(?:\.|$)")


def _parts(dotted: str) -> list[str]:
    out = []
    for m in _SPLIT.finditer(dotted):
        p = m.group(1)
        if p[:1] in "\"'":
            p = p[1:-1]
        out.append(p)
    return out


def parse_toml(text: str, name: str) -> dict:
    """The document, or one InputError line ``name:LINE: invalid TOML: …``."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = re.search(r"\(at line (\d+), column \d+\)", msg)
        line = m.group(1) if m else (str(len(text.splitlines()) or 1)
                                     if "end of document" in msg else None)
        where = f"{name}:{line}" if line else name
        reason = re.sub(r" ?[(]at (line|end of document).*[)]", "", msg)
        raise InputError(f"{where}: invalid TOML: {reason}") from None


class TomlText:
    """The lines of a TOML text's tables and keys (see the module docstring).

    >>> t = TomlText('[job]\\nname = "x"\\n\\n[[analysis]]\\nkind = "shares"\\n'
    ...              '[[analysis]]\\nlevle = "country"\\n')
    >>> t.line_of(("analysis", 1, "levle")), t.line_of(("analysis", 0)), t.line_of(("job",))
    (7, 4, 1)
    >>> t.line_of(("analysis", 1, "focus"))  # not there: the table's header
    6
    """

    def __init__(self, text: str):
        self.lines: dict[tuple, int] = {}
        self._arrays: dict[tuple, int] = {}
        table: tuple = ()
        depth = 0  # open [ and { of a value continued on later lines
        quote: str | None = None  # an open multi-line string's delimiter
        for number, line in enumerate(text.splitlines(), start=1):
            if quote is None and depth == 0:
                header = _HEADER.match(line)
                if header:
                    table = self._table(_parts(header.group(2)), header.group(1) == "[[")
                    self.lines.setdefault(table, number)
                    continue
                key = _KEY.match(line)
                if key:
                    path = table + tuple(_parts(key.group(1)))
                    self.lines.setdefault(path, number)
                    depth, quote = _scan(line[key.end():], 0, None)
                    continue
            depth, quote = _scan(line, depth, quote)

    def _table(self, parts: list[str], array: bool) -> tuple:
        path: tuple = ()
        for i, part in enumerate(parts):
            path += (part,)
            last = i == len(parts) - 1
            if last and array:
                self._arrays[path] = self._arrays.get(path, -1) + 1
                return path + (self._arrays[path],)
            if path in self._arrays:  # a table inside the latest element of an array
                path += (self._arrays[path],)
        return path

    def line_of(self, path) -> int | None:
        """The line of ``path`` (keys and indexes of the parsed document), or of the nearest
        enclosing key or table that the text names; None when nothing does."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return None


def _scan(text: str, depth: int, quote: str | None) -> tuple[int, str | None]:
    """Bracket depth and open multi-line string after ``text`` (comments and strings
    skipped), starting from ``depth`` and ``quote``."""
    i, n = 0, len(text)
    while i < n:
        if quote is not None:
            end = text.find(quote, i)
            if end < 0:
                return depth, quote
            i, quote = end + 3, None
            continue
        c = text[i]
        if c == "#":
            break
        if text.startswith(('"""', "'''"), i):
            quote, i = text[i:i + 3], i + 3
            continue
        if c in "\"'":
            i = _string_end(text, i)
            continue
        if c in "[{":
            depth += 1
        elif c in "]}":
            depth = max(0, depth - 1)
        i += 1
    return depth, quote


def _string_end(text: str, start: int) -> int:
    q = text[start]
    i = start + 1
    while i < len(text):
        if text[i] == "\\" and q == '"':
            i += 2
            continue
        if text[i] == q:
            return i + 1
        i += 1
    return i
