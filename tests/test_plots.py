"""Figures: each function on small synthetic tables returns a matplotlib Figure that is saved
as PNG and SVG, atomically, and says "SYNTHETIC DATA" when told the data are synthetic."""

from __future__ import annotations

import subprocess
import sys

import networkx as nx
import pandas as pd
import pytest
from matplotlib.figure import Figure

import collabnet as cn
import collabnet.fileio
from collabnet.errors import InputError
from collabnet.plots import (
    SYNTHETIC_GID,
    SYNTHETIC_LABEL,
    figure_bytes,
    is_marked_synthetic,
    network_figure,
    partners_chart,
    save_figure,
    trend_chart,
)

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def tables():
    """1 500 synthetic works over 2014-2018: enough for JP to have partners and a trend."""
    return cn.build_tables(cn.generate_works(1500, seed=5, years=(2014, 2018)))


@pytest.fixture(scope="module")
def figures(tables):
    """One figure of each kind, marked synthetic, from the library's own tables."""
    trend = cn.trend(tables, "international_share", focus="JP,US,CN", ci=True,
                     n_resamples=200)
    partners = cn.partners(tables, "JP")
    g = cn.network(tables, focus="JP")
    nx.set_node_attributes(g, cn.communities(g), "community")
    return {
        "trend": trend_chart(trend, highlight="JP", synthetic=True),
        "partners": partners_chart(partners, top=8, synthetic=True),
        "network": network_figure(g, highlight="JP", top=20, synthetic=True),
    }


@pytest.mark.parametrize("kind", ["trend", "partners", "network"])
def test_each_figure_is_saved_as_png_and_svg_with_the_synthetic_mark(figures, kind, tmp_path):
    fig = figures[kind]
    assert isinstance(fig, Figure)
    assert is_marked_synthetic(fig)
    assert SYNTHETIC_LABEL in [t.get_text() for t in fig.texts]
    png = save_figure(fig, tmp_path / f"{kind}.png")
    svg = save_figure(fig, tmp_path / f"{kind}.SVG")  # the suffix in any case
    assert png.read_bytes().startswith(PNG) and png.stat().st_size > 5_000
    text = svg.read_text()
    assert "<svg" in text and f'id="{SYNTHETIC_GID}"' in text
    assert "SYNTHETIC DATA" in text  # the metadata says it too (SVG text is drawn as paths)
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{kind}.SVG", f"{kind}.png"]


def test_an_unmarked_figure_has_no_synthetic_mark(tables):
    fig = partners_chart(cn.partners(tables, "JP"))
    assert not is_marked_synthetic(fig)
    assert SYNTHETIC_GID.encode() not in figure_bytes(fig, "svg")


def test_the_trend_chart_draws_one_line_and_one_band_per_entity(tables):
    t = cn.trend(tables, "international_share", focus="JP,US", ci=True, n_resamples=100)
    ax = trend_chart(t).axes[0]
    assert {ln.get_label() for ln in ax.lines} >= {"Japan (JP)", "United States (US)"}
    assert len(ax.collections) == 2  # the two stability bands
    assert ax.get_ylabel() == "international share"


def test_the_trend_chart_reads_an_indicator_column_and_its_interval():
    """A by-year profile: the indicator's own column and its ``_lo``/``_hi`` columns."""
    df = pd.DataFrame({"entity": "JP", "year": [2019, 2020], "works": [3, 30],
                       "international_share": [0.2, 0.4],
                       "international_share_lo": [0.1, 0.3],
                       "international_share_hi": [0.3, 0.5]})
    ax = trend_chart(df, "international_share").axes[0]
    assert len(ax.collections) == 1
    hollow = [ln for ln in ax.lines if ln.get_markerfacecolor() == "white"]
    assert len(hollow) == 1 and list(hollow[0].get_xdata()) == [2019.0]  # 3 works: thin
    with pytest.raises(InputError, match="needs a 'value' column"):
        trend_chart(df.drop(columns="international_share"), "international_share")


def test_the_partners_chart_shows_the_top_partners_largest_first(tables):
    p = cn.partners(tables, "JP")
    ax = partners_chart(p, top=5).axes[0]
    assert len(ax.patches) == 5
    labels = [t.get_text() for t in ax.get_yticklabels()]
    first = p.iloc[0]
    assert labels[-1] == f"{first['partner_name']} ({first['partner']})"  # at the top
    assert len(labels) == 5


def test_the_network_figure_uses_given_positions_sizes_and_communities():
    g = nx.Graph()
    g.add_node("JP", works=10, community=0, x=0.0, y=0.0, label="JP")
    g.add_node("US", works=40, community=1, x=1.0, y=0.0, label="US")
    g.add_node("DE", works=5, community=1, x=0.5, y=1.0, label="DE")
    g.add_weighted_edges_from([("JP", "US", 4), ("US", "DE", 1)])
    ax = network_figure(g, labels=1, highlight="DE").axes[0]
    nodes = ax.collections[-1]
    offsets = sorted(map(tuple, nodes.get_offsets().tolist()))
    assert offsets == [(0.0, 0.0), (0.5, 1.0), (1.0, 0.0)]
    sizes = dict(zip(["DE", "JP", "US"], nodes.get_sizes()))  # nodes are drawn in key order
    assert sizes["US"] > sizes["JP"] > sizes["DE"]
    assert len({tuple(c) for c in nodes.get_facecolors()}) == 2  # two communities
    labels = {t.get_text() for t in ax.texts}
    assert {"US", "DE"} <= labels and "JP" not in labels  # the largest, and the highlight


def test_the_layout_is_seeded_so_the_same_graph_gives_the_same_picture(tables):
    g = cn.network(tables, focus="JP")
    one = figure_bytes(network_figure(g, seed=3), "svg")
    two = figure_bytes(network_figure(g, seed=3), "svg")
    assert one == two


def test_names_with_markup_dollars_and_control_characters_are_drawn_as_text(tmp_path):
    g = nx.Graph()
    g.add_node("I1", works=3, label="Lab $x$ & <Co>\x07")
    g.add_node("I2", works=2, label="$5 Institute")
    g.add_edge("I1", "I2", weight=1.0)
    fig = network_figure(g)
    assert save_figure(fig, tmp_path / "n.png").stat().st_size > 0
    assert r"Lab \$x\$ & <Co>" in {t.get_text() for t in fig.axes[0].texts}


@pytest.mark.parametrize("make", [
    lambda: trend_chart(pd.DataFrame(columns=["entity", "name", "year", "works", "value"])),
    lambda: partners_chart(pd.DataFrame(columns=["focus", "rank", "partner", "works"])),
    lambda: network_figure(nx.Graph()),
], ids=["trend", "partners", "network"])
def test_empty_tables_give_a_figure_that_says_so(make, tmp_path):
    fig = make()
    assert any(t.get_text().startswith("no ") for t in fig.axes[0].texts)
    assert save_figure(fig, tmp_path / "e.png").read_bytes().startswith(PNG)


def test_a_failed_write_leaves_the_previous_file_and_no_temporary(figures, tmp_path,
                                                                  monkeypatch):
    out = tmp_path / "fig.png"
    out.write_bytes(b"old")

    def broken(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(collabnet.fileio.os, "replace", broken)
    with pytest.raises(InputError, match="No space left"):
        save_figure(figures["partners"], out)
    assert out.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["fig.png"]


def test_an_unknown_suffix_is_one_error_line(figures, tmp_path):
    with pytest.raises(InputError, match=r"use \.png or \.svg"):
        save_figure(figures["trend"], tmp_path / "fig.jpg")
    assert list(tmp_path.iterdir()) == []


def test_importing_the_figures_module_does_not_load_matplotlib():
    out = subprocess.run(
        [sys.executable, "-c", "import collabnet.plots, sys; print('matplotlib' in sys.modules)"],
        capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
