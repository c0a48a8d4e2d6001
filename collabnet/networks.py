"""Co-authorship networks of countries, institutions or authors, with full or fractional counting.

A network is an undirected :class:`networkx.Graph` whose nodes are entities (countries,
institutions, authors) and whose edges join entities that co-authored at least one work. Link
weights are computed as sparse matrix products over the work × entity incidence matrix, the
way bibliometric tools define them (Perianes-Rodriguez, Waltman & van Eck 2016), not by
looping over pairs in Python.

Node attributes: ``label`` (country code / institution name / author name, or the author id
where OpenAlex gives no name), ``works`` (full count), ``fractional_works``,
``international_works``, ``share``; for countries and authors ``name``; for institutions
``country_code`` and ``type``. Edge attributes: ``works`` (co-authored works,
full count) and ``weight`` (the chosen counting).
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp

from collabnet.errors import InputError
from collabnet.keys import COUNTINGS, check_counting, entity_column, format_years
from collabnet.progress import bar as progress_bar
from collabnet.progress import tracked
from collabnet.selection import Selection, select
from collabnet.tables import WorkTables

__all__ = [
    "COUNTINGS",
    "coauthorship_network",
    "country_network",
    "fractional_link_scale",
    "fractional_links",
    "graph_for",
    "institution_network",
    "network",
]


def fractional_link_scale(n_authors) -> np.ndarray:
    """Per-work factor of fractional link weights: ``1 / (n_k - 1)``, 0 when ``n_k < 2``.

    Each unordered pair of distinct authors of work k weighs ``1 / (n_k - 1)``
    (Perianes-Rodriguez, Waltman & van Eck 2016); see :func:`fractional_links`.
    """
    n = np.asarray(n_authors, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n >= 2, 1.0 / (n - 1.0), 0.0)


def fractional_links(tables: WorkTables, level: str, entities: pd.Index) -> sp.csr_matrix:
    r"""Fractional link weights between ``entities`` (a symmetric matrix, zero diagonal).

    Notes
    -----
    In a work :math:`k` with :math:`n_k \ge 2` authors, each unordered pair of *distinct*
    authors :math:`\{a, b\}` weighs :math:`1/(n_k-1)`, spread as :math:`1/(m_a m_b)` over
    the pairs of their affiliations (:math:`m_a`: affiliations of :math:`a`); a pair of
    affiliations inside one entity is no link. So each author's pairs weigh 1 in total,
    whatever the team size, and an author is never linked to themself: a single author with
    two countries adds no fractional link. With :math:`A_{au}` the share of author
    :math:`a`'s affiliations in entity :math:`u` and :math:`a_{ku} = \sum_{a \in k} A_{au}`,

    .. math:: c_{uv} = \sum_{k: n_k \ge 2} \frac{1}{n_k - 1}
              \Big(a_{ku} a_{kv} - \sum_{a \in k} A_{au} A_{av}\Big), \quad u \ne v.

    References
    ----------
    Perianes-Rodriguez, A., Waltman, L., & van Eck, N. J. (2016). Constructing bibliometric
    networks: A comparison between full and fractional counting. Journal of Informetrics,
    10(4), 1178–1195. https://doi.org/10.1016/j.joi.2016.10.006

    Examples
    --------
    Author 1 at JP and US, author 2 at JP: JP–US weighs 0.5 (author 2's JP with author 1's
    US), not 0.75.

    >>> from collabnet.tables import build_tables
    >>> t = build_tables([{"id": "W1", "authorships": [
    ...     {"author": {"id": "A1"}, "institutions": [{"id": "I1", "country_code": "JP"},
    ...                                               {"id": "I2", "country_code": "US"}]},
    ...     {"author": {"id": "A2"}, "institutions": [{"id": "I3", "country_code": "JP"}]}]}])
    >>> m = fractional_links(t, "country", pd.Index(["JP", "US"]))
    >>> float(m[0, 1]), float(m[0, 0])
    (0.5, 0.0)
    """
    col = entity_column(level)
    aff = tables.affiliations[["work_id", "author_index", col, "weight"]].dropna(subset=[col])
    n_e = len(entities)
    if aff.empty:
        return sp.csr_matrix((n_e, n_e))
    n_authors = tables.works.set_index("work_id")["n_authors"].astype("float64")
    n = aff["work_id"].map(n_authors).to_numpy(dtype="float64")
    # A_au: 1/m_a per affiliation of author a (rounded: weight * n is 1/m up to the last bit)
    share = np.round(aff["weight"].to_numpy() * n, 12)
    ent = entities.get_indexer(aff[col])
    keep = ent >= 0
    work_codes, _ = pd.factorize(aff["work_id"])
    author_codes, _ = pd.factorize(
        pd.MultiIndex.from_arrays([aff["work_id"], aff["author_index"]])
    )
    if not keep.any():
        return sp.csr_matrix((n_e, n_e))
    scale = fractional_link_scale(n)
    ent, share, scale = ent[keep], share[keep], scale[keep]
    work_codes, author_codes = work_codes[keep], author_codes[keep]
    n_w, n_a = int(work_codes.max()) + 1, int(author_codes.max()) + 1
    # Work level a_ku and author level A_au; each pair product is weighted by its work's scale.
    by_work = sp.csr_matrix((share, (work_codes, ent)), shape=(n_w, n_e))
    by_author = sp.csr_matrix((share, (author_codes, ent)), shape=(n_a, n_e))
    w_scale = np.zeros(n_w)
    w_scale[work_codes] = scale
    a_scale = np.zeros(n_a)
    a_scale[author_codes] = scale
    links = (by_work.T @ sp.diags(w_scale) @ by_work
             - by_author.T @ sp.diags(a_scale) @ by_author).tocsr()
    links.setdiag(0.0)
    links.data[np.abs(links.data) < 1e-12] = 0.0  # rounding of the difference
    links.eliminate_zeros()
    return links


def _link_matrices(tables: WorkTables, level: str):
    """Entity keys and the full and fractional co-authorship matrices."""
    ew = tables.entity_works(level)
    work_codes, work_index = pd.factorize(ew["work_id"])
    ent_codes, entities = pd.factorize(ew["entity"], sort=True)
    entities = pd.Index(entities)
    n_w, n_e = len(work_index), len(entities)
    binary = sp.csr_matrix((np.ones(len(ew)), (work_codes, ent_codes)), shape=(n_w, n_e))
    full = (binary.T @ binary).tocoo()
    frac = fractional_links(tables, level, entities)
    return entities, full, frac, ew


def coauthorship_network(
    tables: WorkTables,
    level: str = "country",
    *,
    years: str | tuple[int | None, int | None] | None = None,
    focus: str | list[str] | None = None,
    counting: str = "full",
    merge_hk_mo: bool = False,
    collaboration_rule: str | None = None,
    min_weight: float | None = None,
    top: int | None = None,
) -> nx.Graph:
    """Co-authorship network of countries, institutions or authors.

    Parameters
    ----------
    tables : WorkTables
    level : {"country", "institution", "author"}
    years : str or (from, to), optional
        Only works published in this inclusive range (:func:`collabnet.keys.parse_years`).
    focus : str or list of str, optional
        Only these entities and their direct partners (an ego network), with the links
        among them.
    counting : {"full", "fractional"}
        How the edge ``weight`` is counted (``works`` is always the full count).
    merge_hk_mo : bool
        Count Hong Kong and Macao as China (Leiden Ranking rule).
    collaboration_rule : {"countries", "leiden"}, optional
        The rule behind the nodes' ``international_works`` and ``share``; default the
        tables' own.
    min_weight : float, optional
        Drop edges whose ``weight`` is below this value.
    top : int, optional
        Keep only the ``top`` entities with most works (ties broken by key).

    Returns
    -------
    networkx.Graph
        Undirected; node and edge attributes as in the module docstring. The graph attribute
        ``counting`` records the counting used.

    Notes
    -----
    Let :math:`a_{ku}` be the number of authors of work :math:`k` affiliated with entity
    :math:`u` (an author with :math:`m` affiliations adds :math:`1/m` to each) and
    :math:`n_k` the number of authors of :math:`k`.

    *Full counting*: :math:`c_{uv} = \\sum_k [a_{ku} > 0][a_{kv} > 0]`, the number of works
    the two co-authored.

    *Fractional counting* (Perianes-Rodriguez, Waltman & van Eck 2016): each unordered pair
    of distinct authors of a work with :math:`n_k \\ge 2` authors weighs :math:`1/(n_k-1)`,
    spread as :math:`1/(m_a m_b)` over the pairs of their affiliations; pairs inside one
    entity are no link (see :func:`fractional_links`). Each author's links in a work weigh 1
    in total, whatever the team size, and an author is never linked to themself: a single
    author with affiliations in two countries adds no fractional link (the pair keeps its
    full count in ``works`` of the full-counting network, and the fractional network has only
    edges of weight > 0, which Gephi requires).

    Node ``fractional_works`` is the entity's fractional output,
    :math:`\\sum_k a_{ku} / n_k`, so the fractional outputs of a work sum to 1 when all its
    affiliations are known.

    References
    ----------
    Perianes-Rodriguez, A., Waltman, L., & van Eck, N. J. (2016). Constructing bibliometric
    networks: A comparison between full and fractional counting. Journal of Informetrics,
    10(4), 1178–1195. https://doi.org/10.1016/j.joi.2016.10.006

    Examples
    --------
    >>> from collabnet.tables import build_tables
    >>> recs = [{"id": "W1", "authorships": [
    ...     {"institutions": [{"id": "I1", "country_code": "JP"}]},
    ...     {"institutions": [{"id": "I2", "country_code": "US"}]},
    ...     {"institutions": [{"id": "I3", "country_code": "US"}]}]}]
    >>> g = coauthorship_network(build_tables(recs), "country", counting="fractional")
    >>> g.edges["JP", "US"]["works"], g.edges["JP", "US"]["weight"]
    (1, 1.0)
    """
    check_counting(counting)
    if top is not None and top < 1:
        raise InputError(f"invalid --top {top}: must be a positive number of nodes")
    if min_weight is not None and min_weight < 0:
        raise InputError(f"invalid minimum weight {min_weight}: must be 0 or more")
    sel = select(tables, level, years=years, focus=focus, merge_hk_mo=merge_hk_mo,
                 collaboration_rule=collaboration_rule)
    return _network(sel, counting=counting, min_weight=min_weight, top=top)


def _network(sel: Selection, *, counting: str, min_weight, top) -> nx.Graph:
    tables, level = sel.tables, sel.level
    entities, full, frac, ew = _link_matrices(tables, level)
    g = nx.Graph(level=level, counting=counting, collaboration_rule=tables.collaboration_rule)
    if sel.years is not None:
        g.graph["years"] = format_years(sel.years)
    shares = Selection(tables, level).collaboration_counts().set_index("entity")
    fractional = ew.groupby("entity")["fraction"].sum()
    keep = shares.index
    if top is not None:
        ranked = shares.reset_index().sort_values(["works", "entity"], ascending=[False, True])
        keep = pd.Index(ranked["entity"].head(top))
    nodes = shares.loc[sorted(keep)].reset_index()
    nodes["name"] = tables.entity_names(level, nodes["entity"])
    nodes["fractional_works"] = nodes["entity"].map(fractional).fillna(0.0).astype(float)
    if level == "institution":
        info = tables.institutions().set_index("institution_id")
        nodes["label"] = nodes["name"].fillna(nodes["entity"])
        nodes["country_code"] = nodes["entity"].map(info["country_code"])
        nodes["type"] = nodes["entity"].map(info["type"])
        extra = ["country_code", "type"]
    elif level == "author":
        nodes["label"] = nodes["name"]
        extra = ["name"]
    else:
        nodes["label"] = nodes["entity"]
        extra = ["name"]
    attr_cols = ["label", "works", "fractional_works", "international_works", "share", *extra]
    for rec in nodes[["entity", *attr_cols]].to_dict("records"):
        ent = rec.pop("entity")
        g.add_node(ent, **{k: plain_value(v) for k, v in rec.items() if not is_missing_value(v)})

    upper = full.row < full.col
    links = pd.DataFrame(
        {"u": full.row[upper], "v": full.col[upper], "works": full.data[upper].astype("int64")}
    )
    if counting == "full":
        links["weight"] = links["works"]
    else:
        fc = frac.tocoo()
        fl = pd.DataFrame({"u": fc.row, "v": fc.col, "weight": fc.data})
        # Only pairs that distinct authors link: a pair whose only tie is one author with two
        # affiliations has weight 0, which Gephi refuses (its full count stays in "works").
        links = links.merge(fl, on=["u", "v"], how="inner")
        links = links[links["weight"] > 0]
    links["u"] = entities[links["u"].to_numpy()]
    links["v"] = entities[links["v"].to_numpy()]
    kept = pd.Index(keep)
    links = links[links["u"].isin(kept) & links["v"].isin(kept)]
    if min_weight is not None:
        links = links[links["weight"] >= min_weight]
    if sel.focus is not None:
        # The ego network: focus entities, their partners and the links among them.
        ego = set(sel.focus) & set(kept)
        touching = links["u"].isin(ego) | links["v"].isin(ego)
        members = ego | set(links.loc[touching, "u"]) | set(links.loc[touching, "v"])
        links = links[links["u"].isin(members) & links["v"].isin(members)]
        g.remove_nodes_from([v for v in list(g) if v not in members])
    with progress_bar(len(links), f"{level} network", " links") as bar:
        g.add_edges_from(
            (u, v, {"works": int(n), "weight": float(w)})
            for u, v, n, w in tracked(bar, links[["u", "v", "works", "weight"]]
                                       .itertuples(index=False))
        )
    return g



def plain_value(v):
    """numpy scalars as plain Python numbers (GraphML and JSON writers want those)."""
    return v.item() if isinstance(v, np.generic) else v


def is_missing_value(v) -> bool:
    """None, ``pd.NA`` or NaN: a value a network attribute leaves out."""
    if v is None or v is pd.NA:
        return True
    return isinstance(v, float) and np.isnan(v)


def country_network(tables: WorkTables, **kwargs) -> nx.Graph:
    """Country co-authorship network; see :func:`coauthorship_network`."""
    return coauthorship_network(tables, "country", **kwargs)


def institution_network(tables: WorkTables, **kwargs) -> nx.Graph:
    """Institution co-authorship network; see :func:`coauthorship_network`."""
    return coauthorship_network(tables, "institution", **kwargs)


#: The ``collabnet network`` command's library call.
network = coauthorship_network


def graph_for(
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
) -> nx.Graph:
    """The network a graph measure runs on: ``graph_or_tables`` itself, or built from tables.

    With tables, the network is :func:`coauthorship_network` with these options. With a
    graph, the options must stay at their defaults (they describe how to build one): a
    selection option given with a ready graph is an error rather than silently ignored.
    """
    if isinstance(graph_or_tables, WorkTables):
        return coauthorship_network(
            graph_or_tables, level, years=years, focus=focus, counting=counting,
            merge_hk_mo=merge_hk_mo, collaboration_rule=collaboration_rule,
            min_weight=min_weight, top=top,
        )
    if isinstance(graph_or_tables, nx.Graph):
        given = {"years": years, "focus": focus, "min_weight": min_weight, "top": top,
                 "collaboration_rule": collaboration_rule}
        given = [k for k, v in given.items() if v is not None]
        given += ["merge_hk_mo"] if merge_hk_mo else []
        given += ["counting"] if counting != "full" else []
        if given:
            raise InputError(
                f"{', '.join(given)} choose how a network is built from works: give WorkTables, "
                "or build the graph with those options first"
            )
        if graph_or_tables.is_directed() or graph_or_tables.is_multigraph():
            raise InputError("expected an undirected simple graph (networkx.Graph)")
        return graph_or_tables
    raise InputError("expected a co-authorship network (networkx.Graph) or WorkTables")
