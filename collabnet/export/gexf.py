"""GEXF 1.3 export for Gephi and Gephi Lite, written as a stream, with a layout, colours and
sizes, and per-year values for Gephi's timeline.

networkx's ``write_gexf`` crashes on ``None`` and numpy booleans, reads a list attribute as
dynamic triples, writes ``timeformat="long"`` (which Gephi does not know) and a misspelt XSI
namespace. Here values follow :mod:`collabnet.export.values` (one type per column, nothing
missing written, the graph's metadata on every node and edge), and:

- ``<graph defaultedgetype="undirected">`` (``directed`` for a directed graph); the graph's
  metadata also goes to ``<meta><description>``, as ``level=…; counting=…``;
- node attribute ``label`` is the node's ``label``; edge attribute ``weight`` the edge's
  ``weight`` and ``label`` its ``label``; edges of weight 0 are left out; edges have no id;
- node attributes ``x`` and ``y`` (numbers) become ``<viz:position x y z="0.0">``, ``size``
  (a number ≥ 0) ``<viz:size>`` and ``color`` (``"#rrggbb"``, ``"#rgb"`` or ``"#rrggbbaa"``)
  ``<viz:color r g b [a]>``, and are then not attribute values too; a ``color`` column
  holding anything else stays a plain column;
- every other scalar attribute is a typed column (``boolean``, ``long``, ``double``,
  ``string``) with a numeric id (``0``, ``1``…) and its name as ``title``: what Gephi,
  networkx and graphology (Gephi Lite) read as the column's name.

**Dynamic networks.** When nodes or edges carry ``by_year`` = ``{year: {attribute: value}}``,
the graph is ``mode="dynamic" timeformat="double" timerepresentation="interval"``; each such
node or edge gets ``<spells>``, one ``<spell start end>`` per run of consecutive years (both
ends included: 2009, 2010 and 2012 give [2009, 2010] and [2012, 2012]), and its per-year
values are ``<attvalue for value start="Y" end="Y">``, declared in
``<attributes mode="dynamic">`` as ``<name>_by_year`` (so that they never clash with the
static totals, which stay plain values). The per-year edge ``weight`` has the id ``weight``:
Gephi's dynamic edge weight. Readers that do not know dynamic attributes see one of the
years: networkx keeps the static ``weight``; graphology (Gephi Lite) takes the last year's
weight as a string, so give Gephi Lite the static file.
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

from collabnet.errors import InputError
from collabnet.export.graphml import (
    _ASCII_TOKEN,
    _KEY_UNSAFE,
    Chunks,
    Kinds,
    attr_escape,
    float_text,
    meta_fragments,
    meta_of,
    open_text,
    renderer,
    unique_ids,
    unique_titles,
)
from collabnet.export.values import graph_meta, is_missing, weighted_edges, xml_safe
from collabnet.progress import bar as progress_bar

__all__ = ["BY_YEAR", "GEXF_NS", "VIZ_NS", "parse_color", "spans", "write_gexf"]

GEXF_NS = "http://gexf.net/1.3"
VIZ_NS = "http://gexf.net/1.3/viz"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
#: Node and edge attribute with the per-year values: ``{year: {attribute: value}}``.
BY_YEAR = "by_year"
#: Suffix of the dynamic columns' titles.
YEARLY = "_by_year"
_COLOR = re.compile(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")
_RESERVED = ("id", "label", "weight")
_PAD = "\n          "


def parse_color(v) -> tuple[int, int, int, float | None] | None:
    """``(r, g, b, alpha or None)`` of a ``"#rrggbb"``, ``"#rgb"`` or ``"#rrggbbaa"`` string,
    else None.

    >>> parse_color("#ff8000"), parse_color("#f80"), parse_color("#00000080"), parse_color("red")
    ((255, 128, 0, None), (255, 136, 0, None), (0, 0, 0, 0.502), None)
    """
    if type(v) is not str or not _COLOR.fullmatch(v):
        return None
    h = v[1:]
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return r, g, b, (round(int(h[6:], 16) / 255, 3) if len(h) == 8 else None)


def _finite(v) -> float | None:
    t = type(v)
    if t is float:
        return v if math.isfinite(v) else None
    if t is int:
        return float(v)
    if t is bool or is_missing(v):
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _year(y) -> int:
    try:
        f = float(y)
    except (TypeError, ValueError):
        f = math.nan
    if not math.isfinite(f) or f != int(f) or isinstance(y, bool):
        raise InputError(f"{BY_YEAR}: {y!r} is not a year; use {{year: {{attribute: value}}}}")
    return int(f)


def spans(years) -> list[tuple[int, int]]:
    """Runs of consecutive years, both ends included.

    >>> spans([2012, 2009, 2010])
    [(2009, 2010), (2012, 2012)]
    """
    out: list[list[int]] = []
    for y in sorted(set(years)):
        if out and y == out[-1][1] + 1:
            out[-1][1] = y
        else:
            out.append([y, y])
    return [(a, b) for a, b in out]


def _yearly(d: dict) -> list[tuple[int, dict]]:
    by = d.get(BY_YEAR)
    if not isinstance(by, dict) or not by:
        return []
    return sorted(((_year(y), v if isinstance(v, dict) else {}) for y, v in by.items()),
                  key=lambda item: item[0])


def _scan(rows, meta: dict) -> tuple[dict[str, str], dict[str, str], bool]:
    """One pass over the rows: ``(column types, per-year column types, any by_year?)``."""
    static, yearly, dynamic = Kinds(meta), Kinds(), False
    for d in rows:
        static.add(d)
        by = d.get(BY_YEAR)
        if isinstance(by, dict) and by:
            dynamic = True
            for y, v in by.items():
                _year(y)
                if isinstance(v, dict):
                    yearly.add(v)
    return static.types(), yearly.types(), dynamic


def _attvalue(kid: str, text: str, pad: str) -> str:
    return f'{pad}<attvalue for="{kid}" value="{text}"/>'


def _static_columns(types: dict[str, str]) -> tuple[list[str], dict]:
    """``(declaration lines, {name: (id, renderer)})``: ids ``0``, ``1``…"""
    titles = unique_titles(types)
    lines, cols = [], {}
    for i, (name, kind) in enumerate(types.items()):
        lines.append(f'      <attribute id="{i}" title="{attr_escape(titles[name])}" '
                     f'type="{kind}"/>\n')
        cols[name] = (str(i), renderer(kind, attr_escape))
    return lines, cols


def _dynamic_columns(types: dict[str, str], static: dict[str, str], edge: bool):
    """``(declaration lines, {name: (id, renderer)})`` of the per-year columns."""
    titles = unique_titles([n + YEARLY for n in types], taken=static)
    wanted = {n: titles[n + YEARLY] for n in types}
    first = {"weight": "weight"} if edge and "weight" in types else {}
    rest, _ = unique_ids(
        [n for n in types if n not in first], lambda n: wanted[n],
        lambda s: bool(_ASCII_TOKEN.fullmatch(s)) and not s.isdigit(),
        lambda s: _KEY_UNSAFE.sub("_", s) + ("_" if s.isdigit() else ""),
        taken=(*_RESERVED, *first), fold=str.lower)
    ids = {**first, **rest}
    lines, cols = [], {}
    for name, kind in types.items():
        lines.append(f'      <attribute id="{ids[name]}" title="{attr_escape(wanted[name])}" '
                     f'type="{kind}"/>\n')
        cols[name] = (ids[name], renderer(kind, attr_escape))
    return lines, cols


def _viz(types: dict[str, str], graph) -> set[str]:
    """The node attributes written as viz elements."""
    numeric = ("long", "double")
    out = set()
    if types.get("x") in numeric and types.get("y") in numeric:
        out |= {"x", "y"}
    if types.get("size") in numeric:
        out.add("size")
    if types.get("color") == "string" and all(
            is_missing(c) or parse_color(c) is not None
            for c in (d.get("color") for _, d in graph.nodes(data=True))):
        out.add("color")
    return out


def _viz_elements(d: dict, viz: set[str]) -> str:
    out = []
    if "size" in viz:
        s = _finite(d.get("size"))
        if s is not None and s >= 0:
            out.append(f'{_PAD[:-2]}<viz:size value="{s!r}"/>')
    if "x" in viz:
        x, y = _finite(d.get("x")), _finite(d.get("y"))
        if x is not None and y is not None:
            out.append(f'{_PAD[:-2]}<viz:position x="{x!r}" y="{y!r}" z="0.0"/>')
    if "color" in viz:
        c = parse_color(d.get("color"))
        if c is not None:
            a = "" if c[3] is None else f' a="{c[3]!r}"'
            out.append(f'{_PAD[:-2]}<viz:color r="{c[0]}" g="{c[1]}" b="{c[2]}"{a}/>')
    return "".join(out)


def _values(cols: dict, d: dict, buf: list) -> None:
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
            buf.append(f'{_PAD}<attvalue for="{spec[0]}" value="{text}"/>')


def _dynamic(cols: dict, yearly: list, buf: list) -> str:
    """Append the per-year attvalues to ``buf``; return the ``<spells>`` element."""
    for y, vals in yearly:
        for k, v in vals.items():
            spec = cols.get(k if type(k) is str else str(k))
            if spec is not None:
                text = spec[1](v)
                if text is not None:
                    buf.append(f'{_PAD}<attvalue for="{spec[0]}" value="{text}" '
                               f'start="{y}" end="{y}"/>')
    runs = "".join(f'{_PAD}<spell start="{a}" end="{b}"/>' for a, b in spans(y for y, _ in yearly))
    return f"{_PAD[:-2]}<spells>{runs}{_PAD[:-2]}</spells>" if runs else ""


def _element(tag: str, attrs: str, values: list, extra: str) -> str:
    body = ""
    if values:
        body = f"{_PAD[:-2]}<attvalues>{''.join(values)}{_PAD[:-2]}</attvalues>"
    body += extra
    if not body:
        return f"      <{tag} {attrs}/>\n"
    return f"      <{tag} {attrs}>{body}\n      </{tag}>\n"


def _description(graph) -> str:
    gm = graph_meta(graph)
    text = "; ".join(f"{k}={str(v).lower() if isinstance(v, bool) else v}"
                     for k, v in gm.items())
    return f"    <description>{attr_escape(text)}</description>\n" if text else ""


def write_gexf(graph, path: str | os.PathLike, *, progress: bool | None = None) -> Path:
    """Write ``graph`` as GEXF 1.3 for Gephi and Gephi Lite (static or, with ``by_year``
    values, dynamic).

    Parameters
    ----------
    graph : networkx.Graph
        Node ``label`` is the label, edge ``weight`` the weight; node ``x``/``y``, ``size``
        and ``color`` (``"#rrggbb"``) the layout, size and colour; nodes and edges may carry
        ``by_year`` = ``{year: {attribute: value}}`` for Gephi's timeline (see the module's
        documentation). Every other scalar attribute is a typed column, the graph's metadata
        included.
    path : str or path
        Output file (``.gexf``), written atomically as a stream; ``"-"`` writes to standard
        output.
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
        When the file cannot be written, or a ``by_year`` key is not a year.

    Examples
    --------
    >>> import networkx as nx, tempfile, os
    >>> g = nx.Graph(level="country")
    >>> g.add_node("JP", label="Japan", works=4, x=1.0, y=2.0, color="#ff0000",
    ...            by_year={2019: {"works": 1}, 2020: {"works": 3}})
    >>> g.add_node("US", label="United States", works=2, by_year={2019: {"works": 2}})
    >>> g.add_edge("JP", "US", weight=1.0, by_year={2019: {"weight": 1.0}})
    >>> p = write_gexf(g, os.path.join(tempfile.mkdtemp(), "g.gexf"))
    >>> h = nx.read_gexf(p)
    >>> h.nodes["JP"]["works"], h.nodes["JP"]["works_by_year"], h.nodes["JP"]["spells"]
    (4, [(1, 2019.0, 2019.0), (3, 2020.0, 2020.0)], [(2019.0, 2020.0)])
    >>> h.nodes["JP"]["viz"]["color"], h.edges["JP", "US"]["weight"], h.graph["mode"]
    ({'r': 255, 'g': 0, 'b': 0, 'a': 1.0}, 1.0, 'dynamic')
    """
    meta = meta_of(graph)
    node_types, node_dyn, node_yearly = _scan((d for _, d in graph.nodes(data=True)), meta)
    edge_types, edge_dyn, edge_yearly = _scan((d for _, _, d in weighted_edges(graph)), meta)
    dynamic = node_yearly or edge_yearly
    viz = _viz(node_types, graph)
    label_kind = node_types.pop("label", None)
    edge_label_kind = edge_types.pop("label", None)
    weight_kind = edge_types.get("weight")
    if weight_kind in ("long", "double"):
        del edge_types["weight"]
    for k in viz:
        node_types.pop(k)
    ids, _ = unique_ids(graph.nodes, lambda n: n if type(n) is str else str(n),
                        lambda s: xml_safe(s) == s, xml_safe)
    qids = {n: attr_escape(i) for n, i in ids.items()}
    head = ['<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<gexf xmlns="{GEXF_NS}" xmlns:viz="{VIZ_NS}" xmlns:xsi="{_XSI}" '
            f'xsi:schemaLocation="{GEXF_NS} {GEXF_NS}/gexf.xsd" version="1.3">\n'
            f"  <meta>\n    <creator>collabnet</creator>\n{_description(graph)}  </meta>\n"]
    direction = "directed" if graph.is_directed() else "undirected"
    mode = ('mode="dynamic" timeformat="double" timerepresentation="interval"' if dynamic
            else 'mode="static"')
    head.append(f'  <graph defaultedgetype="{direction}" {mode}>\n')
    cols = {}
    for cls, static, dyn in (("node", node_types, node_dyn), ("edge", edge_types, edge_dyn)):
        if dynamic and dyn:
            lines, cols[cls, "dynamic"] = _dynamic_columns(dyn, static, cls == "edge")
            head.append(f'    <attributes class="{cls}" mode="dynamic">\n{"".join(lines)}'
                        "    </attributes>\n")
        lines, cols[cls, "static"] = _static_columns(static)
        if lines:  # the static block last: graphology reads only the last block of a class
            head.append(f'    <attributes class="{cls}" mode="static">\n{"".join(lines)}'
                        "    </attributes>\n")
    ncols, ecols = cols["node", "static"], cols["edge", "static"]
    ndyn, edyn = cols.get(("node", "dynamic"), {}), cols.get(("edge", "dynamic"), {})
    node_meta = meta_fragments(ncols, meta, _PAD, _attvalue)
    edge_meta = meta_fragments(ecols, meta, _PAD, _attvalue)
    label_of = renderer(label_kind or "string", attr_escape)
    edge_label_of = renderer(edge_label_kind or "string", attr_escape)
    total = graph.number_of_nodes() + graph.number_of_edges()
    with open_text(path) as fh, progress_bar(total, "writing GEXF", " items",
                                             enabled=progress) as bar:
        fh.write("".join(head) + "    <nodes>\n")
        out = Chunks(fh, bar)
        for n, d in graph.nodes(data=True):
            attrs = f'id="{qids[n]}"'
            if label_kind is not None and (text := label_of(d.get("label"))) is not None:
                attrs += f' label="{text}"'
            values: list[str] = []
            _values(ncols, d, values)
            if m := node_meta(d):
                values.append(m)
            spells = _dynamic(ndyn, _yearly(d), values) if dynamic else ""
            out.add(_element("node", attrs, values, spells + _viz_elements(d, viz)))
        out.flush()
        fh.write("    </nodes>\n    <edges>\n")
        for u, v, d in weighted_edges(graph):
            attrs = f'source="{qids[u]}" target="{qids[v]}"'
            if weight_kind in ("long", "double"):
                w = _finite(d.get("weight"))
                if w is not None:
                    attrs += f' weight="{float_text(w)}"'
            if edge_label_kind is not None and (
                    text := edge_label_of(d.get("label"))) is not None:
                attrs += f' label="{text}"'
            values = []
            _values(ecols, d, values)
            if m := edge_meta(d):
                values.append(m)
            spells = _dynamic(edyn, _yearly(d), values) if dynamic else ""
            out.add(_element("edge", attrs, values, spells))
        out.flush()
        fh.write("    </edges>\n  </graph>\n</gexf>\n")
    return Path(path)

