"""What goes on an exported network (--with, --layout, --dynamic) and how its file type is
chosen: by suffix, an unknown one refused before any work."""

from __future__ import annotations

import gzip
import json

import networkx as nx
import pandas as pd
import pytest

import collabnet as cn
from collabnet.analysis.graph import AUTO_LAYOUT_LIMIT, layout_positions
from collabnet.cli import main
from collabnet.errors import InputError
from collabnet.tables import build_tables


def _w(i, year, *codes):
    return {"id": f"W{i}", "publication_year": year, "authorships": [
        {"author": {"id": f"A{i}{k}"}, "institutions": [{"id": f"I{c}", "country_code": c}]}
        for k, c in enumerate(codes)]}


@pytest.fixture(scope="module")
def tables():
    return build_tables([_w(1, 2019, "JP", "US"), _w(2, 2020, "JP", "US", "DE"),
                         _w(3, 2020, "JP"), _w(4, 2021, "DE", "FR"), _w(5, 2021, "US", "FR")])


@pytest.fixture(scope="module")
def path(tmp_path_factory, tables):
    p = tmp_path_factory.mktemp("w") / "w.jsonl.gz"
    with gzip.open(p, "wt") as fh:
        for i, (y, cs) in enumerate([(2019, "JP US"), (2020, "JP US DE"), (2020, "JP"),
                                     (2021, "DE FR"), (2021, "US FR")], start=1):
            fh.write(json.dumps(_w(i, y, *cs.split())) + "\n")
    return p


def test_with_puts_every_analysis_on_the_graph(tables):
    """Centrality and community on nodes, link strengths on edges, the collaboration counts
    behind the share on nodes; each equals the table its own command prints."""
    g = cn.network(tables, with_="centrality,communities,strength,shares")
    c = cn.centrality(tables).set_index("entity")
    for v in g:
        assert g.nodes[v]["pagerank"] == pytest.approx(c.loc[v, "pagerank"])
        assert g.nodes[v]["degree"] == c.loc[v, "degree"]
        assert isinstance(g.nodes[v]["community"], int)
    s = cn.strength(tables, counting="full").set_index(["source", "target"])
    for (u, v), row in s.iterrows():
        assert g.edges[u, v]["association_strength"] == pytest.approx(row["association_strength"])
    shares = cn.international_shares(tables).set_index("entity")
    assert g.nodes["JP"]["domestic_works"] == shares.loc["JP", "domestic_works"]
    assert g.nodes["JP"]["low_evidence"] is True  # 3 works < 10
    assert g.graph["with"] == "centrality,communities,strength,shares"
    with pytest.raises(InputError, match="unknown --with 'pagerank'"):
        cn.network(tables, with_="pagerank")


def test_layout_sizes_and_colours(tables):
    g = cn.network(tables, layout="forceatlas2", with_="communities", seed=3)
    h = cn.network(tables, layout="forceatlas2", with_="communities", seed=3)
    assert all({"x", "y", "size", "color"} <= set(d) for _, d in g.nodes(data=True))
    assert dict(g.nodes(data="x")) == dict(h.nodes(data="x"))  # seeded: the same map
    assert max(d["size"] for _, d in g.nodes(data=True)) == 50.0  # JP and US, the most works
    assert g.nodes["JP"]["color"].startswith("#") and len(g.nodes["JP"]["color"]) == 7
    # auto lays out small networks only; a big one gets sizes and colours, and a note.
    big = nx.Graph(level="country")
    big.add_nodes_from((f"N{i}", {"works": i + 1}) for i in range(AUTO_LAYOUT_LIMIT + 1))
    layout_positions(big, "auto")
    assert "x" not in big.nodes["N1"] and "size" in big.nodes["N1"]
    assert big.graph["layout"].startswith("none")


def test_dynamic_values_equal_the_networks_of_each_year(tables):
    g = cn.network(tables, dynamic=True, counting="fractional")
    for year in (2019, 2020, 2021):
        h = cn.network(tables, years=str(year), counting="fractional")
        for u, v, d in h.edges(data=True):
            assert g.edges[u, v]["by_year"][year] == {"works": d["works"], "weight": d["weight"]}
        for v, d in h.nodes(data=True):
            assert g.nodes[v]["by_year"][year]["works"] == d["works"]
    assert set(g.nodes["JP"]["by_year"]) == {2019, 2020}
    assert set(g.edges["DE", "FR"]["by_year"]) == {2021}


def test_network_file_type_by_suffix_and_unknown_refused_before_work(path, tmp_path, capsys):
    out = tmp_path / "net.graphml"
    assert main(["network", str(path), "-o", str(out), "-q"]) == 0
    assert out.read_text().startswith("<?xml")
    meta = json.loads((tmp_path / "net_meta.json").read_text())
    assert (meta["level"], meta["counting"], meta["format"]) == ("country", "full", "graphml")
    assert (meta["nodes"], meta["edges"], meta["edges_left_out"]) == (4, 5, 0)
    # An unknown suffix is one line listing the known ones, before the input is read.
    code = main(["network", str(tmp_path / "missing.jsonl"), "-o", str(tmp_path / "n.txt")])
    err = capsys.readouterr().err
    assert code == 2 and "unknown network file type '.txt'" in err and ".gexf" in err
    assert "missing.jsonl" not in err
    code = main(["network", str(path), "-o", str(tmp_path / "n.graphml"), "--with", "x"])
    assert code == 2 and "unknown --with 'x'" in capsys.readouterr().err


def test_table_commands_write_csv_or_parquet_and_refuse_network_suffixes(path, tmp_path,
                                                                         capsys):
    assert main(["centrality", str(path), "-o", str(tmp_path / "c.parquet"), "-q"]) == 0
    c = pd.read_parquet(tmp_path / "c.parquet")
    assert set(c["entity"]) == {"JP", "US", "DE", "FR"}
    code = main(["centrality", str(path), "-o", str(tmp_path / "c.graphml")])
    err = capsys.readouterr().err
    assert code == 2 and "unknown table file type '.graphml'" in err
    assert not (tmp_path / "c.graphml").exists()
