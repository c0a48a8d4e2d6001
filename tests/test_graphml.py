"""GraphML export: valid XML, typed keys named after attributes, nothing Gephi would misread."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import networkx as nx
import pytest
from records import hand_records

from collabnet.export.graphml import GRAPHML_NS, write_graphml
from collabnet.loader import read_tables
from collabnet.networks import coauthorship_network
from collabnet.tables import build_tables

NS = {"g": GRAPHML_NS}


def keys(path):
    root = ET.parse(path).getroot()
    return {(k.get("for"), k.get("attr.name")): (k.get("id"), k.get("attr.type"))
            for k in root.findall("g:key", NS)}, root


def test_round_trip_institution_network(tmp_path):
    """The hand-made institution network (5 nodes, 5 edges) reads back with networkx with the
    same nodes, edges, labels and weights; I3's name loses only its control character."""
    g = coauthorship_network(build_tables(hand_records()), "institution", counting="fractional")
    p = write_graphml(g, tmp_path / "inst.graphml")
    h = nx.read_graphml(p)
    assert (h.number_of_nodes(), h.number_of_edges()) == (5, 5)
    assert not h.is_directed()
    assert h.nodes["I3"]["label"] == "Lab & <Co> Ltd"
    assert h.nodes["I1"]["label"] == "University of Tokyo"
    assert h.edges["I1", "I3"]["weight"] == pytest.approx(0.75)
    assert h.edges["I1", "I3"]["works"] == 1
    assert "country_code" not in h.nodes["I3"]
    text = p.read_text(encoding="utf-8")
    assert "&amp;" in text and "&lt;Co&gt;" in text and "\x07" not in text
    assert "None" not in text and ">nan<" not in text.lower()


def test_keys_are_named_typed_and_gephi_safe(tmp_path):
    """Key ids are n_<attr>/e_<attr> (never d3 or d7, which Gephi reads as labels), each
    attribute has one type, and the graph says edgedefault="undirected"."""
    g = coauthorship_network(build_tables(hand_records()), "institution")
    k, root = keys(write_graphml(g, tmp_path / "g.graphml"))
    ids = {v[0] for v in k.values()}
    assert not ids & {"d3", "d7"}
    assert k[("node", "label")] == ("n_label", "string")
    assert k[("node", "works")] == ("n_works", "long")
    assert k[("node", "share")] == ("n_share", "double")
    assert k[("edge", "weight")] == ("e_weight", "double")
    assert k[("edge", "works")] == ("e_works", "long")
    assert root.find("g:graph", NS).get("edgedefault") == "undirected"
    allowed = {"boolean", "int", "long", "float", "double", "string"}
    assert {v[1] for v in k.values()} <= allowed


def test_missing_and_mixed_values(tmp_path):
    """None and NaN are omitted (not written as 'None'/'nan'); an attribute holding ints and
    floats gets one double key; booleans are true/false; a node id with a control char is
    cleaned."""
    g = nx.Graph()
    g.add_node("a\x01b", label="x", score=1, flag=True, note=None)
    g.add_node("c", label="y", score=2.5, flag=False, note=float("nan"))
    g.add_edge("a\x01b", "c", weight=2)
    p = write_graphml(g, tmp_path / "m.graphml")
    k, _ = keys(p)
    assert k[("node", "score")][1] == "double"
    assert ("node", "note") not in k
    h = nx.read_graphml(p)
    assert sorted(h.nodes) == ["ab", "c"]
    assert h.nodes["ab"]["flag"] is True and h.nodes["c"]["flag"] is False
    assert h.nodes["ab"]["score"] == 1.0
    assert not any(isinstance(v, float) and math.isnan(v) for _, d in h.nodes(data=True)
                   for v in d.values())


def test_real_records_round_trip(shared_works, tmp_path):
    """The institution network of all real records survives the round trip with the same
    node and edge counts (OpenAlex names hold '&', '<' and control characters)."""
    tables, _ = read_tables(shared_works)
    g = coauthorship_network(tables, "institution")
    h = nx.read_graphml(write_graphml(g, tmp_path / "real.graphml"))
    assert (h.number_of_nodes(), h.number_of_edges()) == (g.number_of_nodes(),
                                                          g.number_of_edges())
    assert g.number_of_nodes() > 1000
