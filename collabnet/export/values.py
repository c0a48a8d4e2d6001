"""Attribute values every network writer agrees on: one type per column, nothing missing
written, text that every format can hold, metadata on every node and edge.

Each writer in :mod:`collabnet.export` (GraphML, GEXF, JSON, CSV, Pajek, VOSviewer) takes
its columns from :func:`node_columns` / :func:`edge_columns` and its values through
:func:`plain`, so that a network reads back the same in every format:

- a column has one type (``boolean``, ``long``, ``double`` or ``string``), chosen from all
  its values: ints and floats together are ``double``, anything else mixed is ``string``;
- ``None``, ``pd.NA`` and ``NaN`` are *missing*: the value is left out, never written as
  ``nan`` (which Gephi rejects);
- numpy scalars (``numpy.bool_``, ``numpy.int64``…) are their Python values;
- text loses the characters XML 1.0 forbids (C0 controls but tab/newline/CR, lone
  surrogates, U+FFFE/U+FFFF);
- dict-valued attributes (``by_year``: per-year values for the dynamic GEXF) and other
  containers are not columns; lists and tuples of scalars are joined with ``;``;
- the graph's own scalar attributes (``level``, ``counting``, ``years``, ``synthetic``…)
  are copied onto every node and edge (:func:`with_meta`), because Gephi drops graph-level
  data on import.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from numbers import Integral, Real

__all__ = [
    "KINDS",
    "META_KEYS",
    "column_types",
    "edge_columns",
    "graph_meta",
    "is_missing",
    "kind_of",
    "node_columns",
    "plain",
    "weighted_edges",
    "with_meta",
    "xml_safe",
]

#: Column types, as GraphML names them (GEXF: boolean, long, double, string too).
KINDS = ("boolean", "long", "double", "string")
#: Graph attributes copied onto every node and edge when present.
META_KEYS = ("level", "counting", "years", "collaboration_rule", "synthetic")

# Characters not allowed in XML 1.0 documents.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids (escaping is the writer's job).

    >>> xml_safe("a\\x07b\\ud800c")
    'abc'
    """
    return _INVALID_XML.sub("", text)


def is_missing(v) -> bool:
    """Whether a value is missing: None, ``pd.NA``, ``NaN`` (float or numpy)."""
    if v is None:
        return True
    if type(v).__name__ in ("NAType", "NaTType"):
        return True
    return isinstance(v, Real) and not isinstance(v, Integral) and not _is_bool(v) \
        and math.isnan(float(v))


def _is_bool(v) -> bool:
    return isinstance(v, bool) or type(v).__name__ in ("bool_", "bool")


def _is_container(v) -> bool:
    return isinstance(v, (dict, set, frozenset)) or (
        isinstance(v, (list, tuple)) and any(isinstance(x, (dict, list, tuple)) for x in v)
    )


def kind_of(v) -> str | None:
    """The column type of one value, or None for one that is no column value (a dict).

    >>> import numpy as np
    >>> kind_of(np.bool_(True)), kind_of(np.int64(3)), kind_of(1.5), kind_of("x")
    ('boolean', 'long', 'double', 'string')
    """
    if _is_container(v):
        return None
    if _is_bool(v):
        return "boolean"
    if isinstance(v, Integral):
        return "long"
    if isinstance(v, Real):
        return "double"
    return "string"


#: Column kind of each plain Python type (exact types only; subclasses take the slow path).
_FAST = {str: "string", int: "long", float: "double", bool: "boolean"}


def column_types(items: Iterable[dict]) -> dict[str, str]:
    """One type per attribute over all ``items`` (attribute dicts), in first-seen order:
    mixed long/double -> double; any other mix -> string. Attributes whose values are all
    missing or containers are not columns. Plain ``str``/``int``/``float``/``bool`` values
    take a fast path (one dict look-up); anything else goes through :func:`kind_of`.

    >>> column_types([{"a": 1, "b": "x"}, {"a": 2.5, "b": None, "c": {"y": 1}}])
    {'a': 'double', 'b': 'string'}
    """
    kinds: dict[str, set[str]] = {}
    for data in items:
        for k, v in data.items():
            t = type(v)
            kind = _FAST.get(t)
            if kind is None:
                if v is None or is_missing(v):
                    continue
                kind = kind_of(v)
                if kind is None:
                    continue
            elif t is float and v != v:  # NaN
                continue
            name = k if type(k) is str else str(k)
            seen = kinds.get(name)
            if seen is None:
                kinds[name] = {kind}
            else:
                seen.add(kind)
    out = {}
    for k, ks in kinds.items():
        if len(ks) == 1:
            out[k] = next(iter(ks))
        elif ks <= {"long", "double"}:
            out[k] = "double"
        else:
            out[k] = "string"
    return out


def plain(v, kind: str):
    """``v`` as the plain Python value of its column type (bool, int, float or str).

    >>> import numpy as np
    >>> plain(np.bool_(False), "boolean"), plain(np.int64(2), "double"), plain(["a", 1], "string")
    (False, 2.0, 'a;1')
    """
    if kind == "boolean":
        return bool(v)
    if kind == "long":
        return int(v)
    if kind == "double":
        return float(v)
    if isinstance(v, (list, tuple)):
        v = ";".join(str(x) for x in v)
    elif _is_bool(v):
        v = "true" if v else "false"
    return xml_safe(str(v))


def graph_meta(graph) -> dict:
    """The graph's scalar attributes (``level``, ``counting``, ``years``, ``synthetic``…), as
    plain values: what the side ``…_meta.json`` file holds."""
    out = {}
    for k, v in graph.graph.items():
        kind = None if is_missing(v) else kind_of(v)
        if kind is not None:
            out[str(k)] = plain(v, kind)
    return out


def with_meta(data: dict, meta: dict) -> dict:
    """A node's or edge's attributes with the graph's :data:`META_KEYS` metadata added (its
    own value wins where it has one)."""
    extra = {k: meta[k] for k in META_KEYS if k in meta and k not in data}
    return {**data, **extra} if extra else data


def node_columns(graph, *, meta: bool = True) -> tuple[dict[str, str], list]:
    """``(types, rows)`` of the nodes: ``rows`` is a list of ``(node, attributes)`` with the
    graph's metadata added when ``meta``; ``types`` maps each column to its type."""
    m = graph_meta(graph) if meta else {}
    rows = [(n, with_meta(d, m)) for n, d in graph.nodes(data=True)]
    return column_types(d for _, d in rows), rows


def edge_columns(graph, *, meta: bool = True) -> tuple[dict[str, str], list, int]:
    """``(types, rows, dropped)`` of the edges, as :func:`node_columns`; edges whose
    ``weight`` is 0 (or missing where other edges have one) are left out — Gephi drops
    them with an error — and counted in ``dropped``."""
    m = graph_meta(graph) if meta else {}
    rows, dropped = [], 0
    for u, v, d in weighted_edges(graph):
        rows.append((u, v, with_meta(d, m)))
    dropped = graph.number_of_edges() - len(rows)
    return column_types(d for _, _, d in rows), rows, dropped


def weighted_edges(graph):
    """The edges ``(u, v, data)`` whose weight is positive (or that carry none); plain
    ``float``/``int`` weights take a fast path."""
    for u, v, d in graph.edges(data=True):
        w = d.get("weight")
        t = type(w)
        if w is None or ((t is float or t is int) and w > 0):
            yield u, v, d
        elif t is not float and t is not int and not is_missing(w) and float(w) > 0:
            yield u, v, d
