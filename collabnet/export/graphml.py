"""GraphML export that Gephi (and networkx, yEd, Cytoscape) read right.

collabnet writes GraphML itself rather than through ``networkx.write_graphml`` because the
latter names its keys ``d0…dN`` and Gephi's importer treats the key ``d3`` as the node label
and ``d7`` as the edge label, so an arbitrary attribute silently becomes a label; it also
writes ``nan`` (which Gephi rejects), refuses ``None`` and emits two keys for one attribute
holding both ints and floats. Here:

- key ids are named after their attribute and element (``n_label``, ``e_weight``);
- every attribute has one fixed type (``boolean``, ``long``, ``double`` or ``string``),
  chosen from all its values;
- ``None``/``NaN`` values are omitted, never written;
- strings have characters XML 1.0 forbids (control characters) removed, and ``&``, ``<``,
  ``>`` and quotes escaped by the XML library;
- the graph is written with ``edgedefault="undirected"`` (or ``directed``).
"""

from __future__ import annotations

import math
import os
import re
import sys
import xml.etree.ElementTree as ET
from numbers import Integral, Real
from pathlib import Path

import networkx as nx

from collabnet.errors import InputError
from collabnet.fileio import atomic_path
from collabnet.progress import bar as progress_bar

GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_SCHEMA = "http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd"

# Characters not allowed in XML 1.0 documents (C0 controls except tab/newline/CR, surrogates,
# U+FFFE/U+FFFF).
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids (escaping is left to the writer)."""
    return _INVALID_XML.sub("", text)


def _is_missing(v) -> bool:
    if v is None:
        return True
    try:
        import pandas as pd

        if v is pd.NA:
            return True
    except ImportError:  # pragma: no cover
        pass
    return isinstance(v, Real) and not isinstance(v, Integral) and math.isnan(float(v))


def _kind(v) -> str:
    if isinstance(v, bool) or type(v).__name__ == "bool_":
        return "boolean"
    if isinstance(v, Integral):
        return "long"
    if isinstance(v, Real):
        return "double"
    return "string"


def _column_types(items) -> dict[str, str]:
    """One GraphML type per attribute: mixed long/double -> double; anything else -> string."""
    kinds: dict[str, set[str]] = {}
    for data in items:
        for k, v in data.items():
            if _is_missing(v):
                continue
            kinds.setdefault(str(k), set()).add(_kind(v))
    out = {}
    for k, ks in kinds.items():
        if len(ks) == 1:
            out[k] = ks.pop()
        elif ks <= {"long", "double"}:
            out[k] = "double"
        else:
            out[k] = "string"
    return out


def _text(v, kind: str) -> str:
    if kind == "boolean":
        return "true" if bool(v) else "false"
    if kind == "long":
        return str(int(v))
    if kind == "double":
        f = float(v)
        if math.isinf(f):
            return "Infinity" if f > 0 else "-Infinity"
        return repr(f)
    if isinstance(v, (list, tuple, set)):
        v = ";".join(str(x) for x in v)
    return xml_safe(str(v))


def _key_id(prefix: str, name: str) -> str:
    # XML ids: letters, digits, '_', '-', '.'; other characters become '_'.
    return prefix + re.sub(r"[^A-Za-z0-9_.-]", "_", name)


def graphml_tree(graph: nx.Graph, *, progress: bool | None = None) -> ET.ElementTree:
    """The GraphML document of ``graph`` as an ElementTree (see :func:`write_graphml`)."""
    ET.register_namespace("", GRAPHML_NS)
    ET.register_namespace("xsi", _XSI)
    root = ET.Element(f"{{{GRAPHML_NS}}}graphml", {f"{{{_XSI}}}schemaLocation": _SCHEMA})
    q = lambda tag: f"{{{GRAPHML_NS}}}{tag}"  # noqa: E731

    graph_types = _column_types([graph.graph])
    node_types = _column_types(d for _, d in graph.nodes(data=True))
    edge_types = _column_types(d for _, _, d in graph.edges(data=True))
    keys: dict[tuple[str, str], str] = {}
    for domain, prefix, types in (
        ("graph", "g_", graph_types),
        ("node", "n_", node_types),
        ("edge", "e_", edge_types),
    ):
        for name, kind in types.items():
            kid = _key_id(prefix, name)
            keys[(domain, name)] = kid
            ET.SubElement(
                root,
                q("key"),
                {"id": kid, "for": domain, "attr.name": xml_safe(name), "attr.type": kind},
            )
    g_el = ET.SubElement(
        root,
        q("graph"),
        {"id": "G", "edgedefault": "directed" if graph.is_directed() else "undirected"},
    )

    def add_data(parent, domain, data, types):
        for name, v in data.items():
            name = str(name)
            if _is_missing(v) or name not in types:
                continue
            d = ET.SubElement(parent, q("data"), {"key": keys[(domain, name)]})
            d.text = _text(v, types[name])

    add_data(g_el, "graph", graph.graph, graph_types)
    node_ids = {}
    bar = progress_bar(graph.number_of_nodes() + graph.number_of_edges(), "writing GraphML",
                       " items", enabled=progress)
    for n, data in graph.nodes(data=True):
        nid = xml_safe(str(n))
        node_ids[n] = nid
        el = ET.SubElement(g_el, q("node"), {"id": nid})
        add_data(el, "node", data, node_types)
        bar.update()
    for i, (u, v, data) in enumerate(graph.edges(data=True)):
        el = ET.SubElement(
            g_el, q("edge"), {"id": f"e{i}", "source": node_ids[u], "target": node_ids[v]}
        )
        add_data(el, "edge", data, edge_types)
        bar.update()
    bar.close()
    if len(set(node_ids.values())) != len(node_ids):
        raise InputError("node ids collide once control characters are removed; rename nodes")
    ET.indent(root, space="  ")
    return ET.ElementTree(root)


def write_graphml(
    graph: nx.Graph, path: str | os.PathLike, *, progress: bool | None = None
) -> Path:
    """Write ``graph`` as GraphML that Gephi imports with labels and weights right.

    Parameters
    ----------
    graph : networkx.Graph
        Node attribute ``label`` becomes Gephi's node label and edge attribute ``weight`` its
        edge weight; every other attribute becomes a typed column.
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
    >>> g = nx.Graph()
    >>> g.add_node("I1", label="Smith & Sons <Lab>\\x07", works=3, share=float("nan"))
    >>> g.add_edge("I1", "I2", weight=1.5, works=2)
    >>> p = write_graphml(g, os.path.join(tempfile.mkdtemp(), "g.graphml"))
    >>> h = nx.read_graphml(p)
    >>> h.nodes["I1"]["label"], "share" in h.nodes["I1"], h.edges["I1", "I2"]["weight"]
    ('Smith & Sons <Lab>', False, 1.5)
    """
    tree = graphml_tree(graph, progress=progress)
    if str(path) == "-":
        tree.write(sys.stdout.buffer, encoding="utf-8", xml_declaration=True)
        return Path(path)
    path = Path(path)
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        tree.write(fh, encoding="utf-8", xml_declaration=True)
    return path
