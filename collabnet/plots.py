"""Figures of collaboration indicators: trends, partners and co-authorship networks.

Each function returns a :class:`matplotlib.figure.Figure` built without ``pyplot``: no GUI
backend is chosen, no global figure state is kept and no display is needed (PNG is drawn
by Agg, SVG by matplotlib's SVG writer), so figures can be made on a server, in threads or
in tests. :func:`save_figure` writes a figure as PNG or SVG, never half-written, and
:func:`figure_bytes` gives the bytes (the HTML report inlines them). matplotlib is imported
inside the functions, so ``import collabnet`` stays light.

A figure made from synthetic data says so on its face: with ``synthetic=True`` it gets a
large "SYNTHETIC DATA" watermark and a footer line (:func:`mark_synthetic`), and the saved
file's metadata says it too.

There is no world map of partners: matplotlib has no country outlines, and drawing them
offline would need geometry data (Natural Earth, through cartopy or geopandas) that collabnet
does not depend on; :func:`partners_chart` shows the same partners and counts.
"""

from __future__ import annotations

import io
import math
import os
import re
from pathlib import Path

from collabnet.errors import InputError
from collabnet.fileio import atomic_write
from collabnet.keys import MIN_WORKS

__all__ = [
    "SYNTHETIC_LABEL",
    "figure_bytes",
    "is_marked_synthetic",
    "mark_synthetic",
    "network_figure",
    "partners_chart",
    "save_figure",
    "trend_chart",
]

#: The words every figure made from synthetic data carries.
SYNTHETIC_LABEL = "SYNTHETIC DATA"
#: SVG id (``gid``) of the synthetic watermark, so that a saved SVG can be checked for it.
SYNTHETIC_GID = "collabnet-synthetic-mark"
_FORMATS = {".png": "png", ".svg": "svg"}
_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
            "#17becf", "#bcbd22", "#7f7f7f"]
_NAME_CHARS = 38


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100, layout="constrained")


def mark_synthetic(fig, label: str = SYNTHETIC_LABEL):
    """Mark ``fig`` as made from synthetic data: a watermark across it and a footer line.

    Returns the figure. The watermark has the SVG id :data:`SYNTHETIC_GID`.

    >>> fig = mark_synthetic(_figure(4, 3))
    >>> is_marked_synthetic(fig), [t.get_text() for t in fig.texts][0]
    (True, 'SYNTHETIC DATA')
    """
    engine = fig.get_layout_engine()
    if engine is not None and hasattr(engine, "set"):  # room for the footer line
        engine.set(rect=(0, 0.03, 1, 0.97))
    fig.text(0.5, 0.5, label, rotation=22, fontsize=46, fontweight="bold", color="#c0392b",
             alpha=0.16, ha="center", va="center", gid=SYNTHETIC_GID, zorder=100)
    fig.text(0.995, 0.004, f"{label}: generated records, not real OpenAlex data",
             ha="right", va="bottom", fontsize=7.5, color="#c0392b", zorder=100)
    return fig


def is_marked_synthetic(fig) -> bool:
    """Whether :func:`mark_synthetic` marked ``fig``."""
    return any(t.get_gid() == SYNTHETIC_GID for t in fig.texts)


def _finish(fig, synthetic: bool):
    return mark_synthetic(fig) if synthetic else fig


def figure_bytes(fig, fmt: str = "png", *, dpi: int = 110) -> bytes:
    """The figure as PNG or SVG bytes (metadata says "SYNTHETIC DATA" on a marked figure).

    >>> figure_bytes(_figure(2, 1))[:8]
    b'\\x89PNG\\r\\n\\x1a\\n'
    """
    if fmt not in _FORMATS.values():
        raise InputError(f"unknown figure format {fmt!r}: choose png or svg")
    meta: dict = {"Software": "collabnet"} if fmt == "png" else {"Creator": "collabnet"}
    if fmt == "svg":
        meta["Date"] = None  # the same figure gives the same file
    if is_marked_synthetic(fig):
        meta["Description"] = f"{SYNTHETIC_LABEL}: made from generated records"
    from matplotlib import rc_context

    buf = io.BytesIO()
    with rc_context({"svg.hashsalt": "collabnet"}):  # SVG ids that repeat
        fig.savefig(buf, format=fmt, dpi=dpi, metadata=meta, facecolor="white")
    return buf.getvalue()


def save_figure(fig, path: str | os.PathLike, *, dpi: int = 150) -> Path:
    """Write ``fig`` to ``path`` as PNG or SVG (by the suffix), atomically.

    The file appears only when complete (:func:`collabnet.fileio.atomic_write`); a path that
    cannot be written is one InputError line.

    Examples
    --------
    >>> import tempfile
    >>> out = save_figure(_figure(2, 1), Path(tempfile.mkdtemp()) / "f.svg")
    >>> out.read_bytes().lstrip().startswith(b"<?xml")
    True
    """
    path = Path(path)
    fmt = _FORMATS.get(path.suffix.lower())
    if fmt is None:
        kind = path.suffix or "a file without a suffix"
        raise InputError(f"{path}: cannot write a figure as {kind}: use .png or .svg")
    atomic_write(path, figure_bytes(fig, fmt, dpi=dpi))
    return path


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _plain(text) -> str:
    r"""Names as literal text: control characters removed, ``$`` never starts mathtext.

    >>> print(_plain("Lab $1$ & Co\x07"))
    Lab \$1\$ & Co
    """
    return _CONTROL.sub("", "" if text is None else str(text)).replace("$", r"\$")


def _short(text, n: int = _NAME_CHARS) -> str:
    text = _CONTROL.sub("", "" if text is None else str(text))
    return _plain(text if len(text) <= n else text[: n - 1].rstrip() + "…")


def _entity_label(entity, name) -> str:
    name = None if name is None or (isinstance(name, float) and math.isnan(name)) else name
    if not name or str(name) == str(entity):
        return _short(entity)
    if len(str(entity)) > 3:  # an institution or author id: the name says enough
        return _short(name)
    return f"{_short(name, 28)} ({entity})"


def _is_share(name: str | None) -> bool:
    return bool(name) and (name == "share" or name.endswith("_share"))


def _empty(ax, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="#555")
    ax.set_xticks([])
    ax.set_yticks([])


def trend_chart(values, indicator: str | None = None, *, highlight=None,
                title: str | None = None, min_works: int = MIN_WORKS,
                synthetic: bool = False, width: float = 8.0, height: float = 4.2):
    """An indicator by year, one line per entity, with stability bands where known.

    Parameters
    ----------
    values : TrendComparison or pandas.DataFrame
        ``collabnet.trend(...)`` (its ``values``), or a long table with ``entity``, ``year``
        and the indicator: the ``value`` column, else the column named ``indicator`` (e.g. a
        by-year profile's ``international_share``).
    indicator : str, optional
        The indicator's name (axis label); also the column to draw when there is no
        ``value`` column. Bands are drawn from ``value_lo``/``value_hi`` (or
        ``<indicator>_lo``/``_hi``) where the table has them.
    highlight : str, optional
        Entity drawn with a thicker line (e.g. the focus country).
    title : str, optional
    min_works : int
        Points resting on fewer ``works`` (or flagged ``low_evidence``) are drawn hollow.
    synthetic : bool
        Mark the figure "SYNTHETIC DATA".

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> v = pd.DataFrame({"entity": ["JP"] * 3, "year": [2018, 2019, 2020], "works": 20,
    ...                   "value": [0.3, 0.32, 0.35], "value_lo": [0.2, 0.22, 0.25],
    ...                   "value_hi": [0.4, 0.42, 0.45]})
    >>> fig = trend_chart(v, "international_share", synthetic=True)
    >>> len(fig.axes[0].lines), len(fig.axes[0].collections) >= 1, is_marked_synthetic(fig)
    (1, True, True)
    """
    from matplotlib.lines import Line2D
    from matplotlib.ticker import MaxNLocator, PercentFormatter

    if hasattr(values, "summary") and hasattr(values, "indicator"):  # a TrendComparison
        indicator = indicator or values.indicator
        values = values.values
    col = "value" if "value" in values.columns else indicator
    if col is None or col not in values.columns:
        raise InputError(f"trend_chart needs a 'value' column or the indicator's column "
                         f"({indicator!r}); the table has {', '.join(map(str, values.columns))}")
    lo, hi = f"{col}_lo", f"{col}_hi"
    fig = _figure(width, height)
    ax = fig.add_subplot()
    data = values.dropna(subset=[col]) if len(values) else values
    if "entity" not in data.columns:
        data = data.assign(entity=indicator or col)
    thin_any = False
    for i, entity in enumerate(dict.fromkeys(data["entity"])):
        d = data[data["entity"] == entity].sort_values("year")
        x = d["year"].astype("float64").to_numpy()
        y = d[col].astype("float64").to_numpy()
        colour = _COLOURS[i % len(_COLOURS)]
        name = d["name"].iloc[0] if "name" in d.columns else None
        bold = highlight is not None and str(entity) == str(highlight)
        ax.plot(x, y, color=colour, lw=2.6 if bold else 1.5, marker="o", ms=5,
                label=_entity_label(entity, name), zorder=3 if bold else 2)
        if lo in d.columns and hi in d.columns:
            band = d[[lo, hi]].astype("float64").to_numpy()
            ax.fill_between(x, band[:, 0], band[:, 1], color=colour, alpha=0.15, lw=0)
        thin = _thin(d, min_works)
        if thin.any():
            thin_any = True
            ax.plot(x[thin], y[thin], ls="none", marker="o", ms=5, mfc="white", mec=colour,
                    zorder=4)
    label = (indicator or col).replace("_", " ")
    if data.empty:
        _empty(ax, "no yearly values")
    else:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("publication year")
        ax.set_ylabel(label)
        if _is_share(indicator or col):
            ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.grid(alpha=0.3)
        handles, labels = ax.get_legend_handles_labels()
        if any(c in data.columns for c in (lo, hi)):
            from matplotlib.patches import Patch

            handles.append(Patch(color="#888", alpha=0.3))
            labels.append("95 % stability interval")
        if thin_any:
            handles.append(Line2D([], [], ls="none", marker="o", mfc="white", mec="#555"))
            labels.append(f"fewer than {min_works} works")
        ax.legend(handles, labels, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                  borderaxespad=0, frameon=False)
    ax.set_title(_plain(title or f"{label} by year"), fontsize=11)
    return _finish(fig, synthetic)


def _thin(d, min_works: int):
    import numpy as np

    thin = np.zeros(len(d), dtype=bool)
    if "low_evidence" in d.columns:
        thin |= d["low_evidence"].fillna(False).astype(bool).to_numpy()
    if "works" in d.columns:
        thin |= d["works"].astype("float64").fillna(0).to_numpy() < min_works
    return thin


def partners_chart(partners, *, top: int = 15, value: str = "works",
                   title: str | None = None, min_works: int = MIN_WORKS,
                   synthetic: bool = False, width: float = 8.0):
    """Horizontal bars of a focus's top partners by co-authored works.

    Parameters
    ----------
    partners : pandas.DataFrame
        ``collabnet.partners(...)`` (the ranked summary): ``partner``, ``partner_name``,
        ``works`` and, when present, ``international_works_share`` (written beside each
        bar). With several focus entities only the first one's partners are drawn.
    top : int
        Number of partners drawn.
    value : str
        Column the bars show (``works``, ``international_works``, ``fractional_weight``).
    min_works : int
        Partners with fewer co-authored works are drawn pale (thin evidence).
    synthetic : bool
        Mark the figure "SYNTHETIC DATA".

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"focus": "JP", "rank": [1, 2], "partner": ["US", "CN"],
    ...                   "partner_name": ["United States", "China"], "works": [40, 5],
    ...                   "international_works_share": [0.5, 0.06]})
    >>> fig = partners_chart(p)
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['China (CN)', 'United States (US)']
    """
    if value not in partners.columns:
        raise InputError(f"partners_chart: no column {value!r} in the partners table")
    d = partners
    if "focus" in d.columns and len(d):
        d = d[d["focus"] == d["focus"].iloc[0]]
    if "rank" in d.columns:
        d = d.sort_values(["rank", value], ascending=[True, False], kind="stable")
    else:
        d = d.sort_values(value, ascending=False, kind="stable")
    d = d.head(top)
    n = max(len(d), 1)
    fig = _figure(width, 1.0 + 0.34 * n)
    ax = fig.add_subplot()
    if d.empty:
        _empty(ax, "no partners")
    else:
        d = d.iloc[::-1]  # the first partner at the top
        names = d["partner_name"] if "partner_name" in d.columns else d["partner"]
        labels = [_entity_label(p, nm) for p, nm in zip(d["partner"], names)]
        x = d[value].astype("float64").to_numpy()
        works = d["works"].astype("float64").to_numpy() if "works" in d.columns else x
        colours = ["#9ecae1" if w < min_works else "#3182bd" for w in works]
        ys = range(len(d))
        ax.barh(list(ys), x, color=colours, height=0.7)
        ax.set_yticks(list(ys), labels, fontsize=8.5)
        share = d["international_works_share"].to_numpy() \
            if "international_works_share" in d.columns else [None] * len(d)
        top_x = float(x.max()) if len(x) else 1.0
        for y, v, s in zip(ys, x, share):
            text = f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}"
            if s is not None and not (isinstance(s, float) and math.isnan(s)):
                text += f"  ({100 * s:.0f} % of intl works)"
            ax.text(v + top_x * 0.01, y, text, va="center", fontsize=7.5, color="#333")
        ax.set_xlim(0, top_x * 1.35 if top_x > 0 else 1)
        ax.set_xlabel(value.replace("_", " ") + " (co-authored, full counting)"
                      if value == "works" else value.replace("_", " "))
        ax.grid(axis="x", alpha=0.3)
        ax.spines[["top", "right"]].set_visible(False)
    focus = partners["focus"].iloc[0] if "focus" in partners.columns and len(partners) else None
    ax.set_title(_plain(title or (f"Top partners of {focus}" if focus else "Top partners")),
                 fontsize=11)
    return _finish(fig, synthetic)


def _positions(g, seed, weight):
    """Node ``x``, ``y`` attributes when every node has both, else a seeded spring layout."""
    import networkx as nx

    try:
        pos = {v: (float(d["x"]), float(d["y"])) for v, d in g.nodes(data=True)}
        if len(pos) == g.number_of_nodes():
            return pos
    except (KeyError, TypeError, ValueError):
        pass
    if g.number_of_nodes() == 1:
        return {v: (0.0, 0.0) for v in g}
    # Spring layout on log weights (heavy links pull without crushing the picture), with a
    # hidden hub tied weakly to every node: gravity, so that small components and isolated
    # nodes stay near the rest instead of being pushed to the edges.
    h = nx.Graph()
    h.add_nodes_from(g)
    h.add_edges_from((u, v, {"w": math.log1p(float(d.get(weight) or 1.0))})
                     for u, v, d in g.edges(data=True))
    pull = 0.15 * (sum(d["w"] for *_, d in h.edges(data=True)) / max(h.number_of_edges(), 1))
    hub = object()
    h.add_edges_from((hub, v, {"w": pull or 0.1}) for v in g)
    pos = nx.spring_layout(h, seed=seed, weight="w", iterations=300,
                           k=1.2 / math.sqrt(h.number_of_nodes()))
    pos.pop(hub)
    return {v: (float(p[0]), float(p[1])) for v, p in pos.items()}


def network_figure(graph, *, top: int | None = 40, labels: int = 12, highlight=None,
                   weight: str = "weight", seed: int = 0, title: str | None = None,
                   synthetic: bool = False, width: float = 8.0, height: float = 7.0):
    """A co-authorship network drawn: node size by ``works``, colour by ``community``.

    Parameters
    ----------
    graph : networkx.Graph
        From :func:`collabnet.network` (node attributes ``works``, ``label``; optional
        ``community`` (an integer, e.g. from :func:`collabnet.communities`), ``x``, ``y``).
    top : int, optional
        Draw only the ``top`` nodes with most works (and the ``highlight`` nodes).
    labels : int
        Label the ``labels`` largest nodes (and the ``highlight`` nodes) with their ``label``.
    highlight : str or list of str, optional
        Nodes drawn with a black ring (e.g. the focus).
    weight : str
        Edge attribute setting line width and layout pull.
    seed : int
        Seed of the spring layout, so the same graph gives the same picture; the layout is
        skipped when every node has ``x`` and ``y``.
    synthetic : bool
        Mark the figure "SYNTHETIC DATA".

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import networkx as nx
    >>> g = nx.Graph()
    >>> g.add_nodes_from([("JP", {"works": 10, "community": 0}), ("US", {"works": 30,
    ...                   "community": 1}), ("DE", {"works": 5, "community": 1})])
    >>> g.add_weighted_edges_from([("JP", "US", 4), ("US", "DE", 2)])
    >>> fig = network_figure(g, highlight="JP")
    >>> sorted(t.get_text() for t in fig.axes[0].texts)[:3]
    ['3 nodes; size: works, line width: weight', 'DE', 'JP']
    """
    import matplotlib.patheffects as pe
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D

    marked = [highlight] if isinstance(highlight, str) else list(highlight or [])
    marked = [v for v in marked if v in graph]
    g = _largest(graph, top, marked)
    fig = _figure(width, height)
    ax = fig.add_subplot()
    ax.set_axis_off()
    level = graph.graph.get("level", "")
    ax.set_title(_plain(title or f"{level} co-authorship network".strip().capitalize()),
                 fontsize=11)
    if g.number_of_nodes() == 0:
        _empty(ax, "no co-authorship links")
        return _finish(fig, synthetic)
    nodes = list(g)
    works = [float(g.nodes[v].get("works") or 0) for v in nodes]
    top_w = max(max(works), 1.0)
    biggest = 1100 * min(1.0, 30 / len(nodes))  # many nodes: smaller discs
    sizes = [20 + biggest * math.sqrt(w / top_w) for w in works]
    pos = _positions(g, seed, weight)
    comm = [g.nodes[v].get("community") for v in nodes]
    other = "#b8b8b8" if any(c is not None for c in comm) else "#4c72b0"  # grey: no community
    colours = [_COLOURS[int(c) % len(_COLOURS)] if c is not None else other for c in comm]
    edges = list(g.edges(data=True))
    if edges:
        ws = [float(d.get(weight) or 0) for *_, d in edges]
        w_max = max(max(ws), 1e-12)
        segs = [(pos[u], pos[v]) for u, v, _ in edges]
        ax.add_collection(LineCollection(segs, linewidths=[0.3 + 3.2 * w / w_max for w in ws],
                                         colors="#888888", alpha=0.45, zorder=1))
    xy = [pos[v] for v in nodes]
    ax.scatter([p[0] for p in xy], [p[1] for p in xy], s=sizes, c=colours, alpha=0.9,
               edgecolors=["black" if v in marked else "white" for v in nodes],
               linewidths=[2.5 if v in marked else 0.6 for v in nodes], zorder=2)
    by_size = sorted(range(len(nodes)), key=lambda i: (-works[i], str(nodes[i])))
    shown = {nodes[i] for i in by_size[:labels]} | set(marked)
    for v in sorted(shown, key=str):
        text = _short(g.nodes[v].get("label") or v, 28)
        ax.text(*pos[v], text, fontsize=8, ha="center", va="center", zorder=3,
                path_effects=[pe.withStroke(linewidth=2.5, foreground="white")])
    ax.autoscale_view()
    ax.margins(0.08)
    ax.set_aspect("equal", adjustable="datalim")
    present = sorted({int(c) for c in comm if c is not None})
    if present:
        handles = [Line2D([], [], ls="none", marker="o", color=_COLOURS[c % len(_COLOURS)])
                   for c in present[:len(_COLOURS)]]
        ax.legend(handles, [f"community {c}" for c in present[:len(_COLOURS)]], fontsize=7.5,
                  loc="lower left", framealpha=0.85)
    n_all = graph.number_of_nodes()
    note = f"{g.number_of_nodes()} of {n_all} nodes (most works)" if n_all > len(g) else \
        f"{n_all} nodes"
    ax.text(0.99, 0.01, f"{note}; size: works, line width: {weight}", fontsize=7,
            color="#555", ha="right", va="bottom", transform=ax.transAxes)
    return _finish(fig, synthetic)


def _largest(graph, top: int | None, keep: list):
    """The subgraph of the ``top`` nodes with most works (ties by key) and the ``keep``
    nodes, with nodes in key order so that the layout repeats."""
    import networkx as nx

    nodes = sorted(graph, key=lambda v: (-float(graph.nodes[v].get("works") or 0), str(v)))
    chosen = set(nodes if top is None else nodes[:top]) | set(keep)
    h = nx.Graph()
    h.add_nodes_from(sorted(((v, graph.nodes[v]) for v in chosen), key=lambda t: str(t[0])))
    h.add_edges_from((u, v, d) for u, v, d in graph.edges(data=True)
                     if u in chosen and v in chosen)
    return h
