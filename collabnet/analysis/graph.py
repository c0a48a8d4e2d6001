"""A network ready to look at: the analyses on its nodes and edges, a layout, colours, sizes
and, for Gephi's timeline, its values year by year.

:func:`network` is :func:`collabnet.networks.coauthorship_network` plus what a user of Gephi,
Gephi Lite or VOSviewer wants on the file itself (``with_``): centrality and communities as
node attributes, normalised link strengths as edge attributes, the collaboration counts
behind each node's share; a force-directed layout (``x``, ``y``), a ``size`` from the works
and a ``color`` from the community or the continent, so that the file opens looking like a
map; and with ``dynamic`` a ``by_year`` attribute on every node and edge that the GEXF
writer turns into spells.
"""

from __future__ import annotations

import math

import networkx as nx

from collabnet.errors import InputError
from collabnet.keys import MIN_WORKS, split_list
from collabnet.networks import coauthorship_network, is_missing_value, plain_value
from collabnet.progress import bar as progress_bar

__all__ = ["LAYOUTS", "WITH", "annotate", "layout_positions", "network", "yearly_values"]

#: What ``with_`` (``--with``) can put on a network.
WITH = ("centrality", "communities", "strength", "shares")
#: Layouts: ``auto`` is ForceAtlas2 up to :data:`AUTO_LAYOUT_LIMIT` nodes, none above.
LAYOUTS = ("auto", "forceatlas2", "spring", "none")
#: Largest network laid out by ``layout="auto"`` (ForceAtlas2 takes ~7 s at 1 000 nodes
#: and ~45 s at 2 000 on one core; Gephi lays out larger ones faster).
AUTO_LAYOUT_LIMIT = 1000
#: Node colours by community (Tableau 10) and by continent.
PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1",
           "#ff9da7", "#9c755f", "#bab0ac")
CONTINENT_COLOURS = {"Africa": "#e15759", "America": "#f28e2b", "Asia": "#4e79a7",
                     "Europe": "#59a14f", "Oceania": "#b07aa1"}
_OTHER = "#bab0ac"
#: Node centrality attributes put on the graph by ``with_="centrality"``.
CENTRALITY_ATTRIBUTES = ("degree", "strength", "betweenness", "closeness", "eigenvector",
                         "pagerank", "core_number")
#: Node attributes put on the graph by ``with_="shares"``.
SHARE_ATTRIBUTES = ("domestic_works", "single_institution_works", "unknown_works",
                    "low_evidence")


def network(
    tables,
    level: str = "country",
    *,
    years=None,
    focus=None,
    counting: str = "full",
    merge_hk_mo: bool = False,
    collaboration_rule: str | None = None,
    min_weight: float | None = None,
    top: int | None = None,
    with_=None,
    layout: str = "none",
    dynamic: bool = False,
    seed: int | None = 0,
    min_works: int = MIN_WORKS,
) -> nx.Graph:
    """A co-authorship network with analyses, layout and per-year values on it.

    Parameters
    ----------
    tables : WorkTables
    level, years, focus, counting, merge_hk_mo, collaboration_rule, min_weight, top
        How the network is built (:func:`collabnet.networks.coauthorship_network`).
    with_ : str or list of str, optional
        Any of :data:`WITH` (``"centrality,communities"``): node centrality (degree,
        strength, betweenness, closeness, eigenvector, PageRank, core number), node
        ``community``, edge link strengths (association strength, cosine, Jaccard,
        inclusion), node collaboration counts (domestic, single-institution, unknown works,
        ``low_evidence`` below ``min_works``).
    layout : {"auto", "forceatlas2", "spring", "none"}
        Node positions ``x``, ``y`` (seeded; ``auto``: ForceAtlas2 up to
        :data:`AUTO_LAYOUT_LIMIT` nodes). With any layout the nodes also get ``size``
        (from works) and ``color`` (by community when computed, else by continent).
    dynamic : bool
        Put ``by_year`` on every node (works, international works, share) and edge (works,
        weight) for each publication year it has, for the dynamic GEXF.
    seed : int or None
        Seed of the layout, the community detection and sampled centralities.

    Examples
    --------
    >>> from collabnet.tables import build_tables
    >>> def w(i, y, *cs): return {"id": f"W{i}", "publication_year": y, "authorships": [
    ...     {"institutions": [{"id": f"I{c}", "country_code": c}]} for c in cs]}
    >>> t = build_tables([w(1, 2019, "JP", "US"), w(2, 2020, "JP", "US"), w(3, 2020, "JP")])
    >>> g = network(t, with_="communities", layout="forceatlas2", dynamic=True)
    >>> g.edges["JP", "US"]["by_year"]
    {2019: {'works': 1, 'weight': 1.0}, 2020: {'works': 1, 'weight': 1.0}}
    >>> sorted(g.nodes["JP"]) [:4], g.graph["with"]
    (['by_year', 'color', 'community', 'fractional_works'], 'communities')
    """
    options = dict(years=years, focus=focus, counting=counting, merge_hk_mo=merge_hk_mo,
                   collaboration_rule=collaboration_rule, min_weight=min_weight, top=top)
    wanted = parse_with(with_)
    check_layout(layout)
    g = coauthorship_network(tables, level, **options)
    annotate(g, tables, wanted, seed=seed, min_works=min_works, options=options)
    if dynamic:
        yearly_values(g, tables, options)
    if layout != "none":
        layout_positions(g, layout, seed=seed)
    return g


def parse_with(with_) -> list[str]:
    """The analyses ``with_`` names, checked (one line naming the unknown one)."""
    items = split_list(with_) if with_ is not None else []
    for item in items:
        if item not in WITH:
            raise InputError(f"unknown --with {item!r}: choose from {', '.join(WITH)}")
    return list(dict.fromkeys(items))


def check_layout(layout: str) -> None:
    if layout not in LAYOUTS:
        raise InputError(f"unknown layout {layout!r}: choose {', '.join(LAYOUTS)}")


def annotate(g: nx.Graph, tables, wanted, *, seed=0, min_works=MIN_WORKS, options=None):
    """Put the analyses ``wanted`` (of :data:`WITH`) on ``g``'s nodes and edges, in place."""
    from collabnet.analysis.centrality import centrality, communities
    from collabnet.analysis.shares import international_shares
    from collabnet.analysis.strength import add_link_strength

    if "centrality" in wanted:
        table = centrality(g, seed=seed, communities_method=None).set_index("entity")
        for v in g:
            row = table.loc[v]
            g.nodes[v].update({a: plain_value(row[a]) for a in CENTRALITY_ATTRIBUTES
                               if not is_missing_value(row[a])})
    if "communities" in wanted:
        for v, c in communities(g, seed=seed).items():
            g.nodes[v]["community"] = int(c)
    if "strength" in wanted:
        add_link_strength(g)
    if "shares" in wanted:
        opts = {k: (options or {}).get(k) for k in ("years", "merge_hk_mo",
                                                    "collaboration_rule")}
        s = international_shares(tables, g.graph.get("level", "country"),
                                 merge_hk_mo=bool(opts["merge_hk_mo"]),
                                 years=opts["years"], min_works=min_works,
                                 collaboration_rule=opts["collaboration_rule"]
                                 ).set_index("entity")
        for v in g:
            if v in s.index:
                g.nodes[v].update({a: plain_value(s.at[v, a]) for a in SHARE_ATTRIBUTES})
    if wanted:
        g.graph["with"] = ",".join(wanted)
    return g


def yearly_values(g: nx.Graph, tables, options: dict) -> nx.Graph:
    """Put ``by_year`` on ``g``'s nodes and edges: for each publication year, the values of
    the network of that year's works alone (same level, counting and selection)."""
    from collabnet.keys import parse_years

    span = parse_years(options.get("years"))
    dated = tables.select(years=span) if span is not None else tables
    years = sorted(int(y) for y in dated.works["year"].dropna().unique())
    level = g.graph.get("level", "country")
    opts = {k: v for k, v in options.items() if k not in ("years", "top", "min_weight")}
    for _, d in g.nodes(data=True):
        d["by_year"] = {}
    with progress_bar(len(years), "networks by year", " years") as bar:
        for y in years:
            h = coauthorship_network(tables, level, years=(y, y), **opts)
            for v, d in h.nodes(data=True):  # the network's values are plain already
                if v in g:
                    g.nodes[v]["by_year"][y] = {k: d[k] for k in
                                                ("works", "international_works", "share")
                                                if k in d}
            for u, v, d in h.edges(data=True):
                if g.has_edge(u, v):
                    g.edges[u, v].setdefault("by_year", {})[y] = {
                        "works": int(d["works"]), "weight": float(d["weight"])}
            bar.update()
    g.graph["dynamic"] = True
    return g


def layout_positions(g: nx.Graph, layout: str = "auto", *, seed: int | None = 0) -> nx.Graph:
    """Set ``x``, ``y`` (a seeded force-directed layout), ``size`` and ``color`` on the nodes.

    ``size`` grows with the square root of ``works`` (5 to 50); ``color`` is the community's
    (when the nodes have ``community``) or the continent's of the node's country.
    """
    check_layout(layout)
    n = g.number_of_nodes()
    if layout == "none" or n == 0:
        return g
    if layout == "auto":
        if n > AUTO_LAYOUT_LIMIT:
            g.graph["layout"] = f"none (over {AUTO_LAYOUT_LIMIT} nodes: lay it out in Gephi)"
            _size_and_colour(g)
            return g
        layout = "forceatlas2"
    if layout == "forceatlas2":
        pos = nx.forceatlas2_layout(g, seed=seed, weight="weight", max_iter=100)
    else:
        pos = nx.spring_layout(g, seed=seed, weight="weight")
    scale = max((max(abs(float(c)) for c in p) for p in pos.values()), default=1.0) or 1.0
    for v, (x, y) in pos.items():
        g.nodes[v]["x"] = round(float(x) / scale * 1000.0, 3)
        g.nodes[v]["y"] = round(float(y) / scale * 1000.0, 3)
    g.graph["layout"] = f"{layout} (seed {seed})"
    _size_and_colour(g)
    return g


def _size_and_colour(g: nx.Graph) -> None:
    from collabnet.groups import continent_of

    top = max((float(d.get("works") or 0) for _, d in g.nodes(data=True)), default=0.0)
    for v, d in g.nodes(data=True):
        works = float(d.get("works") or 0)
        d["size"] = round(5.0 + 45.0 * math.sqrt(works / top), 3) if top > 0 else 5.0
        if "community" in d:
            d["color"] = PALETTE[int(d["community"]) % len(PALETTE)]
        else:
            code = d.get("country_code") if g.graph.get("level") != "country" else v
            d["color"] = CONTINENT_COLOURS.get(continent_of(code), _OTHER)
