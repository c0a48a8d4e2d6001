"""Every number as published: the fractional link rule, exact PageRank, one share definition,
one window for change and slope, thin evidence flagged. Hand-worked in each docstring."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import collabnet as cn
from collabnet.analysis.centrality import pagerank
from collabnet.networks import fractional_links
from collabnet.tables import build_tables

OA = "https://openalex.org/"


def _author(aid, *insts, countries=None):
    a = {"author": {"id": OA + aid},
         "institutions": [{"id": OA + i, "country_code": c} for i, c in insts]}
    if countries is not None:
        a["countries"] = countries
    return a


def _work(wid, *authors, year=2015, cited=None):
    w = {"id": OA + wid, "publication_year": year, "authorships": list(authors)}
    if cited is not None:
        w["cited_by_count"] = cited
    return w


def test_fractional_link_of_an_author_with_two_countries():
    """The issue's example: author 1 at JP and US, author 2 at JP. The one pair of distinct
    authors weighs 1/(n-1) = 1, spread 1/(2*1) over (JP, JP) and (US, JP): JP-US 0.5 (the
    old a_JP * a_US / (n-1) = 1.5 * 0.5 = 0.75 linked author 1 to themself)."""
    t = build_tables([_work("W1", _author("A1", ("I1", "JP"), ("I2", "US")),
                            _author("A2", ("I3", "JP")))])
    g = cn.network(t, counting="fractional")
    assert g.edges["JP", "US"]["weight"] == pytest.approx(0.5)


def test_each_authors_links_weigh_one():
    """A1 JP; A2 US and DE; A3 FR (n = 3): pairs weigh 1/2 each. A1-A2: JP-US 1/4, JP-DE 1/4;
    A1-A3: JP-FR 1/2; A2-A3: US-FR 1/4, DE-FR 1/4. JP (A1 alone) links 1 in total, FR (A3)
    1, and the links sum to n/2 = 1.5."""
    t = build_tables([_work("W1", _author("A1", ("I1", "JP")),
                            _author("A2", ("I2", "US"), ("I3", "DE")),
                            _author("A3", ("I4", "FR")))])
    g = cn.network(t, counting="fractional")
    w = {tuple(sorted(e)): d["weight"] for *e, d in g.edges(data=True)}
    assert w == pytest.approx({("JP", "US"): 0.25, ("DE", "JP"): 0.25, ("FR", "JP"): 0.5,
                               ("FR", "US"): 0.25, ("DE", "FR"): 0.25})
    assert g.degree("JP", weight="weight") == pytest.approx(1.0)
    assert g.degree("FR", weight="weight") == pytest.approx(1.0)
    assert sum(w.values()) == pytest.approx(1.5)


def test_a_single_author_with_two_countries_adds_no_fractional_link():
    """W1: one author at JP and US. Full counting links JP-US (1 work); fractional counting
    has no pair of distinct authors, so no edge at all (weight 0 would be refused by Gephi)."""
    t = build_tables([_work("W1", _author("A1", ("I1", "JP"), ("I2", "US")))])
    assert cn.network(t).edges["JP", "US"]["works"] == 1
    assert cn.network(t, counting="fractional").number_of_edges() == 0
    assert fractional_links(t, "country", pd.Index(["JP", "US"])).nnz == 0


def test_fractional_links_match_the_pairs_of_distinct_authors_on_random_works():
    """Against a plain loop over pairs of distinct authors and their affiliation pairs."""
    rng = np.random.default_rng(5)
    countries = ["JP", "US", "DE", "FR", "CN"]
    works, expected = [], {}
    for k in range(60):
        authors = []
        for a in range(int(rng.integers(1, 5))):
            insts = [(f"I{k}{a}{i}", countries[int(rng.integers(0, 5))])
                     for i in range(int(rng.integers(1, 3)))]
            authors.append(_author(f"A{k}{a}", *insts))
        works.append(_work(f"W{k}", *authors))
        n = len(authors)
        for i in range(n):
            for j in range(i + 1, n):
                ai, aj = authors[i]["institutions"], authors[j]["institutions"]
                for x in ai:
                    for y in aj:
                        u, v = sorted((x["country_code"], y["country_code"]))
                        if u != v:
                            expected[u, v] = expected.get((u, v), 0) + \
                                1 / (n - 1) / (len(ai) * len(aj))
    g = cn.network(build_tables(works), counting="fractional")
    got = {tuple(sorted(e)): d["weight"] for *e, d in g.edges(data=True)}
    assert got == pytest.approx(expected)


def test_partners_fractional_weight_is_the_networks():
    t = build_tables([_work("W1", _author("A1", ("I1", "JP"), ("I2", "US")),
                            _author("A2", ("I3", "JP")))])
    assert cn.partners(t, "JP").set_index("partner").loc["US", "fractional_weight"] == \
        pytest.approx(0.5)


def test_pagerank_is_the_exact_solution():
    """Against a dense solve of x = alpha P^T x + alpha/n (d.x) 1 + (1-alpha)/n 1, on a
    weighted graph with an isolated node; networkx's default tolerance is visibly off."""
    g = nx.gnm_random_graph(120, 300, seed=2)
    rng = np.random.default_rng(2)
    for u, v in g.edges:
        g.edges[u, v]["weight"] = float(rng.uniform(0.1, 5))
    g.add_node(999)
    nodes = list(g)
    a = nx.to_numpy_array(g, nodelist=nodes, weight="weight")
    n, alpha = len(nodes), 0.85
    out = a.sum(axis=1)
    p = np.divide(a, out[:, None], out=np.zeros_like(a), where=out[:, None] > 0)
    d = (out == 0).astype(float)
    m = alpha * p.T + alpha / n * np.outer(np.ones(n), d) + (1 - alpha) / n * np.ones((n, n))
    w, v = np.linalg.eig(m)
    exact = np.real(v[:, np.argmax(np.real(w))])
    exact = exact / exact.sum()
    ours = pagerank(g)
    rel = max(abs(ours[k] - exact[i]) / exact[i] for i, k in enumerate(nodes))
    assert rel < 1e-9
    c = cn.centrality(g, communities_method=None).set_index("entity")
    assert c.loc["999", "pagerank"] == pytest.approx(ours[999], rel=1e-12)


def test_the_summary_share_is_of_works_with_a_known_country():
    """2 international, 1 single-institution, 1 unknown: international share 2/3 (of the
    works with a country), not 2/4 (of all)."""
    t = build_tables([
        _work("W1", _author("A1", ("I1", "JP")), _author("A2", ("I2", "US"))),
        _work("W2", _author("A1", ("I1", "JP")), _author("A3", ("I3", "KR"))),
        _work("W3", _author("A1", ("I1", "JP"))),
        _work("W4", _author("A4")),
    ])
    s = cn.collaboration_summary(t).set_index("collaboration")
    assert s.loc["international", "share"] == pytest.approx(2 / 3)
    assert np.isnan(s.loc["unknown", "share"]) and s.loc["unknown", "works"] == 1
    assert s.loc["international", "share"] == pytest.approx(
        cn.international_shares(t, "country").set_index("entity").loc["JP", "share"])


def test_change_and_slope_come_from_the_same_window():
    """JP's share: 2009 0.0, 2010 0.5, 2011 1.0, then 2012 0.0, 2013 0.0. Over --compare
    2009-2011 the change is +1.0 and the slope +0.5 a year (the same three years); over all
    years the slope would be -0.1."""
    works, i = [], 0
    for year, intl, total in ((2009, 0, 2), (2010, 1, 2), (2011, 2, 2), (2012, 0, 2),
                              (2013, 0, 2)):
        for j in range(total):
            partner = ("I9", "US") if j < intl else ("I2", "JP")
            works.append(_work(f"W{i}", _author("A1", ("I1", "JP")), _author("A2", partner),
                               year=year))
            i += 1
    t = cn.trend(build_tables(works), "international_share", focus="JP", compare="2009-2011")
    s = t.summary.set_index("entity").loc["JP"]
    assert (s["from_year"], s["to_year"], s["years"]) == (2009, 2011, 3)
    assert s["change"] == pytest.approx(1.0)
    assert s["slope_per_year"] == pytest.approx(0.5)


def test_thin_evidence_is_flagged_next_to_its_count():
    """JP: 12 works, 2 of them with citation counts; with min_works 10 the share (12 works
    with a country) is fine, the citation means (2 works) are flagged."""
    works = [_work(f"W{i}", _author("A1", ("I1", "JP")), cited=5 if i < 2 else None)
             for i in range(12)]
    t = build_tables(works)
    sh = cn.shares(t).set_index("entity")
    assert not sh.loc["JP", "low_evidence"]
    im = cn.impact(t, focus="JP", ci=False).set_index("group")
    assert im.loc["all", "cited_works"] == 2 and im.loc["all", "low_evidence"]
    assert cn.shares(t, min_works=20).set_index("entity").loc["JP", "low_evidence"]


def _inst_work(wid, *insts):
    return {"id": wid, "authorships": [
        {"institutions": [{"id": i, "country_code": c}]} for i, c in insts]}


def test_invalid_country_codes_are_unknown():
    """JP with JPN is one country (JPN is not ISO 3166-1 alpha-2): domestic, not
    international; 'jp-' alone leaves the work without a known country; 'jp' is JP."""
    t = build_tables([_inst_work("W1", ("I1", "JP"), ("I2", "JPN")),
                      _inst_work("W2", ("I3", "jp-")), _inst_work("W3", ("I4", "jp"))])
    assert t.works["collaboration"].astype(str).tolist() == [
        "domestic", "unknown", "single_institution"]
    assert set(t.affiliations["country_code"].dropna()) == {"JP"}


def test_the_placeholder_institution_is_no_institution():
    """OpenAlex's I-1: not a node, and a JP institution with I-1 stays single-institution;
    I-1's country, when it has one, still counts."""
    t = build_tables([_inst_work("W1", ("I1", "JP"), ("I-1", None)),
                      _inst_work("W2", ("I1", "JP"), ("I-1", "US"))])
    assert t.works["collaboration"].astype(str).tolist() == ["single_institution",
                                                             "international"]
    assert "I-1" not in cn.network(t, "institution")
    assert t.institutions()["institution_id"].tolist() == ["I1"]
