"""Shortest-path centrality of weighted networks: betweenness and closeness on distances 1/w.

A strong tie is a short one: on a co-authorship network with link weights :math:`w_{ij}`,
the length of an edge is :math:`1/w_{ij}` (Newman 2001; Opsahl et al. 2010). Distances come
from scipy's Dijkstra; betweenness is Brandes' dependency accumulation over the
shortest-path DAG of each source, in sparse batches. Used by
:func:`collabnet.analysis.centrality.centrality`.
"""

from __future__ import annotations

import random

import networkx as nx
import numpy as np
import scipy.sparse as sp
from scipy.sparse import csgraph

from collabnet.errors import InputError
from collabnet.progress import bar as progress_bar

__all__ = ["shortest_path_centrality"]

# Paths whose lengths differ by less than this (relative) are equally short.
_TOL = 1e-9
# Bound on (sources x arcs) cells held at once when finding shortest-path DAGs.
_BATCH_CELLS = 4_000_000


def _distance_matrix(g: nx.Graph, nodes: list, weight: str | None) -> sp.csr_matrix:
    """Sparse matrix of arc lengths 1/weight; arcs of weight <= 0 are left out."""
    a = nx.to_scipy_sparse_array(g, nodelist=nodes, weight=weight, format="csr")
    a = sp.csr_matrix(a, dtype="float64")
    a.data = np.where(a.data > 0, 1.0 / np.where(a.data > 0, a.data, 1.0), 0.0)
    a.eliminate_zeros()
    # The diagonal (self-loops) never lies on a shortest path.
    a.setdiag(0)
    a.eliminate_zeros()
    return a


def shortest_path_centrality(
    graph: nx.Graph,
    *,
    weight: str | None = "weight",
    k: int | None = None,
    seed: int | None = 0,
) -> tuple[dict, dict, list | None]:
    """Betweenness and closeness centrality with distance = 1/weight, from the same Dijkstra runs.

    Parameters
    ----------
    graph : networkx.Graph
    weight : str or None
        Edge attribute holding the link weight; the length of an edge is 1/weight (edges
        with weight <= 0 are ignored). None: every edge has length 1.
    k : int, optional
        Estimate from ``k`` source nodes sampled with ``random.Random(seed).sample`` (the same
        sources :func:`networkx.betweenness_centrality` picks for the same ``k`` and seed).
        None: exact, from every node.
    seed : int or None

    Returns
    -------
    (betweenness, closeness, sources) : dict, dict, list or None
        Node -> value, and the sampled sources (None when exact).

    Notes
    -----
    Betweenness (Brandes 2001), normalised as networkx does for undirected graphs:
    :math:`b(v) = \\frac{1}{(n-1)(n-2)} \\sum_{s \\ne v \\ne t} \\sigma_{st}(v)/\\sigma_{st}`
    over ordered pairs; with sampling the sum runs over sampled sources and is scaled by
    :math:`1/(k(n-2))` (:math:`1/((k-1)(n-2))` for a sampled node), as in networkx 3.6. The
    shortest-path counts :math:`\\sigma` are obtained by propagating along the shortest-path
    DAG of each source as sparse matrix products, in batches of sources. Paths whose lengths
    differ by less than 1e-9 (relative) count as equally short; networkx compares lengths
    exactly, so on weights whose inverses are not exact binary fractions (1/3, 1/6, …) it can
    miss some equally short paths, and the two differ slightly there.

    Closeness with the Wasserman–Faust correction for disconnected graphs (networkx's
    ``wf_improved=True``): :math:`c(v) = \\frac{r-1}{n-1} \\cdot \\frac{r-1}{\\sum_u d(u,v)}`,
    :math:`r` the nodes reachable from :math:`v` (itself included). With sampling,
    :math:`c(v) \\approx |R_v|^2 / (|S_v| \\sum_{s \\in R_v} d(s,v))` where :math:`S_v` are the
    sampled sources other than :math:`v` and :math:`R_v` those that reach it; it equals the
    exact value when every node is a source.

    References
    ----------
    Brandes, U. (2001). A faster algorithm for betweenness centrality. J. Math. Sociology
    25(2), 163–177. Brandes, U., & Pich, C. (2007). Centrality estimation in large networks.
    Int. J. Bifurcation and Chaos 17(7), 2303–2318. Opsahl, T., Agneessens, F., & Skvoretz, J.
    (2010). Node centrality in weighted networks. Social Networks 32(3), 245–251.

    Examples
    --------
    >>> g = nx.path_graph(3)
    >>> b, c, _ = shortest_path_centrality(g, weight=None)
    >>> b[1], round(c[0], 3)
    (1.0, 0.667)
    """
    nodes = list(graph)
    n = len(nodes)
    if n == 0:
        return {}, {}, None
    dm = _distance_matrix(graph, nodes, weight)
    if k is not None:
        if not isinstance(k, (int, np.integer)) or k < 1:
            raise InputError(f"invalid betweenness sample size {k!r}: must be a positive integer")
        if k >= n:
            k = None
    if k is None:
        sources = np.arange(n)
        sampled = None
    else:
        sampled = random.Random(seed).sample(nodes, int(k))
        index = {v: i for i, v in enumerate(nodes)}
        sources = np.array([index[v] for v in sampled])
    upper = sp.triu(dm, k=1).tocoo()
    arc_u, arc_v, arc_w = upper.row.astype(np.int64), upper.col.astype(np.int64), upper.data
    between = np.zeros(n)
    dist_sum = np.zeros(n)
    reached = np.zeros(n)
    batch = max(1, min(256, _BATCH_CELLS // max(len(arc_w), 1)))
    bar = progress_bar(len(sources), "shortest paths", " sources")
    for b0 in range(0, len(sources), batch):
        src = sources[b0 : b0 + batch]
        bar.update(len(src))
        s = len(src)
        dist = csgraph.dijkstra(dm, directed=True, indices=src)
        finite = np.isfinite(dist)
        d_fin = np.where(finite, dist, 0.0)
        not_self = np.ones_like(finite)
        not_self[np.arange(s), src] = False
        dist_sum += (d_fin * not_self).sum(axis=0)
        reached += (finite & not_self).sum(axis=0)
        between += _batch_dependencies(dist, src, arc_u, arc_v, arc_w, n)
    bar.close()
    # Scale as networkx does (normalized=True, endpoints=False, undirected).
    bet = between.copy()
    if n > 2:
        if sampled is None:
            bet /= (n - 1) * (n - 2)
        else:
            is_src = np.zeros(n, dtype=bool)
            is_src[sources] = True
            kk = len(sources)
            bet[~is_src] /= kk * (n - 2)
            bet[is_src] = bet[is_src] / ((kk - 1) * (n - 2)) if kk > 1 else np.nan
    else:
        bet[:] = 0.0
    # Closeness: |R_v|^2 / (|S_v| * sum of distances from reached sources).
    n_other = np.full(n, float(len(sources)))
    if sampled is not None:
        n_other[sources] -= 1
    else:
        n_other[:] = n - 1
    with np.errstate(invalid="ignore", divide="ignore"):
        clo = np.where(
            (dist_sum > 0) & (n_other > 0), reached**2 / (n_other * dist_sum), 0.0
        )
    return (
        dict(zip(nodes, bet.tolist(), strict=True)),
        dict(zip(nodes, clo.tolist(), strict=True)),
        sampled,
    )


def _batch_dependencies(dist, src, arc_u, arc_v, arc_w, n) -> np.ndarray:
    """Sum over a batch of sources of Brandes' dependencies delta_s(v), v != s.

    ``arc_*`` list each undirected edge once; at most one of its directions lies on a
    shortest path from a given source, since edge lengths are positive.
    """
    s = len(src)
    du = dist[:, arc_u]
    dv = dist[:, arc_v]
    with np.errstate(invalid="ignore"):
        gap = dv - du
        fwd = np.abs(gap - arc_w) <= _TOL * np.maximum(1.0, dv)
        bwd = np.abs(gap + arc_w) <= _TOL * np.maximum(1.0, du)
    fwd &= np.isfinite(du)
    bwd &= np.isfinite(dv)
    fi, fa = np.nonzero(fwd)
    bi, ba = np.nonzero(bwd)
    rows = np.concatenate([fi * n + arc_u[fa], bi * n + arc_v[ba]])
    cols = np.concatenate([fi * n + arc_v[fa], bi * n + arc_u[ba]])
    size = s * n
    dag = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(size, size))
    dag_t = dag.T.tocsr()
    # sigma: number of shortest paths from the batch's source to each node.
    x = np.zeros(size)
    x[np.arange(s) * n + src] = 1.0
    sigma = x.copy()
    while True:
        x = dag_t @ x
        if not x.any():
            break
        sigma += x
    # delta = sum_t M^t 1 with M[v, w] = sigma_v / sigma_w on DAG arcs (Brandes' recursion).
    m = dag.tocoo()
    vals = sigma[m.row] / sigma[m.col]
    mm = sp.csr_matrix((vals, (m.row, m.col)), shape=(size, size))
    y = mm @ np.ones(size)
    delta = y.copy()
    while y.any():
        y = mm @ y
        delta += y
    delta = delta.reshape(s, n)
    delta[np.arange(s), src] = 0.0
    return delta.sum(axis=0)
