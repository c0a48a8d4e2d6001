"""Co-authorship networks of countries, institutions or authors, with full or fractional counting.

A network is an undirected :class:`networkx.Graph` whose nodes are entities (countries,
institutions, authors) and whose edges join entities that co-authored at least one work. Link
weights are computed as sparse matrix products over the work × entity incidence matrix, the
way bibliometric tools define them (Perianes-Rodriguez, Waltman & van Eck 2016), not by
looping over pairs in Python.

Node attributes: ``label`` (country code / institution name / author id), ``works`` (full
count), ``fractional_works``, ``international_works``, ``share``; for countries ``name``; for
institutions ``country_code`` and ``type``. Edge attributes: ``works`` (co-authored works,
full count) and ``weight`` (the chosen counting).
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp

from collabnet.analysis.shares import international_shares, parse_years
from collabnet.errors import InputError
from collabnet.tables import WorkTables, entity_column

COUNTINGS = ("full", "fractional")


def fractional_link_scale(n_authors) -> np.ndarray:
    """Per-work factor of fractional link weights: ``1 / (n_k - 1)``, 0 when ``n_k < 2``.

    A link between entities u and v weighs ``a_ku * a_kv * fractional_link_scale(n_k)`` in
    work k (Perianes-Rodriguez, Waltman & van Eck 2016); see :func:`coauthorship_network`.
    """
    n = np.asarray(n_authors, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n >= 2, 1.0 / (n - 1.0), 0.0)


def _link_matrices(tables: WorkTables, level: str):
    """Entity keys and the full and fractional co-authorship matrices (upper triangles)."""
    ew = tables.entity_works(level)
    works = tables.works[["work_id", "n_authors"]]
    work_codes, work_index = pd.factorize(ew["work_id"])
    ent_codes, entities = pd.factorize(ew["entity"], sort=True)
    n_w, n_e = len(work_index), len(entities)
    n_authors = (
        works.set_index("work_id")["n_authors"].reindex(work_index).to_numpy(dtype="float64")
    )
    # a[k,u]: authors of work k affiliated with u, an author with m affiliations adding 1/m.
    a_vals = ew["fraction"].to_numpy() * n_authors[work_codes]
    binary = sp.csr_matrix((np.ones(len(ew)), (work_codes, ent_codes)), shape=(n_w, n_e))
    authors = sp.csr_matrix((a_vals, (work_codes, ent_codes)), shape=(n_w, n_e))
    full = (binary.T @ binary).tocoo()
    # Fractional counting: c_uv = sum_k a_ku a_kv / (n_k - 1), works with n_k >= 2 only.
    frac = (authors.T @ sp.diags(fractional_link_scale(n_authors)) @ authors).tocsr()
    return entities, full, frac, ew


def coauthorship_network(
    tables: WorkTables,
    level: str = "country",
    *,
    counting: str = "full",
    years: str | tuple[int | None, int | None] | None = None,
    min_weight: float | None = None,
    top: int | None = None,
) -> nx.Graph:
    """Co-authorship network of countries, institutions or authors.

    Parameters
    ----------
    tables : WorkTables
    level : {"country", "institution", "author"}
    counting : {"full", "fractional"}
        How the edge ``weight`` is counted (``works`` is always the full count).
    years : "FROM-TO" or (from, to), optional
        Only works published in this inclusive range.
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

    *Fractional counting* (Perianes-Rodriguez, Waltman & van Eck 2016):
    :math:`c_{uv} = \\sum_{k: n_k \\ge 2} a_{ku} a_{kv} / (n_k - 1)`, so that each author's
    links in a work weigh 1 in total, whatever the team size; links within an entity are
    dropped. A single-author work adds no fractional link weight (even when its author has
    affiliations in two countries), but it does add to ``works`` under full counting.

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
    entity_column(level)
    if counting not in COUNTINGS:
        raise InputError(f"unknown counting {counting!r}: choose full or fractional")
    if top is not None and top < 1:
        raise InputError(f"invalid --top {top}: must be a positive number of nodes")
    if min_weight is not None and min_weight < 0:
        raise InputError(f"invalid minimum weight {min_weight}: must be 0 or more")
    span = parse_years(years)
    if span is not None:
        tables = tables.select(years=span)

    entities, full, frac, ew = _link_matrices(tables, level)
    g = nx.Graph(level=level, counting=counting)
    shares = international_shares(tables, level).set_index("entity")
    fractional = ew.groupby("entity")["fraction"].sum()
    keep = shares.index
    if top is not None:
        ranked = shares.reset_index().sort_values(["works", "entity"], ascending=[False, True])
        keep = pd.Index(ranked["entity"].head(top))
    nodes = shares.loc[sorted(keep)].reset_index()
    nodes["fractional_works"] = nodes["entity"].map(fractional).fillna(0.0).astype(float)
    if level == "institution":
        info = tables.institutions().set_index("institution_id")
        nodes["label"] = nodes["name"].fillna(nodes["entity"])
        nodes["country_code"] = nodes["entity"].map(info["country_code"])
        nodes["type"] = nodes["entity"].map(info["type"])
        extra = ["country_code", "type"]
    else:
        nodes["label"] = nodes["entity"]
        extra = ["name"] if level == "country" else []
    attr_cols = ["label", "works", "fractional_works", "international_works", "share", *extra]
    for rec in nodes[["entity", *attr_cols]].to_dict("records"):
        ent = rec.pop("entity")
        g.add_node(ent, **{k: _plain(v) for k, v in rec.items() if not _missing(v)})

    upper = full.row < full.col
    links = pd.DataFrame(
        {"u": full.row[upper], "v": full.col[upper], "works": full.data[upper].astype("int64")}
    )
    if counting == "full":
        links["weight"] = links["works"]
    else:
        fc = frac.tocoo()
        fl = pd.DataFrame({"u": fc.row, "v": fc.col, "weight": fc.data})
        links = links.merge(fl, on=["u", "v"], how="left").fillna({"weight": 0.0})
    links["u"] = entities[links["u"].to_numpy()]
    links["v"] = entities[links["v"].to_numpy()]
    kept = pd.Index(keep)
    links = links[links["u"].isin(kept) & links["v"].isin(kept)]
    if min_weight is not None:
        links = links[links["weight"] >= min_weight]
    g.add_edges_from(
        (u, v, {"works": int(n), "weight": float(w)})
        for u, v, n, w in links[["u", "v", "works", "weight"]].itertuples(index=False)
    )
    return g


def _plain(v):
    """numpy scalars as plain Python numbers (GraphML and JSON writers want those)."""
    return v.item() if isinstance(v, np.generic) else v


def _missing(v) -> bool:
    if v is None or v is pd.NA:
        return True
    return isinstance(v, float) and np.isnan(v)


def country_network(tables: WorkTables, **kwargs) -> nx.Graph:
    """Country co-authorship network; see :func:`coauthorship_network`."""
    return coauthorship_network(tables, "country", **kwargs)


def institution_network(tables: WorkTables, **kwargs) -> nx.Graph:
    """Institution co-authorship network; see :func:`coauthorship_network`."""
    return coauthorship_network(tables, "institution", **kwargs)
