"""Node-link JSON for web tools (d3, graphology, networkx), and what every non-XML writer shares.

The file is networkx's ``node_link_data`` shape with ``edges="links"``::

    {"directed": false, "multigraph": false, "graph": {"level": "country", ...},
     "nodes": [{"id": "JP", "label": "JP", "works": 4, ...}, ...],
     "links": [{"source": "JP", "target": "US", "weight": 1.0, ...}, ...]}

so ``networkx.node_link_graph(json.load(f), edges="links")`` reads it back. Values follow
:mod:`collabnet.export.values`: one type per attribute, missing values (and ±infinity, which
JSON cannot hold) left out, text without the characters XML forbids, the graph's metadata
on every node and link, weight-0 links left out. It is written record by record, one per
line, never as one big string.

The CSV, Parquet, Pajek and VOSviewer writers take their rows from here too:
:func:`node_table` and :func:`edge_table` (a :class:`Table` each) are the rules of
:mod:`collabnet.export.values` with a fast path for plain ``str``/``int``/``float``/``bool``
values and the metadata cleaned once (the same types and values as ``node_columns`` and
``edge_columns``, several times faster on 100 000 edges); :func:`output` opens a
file atomically (or standard output), :func:`node_ids` / :func:`text_ids` give each node
the id a file can hold, and :func:`column_names` names columns without clashes.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import orjson

from collabnet.errors import InputError
from collabnet.export.values import (
    META_KEYS,
    column_types,
    graph_meta,
    is_missing,
    kind_of,
    plain,
    weighted_edges,
    xml_safe,
)
from collabnet.fileio import atomic_path
from collabnet.progress import bar as progress_bar
from collabnet.progress import tracked

__all__ = [
    "Table",
    "clean",
    "column_names",
    "column_types",
    "edge_table",
    "json_bytes",
    "node_ids",
    "node_table",
    "output",
    "text_ids",
    "text_of",
    "weighted_links",
    "write_node_link",
]

def clean(v, kind: str):
    """``v`` as the plain value of a ``kind`` column (:func:`~collabnet.export.values.plain`),
    or None when it is missing or no column value (a dict).

    >>> clean(float("nan"), "double"), clean(3, "double"), clean("a\\x07b", "string")
    (None, 3.0, 'ab')
    """
    t = type(v)
    if t is float:
        if v != v:
            return None
        if kind == "double":
            return v
    elif t is str:
        if kind == "string":
            return xml_safe(v)
    elif t is int:
        if kind == "long":
            return v
    elif v is None:
        return None
    elif t is not bool and (is_missing(v) or kind_of(v) is None):
        return None
    return plain(v, kind)


class Table:
    """The nodes or edges of a graph as a writer needs them (see :func:`node_table`).

    Attributes
    ----------
    types : dict
        Column name -> type (``boolean``, ``long``, ``double``, ``string``), the graph's
        metadata columns last.
    rows : list
        ``(node, attributes)`` or ``(u, v, attributes)``, the attributes as the graph holds
        them (without the metadata: :meth:`cells` adds it).
    meta : dict
        The metadata columns' plain values, the same on every row that has no own value.
    """

    __slots__ = ("types", "rows", "meta", "_meta")

    #: :meth:`fill` modes: plain values; JSON (±infinity left out); text (booleans as
    #: ``true``/``false``, ±infinity as ``Infinity``/``-Infinity``).
    PLAIN, JSON, TEXT = 0, 1, 2

    def __init__(self, types: dict[str, str], rows: list, meta: dict):
        self.types, self.rows, self.meta = types, rows, meta
        self._meta = (meta, {k: v for k, v in meta.items() if _finite(v)},
                      {k: text_of(v) if type(v) in (bool, float) else v
                       for k, v in meta.items()})

    def cells(self, data: dict) -> dict:
        """Column -> plain value of one row's attributes: missing values and dicts left
        out, the graph's metadata added where the row has no value of its own."""
        return self.fill(data, {})

    def fill(self, data: dict, out, keys: dict | None = None, mode: int = 0):
        """Put one row's values (as :meth:`cells` gives them) into ``out`` (a dict or a
        list) at ``keys[column]`` (default: the column name); return ``out``."""
        types = self.types
        for k, v in data.items():
            if type(k) is not str:
                k = str(k)
            kind = types.get(k)
            if kind is None:
                continue
            t = type(v)
            if t is float:
                if v != v:
                    continue
                if kind != "double":
                    v = plain(v, kind)
                elif mode and (v == _INF or v == -_INF):
                    if mode == 1:
                        continue
                    v = text_of(v)
            elif t is str:
                v = xml_safe(v)
            elif t is int:
                if kind != "long":
                    v = plain(v, kind)
            else:
                v = clean(v, kind)
                if v is None:
                    continue
                if mode and type(v) in (bool, float):
                    if mode == 2:
                        v = text_of(v)
                    elif not _finite(v):
                        continue
            out[k if keys is None else keys[k]] = v
        for k, v in self._meta[mode].items():
            if k not in data:
                out[k if keys is None else keys[k]] = v
        return out


def _table(datas: list, graph, rows: list) -> Table:
    """A :class:`Table` whose types are those of ``with_meta(d, graph_meta(graph))`` over
    ``datas``: the metadata's kind counts for a column where some row lacks its own value."""
    types = column_types(datas)
    meta = {}
    graph_values = graph_meta(graph)
    for k in META_KEYS:
        if k in graph_values and any(k not in d for d in datas):
            v = graph_values[k]
            kind = kind_of(v)
            own = types.get(k)
            if own is not None and own != kind:
                kind = "double" if {own, kind} <= {"long", "double"} else "string"
            types[k] = kind
            meta[k] = plain(v, kind)
    if meta:  # metadata columns last
        types = {**{k: t for k, t in types.items() if k not in meta},
                 **{k: types[k] for k in meta}}
    return Table(types, rows, meta)


def node_table(graph) -> Table:
    """The nodes as :func:`collabnet.export.values.node_columns` gives them (the same types
    and values), as a :class:`Table`."""
    rows = list(graph.nodes(data=True))
    return _table([d for _, d in rows], graph, rows)


def edge_table(graph) -> tuple[Table, int]:
    """``(table, dropped)``: the edges as :func:`collabnet.export.values.edge_columns` gives
    them; edges of weight 0 (or a missing weight) are left out and counted in ``dropped``."""
    rows = list(weighted_edges(graph))
    table = _table([d for _, _, d in rows], graph, rows)
    return table, graph.number_of_edges() - len(rows)


_INF = math.inf


def _finite(v) -> bool:
    return type(v) is not float or math.isfinite(v)


def weighted_links(graph) -> tuple[list, int]:
    """``(links, dropped)``: the edges :func:`edge_table` keeps as ``(u, v, weight)``, the
    weight a plain value of its column's type or None (for formats that keep only it).

    >>> import networkx as nx
    >>> weighted_links(nx.Graph([(1, 2, {"weight": 2}), (2, 3, {"weight": 0.5}),
    ...                          (3, 4, {"weight": 0})]))
    ([(1, 2, 2.0), (2, 3, 0.5)], 1)
    """
    rows = [(u, v, d.get("weight")) for u, v, d in weighted_edges(graph)]
    kind = column_types({"weight": w} for _, _, w in rows).get("weight")
    links = [(u, v, None if w is None or kind is None else clean(w, kind))
             for u, v, w in rows]
    return links, graph.number_of_edges() - len(rows)


def _json_id(n):
    t = type(n)
    if t is str:
        return xml_safe(n)
    if t is int or t is bool or (t is float and math.isfinite(n)):
        return n
    kind = None if is_missing(n) else kind_of(n)
    if kind in ("boolean", "long") or (kind == "double" and math.isfinite(float(n))):
        return plain(n, kind)
    return xml_safe(str(n))


def node_ids(graph) -> dict:
    """Node -> its id in a JSON file: the key itself when it is text (without the characters
    XML forbids), a number or a boolean; otherwise its text.

    Raises
    ------
    InputError
        When two nodes get the same id (keys that differ only by removed characters).
    """
    ids = {n: _json_id(n) for n in graph}
    if len(set(ids.values())) != len(ids):
        raise InputError("node ids collide once control characters are removed; rename nodes")
    return ids


def text_of(v) -> str:
    """A plain value as text in a delimited file: ``true``/``false``, ``Infinity``, ``1.5``.

    >>> text_of(True), text_of(float("-inf")), text_of(2.0), text_of(3)
    ('true', '-Infinity', '2.0', '3')
    """
    t = type(v)
    if t is str:
        return v
    if t is bool:
        return "true" if v else "false"
    if t is float and not math.isfinite(v):
        return "NaN" if v != v else ("Infinity" if v > 0 else "-Infinity")
    return str(v)


def text_ids(graph) -> dict:
    """Node -> its id as text (for CSV, Parquet, Pajek and VOSviewer descriptions).

    Raises
    ------
    InputError
        When two nodes get the same text (``1`` and ``"1"``, or keys that differ only by
        removed characters).
    """
    ids = {n: text_of(i) for n, i in node_ids(graph).items()}
    if len(set(ids.values())) != len(ids):
        raise InputError("two node ids are the same text (such as 1 and '1'); rename nodes")
    return ids


def column_names(names: Iterable[str], reserved: Iterable[str] = (), *,
                 fold_case: bool = False) -> dict[str, str]:
    """Attribute name -> column name: the name without the characters XML forbids (and,
    with ``fold_case``, stripped of spaces, as Gephi reads headers), ``_2``, ``_3``… added
    when it would repeat a ``reserved`` or an earlier name (case-insensitively with
    ``fold_case``, as Gephi compares them).

    >>> column_names(["works", "id", "Works", ""], ["id"], fold_case=True)
    {'works': 'works', 'id': 'id_2', 'Works': 'Works_2', '': 'attribute'}
    """
    fold = str.casefold if fold_case else str
    used = {fold(r) for r in reserved}
    out = {}
    for name in names:
        base = xml_safe(name)
        if fold_case:
            base = " ".join(base.split()) or "attribute"
        col, i = base, 1
        while fold(col) in used:
            i += 1
            col = f"{base}_{i}"
        used.add(fold(col))
        out[name] = col
    return out


@contextlib.contextmanager
def output(path: str | os.PathLike, *, binary: bool = False,
           newline: str = "\n") -> Iterator[io.IOBase]:
    """A UTF-8 text file (or, with ``binary``, a byte file) to write ``path`` through:
    atomically (it appears only when complete, :func:`collabnet.fileio.atomic_path`), or
    standard output for ``"-"``."""
    if str(path) == "-":
        sys.stdout.flush()
        buffer = getattr(sys.stdout, "buffer", None)
        if buffer is None:  # a text-only stand-in for stdout
            if binary:
                raise InputError("-: standard output cannot take bytes here; give a file")
            yield sys.stdout
            return
        if binary:
            yield buffer
            buffer.flush()
            return
        fh = io.TextIOWrapper(buffer, encoding="utf-8", newline=newline)
        try:
            yield fh
        finally:
            fh.flush()
            fh.detach()
        return
    with atomic_path(path) as tmp:
        if binary:
            with open(tmp, "wb", buffering=1 << 20) as fh:
                yield fh
        else:
            with open(tmp, "w", encoding="utf-8", newline=newline, buffering=1 << 20) as fh:
                yield fh


def json_bytes(rec: dict) -> bytes:
    """``rec`` as compact UTF-8 JSON (orjson; json for integers beyond 64 bits)."""
    try:
        return orjson.dumps(rec)
    except TypeError:  # an integer beyond 64 bits
        return json.dumps(rec, ensure_ascii=False, allow_nan=False).encode()


def write_node_link(graph, path: str | os.PathLike, *, progress: bool | None = None) -> Path:
    """Write ``graph`` as node-link JSON (networkx's shape, ``edges="links"``).

    Parameters
    ----------
    graph : networkx.Graph
        A collabnet network or any graph; dict-valued attributes (``by_year``) are left out.
    path : str or path
        Output file (``.json``), UTF-8, written atomically; ``"-"`` writes to standard
        output.
    progress : bool, optional
        Show a progress bar; default: as :func:`collabnet.progress.showing_progress` says.

    Returns
    -------
    pathlib.Path
        The path written.

    Notes
    -----
    Node ids are the node keys (text without the characters XML forbids, or numbers). A
    node attribute named ``id``, or an edge attribute named ``source`` or ``target``, would
    clash with the format's own fields and is written as ``id_2`` (``source_2``…).

    Examples
    --------
    >>> import json, os, tempfile, networkx as nx
    >>> g = nx.Graph(level="country", counting="full")
    >>> g.add_node("JP", label="Japan \\"JP\\"", works=3, share=float("nan"))
    >>> g.add_edge("JP", "US", weight=2.0, works=2)
    >>> p = write_node_link(g, os.path.join(tempfile.mkdtemp(), "g.json"))
    >>> h = nx.node_link_graph(json.load(open(p, encoding="utf-8")), edges="links")
    >>> h.nodes["JP"]
    {'label': 'Japan "JP"', 'works': 3, 'level': 'country', 'counting': 'full'}
    >>> h.edges["JP", "US"]["weight"], h.graph["counting"]
    (2.0, 'full')
    """
    nodes = node_table(graph)
    edges, _ = edge_table(graph)
    nnames = column_names(nodes.types, ["id"])
    enames = column_names(edges.types, ["source", "target"])
    ids = node_ids(graph)
    meta = {k: v for k, v in graph_meta(graph).items() if _finite(v)}
    head = {"directed": graph.is_directed(), "multigraph": graph.is_multigraph(),
            "graph": meta}
    with progress_bar(len(nodes.rows) + len(edges.rows), "writing JSON", " items",
                      enabled=progress) as bar, output(path, binary=True) as fh:
        fh.write(json_bytes(head)[:-1] + b',"nodes":[')
        sep = b"\n"
        for n, data in tracked(bar, nodes.rows):
            rec = nodes.fill(data, {"id": ids[n]}, nnames, Table.JSON)
            fh.write(sep + json_bytes(rec))
            sep = b",\n"
        fh.write(b'\n],"links":[' if nodes.rows else b'],"links":[')
        sep = b"\n"
        for u, v, data in tracked(bar, edges.rows):
            rec = edges.fill(data, {"source": ids[u], "target": ids[v]}, enames, Table.JSON)
            fh.write(sep + json_bytes(rec))
            sep = b",\n"
        fh.write(b"\n]}\n" if edges.rows else b"]}\n")
    return Path(path)
