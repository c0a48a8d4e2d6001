"""GraphML and GEXF writers: networkx, igraph and graphology read back the network in memory
(its metadata added to every node and edge), the files are valid against the published
schemas, adversarial text survives, and the dynamic GEXF holds each year's own network."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import tracemalloc
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from records import hand_records

import collabnet as cn
from collabnet.errors import InputError
from collabnet.export import values
from collabnet.export.gexf import GEXF_NS, VIZ_NS, write_gexf
from collabnet.export.graphml import (
    GRAPHML_NS,
    ORIGINAL_ID,
    column_kinds,
    write_graphml,
)
from collabnet.export.network_files import write_network

SCHEMAS = Path(__file__).resolve().parents[2] / "shared" / "schemas"
GRAPHML_XSD = SCHEMAS / "graphml-1.0" / "graphml.xsd"
GEXF_XSD = SCHEMAS / "gexf-1.3" / "gexf.xsd"
JS = Path(__file__).resolve().parent / "js"
G, X, V = f"{{{GRAPHML_NS}}}", f"{{{GEXF_NS}}}", f"{{{VIZ_NS}}}"


# ---------------------------------------------------------------- graphs and expectations

def hand_network(level="institution", **kw) -> nx.Graph:
    return cn.network(cn.build_tables(hand_records()), level, **kw)


def adversarial() -> nx.Graph:
    """Markup, quotes, emoji, control characters, lone surrogates and a 100 000-character
    label in node ids, labels and attribute names; numpy and pandas values; missing ones."""
    g = nx.Graph(level="institution", counting="full", years="2019-2021", synthetic=True)
    ids = ["I 1", "A&B", "<x>", 'q"uote', "it's", "emoji😀", "ctrl\x07id", "surr\ud800id",
           "plain", 42]
    for i, n in enumerate(ids):
        g.add_node(n, label=f"{n} & <Co> \"'\x01\ud800 😀", works=np.int64(i),
                   share=np.float64(i / 10), flag=np.bool_(i % 2 == 0),
                   **{"x y": i, "x_y": -i, "a&b<c>\"'": "v&<>", "ünï": "ü", "😀": "e",
                      "ctrl\x02name": "c", "tab\tname": "t\tx\ny\rz"})
    g.nodes["plain"]["label"] = "L" * 100_000
    g.nodes["plain"].update(note=None, gap=float("nan"), na=pd.NA, tags=["a", 1])
    g.nodes[42].update(works=np.int64(7), mixed=1)
    g.nodes["A&B"]["mixed"] = 2.5
    for u, v, w in (("I 1", "A&B", 1.5), ("A&B", "<x>", 2), ("emoji😀", "plain", 0.25),
                    ("it's", 42, np.float64(3.0)), ('q"uote', "plain", 0)):
        g.add_edge(u, v, weight=w, works=1, flag=np.bool_(True), note="e&<>")
    return g


def expected(g: nx.Graph):
    """``({node: attributes}, {frozenset(ends): attributes})`` as every reader should give
    them back, by the shared value rules (metadata added, missing left out, plain values,
    XML-safe names and text); nodes are named by their XML-safe id."""
    ntypes, nrows = values.node_columns(g)
    etypes, erows, _ = values.edge_columns(g)

    def clean(d, types):
        return {values.xml_safe(str(k)): values.plain(v, types[str(k)]) for k, v in d.items()
                if str(k) in types and not values.is_missing(v)}

    key = lambda n: values.xml_safe(str(n))  # noqa: E731
    return ({key(n): clean(d, ntypes) for n, d in nrows},
            {frozenset((key(u), key(v))): clean(d, etypes) for u, v, d in erows})


def by_original(nodes: dict) -> tuple[dict, dict]:
    """``({original id: attributes}, {written id: original id})`` of nodes read back from
    GraphML, where ``original_id`` (if written) holds each node's own id."""
    to_orig = {n: d.get(ORIGINAL_ID, n) for n, d in nodes.items()}
    return ({to_orig[n]: {k: v for k, v in d.items() if k != ORIGINAL_ID}
             for n, d in nodes.items()}, to_orig)


def nx_graphml(path) -> tuple[dict, dict]:
    h = nx.read_graphml(path)
    assert not h.is_directed()
    nodes, orig = by_original(dict(h.nodes(data=True)))
    return nodes, {frozenset((orig[u], orig[v])): d for u, v, d in h.edges(data=True)}


def nx_gexf(path) -> tuple[dict, dict]:
    """Nodes and edges of networkx's read_gexf, the viz elements turned back into the
    attributes they came from (``label`` None, networkx's mark of no label, dropped)."""
    h = nx.read_gexf(path)
    nodes = {}
    for n, d in h.nodes(data=True):
        d = {k: v for k, v in d.items() if k != "label" or v is not None}
        v = d.pop("viz", {})
        d.update({c: v["position"][c] for c in "xy" if "position" in v})
        d.update({"size": v["size"]} if "size" in v else {})
        if "color" in v:
            d["color"] = "#{r:02x}{g:02x}{b:02x}".format(**v["color"])
        nodes[n] = d
    return nodes, {frozenset((u, v)): d for u, v, d in h.edges(data=True)}


# ------------------------------------------------------------------------------- schemas

@pytest.fixture(scope="module")
def schemas():
    missing = [str(p) for p in (GRAPHML_XSD, GEXF_XSD) if not p.is_file()]
    if missing:
        pytest.skip(f"the shared XML schemas are not here: {', '.join(missing)}")
    import xmlschema

    return {"graphml": xmlschema.XMLSchema10(str(GRAPHML_XSD)),
            "gexf": xmlschema.XMLSchema10(str(GEXF_XSD))}


def graphml_errors(schemas, path, names_ok=False) -> list[str]:
    """Schema errors of a GraphML file; with ``names_ok``, leaving out the ``attr.name``
    values that are no ``xs:NMTOKEN`` (the schema's type; every reader takes any name)."""
    out = []
    for e in schemas["graphml"].iter_errors(str(path)):
        if names_ok and e.elem is not None and e.elem.tag == G + "key" and "attr.name" in str(e):
            continue
        out.append(f"{e.path}: {e.reason}")
    return out


def gexf_errors(schemas, path) -> list[str]:
    """Schema errors of a GEXF file. The 1.3 schema (as published) puts ``color``,
    ``position`` and ``size`` in the GEXF namespace, while the GEXF 1.3 primer, Gephi,
    networkx and graphology use the viz namespace: viz elements are checked here against
    viz.xsd's types by hand, the rest against the schema."""
    tree = ET.parse(path)
    out = []
    for parent in tree.iter():
        for child in list(parent):
            if not child.tag.startswith(V):
                continue
            if not _viz_ok(child.tag[len(V):], {k: float(x) for k, x in child.attrib.items()}):
                out.append(f"bad {child.tag} {child.attrib}")
            parent.remove(child)
    out += [f"{e.path}: {e.reason}" for e in schemas["gexf"].iter_errors(tree)]
    return out


def _viz_ok(tag: str, a: dict[str, float]) -> bool:
    """viz.xsd's types: channels 0-255 integers, alpha 0-1, size >= 0, x/y/z floats."""
    if tag == "color":
        return all(0 <= a[c] <= 255 and a[c] == int(a[c]) for c in "rgb") \
            and 0 <= a.get("a", 1) <= 1
    if tag == "size":
        return a["value"] >= 0
    return tag == "position" and all(math.isfinite(a[c]) for c in "xyz")


# -------------------------------------------------------------------- graphology reader

@pytest.fixture(scope="module")
def graphology():
    """A function reading a file with graphology (tests/js/read.mjs); ``npm install`` runs
    once per test session."""
    if not (shutil.which("node") and shutil.which("npm")):
        pytest.skip("node and npm are needed to read the files with graphology")
    try:  # npm needs the registry the first time only
        done = subprocess.run(["npm", "install", "--no-audit", "--no-fund"], cwd=JS,
                              capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"npm install in {JS} failed: {exc}")
    if done.returncode != 0:
        pytest.skip(f"npm install in {JS} failed: {done.stderr.strip()[-500:]}")

    def read(path, *, strict=False):
        args = ["node", str(JS / "read.mjs"), str(path)] + (["--strict"] if strict else [])
        out = subprocess.run(args, capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout)
    return read


# --------------------------------------------------------------------------------- tests

def test_graphml_reads_back_with_networkx_and_igraph(tmp_path, schemas):
    """The hand-made institution network, fractional counting: every node and edge, with
    every value, type and the metadata (level, counting, collaboration_rule), as networkx
    and igraph read it; graph-level data too; the file is schema-valid."""
    import igraph

    g = hand_network(counting="fractional")
    p = write_graphml(g, tmp_path / "inst.graphml")
    assert graphml_errors(schemas, p) == []
    nodes, edges = expected(g)
    assert nodes["I3"]["label"] == "Lab & <Co> Ltd" and nodes["I3"]["counting"] == "fractional"
    assert nx_graphml(p) == (nodes, edges)
    read_meta = nx.read_graphml(p).graph
    assert {k: read_meta[k] for k in values.graph_meta(g)} == values.graph_meta(g)
    h = igraph.Graph.Read_GraphML(str(p))
    assert (h.vcount(), h.ecount(), h.is_directed()) == (len(nodes), len(edges), False)
    assert h["counting"] == "fractional"
    for v in h.vs:
        for k, want in nodes[v["id"]].items():
            assert v[k] == (float(want) if type(want) is int else want), (v["id"], k)
    for e in h.es:
        want = edges[frozenset((h.vs[e.source]["id"], h.vs[e.target]["id"]))]
        assert {k: e[k] for k in want} == pytest.approx(want)


def test_graphml_key_ids_are_unique_and_name_tokens(tmp_path, schemas):
    """"x y" and "x_y" are two columns with two key ids (the clean name keeps n_x_y), and
    so are the non-ASCII names; no id is d0…dN; every node id is an XML name token, the
    original ids in original_id; igraph accepts the file."""
    import igraph

    g = adversarial()
    p = write_graphml(g, tmp_path / "adv.graphml")
    root = ET.parse(p).getroot()
    keys = {(k.get("for"), k.get("attr.name")): k.get("id") for k in root.iter(G + "key")}
    assert len(set(keys.values())) == len(keys)
    assert keys["node", "x_y"] == "n_x_y" and keys["node", "x y"] == "n_x_y_2"
    assert {("node", "ünï"), ("node", "😀"), ("node", "ctrlname")} <= set(keys)
    assert not any(k[1:].isdigit() for k in keys.values())
    assert graphml_errors(schemas, p, names_ok=True) == []
    h = igraph.Graph.Read_GraphML(str(p))
    assert {"x y", "x_y", "ünï", "😀"} <= set(h.vs.attributes())
    assert sorted(h.vs["original_id"]) == sorted(values.xml_safe(str(n)) for n in g)


def test_adversarial_text_and_values_read_back(tmp_path):
    """Names and text with & < > " ', emoji, tabs and newlines come back as written (minus
    what XML cannot hold); numpy values are plain, None/NaN/pd.NA are left out, lists are
    joined with ';', ints and floats in one column are doubles, weight-0 edges are gone."""
    g = adversarial()
    p = write_graphml(g, tmp_path / "adv.graphml")
    text = p.read_text(encoding="utf-8")
    assert ">nan<" not in text.lower() and "None" not in text and "\x07" not in text
    nodes, edges = expected(g)
    got_nodes, got_edges = nx_graphml(p)
    assert got_nodes == nodes and got_edges == edges
    assert len(edges) == 4 and frozenset(('q"uote', "plain")) not in edges
    plain, answer = nodes["plain"], nodes["42"]
    assert plain["label"] == "L" * 100_000 and plain["tags"] == "a;1"
    assert not {"note", "gap", "na"} & set(plain)
    assert answer["mixed"] == 1.0 and type(answer["mixed"]) is float
    assert nodes["surrid"]["label"] == "surrid & <Co> \"' 😀"
    assert nodes["A&B"]["tab\tname"] == "t\tx\ny\rz" and nodes["A&B"]["flag"] is False
    assert nodes["I 1"]["flag"] is True and nodes["I 1"]["x y"] == 0


def test_node_id_collisions_get_suffixes(tmp_path):
    """Ids equal once cleaned ("a b", "a_b", "a&b") stay three nodes: the clean one keeps
    its id, the others get _2, _3; original_id keeps each one's own id."""
    g = nx.Graph()
    g.add_edge("a b", "a_b", weight=1)
    g.add_edge("a_b", "a&b", weight=2)
    p = write_graphml(g, tmp_path / "c.graphml")
    h = nx.read_graphml(p)
    assert sorted(h.nodes) == ["a_b", "a_b_2", "a_b_3"]
    assert h.nodes["a_b"][ORIGINAL_ID] == "a_b"
    assert {d[ORIGINAL_ID] for _, d in h.nodes(data=True)} == {"a b", "a_b", "a&b"}
    assert h.number_of_edges() == 2


def test_gexf_reads_back_with_networkx(tmp_path, schemas):
    """The hand-made country network: labels, typed columns (numeric ids, names as titles),
    weights, metadata; static mode, undirected; schema-valid."""
    g = hand_network("country")
    p = write_gexf(g, tmp_path / "countries.gexf")
    assert gexf_errors(schemas, p) == []
    graph = ET.parse(p).getroot().find(X + "graph")
    assert (graph.get("mode"), graph.get("defaultedgetype")) == ("static", "undirected")
    assert {a.get("id") for a in graph.iter(X + "attribute")} <= {str(i) for i in range(20)}
    assert nx_gexf(p) == expected(g)


def test_gexf_adversarial_viz_and_types(tmp_path, schemas):
    """Adversarial names and values (as in GraphML, node ids kept as they are), numpy
    booleans as boolean columns, x/y/size/color as viz elements only; a color column that
    holds other text stays a column; schema-valid but for the schema's viz bug."""
    g = adversarial()
    for i, n in enumerate(g):
        g.nodes[n].update(x=float(i), y=-2.5 * i, size=i + 1, color=f"#{i:02x}80ff")
    p = write_gexf(g, tmp_path / "adv.gexf")
    assert gexf_errors(schemas, p) == []
    nodes, edges = expected(g)
    got_nodes, got_edges = nx_gexf(p)
    assert got_nodes == nodes and got_edges == edges
    titles = {a.get("title"): a.get("type") for a in ET.parse(p).iter(X + "attribute")}
    assert titles["flag"] == "boolean" and titles["works"] == "long"
    assert not {"x", "y", "size", "color"} & set(titles) and {"x y", "x_y", "😀"} <= set(titles)
    g.nodes["plain"]["color"] = "teal"
    h = nx.read_gexf(write_gexf(g, tmp_path / "teal.gexf"))
    assert h.nodes["plain"]["color"] == "teal" and "color" not in h.nodes["plain"]["viz"]


def dynamic_network(level: str) -> tuple[nx.Graph, dict[int, nx.Graph]]:
    """The whole network, each node and edge with ``by_year`` from that year's own network
    (``network(tables.select(years=(y, y)))``)."""
    tables = cn.build_tables(hand_records())
    g = cn.network(tables, level)
    years = {y: cn.network(tables.select(years=(y, y)), level) for y in (2019, 2020, 2021)}
    for y, gy in years.items():
        for n, d in gy.nodes(data=True):
            g.nodes[n].setdefault("by_year", {})[y] = {k: d[k] for k in ("works", "share")
                                                       if k in d}
        for u, v, d in gy.edges(data=True):
            g.edges[u, v].setdefault("by_year", {})[y] = {"weight": d["weight"],
                                                         "works": d["works"]}
    return g, years


def _spell_years(el) -> set[int]:
    out = set()
    for s in el.iter(X + "spell"):
        a, b = float(s.get("start")), float(s.get("end"))
        assert a == int(a) and b == int(b) and a <= b
        out |= set(range(int(a), int(b) + 1))
    return out


@pytest.mark.parametrize("level", ["country", "institution"])
def test_dynamic_gexf_holds_each_years_network(tmp_path, schemas, level):
    """Spells cover exactly the years a node or edge is in that year's network (runs of
    years merged: JP 2019-2021 is one spell), each per-year value is that year's, the static
    totals are the whole network's; mode="dynamic", timeformat="double"."""
    g, years = dynamic_network(level)
    p = write_gexf(g, tmp_path / "dyn.gexf")
    assert gexf_errors(schemas, p) == []
    root = ET.parse(p).getroot()
    graph = root.find(X + "graph")
    assert (graph.get("mode"), graph.get("timeformat")) == ("dynamic", "double")
    ids = {(b.get("class"), a.get("title")): a.get("id")
           for b in graph.iter(X + "attributes") if b.get("mode") == "dynamic"
           for a in b.iter(X + "attribute")}
    assert ids["edge", "weight_by_year"] == "weight"
    for el in graph.iter(X + "node"):
        n = el.get("id")
        assert _spell_years(el) == {y for y, gy in years.items() if n in gy}
        for name in ("works", "share"):
            kid = ids["node", name + "_by_year"]
            got = {int(float(a.get("start"))): float(a.get("value"))
                   for a in el.iter(X + "attvalue") if a.get("for") == kid}
            assert got == {y: gy.nodes[n][name] for y, gy in years.items()
                           if n in gy and not values.is_missing(gy.nodes[n].get(name))}
    for el in graph.iter(X + "edge"):
        u, v = el.get("source"), el.get("target")
        in_year = {y: gy.edges[u, v] for y, gy in years.items() if gy.has_edge(u, v)}
        assert _spell_years(el) == set(in_year)
        got = {int(float(a.get("start"))): float(a.get("value"))
               for a in el.iter(X + "attvalue") if a.get("for") == "weight"}
        assert got == {y: d["weight"] for y, d in in_year.items()}
        assert float(el.get("weight")) == g.edges[u, v]["weight"]
    if level == "country":
        jp = graph.find(f"{X}nodes/{X}node[@id='JP']")
        assert [(s.get("start"), s.get("end")) for s in jp.iter(X + "spell")] == [("2019", "2021")]
    h = nx.read_gexf(p)
    for n, d in h.nodes(data=True):
        assert d["works"] == g.nodes[n]["works"]
        assert d["works_by_year"] == [(gy.nodes[n]["works"], float(y), float(y))
                                      for y, gy in years.items() if n in gy]
    assert {n: {k: v for k, v in d.items() if not k.endswith("_by_year") and k != "spells"}
            for n, d in h.nodes(data=True)} == expected(g)[0]


def test_a_graph_without_by_year_is_static_and_bad_years_are_refused(tmp_path):
    """No by_year: mode="static", no spells; a by_year key that is no year: an error before
    anything is written."""
    g = hand_network("country")
    root = ET.parse(write_gexf(g, tmp_path / "s.gexf")).getroot()
    assert root.find(X + "graph").get("mode") == "static"
    assert not list(root.iter(X + "spell"))
    g.nodes["JP"]["by_year"] = {"last year": {"works": 1}}
    with pytest.raises(InputError, match="not a year"):
        write_gexf(g, tmp_path / "bad.gexf")
    assert not (tmp_path / "bad.gexf").exists()


@pytest.mark.parametrize("writer,suffix", [(write_graphml, "graphml"), (write_gexf, "gexf")])
def test_empty_and_one_node_networks(tmp_path, schemas, writer, suffix):
    errors, read = ((graphml_errors, nx.read_graphml) if suffix == "graphml"
                    else (gexf_errors, nx.read_gexf))
    empty = writer(nx.Graph(), tmp_path / f"empty.{suffix}")
    assert errors(schemas, empty) == [] and read(empty).number_of_nodes() == 0
    one = nx.Graph(level="country")
    one.add_node("JP", label="Japan", works=1)
    p = writer(one, tmp_path / f"one.{suffix}")
    assert errors(schemas, p) == []
    h = read(p)
    assert list(h.nodes) == ["JP"] and h.number_of_edges() == 0
    assert h.nodes["JP"]["label"] == "Japan" and h.nodes["JP"]["level"] == "country"


@pytest.mark.parametrize("writer,suffix", [(write_graphml, "graphml"), (write_gexf, "gexf")])
def test_weight_zero_edges_are_not_written(tmp_path, writer, suffix):
    """Fractional counting: an edge of weight 0 (and one of weight NaN) is left out, and
    edge columns come only from the edges written."""
    g = hand_network("country", counting="fractional")
    g.add_edge("DE", "FR", weight=0.0, works=0, only_here="x")
    g.add_edge("DE", "JP", weight=float("nan"))
    read = nx.read_graphml if suffix == "graphml" else nx.read_gexf
    h = read(writer(g, tmp_path / f"w.{suffix}"))
    assert h.number_of_edges() == g.number_of_edges() - 2
    assert not h.has_edge("DE", "FR") and not h.has_edge("DE", "JP")
    assert "only_here" not in (tmp_path / f"w.{suffix}").read_text()


def test_graphology_reads_both_formats(tmp_path, graphology):
    """graphology (Gephi Lite's library) reads the adversarial network from GraphML and
    GEXF with every node, edge and value (its parsers in strict mode); the dynamic GEXF too,
    with Gephi Lite's options, its static columns typed."""
    g = adversarial()
    for i, n in enumerate(g):
        g.nodes[n].update(x=float(i), y=2.0 * i, size=i + 1.5, color=f"#{i:02x}{i:02x}ff")
    nodes, edges = expected(g)
    for suffix in ("graphml", "gexf"):
        writer = write_graphml if suffix == "graphml" else write_gexf
        out = graphology(writer(g, tmp_path / f"adv.{suffix}"), strict=True)
        assert (out["order"], out["size"], out["type"]) == (len(nodes), len(edges), "undirected")
        got, orig = by_original({n["key"]: n["attributes"] for n in out["nodes"]})
        if suffix == "gexf":
            for d in got.values():
                r, gg, b = (int(c) for c in d.pop("color")[4:-1].split(","))
                d["color"] = f"#{r:02x}{gg:02x}{b:02x}"
                assert d.pop("z") == 0
        assert got == nodes
        assert {frozenset((orig[e["source"]], orig[e["target"]])): e["attributes"]
                for e in out["edges"]} == edges
    dyn, _ = dynamic_network("institution")
    out = graphology(write_gexf(dyn, tmp_path / "dyn.gexf"))
    assert (out["order"], out["size"]) == (dyn.number_of_nodes(), dyn.number_of_edges())
    for n in out["nodes"]:
        assert n["attributes"]["works"] == dyn.nodes[n["key"]]["works"]
        assert n["attributes"]["counting"] == "full"


@pytest.mark.parametrize("writer", [write_graphml, write_gexf])
def test_writes_are_atomic_streamed_and_dash_is_stdout(tmp_path, capfd, writer):
    """A write that fails half-way leaves the previous file and no temporary one; "-" writes
    to standard output; write_network dispatches to both; memory does not grow with the
    number of edges (the file is streamed)."""
    out = tmp_path / "net.xml"
    out.write_text("old")

    class Boom:
        def __str__(self):
            raise RuntimeError("boom")

    g = nx.path_graph(50)
    nx.set_edge_attributes(g, 1.0, "weight")
    g.nodes[49]["bad"] = Boom()
    with pytest.raises(RuntimeError, match="boom"):
        writer(g, out)
    assert out.read_text() == "old" and sorted(q.name for q in tmp_path.iterdir()) == ["net.xml"]
    writer(hand_network("country"), "-")
    text = capfd.readouterr().out
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>') and "Japan" in text
    peaks = []
    for m in (8_000, 32_000):  # four times the edges, about the same memory
        big = nx.gnm_random_graph(2000, m, seed=3)
        nx.set_node_attributes(big, {n: f"node {n} & co" for n in big}, "label")
        nx.set_edge_attributes(big, 1.5, "weight")
        tracemalloc.start()
        try:
            writer(big, tmp_path / "big.xml", progress=False)
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
    assert peaks[1] < 1.25 * peaks[0] + 2**18 and peaks[1] < 4 * 2**20, peaks
    suffix = "graphml" if writer is write_graphml else "gexf"
    files = write_network(hand_network("country"), tmp_path / f"c.{suffix}")
    assert [f.name for f in files] == [f"c.{suffix}", "c_meta.json"]


def test_fast_column_rules_equal_the_shared_ones():
    """column_kinds (with metadata, from one value per attribute and type) gives what
    values.column_types and values.with_meta give over every value; weighted_edges keeps
    exactly the edges of positive or no weight."""
    rows = [{"a": 1, "b": None, "c": np.float64("nan"), "d": [1, [2]], 3: "x"},
            {"a": 2.5, "b": np.bool_(True), "c": np.int64(2), "d": (1, 2), "e": pd.NA},
            {"a": np.float32(1), "b": False, "f": {"2019": 1}, "g": "s", 3: 4},
            {"g": True, "h": float("nan"), "i": np.uint8(3), "j": math.inf}]
    meta = {"level": "country", "synthetic": True}
    assert column_kinds(rows) == values.column_types(rows)
    assert column_kinds(rows, meta) == values.column_types(
        values.with_meta(r, meta) for r in rows)
    g = nx.MultiGraph()
    for i, w in enumerate([1, 0, -1, 2.5, float("nan"), None, np.float64(0), np.int64(3),
                           True, pd.NA]):
        g.add_edge(i, i + 1, **({} if w is None else {"weight": w}))
    kept = [d.get("weight") for _, _, d in values.weighted_edges(g)]
    assert [w for w in kept if w is not None] == [1, 2.5, np.int64(3), True]
    assert kept.count(None) == 1
