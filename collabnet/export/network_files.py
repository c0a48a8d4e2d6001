"""Networks out, the format chosen by the file's suffix: one writer per format.

Gephi, Gephi Lite and VOSviewer pick their importer by the extension, so a file's suffix
decides what is written in it, and an unknown suffix is an error, never GraphML in disguise.
Every writer takes its columns and values from :mod:`collabnet.export.values` (one type per
column, nothing missing written, the graph's metadata on every node and edge), writes as a
stream and atomically (a failed write leaves no half file), and :func:`write_network` adds
a side ``…_meta.json`` with the graph's metadata.
"""

from __future__ import annotations

import importlib
import json
import os
from pathlib import Path

from collabnet.errors import InputError
from collabnet.fileio import atomic_write

__all__ = ["FORMATS", "NETWORK_FORMATS", "format_for", "meta_path", "write_meta",
           "write_network"]

#: Format name -> (module, writer function, what opens it).
NETWORK_FORMATS: dict[str, tuple[str, str, str]] = {
    "graphml": ("collabnet.export.graphml", "write_graphml",
                "Gephi (File > Open), networkx, igraph, yEd, Cytoscape"),
    "gexf": ("collabnet.export.gexf", "write_gexf",
             "Gephi and Gephi Lite (with colours, sizes and a layout)"),
    "json": ("collabnet.export.nodelink", "write_node_link",
             "web tools: node-link JSON (d3, graphology's import)"),
    "vosviewer-json": ("collabnet.export.vosviewer", "write_vosviewer_json",
                       "VOSviewer Online (Open > JSON file)"),
    "csv": ("collabnet.export.spreadsheet", "write_csv_pair",
            "Gephi's spreadsheet importer (nodes table, then edges table), spreadsheets"),
    "pajek": ("collabnet.export.pajek", "write_pajek", "Pajek, VOSviewer (Pajek network), igraph"),
    "vos": ("collabnet.export.vosviewer", "write_vos",
            "VOSviewer (Create > Create a map based on network data: map and network files)"),
    "parquet": ("collabnet.export.spreadsheet", "write_parquet_pair",
                "pandas, DuckDB, Arrow: nodes and edges tables"),
}
#: Suffix -> format name (``vosviewer-json`` is chosen with ``format=``, its suffix is .json).
FORMATS = {".graphml": "graphml", ".gexf": "gexf", ".json": "json", ".csv": "csv",
           ".net": "pajek", ".vos": "vos", ".parquet": "parquet"}


def format_for(path: str | os.PathLike, format: str | None = None) -> str:
    """The format of ``path``: ``format`` when given (checked), else the suffix's.

    >>> format_for("inst.gexf"), format_for("x.json", "vosviewer-json")
    ('gexf', 'vosviewer-json')
    >>> try:
    ...     format_for("x.txt")
    ... except InputError as err:
    ...     print(str(err).replace(", .", " ."))
    x.txt: unknown network file type '.txt': use .graphml .gexf .json .csv .net .vos or .parquet
    """
    if format is not None:
        if format not in NETWORK_FORMATS:
            raise InputError(f"unknown network format {format!r}: choose "
                             + ", ".join(NETWORK_FORMATS))
        return format
    suffix = Path(str(path)).suffix.lower()
    if suffix not in FORMATS:
        known = list(FORMATS)
        raise InputError(f"{path}: unknown network file type {suffix or '(none)'!r}: use "
                         + ", ".join(known[:-1]) + f" or {known[-1]}")
    return FORMATS[suffix]


def meta_path(path: str | os.PathLike) -> Path:
    """The side file of the graph's metadata: ``inst.gexf`` -> ``inst_meta.json``."""
    path = Path(path)
    return path.with_name(path.stem + "_meta.json")


def write_network(graph, path: str | os.PathLike, format: str | None = None, *,
                  progress: bool | None = None, meta: bool = True) -> list[Path]:
    """Write a network in the format its suffix (or ``format``) names; return the files.

    Parameters
    ----------
    graph : networkx.Graph
        A collabnet network (:func:`collabnet.network`) or any graph with scalar attributes.
    path : str or path
        ``.graphml``, ``.gexf``, ``.json`` (node-link; ``format="vosviewer-json"`` for
        VOSviewer Online), ``.csv`` (``…_nodes.csv`` and ``…_edges.csv``), ``.net`` (Pajek),
        ``.vos`` (VOSviewer ``…_map.txt`` and ``…_network.txt``), ``.parquet`` (nodes and
        edges tables).
    format : str, optional
        One of :data:`NETWORK_FORMATS`, instead of the suffix.
    meta : bool
        Also write ``…_meta.json`` with the graph's metadata (level, counting, years,
        synthetic…), which Gephi would drop from the file itself, and the numbers of nodes
        and edges written (``edges_left_out``: edges of weight 0, which no file holds).

    Returns
    -------
    list of pathlib.Path
        Every file written, the side file last.
    """
    name = format_for(path, format)
    module, func, _ = NETWORK_FORMATS[name]
    writer = getattr(importlib.import_module(module), func)
    written = writer(graph, path, progress=progress)
    written = list(written) if isinstance(written, (list, tuple)) else [Path(written)]
    if meta and str(path) != "-":
        written.append(write_meta(graph, path, written, format=name))
    return written


def write_meta(graph, path: str | os.PathLike, files, *, format: str | None = None) -> Path:
    """Write the side ``…_meta.json`` of a network file (:func:`meta_path`): the graph's
    metadata, the numbers of nodes and edges written (``edges_left_out``: edges of weight
    0, which no file holds), the format (when one) and the names of ``files``."""
    from collabnet.export.values import graph_meta, weighted_edges

    side = meta_path(path)
    edges = sum(1 for _ in weighted_edges(graph))
    info = {**graph_meta(graph), **({"format": format} if format else {}),
            "nodes": graph.number_of_nodes(), "edges": edges,
            "edges_left_out": graph.number_of_edges() - edges,
            "files": [Path(p).name for p in files]}
    atomic_write(side, (json.dumps(info, indent=2, ensure_ascii=False) + "\n").encode())
    return side
