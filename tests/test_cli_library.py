"""CLI = library: every command is the library function of the same name, with its options.

Walks the parser, so a new command without its library twin, or an option the library does
not take, fails here; then runs each data command both ways on the same records and compares
the tables.
"""

from __future__ import annotations

import argparse
import inspect
import json

import networkx as nx
import pandas as pd
import pytest
from records import hand_records

import collabnet
from collabnet.cli import build_parser, main
from collabnet.tables import build_tables

#: Options that only say how the command line reads and shows things (not library keywords).
CLI_ONLY = {
    "help", "version", "command", "func", "inputs", "quiet", "skip_bad", "output", "rows",
    # how the input is read: the table cache and a Dask cluster (keywords of load)
    "use_cache", "workers", "scheduler",
    "format",  # the output file's format (network -o), like the output itself
    # the OpenAlex query and how to reach it: parsed into a WorkQuery and Settings
    "country", "institution", "work_type", "include_paratext", "exclude_retracted",
    "base_url", "api_key", "cache", "strict",
}
#: Per command: options that choose which part of the library's result is printed.
SHOWN_PART = {"trend": {"summary"},  # TrendComparison.summary instead of .values
              "snapshot": {"parts"}}  # every part of SnapshotInfo.parts, not only the totals
#: Option -> library keyword where the command line's word differs.
RENAMED = {"top_percent": "top", "communities": "communities_method", "counts": "counts",
           "job": "path"}  # run JOB.toml: run_job(path)
#: Library functions of the commands whose options are parsed into an object first.
OBJECT_OPTIONS = {"fetch": {"years", "refresh"}, "cache": {"action", "keys", "cache"}}


def _commands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


#: Commands whose first argument picks the library function (``snapshot info`` is
#: ``snapshot_info``).
ACTIONS = {"cache": ("list", "clear"), "snapshot": ("info",)}


def _library(name: str):
    return [getattr(collabnet, f"{name}_{a}") for a in ACTIONS[name]] if name in ACTIONS \
        else [getattr(collabnet, name)]


@pytest.mark.parametrize("name", sorted(_commands()))
def test_every_command_is_a_library_function_of_the_same_name(name):
    for func in _library(name):
        assert callable(func)
        assert func.__module__.startswith("collabnet.") and "cli" not in func.__module__


@pytest.mark.parametrize("name", sorted(set(_commands()) - set(OBJECT_OPTIONS)))
def test_every_option_is_a_keyword_of_the_library_function(name):
    p = _commands()[name]
    dests = {a.dest for a in p._actions} - CLI_ONLY - SHOWN_PART.get(name, set())
    dests -= {"action"} if name in ACTIONS else set()
    params = set().union(*(inspect.signature(f).parameters for f in _library(name)))
    missing = {d for d in dests if RENAMED.get(d, d) not in params}
    assert missing == set(), f"{name}: options without a library keyword: {missing}"


def test_the_indicators_share_keyword_names_order_and_defaults():
    shared = ["years", "focus", "counting", "merge_hk_mo", "collaboration_rule"]
    defaults = {"years": None, "focus": None, "counting": "full", "merge_hk_mo": False,
                "collaboration_rule": None}
    for f in (collabnet.shares, collabnet.network, collabnet.profile, collabnet.impact,
              collabnet.trend, collabnet.centrality, collabnet.strength):
        sig = inspect.signature(f)
        names = [n for n in sig.parameters if n in shared]
        assert names == [n for n in shared if n in names], f.__name__
        assert {"years", "merge_hk_mo", "collaboration_rule"} <= set(names), f.__name__
        for n in names:
            want = defaults[n] if not (f is collabnet.strength and n == "counting") else \
                "fractional"  # link strength reports both weights, so it builds fractional
            assert sig.parameters[n].default == want, (f.__name__, n)
            assert sig.parameters[n].kind is inspect.Parameter.KEYWORD_ONLY


@pytest.mark.parametrize("func", ["shares", "network", "profile", "impact", "trend",
                                  "centrality", "strength", "partners"])
def test_an_unknown_keyword_is_an_error_never_swallowed(func):
    tables = build_tables(hand_records())
    with pytest.raises(TypeError, match="communities"):
        if func == "partners":
            collabnet.partners(tables, "JP", communities=None)
        else:
            getattr(collabnet, func)(tables, communities=None)


@pytest.fixture
def works_file(tmp_path):
    p = tmp_path / "works.jsonl"
    p.write_text("".join(json.dumps(r) + "\n" for r in hand_records()))
    return p


def _csv(tmp_path, argv) -> pd.DataFrame:
    out = tmp_path / "out.csv"
    assert main([*argv, "-o", str(out), "-q"]) == 0
    return pd.read_csv(out, keep_default_na=True)


def _same(cli: pd.DataFrame, lib: pd.DataFrame) -> None:
    lib = pd.read_csv(pd.io.common.StringIO(lib.to_csv(index=False)))
    pd.testing.assert_frame_equal(cli, lib, check_dtype=False)


CASES = [
    (["shares", "--by-year", "--years", "2019..2021"], "shares",
     dict(by_year=True, years="2019..2021")),
    (["shares", "--level", "institution", "--counts", "--merge-hk-mo"], "shares",
     dict(level="institution", counts=True, merge_hk_mo=True)),
    (["profile", "--collaboration-rule", "leiden"], "profile",
     dict(collaboration_rule="leiden")),
    (["partners", "--focus", "JP"], "partners", dict(focus="JP")),
    (["impact", "--no-ci", "--level", "all"], "impact", dict(ci=False, level="all")),
    (["trend", "--focus", "JP,US", "--summary"], "trend", dict(focus="JP,US")),
    (["centrality", "--counting", "fractional"], "centrality", dict(counting="fractional")),
    (["centrality", "--summary"], "centrality", dict(summary=True)),
    (["strength", "--sort", "cosine"], "strength", dict(sort="cosine")),
]


@pytest.mark.parametrize("argv, name, kwargs", CASES, ids=[" ".join(c[0]) for c in CASES])
def test_command_and_library_give_the_same_table(works_file, tmp_path, argv, name, kwargs):
    cli = _csv(tmp_path, [argv[0], str(works_file), *argv[1:]])
    tables = collabnet.load(str(works_file))
    kwargs = dict(kwargs)
    level = kwargs.pop("level", "country")
    if name == "partners":
        lib = collabnet.partners(tables, kwargs.pop("focus"), level, **kwargs)
    elif name == "trend":
        lib = collabnet.trend(tables, "international_share", level, **kwargs).summary
    else:
        lib = getattr(collabnet, name)(tables, level, **kwargs)
    _same(cli, lib)


def test_network_command_and_library_give_the_same_graph(works_file, tmp_path):
    out = tmp_path / "n.graphml"
    assert main(["network", str(works_file), "--counting", "fractional", "--years", "2019-",
                 "-o", str(out), "-q"]) == 0
    lib = collabnet.network(collabnet.load(str(works_file)), counting="fractional",
                            years="2019-")
    cli = nx.read_graphml(out)
    assert sorted(cli.edges) == sorted(tuple(sorted(e)) for e in lib.edges)
    for u, v, d in lib.edges(data=True):
        assert cli.edges[u, v]["weight"] == pytest.approx(d["weight"])


def test_sample_and_demo_commands_write_what_the_library_writes(tmp_path):
    assert main(["sample", "--works", "50", "-o", str(tmp_path / "cli.jsonl"), "-q"]) == 0
    assert collabnet.sample(tmp_path / "lib.jsonl", 50) == 50
    assert (tmp_path / "cli.jsonl").read_bytes() == (tmp_path / "lib.jsonl").read_bytes()
    assert main(["demo", "--works", "200", "-o", str(tmp_path / "d1")]) == 0
    result = collabnet.demo(tmp_path / "d2", works=200)
    for f in result["files"]:
        assert (tmp_path / "d1" / f.name).read_bytes() == f.read_bytes()


def test_cache_commands_are_the_cache_functions(tmp_path, capsys):
    assert main(["cache", "list", "--cache", str(tmp_path)]) == 0
    assert "is empty" in capsys.readouterr().out
    assert collabnet.cache_list(cache=tmp_path) == []
    assert main(["cache", "clear", "--cache", str(tmp_path)]) == 0
    assert collabnet.cache_clear(cache=tmp_path) == {"*": 0}
