"""Trends and the analysis commands of the CLI (profile, partners, centrality, impact, trend,
strength) on the hand-made works of tests/analysis_records.py."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from analysis_records import analysis_records, institution_records

from collabnet.analysis.trends import indicator_trend, ols_slope
from collabnet.cli import main
from collabnet.errors import InputError
from collabnet.tables import build_tables


@pytest.fixture
def tables():
    return build_tables(analysis_records())


@pytest.fixture
def works_file(tmp_path):
    path = tmp_path / "works.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in analysis_records()) + "\n")
    return path


def test_ols_slope():
    """Points (0, 1), (1, 3), (2, 5) lie on y = 1 + 2x; one point has no slope."""
    d = pd.DataFrame({"g": ["a"] * 3 + ["b"], "x": [0, 1, 2, 5], "y": [1, 3, 5, 7]})
    s = ols_slope(d, "x", "y", "g")
    assert s["a"] == pytest.approx(2.0)
    assert pd.isna(s["b"])


def test_trend_of_international_share(tables):
    """JP: 2020 1 international of 4 (0.25), 2021 2 of 2 (1.0): change +0.75 and, with two
    years, slope 0.75 per year. HK: only 2021 (W5 W6, both international)."""
    t = indicator_trend(tables, "international_share", focus="JP,HK")
    wide = t.wide()
    assert wide.columns.tolist() == ["JP", "HK"] and wide.index.tolist() == [2020, 2021]
    assert wide["JP"].tolist() == [0.25, 1.0]
    assert pd.isna(wide.loc[2020, "HK"]) and wide.loc[2021, "HK"] == 1.0
    s = t.summary.set_index("entity")
    assert (s.loc["JP", "from_year"], s.loc["JP", "to_year"]) == (2020, 2021)
    assert s.loc["JP", "change"] == pytest.approx(0.75)
    assert s.loc["JP", "slope_per_year"] == pytest.approx(0.75)
    assert pd.isna(s.loc["HK", "slope_per_year"]) and s.loc["HK", "years"] == 1
    assert t.values.columns.tolist() == ["entity", "name", "year", "works", "value",
                                         "low_evidence"]


def test_trend_of_citations_and_network_indicators(tables):
    """Mean citations of JP: 2020 (10 + 0 + 4 + 6) / 4 = 5, 2021 (20 + 6) / 2 = 13; of its
    international works: 2020 10, 2021 13. Degree of JP in each year's network: 2020 US only
    (1), 2021 US KR HK (3)."""
    t = indicator_trend(tables, "mean_citations", focus="JP")
    assert t.wide()["JP"].to_dict() == {2020: 5.0, 2021: 13.0}
    t = indicator_trend(tables, "mean_citations", focus="JP", collaboration="international")
    assert t.wide()["JP"].to_dict() == {2020: 10.0, 2021: 13.0}
    t = indicator_trend(tables, "degree", focus="JP")
    assert t.wide()["JP"].to_dict() == {2020: 1, 2021: 3}


def test_trend_compare_years_and_errors(tables):
    t = indicator_trend(tables, "works", focus="JP", compare="2020-2021")
    assert t.summary.loc[0, "change"] == -2  # 4 works in 2020, 2 in 2021
    with pytest.raises(InputError, match="indicator"):
        indicator_trend(tables, "h_index")
    with pytest.raises(InputError, match="coordinates"):
        indicator_trend(tables, "near_share", focus="JP")
    with pytest.raises(InputError, match="comparison years"):
        indicator_trend(tables, "works", focus="JP", compare="2020")


# --- command line ------------------------------------------------------------------------------


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_profile(capsys, works_file, tmp_path):
    code, out, _ = run(capsys, "profile", works_file, "--focus", "JP", "-q")
    assert code == 0
    assert "international_share" in out and "50.0 %" in out  # one entity: a card
    inst = tmp_path / "inst.jsonl"
    inst.write_text("\n".join(json.dumps(r) for r in institution_records()))
    csv = tmp_path / "profile.csv"
    code, _, _ = run(capsys, "profile", works_file, "--institutions", inst, "--ci",
                     "--resamples", 100, "-o", csv, "-q")
    df = pd.read_csv(csv, keep_default_na=False, na_values=[""])
    assert code == 0 and {"near_share", "far_share", "international_share_lo"} <= set(df)
    assert df.set_index("entity").loc["JP", "far_share"] == pytest.approx(0.5)
    code, out, _ = run(capsys, "profile", works_file, "-q")
    assert code == 0 and "Japan" in out and "United States" in out


def test_cli_partners(capsys, works_file):
    code, out, _ = run(capsys, "partners", works_file, "--focus", "JP", "-q")
    assert code == 0
    lines = out.splitlines()
    assert "United States" in lines[1] and "100.0 %" in lines[1]
    code, _, err = run(capsys, "partners", works_file, "-q")
    assert code == 2 and "--focus" in err


def test_cli_centrality_and_summary(capsys, works_file, tmp_path):
    csv = tmp_path / "c.csv"
    code, _, _ = run(capsys, "centrality", works_file, "-o", csv, "-q")
    df = pd.read_csv(csv, keep_default_na=False, na_values=[""])
    assert code == 0 and df.loc[0, "entity"] in ("JP", "US")
    assert {"betweenness", "closeness", "eigenvector", "pagerank", "core_number",
            "community", "approximate"} <= set(df)
    code, out, _ = run(capsys, "centrality", works_file, "--summary", "-q")
    assert code == 0 and "density" in out and "modularity" in out
    code, out, err = run(capsys, "centrality", works_file, "--level", "institution", "--k", 3)
    assert code == 0 and "estimated from 3 of 7 nodes" in err


def test_cli_impact(capsys, works_file):
    code, out, _ = run(capsys, "impact", works_file, "--focus", "JP", "--resamples", 100,
                       "-q")
    assert code == 0
    assert "international" in out and "CI" in out
    code, out, _ = run(capsys, "impact", works_file, "--level", "all", "--by", "n_countries",
                       "--no-ci", "-q")
    assert code == 0 and "5+" not in out and "unknown" in out


def test_cli_trend(capsys, works_file, tmp_path):
    code, out, _ = run(capsys, "trend", works_file, "--focus", "JP,HK", "--indicator",
                       "international_share", "-q")
    assert code == 0
    assert "JP_share" in out and "+75.0 pp" in out
    csv = tmp_path / "t.csv"
    code, _, _ = run(capsys, "trend", works_file, "--focus", "JP", "-o", csv, "-q")
    assert pd.read_csv(csv)["value"].tolist() == [0.25, 1.0]
    code, _, err = run(capsys, "trend", works_file, "--indicator", "nonsense", "-q")
    assert code == 2


def test_cli_strength(capsys, works_file, tmp_path):
    csv = tmp_path / "s.csv"
    code, _, _ = run(capsys, "strength", works_file, "-o", csv, "-q")
    df = pd.read_csv(csv, keep_default_na=False, na_values=[""])
    assert code == 0 and len(df) == 7
    assert df.loc[0, ["source", "target", "works"]].tolist() == ["JP", "US", 3]
    assert df.loc[0, "association_strength"] == pytest.approx(2.16)
