"""International shares and co-authorship networks on the hand-made records (tests/records.py)."""

from __future__ import annotations

import pytest
from records import hand_records

from collabnet.analysis.shares import collaboration_summary, international_shares
from collabnet.errors import InputError
from collabnet.keys import parse_years
from collabnet.networks import coauthorship_network
from collabnet.tables import build_tables


@pytest.fixture
def tables():
    return build_tables(hand_records())


def rows(df, cols):
    return {r[0]: tuple(r[1:]) for r in df[cols].itertuples(index=False)}


def test_country_shares(tables):
    """JP: W1 W2 W3 W7 -> 4 works, international W1 W7, domestic W2, single W3 -> 50 %.
    US: W1 W6 -> 2 international (100 %); DE (W6) and FR (W7): 1 international each."""
    s = international_shares(tables, "country")
    cols = ["entity", "works", "international_works", "domestic_works",
            "single_institution_works", "unknown_works", "share"]
    assert rows(s, cols) == {
        "JP": (4, 2, 1, 1, 0, 0.5),
        "US": (2, 2, 0, 0, 0, 1.0),
        "DE": (1, 1, 0, 0, 0, 1.0),
        "FR": (1, 1, 0, 0, 0, 1.0),
    }
    assert s["entity"].tolist()[:2] == ["JP", "US"]  # most works first
    assert s.loc[s["entity"] == "JP", "name"].item() == "Japan"


def test_institution_shares_with_unknown(tables):
    """I3 (no country): W1 international, W5 unknown -> share 1/(2-1) = 100 %, unknown 1.
    I1: W1 W2 W3 W7 -> 50 %. Totals add up for every row."""
    s = international_shares(tables, "institution")
    cols = ["entity", "works", "international_works", "unknown_works", "share"]
    got = rows(s, cols)
    assert got["I3"] == (2, 1, 1, 1.0)
    assert got["I1"] == (4, 2, 0, 0.5)
    parts = s[["international_works", "domestic_works", "single_institution_works",
               "unknown_works"]].sum(axis=1)
    assert (parts == s["works"]).all()
    assert s.set_index("entity").loc["I3", "name"] == "Lab & <Co>\x07 Ltd"


def test_shares_by_year_and_focus(tables):
    """JP by year: 2019 W1 (int) W2 (dom) -> 50 %; 2020 W3 -> 0 %; 2021 W7 -> 100 %."""
    s = international_shares(tables, "country", by_year=True, focus="jp")
    assert s[["year", "works", "international_works", "share"]].values.tolist() == [
        [2019, 2, 1, 0.5], [2020, 1, 0, 0.0], [2021, 1, 1, 1.0]]
    s = international_shares(tables, "country", years="2020-2021", focus=["JP", "US"])
    assert rows(s, ["entity", "works", "international_works"]) == {"JP": (2, 1), "US": (1, 1)}


def test_bad_options(tables):
    with pytest.raises(InputError, match="invalid country code 'XX1'"):
        international_shares(tables, focus="XX1")
    with pytest.raises(InputError, match="2020 is after 2010"):
        international_shares(tables, years="2020-2010")
    with pytest.raises(InputError, match="unknown level"):
        international_shares(tables, "planet")
    assert parse_years("2009-2017") == (2009, 2017)
    assert parse_years("2015") == (2015, 2015)
    assert parse_years("2009-") == (2009, None)


def test_summary_adds_up(tables):
    """3 international, 1 domestic, 1 single-institution, 2 unknown = 7 works."""
    s = collaboration_summary(tables)
    assert s["works"].tolist() == [3, 1, 1, 2]
    assert s["share"].sum() == pytest.approx(1.0)


def test_country_network_full_and_fractional(tables):
    """Full: JP-US (W1), US-DE (W6), JP-FR (W7), one work each.
    Fractional (Perianes-Rodriguez et al.: pairs of distinct authors, 1/(n-1) each, spread
    1/(m_a m_b) over their affiliations): in W1 (n=3) only the pair A1 (JP) - A2 (US and JP)
    links JP to US: 1/2 * 1 * 1/2 = 0.25 (A2's own JP-US is no link, A3 has no country);
    W6 and W7 have n=2 -> 1*1/1 = 1. Fractional output of JP:
    W1 1.5/3 + W2 2/2 (both authors in JP) + W3 1 + W7 1/2 = 3; of US: W1 0.5/3 + W6 1/2
    = 2/3."""
    full = coauthorship_network(tables, "country")
    assert {tuple(sorted(e)): d["works"] for *e, d in [(u, v, d) for u, v, d in
            full.edges(data=True)]} == {("JP", "US"): 1, ("DE", "US"): 1, ("FR", "JP"): 1}
    assert all(d["weight"] == d["works"] for _, _, d in full.edges(data=True))
    frac = coauthorship_network(tables, "country", counting="fractional")
    assert frac.edges["JP", "US"]["weight"] == pytest.approx(0.25)
    assert frac.edges["US", "DE"]["weight"] == pytest.approx(1.0)
    assert frac.edges["JP", "US"]["works"] == 1
    jp = frac.nodes["JP"]
    assert (jp["label"], jp["works"], jp["international_works"], jp["share"]) == ("JP", 4, 2, 0.5)
    assert jp["fractional_works"] == pytest.approx(3.0)
    assert frac.nodes["US"]["fractional_works"] == pytest.approx(2 / 3)
    assert jp["name"] == "Japan"
    assert not frac.is_directed()


def test_institution_network(tables):
    """W1 links I1-I2, I1-I3, I2-I3; W2 links I1-I4; W6 links I2-I5. Fractional W1:
    a_I1 = 1.5, a_I2 = 0.5, a_I3 = 1 -> I1-I2 0.375, I1-I3 0.75, I2-I3 0.25."""
    g = coauthorship_network(tables, "institution", counting="fractional")
    assert sorted(tuple(sorted(e)) for e in g.edges) == [
        ("I1", "I2"), ("I1", "I3"), ("I1", "I4"), ("I2", "I3"), ("I2", "I5")]
    assert g.edges["I1", "I3"]["weight"] == pytest.approx(0.75)
    assert g.edges["I2", "I3"]["weight"] == pytest.approx(0.25)
    n = g.nodes["I3"]
    assert n["label"] == "Lab & <Co>\x07 Ltd"
    assert n["type"] == "company"
    assert "country_code" not in n  # unknown: omitted, never None
    assert g.nodes["I1"]["country_code"] == "JP"


def test_network_options(tables):
    """years 2019 keeps W1, W2: JP-US only. top=2 keeps JP (4 works) and US (2).
    min_weight 0.5 on fractional drops JP-US (0.375)."""
    g = coauthorship_network(tables, "country", years="2019")
    assert sorted(g.nodes) == ["JP", "US"] and g.number_of_edges() == 1
    g = coauthorship_network(tables, "country", top=2)
    assert sorted(g.nodes) == ["JP", "US"]
    g = coauthorship_network(tables, "country", counting="fractional", min_weight=0.5)
    assert not g.has_edge("JP", "US") and g.has_edge("US", "DE")
    with pytest.raises(InputError):
        coauthorship_network(tables, "country", counting="half")
