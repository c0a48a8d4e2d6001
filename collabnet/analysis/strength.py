"""Normalised link strength of co-authorship links: association strength, cosine, Jaccard.

A raw count of co-authored works says more about the size of two partners than about how
much they prefer each other: the United States co-author with everybody. Normalised link
strengths divide the count by what the partners' sizes would lead one to expect. This module
adds them to every edge of a co-authorship network, with the fractional link weight of
Perianes-Rodriguez, Waltman & van Eck (2016), and returns them as a table.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd

from collabnet.errors import InputError
from collabnet.keys import LINK_STRENGTH_ORDERS, check_choice, normalise_focus
from collabnet.networks import graph_for
from collabnet.tables import WorkTables

#: Edge attributes set by :func:`add_link_strength`.
STRENGTH_ATTRIBUTES = (
    "association_strength",
    "association_strength_fractional",
    "cosine",
    "jaccard",
    "inclusion",
)


def _edge_frame(g: nx.Graph) -> pd.DataFrame:
    rows = [(u, v, d.get("works"), d.get("weight")) for u, v, d in g.edges(data=True)]
    e = pd.DataFrame(rows, columns=["source", "target", "works", "weight"])
    if e["works"].isna().any():
        raise InputError(
            "every edge needs a 'works' attribute (co-authored works): build the network with "
            "collabnet.networks.coauthorship_network"
        )
    # Each pair once, keys in order, whatever the order networkx stores them in.
    swap = e["source"].astype(str) > e["target"].astype(str)
    e.loc[swap, ["source", "target"]] = e.loc[swap, ["target", "source"]].to_numpy()
    return e


def _association(e: pd.DataFrame, col: str) -> np.ndarray:
    """2m c_ij / (t_i t_j) with t the total link strength and m the total link weight."""
    c = e[col].to_numpy(dtype="float64")
    total = (
        pd.concat([pd.Series(c, index=e["source"].to_numpy()),
                   pd.Series(c, index=e["target"].to_numpy())])
        .groupby(level=0).sum()
    )
    ti = e["source"].map(total).to_numpy(dtype="float64")
    tj = e["target"].map(total).to_numpy(dtype="float64")
    m = c.sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where((ti > 0) & (tj > 0), 2 * m * c / (ti * tj), np.nan)


#: Orders of the rows of :func:`link_strength`.
SORT_KEYS = LINK_STRENGTH_ORDERS


def link_strength(
    graph_or_tables,
    level: str = "country",
    *,
    years=None,
    focus=None,
    counting: str = "fractional",
    merge_hk_mo: bool = False,
    collaboration_rule: str | None = None,
    min_weight: float | None = None,
    top: int | None = None,
    sort: str = "works",
) -> pd.DataFrame:
    """Normalised strength of every link of a co-authorship network, as a table.

    Parameters
    ----------
    graph_or_tables : networkx.Graph or WorkTables
        A network from :func:`collabnet.networks.coauthorship_network` (edges with ``works``;
        nodes with ``works``), or tables, from which the network at ``level`` is built with
        fractional counting so that both full and fractional link weights are available.
    level : {"country", "institution", "author"}
        Used only when tables are given.
    years, counting, merge_hk_mo, collaboration_rule, min_weight, top
        How the network is built from tables (see
        :func:`~collabnet.networks.coauthorship_network`); ``counting`` is fractional by
        default here, so that both full and fractional weights are reported.
    focus : str or list of str, optional
        Only links with a focus entity at one end.
    sort : str
        Order of the rows: by ``works`` (default) or by one of ``fractional_weight``,
        ``association_strength``, ``cosine``, ``jaccard``, ``inclusion`` (descending, then
        by the link's keys).

    Returns
    -------
    pandas.DataFrame
        One row per link: ``source, target, source_name, target_name, works,
        fractional_weight, association_strength, association_strength_fractional, cosine,
        jaccard, inclusion`` sorted by ``works`` (descending), then keys. The fractional
        columns are NaN when the graph was built with full counting.

    Notes
    -----
    Let :math:`c_{ij}` be the works :math:`i` and :math:`j` co-authored (full counting),
    :math:`s_i` the works of :math:`i`, :math:`t_i = \\sum_j c_{ij}` its total link strength
    and :math:`m = \\sum_{i<j} c_{ij}` the total link weight of the network.

    - ``association_strength`` = :math:`2m\\,c_{ij} / (t_i t_j)`: observed over expected
      co-authorship if links formed independently in proportion to the partners' total link
      strengths (van Eck & Waltman 2009, Eq. 6, with the constant :math:`2m` as in VOSviewer,
      so that 1 means "as expected"); also called proximity index or probabilistic affinity
      index. ``association_strength_fractional``: the same on fractional link weights.
    - ``cosine`` (Salton) = :math:`c_{ij} / \\sqrt{s_i s_j}`.
    - ``jaccard`` = :math:`c_{ij} / (s_i + s_j - c_{ij})`: co-authored works over the works
      of either.
    - ``inclusion`` (Simpson) = :math:`c_{ij} / \\min(s_i, s_j)`.
    - ``fractional_weight``: :math:`\\sum_{k: n_k \\ge 2} a_{ki} a_{kj} / (n_k - 1)`, with
      :math:`a_{ki}` the authors of work :math:`k` affiliated with :math:`i` (an author with
      :math:`m` affiliations adding :math:`1/m`) and :math:`n_k` its authors, so each
      author's links in a work weigh 1 in total (Perianes-Rodriguez, Waltman & van Eck 2016).

    :math:`t_i` and :math:`m` are taken over the links present in the network, so a network
    cut by ``top`` or ``min_weight`` gives association strengths relative to what remains.
    All four measures are symmetric in :math:`i, j`.

    References
    ----------
    van Eck, N. J., & Waltman, L. (2009). How to normalize cooccurrence data? An analysis of
    some well-known similarity measures. JASIST 60(8), 1635–1651.
    Salton, G., & McGill, M. J. (1983). Introduction to Modern Information Retrieval.
    Perianes-Rodriguez, A., Waltman, L., & van Eck, N. J. (2016). Constructing bibliometric
    networks: A comparison between full and fractional counting. J. Informetrics 10(4),
    1178–1195.

    Examples
    --------
    >>> g = nx.Graph()
    >>> g.add_nodes_from([("A", {"works": 4}), ("B", {"works": 2}), ("C", {"works": 2})])
    >>> g.add_edge("A", "B", works=2, weight=2)
    >>> g.add_edge("A", "C", works=1, weight=1)
    >>> t = link_strength(g).set_index(["source", "target"])
    >>> float(t.loc[("A", "B"), "jaccard"]), float(t.loc[("A", "B"), "association_strength"])
    (0.5, 2.0)
    """
    check_choice("sort order", sort, SORT_KEYS)
    if isinstance(graph_or_tables, WorkTables):
        options = dict(years=years, merge_hk_mo=merge_hk_mo,
                       collaboration_rule=collaboration_rule, top=top)
        g = graph_for(graph_or_tables, level, counting="full", **options)
        if counting == "fractional":
            # Every co-authorship link, with its fractional weight: 0 where the pair's only
            # tie is one author with affiliations in both (the fractional network omits it).
            gf = graph_for(graph_or_tables, level, counting="fractional", **options)
            for u, v, d in g.edges(data=True):
                d["weight"] = gf.edges[u, v]["weight"] if gf.has_edge(u, v) else 0.0
            g.graph["counting"] = "fractional"
        if min_weight is not None:
            g.remove_edges_from([(u, v) for u, v, w in g.edges(data="weight") if w < min_weight])
    else:
        g = graph_for(graph_or_tables, years=years, min_weight=min_weight, top=top,
                      merge_hk_mo=merge_hk_mo, collaboration_rule=collaboration_rule)
    e = _edge_frame(g)
    fractional = g.graph.get("counting") == "fractional"
    e["fractional_weight"] = (
        e["weight"].astype("float64") if fractional else np.full(len(e), np.nan)
    )
    e = e.drop(columns="weight")
    e["works"] = e["works"].astype("float64")
    nodes = dict(g.nodes(data=True))
    s = {v: d.get("works") for v, d in nodes.items()}
    si = e["source"].map(s).astype("float64").to_numpy()
    sj = e["target"].map(s).astype("float64").to_numpy()
    c = e["works"].to_numpy()
    e["association_strength"] = _association(e, "works")
    e["association_strength_fractional"] = (
        _association(e, "fractional_weight") if fractional else np.nan
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        e["cosine"] = c / np.sqrt(si * sj)
        e["jaccard"] = c / (si + sj - c)
        e["inclusion"] = c / np.minimum(si, sj)

    def name(v):
        d = nodes.get(v, {})
        return d.get("name") or d.get("label") or str(v)

    e["source_name"] = e["source"].map(name).astype("string")
    e["target_name"] = e["target"].map(name).astype("string")
    e["works"] = e["works"].round().astype("int64")
    if focus is not None:
        focus_ids = normalise_focus(g.graph.get("level", level), focus)
        e = e[e["source"].isin(focus_ids) | e["target"].isin(focus_ids)]
    e = e.sort_values([sort, "source", "target"], ascending=[False, True, True])
    cols = ["source", "target", "source_name", "target_name", "works", "fractional_weight",
            *STRENGTH_ATTRIBUTES]
    return e[cols].reset_index(drop=True)


#: The ``collabnet strength`` command's library call.
strength = link_strength


def add_link_strength(graph: nx.Graph) -> nx.Graph:
    """Set the normalised link strengths of :func:`link_strength` as edge attributes.

    Parameters
    ----------
    graph : networkx.Graph
        A co-authorship network; modified in place (NaN values are not set, so that the
        graph stays writable as GraphML/GEXF).

    Returns
    -------
    networkx.Graph
        The same graph, every edge with ``association_strength``, ``cosine``, ``jaccard``,
        ``inclusion`` and, for fractional networks, ``association_strength_fractional``.

    Examples
    --------
    >>> g = nx.Graph()
    >>> g.add_nodes_from([("A", {"works": 1}), ("B", {"works": 1})])
    >>> g.add_edge("A", "B", works=1, weight=1)
    >>> add_link_strength(g).edges["A", "B"]["cosine"]
    1.0
    """
    table = link_strength(graph)
    for row in table.itertuples(index=False):
        attrs = {a: float(getattr(row, a)) for a in STRENGTH_ATTRIBUTES
                 if not np.isnan(getattr(row, a))}
        graph.edges[row.source, row.target].update(attrs)
    return graph
