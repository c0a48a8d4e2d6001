"""Collaboration profile, Hong Kong/Macao merge and distances on hand-made works.

The works are described in tests/analysis_records.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from analysis_records import COORDS, analysis_records, institution_records

from collabnet.analysis.geo import haversine_km, institution_coordinates, read_institutions
from collabnet.analysis.profile import collaboration_profile
from collabnet.analysis.works import work_indicators
from collabnet.errors import InputError
from collabnet.selection import merge_hong_kong_macao
from collabnet.tables import build_tables


@pytest.fixture
def tables():
    return build_tables(analysis_records())


def by_entity(df):
    return df.set_index("entity")


def test_full_counting_profile(tables):
    """JP is on W1 W2 W3 W4 W5 W8 (6 works): international W1 W5 W8 (3), domestic W2 W4 (2),
    single-institution W3 (1) -> shares 1/2, 1/3, 1/6. Industry: W4 (Toyota, a company) ->
    1/6. International works with two countries: W1, W8 (bilateral); W5 has four
    (multilateral) -> 2/3 and 1/3 of the international works.
    US (W1 W5 W8) and HK (W5 W6) are international only; W7 has no country and no entity."""
    p = by_entity(collaboration_profile(tables))
    jp = p.loc["JP"]
    assert (jp["works"], jp["international_works"], jp["domestic_works"],
            jp["single_institution_works"], jp["unknown_works"]) == (6, 3, 2, 1, 0)
    assert jp["international_share"] == pytest.approx(1 / 2)
    assert jp["domestic_share"] == pytest.approx(1 / 3)
    assert jp["single_institution_share"] == pytest.approx(1 / 6)
    assert jp["industry_share"] == pytest.approx(1 / 6)
    assert (jp["bilateral_works"], jp["multilateral_works"]) == (2, 1)
    assert jp["bilateral_share"] == pytest.approx(2 / 3)
    assert p.loc["US", "international_share"] == 1.0
    assert p.loc["HK", "works"] == 2
    assert set(p.index) == {"JP", "US", "KR", "HK", "CN"}
    assert p.index[0] == "JP"  # most works first
    assert p.loc["JP", "name"] == "Japan"
    assert "near_share" not in p.columns  # no coordinates given


def test_fractional_counting_profile(tables):
    """Fractional JP output: W1 1/2 (one of two authors), W2 1, W3 1, W4 1, W5 1/3 (A1 of
    three), W8 1/2 (the single author's two affiliations) = 13/3; international part
    1/2 + 1/3 + 1/2 = 4/3 -> share 4/13. US: W1 1/2 + W5 1/6 (half of A5) + W8 1/2 = 7/6."""
    p = by_entity(collaboration_profile(tables, counting="fractional"))
    assert p.loc["JP", "works"] == pytest.approx(13 / 3)
    assert p.loc["JP", "international_works"] == pytest.approx(4 / 3)
    assert p.loc["JP", "international_share"] == pytest.approx(4 / 13)
    assert p.loc["US", "works"] == pytest.approx(7 / 6)
    # Each work with countries on all its affiliations adds exactly 1 over all countries:
    # W1..W6 and W8 -> 7 works; W7 has none.
    assert p["works"].sum() == pytest.approx(7.0)


def test_profile_by_year_and_focus(tables):
    """JP 2020: W1 international of W1-W4 -> 1/4; 2021: W5 and W8, both international."""
    p = collaboration_profile(tables, by_year=True, focus="JP")
    assert p[["year", "works", "international_share"]].values.tolist() == [
        [2020, 4, 0.25], [2021, 2, 1.0]]
    q = collaboration_profile(tables, years="2021", focus=["JP", "HK"])
    assert by_entity(q)["works"].to_dict() == {"JP": 2, "HK": 2}


def test_merge_hong_kong_macao(tables):
    """Counting HK as China (Leiden rule): W6 (HK + Beijing) becomes domestic Chinese and W5
    keeps four countries (JP US KR CN). CN then has W5 (international) and W6 (domestic)."""
    merged = merge_hong_kong_macao(tables)
    coll = merged.works.set_index("work_id")["collaboration"]
    assert coll["W6"] == "domestic" and coll["W5"] == "international"
    assert merged.works.set_index("work_id").loc["W5", "n_countries"] == 4
    assert tables.works.set_index("work_id").loc["W6", "collaboration"] == "international"
    p = by_entity(collaboration_profile(tables, merge_hk_mo=True))
    assert "HK" not in p.index
    assert (p.loc["CN", "works"], p.loc["CN", "international_share"]) == (2, 0.5)
    assert collaboration_profile(tables, merge_hk_mo=True).attrs["merge_hk_mo"] is True


def test_haversine_and_fifty_km():
    """I10 and I11 are 50 km apart on one meridian; one degree of longitude on the equator is
    2 pi R / 360 = 111.19 km with R = 6371.01 km."""
    (a, b), (c, d) = COORDS["I10"], COORDS["I11"]
    assert float(haversine_km(a, b, c, d)) == pytest.approx(50.0, abs=1e-6)
    assert float(haversine_km(0, 0, 0, 1)) == pytest.approx(2 * np.pi * 6371.01 / 360)


def test_distance_shares(tables):
    """With every institution geocoded: JP's collaborative works W1 (Tokyo-Boston ~10 800 km),
    W2 (50 km), W4 (Tokyo-Toyota ~240 km), W5 (up to Boston-Hong Kong), W8 (one author in
    Tokyo and Boston). Near (<= 100 km): W2 -> 1/6; far (>= 5000 km): W1 W5 W8 -> 3/6."""
    p = by_entity(collaboration_profile(tables, institutions=institution_records()))
    jp = p.loc["JP"]
    assert (jp["distance_known_works"], jp["near_works"], jp["far_works"]) == (6, 1, 3)
    assert jp["near_share"] == pytest.approx(1 / 6)
    assert jp["far_share"] == pytest.approx(1 / 2)
    assert jp["distance_coverage"] == 1.0


def test_distance_rules_with_a_missing_coordinate(tables):
    """Without Toyota's coordinates W4's distance is unknown (complete rule): JP has 5 works
    with a known distance, near 1/5, far 3/5, and 4 of its 5 collaborative works covered.
    Under the CWTS rule W4 has one geocoded institution of two: its distance is unknown too,
    never 0 km (which made it "near": 2 of 6 before). Asked for 90 % coverage, the 80 % here
    is too little: the distance shares are left empty."""
    coords = institution_records(skip=("I30",))
    p = by_entity(collaboration_profile(tables, institutions=coords))
    assert p.loc["JP", "distance_known_works"] == 5
    assert p.loc["JP", "near_share"] == pytest.approx(1 / 5)
    assert p.loc["JP", "far_share"] == pytest.approx(3 / 5)
    assert p.loc["JP", "distance_coverage"] == pytest.approx(4 / 5)
    q = by_entity(collaboration_profile(tables, institutions=coords, distance_rule="leiden"))
    assert q.loc["JP", "near_share"] == pytest.approx(1 / 5)
    assert q.loc["JP", "distance_coverage"] == pytest.approx(4 / 5)
    r = by_entity(collaboration_profile(tables, institutions=coords, min_coverage=0.9))
    assert np.isnan(r.loc["JP", "near_share"]) and np.isnan(r.loc["JP", "far_share"])
    assert r.loc["JP", "international_share"] == p.loc["JP", "international_share"]


def test_distance_unknown_is_not_zero(tables):
    """With no coordinates for JP's partners, no collaborative work has a known distance: the
    distance shares are NaN, not 0."""
    coords = institution_records(skip=("I11", "I20", "I30", "I40", "I50", "I51"))
    p = by_entity(collaboration_profile(tables, institutions=coords))
    assert np.isnan(p.loc["JP", "near_share"]) and p.loc["JP", "distance_coverage"] == 0.0


def test_institution_level_and_industry(tables):
    """Toyota (I30) is a company: its only work W4 counts as industry, as Leiden's work-level
    flag does. Tokyo (I10) has W1-W5, W8: industry 1/6."""
    p = by_entity(collaboration_profile(tables, "institution"))
    assert p.loc["I30", "industry_share"] == 1.0
    assert p.loc["I10", "industry_share"] == pytest.approx(1 / 6)
    assert p.loc["I10", "name"] == "University of Tokyo"


def test_profile_intervals(tables):
    """Stability intervals bracket every share; a single-work entity (KR) has a zero-width
    interval; the same seed gives the same bounds."""
    p = collaboration_profile(tables, ci=True, n_resamples=200, seed=7)
    for s in ("international_share", "domestic_share", "industry_share"):
        ok = p[s].notna()
        assert (p.loc[ok, f"{s}_lo"] <= p.loc[ok, s] + 1e-12).all()
        assert (p.loc[ok, f"{s}_hi"] >= p.loc[ok, s] - 1e-12).all()
    kr = by_entity(p).loc["KR"]
    assert kr["international_share_lo"] == kr["international_share_hi"] == 1.0
    again = collaboration_profile(tables, ci=True, n_resamples=200, seed=7)
    pd.testing.assert_frame_equal(p, again)


def test_work_indicators_and_coordinates(tmp_path, tables):
    """Per-work facts: W4 is industry; W8 (one author, two institutions) counts as
    collaborative with a distance; coordinates can come from a file of entities."""
    import json

    path = tmp_path / "inst.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in institution_records()))
    coords = read_institutions(path)
    assert list(coords.columns) == ["institution_id", "name", "country_code", "type",
                                    "latitude", "longitude"]
    assert len(coords) == len(COORDS)
    wk = work_indicators(tables, institutions=coords).set_index("work_id")
    assert wk.loc["W4", "is_industry"] and not wk.loc["W1", "is_industry"]
    assert wk.loc["W3", "distance_km"] == 0.0
    assert wk.loc["W8", "distance_km"] > 10000
    same = institution_coordinates(coords.rename(columns={"institution_id": "id"}))
    assert same["institution_id"].tolist() == coords["institution_id"].tolist()
    with pytest.raises(InputError, match="lacks column"):
        institution_coordinates(pd.DataFrame({"id": ["I1"]}))


def test_bad_options(tables):
    with pytest.raises(InputError, match="counting"):
        collaboration_profile(tables, counting="harmonic")
    with pytest.raises(InputError, match="distance rule"):
        collaboration_profile(tables, institutions=institution_records(), distance_rule="x")
    with pytest.raises(InputError, match="resamples"):
        collaboration_profile(tables, ci=True, n_resamples=0)
