"""The bugs the house issue named, each with the test that failed before the fix."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from fetch_helpers import synthetic_works

import collabnet
from collabnet.cli import main
from collabnet.errors import InputError
from collabnet.keys import parse_years
from collabnet.query import WorkQuery
from collabnet.tables import build_tables
from collabnet.testing import OpenAlexTestServer

OA = "https://openalex.org/"


def _work(wid, authorships, year=2015):
    return {"id": OA + wid, "publication_year": year, "authorships": authorships}


def _auth(aid, insts, countries=None):
    a = {"author": {"id": OA + aid},
         "institutions": [{"id": OA + i, "display_name": i, "country_code": c} for i, c in insts]}
    if countries is not None:
        a["countries"] = countries
    return a


@pytest.fixture
def leiden_records():
    """W1: a sole author at a JP institution whose ``countries`` also say FR: two countries,
    one institution -> international by the default rule, single-institution by Leiden's.
    W2: HK and CN institutions -> international, domestic once HK counts as China."""
    return [
        _work("W1", [_auth("A1", [("I1", "JP")], countries=["JP", "FR"])]),
        _work("W2", [_auth("A2", [("I2", "HK")]), _auth("A3", [("I3", "CN")])]),
    ]


def test_leiden_rule_survives_the_hong_kong_macao_merge(leiden_records):
    tables = build_tables(leiden_records)
    kinds = {}
    for rule in ("countries", "leiden"):
        for merge in (False, True):
            s = collabnet.shares(tables, "country", collaboration_rule=rule, merge_hk_mo=merge,
                                 counts=True).set_index("entity")
            kinds[rule, merge] = (int(s.loc["JP", "international_works"]),
                                  int(s.loc["CN", "domestic_works"]))
    # Before the fix, (leiden, merge) fell back to the default rule: JP counted 1.
    assert kinds == {("countries", False): (1, 0), ("countries", True): (1, 1),
                     ("leiden", False): (0, 0), ("leiden", True): (0, 1)}


def test_rule_and_merge_give_the_same_works_in_either_order(leiden_records):
    t = build_tables(leiden_records)
    a = collabnet.merge_hong_kong_macao(t.with_collaboration_rule("leiden"))
    b = collabnet.merge_hong_kong_macao(t).with_collaboration_rule("leiden")
    assert a.collaboration_rule == b.collaboration_rule == "leiden"
    assert a.hk_mo_merged and b.hk_mo_merged
    assert a.works["collaboration"].tolist() == b.works["collaboration"].tolist() == [
        "single_institution", "domestic"]
    # A year selection keeps both choices.
    kept = a.select(years=(2015, 2015))
    assert (kept.collaboration_rule, kept.hk_mo_merged) == ("leiden", True)


def test_leiden_rule_with_merge_on_the_command_line(leiden_records, tmp_path):
    path = tmp_path / "w.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in leiden_records))
    out = tmp_path / "p.csv"
    assert main(["profile", str(path), "--collaboration-rule", "leiden", "--merge-hk-mo",
                 "-o", str(out), "-q"]) == 0
    p = pd.read_csv(out).set_index("entity")
    assert p.loc["JP", "international_works"] == 0
    assert p.loc["CN", "domestic_works"] == 1


def test_a_trend_of_a_network_indicator_detects_no_communities(monkeypatch):
    """trends passed ``communities=None`` where the keyword is ``communities_method``; the
    catch-all ``**network_kwargs`` swallowed it and Louvain ran on every yearly network."""
    import collabnet.analysis.centrality as centrality_module

    def refuse(*args, **kwargs):
        raise AssertionError("community detection was run")

    monkeypatch.setattr(centrality_module, "communities", refuse)
    records = [_work(f"W{i}", [_auth("A1", [("I1", "JP")]), _auth("A2", [("I2", "US")])],
                     year=2010 + i % 3) for i in range(6)]
    t = collabnet.trend(build_tables(records), "degree", focus="JP")
    assert t.values["value"].tolist() == [1, 1, 1]


def test_openalex_supplementary_materials_type_is_accepted():
    q = WorkQuery(countries=["JP"], types=["supplementary-materials"])
    assert q.types == ("supplementary-materials",)
    with pytest.raises(InputError, match="unknown work type"):
        WorkQuery(countries=["JP"], types=["supplementary-material"])


@pytest.mark.parametrize("text, span", [
    ("2017", (2017, 2017)), (2017, (2017, 2017)), ("2009-2017", (2009, 2017)),
    ("2009..2017", (2009, 2017)), ("2009–2017", (2009, 2017)), ("2009-", (2009, None)),
    ("2009..", (2009, None)), ("-2017", (None, 2017)), ("..2017", (None, 2017)),
    ((2009, 2017), (2009, 2017)), ((None, 2017), (None, 2017)), (None, None), ("", None),
])
def test_one_year_grammar(text, span):
    assert parse_years(text) == span


@pytest.mark.parametrize("text", ["20x0", "2009--2017", "2017-2009", "-", "..", "2009-2017-",
                                  "999", "2200", True])
def test_one_year_grammar_rejects(text):
    with pytest.raises(InputError, match="invalid year range"):
        parse_years(text)


def test_every_years_option_reads_the_same_grammar():
    """shares accepted 2009- but not 2009..2017, WorkQuery the opposite; now both read both."""
    records = [_work(f"W{i}", [_auth("A1", [("I1", "JP")])], year=2005 + i) for i in range(10)]
    t = build_tables(records)
    for a, b in (("2009..2012", "2009-2012"), ("2009-", "2009.."), ("-2008", "..2008")):
        assert collabnet.shares(t, years=a).equals(collabnet.shares(t, years=b))
        assert collabnet.network(t, years=a).nodes(data=True) == \
            collabnet.network(t, years=b).nodes(data=True)
    assert WorkQuery(countries=["JP"], years="2009..2017") == WorkQuery(countries=["JP"],
                                                                         years="2009-2017")
    with pytest.raises(InputError, match="give both ends"):
        WorkQuery(countries=["JP"], years="2009-")


def test_shares_of_a_query_with_a_dotted_year_range(tmp_path, capsys):
    """The command the issue quotes: ``collabnet shares --country JP --years 2009..2017``."""
    with OpenAlexTestServer(synthetic_works(300, years=(2009, 2011))) as srv:
        code = main(["shares", "--country", "JP", "--years", "2009..2011", "--by-year",
                     "--focus", "JP", "--base-url", srv.url, "--cache", str(tmp_path), "-q"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "2009" in out and "2011" in out
