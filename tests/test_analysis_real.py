"""The analysis indicators over the real OpenAlex records in ../shared/data (skipped when
absent): properties that must hold whatever the data, and King Fahd University of Petroleum
and Minerals (I134085113), the institution with most works in the records."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import SHARED_DATA

from collabnet.analysis.centrality import centrality
from collabnet.analysis.impact import impact_by_collaboration
from collabnet.analysis.partners import partners
from collabnet.analysis.profile import collaboration_profile
from collabnet.analysis.strength import link_strength
from collabnet.sources import read_works
from collabnet.tables import build_tables

KFUPM = "I134085113"


@pytest.fixture(scope="module")
def real_tables():
    works = SHARED_DATA / "works"
    if not works.is_dir():
        pytest.skip(f"real OpenAlex records not available ({works} is absent)")
    return build_tables(read_works(works).records)


@pytest.fixture(scope="module")
def coordinates():
    path = SHARED_DATA / "institutions" / "institutions.jsonl.gz"
    if not path.is_file():
        pytest.skip(f"real institution records not available ({path} is absent)")
    return path


def test_profile_properties(real_tables, coordinates):
    """Counts add up to works; every share lies in [0, 1]; international + domestic +
    single-institution shares add to 1; fractional outputs add up to at most the works."""
    for level in ("country", "institution"):
        p = collaboration_profile(real_tables, level, institutions=coordinates)
        parts = p[["international_works", "domestic_works", "single_institution_works",
                   "unknown_works"]].sum(axis=1)
        assert (parts == p["works"]).all()
        shares = [c for c in p.columns if c.endswith("_share")]
        vals = p[shares].to_numpy(dtype=float)
        assert np.nanmin(vals) >= 0 and np.nanmax(vals) <= 1
        known = p["international_share"].notna()
        total = p.loc[known, ["international_share", "domestic_share",
                              "single_institution_share"]].sum(axis=1)
        assert np.allclose(total, 1.0)
    f = collaboration_profile(real_tables, "country", counting="fractional")
    per_work = real_tables.entity_works("country").groupby("work_id")["fraction"].sum()
    assert per_work.max() <= 1 + 1e-9
    assert f["works"].sum() == pytest.approx(per_work.sum())


def test_kfupm(real_tables, coordinates):
    """KFUPM has over 2000 works here; its partners, impact rows and profile agree."""
    p = collaboration_profile(real_tables, "institution", focus=KFUPM, ci=True,
                              institutions=coordinates, n_resamples=200).iloc[0]
    assert p["name"] == "King Fahd University of Petroleum and Minerals"
    assert p["works"] > 2000
    assert p["international_share_lo"] <= p["international_share"] <= p["international_share_hi"]
    q = partners(real_tables, KFUPM, "institution", partner_level="country")
    assert "SA" not in set(q["partner"])  # its own country
    assert q.loc[0, "works"] <= p["international_works"]
    r = impact_by_collaboration(real_tables, "institution", focus=KFUPM, n_resamples=200)
    by_type = r.set_index("group")
    assert by_type.loc["all", "works"] == p["works"]
    assert by_type.drop(index="all")["works"].sum() == p["works"]


def test_networks(real_tables):
    """Country centrality is exact; link strengths are symmetric measures within bounds."""
    c = centrality(real_tables, "country")
    assert not c["approximate"].any() and c["pagerank"].sum() == pytest.approx(1.0)
    s = link_strength(real_tables, "country")
    assert ((s["jaccard"] > 0) & (s["jaccard"] <= 1)).all()
    assert (s["association_strength"] > 0).all()
