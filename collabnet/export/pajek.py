"""Pajek ``.net`` files: for Pajek, VOSviewer (*Pajek network*) and igraph.

The file lists the vertices, numbered from 1 in the graph's node order, with their labels in
double quotes, then the links with their weights::

    *Vertices 3
    1 "Japan"
    2 "United States"
    3 "Germany"
    *Edges
    1 2 4.0
    1 3 1.5

(``*Arcs`` for a directed graph). Pajek keeps nothing but labels and weights: the other
attributes are in the CSV, GraphML or GEXF files.

A vertex's label is its ``label`` attribute, or its key when it has none (or one that is
blank). Labels are cleaned so that every Pajek reader (Pajek, igraph, networkx's
``read_pajek``, which splits lines like a shell) reads them the same: the characters XML
forbids are removed, tabs and line breaks become spaces, ``"`` becomes ``'`` and ``\\``
becomes ``/``. networkx names the nodes it reads by their labels, so a label that repeats
an earlier one gets the node's key added in brackets (``University [I123]``). An edge without
a weight gets Pajek's default 1; weight-0 edges are left out, as in every format.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from collabnet.export.nodelink import (
    clean,
    node_table,
    output,
    text_ids,
    text_of,
    weighted_links,
)
from collabnet.progress import bar as progress_bar
from collabnet.progress import tracked

__all__ = ["pajek_label", "pajek_labels", "write_pajek"]

#: Tabs and line breaks (after the characters XML forbids, VT/FF among them, are gone).
_BREAKS = re.compile("[\t\n\r\x85\u2028\u2029]")


def pajek_label(text: str) -> str:
    """``text`` as a Pajek vertex label: whitespace as spaces, ``"`` -> ``'``, ``\\`` -> ``/``.

    >>> pajek_label('Lab "A"\\tB\\\\C\\nD')
    "Lab 'A' B/C D"
    """
    return _BREAKS.sub(" ", text).replace('"', "'").replace("\\", "/")


def pajek_labels(graph) -> list[str]:
    """Each node's Pajek label, in node order: non-empty and unique (see the module notes).

    >>> import networkx as nx
    >>> g = nx.Graph()
    >>> g.add_nodes_from([("I1", {"label": "Lab"}), ("I2", {"label": "Lab"}), ("I3", {})])
    >>> pajek_labels(g)
    ['Lab', 'Lab [I2]', 'I3']
    """
    ids = text_ids(graph)
    nodes = node_table(graph)
    kind = nodes.types.get("label")
    out, seen = [], set()
    for n, data in nodes.rows:
        key = pajek_label(ids[n]).strip()
        value = clean(data["label"], kind) if kind and "label" in data else None
        label = pajek_label(text_of(value)).strip() if value is not None else ""
        label = label or key or str(len(out) + 1)
        if label in seen:
            base = label = f"{label} [{key}]"
            i = 1
            while label in seen:
                i += 1
                label = f"{base} {i}"
        seen.add(label)
        out.append(label)
    return out


def write_pajek(graph, path: str | os.PathLike, *, progress: bool | None = None) -> Path:
    """Write ``graph`` as a Pajek ``.net`` file (vertices with labels, weighted edges).

    Parameters
    ----------
    graph : networkx.Graph
    path : str or path
        Output file (``.net``), UTF-8, written atomically; ``"-"`` writes to standard
        output.
    progress : bool, optional
        Show a progress bar; default: as :func:`collabnet.progress.showing_progress` says.

    Returns
    -------
    pathlib.Path
        The path written.

    Examples
    --------
    >>> import os, tempfile, networkx as nx
    >>> g = nx.Graph()
    >>> g.add_node("JP", label='Japan "JP"')
    >>> g.add_edge("JP", "US", weight=2.5)
    >>> g.add_edge("US", "DE", weight=0.0)
    >>> p = write_pajek(g, os.path.join(tempfile.mkdtemp(), "g.net"))
    >>> print(p.read_text(encoding="utf-8"), end="")
    *Vertices 3
    1 "Japan 'JP'"
    2 "US"
    3 "DE"
    *Edges
    1 2 2.5
    >>> h = nx.read_pajek(p)
    >>> sorted(h.edges(data="weight"))
    [("Japan 'JP'", 'US', 2.5)]
    """
    labels = pajek_labels(graph)
    number = {n: i for i, n in enumerate(graph, 1)}
    links, _ = weighted_links(graph)
    with progress_bar(len(labels) + len(links), "writing Pajek", " items",
                      enabled=progress) as bar, output(path) as fh:
        fh.write(f"*Vertices {len(labels)}\n")
        fh.writelines(f'{i} "{label}"\n' for i, label in enumerate(tracked(bar, labels), 1))
        fh.write("*Arcs\n" if graph.is_directed() else "*Edges\n")
        lines = []
        for u, v, w in tracked(bar, links):
            w = 1 if w is None else w if type(w) is not bool else int(w)
            lines.append(f"{number[u]} {number[v]} {w}\n")
            if len(lines) >= 8192:
                fh.writelines(lines)
                lines.clear()
        fh.writelines(lines)
    return Path(path)
