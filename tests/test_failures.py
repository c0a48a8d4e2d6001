"""Every failure is one line with exit status 2 (Ctrl-C and SIGTERM: 130), and no output is
ever left half-written: the table of bad inputs for every command, full and closed standard
output, a file-size limit and interruptions in the middle of a write."""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time

import pytest
from records import hand_records

from collabnet.cli import main

OK, ERROR, INTERRUPTED = 0, 2, 130


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("inputs")
    good = d / "works.jsonl"
    good.write_text("".join(json.dumps(r) + "\n" for r in hand_records()))
    (d / "empty.jsonl").write_text("")
    (d / "broken.jsonl").write_text('{"id": "W1"}\n{"id": \n')
    raw = gzip.compress(good.read_bytes())
    (d / "truncated.jsonl.gz").write_bytes(raw[: len(raw) // 2])
    (d / "no_works").mkdir()
    (d / "no_works" / "notes.txt").write_text("not a work")
    (d / "a_folder").mkdir()
    return d


COMMANDS = {  # the arguments each command needs besides its input
    "shares": [], "network": ["-o", "{out}.graphml"], "profile": [], "partners": ["--focus",
    "JP"], "centrality": [], "impact": [], "trend": [], "strength": [],
}
#: (case, arguments after the command, expected exit status)
BAD_INPUTS = [
    ("missing file", ["{d}/nope.jsonl"], ERROR),
    ("empty file", ["{d}/empty.jsonl"], OK),
    ("malformed line", ["{d}/broken.jsonl"], ERROR),
    ("malformed line, skipped", ["{d}/broken.jsonl", "--skip-bad"], OK),
    ("truncated gzip", ["{d}/truncated.jsonl.gz"], ERROR),
    ("folder without works", ["{d}/no_works"], ERROR),
    ("no input", [], ERROR),
    ("years backwards", ["{d}/works.jsonl", "--years", "2020-2010"], ERROR),
    ("years outside the grammar", ["{d}/works.jsonl", "--years", "twenty"], ERROR),
    ("years without works", ["{d}/works.jsonl", "--years", "2030"], OK),
    ("unknown country", ["{d}/works.jsonl", "--focus", "XX"], ERROR),
    ("country without works", ["{d}/works.jsonl", "--focus", "KP"], OK),
    ("bad institution id", ["{d}/works.jsonl", "--level", "institution", "--focus", "Tokyo"],
     ERROR),
    ("output in a missing folder", ["{d}/works.jsonl", "-o", "{d}/missing/out.csv"], ERROR),
    ("output is a folder", ["{d}/works.jsonl", "-o", "{d}/a_folder"], ERROR),
    ("file and query together", ["{d}/works.jsonl", "--country", "JP"], ERROR),
    ("--type without a query", ["{d}/works.jsonl", "--type", "article"], ERROR),
]


def _run(argv, capsys):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("case, args, expected", BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
def test_bad_inputs_give_one_line_and_exit_2(files, tmp_path, capsys, command, case, args,
                                             expected):
    fill = {"d": files, "out": tmp_path / "out"}
    extra = [a.format(**fill) for a in COMMANDS[command]]
    if command == "partners" and "--focus" in args:
        extra = []  # the case brings its own focus
    if command == "network" and "-o" in args:
        extra = []  # the case brings its own output
    argv = [command, *[a.format(**fill) for a in args], *extra, "-q"]
    if command == "network" and case == "output is a folder":
        argv = [command, str(files / "works.jsonl"), "-o", str(files / "a_folder"), "-q"]
    code, out, err = _run(argv, capsys)
    assert "Traceback" not in err
    assert code == expected, f"{case}: {err}"
    if code == ERROR:
        assert err.count("\n") == 1 and err.startswith("collabnet: error: "), err
        assert len(err) < 300
    assert not list(files.glob("**/.*.tmp")) and not list(tmp_path.glob(".*.tmp"))


@pytest.mark.parametrize("argv", [
    ["network", "{d}/works.jsonl", "--top", "0", "-o", "{t}/n.graphml"],
    ["network", "{d}/works.jsonl", "--min-weight", "-1", "-o", "{t}/n.graphml"],
    ["centrality", "{d}/works.jsonl", "--k", "0"],
    ["impact", "{d}/works.jsonl", "--top-percent", "0"],
    ["impact", "{d}/works.jsonl", "--top-percent", "150"],
    ["profile", "{d}/works.jsonl", "--ci", "--resamples", "0"],
    ["profile", "{d}/works.jsonl", "--near-km", "-5"],
    ["sample", "--works", "0", "-o", "{t}/s.jsonl"],
    ["sample", "--works", "10", "--years", "2020-", "-o", "{t}/s.jsonl"],
    ["sample", "--works", "10", "-o", "{t}/s.txt"],
    ["sample", "--works", "10", "-o", "{t}/missing/s.jsonl"],
    ["demo", "--works", "0", "-o", "{t}/demo"],
])
def test_option_values_are_checked_before_any_work(files, tmp_path, capsys, monkeypatch,
                                                   argv):
    """Rejected before reading: the loader is never reached."""
    import collabnet.loader

    def never(*a, **k):
        raise AssertionError("works were read before the options were checked")

    monkeypatch.setattr(collabnet.loader, "load", never)
    argv = [a.format(d=files, t=tmp_path) for a in argv]
    code, out, err = _run(argv, capsys)
    assert code == ERROR and err.count("\n") == 1 and "Traceback" not in err, err


def test_demo_with_one_work_runs(tmp_path, capsys):
    code, out, err = _run(["demo", "--works", "1", "-o", tmp_path / "d"], capsys)
    assert code == OK, err
    assert (tmp_path / "d" / "country_shares.csv").exists()


def test_dash_output_writes_csv_to_standard_output(files, capsys):
    code, out, err = _run(["shares", files / "works.jsonl", "-o", "-", "-q"], capsys)
    assert code == OK
    assert out.splitlines()[0] == "entity,name,works,international_works,share,low_evidence"
    assert not (files / "-").exists()


def _cli(*argv, **kw):
    return subprocess.run([sys.executable, "-m", "collabnet.cli", *map(str, argv)],
                          capture_output=True, text=True, timeout=300, **kw)


def test_a_full_standard_output_is_one_line(files):
    with open("/dev/full", "w") as full:
        r = subprocess.run([sys.executable, "-m", "collabnet.cli", "shares",
                            str(files / "works.jsonl"), "-q"], stdout=full,
                           stderr=subprocess.PIPE, text=True, timeout=120)
    assert r.returncode == ERROR and r.stderr.count("\n") == 1, r.stderr
    assert "No space left" in r.stderr and "Traceback" not in r.stderr


def test_a_closed_pipe_is_not_an_error(tmp_path):
    sample = tmp_path / "s.jsonl.gz"
    assert main(["sample", "--works", "3000", "-o", str(sample), "-q"]) == 0
    r = subprocess.run(f"{sys.executable} -m collabnet.cli shares {sample} --level institution "
                       "--rows 0 -q | head -1", shell=True, capture_output=True, text=True,
                       timeout=120)
    assert r.stdout.split()[0] == "entity" and "Traceback" not in r.stderr


def test_a_file_size_limit_leaves_the_previous_output_intact(tmp_path):
    """``ulimit -f``: the write fails part-way; the old file stays, no temporary is left."""
    import resource

    sample = tmp_path / "s.jsonl.gz"
    assert main(["sample", "--works", "3000", "-o", str(sample), "-q"]) == 0
    out = tmp_path / "inst.graphml"
    out.write_text("previous result")

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    r = _cli("network", sample, "--level", "institution", "-o", out, "-q", preexec_fn=limit)
    assert r.returncode == ERROR and "Traceback" not in r.stderr, r.stderr
    assert r.stderr.count("\n") == 1 and "File too large" in r.stderr
    assert out.read_text() == "previous result"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inst.graphml", "s.jsonl.gz"]


def test_ctrl_c_while_writing_leaves_the_previous_output_intact(files, tmp_path, capsys,
                                                                monkeypatch):
    import pandas as pd

    out = tmp_path / "shares.csv"
    out.write_text("previous result\n")
    real = pd.DataFrame.to_csv

    def interrupted(self, path, *a, **k):
        real(self.head(1), path, *a, **k)  # half the table is on disk ...
        raise KeyboardInterrupt  # ... when the user presses Ctrl-C

    monkeypatch.setattr(pd.DataFrame, "to_csv", interrupted)
    code, _, err = _run(["shares", files / "works.jsonl", "-o", out, "-q"], capsys)
    assert code == INTERRUPTED and "interrupted" in err
    assert out.read_text() == "previous result\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shares.csv"]


def test_sigterm_while_writing_a_sample_removes_the_partial_file(tmp_path):
    out = tmp_path / "big.jsonl.gz"
    out.write_bytes(b"previous")
    proc = subprocess.Popen([sys.executable, "-m", "collabnet.cli", "sample", "--works",
                             "5000000", "-o", str(out), "-q"], stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".*.tmp")) and time.monotonic() < deadline:
        time.sleep(0.1)  # wait until it is writing
    assert list(tmp_path.glob(".*.tmp")), "the sample never started writing"
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == INTERRUPTED and "Traceback" not in err, err
    assert out.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.jsonl.gz"]


def test_outputs_are_replaced_whole(files, tmp_path, capsys):
    out = tmp_path / "shares.csv"
    out.write_text("x" * 100_000)  # longer than the new table: no tail of it may survive
    code, _, _ = _run(["shares", files / "works.jsonl", "-o", out, "-q"], capsys)
    assert code == OK and "x" not in out.read_text()
    assert os.listdir(tmp_path) == ["shares.csv"]


def test_a_query_ended_short_warns_every_reader_and_strict_refuses_it(tmp_path, capsys):
    """OpenAlex ends 2011's cursor chain early twice: shares still answers, with a warning
    line (even with -q); --strict makes it one error line with exit 2."""
    from fetch_helpers import synthetic_works

    from collabnet.testing import Fault, OpenAlexTestServer

    # Enough Japanese works in 2011 for several pages of 200, so the chain can end early.
    with OpenAlexTestServer(synthetic_works(8000, years=(2011, 2011))) as srv:
        srv.add_faults(Fault("early_end", times=2, match="publication_year:2011"))
        opts = ["--country", "JP", "--years", "2011", "--base-url", srv.url,
                "--cache", tmp_path, "-q"]
        code, out, err = _run(["shares", *opts, "--by-year", "--focus", "JP"], capsys)
        assert code == OK, err
        assert "warning: 2011: incomplete in the cache" in err and "Traceback" not in err
        code, out, err = _run(["shares", *opts], capsys)  # from the cache: warned again
        assert code == OK and "warning: 2011: incomplete" in err
        # --strict walks the short year once more; still short, it is refused.
        srv.add_faults(Fault("early_end", times=1, match="publication_year:2011"))
        code, out, err = _run(["shares", *opts, "--strict"], capsys)
        assert code == ERROR and err.count("\n") == 1 and "2011" in err, err
        # Once OpenAlex serves the whole year, --strict completes it.
        code, out, err = _run(["shares", *opts, "--strict"], capsys)
        assert code == OK and "incomplete" not in err, err
