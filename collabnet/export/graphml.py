"""GraphML export that Gephi, networkx, igraph and graphology read right, written as a stream.

collabnet writes GraphML itself rather than through ``networkx.write_graphml``, which names
its keys ``d0…dN`` (Gephi ≤ 0.9.2 reads the key ``d3`` as the node label and ``d7`` as the
edge label), writes ``nan`` (which Gephi rejects), refuses ``None`` and numpy booleans, and
emits two keys for one attribute holding both ints and floats. Here:

- values follow :mod:`collabnet.export.values`: one type per attribute (``boolean``,
  ``long``, ``double`` or ``string``), ``None``/``NaN`` left out, numpy scalars as Python
  values, text without the characters XML 1.0 forbids; the graph's metadata (``level``,
  ``counting``, ``years``…) is on every node and edge, and also graph-level ``<data>``;
- **key ids** are ``n_``/``e_``/``g_`` (node, edge, graph) plus the attribute name with every
  character but ``A-Z a-z 0-9 _ . -`` replaced by ``_``; when two names give one id (``"x y"``
  and ``"x_y"``, or non-ASCII names) the name already clean keeps it and the others get
  ``_2``, ``_3``… (never ``d0…dN``; igraph refuses duplicate ids). ``attr.name`` is the
  attribute's own name, so ``"x y"`` and ``"x_y"`` stay two columns;
- **node ids** are written as they are when they are XML name tokens (the GraphML schema
  types ``id``, ``source`` and ``target`` as ``xs:NMTOKEN``: letters, digits, ``. - _``);
  any other id (a space, ``&``, an emoji) is written with those characters replaced by
  ``_`` (plus ``_2``… if that id is taken), and then every node also carries its own id in
  the string attribute :data:`ORIGINAL_ID` (``original_id``);
- edges with weight 0 are left out (Gephi drops them with an error); edges have no id;
- the graph says ``edgedefault="undirected"`` (``directed`` for a directed graph).

One limit of the schema remains: ``attr.name`` is an ``xs:NMTOKEN`` there too, so a file whose
attribute names hold spaces or symbols is read fine by every reader but is not schema-valid;
collabnet's own attribute names all are name tokens.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from xml.sax.saxutils import escape

from collabnet.export.values import (
    META_KEYS,
    column_types,
    graph_meta,
    is_missing,
    plain,
    weighted_edges,
    xml_safe,
)
from collabnet.fileio import atomic_path
from collabnet.progress import bar as progress_bar

__all__ = ["GRAPHML_NS", "ORIGINAL_ID", "write_graphml", "xml_safe"]

GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_SCHEMA = f"{GRAPHML_NS} http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd"
#: Node attribute holding each node's own id when some id had to be changed for GraphML.
ORIGINAL_ID = "original_id"
#: Nodes or edges rendered between two writes to the file.
CHUNK = 2048

_ASCII_TOKEN = re.compile(r"[A-Za-z0-9._-]+")
_KEY_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")
# XML 1.0 (5th edition) name characters of the Basic Multilingual Plane; of these, only
# letters, marks and digits are kept (so that stricter, older validators agree).
_NAME_CHAR = re.compile(
    "[-.0-9A-Z_a-z\u00b7\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u037d\u037f-\u1fff\u200c\u200d"
    "\u203f\u2040\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd]"
)
_LETTERS = frozenset({"Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Nd"})
_TEXT_ENT = {"\r": "&#13;"}
_ATTR_ENT = {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}


def text_escape(s: str) -> str:
    """``s`` escaped for element content (``&``, ``<``, ``>``; CR kept as ``&#13;``)."""
    return escape(s, _TEXT_ENT)


def attr_escape(s: str) -> str:
    """``s`` escaped for a double-quoted attribute (also ``"``, tab, newline, CR)."""
    return escape(s, _ATTR_ENT)


def float_text(f: float) -> str:
    """A finite float as ``repr`` gives it; infinities as Java and Python parse them."""
    if f == math.inf:
        return "Infinity"
    if f == -math.inf:
        return "-Infinity"
    return repr(f)


def renderer(kind: str, esc: Callable[[str], str]) -> Callable[[object], str | None]:
    """A function from a value of a ``kind`` column to its escaped text, or None when the
    value is missing; the common Python types take a fast path, the rest
    :func:`~collabnet.export.values.plain`.

    >>> r = renderer("double", attr_escape)
    >>> r(2), r(float("nan")), r(None), renderer("boolean", attr_escape)(True)
    ('2.0', None, None, 'true')
    """
    if kind == "string":
        def render(v):
            if type(v) is str:
                return esc(xml_safe(v))
            return None if is_missing(v) else esc(plain(v, "string"))
    elif kind == "double":
        def render(v):
            t = type(v)
            if t is float:
                return None if v != v else float_text(v)
            if t is int:
                return float_text(float(v))
            return None if is_missing(v) else float_text(plain(v, "double"))
    elif kind == "long":
        def render(v):
            if type(v) is int:
                return str(v)
            return None if is_missing(v) else str(plain(v, "long"))
    else:
        def render(v):
            if v is True:
                return "true"
            if v is False:
                return "false"
            if is_missing(v):
                return None
            return "true" if plain(v, "boolean") else "false"
    return render


def _token_char(c: str) -> bool:
    return bool(_NAME_CHAR.match(c)) and (c.isascii() or unicodedata.category(c) in _LETTERS)


def _is_token(s: str) -> bool:
    """Whether ``s`` is an XML name token (``xs:NMTOKEN``) every validator accepts."""
    return bool(_ASCII_TOKEN.fullmatch(s)) or (bool(s) and all(map(_token_char, s)))


def _as_token(s: str) -> str:
    return "".join(c if _token_char(c) else "_" for c in s) or "_"


def unique_ids(items: Iterable, text: Callable, valid: Callable[[str], bool],
               fix: Callable[[str], str], taken: Iterable[str] = (),
               fold: Callable[[str], str] = str) -> tuple[dict, bool]:
    """``({item: id}, changed)``: every item's id, unique (compared through ``fold``).

    ``text(item)`` is the wanted id; those that are ``valid`` and free keep it (first come
    first served), the others become ``fix(text)`` plus ``_2``, ``_3``… if needed.
    ``changed`` tells whether any id differs from its ``xml_safe`` text.

    >>> unique_ids(["x y", "x_y"], str, _ASCII_TOKEN.fullmatch, _as_token)
    ({'x_y': 'x_y', 'x y': 'x_y_2'}, True)
    """
    used = {fold(t) for t in taken}
    ids, later = {}, []
    for item in items:
        s = text(item)
        if valid(s) and fold(s) not in used:
            ids[item] = s
            used.add(fold(s))
        else:
            later.append(item)
    changed = False
    for item in later:
        s = xml_safe(text(item))
        base = fix(s) if not valid(s) else s
        cand, k = base, 1
        while fold(cand) in used:
            k += 1
            cand = f"{base}_{k}"
        ids[item] = cand
        used.add(fold(cand))
        changed = changed or cand != s
    return ids, changed


def unique_titles(names: Iterable[str], taken: Iterable[str] = ()) -> dict[str, str]:
    """Each name without XML-forbidden characters, made unique with ``_2``, ``_3``…

    >>> unique_titles(["a\\x01", "a"])
    {'a': 'a', 'a\\x01': 'a_2'}
    """
    return unique_ids(names, str, lambda s: xml_safe(s) == s, xml_safe, taken)[0]


class Kinds:
    """The column types of rows added one at a time: what
    :func:`~collabnet.export.values.column_types` gives for all of them (each with ``meta``
    added as :func:`~collabnet.export.values.with_meta` adds it), but fast: that function
    sees one value per attribute and type (and NaN-ness, for floats) instead of every value;
    values of other types (lists, unknown types) are passed to it whole."""

    def __init__(self, meta: dict | None = None):
        np = sys.modules.get("numpy")
        self.fixed = {str, int, bool, type(None)}
        self.floats = {float}
        if np is not None:
            self.fixed |= {np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8,
                           np.uint16, np.uint32, np.uint64}
            self.floats |= {np.float16, np.float32, np.float64, np.longdouble}
        self.reps: dict[tuple, object] = {}
        self.whole = 0
        self.meta = dict(meta or {})

    def add(self, d: dict) -> None:
        reps, fixed, floats = self.reps, self.fixed, self.floats
        for k, v in d.items():
            t = type(v)
            if t in floats:
                key = (k, t, v != v)
            elif t in fixed:
                key = (k, t)
            else:
                self.whole += 1
                key = (k, t, self.whole)
            if key not in reps:
                reps[key] = v
        if self.meta:  # the metadata this row lacks, the first time it is lacking
            lacking = {k: v for k, v in self.meta.items() if k not in d}
            if lacking:
                self.meta = {k: v for k, v in self.meta.items() if k not in lacking}
                self.add(lacking)

    def types(self) -> dict[str, str]:
        return column_types({key[0]: v} for key, v in self.reps.items())


def column_kinds(items: Iterable[dict], meta: dict | None = None) -> dict[str, str]:
    """``column_types(with_meta(d, meta) for d in items)``, fast (see :class:`Kinds`).

    >>> column_kinds([{"a": None, "b": 1}, {"a": 2.5, "b": float("nan")}, {"a": 1}])
    {'b': 'long', 'a': 'double'}
    >>> column_kinds([{"a": 1}, {"level": 2}], {"level": "x"})
    {'a': 'long', 'level': 'string'}
    """
    kinds = Kinds(meta)
    for d in items:
        kinds.add(d)
    return kinds.types()


def _node_text(n) -> str:
    return n if type(n) is str else str(n)


@contextlib.contextmanager
def open_text(path: str | os.PathLike) -> Iterator:
    """A UTF-8 text stream to ``path``, written atomically (see
    :func:`collabnet.fileio.atomic_path`); ``"-"`` is standard output."""
    if str(path) == "-":
        buffer = getattr(sys.stdout, "buffer", None)
        if buffer is None:  # a replaced stdout (tests): write text to it
            yield sys.stdout
            return
        sys.stdout.flush()
        out = io.TextIOWrapper(buffer, encoding="utf-8", newline="\n")
        try:
            yield out
            out.flush()
        finally:
            out.detach()
        return
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline="\n",
                                        buffering=1 << 18) as fh:
        yield fh


class Chunks:
    """Rendered pieces, written to ``fh`` every :data:`CHUNK` items; advances ``bar``."""

    def __init__(self, fh, bar):
        self.fh, self.bar, self.parts = fh, bar, []

    def add(self, piece: str) -> None:
        self.parts.append(piece)
        if len(self.parts) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        if self.parts:
            self.fh.write("".join(self.parts))
            self.bar.update(len(self.parts))
            self.parts.clear()


def meta_of(graph) -> dict:
    """The graph's :data:`~collabnet.export.values.META_KEYS` metadata, as plain values."""
    m = graph_meta(graph)
    return {k: m[k] for k in META_KEYS if k in m}


def _keys(domain: str, types: dict[str, str]) -> tuple[list[str], dict]:
    """``(lines, {name: (key id, renderer)})`` of one domain's keys."""
    prefix = domain[0] + "_"
    ids, _ = unique_ids(types, lambda n: prefix + n,
                        lambda s: bool(_ASCII_TOKEN.fullmatch(s)),
                        lambda s: _KEY_UNSAFE.sub("_", s))
    names = unique_titles(types)
    lines, cols = [], {}
    for name, kind in types.items():
        lines.append(f'  <key id="{ids[name]}" for="{domain}" '
                     f'attr.name="{attr_escape(names[name])}" attr.type="{kind}"/>\n')
        cols[name] = (ids[name], renderer(kind, text_escape))
    return lines, cols


def _data(cols: dict, d: dict, buf: list, pad: str) -> None:
    for k, v in d.items():
        spec = cols.get(k)
        if spec is None:
            if type(k) is str:
                continue
            spec = cols.get(str(k))
            if spec is None:
                continue
        text = spec[1](v)
        if text is not None:
            buf.append(f'{pad}<data key="{spec[0]}">{text}</data>')


def meta_fragments(cols: dict, meta: dict, pad: str, piece: Callable) -> Callable:
    """A function ``d -> text`` of the metadata an element lacks, pre-rendered for the
    common case of an element that has none of the metadata keys itself."""
    rendered = {}
    for k, v in meta.items():
        if k in cols:
            text = cols[k][1](v)
            if text is not None:
                rendered[k] = piece(cols[k][0], text, pad)
    whole = "".join(rendered.values())
    keys = frozenset(rendered)

    def fragment(d: dict) -> str:
        if keys.isdisjoint(d):
            return whole
        return "".join(t for k, t in rendered.items() if k not in d)
    return fragment


def _data_piece(kid: str, text: str, pad: str) -> str:
    return f'{pad}<data key="{kid}">{text}</data>'


def write_graphml(graph, path: str | os.PathLike, *, progress: bool | None = None) -> Path:
    """Write ``graph`` as GraphML that Gephi imports with labels and weights right.

    The file is written as a stream (a few thousand nodes or edges at a time), so memory
    stays flat however large the network is.

    Parameters
    ----------
    graph : networkx.Graph
        Node attribute ``label`` becomes Gephi's node label and edge attribute ``weight`` its
        edge weight; every other scalar attribute becomes a typed column (dicts such as
        ``by_year`` are left out). The graph's metadata is copied onto every node and edge.
    path : str or path
        Output file (``.graphml``), written atomically: a failed or interrupted write leaves
        the previous file as it was. ``"-"`` writes to standard output.
    progress : bool, optional
        Show a progress bar (nodes and edges) on standard error; default: as
        :func:`collabnet.progress.showing_progress` says.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    InputError
        When the file cannot be written.

    Examples
    --------
    >>> import networkx as nx, tempfile, os
    >>> g = nx.Graph(level="institution")
    >>> g.add_node("I1", label="Smith & Sons <Lab>\\x07", works=3, share=float("nan"))
    >>> g.add_node("I 2", label="Lab 2")
    >>> g.add_edge("I1", "I 2", weight=1.5, works=2)
    >>> p = write_graphml(g, os.path.join(tempfile.mkdtemp(), "g.graphml"))
    >>> h = nx.read_graphml(p)
    >>> h.nodes["I1"]["label"], "share" in h.nodes["I1"], h.edges["I1", "I_2"]["weight"]
    ('Smith & Sons <Lab>', False, 1.5)
    >>> h.nodes["I_2"]["original_id"], h.nodes["I1"]["level"]
    ('I 2', 'institution')
    """
    meta = meta_of(graph)
    gm = graph_meta(graph)
    node_types = column_kinds((d for _, d in graph.nodes(data=True)), meta)
    edge_types = column_kinds((d for _, _, d in weighted_edges(graph)), meta)
    ids, changed = unique_ids(graph.nodes, _node_text, _is_token, _as_token)
    original = None
    if changed:
        original = unique_titles([ORIGINAL_ID], taken=node_types)[ORIGINAL_ID]
        node_types[original] = "string"
    key_lines, head = [], []
    cols = {}
    for domain, types in (("graph", column_types([gm])), ("node", node_types),
                          ("edge", edge_types)):
        lines, cols[domain] = _keys(domain, types)
        key_lines += lines
    head.append('<?xml version="1.0" encoding="UTF-8"?>\n'
                f'<graphml xmlns="{GRAPHML_NS}" xmlns:xsi="{_XSI}" '
                f'xsi:schemaLocation="{_SCHEMA}">\n')
    head += key_lines
    direction = "directed" if graph.is_directed() else "undirected"
    head.append(f'  <graph id="G" edgedefault="{direction}">')
    _data(cols["graph"], gm, head, "\n    ")
    head.append("\n")
    ncols, ecols = cols["node"], cols["edge"]
    node_meta = meta_fragments(ncols, meta, "\n      ", _data_piece)
    edge_meta = meta_fragments(ecols, meta, "\n      ", _data_piece)
    orig = ncols.get(original)
    total = graph.number_of_nodes() + graph.number_of_edges()
    with open_text(path) as fh, progress_bar(total, "writing GraphML", " items",
                                             enabled=progress) as bar:
        fh.write("".join(head))
        out = Chunks(fh, bar)
        for n, d in graph.nodes(data=True):
            buf = []
            _data(ncols, d, buf, "\n      ")
            if orig is not None:
                buf.append(_data_piece(orig[0], orig[1](xml_safe(_node_text(n))), "\n      "))
            body = "".join(buf) + node_meta(d)
            out.add(f'    <node id="{ids[n]}">{body}\n    </node>\n' if body
                    else f'    <node id="{ids[n]}"/>\n')
        for u, v, d in weighted_edges(graph):
            buf = []
            _data(ecols, d, buf, "\n      ")
            body = "".join(buf) + edge_meta(d)
            ends = f'source="{ids[u]}" target="{ids[v]}"'
            out.add(f"    <edge {ends}>{body}\n    </edge>\n" if body else f"    <edge {ends}/>\n")
        out.flush()
        fh.write("  </graph>\n</graphml>\n")
    return Path(path)
