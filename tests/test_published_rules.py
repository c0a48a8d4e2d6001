"""Rules every number rests on, worked by hand: which copy of a duplicated work wins, country
codes read as unknown (and counted), how a country named only in ``authorships[].countries``
shares the author's credit, and author names."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pytest

import collabnet as cn
from collabnet.loader import read_tables
from collabnet.sources.files import read_works
from collabnet.tables import build_tables

OA = "https://openalex.org/"
ENGINES = ("auto", "python")
SHARED_WORKS = Path(__file__).resolve().parents[2] / "shared" / "data" / "works"


def _work(wid, countries, *, date=None, cited=0):
    """A work with one author per country code (institution I<n> in that country)."""
    w = {"id": OA + wid, "publication_year": 2020, "cited_by_count": cited,
         "authorships": [{"author": {"id": f"{OA}A{i}"},
                          "institutions": [{"id": f"{OA}I{i}", "country_code": c}]}
                         for i, c in enumerate(countries)]}
    if date is not None:
        w["updated_date"] = date
    return w


def _write(path: Path, records) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt") as fh:
        for r in records:
            fh.write(json.dumps(r) + "\n")
    return path


# --- 1. which copy of a duplicated work wins -------------------------------------------------

@pytest.mark.parametrize("engine", ENGINES)
def test_newest_copy_wins_whatever_the_file_order(tmp_path, engine):
    """a.jsonl.gz (read first) has the 2025 copy of W1 (CN only), b.jsonl.gz the 2023 copy
    (CN, TW, US), as in the real W3008827533: the 2025 copy wins, W1 is not international."""
    _write(tmp_path / "a.jsonl.gz", [_work("W1", ["CN"], date="2025-10-24T01:49:38.652585")])
    _write(tmp_path / "b.jsonl.gz", [_work("W1", ["CN", "TW", "US"],
                                           date="2023-09-26T18:07:25.488019"),
                                     _work("W2", ["JP"])])
    tables, report = read_tables(tmp_path, engine=engine)
    assert (report.records, report.works, report.duplicates) == (3, 2, 1)
    w1 = tables.works.set_index("work_id").loc["W1"]
    assert (w1["n_countries"], w1["collaboration"]) == (1, "single_institution")
    assert set(tables.affiliations.loc[tables.affiliations.work_id == "W1", "country_code"]) \
        == {"CN"}


@pytest.mark.parametrize("engine", ENGINES)
def test_missing_date_is_oldest_and_ties_go_to_the_copy_read_last(tmp_path, engine):
    """W1: dated copy (10 citations) beats an undated one read later (11). W2: two copies with
    the same date, the one read last (21) wins. W3: two undated copies in one file, the later
    line (31) wins."""
    _write(tmp_path / "1.jsonl.gz", [_work("W1", ["JP"], date="2020-01-01", cited=10),
                                     _work("W2", ["JP"], date="2024-02-02", cited=20),
                                     _work("W3", ["JP"], cited=30),
                                     _work("W3", ["JP"], cited=31)])
    _write(tmp_path / "2.jsonl.gz", [_work("W1", ["JP"], cited=11),
                                     _work("W2", ["JP"], date="2024-02-02", cited=21)])
    tables, report = read_tables(tmp_path, engine=engine)
    got = tables.works.set_index("work_id")["cited_by_count"].to_dict()
    assert got == {"W1": 10, "W2": 21, "W3": 31}
    assert report.duplicates == 3
    assert len(tables.affiliations) == 3  # the losing copies leave no affiliation behind


def test_every_reader_keeps_the_same_copy(tmp_path):
    """read_works (records in memory) and build_tables (records given) follow the same rule as
    read_tables; read_works keeps the winner at the place of the first copy."""
    recs = [_work("W1", ["JP"], date="2021-01-01", cited=1), _work("W2", ["US"]),
            _work("W1", ["JP"], date="2022-01-01", cited=2),
            _work("W1", ["JP"], date="2020-01-01", cited=3)]
    _write(tmp_path / "w.jsonl.gz", recs)
    result = read_works(tmp_path)
    assert [(r["id"][-2:], r["cited_by_count"]) for r in result.records] == [("W1", 2), ("W2", 0)]
    assert result.report.duplicates == 2
    built = build_tables(recs).works.set_index("work_id")["cited_by_count"].to_dict()
    assert built == {"W1": 2, "W2": 0}
    # Across batches of build_tables too.
    built = build_tables(recs, batch_size=1).works.set_index("work_id")["cited_by_count"]
    assert built.to_dict() == {"W1": 2, "W2": 0}


def test_later_snapshot_partition_wins_a_tie(tmp_path):
    """Snapshot parts without record dates: updated_date=2024-… is read after 2023-…."""
    _write(tmp_path / "updated_date=2023-05-01" / "part_000.gz", [_work("W1", ["JP", "US"])])
    _write(tmp_path / "updated_date=2024-06-01" / "part_000.gz", [_work("W1", ["JP"])])
    tables, _ = read_tables(tmp_path)
    assert tables.works["collaboration"].tolist() == ["single_institution"]


@pytest.mark.skipif(not SHARED_WORKS.is_dir(), reason="../shared/data/works is not present")
def test_real_duplicate_keeps_the_newest_copy():
    """W3008827533 is in two real files: CN/NZ/TW/US (2023, read first) and CN (2025)."""
    files = sorted(SHARED_WORKS.glob("*.jsonl.gz"))
    tables, report = read_tables(files)
    assert report.duplicates >= 99
    aff = tables.affiliations
    assert set(aff.loc[aff.work_id == "W3008827533", "country_code"].dropna()) == {"CN"}


# --- 2. codes read as unknown are counted ----------------------------------------------------

def test_unknown_codes_are_counted_in_a_warning():
    """JPN (institution), USA and jp- (countries) are read as unknown: three codes, named; a
    blank code is no code at all, not a bad one. jp (lower case) is JP."""
    t = build_tables([{"id": "W1", "authorships": [
        {"author": {"id": "A1"}, "countries": ["USA", " ", "jp-"],
         "institutions": [{"id": "I1", "country_code": "JPN"},
                          {"id": "I2", "country_code": "jp"}]}]}])
    assert t.warnings == ("3 country codes not ISO 3166-1 alpha-2 read as unknown "
                          "(e.g. 'JPN', 'USA', 'jp-')",)
    assert t.affiliations["country_code"].dropna().tolist() == ["JP"]
    assert build_tables([_work("W1", ["JP"])]).warnings == ()


def test_unknown_codes_warning_reaches_the_command_line(tmp_path, capsys):
    from collabnet.cli import main

    _write(tmp_path / "w.jsonl.gz", [_work("W1", ["JPN", "US"])])
    assert main(["shares", str(tmp_path), "-q"]) == 0
    err = capsys.readouterr().err
    assert "1 country code not ISO 3166-1 alpha-2 read as unknown (e.g. 'JPN')" in err


# --- 5a. a country only ``countries`` names ---------------------------------------------------

def _fractional(t, level):
    """Fractional works per entity, as the network's nodes carry them."""
    g = cn.network(t, level=level, counting="fractional")
    return dict(g.nodes(data="fractional_works"))


def _aff(t):
    a = t.affiliations
    return {(r.author_index, r.institution_id if isinstance(r.institution_id, str) else None,
             r.country_code if isinstance(r.country_code, str) else None): round(r.weight, 6)
            for r in a.itertuples()}


def test_country_named_only_in_countries_takes_no_share_of_a_placed_institution():
    """Two authors (1/2 each). A1 at I1 (AE) lists countries AE, US: I1 keeps all of A1's
    credit 1/2 (it used to get 1/4, US the other 1/4); US counts for the work's countries
    with weight 0, so the work is international."""
    t = build_tables([{"id": "W1", "authorships": [
        {"author": {"id": "A1"}, "countries": ["AE", "US"],
         "institutions": [{"id": "I1", "country_code": "AE"}]},
        {"author": {"id": "A2"}, "institutions": [{"id": "I2", "country_code": "AE"}]}]}])
    assert _aff(t) == {(0, "I1", "AE"): 0.5, (0, None, "US"): 0.0, (1, "I2", "AE"): 0.5}
    assert t.works["collaboration"].tolist() == ["international"]
    assert _fractional(t, "country") == pytest.approx({"AE": 1.0, "US": 0.0})


def test_country_named_only_in_countries_fills_institutions_without_a_country():
    """One author (credit 1) at I1 (JP) and I2 (no country), countries JP, FR, DE: 1/2 each
    institution; FR and DE share I2's half (1/4 each). A second work: an author with no
    institution and countries GB, CN gets 1/2 each (the author's empty slot)."""
    t = build_tables([{"id": "W1", "authorships": [
        {"author": {"id": "A1"}, "countries": ["JP", "FR", "DE"],
         "institutions": [{"id": "I1", "country_code": "JP"}, {"id": "I2"}]}]},
        {"id": "W2", "authorships": [{"author": {"id": "A2"}, "countries": ["GB", "CN"],
                                      "institutions": []}]}])
    got = {k: v for k, v in _aff(t.select(work_ids=["W1"])).items()}
    assert got == {(0, "I1", "JP"): 0.5, (0, "I2", "FR"): 0.25, (0, "I2", "DE"): 0.25}
    assert _aff(t.select(work_ids=["W2"])) == {(0, None, "GB"): 0.5, (0, None, "CN"): 0.5}
    assert _fractional(t, "institution") == pytest.approx({"I1": 0.5, "I2": 0.5})


@pytest.mark.skipif(not SHARED_WORKS.is_dir(), reason="../shared/data/works is not present")
def test_real_weights_sum_to_one_per_work_and_fujairah_keeps_its_credit():
    """Over the real records each work with authors has weights summing to 1; University of
    Science and Technology of Fujairah (its authors list a country none of their institutions
    has) gets 14.5 fractional works, not the 7.25 of counting that country as an affiliation."""
    tables, _ = read_tables(sorted(SHARED_WORKS.glob("*.jsonl.gz")))
    sums = tables.affiliations.groupby("work_id")["weight"].sum()
    assert np.allclose(sums.to_numpy(), 1.0)
    names = tables.institutions().set_index("institution_id")["name"]
    fujairah = names[names.str.contains("Fujairah", na=False)].index
    assert len(fujairah) == 1
    assert _fractional(tables, "institution")[fujairah[0]] == pytest.approx(14.5)


# --- 11. author names ------------------------------------------------------------------------

def test_author_level_uses_display_names(tmp_path):
    """Names from authorships[].author.display_name (the most frequent per id); an author
    OpenAlex gives no name keeps the id as label."""
    recs = [{"id": "W1", "authorships": [
        {"author": {"id": OA + "A1", "display_name": "Hiroshi Tanaka"},
         "institutions": [{"id": "I1", "country_code": "JP"}]},
        {"author": {"id": OA + "A2"}, "institutions": [{"id": "I2", "country_code": "US"}]}]}]
    t = build_tables(recs)
    g = cn.network(t, level="author")
    assert {n: d["label"] for n, d in g.nodes(data=True)} == {"A1": "Hiroshi Tanaka",
                                                              "A2": "A2"}
    s = cn.shares(t, level="author").set_index("entity")
    assert s.loc["A1", "name"] == "Hiroshi Tanaka"
    out = tmp_path / "a.graphml"
    cn.write_graphml(g, out)
    assert "Hiroshi Tanaka" in out.read_text()
