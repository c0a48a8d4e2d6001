"""The command line: exact output shapes, one-line errors with exit status 2."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import networkx as nx
import pytest
from records import hand_records

from collabnet.cli import main


@pytest.fixture
def works_file(tmp_path):
    p = tmp_path / "works.jsonl"
    p.write_text("".join(json.dumps(r) + "\n" for r in hand_records()))
    return p


def read_csv(path):
    with open(path, newline="") as fh:
        return list(csv.reader(fh))


def test_shares_csv_header_and_values(works_file, tmp_path):
    out = tmp_path / "s.csv"
    assert main(["shares", str(works_file), "--level", "country", "-o", str(out), "-q"]) == 0
    rows = read_csv(out)
    assert rows[0] == ["entity", "name", "works", "international_works", "share",
                       "low_evidence"]
    assert rows[1] == ["JP", "Japan", "4", "2", "0.5", "True"]  # 4 works < --min-works 10


def test_shares_by_year_csv(works_file, tmp_path):
    out = tmp_path / "y.csv"
    code = main(["shares", str(works_file), "--by-year", "--focus", "JP", "--years", "2019-2020",
                 "-o", str(out), "-q"])
    assert code == 0
    rows = read_csv(out)
    assert rows[0] == ["entity", "name", "year", "works", "international_works", "share",
                       "low_evidence"]
    assert rows[1:] == [["JP", "Japan", "2019", "2", "1", "0.5", "True"],
                        ["JP", "Japan", "2020", "1", "0", "0.0", "True"]]


def test_shares_table_on_screen(works_file, capsys):
    assert main(["shares", str(works_file), "--level", "institution", "-q"]) == 0
    out = capsys.readouterr().out
    assert "University of Tokyo" in out and "50.0 %" in out


def test_network_graphml(works_file, tmp_path):
    out = tmp_path / "n.graphml"
    assert main(["network", str(works_file), "--level", "country", "--counting", "fractional",
                 "--min-weight", "0.5", "-o", str(out), "-q"]) == 0
    g = nx.read_graphml(out)
    assert sorted(g.nodes) == ["DE", "FR", "JP", "US"]
    assert g.number_of_edges() == 2  # JP-US (0.375) is below 0.5


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["shares", "{f}", "--level", "planet"], "invalid choice: 'planet'"),
        (["shares", "{f}", "--years", "2020-2010"], "invalid year range '2020-2010'"),
        (["shares", "{f}", "--focus", "XX1"], "invalid country code 'XX1'"),
        (["shares", "{f}", "--years", "soon"], "invalid year range 'soon'"),
        (["shares", "/no/such/file.jsonl"], "/no/such/file.jsonl: no such file or folder"),
        (["network", "{f}", "--counting", "half", "-o", "x.graphml"], "invalid choice: 'half'"),
    ],
)
def test_bad_input_is_one_line_exit_2(works_file, capsys, argv, expected):
    argv = [a.replace("{f}", str(works_file)) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and expected in err[0], err
    assert "Traceback" not in err[0]


def test_malformed_record_and_skip_bad(tmp_path, capsys):
    p = tmp_path / "w.jsonl"
    p.write_text('{"id": "W1", "authorships": []}\n{broken\n')
    assert main(["shares", str(p)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"collabnet: error: {p}:2: malformed record: invalid JSON "
                   + err[0].split("invalid JSON ", 1)[1]]
    assert main(["shares", str(p), "--skip-bad"]) == 0
    err = capsys.readouterr().err
    assert "warning: skipped 1 malformed record(s)" in err


def test_console_script_no_traceback(tmp_path):
    """The installed entry point exits 2 with one line for a missing input."""
    proc = subprocess.run(
        [sys.executable, "-m", "collabnet.cli", "shares", str(tmp_path / "missing.jsonl")],
        capture_output=True, text=True,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0
    assert "missing.jsonl: no such file or folder" in proc.stderr


def test_collaboration_rule_option(works_file, tmp_path):
    """With --collaboration-rule leiden, JP's W7 (one institution) is no longer international:
    JP has 1 international work of 4 -> 0.25 (default rule: 0.5)."""
    out = tmp_path / "l.csv"
    assert main(["shares", str(works_file), "--collaboration-rule", "leiden", "-o", str(out),
                 "-q"]) == 0
    assert read_csv(out)[1] == ["JP", "Japan", "4", "1", "0.25", "True"]


def test_demo_runs_offline_and_says_synthetic(tmp_path, capsys):
    """demo writes the shares CSV and GraphML files, prints a summary that says the records
    are synthetic, marks every file synthetic (a CSV column, GraphML graph and node
    attributes, "(synthetic)" names, README.txt), and gives the same files twice."""
    out1, out2 = tmp_path / "d1", tmp_path / "d2"
    assert main(["demo", "-o", str(out1), "--works", "3000"]) == 0
    printed = capsys.readouterr().out
    assert "SYNTHETIC" in printed and "Japan's international share by year" in printed
    rows = read_csv(out1 / "country_shares.csv")
    assert rows[0] == ["entity", "name", "works", "international_works", "share",
                       "low_evidence", "synthetic"]
    assert len(rows) > 20 and {r[-1] for r in rows[1:]} == {"True"}
    g = nx.read_graphml(out1 / "country_network.graphml")
    assert g.number_of_nodes() > 20 and g.number_of_edges() > 20
    assert all(d["synthetic"] for _, d in g.nodes(data=True))
    gi = nx.read_graphml(out1 / "institution_network_top500.graphml")
    assert all(d["label"].endswith("(synthetic)") for _, d in gi.nodes(data=True))
    assert "SYNTHETIC DATA" in (out1 / "README.txt").read_text()
    assert main(["demo", "-o", str(out2), "--works", "3000"]) == 0
    for name in ("country_shares.csv", "country_network.graphml"):
        assert (out1 / name).read_bytes() == (out2 / name).read_bytes()


def test_sample_then_shares(tmp_path, capsys):
    """sample writes N records that shares then reads back, all N works counted."""
    f = tmp_path / "s.jsonl.gz"
    assert main(["sample", "--works", "800", "--seed", "7", "-o", str(f)]) == 0
    assert "SYNTHETIC" in capsys.readouterr().err
    assert main(["shares", str(f), "--level", "country", "--rows", "3"]) == 0
    assert "read 800 records" in capsys.readouterr().err
    assert main(["sample", "--works", "0", "-o", str(f)]) == 2
