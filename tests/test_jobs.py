"""``collabnet run JOB.toml`` and ``collabnet verify``: batch jobs, rerun and audited.

Jobs run on files and on the loopback OpenAlex server (127.0.0.1, started here); every table
a job writes is compared with what the command of the same name writes with the same
options, byte for byte, so the job maps each option onto the same library call.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import re
import shutil
import socket
import time
from pathlib import Path

import pytest

import collabnet as cn
from collabnet.cli import main
from collabnet.testing import OpenAlexTestServer

REPO = Path(__file__).resolve().parents[1]
YEARS = "2013-2016"


@pytest.fixture(scope="module")
def world():
    return list(cn.generate_works(1500, seed=11, years=(2013, 2016)))


@pytest.fixture
def server(world):
    with OpenAlexTestServer(world) as srv:
        yield srv


@pytest.fixture(autouse=True)
def _env(tmp_path, monkeypatch):
    """A cache of the test's own; no key, server or date from the caller's environment."""
    monkeypatch.setenv("COLLABNET_CACHE", str(tmp_path / "cache"))
    for name in ("OPENALEX_API_KEY", "COLLABNET_OPENALEX_URL", "SOURCE_DATE_EPOCH"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def works_dir(tmp_path, world):
    """The world as two gzipped JSON Lines files, dated 2020-05-17 (for the report's date)."""
    folder = tmp_path / "works"
    folder.mkdir()
    half = len(world) // 2
    for i, part in enumerate((world[:half], world[half:])):
        path = folder / f"part_{i}.jsonl.gz"
        with gzip.open(path, "wt") as fh:
            for w in part:
                fh.write(json.dumps(w) + "\n")
        os.utime(path, (1589673600, 1589673600))  # 2020-05-17 00:00 UTC
    return folder


def _run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _job(folder: Path, text: str, name: str = "job.toml") -> Path:
    path = folder / name
    path.write_text(text)
    return path


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != "manifest.json"}


QUERY_JOB = """\
[job]
output = "out"

[openalex]
server = "{url}"

[[input]]
name = "us"
country = "US"
years = "{years}"

[[input]]
name = "counts"
source = "counts"
years = "{years}"

[[analysis]]
kind = "shares"
input = "us"
by_year = true
output = "us_shares.csv"

[[analysis]]
kind = "shares"
input = "counts"
focus = "US,JP,DE"
by_year = true
output = "counted_shares.csv"

[[analysis]]
kind = "network"
input = "us"
counting = "fractional"
with = "communities"
output = ["us_network.gexf", "us_network.graphml"]
figure = "us_network.png"

[[analysis]]
kind = "report"
input = "us"
focus = "US"
ci = false
network_top = 10
output = "us_report.html"
"""


def test_a_job_on_the_loopback_server_writes_what_the_commands_write(server, tmp_path,
                                                                       capsys):
    """Each output is the command of the same name's file for the same options: shares of
    the works, shares from counts, the network (two formats, its side file), the report."""
    job = _job(tmp_path, QUERY_JOB.format(url=server.url, years=YEARS))
    code, out, err = _run(capsys, "run", job)
    assert code == 0, err
    outdir = tmp_path / "out"
    for name in ("us_shares.csv", "counted_shares.csv", "us_network.gexf",
                 "us_network.graphml", "us_network_meta.json", "us_network.png",
                 "us_report.html", "manifest.json"):
        assert (outdir / name).is_file(), name
    assert out.count("written") == 6 and "up to date" not in out
    query = ["--country", "US", "--years", YEARS, "--base-url", server.url, "-q"]
    code, _, err = _run(capsys, "shares", *query, "--by-year", "-o", tmp_path / "a.csv")
    assert code == 0, err
    assert (tmp_path / "a.csv").read_bytes() == (outdir / "us_shares.csv").read_bytes()
    code, _, err = _run(capsys, "shares", "--country", "US,JP,DE", "--years", YEARS,
                        "--focus", "US,JP,DE", "--by-year", "--source", "counts",
                        "--base-url", server.url, "-q", "-o", tmp_path / "c.csv")
    assert code == 0, err
    assert (tmp_path / "c.csv").read_bytes() == (outdir / "counted_shares.csv").read_bytes()
    code, _, err = _run(capsys, "network", *query, "--counting", "fractional", "--with",
                        "communities", "-o", tmp_path / "n.gexf")
    assert code == 0, err
    assert (tmp_path / "n.gexf").read_bytes() == (outdir / "us_network.gexf").read_bytes()
    page = (outdir / "us_report.html").read_text()
    assert "OpenAlex query: countries US" in page and "synthetic" in page.lower()


FILES_JOB = """\
[[input]]
name = "all"
path = "works"

[[analysis]]
kind = "profile"
focus = "JP,US"
counting = "fractional"
output = "profile.csv"

[[analysis]]
kind = "impact"
focus = "US"
top_percent = 5
ci = false
output = "impact.parquet"

[[analysis]]
kind = "centrality"
communities = "none"
output = "centrality.csv"

[[analysis]]
kind = "trend"
focus = "US,JP"
compare = "2013-2016"
output = "trend.csv"
figure = "trend.svg"

[[analysis]]
kind = "rank"
group = "G7"
by_year = true
output = "rank.csv"

[[analysis]]
kind = "strength"
sort = "cosine"
output = "strength.csv"

[[analysis]]
kind = "partners"
focus = "US"
top = 5
output = "partners.csv"
figure = "partners.png"

[[analysis]]
kind = "report"
focus = "US"
ci = false
network_top = 10
output = "report.html"
"""

#: The commands that write the same tables as FILES_JOB's analyses.
FILES_COMMANDS = {
    "profile.csv": ["profile", "--focus", "JP,US", "--counting", "fractional"],
    "impact.parquet": ["impact", "--focus", "US", "--top-percent", "5", "--no-ci"],
    "centrality.csv": ["centrality", "--communities", "none"],
    "trend.csv": ["trend", "--focus", "US,JP", "--compare", "2013-2016"],
    "rank.csv": ["rank", "--group", "G7", "--by-year"],
    "strength.csv": ["strength", "--sort", "cosine"],
    "partners.csv": ["partners", "--focus", "US", "--top", "5"],
}


def test_a_job_on_files_writes_what_the_commands_write(works_dir, tmp_path, capsys):
    job = _job(tmp_path, FILES_JOB)
    code, out, err = _run(capsys, "run", job)
    assert code == 0, err
    outdir = tmp_path / "job-out"  # the default: <job file name>-out beside it
    for name, argv in FILES_COMMANDS.items():
        mine = tmp_path / f"cli_{name}"
        code, _, err = _run(capsys, *argv, works_dir, "-q", "-o", mine)
        assert code == 0, err
        assert mine.read_bytes() == (outdir / name).read_bytes(), name
    assert (outdir / "trend.svg").read_bytes().lstrip().startswith(b"<?xml")
    assert (outdir / "partners.png").read_bytes()[:4] == b"\x89PNG"
    # The files say when they last changed: the report's date is theirs, not today's.
    assert "2020-05-17" in (outdir / "report.html").read_text()


def test_dry_run_makes_no_request_and_writes_nothing(server, tmp_path, capsys):
    job = _job(tmp_path, QUERY_JOB.format(url=server.url, years=YEARS))
    code, out, err = _run(capsys, "run", job, "--dry-run")
    assert code == 0, err
    assert server.requests == []
    assert not (tmp_path / "out").exists()
    urls = [line for line in out.splitlines() if line.startswith("http")]
    works_urls = [u for u in urls if "cursor=*" in u]
    assert len(works_urls) == 4  # one year slice each, 2013-2016
    assert all(u.startswith(server.url + "/works?") and "institutions.country_code:us" in u
               for u in works_urls)
    assert any("group_by=" in u for u in urls)
    assert "would write" in out and "none was made" in err
    # After a run, a dry run has nothing left to ask and every output is up to date.
    assert _run(capsys, "run", job)[0] == 0
    server.reset_log()
    code, out, err = _run(capsys, "run", job, "--dry-run")
    assert code == 0 and server.requests == []
    assert [line for line in out.splitlines() if line.startswith("http")] == []
    assert "would write" not in out and out.count("up to date") == 6


def test_a_rerun_skips_what_is_up_to_date_and_redoes_a_changed_option(server, tmp_path,
                                                                       capsys):
    text = QUERY_JOB.format(url=server.url, years=YEARS)
    job = _job(tmp_path, text)
    assert _run(capsys, "run", job)[0] == 0
    outdir = tmp_path / "out"
    stamps = {p.name: p.stat().st_mtime_ns for p in outdir.iterdir()}
    server.reset_log()
    code, out, err = _run(capsys, "run", job)
    assert code == 0, err
    assert out.count("up to date") == 6 and "written" not in out
    assert server.requests == []
    assert {p.name: p.stat().st_mtime_ns for p in outdir.iterdir()
            if p.name != "manifest.json"} == {k: v for k, v in stamps.items()
                                              if k != "manifest.json"}
    before = (outdir / "us_shares.csv").read_text()
    job.write_text(text.replace('output = "us_shares.csv"',
                                'counts = true\noutput = "us_shares.csv"'))
    code, out, err = _run(capsys, "run", job)
    assert code == 0, err
    assert f"written     {outdir / 'us_shares.csv'}" in out
    assert out.count("written") == 1 and out.count("up to date") == 5
    after = (outdir / "us_shares.csv").read_text()
    assert "domestic_works" in after and "domestic_works" not in before
    # --force makes everything again.
    code, out, err = _run(capsys, "run", job, "--force")
    assert code == 0 and out.count("written") == 6


def test_the_manifest_accounts_for_the_run_and_verify_catches_changes(server, world, tmp_path,
                                                                     capsys, monkeypatch):
    monkeypatch.setenv("OPENALEX_API_KEY", "sekrit-key-123")
    job = _job(tmp_path, QUERY_JOB.format(url=server.url, years=YEARS))
    assert _run(capsys, "run", job)[0] == 0
    assert server.requests and all(r.api_key == "sekrit-key-123" for r in server.requests)
    outdir = tmp_path / "out"
    text = (outdir / "manifest.json").read_text()
    assert "sekrit" not in text
    m = json.loads(text)
    assert m["collabnet"] == cn.__version__
    assert m["job"]["sha256"] == hashlib.sha256(job.read_bytes()).hexdigest()
    assert "newest updated_date wins" in m["definitions"]["duplicates"]
    assert set(m["definitions"]["counting"]) == {"full", "fractional"}
    us = m["inputs"]["us"]
    american = [w for w in world if not w.get("is_paratext") and any(
        i.get("country_code") == "US" for a in w["authorships"] for i in a["institutions"])]
    assert us["records"]["works"] == len(american) > 100
    assert len(us["urls"]) == 4 and us["fetched_at"]
    counts = m["inputs"]["counts"]
    assert counts["urls"] and all("group_by=" in u for u in counts["urls"])
    assert counts["fetched_at"][:4].isdigit()  # asked in this run: its time
    counted = next(e for e in m["analyses"] if e["input"] == "counts")
    assert counted["requests"] == len(counted["urls"]) > 0
    on_disk = {p.relative_to(outdir).as_posix() for p in outdir.rglob("*")
               if p.is_file() and p.name != "manifest.json"}
    assert set(m["outputs"]) == on_disk
    for name, info in m["outputs"].items():
        got = hashlib.sha256((outdir / name).read_bytes()).hexdigest()
        assert info["sha256"] == got, name
    code, out, err = _run(capsys, "verify", outdir)
    assert code == 0 and f"{len(on_disk)} file(s) match" in out
    with open(outdir / "us_shares.csv", "a") as fh:
        fh.write("XX,extra,2016,1,1,1.0,True\n")
    (outdir / "us_network.png").unlink()
    code, out, err = _run(capsys, "verify", outdir)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 2 and all(line.startswith("collabnet: error: ") for line in lines)
    assert "us_network.png: missing" in err and "us_shares.csv: sha256" in err
    code, _, err = _run(capsys, "verify", tmp_path / "nowhere")
    assert code == 2 and err.count("\n") == 1 and "no manifest" in err


def test_record_counts_in_the_manifest_are_the_inputs(works_dir, world, tmp_path, capsys):
    job = _job(tmp_path, FILES_JOB)
    assert _run(capsys, "run", job)[0] == 0
    m = json.loads((tmp_path / "job-out" / "manifest.json").read_text())
    rec = m["inputs"]["all"]["records"]
    assert rec["files"] == 2 and rec["records"] == len(world)
    assert rec["works"] == len({w["id"] for w in world})
    assert [f[0] for f in m["inputs"]["all"]["files"]] == ["works/part_0.jsonl.gz",
                                                          "works/part_1.jsonl.gz"]


def _line_of(text: str, fragment: str, after: str | None = None) -> int:
    lines = text.splitlines()
    start = lines.index(after) if after else 0
    return next(i for i, line in enumerate(lines) if i >= start and fragment in line) + 1


@pytest.mark.parametrize("change, fragment, message", [
    (('focus = "US"\ntop = 5', 'focus = "US"\nlevle = "country"\ntop = 5'), "levle",
     "unknown key 'levle' in [[analysis]] 7 (valid: level, years, focus, merge_hk_mo, "
     "collaboration_rule, partner_level, by_year, top, kind, input, output, figure); did you "
     "mean 'level'?"),
    (('top_percent = 5', 'top_percent = "5"'), "top_percent",
     "wrong type for 'top_percent' in [[analysis]] 2: expected a number, got a string '5'"),
    (('path = "works"', 'path = ["works", "missing.jsonl"]'), "missing.jsonl",
     "[[input]] 1: no such file or folder: missing.jsonl"),
    (('kind = "strength"', 'kind = "strenght"'), "strenght",
     "unknown analysis kind 'strenght' in [[analysis]] 6 (valid: shares, rank, profile, "
     "partners, centrality, impact, trend, strength, network, report)"),
    (('kind = "rank"', 'kind = "rank"\ninput = "al"'), 'input = "al"',
     "[[analysis]] 5 (rank): no input named 'al' (inputs: all)"),
    (('compare = "2013-2016"', 'compare = "2013-2016"\nyears = "2016-2013"'), "2016-2013",
     "[[analysis]] 4 (trend): invalid year range '2016-2013'"),
    (('sort = "cosine"', 'sort = "cosinus"'), "cosinus",
     "unknown value 'cosinus' for 'sort' in [[analysis]] 6 (valid: works, fractional_weight"),
    (('output = "rank.csv"', 'output = "rank.xlsx"'), "rank.xlsx",
     "[[analysis]] 5 (rank): rank.xlsx: unknown table file type '.xlsx'"),
    (('output = "strength.csv"', 'output = "../strength.csv"'), "../strength.csv",
     "[[analysis]] 6 (strength): '../strength.csv' must be a file name inside the output "
     "folder"),
    (('output = "strength.csv"', 'output = "rank.csv"'), ('output = "rank.csv"',
                                                          'kind = "strength"'),
     "[[analysis]] 6 (strength) writes rank.csv, which [[analysis]] 5 writes too"),
])
def test_a_bad_job_file_is_one_line_with_its_line_number(works_dir, tmp_path, capsys, change,
                                                         fragment, message):
    old, new = change
    assert old in FILES_JOB
    text = FILES_JOB.replace(old, new, 1)
    job = _job(tmp_path, text)
    code, out, err = _run(capsys, "run", job)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    line = _line_of(text, *fragment) if isinstance(fragment, tuple) else _line_of(text, fragment)
    assert err.startswith(f"collabnet: error: {job}:{line}: {message}"), err
    assert not (tmp_path / "job-out").exists()  # checked before any work


@pytest.mark.parametrize("text, line, message", [
    ('[[input]]\npath = "works"\n[[analysis]]\nkind = "shares"\noutput = "s.csv"\n'
     '[openalex]\napi_key = "abc"\n', 7, "unknown key 'api_key' in [openalex]"),
    ('[[input]]\nsource = "counts"\ncountry = "JP"\nyears = 2015\n[[analysis]]\n'
     'kind = "profile"\noutput = "p.csv"\n', 5,
     "[[analysis]] 1 (profile) needs the works, but input 'input1' has source = \"counts\""),
    ('[[input]]\nsource = "counts"\ncountry = "JP"\n[[analysis]]\nkind = "shares"\n'
     'output = "s.csv"\n', 1, "[[input]] 1: a counts input needs years"),
    ('[[input]]\npath = "works"\n', None, "no [[analysis]] table: a job needs at least one"),
    ('[[input]]\npath = "works"\n[[analysis]]\nkind = "shares"\noutput = "s.csv"\n'
     'by_year = "yes"\n', 6, "wrong type for 'by_year' in [[analysis]] 1: expected true or "
     "false, got a string 'yes'"),
    ('[[input]]\npath = "works"\n[[analysis]]\nkind = "shares"\n', 3,
     "missing key 'output' in [[analysis]] 1"),
    ('[[input]]\npath = "works"\n[[analysis]]\nkind = "shares"\noutput = "s.csv"\n'
     'focus = "JP"\nx = [\n', 7, "invalid TOML"),
    ('[[input]]\ncountry = "JP"\nyears = "2013-2016"\nsource = "counts"\n[[analysis]]\n'
     'kind = "rank"\nci = true\ngroup = "G7"\noutput = "r.csv"\n', 5,
     "[[analysis]] 1 (rank): the counts path has no stability intervals"),
])
def test_more_bad_job_files(works_dir, tmp_path, capsys, text, line, message):
    job = _job(tmp_path, text)
    code, out, err = _run(capsys, "run", job)
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    where = f"{job}:{line}: " if line else f"{job}: "
    assert err.startswith(f"collabnet: error: {where}{message}"), err


def test_outputs_are_byte_identical_when_run_again_from_scratch(server, works_dir, tmp_path,
                                                                capsys, monkeypatch):
    """Two runs into fresh folders: every output the same bytes (the report's date is the
    data's, the layout and communities seeded, no date in GEXF or GraphML) — on the
    loopback server and on files. From a fresh cache (the pages fetched again) only the
    report's date may differ: it is the day the data was fetched."""
    text = QUERY_JOB.format(url=server.url, years=YEARS)
    job = _job(tmp_path, text)
    assert _run(capsys, "run", job, "-o", tmp_path / "a")[0] == 0
    time.sleep(1.1)  # a second later: a timestamp written into a file would differ
    assert _run(capsys, "run", job, "-o", tmp_path / "b")[0] == 0
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert len(a) == 7 and a == b
    monkeypatch.setenv("COLLABNET_CACHE", str(tmp_path / "cache2"))
    assert _run(capsys, "run", job, "-o", tmp_path / "fresh")[0] == 0
    fresh = _files(tmp_path / "fresh")

    def undated(page: bytes) -> bytes:
        return re.sub(rb"report made.{0,80}?\d{4}-\d\d-\d\d", b"", page)

    assert undated(fresh.pop("us_report.html")) == undated(a.pop("us_report.html"))
    assert fresh == a
    files_job = _job(tmp_path, FILES_JOB, "files.toml")
    assert _run(capsys, "run", files_job, "-o", tmp_path / "c")[0] == 0
    assert _run(capsys, "run", files_job, "-o", tmp_path / "d")[0] == 0
    c, d = _files(tmp_path / "c"), _files(tmp_path / "d")
    assert len(c) == 10 and c == d


@pytest.fixture
def no_network(monkeypatch):
    """Any connection to an address other than the loopback fails (the test would see it)."""
    real = socket.socket.connect
    tried = []

    def connect(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and not (host.startswith("127.") or host in ("::1",
                                                                               "localhost")):
            tried.append(host)
            raise OSError(f"network disabled in this test: {host}")
        return real(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    return tried


def test_the_japan_example_job_runs_offline_on_the_synthetic_world(tmp_path, capsys,
                                                                   no_network):
    job = tmp_path / "japan.toml"
    shutil.copy(REPO / "examples" / "japan.toml", job)
    t0 = time.monotonic()
    code, out, err = _run(capsys, "run", job)
    assert code == 0, err
    assert time.monotonic() - t0 < 60
    assert no_network == []
    assert '[openalex] server = "synthetic"' in err and "SYNTHETIC, not real data" in err
    outdir = tmp_path / "japan-study"  # the job's own output folder
    assert (outdir / "manifest.json").is_file()
    import pandas as pd

    for csv in outdir.glob("*.csv"):
        assert pd.read_csv(csv)["synthetic"].all(), csv.name
    rank = pd.read_csv(outdir / "oecd_rank_by_year.csv")
    assert set(rank["year"]) == set(range(2009, 2018)) and (rank["entity"] == "JP").sum() == 9
    summary = pd.read_csv(outdir / "jp_trend_2009_2017.csv")
    assert summary[["entity", "from_year", "to_year"]].values.tolist() == [["JP", 2009, 2017]]
    impact = pd.read_csv(outdir / "jp_impact.csv")
    assert {"international", "domestic"} <= set(impact["group"])
    gexf = (outdir / "japan_country_network.gexf").read_text()
    assert 'for="synthetic"' in gexf or "synthetic" in gexf
    assert "SYNTHETIC DATA" in (outdir / "japan_report.html").read_text()
    m = json.loads((outdir / "manifest.json").read_text())
    assert m["openalex"]["synthetic"] is True
    assert _run(capsys, "verify", outdir)[0] == 0
    code, out, err = _run(capsys, "run", job)
    assert code == 0 and "written" not in out and out.count("up to date") == 12


def test_a_dry_run_against_the_real_api_sends_nothing(tmp_path, capsys, no_network):
    """The example job switched to the real API, as its comment says: --dry-run lists
    api.openalex.org's URLs and the cost, and opens no connection at all."""
    text = (REPO / "examples" / "japan.toml").read_text()
    assert 'server = "synthetic"' in text
    job = _job(tmp_path, text.replace('server = "synthetic"', 'server = "api"'))
    code, out, err = _run(capsys, "run", job, "--dry-run")
    assert code == 0, err
    assert no_network == []
    urls = [line for line in out.splitlines() if line.startswith("http")]
    assert len(urls) > 9 and all(u.startswith("https://api.openalex.org/works?") for u in urls)
    assert "synthetic" not in err.lower() and "none was made" in err
    assert not (tmp_path / "japan-study").exists()


def test_the_example_job_output_folder_is_ignored_by_git():
    ignore = (REPO / ".gitignore").read_text().splitlines()
    assert "japan-study/" in ignore


# --- the schema -----------------------------------------------------------------------------
def _walk(schema, path=()):
    if isinstance(schema, dict):
        for name, sub in (schema.get("properties") or {}).items():
            yield path + (name,), sub
            yield from _walk(sub, path + (name,))
        for key in ("items", "$defs"):
            sub = schema.get(key)
            if isinstance(sub, dict) and key == "$defs":
                for name, d in sub.items():
                    yield from _walk(d, path + (name,))
            elif isinstance(sub, dict):
                yield from _walk(sub, path + ("[]",))


def test_every_key_of_the_schema_has_a_description():
    from jsonschema import Draft202012Validator

    from collabnet.jobs.schema import job_schema

    schema = job_schema()
    Draft202012Validator.check_schema(schema)
    keys = list(_walk(schema))
    assert len(keys) > 100
    assert [p for p, sub in keys if not sub.get("description")] == []


#: Command-line options that say where the works come from, not what is computed.
_INPUT_OPTIONS = {"help", "inputs", "skip_bad", "quiet", "country", "institution",
                  "work_type", "include_paratext", "exclude_retracted", "strict", "base_url",
                  "api_key", "cache", "output", "rows", "source", "dry_run", "use_cache",
                  "workers", "scheduler"}


def test_analysis_options_are_the_commands_options_with_their_defaults():
    """Every option of an analysis is an option of the command of the same name, with its
    default; and every option of the command that says what is computed is in the job."""
    from collabnet.cli.app import build_parser
    from collabnet.jobs.schema import ANALYSIS_KINDS, job_schema

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    defs = job_schema()["$defs"]
    for kind in ANALYSIS_KINDS:
        cli = {}
        for action in sub.choices[kind]._actions:
            if action.dest in _INPUT_OPTIONS:
                continue
            flag = next(o for o in action.option_strings if o.startswith("--"))
            cli["ci" if flag == "--no-ci" else flag[2:].replace("-", "_")] = action.default
        props = {k: v for k, v in defs[kind]["properties"].items()
                 if k not in ("kind", "input", "output", "figure")}
        assert set(props) == set(cli), kind
        for name, spec in props.items():
            assert spec.get("default") == cli[name], (kind, name)


def test_the_locator_finds_keys_in_array_tables_and_skips_multiline_values():
    from collabnet.jobs.locate import TomlText

    text = ('# c\n[job]\nname = """a\nkind = "x"\n"""\n[[input]]\npath = [\n  "a",\n'
            '  "b",\n]\n[[analysis]]\nkind = "shares"\n[[analysis]]\n"quoted key" = 1\n'
            'a.b = 2\n')
    t = TomlText(text)
    assert t.line_of(("job", "name")) == 3
    assert t.line_of(("job", "kind")) == 2  # inside a string: not a key
    assert t.line_of(("input", 0, "path", 1)) == 7  # an item of a multi-line array: its key
    assert t.line_of(("analysis", 0, "kind")) == 12
    assert t.line_of(("analysis", 1)) == 13
    assert t.line_of(("analysis", 1, "quoted key")) == 14
    assert t.line_of(("analysis", 1, "a", "b")) == 15
    assert t.line_of(("nothing",)) is None
    import tomllib

    assert tomllib.loads(text)["analysis"][1] == {"quoted key": 1, "a": {"b": 2}}
