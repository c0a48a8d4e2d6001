"""Nodes and edges tables: CSV for Gephi's spreadsheet importer, Parquet for pandas and DuckDB.

A network becomes two tables, ``<stem>_nodes`` and ``<stem>_edges``, in the columns Gephi's
spreadsheet importer (*File > Import spreadsheet*) recognises — it matches them by name,
case-insensitively, after trimming spaces:

- nodes: ``id``, ``label``, then every node attribute (``works``, ``share``…);
- edges: ``source``, ``target``, ``weight``, ``type`` (``Undirected``), then every edge
  attribute (``works``…).

Values follow :mod:`collabnet.export.values` (one type per column, the graph's metadata —
``level``, ``counting``, ``years``, ``synthetic``… — on every row, weight-0 edges left out).
In CSV (UTF-8 without a byte-order mark, which Gephi would read into the first header;
RFC 4180 quoting, CRLF line ends) booleans are ``true``/``false`` (the only spelling Gephi
takes as boolean), ±infinity ``Infinity``/``-Infinity``, and a missing value is an empty
cell; an empty text therefore reads back as missing. Parquet columns are typed (bool,
int64, double, string; ids int64 when every node key is an integer) and a missing value is
null. An attribute whose name Gephi reserves (``id``, ``source``, ``target`` on nodes;
``source``, ``target``, ``type``, ``kind`` on edges) or that repeats another name
case-insensitively gets ``_2`` (``_3``…) added.

Reading the CSV with pandas, pass ``keep_default_na=False, na_values=[""]``: otherwise
Namibia's country code ``NA`` reads as missing.
"""

from __future__ import annotations

import contextlib
import csv
import os
from pathlib import Path

from collabnet.errors import InputError
from collabnet.export.nodelink import (
    column_names,
    edge_table,
    node_table,
    output,
    text_ids,
    text_of,
)
from collabnet.fileio import atomic_path
from collabnet.progress import bar as progress_bar
from collabnet.progress import tracked

__all__ = ["pair_paths", "tables", "write_csv_pair", "write_parquet_pair"]

#: Node columns Gephi reads as the id, as the label, or as the sign of an edges table.
NODE_RESERVED = ("id", "label", "source", "target")
#: Edge columns Gephi reads as the ends, the weight, the direction or the kind of an edge.
EDGE_RESERVED = ("source", "target", "weight", "type", "kind")
#: Rows per Parquet row group.
ROW_GROUP = 65_536


def pair_paths(path: str | os.PathLike, suffix: str) -> tuple[Path, Path]:
    """``net.csv`` -> ``(net_nodes.csv, net_edges.csv)``.

    >>> [p.name for p in pair_paths("out/net.csv", ".csv")]
    ['net_nodes.csv', 'net_edges.csv']
    """
    if str(path) == "-":
        raise InputError(f"-: a {suffix} network is written as two files, not to standard "
                         f"output; give a file name such as net{suffix}")
    path = Path(path)
    return (path.with_name(f"{path.stem}_nodes{suffix}"),
            path.with_name(f"{path.stem}_edges{suffix}"))


def tables(graph, *, text: bool = False):
    """The two tables of ``graph`` as ``(columns, kinds, rows)`` each: ``columns`` the
    header, ``kinds`` each column's type, ``rows`` an iterator of lists of plain values
    (None where missing). Ids are text, labels text; with ``text``, booleans are
    ``true``/``false`` and ±infinity ``Infinity``/``-Infinity``.

    >>> import networkx as nx
    >>> g = nx.Graph(counting="full")
    >>> g.add_node("JP", label="Japan", works=3)
    >>> g.add_edge("JP", "US", weight=1.0)
    >>> (cols, kinds, rows), (ecols, _, erows) = tables(g)
    >>> cols, list(rows)
    (['id', 'label', 'works', 'counting'], [['JP', 'Japan', 3, 'full'], ['US', None, None, 'full']])
    >>> ecols, list(erows)
    (['source', 'target', 'weight', 'type', 'counting'], [['JP', 'US', 1.0, 'Undirected', 'full']])
    """
    ids = text_ids(graph)
    nodes = node_table(graph)
    edges, _ = edge_table(graph)
    attrs = [k for k in nodes.types if k != "label"]
    names = column_names(attrs, NODE_RESERVED, fold_case=True)
    ncols = ["id", "label", *(names[k] for k in attrs)]
    nkinds = ["string", "string", *(nodes.types[k] for k in attrs)]
    npos = {k: i for i, k in enumerate(attrs, 2)}
    npos["label"] = 1
    weight_kind = edges.types.get("weight", "double")
    eattrs = [k for k in edges.types if k != "weight"]
    enames = column_names(eattrs, EDGE_RESERVED, fold_case=True)
    ecols = ["source", "target", "weight", "type", *(enames[k] for k in eattrs)]
    ekinds = ["string", "string", weight_kind, "string", *(edges.types[k] for k in eattrs)]
    epos = {k: i for i, k in enumerate(eattrs, 4)}
    epos["weight"] = 2
    mode = nodes.TEXT if text else nodes.PLAIN
    direction = "Directed" if graph.is_directed() else "Undirected"

    def node_rows():
        width = len(ncols)
        for n, data in nodes.rows:
            row = nodes.fill(data, [ids[n], *[None] * (width - 1)], npos, mode)
            if row[1] is not None and type(row[1]) is not str:
                row[1] = text_of(row[1])
            yield row

    def edge_rows():
        width = len(ecols)
        blank = [None] * (width - 4)
        for u, v, data in edges.rows:
            yield edges.fill(data, [ids[u], ids[v], None, direction, *blank], epos, mode)

    return (ncols, nkinds, node_rows()), (ecols, ekinds, edge_rows())


def write_csv_pair(graph, path: str | os.PathLike, *,
                   progress: bool | None = None) -> list[Path]:
    """Write ``graph`` as ``<stem>_nodes.csv`` and ``<stem>_edges.csv`` for Gephi.

    In Gephi: *File > Import spreadsheet*, the nodes file first ("Nodes table"), then the
    edges file ("Edges table") appended to the same workspace.

    Parameters
    ----------
    graph : networkx.Graph
    path : str or path
        ``net.csv`` names the pair ``net_nodes.csv``, ``net_edges.csv``. Both files appear
        together, only when both are complete.
    progress : bool, optional
        Show a progress bar; default: as :func:`collabnet.progress.showing_progress` says.

    Returns
    -------
    list of pathlib.Path
        The nodes file, then the edges file.

    Raises
    ------
    InputError
        For ``"-"`` (two files cannot go to standard output) or a file that cannot be
        written.

    Examples
    --------
    >>> import os, tempfile, networkx as nx
    >>> g = nx.Graph(level="country", synthetic=True)
    >>> g.add_node("JP", label="Japan, Tokyo", works=3)
    >>> g.add_node("US", label="United States", works=2)
    >>> g.add_edge("JP", "US", weight=2.0, works=2)
    >>> nodes, edges = write_csv_pair(g, os.path.join(tempfile.mkdtemp(), "g.csv"))
    >>> print(nodes.read_text(encoding="utf-8"), end="")
    id,label,works,level,synthetic
    JP,"Japan, Tokyo",3,country,true
    US,United States,2,country,true
    >>> print(edges.read_text(encoding="utf-8"), end="")
    source,target,weight,type,works,level,synthetic
    JP,US,2.0,Undirected,2,country,true
    """
    paths = pair_paths(path, ".csv")
    (ncols, _, nrows), (ecols, _, erows) = tables(graph, text=True)
    total = graph.number_of_nodes() + graph.number_of_edges()
    with progress_bar(total, "writing CSV", " rows", enabled=progress) as bar, \
            output(paths[0], newline="") as nfh, output(paths[1], newline="") as efh:
        for fh, cols, rows in ((nfh, ncols, nrows), (efh, ecols, erows)):
            out = csv.writer(fh, lineterminator="\r\n")  # CRLF: CR inside text is quoted
            out.writerow(cols)
            out.writerows(tracked(bar, rows))
    return list(paths)


def _arrow_types(kinds: list[str], int_ids: int) -> list:
    """Arrow types of the columns; the first ``int_ids`` (the ids) int64."""
    import pyarrow as pa

    by_kind = {"boolean": pa.bool_(), "long": pa.int64(), "double": pa.float64(),
               "string": pa.string()}
    return [pa.int64() if i < int_ids else by_kind[k] for i, k in enumerate(kinds)]


def _write_parquet(tmp: Path, cols: list[str], types: list, rows, bar, int_ids: int) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([pa.field(c, t) for c, t in zip(cols, types)])
    with pq.ParquetWriter(tmp, schema) as writer:
        chunk: list = []
        wrote = False

        def flush():
            columns = list(zip(*chunk)) if chunk else [[] for _ in cols]
            arrays = []
            for i, (values, t) in enumerate(zip(columns, types)):
                if i < int_ids:
                    values = [int(x) for x in values]
                arrays.append(pa.array(values, type=t))
            writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
            chunk.clear()

        for row in tracked(bar, rows):
            chunk.append(row)
            if len(chunk) == ROW_GROUP:
                flush()
                wrote = True
        if chunk or not wrote:
            flush()


def write_parquet_pair(graph, path: str | os.PathLike, *,
                       progress: bool | None = None) -> list[Path]:
    """Write ``graph`` as ``<stem>_nodes.parquet`` and ``<stem>_edges.parquet``.

    The same two tables as :func:`write_csv_pair`, with typed columns (bool, int64,
    double, string) and null where a value is missing; ``id``, ``source`` and ``target``
    are int64 when every node key is an integer, else text.

    Parameters
    ----------
    graph : networkx.Graph
    path : str or path
        ``net.parquet`` names the pair ``net_nodes.parquet``, ``net_edges.parquet``; both
        appear together, only when both are complete.
    progress : bool, optional
        Show a progress bar; default: as :func:`collabnet.progress.showing_progress` says.

    Returns
    -------
    list of pathlib.Path
        The nodes file, then the edges file.

    Raises
    ------
    InputError
        For ``"-"`` or a file that cannot be written.

    Examples
    --------
    >>> import os, tempfile, networkx as nx, pyarrow.parquet as pq
    >>> g = nx.Graph(counting="fractional")
    >>> g.add_node("JP", label="Japan", works=3, share=0.5)
    >>> g.add_node("US", works=2)
    >>> g.add_edge("JP", "US", weight=0.5, works=1)
    >>> nodes, edges = write_parquet_pair(g, os.path.join(tempfile.mkdtemp(), "g.parquet"))
    >>> pq.read_table(nodes).to_pydict()
    {'id': ['JP', 'US'], 'label': ['Japan', None], 'works': [3, 2], 'share': [0.5, None], \
'counting': ['fractional', 'fractional']}
    >>> pq.read_table(edges).schema.types[:4]
    [DataType(string), DataType(string), DataType(double), DataType(string)]
    """
    paths = pair_paths(path, ".parquet")
    (ncols, nkinds, nrows), (ecols, ekinds, erows) = tables(graph)
    int_ids = graph.number_of_nodes() > 0 and all(type(n) is int for n in graph)
    total = graph.number_of_nodes() + graph.number_of_edges()
    with progress_bar(total, "writing Parquet", " rows", enabled=progress) as bar, \
            contextlib.ExitStack() as stack:
        ntmp = stack.enter_context(atomic_path(paths[0]))
        etmp = stack.enter_context(atomic_path(paths[1]))
        n_int = 1 if int_ids else 0
        _write_parquet(ntmp, ncols, _arrow_types(nkinds, n_int), nrows, bar, n_int)
        _write_parquet(etmp, ecols, _arrow_types(ekinds, 2 * n_int), erows, bar, 2 * n_int)
    return list(paths)
