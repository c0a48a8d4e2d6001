"""Node-link JSON, CSV and Parquet pairs, Pajek, VOSviewer files: each read back by a reader
that is not ours (networkx, pandas, pyarrow, igraph) with the counts, values and types of the
graph in memory, hostile names cleaned exactly as documented, and no half-written file."""

from __future__ import annotations

import html
import json
import math
import re
import time

import igraph
import networkx as nx
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from records import hand_records

import collabnet as cn
from collabnet.errors import InputError
from collabnet.export import nodelink, pajek, spreadsheet, vosviewer
from collabnet.export.network_files import FORMATS, meta_path, write_network
from collabnet.export.values import (
    column_types,
    edge_columns,
    is_missing,
    kind_of,
    node_columns,
    plain,
    xml_safe,
)

WRITERS = {
    "json": nodelink.write_node_link,
    "vosviewer-json": vosviewer.write_vosviewer_json,
    "csv": spreadsheet.write_csv_pair,
    "parquet": spreadsheet.write_parquet_pair,
    "pajek": pajek.write_pajek,
    "vos": vosviewer.write_vos,
}
SUFFIX = {"json": ".json", "vosviewer-json": ".json", "csv": ".csv", "parquet": ".parquet",
          "pajek": ".net", "vos": ".vos"}
NASTY = {
    "amp": 'Smith & Sons <Lab> "quoted" \'single\'',
    "comma": "Tokyo, Japan; east",
    "tab": "a\tb\nc\rd",
    "emoji": "Universität 😀 東京",
    "ctrl": "bell\x07 nul\x00 esc\x1b end",
    "surrogate": "lone \ud800 half \udfff",
    "long": "L" * 100_000,
    "backslash": "C:\\path\\",
    "blank": "   ",
}
LINE_BREAKS = re.compile("[\t\n\r\x85\u2028\u2029]")


def write(fmt, g, tmp_path, stem="net"):
    out = WRITERS[fmt](g, tmp_path / (stem + SUFFIX[fmt]))
    return out if isinstance(out, list) else [out]


@pytest.fixture
def inst():
    """The hand-made institution network, fractional, with metadata and a weight-0 edge."""
    g = cn.network(cn.build_tables(hand_records()), "institution", counting="fractional")
    g.graph.update(synthetic=True, years="2019-2021")
    assert not g.has_edge("I4", "I5")
    g.add_edge("I4", "I5", weight=0.0, works=1)
    return g


@pytest.fixture
def nasty():
    """Hostile labels and keys, numpy values, NaN, dicts, lists, clashing attribute names."""
    g = nx.Graph(level="institution", counting="full", synthetic=False)
    for i, (key, label) in enumerate(NASTY.items()):
        g.add_node(key, label=label, works=i + 1, share=i / 10, flag=np.bool_(i % 2),
                   count=np.int64(i), by_year={2020: i}, tags=["a", str(i)], id=f"own{i}",
                   Works=-i)
    g.nodes["tab"]["share"] = float("nan")
    g.add_node('key,with "quote"\t😀', label="", works=1, share=pd.NA)
    g.add_node(7, works=2)  # an integer key, no label
    keys = list(g)
    for a, b in zip(keys, keys[1:]):
        g.add_edge(a, b, weight=1.5, works=2, type="bilateral")
    g.add_edge("amp", "long", weight=0, works=1)
    g.add_edge("amp", "emoji", weight=float("nan"))
    g.add_edge("comma", "blank", works=3)  # no weight: Pajek's and VOSviewer's 1
    return g


def expected(g):
    """Node and edge attributes as the values module's own functions give them."""
    ntypes, nrows = node_columns(g)
    etypes, erows, _ = edge_columns(g)

    def values(d, types):
        return {str(k): plain(v, types[str(k)]) for k, v in d.items()
                if str(k) in types and not is_missing(v) and kind_of(v) is not None}

    return ({n: values(d, ntypes) for n, d in nrows},
            {frozenset((u, v)): values(d, etypes) for u, v, d in erows})


def frame(df: pd.DataFrame) -> list[dict]:
    return [{k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()}
            for r in df.astype(object).to_dict("records")]


def read_csv(path, **kw):
    return pd.read_csv(path, keep_default_na=False, na_values=[""], encoding="utf-8", **kw)


def _reference_types(items):
    """The column-type rule written out the slow way, value by value (the oracle)."""
    kinds = {}
    for d in items:
        for k, v in d.items():
            if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
                continue
            if isinstance(v, (dict, set)) or (isinstance(v, (list, tuple))
                                              and any(isinstance(x, (dict, list)) for x in v)):
                continue
            kind = ("boolean" if isinstance(v, (bool, np.bool_)) else
                    "long" if isinstance(v, (int, np.integer)) else
                    "double" if isinstance(v, (float, np.floating)) else "string")
            kinds.setdefault(str(k), set()).add(kind)
    return {k: (next(iter(ks)) if len(ks) == 1 else
                "double" if ks <= {"long", "double"} else "string") for k, ks in kinds.items()}


def test_fast_tables_give_the_values_modules_answers(inst, nasty):
    """node_table/edge_table (the fast path) = values.node_columns/edge_columns: types and
    cleaned values, on a collabnet network and on hostile values."""
    mixed = [{"a": 1}, {"a": 2.5}, {"b": np.float64("nan"), "c": pd.NA, "d": None},
             {"b": np.int64(3), "e": np.bool_(True), "f": {"x": 1}, "g": [1, 2]},
             {"e": True, "h": "x", "h2": 1}, {"h2": "y", "i": [{"n": 1}], 5: 1.0}]
    assert column_types(mixed) == _reference_types(mixed)
    for g in (inst, nasty):
        nodes = nodelink.node_table(g)
        edges, dropped = nodelink.edge_table(g)
        ntypes, _ = node_columns(g)
        etypes, _, edropped = edge_columns(g)
        assert (nodes.types, edges.types, dropped) == (ntypes, etypes, edropped)
        want_n, want_e = expected(g)
        assert {n: nodes.cells(d) for n, d in nodes.rows} == want_n
        assert {frozenset((u, v)): edges.cells(d) for u, v, d in edges.rows} == want_e


def test_node_link_reads_back_in_networkx(inst, tmp_path):
    (p,) = write("json", inst, tmp_path)
    data = json.loads(p.read_text(encoding="utf-8"))
    assert list(data) == ["directed", "multigraph", "graph", "nodes", "links"]
    h = nx.node_link_graph(data, edges="links")
    want_n, want_e = expected(inst)
    assert (h.number_of_nodes(), h.number_of_edges()) == (5, 5)  # the weight-0 edge is out
    assert not h.has_edge("I4", "I5")
    assert dict(h.nodes(data=True)) == want_n
    assert {frozenset((u, v)): d for u, v, d in h.edges(data=True)} == want_e
    assert h.graph == {"level": "institution", "counting": "fractional",
                       "collaboration_rule": "countries", "synthetic": True,
                       "years": "2019-2021"}
    assert all(d["level"] == "institution" and d["synthetic"] is True
               and d["counting"] == "fractional" for _, d in h.nodes(data=True))
    assert all(d["years"] == "2019-2021" for *_, d in h.edges(data=True))
    assert type(h.nodes["I1"]["works"]) is int and type(h.nodes["I1"]["share"]) is float
    assert "NaN" not in p.read_text(encoding="utf-8")
    assert len(p.read_text(encoding="utf-8").splitlines()) == 1 + 5 + 1 + 5 + 1  # a record a line


def test_node_link_hostile_values(nasty, tmp_path):
    """Labels keep everything but the characters XML forbids; dicts, NaN and pd.NA are left
    out; lists are joined; numpy values are plain; the int key stays an int; clashing
    attribute names get _2."""
    (p,) = write("json", nasty, tmp_path)
    h = nx.node_link_graph(json.load(open(p, encoding="utf-8")), edges="links")
    want_n, _ = expected(nasty)
    assert set(h) == {xml_safe(str(n)) if isinstance(n, str) else n for n in nasty}
    for n in nasty:
        got = h.nodes[xml_safe(n) if isinstance(n, str) else n]
        want = dict(want_n[n])
        if "id" in want:
            want["id_2"] = want.pop("id")
        assert got == want
    assert h.nodes["tab"]["label"] == "a\tb\nc\rd"
    assert h.nodes["ctrl"]["label"] == "bell nul esc end"
    assert h.nodes["surrogate"]["label"] == "lone  half "
    assert h.nodes["long"]["label"] == "L" * 100_000
    assert h.nodes["amp"]["tags"] == "a;0" and h.nodes["emoji"]["flag"] is True
    assert "share" not in h.nodes["tab"] and "by_year" not in h.nodes["amp"]
    assert h.number_of_edges() == nasty.number_of_edges() - 2  # weight 0 and NaN


def test_csv_pair_follows_gephis_spreadsheet_conventions(inst, tmp_path):
    nodes_p, edges_p = write("csv", inst, tmp_path)
    assert (nodes_p.name, edges_p.name) == ("net_nodes.csv", "net_edges.csv")
    nodes_text = nodes_p.read_bytes().decode("utf-8")
    assert not nodes_text.startswith("\ufeff")
    assert nodes_text.split("\r\n")[0].split(",")[:2] == ["id", "label"]
    assert edges_p.read_text(encoding="utf-8").split("\n")[0].split(",")[:4] == \
        ["source", "target", "weight", "type"]
    nodes, edges = read_csv(nodes_p), read_csv(edges_p)
    for df, reserved in ((nodes, {"source", "target"}), (edges, {"kind"})):
        headers = [c.strip().lower() for c in df.columns]
        assert len(set(headers)) == len(headers) and not reserved & set(headers)
    want_n, want_e = expected(inst)
    assert len(nodes) == 5 and len(edges) == 5
    assert {r.pop("id"): r for r in frame(nodes)} == \
        {n: {k: d.get(k) for k in nodes.columns if k != "id"} for n, d in want_n.items()}
    assert (edges["type"] == "Undirected").all()
    assert not ((edges["source"] == "I4") & (edges["target"] == "I5")).any()
    got_e = {frozenset((r.pop("source"), r.pop("target"))): r for r in frame(edges)}
    for key, d in want_e.items():
        assert got_e[key] == {"type": "Undirected", **d}
    assert str(nodes["works"].dtype) == "int64" and str(nodes["share"].dtype) == "float64"
    assert str(edges["weight"].dtype) == "float64" and nodes["synthetic"].dtype == bool
    assert set(nodes["level"]) == {"institution"} and set(edges["counting"]) == {"fractional"}
    assert ",true\r\n" in nodes_text or ",true," in nodes_text  # Gephi's boolean spelling
    # I3 has no country: an empty cell, not "nan" or "None"
    row = nodes_text.split("\r\n")[[r.split(",")[0] for r in nodes_text.split("\r\n")]
                                   .index("I3")]
    assert ",," in row and "nan" not in nodes_text.lower()


def test_csv_and_parquet_hostile_values(nasty, tmp_path):
    """Quotes, commas, tabs, newlines and emoji survive CSV and Parquet; clashing names are
    renamed; ids are text; the two formats hold the same table."""
    nodes_p, edges_p = write("csv", nasty, tmp_path)
    pnodes_p, pedges_p = write("parquet", nasty, tmp_path)
    csv_nodes = read_csv(nodes_p, dtype={"id": str, "label": str})
    par_nodes = pq.read_table(pnodes_p).to_pylist()
    assert list(csv_nodes.columns) == [f.name for f in pq.read_schema(pnodes_p)]
    assert list(csv_nodes.columns)[:2] == ["id", "label"]
    assert {"id_2", "Works_2", "works", "tags", "flag", "count"} <= set(csv_nodes.columns)
    assert "by_year" not in csv_nodes.columns
    want_n, _ = expected(nasty)
    by_id = {r["id"]: r for r in par_nodes}
    for n, want in want_n.items():
        row = by_id[xml_safe(str(n))]
        label = want.get("label")
        assert row["label"] == label  # Parquet keeps "", CSV reads it as missing
        assert row["works"] == want["works"] and row["id_2"] == want.get("id")
        assert row["Works_2"] == want.get("Works") and row["tags"] == want.get("tags")
    assert frame(csv_nodes) == [{k: (None if v == "" else v) for k, v in r.items()}
                                for r in par_nodes]
    assert by_id["tab"]["label"] == "a\tb\nc\rd" and by_id["long"]["label"] == "L" * 100_000
    assert by_id["surrogate"]["label"] == "lone  half " and by_id["7"]["label"] is None
    csv_edges = read_csv(edges_p, dtype={"source": str, "target": str})
    assert "type_2" in csv_edges.columns and set(csv_edges["type_2"].dropna()) == {"bilateral"}
    assert len(csv_edges) == len(pq.read_table(pedges_p)) == nasty.number_of_edges() - 2
    schema = pq.read_schema(pnodes_p)
    assert schema.field("flag").type == pa.bool_() and schema.field("count").type == pa.int64()
    assert schema.field("share").type == pa.float64() and schema.field("id").type == pa.string()


def test_parquet_pair_typed_with_nulls(inst, tmp_path):
    nodes_p, edges_p = write("parquet", inst, tmp_path)
    assert (nodes_p.name, edges_p.name) == ("net_nodes.parquet", "net_edges.parquet")
    nodes, edges = pq.read_table(nodes_p), pq.read_table(edges_p)
    want_n, want_e = expected(inst)
    assert {r.pop("id"): {k: v for k, v in r.items() if v is not None}
            for r in nodes.to_pylist()} == want_n
    assert {frozenset((r.pop("source"), r.pop("target"))):
            {k: v for k, v in r.items() if v is not None and k != "type"}
            for r in edges.to_pylist()} == want_e
    assert nodes.schema.field("works").type == pa.int64()
    assert nodes.schema.field("synthetic").type == pa.bool_()
    assert edges.schema.names[:4] == ["source", "target", "weight", "type"]
    g = nx.Graph([(1, 2, {"weight": 1.0})])
    n2, e2 = write("parquet", g, tmp_path, "ints")
    assert pq.read_schema(n2).field("id").type == pa.int64()
    assert pq.read_table(e2).to_pylist() == [
        {"source": 1, "target": 2, "weight": 1.0, "type": "Undirected"}]


def test_pajek_reads_back_in_igraph_and_networkx(inst, tmp_path):
    (p,) = write("pajek", inst, tmp_path)
    ig = igraph.Graph.Read_Pajek(str(p))
    assert (ig.vcount(), ig.ecount()) == (5, 5) and not ig.is_directed()
    labels = [inst.nodes[n]["label"] for n in inst]
    assert ig.vs["name"] == [xml_safe(x) for x in labels]
    order = list(inst)
    got = {frozenset((order[e.source], order[e.target])): e["weight"] for e in ig.es}
    assert got == {frozenset((u, v)): w for u, v, w in inst.edges(data="weight") if w > 0}
    h = nx.read_pajek(p)
    assert (h.number_of_nodes(), h.number_of_edges()) == (5, 5)
    assert sorted(w for *_, w in h.edges(data="weight")) == sorted(got.values())


def test_pajek_labels_cleaned_unique_and_never_empty(nasty, tmp_path):
    (p,) = write("pajek", nasty, tmp_path)
    ig = igraph.Graph.Read_Pajek(str(p))
    h = nx.read_pajek(p)
    n_edges = nasty.number_of_edges() - 2
    assert ig.vcount() == h.number_of_nodes() == nasty.number_of_nodes()
    assert ig.ecount() == h.number_of_edges() == n_edges
    names = ig.vs["name"]
    assert names == list(h) == pajek.pajek_labels(nasty)
    assert len(set(names)) == len(names) and all(x.strip() for x in names)
    by_key = dict(zip(nasty, names))
    assert by_key["amp"] == "Smith & Sons <Lab> 'quoted' 'single'"
    assert by_key["tab"] == "a b c d" and by_key["backslash"] == "C:/path/"
    assert by_key["emoji"] == "Universität 😀 東京" and by_key["long"] == "L" * 100_000
    assert by_key["blank"] == "blank" and by_key[7] == "7"  # no label: the key
    assert by_key['key,with "quote"\t😀'] == "key,with 'quote' 😀"
    assert sorted(ig.es["weight"]) == sorted([1.0] + [1.5] * (n_edges - 1))
    dup = nx.Graph([("I1", "I2")])
    nx.set_node_attributes(dup, "Same Name", "label")
    assert pajek.pajek_labels(dup) == ["Same Name", "Same Name [I2]"]


def test_vos_map_and_network_read_back_in_pandas(inst, tmp_path):
    map_p, net_p = write("vos", inst, tmp_path)
    assert (map_p.name, net_p.name) == ("net_map.txt", "net_network.txt")
    head = map_p.read_text(encoding="utf-8").split("\n")[0].split("\t")
    assert head == ["id", "label", "description", "url", "weight<Documents>", "weight<Links>",
                    "weight<Total link strength>", "weight<Fractional documents>",
                    "weight<International documents>", "score<International share>"]
    m = read_csv(map_p, sep="\t", dtype={"label": str, "description": str})
    net = pd.read_csv(net_p, sep="\t", header=None, names=["a", "b", "strength"])
    order = list(inst)
    assert m["id"].tolist() == list(range(1, 6)) and len(net) == 5
    assert [html.unescape(d) for d in m["description"]] == order
    assert m["label"].tolist() == [xml_safe(inst.nodes[n]["label"]) for n in order]
    assert m["url"].tolist() == [f"https://openalex.org/{n}" for n in order]
    assert m["weight<Documents>"].tolist() == [inst.nodes[n]["works"] for n in order]
    got = {frozenset((order[a - 1], order[b - 1])): w for a, b, w in net.itertuples(index=False)}
    want = {frozenset((u, v)): w for u, v, w in inst.edges(data="weight") if w > 0}
    assert got == want
    h = nx.Graph((u, v, {"weight": w}) for u, v, w in inst.edges(data="weight") if w > 0)
    assert m["weight<Links>"].tolist() == [h.degree(n) for n in order]
    assert m["weight<Total link strength>"].tolist() == \
        pytest.approx([h.degree(n, weight="weight") for n in order])
    assert m["score<International share>"].tolist() == [inst.nodes[n]["share"] for n in order]
    assert not net_p.read_text().startswith("id")  # no header


def test_vos_map_hostile_labels(nasty, tmp_path):
    map_p, net_p = write("vos", nasty, tmp_path)
    text = map_p.read_text(encoding="utf-8")
    lines = text.split("\n")
    assert len(lines) == nasty.number_of_nodes() + 2  # header, items, final newline
    assert all(line.count("\t") == lines[0].count("\t") for line in lines[:-1])
    m = read_csv(map_p, sep="\t", dtype={"label": str, "description": str})
    keys = [xml_safe(str(n)) for n in nasty]
    assert [html.unescape(d) for d in m["description"]] == [LINE_BREAKS.sub(" ", k)
                                                           for k in keys]
    for (n, d), label in zip(nasty.nodes(data=True), m["label"]):
        want = xml_safe(d.get("label", ""))
        want = LINE_BREAKS.sub(" ", want if want.strip() else xml_safe(str(n)))
        assert label == want
    assert '"Tokyo, Japan; east"' in text and '"Smith & Sons <Lab> ""quoted""' in text
    assert "url" not in m.columns  # no OpenAlex keys here
    assert "score<count>" in m.columns and "score<Works>" in m.columns
    net = pd.read_csv(net_p, sep="\t", header=None)
    assert len(net) == nasty.number_of_edges() - 2 and net.shape[1] == 3
    assert 1 in set(net[2])  # the edge without a weight


def test_vosviewer_json_structure(inst, nasty, tmp_path):
    g = inst.copy()
    for i, n in enumerate(g):
        g.nodes[n].update(x=float(i), y=float(-i), community=i % 2, betweenness=i / 4)
    (p,) = write("vosviewer-json", g, tmp_path)
    data = json.load(open(p, encoding="utf-8"))
    assert set(data) == {"network", "config", "info"}
    items, links = data["network"]["items"], data["network"]["links"]
    assert [it["id"] for it in items] == [1, 2, 3, 4, 5]
    ids = {it["id"] for it in items}
    assert all({lk["source_id"], lk["target_id"]} <= ids and lk["strength"] > 0
               for lk in links) and len(links) == 5
    for it, n in zip(items, g):
        d = g.nodes[n]
        assert it["label"] == xml_safe(d["label"]) and html.unescape(it["description"]) == n
        assert (it["x"], it["y"], it["cluster"]) == (d["x"], d["y"], d["community"] + 1)
        assert set(it["weights"]) == {"Documents", "Links", "Total link strength",
                                      "Fractional documents", "International documents"}
        assert all(isinstance(w, (int, float)) and w >= 0 for w in it["weights"].values())
        assert it["weights"]["Documents"] == d["works"]
        assert it["scores"] == {"International share": d["share"],
                                "betweenness": d["betweenness"]}
    assert data["config"]["terminology"]["items"] == "institutions"
    assert "counting: fractional" in data["info"]["description"]
    (q,) = write("vosviewer-json", nasty, tmp_path, "nasty")
    nitems = json.load(open(q, encoding="utf-8"))["network"]["items"]
    assert [it["label"] for it in nitems][:3] == [xml_safe(NASTY[k]) for k in
                                                  ("amp", "comma", "tab")]
    assert all("x" not in it and "cluster" not in it for it in nitems)


def test_vos_weights_only_when_every_node_has_them(tmp_path):
    g = nx.Graph()
    g.add_node("A1", works=2, share=0.5, community=1500)
    g.add_node("A2", share=float("nan"), weighted_degree=1.0, clustering=0.5, pagerank=0.5)
    g.add_edge("A1", "A2", weight=2)
    g.add_edge("A1", "A1", weight=5)  # a self-loop: VOSviewer ignores it
    items, links, cols = vosviewer.vos_network(g)
    assert cols["weights"] == ["Links", "Total link strength"] and not cols["cluster"]
    assert cols["scores"] == ["International share", "pagerank"]
    assert links == [(1, 2, 2)] and items[0]["weights"] == {"Links": 1, "Total link strength": 2}
    assert items[1]["scores"] == {"pagerank": 0.5} and items[1]["label"] == "A2"


@pytest.mark.parametrize("fmt", list(WRITERS))
def test_empty_and_one_node_networks(fmt, tmp_path):
    empty = nx.Graph(level="country", counting="full")
    one = nx.Graph(level="country", counting="full")
    one.add_node("JP", label="JP", works=1, share=0.0)
    for name, g in (("empty", empty), ("one", one)):
        paths = write(fmt, g, tmp_path, name)
        assert all(p.exists() for p in paths)
        n = g.number_of_nodes()
        if fmt == "json":
            h = nx.node_link_graph(json.load(open(paths[0])), edges="links")
            assert (h.number_of_nodes(), h.number_of_edges()) == (n, 0)
        elif fmt == "vosviewer-json":
            data = json.load(open(paths[0]))
            assert len(data["network"]["items"]) == n and data["network"]["links"] == []
        elif fmt == "csv":
            nodes, edges = read_csv(paths[0]), read_csv(paths[1])
            assert len(nodes) == n and len(edges) == 0
            assert list(edges.columns) == ["source", "target", "weight", "type"]
        elif fmt == "parquet":
            assert [pq.read_table(p).num_rows for p in paths] == [n, 0]
        elif fmt == "pajek":
            ig = igraph.Graph.Read_Pajek(str(paths[0]))
            assert (ig.vcount(), ig.ecount()) == (n, 0)
            assert nx.read_pajek(paths[0]).number_of_nodes() == n
        else:
            assert len(read_csv(paths[0], sep="\t")) == n and paths[1].read_text() == ""


@pytest.mark.parametrize("fmt", list(WRITERS))
def test_a_writer_failing_midway_leaves_no_file(fmt, tmp_path, inst, monkeypatch):
    """The old files stay as they were and no temporary file is left, even when the first
    of two files was complete."""
    old = write(fmt, inst, tmp_path)
    before = {p: p.read_bytes() for p in old}
    calls = []

    def failing(bar, items, step=4096):
        calls.append(1)
        for item in items:
            if len(calls) == 2:  # the edges (links) part
                raise RuntimeError("disk on fire")
            yield item

    module = WRITERS[fmt].__module__.rsplit(".", 1)[1]
    monkeypatch.setattr({"nodelink": nodelink, "spreadsheet": spreadsheet, "pajek": pajek,
                         "vosviewer": vosviewer}[module], "tracked", failing)
    with pytest.raises(RuntimeError):
        write(fmt, inst, tmp_path)
    assert {p: p.read_bytes() for p in old} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in old)
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    calls.clear()
    with pytest.raises(RuntimeError):
        write(fmt, inst, fresh)
    assert list(fresh.iterdir()) == []


@pytest.mark.parametrize("fmt", ["json", "vosviewer-json", "pajek"])
def test_dash_writes_single_files_to_stdout(fmt, inst, capsysbinary):
    WRITERS[fmt](inst, "-")
    out = capsysbinary.readouterr().out.decode("utf-8")
    if fmt == "pajek":
        assert out.startswith("*Vertices 5\n") and out.count("\n") == 5 + 1 + 1 + 5
    else:
        assert len(json.loads(out)["nodes" if fmt == "json" else "network"]) > 0


@pytest.mark.parametrize("fmt", ["csv", "parquet", "vos"])
def test_dash_is_refused_for_pairs(fmt, inst):
    with pytest.raises(InputError, match="two files") as err:
        WRITERS[fmt](inst, "-")
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("name, fmt, files", [
    ("g.json", None, ["g.json"]),
    ("g.json", "vosviewer-json", ["g.json"]),
    ("g.csv", None, ["g_nodes.csv", "g_edges.csv"]),
    ("g.parquet", None, ["g_nodes.parquet", "g_edges.parquet"]),
    ("g.net", None, ["g.net"]),
    ("g.vos", None, ["g_map.txt", "g_network.txt"]),
])
def test_write_network_by_suffix_with_side_meta(name, fmt, files, inst, tmp_path):
    written = write_network(inst, tmp_path / name, fmt)
    assert [p.name for p in written] == [*files, "g_meta.json"]
    assert written[-1] == meta_path(tmp_path / name)
    meta = json.loads(written[-1].read_text(encoding="utf-8"))
    assert meta["files"] == files
    assert meta["format"] == (fmt or FORMATS["." + name.split(".")[1]])
    assert (meta["level"], meta["counting"], meta["synthetic"]) == \
        ("institution", "fractional", True)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*files, "g_meta.json"])


def test_unknown_suffix_lists_the_known_ones(inst, tmp_path):
    with pytest.raises(InputError) as err:
        write_network(inst, tmp_path / "g.txt")
    msg = str(err.value)
    assert "'.txt'" in msg and all(s in msg for s in FORMATS) and "\n" not in msg
    assert list(tmp_path.iterdir()) == []


def test_gephi_reserved_and_repeated_names_are_renamed():
    assert nodelink.column_names(["id", "Label", "source", " works ", "works"],
                                 spreadsheet.NODE_RESERVED, fold_case=True) == \
        {"id": "id_2", "Label": "Label_2", "source": "source_2", " works ": "works",
         "works": "works_2"}


def test_keys_that_collide_once_cleaned_are_an_error(tmp_path):
    g = nx.Graph([("a\x07", "a")])
    for fmt in WRITERS:
        with pytest.raises(InputError, match="collide"):
            write(fmt, g, tmp_path)
    with pytest.raises(InputError, match="same text"):
        spreadsheet.write_csv_pair(nx.Graph([(1, "1")]), tmp_path / "x.csv")
    assert list(tmp_path.iterdir()) == []


def test_directed_graphs_say_so(tmp_path):
    g = nx.DiGraph([("A", "B", {"weight": 1.0})])
    assert read_csv(write("csv", g, tmp_path)[1])["type"].tolist() == ["Directed"]
    assert "*Arcs\n" in write("pajek", g, tmp_path)[0].read_text()
    assert json.load(open(write("json", g, tmp_path)[0]))["directed"] is True


def test_large_networks_write_quickly(tmp_path):
    """3 000 nodes and 30 000 edges: each format well within seconds (7 000/90 000 takes
    under a second per format on a quiet machine)."""
    rng = np.random.default_rng(3)
    g = nx.Graph(level="institution", counting="fractional", years="2015-2020")
    g.add_nodes_from((f"I{i}", {"label": f"Institution {i}", "works": int(rng.integers(1, 99)),
                                "share": float(rng.random()), "type": "education"})
                     for i in range(3000))
    pairs = rng.integers(0, 3000, (32_000, 2))
    g.add_edges_from((f"I{u}", f"I{v}", {"weight": float(w) + 0.1, "works": 1})
                     for (u, v), w in zip(pairs.tolist(), rng.random(len(pairs))) if u != v)
    assert g.number_of_edges() > 30_000
    for fmt in WRITERS:
        start = time.process_time()
        write(fmt, g, tmp_path, fmt)
        assert time.process_time() - start < 5, fmt


@pytest.mark.parametrize("fmt", list(WRITERS))
def test_a_folder_that_does_not_exist_is_one_line(fmt, inst, tmp_path):
    with pytest.raises(InputError, match="cannot write") as err:
        WRITERS[fmt](inst, tmp_path / "no" / ("net" + SUFFIX[fmt]))
    assert "\n" not in str(err.value)


def test_an_annotated_network_with_layout_and_years(tmp_path):
    """communities, a layout and per-year dicts (collabnet's network --with/--layout/
    --dynamic): by_year is in no table, x/y/cluster reach VOSviewer, colours are text."""
    graph = pytest.importorskip("collabnet.analysis.graph")
    t = cn.build_tables(hand_records())
    g = graph.network(t, "country", with_="communities", layout="forceatlas2", dynamic=True)
    assert any("by_year" in d for _, d in g.nodes(data=True))
    (p,) = write("json", g, tmp_path)
    h = nx.node_link_graph(json.load(open(p, encoding="utf-8")), edges="links")
    assert all("by_year" not in d for _, d in h.nodes(data=True))
    assert all("by_year" not in d for *_, d in h.edges(data=True))
    nodes = read_csv(write("csv", g, tmp_path)[0])
    assert "by_year" not in nodes.columns and {"x", "y", "community"} <= set(nodes.columns)
    items, _, cols = vosviewer.vos_network(g)
    assert cols["xy"] and cols["cluster"]
    assert [it["cluster"] for it in items] == [g.nodes[n]["community"] + 1 for n in g]
    assert [it["x"] for it in items] == [g.nodes[n]["x"] for n in g]
    m = read_csv(write("vos", g, tmp_path)[0], sep="\t")
    assert list(m.columns[:7]) == ["id", "label", "description", "x", "y", "cluster",
                                   "weight<Documents>"]
