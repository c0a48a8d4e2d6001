"""Canonical tables from hand-made records (see tests/records.py for the worked cases)."""

from __future__ import annotations

import pytest
from records import hand_records

from collabnet.errors import MalformedRecordError
from collabnet.loader import read_tables
from collabnet.tables import build_tables


@pytest.fixture
def tables():
    return build_tables(hand_records())


def test_duplicate_work_counted_once(tables):
    """W1 appears twice; 7 distinct works remain and the newer copy (10 citations, read
    first) is kept, not the older one read last."""
    assert sorted(tables.works["work_id"]) == ["W1", "W2", "W3", "W4", "W5", "W6", "W7"]
    w1 = tables.works.set_index("work_id").loc["W1"]
    assert w1["cited_by_count"] == 10


def test_collaboration_types(tables):
    """W1, W6, W7 international; W2 domestic; W3 single-institution; W4, W5 unknown."""
    got = dict(zip(tables.works["work_id"], tables.works["collaboration"].astype(str)))
    assert got == {
        "W1": "international",
        "W2": "domestic",
        "W3": "single_institution",
        "W4": "unknown",
        "W5": "unknown",
        "W6": "international",
        "W7": "international",
    }


def test_counts_per_work(tables):
    """W1: 3 authors, 3 institutions (I1, I2, I3), 2 countries (I3 has none); W4: zeros;
    W7: 1 institution but 2 countries because A8's raw-parsed FR counts."""
    w = tables.works.set_index("work_id")
    assert w.loc["W1", ["n_authors", "n_institutions", "n_countries"]].tolist() == [3, 3, 2]
    assert w.loc["W4", ["n_authors", "n_institutions", "n_countries"]].tolist() == [0, 0, 0]
    assert w.loc["W7", ["n_authors", "n_institutions", "n_countries"]].tolist() == [2, 1, 2]
    assert w.loc["W1", "countries_distinct_count"] == 2
    assert w.loc["W6", "countries_distinct_count"] is not None


def test_affiliation_rows_and_fractional_weights(tables):
    """W1 rows: A1/I1 1/3, A2/I2 1/6, A2/I1 1/6, A3/I3 1/3 (country null). Every work with
    authors has weights summing to 1; W4 has no rows."""
    a = tables.affiliations
    w1 = a[a["work_id"] == "W1"]
    rows = sorted(
        zip(w1["author_id"], w1["institution_id"], w1["country_code"].fillna("-"), w1["weight"])
    )
    assert rows == [
        ("A1", "I1", "JP", pytest.approx(1 / 3)),
        ("A2", "I1", "JP", pytest.approx(1 / 6)),
        ("A2", "I2", "US", pytest.approx(1 / 6)),
        ("A3", "I3", "-", pytest.approx(1 / 3)),
    ]
    sums = a.groupby("work_id")["weight"].sum()
    assert sums.to_dict() == {k: pytest.approx(1.0) for k in ["W1", "W2", "W3", "W5", "W6", "W7"]}
    assert "W4" not in set(a["work_id"])
    w7 = a[a["work_id"] == "W7"].sort_values("author_index")
    assert w7["institution_id"].isna().tolist() == [True, False]
    assert w7["country_code"].tolist() == ["FR", "JP"]


def test_ids_short_and_codes_upper():
    """Ids lose their URL prefix; lower-case codes are upper-cased; empty codes become null."""
    rec = {
        "id": "https://openalex.org/w42",
        "authorships": [
            {"author": {"id": "https://openalex.org/A7"}, "countries": ["", "de"],
             "institutions": [{"id": "https://openalex.org/I9", "country_code": "fr"}]}
        ],
    }
    t = build_tables([rec])
    assert t.works["work_id"].tolist() == ["W42"]
    a = t.affiliations.sort_values("country_code")
    assert a["country_code"].tolist() == ["DE", "FR"]
    assert set(a["institution_id"].dropna()) == {"I9"}


def test_odd_types_are_coerced_not_lost():
    """Real records sometimes hold "true" strings where booleans belong; they are read."""
    rec = {"id": "W1", "is_paratext": "false", "publication_year": "2019",
           "authorships": [{"is_corresponding": "true", "institutions": []}]}
    t = build_tables([rec])
    assert t.works.loc[0, "is_paratext"] is False or t.works.loc[0, "is_paratext"] == False  # noqa: E712
    assert t.works.loc[0, "year"] == 2019
    assert bool(t.affiliations.loc[0, "is_corresponding"]) is True


def test_impossible_record_names_its_place(tmp_path):
    """A record whose authorships is not a list is malformed: the error names file and line."""
    p = tmp_path / "bad.jsonl"
    p.write_text('{"id": "W1", "authorships": []}\n{"id": "W2", "authorships": "oops"}\n')
    with pytest.raises(MalformedRecordError) as exc:
        read_tables(p)
    assert f"{p}:2" in str(exc.value)
    assert "W2" in str(exc.value)


def test_select_years(tables):
    """Years 2020-2021 keep W3, W4, W5, W6, W7 and their affiliation rows only."""
    sub = tables.select(years=(2020, 2021))
    assert sorted(sub.works["work_id"]) == ["W3", "W4", "W5", "W6", "W7"]
    assert set(sub.affiliations["work_id"]) == {"W3", "W5", "W6", "W7"}


def test_institutions_table(tables):
    """I3's name keeps its characters here (cleaning is the exporter's job); no country."""
    inst = tables.institutions().set_index("institution_id")
    assert inst.loc["I3", "name"] == "Lab & <Co>\x07 Ltd"
    assert inst.loc["I3", "type"] == "company"
    assert inst["country_code"].isna().to_dict()["I3"]
    assert inst.loc["I2", "country_code"] == "US"


def test_real_records_parse_and_country_counts_agree(shared_works):
    """Every real record parses; our country count equals OpenAlex's countries_distinct_count
    in at least 99 % of the records that carry it (ours also counts raw-parsed author
    countries, which OpenAlex's count leaves out, so a small gap is expected)."""
    tables, report = read_tables(shared_works)
    assert report.bad == 0
    assert report.records > 15000
    assert len(tables) == report.works
    w = tables.works.dropna(subset=["countries_distinct_count"])
    assert len(w) > 5000
    agree = (w["countries_distinct_count"] == w["n_countries"]).mean()
    assert agree >= 0.99, agree
    sums = tables.affiliations.groupby("work_id")["weight"].sum()
    assert sums.between(0.999999, 1.000001).all()


def test_leiden_collaboration_rule():
    """Under the Leiden rule a work needs >= 2 institutions to be a collaboration: W7 (A8 in
    FR with no institution, A9 at I1 in JP: 2 countries, 1 institution) becomes
    single-institution; W1 and W6 (>= 2 institutions) stay international."""
    t = build_tables(hand_records())
    leiden = t.with_collaboration_rule("leiden")
    got = dict(zip(leiden.works["work_id"], leiden.works["collaboration"].astype(str)))
    assert got["W7"] == "single_institution"
    assert got["W1"] == got["W6"] == "international"
    assert got["W2"] == "domestic" and got["W4"] == "unknown"
    # the default is untouched
    assert dict(zip(t.works["work_id"], t.works["collaboration"].astype(str)))["W7"] == (
        "international"
    )
    with pytest.raises(Exception, match="unknown collaboration rule"):
        t.with_collaboration_rule("nope")


def _same_tables(a, b):
    import pandas.testing as pdt

    pdt.assert_frame_equal(a.works, b.works)
    pdt.assert_frame_equal(a.affiliations, b.affiliations)


def test_fast_reader_equals_record_reader(tmp_path):
    """The Arrow JSON reader and the record-by-record reader give identical tables and
    reports on the hand-made records (incl. the duplicate W1), split over two files with a
    duplicate across them."""
    import json

    recs = hand_records()
    (tmp_path / "a.jsonl").write_text("".join(json.dumps(r) + "\n" for r in recs[:5]))
    (tmp_path / "b.jsonl").write_text("".join(json.dumps(r) + "\n" for r in recs[3:]))
    fast, rf = read_tables(tmp_path)
    slow, rs = read_tables(tmp_path, engine="python")
    _same_tables(fast, slow)
    assert (rf.records, rf.duplicates, rf.works) == (rs.records, rs.duplicates, rs.works)
    assert (rf.records, rf.duplicates) == (10, 3)


def test_fast_reader_falls_back_and_still_names_the_line(tmp_path):
    """A file the Arrow reader cannot take (a string where a number belongs, a bad line) is
    read record by record: fixable values are fixed, a bad line is reported with its place."""
    p = tmp_path / "odd.jsonl"
    p.write_text('{"id": "W1", "publication_year": "2019", "authorships": []}\n')
    t, _ = read_tables(p)
    assert t.works.loc[0, "year"] == 2019
    p.write_text('{"id": "W1", "authorships": []}\n{"id": "W2", "authorships": "x"}\n')
    with pytest.raises(MalformedRecordError, match=f"{p}:2"):
        read_tables(p)


def test_fast_reader_equals_record_reader_on_real_files(shared_works):
    """Both readers give identical tables and counts on every real record file."""
    fast, rf = read_tables(shared_works)
    slow, rs = read_tables(shared_works, engine="python")
    _same_tables(fast, slow)
    assert (rf.records, rf.duplicates, rf.works) == (rs.records, rs.duplicates, rs.works)
