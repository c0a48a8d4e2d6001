"""VOSviewer files: a map file and a network file (``.vos``), or one VOSviewer JSON file.

VOSviewer (*Create > Create a map based on network data > Read data from VOSviewer files*)
and VOSviewer Online (*Open*) read a network as items and links (VOSviewer Online docs,
``docs/file-types/map-and-network-file-type.md`` and ``json-file-type.md``):

- each node is an item numbered from 1 (``id``, in the graph's node order), with its
  ``label`` (the node's label, or its key when it has none), its key in ``description``
  (HTML-escaped, since VOSviewer shows descriptions as HTML) and, for OpenAlex keys such as
  ``I27837315``, its OpenAlex page as ``url``;
- ``x``/``y`` come from the node attributes ``x`` and ``y`` when every node has both, and
  ``cluster`` from ``community`` + 1 (VOSviewer counts clusters from 1, up to 1000; a node
  without one, or beyond, has none);
- weights (non-negative, on every item, so a weight is written only when every node has
  it): ``Documents`` (``works``), ``Links`` (the number of links), ``Total link strength``
  (the sum of their strengths), ``Fractional documents`` (``fractional_works``),
  ``International documents`` (``international_works``);
- scores: ``International share`` (``share``), then every other numeric node attribute
  under its own name (centralities, ``domestic_works``…; not one whose name holds
  ``weight`` or ``cluster``, which VOSviewer Online would take for a weight or a cluster
  column); a missing score is left empty;
- each edge is a link whose strength is its ``weight`` (1 when it has none); weight-0 edges
  and self-loops (which VOSviewer ignores) are left out.

The map file is tab-separated with a header (``id label description url x y cluster
weight<…> score<…>``); a text holding ``,``, ``;`` or ``"`` is put in double quotes (inner
quotes doubled), and tabs and line breaks in texts become spaces. The network file has no
header: ``id1 <tab> id2 <tab> strength``. The JSON file holds the same items and links, plus
a ``config.terminology`` naming the items (countries, institutions, authors) and an ``info``
describing the network (level, counting, years). VOSviewer needs at least three items.
"""

from __future__ import annotations

import html
import math
import os
import re
from pathlib import Path

from collabnet.export.nodelink import (
    json_bytes,
    node_table,
    output,
    text_ids,
    text_of,
    weighted_links,
)
from collabnet.export.spreadsheet import pair_paths
from collabnet.export.values import graph_meta
from collabnet.progress import bar as progress_bar
from collabnet.progress import tracked

__all__ = ["vos_network", "vos_paths", "write_vos", "write_vosviewer_json"]

#: Weights after Links and Total link strength: VOSviewer name -> node attribute.
WEIGHTS = {"Documents": "works", "Fractional documents": "fractional_works",
           "International documents": "international_works"}
#: Scores: VOSviewer name -> node attribute (other numeric attributes follow).
SCORES = {"International share": "share"}
_OWN = {"label", "x", "y", "community", *WEIGHTS.values(), *SCORES.values()}
_OPENALEX = re.compile(r"[A-Z]\d+")
_SPACES = re.compile("[\t\n\r\x85\u2028\u2029]")
_QUOTE = re.compile('[,;"]')
#: Names VOSviewer Online reads as weights or clusters wherever they appear in a column name.
_TAKEN = re.compile("[wW]eight|[cC]luster")
_ITEMS = {"country": ("country", "countries"), "institution": ("institution", "institutions"),
          "author": ("author", "authors")}


def _number(v):
    """A finite int or float (not a boolean), else None."""
    if type(v) is bool or not isinstance(v, (int, float)):
        return None
    return v if math.isfinite(v) else None


def vos_network(graph) -> tuple[list[dict], list[tuple[int, int, float]], dict]:
    """``(items, links, columns)`` of ``graph`` as VOSviewer has them (see the module notes).

    ``items`` are dicts with ``id``, ``label``, ``description``, maybe ``url``, ``x``,
    ``y``, ``cluster``, and ``weights`` and ``scores`` dicts; ``links`` are
    ``(id1, id2, strength)``; ``columns`` says which optional fields are present:
    ``{"url": bool, "xy": bool, "cluster": bool, "weights": [...], "scores": [...]}``.

    >>> import networkx as nx
    >>> g = nx.Graph()
    >>> g.add_node("I1", label="Tokyo", works=3, share=0.5, community=0)
    >>> g.add_node("I2", label="MIT", works=2, community=1)
    >>> g.add_edge("I1", "I2", weight=0.5)
    >>> items, links, cols = vos_network(g)
    >>> items[0]
    {'id': 1, 'label': 'Tokyo', 'description': 'I1', 'url': 'https://openalex.org/I1', \
'cluster': 1, 'weights': {'Documents': 3, 'Links': 1, 'Total link strength': 0.5}, \
'scores': {'International share': 0.5}}
    >>> links, cols["weights"], cols["scores"]
    ([(1, 2, 0.5)], ['Documents', 'Links', 'Total link strength'], ['International share'])
    """
    keys = text_ids(graph)
    number = {n: i for i, n in enumerate(graph, 1)}
    nodes = node_table(graph)
    edges, _ = weighted_links(graph)
    links, degree, strength = [], [0] * (len(number) + 1), [0] * (len(number) + 1)
    for u, v, w in edges:
        if u == v:
            continue
        w = _number(w)
        w = 1 if w is None else w
        i, j = number[u], number[v]
        links.append((i, j, w))
        degree[i] += 1
        degree[j] += 1
        strength[i] += w
        strength[j] += w

    values = [nodes.cells(d) for _, d in nodes.rows]
    numeric = [k for k, t in nodes.types.items() if t in ("long", "double")]

    def complete(attr, minimum=None):
        got = [_number(row.get(attr)) for row in values]
        return bool(values) and all(x is not None and (minimum is None or x >= minimum)
                                    for x in got)

    optional = [(name, attr) for name, attr in WEIGHTS.items() if complete(attr, 0)]
    weights = [*optional[:1], ("Links", None), ("Total link strength", None), *optional[1:]]
    if optional and optional[0][0] != "Documents":
        weights = [("Links", None), ("Total link strength", None), *optional]
    meta = set(graph_meta(graph))
    scores = [(name, attr) for name, attr in SCORES.items() if attr in numeric]
    scores += [(_SPACES.sub(" ", k).replace("<", "(").replace(">", ")"), k)
               for k in numeric if k not in _OWN and k not in meta and not _TAKEN.search(k)]
    used: set[str] = set()
    for i, (name, attr) in enumerate(scores):
        base, k = name, 1
        while name in used:
            k += 1
            name = f"{base} {k}"
        used.add(name)
        scores[i] = (name, attr)
    xy = complete("x") and complete("y")
    items, any_url, any_cluster = [], False, False
    for (n, _), row in zip(nodes.rows, values):
        i = number[n]
        key = keys[n]
        label = row.get("label")
        label = text_of(label) if label is not None else ""
        item = {"id": i, "label": label if label.strip() else key,
                "description": html.escape(key, quote=False)}
        if _OPENALEX.fullmatch(key):
            item["url"] = f"https://openalex.org/{key}"
            any_url = True
        if xy:
            item["x"], item["y"] = float(row["x"]), float(row["y"])
        c = _number(row.get("community"))
        if c is not None and c == int(c) and 1 <= c + 1 <= 1000:
            item["cluster"] = int(c) + 1
            any_cluster = True
        w = {}
        for name, attr in weights:
            if name == "Links":
                w[name] = degree[i]
            elif name == "Total link strength":
                w[name] = strength[i]
            else:
                w[name] = row[attr]
        item["weights"] = w
        item["scores"] = {name: s for name, attr in scores
                          if (s := _number(row.get(attr))) is not None}
        items.append(item)
    columns = {"url": any_url, "xy": xy, "cluster": any_cluster,
               "weights": [name for name, _ in weights], "scores": [name for name, _ in scores]}
    return items, links, columns


def _text(text: str) -> str:
    """A text as one map-file cell: no tabs or line breaks, quoted when VOSviewer needs it."""
    text = _SPACES.sub(" ", text)
    if _QUOTE.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


def _num(v) -> str:
    return "" if v is None else text_of(v)


def vos_paths(path: str | os.PathLike) -> tuple[Path, Path]:
    """``net.vos`` -> ``(net_map.txt, net_network.txt)``.

    >>> [p.name for p in vos_paths("out/net.vos")]
    ['net_map.txt', 'net_network.txt']
    """
    pair_paths(path, ".vos")  # refuses "-"
    path = Path(path)
    return path.with_name(f"{path.stem}_map.txt"), path.with_name(f"{path.stem}_network.txt")


def write_vos(graph, path: str | os.PathLike, *, progress: bool | None = None) -> list[Path]:
    """Write ``graph`` as a VOSviewer map file and network file.

    Parameters
    ----------
    graph : networkx.Graph
    path : str or path
        ``net.vos`` names the pair ``net_map.txt`` and ``net_network.txt``; both appear
        together, only when both are complete.
    progress : bool, optional
        Show a progress bar; default: as :func:`collabnet.progress.showing_progress` says.

    Returns
    -------
    list of pathlib.Path
        The map file, then the network file.

    Raises
    ------
    InputError
        For ``"-"`` (two files cannot go to standard output) or a file that cannot be
        written.

    Examples
    --------
    >>> import os, tempfile, networkx as nx
    >>> g = nx.Graph()
    >>> g.add_node("JP", label="Japan", works=3, share=0.5)
    >>> g.add_node("US", label="United States, the", works=2, share=1.0)
    >>> g.add_edge("JP", "US", weight=2.0)
    >>> m, n = write_vos(g, os.path.join(tempfile.mkdtemp(), "g.vos"))
    >>> print(m.read_text(encoding="utf-8").replace("\\t", " | "), end="")
    id | label | description | weight<Documents> | weight<Links> | weight<Total link strength> \
| score<International share>
    1 | Japan | JP | 3 | 1 | 2.0 | 0.5
    2 | "United States, the" | US | 2 | 1 | 2.0 | 1.0
    >>> print(n.read_text(encoding="utf-8").replace("\\t", " | "), end="")
    1 | 2 | 2.0
    """
    paths = vos_paths(path)
    items, links, cols = vos_network(graph)
    head = ["id", "label", "description"] + (["url"] if cols["url"] else [])
    head += (["x", "y"] if cols["xy"] else []) + (["cluster"] if cols["cluster"] else [])
    head += [f"weight<{w}>" for w in cols["weights"]]
    head += [f"score<{s}>" for s in cols["scores"]]
    with progress_bar(len(items) + len(links), "writing VOSviewer", " items",
                      enabled=progress) as bar, output(paths[0]) as mfh, \
            output(paths[1]) as nfh:
        mfh.write("\t".join(head) + "\n")
        lines = []
        for item in tracked(bar, items):
            row = [str(item["id"]), _text(item["label"]), _text(item["description"])]
            if cols["url"]:
                row.append(_text(item.get("url", "")))
            if cols["xy"]:
                row += [text_of(item["x"]), text_of(item["y"])]
            if cols["cluster"]:
                row.append(_num(item.get("cluster")))
            row += [text_of(item["weights"][w]) for w in cols["weights"]]
            row += [_num(item["scores"].get(s)) for s in cols["scores"]]
            lines.append("\t".join(row) + "\n")
            if len(lines) >= 8192:
                mfh.writelines(lines)
                lines.clear()
        mfh.writelines(lines)
        lines.clear()
        for i, j, w in tracked(bar, links):
            lines.append(f"{i}\t{j}\t{w}\n")
            if len(lines) >= 8192:
                nfh.writelines(lines)
                lines.clear()
        nfh.writelines(lines)
    return list(paths)


def _config_and_info(graph) -> tuple[dict, dict]:
    meta = graph_meta(graph)
    level, counting = meta.get("level"), meta.get("counting")
    config = {}
    if level in _ITEMS:
        item, items = _ITEMS[level]
        config["terminology"] = {
            "item": item, "items": items, "link": "co-authorship link",
            "links": "co-authorship links",
            "link_strength": ("fractional co-authorship strength" if counting == "fractional"
                              else "co-authored works"),
            "total_link_strength": "total link strength"}
    title = f"Co-authorship network of {_ITEMS[level][1]}" if level in _ITEMS else "Network"
    facts = [f"{k.replace('_', ' ')}: {text_of(v)}" for k, v in meta.items()
             if type(v) is not float or math.isfinite(v)]
    info = {"title": title, "description": html.escape("; ".join(facts), quote=False)}
    return config, info


def write_vosviewer_json(graph, path: str | os.PathLike, *,
                         progress: bool | None = None) -> Path:
    """Write ``graph`` as a VOSviewer JSON file (VOSviewer Online: *Open > JSON file*).

    Parameters
    ----------
    graph : networkx.Graph
    path : str or path
        Output file (``.json``), UTF-8, written atomically; ``"-"`` writes to standard
        output.
    progress : bool, optional
        Show a progress bar; default: as :func:`collabnet.progress.showing_progress` says.

    Returns
    -------
    pathlib.Path
        The path written.

    Examples
    --------
    >>> import json, os, tempfile, networkx as nx
    >>> g = nx.Graph(level="country", counting="full")
    >>> g.add_node("JP", label="JP", works=3, share=0.5)
    >>> g.add_edge("JP", "US", weight=2)
    >>> p = write_vosviewer_json(g, os.path.join(tempfile.mkdtemp(), "g.json"))
    >>> data = json.load(open(p, encoding="utf-8"))
    >>> data["network"]["items"][0]["weights"], data["network"]["links"]
    ({'Links': 1, 'Total link strength': 2}, [{'source_id': 1, 'target_id': 2, 'strength': 2}])
    >>> data["config"]["terminology"]["items"], data["info"]["description"]
    ('countries', 'level: country; counting: full')
    """
    items, links, _ = vos_network(graph)
    config, info = _config_and_info(graph)
    with progress_bar(len(items) + len(links), "writing VOSviewer JSON", " items",
                      enabled=progress) as bar, output(path, binary=True) as fh:
        fh.write(b'{"network":{"items":[')
        sep = b"\n"
        for item in tracked(bar, items):
            fh.write(sep + json_bytes(item))
            sep = b",\n"
        fh.write(b'\n],"links":[' if items else b'],"links":[')
        sep = b"\n"
        for i, j, w in tracked(bar, links):
            fh.write(sep + json_bytes({"source_id": i, "target_id": j, "strength": w}))
            sep = b",\n"
        fh.write((b"\n" if links else b"") + b']},"config":' + json_bytes(config)
                 + b',"info":' + json_bytes(info) + b"}\n")
    return Path(path)
