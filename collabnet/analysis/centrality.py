"""Centrality, communities and structure of co-authorship networks.

Who sits at the centre of a collaboration network, who bridges its parts and which groups
collaborate among themselves: degree and strength (VOSviewer's "Links" and "Total link
strength"), betweenness and closeness on distances 1/weight (a strong tie is a short one),
eigenvector centrality, PageRank, k-core number, and communities (Louvain from networkx with
a fixed seed; Leiden when the optional ``leidenalg`` package is installed), plus a one-row
summary of the network. Shortest-path measures are computed with scipy's Dijkstra and sparse
path counting; on large networks betweenness and closeness are estimated from a seeded sample
of source nodes, and the output says so.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp

from collabnet.analysis.shortest_paths import shortest_path_centrality
from collabnet.errors import InputError
from collabnet.keys import normalise_focus
from collabnet.networks import graph_for

#: Above this many nodes, betweenness and closeness are estimated from sampled sources.
EXACT_LIMIT = 2000
#: Sources sampled on networks above :data:`EXACT_LIMIT` (unless ``k`` is given).
DEFAULT_K = 500
COMMUNITY_METHODS = ("louvain", "leiden")

def eigenvector_centrality(graph: nx.Graph, *, weight: str | None = "weight") -> dict:
    """Eigenvector centrality: the leading eigenvector of the weighted adjacency matrix.

    Notes
    -----
    :math:`\\lambda x = A x`, :math:`x \\ge 0`, :math:`\\lVert x \\rVert_2 = 1` (networkx's
    normalisation), computed for the whole graph with scipy. On a disconnected graph the
    leading eigenvector lives on the component with the largest eigenvalue; nodes of other
    components get 0 (networkx's ``eigenvector_centrality_numpy`` refuses such graphs).
    A graph without edges gets NaN.

    References
    ----------
    Bonacich, P. (1987). Power and centrality: A family of measures. American Journal of
    Sociology 92(5), 1170–1182.
    """
    nodes = list(graph)
    n = len(nodes)
    if n == 0 or graph.number_of_edges() == 0:
        return dict.fromkeys(nodes, float("nan"))
    a = sp.csr_matrix(nx.to_scipy_sparse_array(graph, nodelist=nodes, weight=weight), dtype=float)
    if n <= 300:
        vals, vecs = np.linalg.eigh(a.toarray())
        x = vecs[:, -1]
    else:
        from scipy.sparse.linalg import eigsh

        vals, vecs = eigsh(a, k=1, which="LA", v0=np.ones(n), tol=1e-10)
        x = vecs[:, 0]
    x = np.abs(x)
    x[x < 1e-12] = 0.0
    norm = np.linalg.norm(x)
    x = x / norm if norm > 0 else x
    return dict(zip(nodes, x.tolist(), strict=True))


def pagerank(graph: nx.Graph, *, alpha: float = 0.85, weight: str | None = "weight") -> dict:
    r"""PageRank of every node, from a direct sparse solve (exact to rounding).

    Notes
    -----
    With :math:`P` the row-stochastic matrix of link weights, :math:`d` the indicator of
    nodes without links (their rank is spread over all nodes, as networkx does) and
    :math:`n` the number of nodes, PageRank is the solution of

    .. math:: x = \alpha P^\top x + \frac{\alpha}{n} (d^\top x)\,\mathbf{1}
              + \frac{1-\alpha}{n}\mathbf{1}, \qquad \mathbf{1}^\top x = 1.

    The dangling term is of rank one, so the system is solved with two sparse solves of
    :math:`I - \alpha P^\top` and the Sherman–Morrison formula, then normalised: exact to
    rounding, where networkx's power iteration with its default tolerance leaves relative
    errors of up to several per cent on large networks (Brin & Page 1998; Langville & Meyer
    2006, *Google's PageRank and Beyond*, ch. 7).

    Examples
    --------
    >>> g = nx.Graph()
    >>> g.add_weighted_edges_from([("JP", "US", 3), ("US", "DE", 1)])
    >>> g.add_node("FR")
    >>> pr = pagerank(g)
    >>> round(sum(pr.values()), 12), bool(pr["US"] > pr["JP"] > pr["FR"])
    (1.0, True)
    """
    from scipy.sparse.linalg import spsolve

    nodes = list(graph)
    n = len(nodes)
    if n == 0:
        return {}
    a = nx.to_scipy_sparse_array(graph, nodelist=nodes, weight=weight, format="csr",
                                 dtype=float)
    out_w = np.asarray(a.sum(axis=1)).ravel()
    dangling = out_w == 0
    inv = np.where(dangling, 0.0, 1.0 / np.where(dangling, 1.0, out_w))
    pt = (sp.diags(inv) @ a).T.tocsc()  # P transposed
    # Dangling nodes link to every node equally: alpha/n * 1 * d^T, a rank-one term. Solve
    # (I - alpha P^T - alpha/n 1 d^T) x = (1 - alpha)/n 1 by Sherman-Morrison.
    m = (sp.identity(n, format="csc") - alpha * pt).tocsc()
    ones = np.ones(n)
    b = np.full(n, (1 - alpha) / n)
    z = spsolve(m, b)
    if dangling.any():
        u = spsolve(m, ones * (alpha / n))
        z = z + u * (z[dangling].sum() / (1 - u[dangling].sum()))
    z = np.atleast_1d(z)
    z = z / z.sum()
    return dict(zip(nodes, z.tolist(), strict=True))


def communities(
    graph: nx.Graph,
    *,
    method: str = "louvain",
    weight: str | None = "weight",
    resolution: float = 1.0,
    seed: int | None = 0,
) -> dict:
    """Community of each node, numbered 0, 1, … from the largest community down.

    Parameters
    ----------
    method : {"louvain", "leiden"}
        ``louvain``: :func:`networkx.community.louvain_communities` (Blondel et al. 2008).
        ``leiden``: the Leiden algorithm (Traag, Waltman & van Eck 2019), as in VOSviewer,
        via the optional ``leidenalg`` and ``igraph`` packages (``pip install leidenalg``).
    resolution : float
        Modularity resolution (1 = standard modularity).
    seed : int or None
        Fixed by default so that communities repeat.

    Notes
    -----
    Both maximise weighted modularity
    :math:`Q = \\frac{1}{2m}\\sum_{ij}(A_{ij} - \\gamma \\frac{k_i k_j}{2m})\\delta(c_i, c_j)`.
    Ties in community size are ordered by their smallest node key.

    References
    ----------
    Blondel, V. D., et al. (2008). Fast unfolding of communities in large networks. J. Stat.
    Mech. P10008. Traag, V. A., Waltman, L., & van Eck, N. J. (2019). From Louvain to Leiden:
    guaranteeing well-connected communities. Scientific Reports 9, 5233.
    """
    if method not in COMMUNITY_METHODS:
        raise InputError(f"unknown community method {method!r}: choose louvain or leiden")
    if graph.number_of_nodes() == 0:
        return {}
    if method == "louvain":
        parts = nx.community.louvain_communities(
            graph, weight=weight, resolution=resolution, seed=seed
        )
    else:
        try:
            import igraph as ig
            import leidenalg
        except ImportError:
            raise InputError(
                "Leiden communities need the optional packages leidenalg and igraph "
                "(pip install leidenalg igraph); or use --communities louvain"
            ) from None
        nodes = list(graph)
        index = {v: i for i, v in enumerate(nodes)}
        h = ig.Graph(n=len(nodes), edges=[(index[u], index[v]) for u, v in graph.edges()])
        w = [float(d.get(weight, 1.0)) if weight else 1.0 for *_, d in graph.edges(data=True)]
        part = leidenalg.find_partition(
            h, leidenalg.RBConfigurationVertexPartition, weights=w,
            resolution_parameter=resolution, seed=seed if seed is not None else 0,
        )
        parts = [{nodes[i] for i in members} for members in part]
    parts = sorted(parts, key=lambda c: (-len(c), min(str(v) for v in c)))
    return {v: i for i, c in enumerate(parts) for v in c}


def centrality(
    graph_or_tables,
    level: str = "country",
    *,
    years=None,
    focus=None,
    counting: str = "full",
    merge_hk_mo: bool = False,
    collaboration_rule: str | None = None,
    min_weight: float | None = None,
    top: int | None = None,
    weight: str | None = "weight",
    k: int | None = None,
    exact_limit: int = EXACT_LIMIT,
    seed: int | None = 0,
    communities_method: str | None = "louvain",
    resolution: float = 1.0,
    summary: bool = False,
) -> pd.DataFrame:
    """Centrality of every node of a co-authorship network, with its community.

    Parameters
    ----------
    graph_or_tables : networkx.Graph or WorkTables
        A network from :func:`collabnet.networks.coauthorship_network`, or tables from which
        one is built at ``level``.
    level : {"country", "institution", "author"}
        Used only when tables are given.
    years, counting, merge_hk_mo, collaboration_rule, min_weight, top
        How the network is built from tables (see
        :func:`~collabnet.networks.coauthorship_network`); only with tables.
    focus : str or list of str, optional
        Report only these nodes (measured on the whole network).
    weight : str or None
        Edge attribute of link weights (``"weight"``: the network's counting; ``"works"``:
        full counts).
    k : int, optional
        Sampled sources for betweenness and closeness. Default: exact up to ``exact_limit``
        nodes, else :data:`DEFAULT_K` (500) sources, flagged ``approximate``.
    exact_limit : int
        Largest network on which shortest-path measures are exact by default.
    seed : int or None
        Seed of the source sample and of the community detection.
    communities_method : {"louvain", "leiden"} or None
        Community detection (see :func:`communities`); None to skip.
    resolution : float
        Modularity resolution of the community detection.
    summary : bool
        Return the one-row :func:`network_summary` instead (the ``--summary`` option).

    Returns
    -------
    pandas.DataFrame
        One row per node, sorted by strength (descending) then key: ``entity, name,
        [country_code, type], works, degree, strength, betweenness, closeness, eigenvector,
        pagerank, core_number, community, approximate`` (``name``: the node's ``name`` or
        ``label`` attribute; ``approximate`` is True when
        betweenness and closeness were estimated from sampled sources; ``attrs`` holds the
        number of sources and the seed).

    Notes
    -----
    - ``degree``: number of partners (VOSviewer "Links").
    - ``strength``: :math:`s_i = \\sum_j w_{ij}`, total link weight (VOSviewer "Total link
      strength"; Barrat et al. 2004).
    - ``betweenness``, ``closeness``: on edge lengths :math:`1/w_{ij}`
      (Newman 2001; Opsahl et al. 2010); see :func:`shortest_path_centrality`.
    - ``eigenvector``: see :func:`eigenvector_centrality`.
    - ``pagerank``: weighted PageRank, damping 0.85, solved exactly (see :func:`pagerank`).
    - ``core_number``: largest :math:`k` such that the node is in the k-core (unweighted;
      Seidman 1983).

    References
    ----------
    Newman, M. E. J. (2001). Scientific collaboration networks. II. Shortest paths, weighted
    networks, and centrality. Physical Review E 64, 016132.
    Opsahl, T., Agneessens, F., & Skvoretz, J. (2010). Node centrality in weighted networks:
    Generalizing degree and shortest paths. Social Networks 32(3), 245–251.
    Barrat, A., et al. (2004). The architecture of complex weighted networks. PNAS 101(11).

    Examples
    --------
    >>> g = nx.Graph()
    >>> g.add_weighted_edges_from([("JP", "US", 3), ("US", "DE", 1), ("JP", "DE", 1)])
    >>> c = centrality(g, communities_method=None).set_index("entity")
    >>> c.loc["US", "strength"], c.loc["US", "degree"]
    (np.float64(4.0), np.int64(2))
    """
    g = graph_for(graph_or_tables, level, years=years, counting=counting,
                  merge_hk_mo=merge_hk_mo, collaboration_rule=collaboration_rule,
                  min_weight=min_weight, top=top)
    if summary:
        return network_summary(g, weight=weight, communities_method=communities_method,
                               resolution=resolution, seed=seed)
    focus_ids = None
    if focus is not None:
        focus_ids = normalise_focus(g.graph.get("level", level), focus)
    nodes = list(g)
    n = len(nodes)
    if k is None and n > exact_limit:
        k = DEFAULT_K
    bet, clo, sampled = shortest_path_centrality(g, weight=weight, k=k, seed=seed)
    approximate = sampled is not None
    deg = dict(g.degree())
    strength = dict(g.degree(weight=weight))
    eig = eigenvector_centrality(g, weight=weight)
    pr = pagerank(g, weight=weight)
    core = nx.core_number(g) if n else {}
    comm = (
        communities(g, method=communities_method, weight=weight, resolution=resolution, seed=seed)
        if communities_method is not None
        else {}
    )
    out = pd.DataFrame({"entity": pd.Series(nodes, dtype="string")})
    out["name"] = pd.array(
        [g.nodes[v].get("name") or g.nodes[v].get("label") or str(v) for v in nodes],
        dtype="string",
    )
    if g.graph.get("level") == "institution" or any("country_code" in g.nodes[v] for v in nodes):
        out["country_code"] = pd.array([g.nodes[v].get("country_code") for v in nodes],
                                       dtype="string")
        out["type"] = pd.array([g.nodes[v].get("type") for v in nodes], dtype="string")
    out["works"] = pd.array([g.nodes[v].get("works") for v in nodes], dtype="Int64")
    out["degree"] = np.array([deg[v] for v in nodes], dtype="int64")
    out["strength"] = np.array([strength[v] for v in nodes], dtype="float64")
    for name, values in (("betweenness", bet), ("closeness", clo), ("eigenvector", eig),
                         ("pagerank", pr)):
        out[name] = np.array([values.get(v, np.nan) for v in nodes], dtype="float64")
    out["core_number"] = np.array([core.get(v, 0) for v in nodes], dtype="int64")
    out["community"] = pd.array([comm.get(v) for v in nodes], dtype="Int64")
    out["approximate"] = approximate
    out = out.sort_values(["strength", "entity"], ascending=[False, True], ignore_index=True)
    if focus_ids is not None:
        out = out[out["entity"].isin(focus_ids)].reset_index(drop=True)
    out.attrs.update(
        approximate=approximate,
        sources=len(sampled) if approximate else n,
        seed=seed,
        note=(
            f"betweenness and closeness estimated from {len(sampled)} of {n} nodes as "
            f"sources (seed {seed})" if approximate else "betweenness and closeness exact"
        ),
    )
    return out


def network_summary(
    graph_or_tables,
    level: str = "country",
    *,
    years=None,
    focus=None,
    counting: str = "full",
    merge_hk_mo: bool = False,
    collaboration_rule: str | None = None,
    min_weight: float | None = None,
    top: int | None = None,
    weight: str | None = "weight",
    communities_method: str | None = "louvain",
    resolution: float = 1.0,
    seed: int | None = 0,
) -> pd.DataFrame:
    """One-row summary of a co-authorship network's structure.

    ``graph_or_tables`` and the network options are as in :func:`centrality`; with
    ``focus``, the summary is of the focus entities' ego network.

    Returns
    -------
    pandas.DataFrame
        ``nodes, edges, density, components, largest_component_nodes,
        largest_component_share, average_degree, average_strength, average_clustering,
        transitivity, degree_assortativity, country_assortativity, communities, modularity``.

    Notes
    -----
    - ``density`` = :math:`2m / (n(n-1))`.
    - ``average_clustering``: mean over nodes of :math:`2T_v / (d_v(d_v-1))` (0 for degree
      < 2), ``transitivity`` = :math:`\\sum_v 2T_v / \\sum_v d_v(d_v-1)`, with :math:`T_v`
      the triangles through :math:`v`, unweighted (Watts & Strogatz 1998; networkx's
      definitions), from sparse matrix products.
    - ``degree_assortativity``: Pearson correlation of the degrees at either end of an edge
      (Newman 2002).
    - ``country_assortativity``: attribute assortativity of ``country_code`` (Newman 2003),
      on nodes with a country; for institution networks, how much institutions collaborate
      within their own country (1 = only within, 0 = as by chance). NaN for other networks.
    - ``modularity`` of the communities found by :func:`communities`.

    References
    ----------
    Newman, M. E. J. (2003). Mixing patterns in networks. Physical Review E 67, 026126.
    Watts, D. J., & Strogatz, S. H. (1998). Collective dynamics of 'small-world' networks.
    Nature 393, 440–442.
    """
    g = graph_for(graph_or_tables, level, years=years, focus=focus, counting=counting,
                  merge_hk_mo=merge_hk_mo, collaboration_rule=collaboration_rule,
                  min_weight=min_weight, top=top)
    n, m = g.number_of_nodes(), g.number_of_edges()
    comps = list(nx.connected_components(g)) if n else []
    largest = max((len(c) for c in comps), default=0)
    avg_clust, trans = _clustering(g)
    with np.errstate(all="ignore"):
        deg_assort = nx.degree_assortativity_coefficient(g) if m else np.nan
    with_cc = [v for v, d in g.nodes(data=True) if d.get("country_code")]
    country_assort = np.nan
    if len(with_cc) > 1 and g.subgraph(with_cc).number_of_edges():
        with np.errstate(all="ignore"):
            country_assort = nx.attribute_assortativity_coefficient(
                g, "country_code", nodes=with_cc
            )
    n_comm = modularity = np.nan
    if communities_method is not None and m:
        comm = communities(g, method=communities_method, weight=weight, resolution=resolution,
                           seed=seed)
        groups: dict = {}
        for v, c in comm.items():
            groups.setdefault(c, set()).add(v)
        n_comm = len(groups)
        modularity = nx.community.modularity(g, groups.values(), weight=weight,
                                             resolution=resolution)
    strength = sum(d for _, d in g.degree(weight=weight)) if n else 0.0
    row = {
        "nodes": n,
        "edges": m,
        "density": nx.density(g) if n > 1 else np.nan,
        "components": len(comps),
        "largest_component_nodes": largest,
        "largest_component_share": largest / n if n else np.nan,
        "average_degree": 2 * m / n if n else np.nan,
        "average_strength": strength / n if n else np.nan,
        "average_clustering": avg_clust,
        "transitivity": trans,
        "degree_assortativity": float(deg_assort),
        "country_assortativity": float(country_assort),
        "communities": n_comm,
        "modularity": float(modularity),
    }
    return pd.DataFrame([row])


def _clustering(g: nx.Graph) -> tuple[float, float]:
    """Average clustering and transitivity (unweighted) from sparse matrix products."""
    n = g.number_of_nodes()
    if n == 0:
        return np.nan, np.nan
    a = sp.csr_matrix(nx.to_scipy_sparse_array(g, weight=None, format="csr"), dtype="float64")
    a.setdiag(0)
    a.eliminate_zeros()
    a.data[:] = 1.0
    deg = np.asarray(a.sum(axis=1)).ravel()
    tri2 = np.asarray((a @ a).multiply(a).sum(axis=1)).ravel()  # 2 x triangles through v
    pairs = deg * (deg - 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        local = np.where(pairs > 0, tri2 / np.where(pairs > 0, pairs, 1), 0.0)
    trans = tri2.sum() / pairs.sum() if pairs.sum() > 0 else 0.0
    return float(local.mean()), float(trans)
