"""Partners, normalised link strength and centrality on hand-made works and small graphs.

The works are described in tests/analysis_records.py. Country links (full counting):
JP-US 3 (W1 W5 W8), JP-KR, JP-HK, US-KR, US-HK, KR-HK 1 each (W5), HK-CN 1 (W6).
Works per country: JP 6, US 3, HK 2, KR 1, CN 1.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from analysis_records import analysis_records

from collabnet.analysis.centrality import (
    centrality,
    communities,
    network_summary,
    shortest_path_centrality,
)
from collabnet.analysis.partners import partners
from collabnet.analysis.strength import add_link_strength, link_strength
from collabnet.errors import InputError
from collabnet.networks import coauthorship_network
from collabnet.tables import build_tables


@pytest.fixture
def tables():
    return build_tables(analysis_records())


# --- partners ---------------------------------------------------------------------------------


def test_partners_ranked_with_ties(tables):
    """JP's partners: US 3 works (W1 W5 W8), HK and KR 1 each (W5), a tie sharing rank 2,
    listed by key. JP has 3 international works, so US has 3/3 of them, HK and KR 1/3.
    Fractional link weight JP-US: W1 1*1/(2-1) = 1, W5 1*(1/2)/(3-1) = 1/4 (A5 is half US),
    W8 one author -> 0; total 5/4. JP-HK: W5 1*1/2 = 1/2; JP-KR: 1/4."""
    p = partners(tables, "JP")
    assert p[["partner", "rank", "works"]].values.tolist() == [
        ["US", 1, 3], ["HK", 2, 1], ["KR", 2, 1]]
    s = p.set_index("partner")
    assert s["international_works_share"].tolist() == pytest.approx([1, 1 / 3, 1 / 3])
    assert s.loc["US", "focus_works_share"] == pytest.approx(3 / 6)
    assert s["fractional_weight"].tolist() == pytest.approx([5 / 4, 1 / 2, 1 / 4])
    # The same fractional weights as the co-authorship network's.
    g = coauthorship_network(tables, "country", counting="fractional")
    assert g.edges["JP", "US"]["weight"] == pytest.approx(5 / 4)
    assert (s.loc["US", "first_year"], s.loc["US", "last_year"]) == (2020, 2021)
    assert partners(tables, "JP", top=1)["partner"].tolist() == ["US"]


def test_partners_by_year_and_trend(tables):
    """JP's international works: 2020 W1, 2021 W5 W8. US co-authors W1 (2020) and W5 W8
    (2021): 1/1 both years -> share slope 0, works slope 2 - 1 = 1 per year.
    HK: 0 of 1 in 2020, 1 of 2 in 2021 -> slope 0.5."""
    y = partners(tables, "JP", by_year=True)
    us = y[y["partner"] == "US"]
    assert us[["year", "works", "international_works_share"]].values.tolist() == [
        [2020, 1, 1.0], [2021, 2, 1.0]]
    hk = y[y["partner"] == "HK"]
    assert hk["works"].tolist() == [0, 1]  # the 2020 row is filled with 0
    # --top with --by-year: the top partners over all the years (US 3 works), every year
    top = partners(tables, "JP", by_year=True, top=1)
    assert set(top["partner"]) == {"US"} and top["year"].tolist() == [2020, 2021]
    assert len(partners(tables, "JP", by_year=True, top=2)) == len(y)  # HK, KR tie at 2
    s = partners(tables, "JP").set_index("partner")
    assert s.loc["US", "works_slope"] == pytest.approx(1.0)
    assert s.loc["US", "share_slope"] == pytest.approx(0.0)
    assert s.loc["HK", "share_slope"] == pytest.approx(0.5)


def test_partners_across_levels(tables):
    """Country partners of Tokyo (I10): US (W1 W5 W8), KR and HK (W5); Japan, Tokyo's own
    country, is not a partner. Institution partners of JP exclude Japanese institutions."""
    p = partners(tables, "I10", "institution", partner_level="country")
    assert p["partner"].tolist() == ["US", "HK", "KR"]
    assert p["fractional_weight"].isna().all()  # only defined within one level
    q = partners(tables, "JP", "country", partner_level="institution")
    assert set(q["partner"]) == {"I20", "I40", "I50"}
    assert q.set_index("partner").loc["I20", "works"] == 3


def test_partners_needs_a_focus(tables):
    with pytest.raises(InputError, match="focus"):
        partners(tables, "")
    with pytest.raises(InputError):
        partners(tables, "XX1")


# --- link strength ----------------------------------------------------------------------------


def test_link_strength_by_hand(tables):
    """Total link strengths t: JP 5, US 5, KR 3, HK 4, CN 1; m = 9.
    JP-US: association 2*9*3/(5*5) = 2.16; cosine 3/sqrt(6*3); Jaccard 3/(6+3-3) = 1/2;
    inclusion 3/min(6, 3) = 1. HK-CN: association 18*1/(4*1) = 4.5, Jaccard 1/(2+1-1)."""
    t = link_strength(tables, "country").set_index(["source", "target"])
    jp_us = t.loc[("JP", "US")]
    assert jp_us["works"] == 3
    assert jp_us["association_strength"] == pytest.approx(2.16)
    assert jp_us["cosine"] == pytest.approx(3 / np.sqrt(18))
    assert jp_us["jaccard"] == pytest.approx(0.5)
    assert jp_us["inclusion"] == pytest.approx(1.0)
    assert jp_us["fractional_weight"] == pytest.approx(5 / 4)
    assert t.loc[("CN", "HK"), "association_strength"] == pytest.approx(4.5)
    assert t.loc[("CN", "HK"), "jaccard"] == pytest.approx(0.5)
    assert len(t) == 7


def test_link_strength_is_symmetric_and_bounded(tables):
    """Measures do not depend on which end is 'source': building the graph with edges in
    reverse order gives the same table. Cosine, Jaccard and inclusion lie in [0, 1]."""
    g = coauthorship_network(tables, "country", counting="fractional")
    h = nx.Graph(**g.graph)
    h.add_nodes_from(reversed(list(g.nodes(data=True))))
    h.add_edges_from((v, u, d) for u, v, d in reversed(list(g.edges(data=True))))
    a, b = link_strength(g), link_strength(h)
    assert a.equals(b)
    for c in ("cosine", "jaccard", "inclusion"):
        assert ((a[c] >= 0) & (a[c] <= 1)).all()
    # association strength from the formula with i and j swapped
    tot = {}
    for r in a.itertuples():
        tot[r.source] = tot.get(r.source, 0) + r.works
        tot[r.target] = tot.get(r.target, 0) + r.works
    m = a["works"].sum()
    for r in a.itertuples():
        assert r.association_strength == pytest.approx(
            2 * m * r.works / (tot[r.target] * tot[r.source]))


def test_add_link_strength_as_edge_attributes(tables):
    """On the fractional network the US-KR link, whose only tie is A5 with both
    affiliations in W5, is gone (weight 0), so t and m are those of the links that remain:
    t_JP 5, t_US 4, m 8 -> JP-US 2*8*3/(5*4)."""
    g = add_link_strength(coauthorship_network(tables, "country", counting="fractional"))
    e = g.edges["US", "JP"]
    assert e["association_strength"] == pytest.approx(2 * 8 * 3 / (5 * 4))
    assert e["association_strength_fractional"] > 0
    g_full = add_link_strength(coauthorship_network(tables, "country"))
    assert "association_strength_fractional" not in g_full.edges["JP", "US"]


# --- centrality --------------------------------------------------------------------------------


def test_distance_is_one_over_weight():
    """Triangle A-B (weight 1), A-C and B-C (weight 4): A to B directly has length 1, through
    C 1/4 + 1/4 = 1/2, so every A-B shortest path runs through C. Betweenness of C =
    2 ordered pairs / ((n-1)(n-2) = 2) = 1; A and B 0. Closeness of C: distances 1/4 and 1/4
    -> 2 / (1/2) = 4."""
    g = nx.Graph()
    g.add_edge("A", "B", weight=1)
    g.add_edge("A", "C", weight=4)
    g.add_edge("B", "C", weight=4)
    b, c, sampled = shortest_path_centrality(g)
    assert b == pytest.approx({"A": 0.0, "B": 0.0, "C": 1.0})
    assert c["C"] == pytest.approx(4.0)
    assert sampled is None


def _random_graph(seed):
    rng = np.random.default_rng(seed)
    g = nx.gnm_random_graph(40, 90, seed=seed)
    g.add_edge(40, 41)  # a second component
    for u, v in g.edges():
        g[u][v]["weight"] = float(rng.choice([1, 2, 4, 0.5]))  # 1/w exact in binary
        g[u][v]["distance"] = 1 / g[u][v]["weight"]
    return g


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_shortest_path_centrality_equals_networkx(seed):
    """Exact and sampled betweenness, and closeness (Wasserman-Faust), equal networkx's on
    distance 1/weight, including a disconnected component and equally short paths."""
    g = _random_graph(seed)
    b, c, _ = shortest_path_centrality(g)
    nb = nx.betweenness_centrality(g, weight="distance")
    nc = nx.closeness_centrality(g, distance="distance")
    assert max(abs(b[v] - nb[v]) for v in g) < 1e-12
    assert max(abs(c[v] - nc[v]) for v in g) < 1e-12
    bk, _, sampled = shortest_path_centrality(g, k=10, seed=seed)
    nbk = nx.betweenness_centrality(g, k=10, weight="distance", seed=seed)
    assert len(sampled) == 10
    assert max(abs(bk[v] - nbk[v]) for v in g) < 1e-12


def test_centrality_table(tables):
    """Country network: JP has 3 partners (degree 3) and link weight 3 + 1 + 1 = 5; HK links
    JP US KR CN (degree 4, strength 4). The JP-US-KR-HK clique is the 3-core; CN (one link) is
    in the 1-core. JP's partners are all linked to each other directly by shorter or equal
    paths, so its betweenness is 0; HK alone joins CN to the other three:
    3 pairs x 2 orders / ((n-1)(n-2) = 12) = 0.5."""
    c = centrality(tables, "country").set_index("entity")
    assert c.loc["JP", ["degree", "strength"]].tolist() == [3, 5.0]
    assert c.loc["HK", ["degree", "strength"]].tolist() == [4, 4.0]
    assert c["core_number"].to_dict() == {"JP": 3, "US": 3, "HK": 3, "KR": 3, "CN": 1}
    assert c.loc["HK", "betweenness"] == pytest.approx(0.5)
    assert c.loc["JP", "betweenness"] == pytest.approx(0.0)
    assert c["pagerank"].sum() == pytest.approx(1.0)
    assert np.linalg.norm(c["eigenvector"]) == pytest.approx(1.0)
    assert c["eigenvector"].idxmax() in ("JP", "US")
    assert not c["approximate"].any()
    assert c.loc["JP", "name"] == "Japan"


def test_centrality_flags_sampling():
    """Betweenness is estimated from ``k`` sampled sources when asked (or, by default, from
    500 sources above ``exact_limit`` nodes), and the output says so; a sample as large as
    the network is the exact computation."""
    g = _random_graph(0)
    c = centrality(g, k=5, communities_method=None)
    assert c["approximate"].all() and c.attrs["sources"] == 5
    assert "estimated from 5 of 42 nodes" in c.attrs["note"]
    exact = centrality(g, exact_limit=10, communities_method=None)  # 500 >= 42 nodes
    assert exact.attrs["approximate"] is False and not exact["approximate"].any()
    ref = nx.betweenness_centrality(g, weight="distance")
    assert exact.set_index("entity")["betweenness"].to_dict() == pytest.approx(
        {str(k): v for k, v in ref.items()})


def test_communities_and_summary():
    """Two 4-cliques joined by one weak edge: Louvain (seeded) finds the two cliques, and the
    summary counts 8 nodes, 13 edges, density 13/28, one component, modularity > 0.3."""
    g = nx.Graph()
    for base in (0, 4):
        for i in range(4):
            for j in range(i + 1, 4):
                g.add_edge(base + i, base + j, weight=3)
    g.add_edge(3, 4, weight=1)
    comm = communities(g, seed=0)
    assert {comm[v] for v in range(4)} != {comm[v] for v in range(4, 8)}
    assert len({comm[v] for v in range(4)}) == 1
    assert communities(g, seed=0) == comm  # the seed makes it repeat
    s = network_summary(g).iloc[0]
    assert (s["nodes"], s["edges"], s["components"]) == (8, 13, 1)
    assert s["density"] == pytest.approx(13 / 28)
    assert s["communities"] == 2 and s["modularity"] > 0.3
    assert s["average_clustering"] == pytest.approx(nx.average_clustering(g))
    assert s["transitivity"] == pytest.approx(nx.transitivity(g))


def test_country_assortativity_of_institution_network(tables):
    """Institution network: the summary has a country assortativity (the nodes carry
    country codes) within [-1, 1]."""
    s = network_summary(tables, "institution").iloc[0]
    assert -1 <= s["country_assortativity"] <= 1
    assert s["nodes"] == 7


def test_leiden_needs_optional_packages_or_works():
    g = nx.karate_club_graph()
    try:
        import leidenalg  # noqa: F401
    except ImportError:
        with pytest.raises(InputError, match="leidenalg"):
            communities(g, method="leiden")
    else:
        comm = communities(g, method="leiden", seed=0)
        assert set(comm) == set(g)
    with pytest.raises(InputError, match="community method"):
        communities(g, method="infomap")
