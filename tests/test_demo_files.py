"""collabnet demo writes every export format, the figures and the report, each read back by
a reader that is not collabnet's, and each marked synthetic."""

from __future__ import annotations

import json
from pathlib import Path

import igraph
import networkx as nx
import pandas as pd
import pytest

import collabnet

SCHEMAS = Path(__file__).resolve().parents[2] / "shared" / "schemas"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    return out, collabnet.demo(out, works=3000)


def test_every_file_is_listed_with_what_opens_it(demo):
    out, result = demo
    names = {p.name for p in result["files"]}
    for name in ("country_network.graphml", "country_network.gexf",
                 "country_network_dynamic.gexf", "country_network.json",
                 "country_network_vosviewer.json", "country_network_nodes.csv",
                 "country_network_edges.csv", "country_network.net", "country_network_map.txt",
                 "country_network_network.txt", "country_network_nodes.parquet",
                 "country_network_edges.parquet", "country_network_meta.json",
                 "institution_network_top500.graphml", "institution_network_top500.gexf",
                 "jp_trend.png", "jp_partners.png", "country_network.png", "report.html",
                 "README.txt"):
        assert name in names and (out / name).stat().st_size > 0, name
    readme = (out / "README.txt").read_text()
    assert all(what in readme for _, what in result["opens"])


def test_network_files_read_back_the_same_network(demo):
    out, result = demo
    g = result["graph"]
    n, m = g.number_of_nodes(), g.number_of_edges()
    readers = {
        "graphml (networkx)": nx.read_graphml(out / "country_network.graphml"),
        "gexf (networkx)": nx.read_gexf(out / "country_network.gexf"),
        "dynamic gexf (networkx)": nx.read_gexf(out / "country_network_dynamic.gexf"),
        "node-link json": nx.node_link_graph(
            json.loads((out / "country_network.json").read_text()), edges="links"),
    }
    for name, h in readers.items():
        assert (h.number_of_nodes(), h.number_of_edges()) == (n, m), name
    ig = igraph.Graph.Read_GraphML(str(out / "country_network.graphml"))
    assert (ig.vcount(), ig.ecount()) == (n, m)
    pj = igraph.Graph.Read_Pajek(str(out / "country_network.net"))
    assert (pj.vcount(), pj.ecount()) == (n, m)
    assert sum(pj.es["weight"]) == pytest.approx(sum(w for _, _, w in g.edges(data="weight")))
    nodes = pd.read_csv(out / "country_network_nodes.csv", keep_default_na=False)
    edges = pd.read_csv(out / "country_network_edges.csv")
    assert list(nodes.columns[:2]) == ["id", "label"] and len(nodes) == n
    assert {"source", "target", "weight"} <= set(edges.columns) and len(edges) == m
    assert nodes["synthetic"].all() and edges["synthetic"].all()
    assert len(pd.read_parquet(out / "country_network_edges.parquet")) == m
    vos_map = pd.read_csv(out / "country_network_map.txt", sep="\t")
    vos_net = pd.read_csv(out / "country_network_network.txt", sep="\t", header=None)
    assert len(vos_map) == n and len(vos_net) == m
    vj = json.loads((out / "country_network_vosviewer.json").read_text())
    assert len(vj["network"]["items"]) == n and len(vj["network"]["links"]) == m
    meta = json.loads((out / "country_network_meta.json").read_text())
    assert meta["synthetic"] is True and meta["counting"] == "fractional"


@pytest.mark.skipif(not SCHEMAS.is_dir(), reason="../shared/schemas is not present")
def test_graphml_is_schema_valid(demo):
    xmlschema = pytest.importorskip("xmlschema")
    out, _ = demo
    schema = xmlschema.XMLSchema10(str(SCHEMAS / "graphml-1.0" / "graphml.xsd"))
    for name in ("country_network.graphml", "institution_network_top500.graphml"):
        schema.validate(str(out / name))


def test_figures_and_report_say_synthetic(demo):
    out, _ = demo
    for name in ("jp_trend.png", "jp_partners.png", "country_network.png"):
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page = (out / "report.html").read_text()
    assert "SYNTHETIC DATA" in page and "https://" not in page
