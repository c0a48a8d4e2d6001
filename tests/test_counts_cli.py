"""--source counts|both and --dry-run on shares, rank and trend, against the loopback server."""

from __future__ import annotations

import pandas as pd
import pytest
from fetch_helpers import synthetic_works

import collabnet as cn
from collabnet.cli import main
from collabnet.groups import group_members
from collabnet.testing import OpenAlexTestServer


@pytest.fixture(scope="module")
def works():
    return synthetic_works(3000, years=(2009, 2013), big_every=0)


@pytest.fixture
def server(works):
    with OpenAlexTestServer(works) as srv:
        yield srv


def _run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _group_requests(server):
    return [r for r in server.requests if "group_by" in r.url]


def test_rank_oecd_by_year_from_counts_is_cheap_and_cached(server, tmp_path, capsys):
    """The issue's command: every OECD member, 2009-2013, by year, in at most 2 requests a
    year (2 in all where the nested group_by is answered); a rerun makes none."""
    opts = ["--group", "OECD", "--indicator", "international_share", "--years", "2009-2013",
            "--by-year", "--source", "counts", "--base-url", server.url, "--cache", tmp_path]
    code, out, err = _run(capsys, "rank", *opts, "-o", tmp_path / "r.csv")
    assert code == 0, err
    assert len(server.requests) <= 2 * 5
    r = pd.read_csv(tmp_path / "r.csv")
    assert set(r["year"]) == set(range(2009, 2014))
    assert set(r["entity"]) == set(group_members("OECD"))
    jp = r[(r["entity"] == "JP") & (r["year"] == 2010)].iloc[0]
    # The same share as the works path on the same works (the query leaves out paratext).
    t = cn.build_tables(w for w in server.works if w.get("publication_year") == 2010
                        and not w.get("is_paratext"))
    ws = cn.international_shares(t, "country").set_index("entity")
    assert jp["value"] == pytest.approx(ws.loc["JP", "share"])
    server.reset_log()
    code, out, err = _run(capsys, "rank", *opts, "-q")
    assert code == 0 and server.requests == []


def test_dry_run_makes_no_request(server, tmp_path, capsys):
    code, out, err = _run(capsys, "rank", "--group", "G7", "--years", "2009-2013", "--by-year",
                          "--source", "counts", "--dry-run", "--base-url", server.url,
                          "--cache", tmp_path)
    assert code == 0 and server.requests == []
    assert out.count("http://") >= 1 and "none was" in err


def test_trend_of_one_country_from_counts_in_two_requests(server, tmp_path, capsys):
    code, out, err = _run(capsys, "trend", "--source", "counts", "--focus", "JP", "--years",
                          "2009-2013", "--base-url", server.url, "--cache", tmp_path,
                          "--summary", "-o", tmp_path / "t.csv")
    assert code == 0, err
    assert len(_group_requests(server)) <= 2
    s = pd.read_csv(tmp_path / "t.csv")
    assert s.loc[0, "entity"] == "JP" and s.loc[0, "years"] == 5


def test_shares_from_counts_and_both(server, tmp_path, capsys):
    base = ["shares", "--country", "JP", "--years", "2009-2013", "--by-year", "--focus", "JP",
            "--base-url", server.url, "--cache", tmp_path]
    code, out, err = _run(capsys, *base, "--source", "counts", "-o", tmp_path / "c.csv", "-q")
    assert code == 0, err
    counts = pd.read_csv(tmp_path / "c.csv")
    assert list(counts.columns) == ["entity", "name", "year", "works", "international_works",
                                    "share", "low_evidence"]
    code, out, err = _run(capsys, *base, "--source", "both", "-o", tmp_path / "b.csv", "-q")
    assert code == 0, err
    both = pd.read_csv(tmp_path / "b.csv")
    jp = both[both["entity"] == "JP"]
    assert len(jp) == 5 and jp["share_difference"].abs().max() < 1e-12


def test_what_the_counts_path_cannot_do_is_refused(server, tmp_path, capsys):
    for extra in (["--merge-hk-mo"], ["--collaboration-rule", "leiden"]):
        code, out, err = _run(capsys, "shares", "--country", "JP", "--years", "2010",
                              "--source", "counts", "--base-url", server.url, "--cache",
                              tmp_path, *extra)
        assert code == 2 and "counts path" in err and err.count("\n") == 1
    code, out, err = _run(capsys, "rank", "--group", "G7", "--years", "2010", "--indicator",
                          "mean_fwci", "--source", "counts", "--base-url", server.url)
    assert code == 2 and "counts path" in err
    assert server.requests == []


def test_the_japan_case_study_runs_offline_and_says_synthetic(tmp_path, capsys):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "examples" / "japan" / "japan_study.py"
    spec = importlib.util.spec_from_file_location("japan_study", path)
    study = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(study)
    assert study.main(["-o", str(tmp_path / "out"), "--works", "6000"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines and all(line.startswith("[SYNTHETIC] ") for line in lines)
    assert sum("Japan ranks" in line for line in lines) == 15
    for csv in (tmp_path / "out").glob("*.csv"):
        assert pd.read_csv(csv)["synthetic"].all(), csv


def test_rank_institutions_from_counts(server, tmp_path, capsys):
    """Institutions ranked by the counts path: at most 2 requests per institution (its
    lineage over the whole span), and each share equals the works path's share of the works
    that list the institution (the synthetic world has no child institutions). No --level:
    a focus of institution ids means institutions."""
    t = cn.build_tables(w for w in server.works if not w.get("is_paratext")
                        and 2009 <= (w.get("publication_year") or 0) <= 2013)
    ws = cn.international_shares(t, "institution").set_index("entity")
    top = list(ws.index[:3])
    code, out, err = _run(capsys, "rank", "--focus", ",".join(top),
                          "--years", "2009-2013", "--source", "counts", "--base-url",
                          server.url, "--cache", tmp_path, "-o", tmp_path / "r.csv")
    assert code == 0, err
    assert len(_group_requests(server)) <= 2 * len(top)
    r = pd.read_csv(tmp_path / "r.csv").set_index("entity")
    assert set(r.index) == set(top)
    for inst in top:
        assert r.loc[inst, "value"] == pytest.approx(ws.loc[inst, "share"])
    assert sorted(r["rank"]) == [1, 2, 3] or r["tied"].any()
