"""Country groups on a date, and rankings within them (with ties and missing members)."""

from __future__ import annotations

import pandas as pd
import pytest

import collabnet as cn
from collabnet.cli import main
from collabnet.errors import InputError
from collabnet.groups import expand, group_members, is_group
from collabnet.keys import normalise_focus
from collabnet.query import WorkQuery
from collabnet.tables import build_tables


def test_oecd_membership_by_year():
    """38 members today, 30 in 2009; Colombia joined in 2020, Costa Rica in 2021."""
    assert len(group_members("OECD")) == 38
    assert len(group_members("OECD", as_of=2009)) == 30
    assert "CO" not in group_members("OECD", as_of=2017)
    assert "CO" in group_members("OECD", as_of=2021) and "CR" in group_members("OECD", 2021)
    assert {"JP", "US", "KR", "DE"} <= set(group_members("OECD", as_of=2009))


def test_eu_membership_by_year():
    """The UK in EU-28 (2019), not in the EU-27 of 2021; Croatia from 2013."""
    assert len(group_members("EU", as_of=2019)) == 28 and "GB" in group_members("EU", 2019)
    assert len(group_members("EU", as_of=2021)) == 27 and "GB" not in group_members("EU", 2021)
    assert "HR" not in group_members("EU", as_of=2012) and "HR" in group_members("EU", 2013)
    assert group_members("EU28") == sorted(set(group_members("EU27")) | {"GB"})


def test_g7_g20_regions():
    assert group_members("g7") == ["CA", "DE", "FR", "GB", "IT", "JP", "US"]
    g20 = group_members("G20")
    assert len(g20) == 19 and "JP" in g20 and "NL" not in g20  # the EU is a member as a bloc
    assert "JP" in group_members("Eastern Asia") and "JP" in group_members("eastern-asia")
    assert is_group("Europe") and not is_group("JP")
    with pytest.raises(InputError, match="unknown country group"):
        group_members("NATO")
    with pytest.raises(InputError, match="not covered"):
        group_members("OECD", as_of=1950)


def test_a_group_stands_for_its_members_wherever_countries_are_listed():
    assert normalise_focus("country", "JP,G7") == ["JP", "CA", "DE", "FR", "GB", "IT", "US"]
    assert normalise_focus("country", "Eastern Asia")[:2] == ["CN", "HK"]
    assert len(WorkQuery(countries=["OECD"], years=2017).countries) == 38
    assert "GB" in expand(["EU"], as_of=2019) and "GB" not in expand(["EU"], as_of=2021)


def _work(i, year, *countries):
    return {"id": f"W{i}", "publication_year": year, "authorships": [
        {"institutions": [{"id": f"I{c}", "country_code": c}]} for c in countries]}


@pytest.fixture
def tables():
    """2017: JP 1 international of 4 (0.25); US 2 of 4 (0.5); KR 2 of 4 (0.5, tied with US);
    DE none. 2018: JP 2 of 2."""
    w = [_work(1, 2017, "JP", "US"), _work(2, 2017, "JP"), _work(3, 2017, "JP"),
         _work(4, 2017, "JP"), _work(5, 2017, "US", "KR"), _work(6, 2017, "US"),
         _work(7, 2017, "US"), _work(8, 2017, "KR"), _work(9, 2017, "KR", "CN"),
         _work(10, 2017, "KR"), _work(11, 2018, "JP", "CN"), _work(12, 2018, "JP", "CN")]
    return build_tables(w)


def test_rank_with_a_tie_and_a_member_without_data(tables):
    r = cn.rank(tables, focus="JP,US,KR,DE", years=2017, min_works=1)
    assert r[["entity", "rank", "tied", "missing"]].values.tolist() == [
        ["KR", 1, True, False], ["US", 1, True, False], ["JP", 3, False, False],
        ["DE", pd.NA, False, True]]
    assert r.set_index("entity").loc["JP", "value"] == pytest.approx(0.25)


def test_rank_by_year_and_within_a_group(tables):
    r = cn.rank(tables, group="G7", by_year=True, min_works=1)
    y2018 = r[r["year"] == 2018].set_index("entity")
    assert y2018.loc["JP", "rank"] == 1 and y2018.loc["JP", "value"] == 1.0
    assert y2018["missing"].sum() == 6  # the other G7 members have no 2018 works
    assert set(r["entity"]) == set(group_members("G7"))
    with pytest.raises(InputError, match="goes with --group"):
        cn.rank(tables, as_of=2017)


def test_rank_command_is_the_library_call(tables, tmp_path, capsys):
    import json

    path = tmp_path / "w.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in [
        _work(1, 2017, "JP", "US"), _work(2, 2017, "JP"), _work(3, 2017, "US")]))
    out = tmp_path / "r.csv"
    assert main(["rank", str(path), "--group", "G7", "--as-of", "2017", "--years", "2017",
                 "-o", str(out), "-q"]) == 0
    cli = pd.read_csv(out)
    lib = cn.rank(cn.load(str(path)), group="G7", as_of=2017, years=2017)
    assert cli["entity"].tolist() == lib["entity"].tolist()
    assert main(["rank", str(path), "--group", "NATO", "-q"]) == 2
    assert "unknown country group" in capsys.readouterr().err


def _countries_work(wid, *codes, year=2019):
    return {"id": wid, "publication_year": year, "authorships": [
        {"author": {"id": f"A{wid}{i}"}, "institutions": [{"id": f"I{i}{c}", "country_code": c}]}
        for i, c in enumerate(codes)]}


def test_compare_reports_a_group_as_one_aggregate():
    """W1 JP-US, W2 JP, W3 DE-FR, W4 CN, W5 US-CN, W6 CO. OECD (2021: with CO) has W1, W2,
    W3, W5, W6: 5 works, 3 international (a work of two members, W3, is international for the
    group too); in 2017 (without CO) 4 works, 3 international. JP: 2 works, 1 international."""
    t = build_tables([_countries_work("W1", "JP", "US"), _countries_work("W2", "JP"),
                      _countries_work("W3", "DE", "FR"), _countries_work("W4", "CN"),
                      _countries_work("W5", "US", "CN"), _countries_work("W6", "CO")])
    s = cn.shares(t, compare="JP,OECD", as_of=2021).set_index("entity")
    assert s[["works", "international_works"]].to_dict("index") == {
        "OECD": {"works": 5, "international_works": 3}, "JP": {"works": 2,
                                                              "international_works": 1}}
    assert s.loc["OECD", "name"] == "OECD (38 members in 2021)"
    s17 = cn.shares(t, compare="OECD", as_of=2017).set_index("entity")
    assert (s17.loc["OECD", "works"], s17.loc["OECD", "share"]) == (4, 0.75)
    with pytest.raises(InputError, match="not both"):
        cn.shares(t, compare="JP,OECD", focus="JP")
    with pytest.raises(InputError, match="--level country"):
        cn.shares(t, "institution", compare="OECD")


def test_compare_on_the_command_line(tmp_path, capsys):
    import gzip
    import json

    path = tmp_path / "w.jsonl.gz"
    with gzip.open(path, "wt") as fh:
        for w in (_countries_work("W1", "JP", "US"), _countries_work("W2", "JP")):
            fh.write(json.dumps(w) + "\n")
    out = tmp_path / "c.csv"
    assert main(["shares", str(path), "--compare", "JP,G7", "-o", str(out), "-q"]) == 0
    df = pd.read_csv(out, comment="#")
    assert dict(zip(df["entity"], df["works"])) == {"G7": 2, "JP": 2}
    assert main(["shares", str(path), "--compare", "JP,G7", "--source", "counts",
                 "--country", "JP"]) == 2
    assert "needs the works" in capsys.readouterr().err
