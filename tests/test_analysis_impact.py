"""Citation impact by collaboration type, the top-10 % rule with ties, and the bootstrap.

The works are described in tests/analysis_records.py.
"""

from __future__ import annotations

import numpy as np
import pytest
from analysis_records import analysis_records

from collabnet.analysis.bootstrap import median_intervals, stability_intervals
from collabnet.analysis.impact import impact_by_collaboration, top_share_weights
from collabnet.errors import InputError
from collabnet.tables import build_tables


@pytest.fixture
def tables():
    return build_tables(analysis_records())


def test_top_share_weights_with_ties():
    """2020 in the records: citations 10, 0, 4, 6 (n = 4, (1 - 0.1) n = 3.6). The 10-cited
    work has 4 works at or below it: (4 - 3.6) / 1 = 0.4; all others 0.
    2021: 20, 2, 20, 6: the two 20s tie at the threshold: (4 - 3.6) / 2 = 0.2 each.
    Weights of a year sum to 0.1 x 4 = 0.4 exactly."""
    c = [10, 0, 4, 6, 20, 2, 20, 6]
    y = [2020] * 4 + [2021] * 4
    w = top_share_weights(c, y)
    assert w.tolist() == pytest.approx([0.4, 0, 0, 0, 0.2, 0, 0.2, 0])
    assert w[:4].sum() == pytest.approx(0.4) and w[4:].sum() == pytest.approx(0.4)


def test_top_share_weights_sum_property():
    """In every reference set the weights add up to share x n, whatever the ties."""
    rng = np.random.default_rng(3)
    c = rng.integers(0, 5, 500).astype(float)  # many ties
    g = rng.integers(0, 7, 500)
    for share in (0.01, 0.1, 0.5):
        w = top_share_weights(c, g, share=share)
        assert ((w >= 0) & (w <= 1)).all()
        for k in range(7):
            assert w[g == k].sum() == pytest.approx(share * (g == k).sum())


def test_top_share_weights_unknowns_and_all_zero():
    """A work with unknown citations or year gets NaN; five uncited works share the 0.5 top
    slot equally (0.1 each)."""
    w = top_share_weights([np.nan, 3, 3], [2020, 2020, None])
    assert np.isnan(w[0]) and np.isnan(w[2]) and w[1] == pytest.approx(0.1)
    assert top_share_weights([0] * 5).tolist() == pytest.approx([0.1] * 5)
    with pytest.raises(InputError):
        top_share_weights([1, 2], share=1.5)


def test_impact_by_collaboration_type(tables):
    """JP (W1 10, W2 0, W3 4, W4 6, W5 20, W8 6 citations):
    all: mean 46/6, median 6; international (W1 W5 W8): mean 12, median 10;
    domestic (W2 W4): mean 3, median 3; single-institution (W3): 4.
    FWCI: W1 2.0 and W5 4.0, others none -> mean 3.0 over 2 works (all and international).
    Top 10 %: W1 0.4, W5 0.2 -> all (0.4 + 0.2) / 6 = 0.1, international 0.6 / 3 = 0.2."""
    r = impact_by_collaboration(tables, focus="JP", ci=False).set_index("group")
    assert r.index.tolist() == ["all", "international", "domestic", "single_institution"]
    assert r.loc["all", "works"] == 6
    assert r.loc["all", "mean_citations"] == pytest.approx(46 / 6)
    assert r.loc["all", "median_citations"] == 6
    assert r.loc["international", "mean_citations"] == 12
    assert r.loc["international", "median_citations"] == 10
    assert r.loc["domestic", ["mean_citations", "median_citations"]].tolist() == [3, 3]
    assert r.loc["single_institution", "mean_citations"] == 4
    assert r.loc["all", "fwci_works"] == 2 and r.loc["all", "mean_fwci"] == 3.0
    assert np.isnan(r.loc["domestic", "mean_fwci"])
    assert r.loc["all", "top10_share"] == pytest.approx(0.1)
    assert r.loc["international", "top10_share"] == pytest.approx(0.2)
    assert r.loc["domestic", "top10_share"] == 0.0


def test_impact_by_number_of_countries_whole_data_set(tables):
    """Whole data set ('all'): one country W2 W3 W4 (0, 4, 6); two W1 W6 W8 (10, 2, 6); four
    -> the 4 bucket W5 (20); unknown W7 (20). Group works add up to the total 8."""
    r = impact_by_collaboration(tables, "all", by="n_countries", ci=False).set_index("group")
    assert r.loc["all", "works"] == 8
    assert r.loc["1", "mean_citations"] == pytest.approx(10 / 3)
    assert r.loc["2", "mean_citations"] == pytest.approx(6)
    assert r.loc["4", "works"] == 1 and r.loc["unknown", "works"] == 1
    assert r.drop(index="all")["works"].sum() == r.loc["all", "works"]
    # Top-10 % shares of the whole data set average 10 % by construction.
    assert r.loc["all", "top10_share"] == pytest.approx(0.1)


def test_impact_fractional_counting(tables):
    """Fractional JP weights: W1 1/2, W2 1, W3 1, W4 1, W5 1/3, W8 1/2 (total 13/3).
    Mean citations = (5 + 0 + 4 + 6 + 20/3 + 3) / (13/3) = (74/3) / (13/3) = 74/13."""
    r = impact_by_collaboration(tables, focus="JP", counting="fractional", ci=False)
    row = r.set_index("group").loc["all"]
    assert row["works"] == pytest.approx(13 / 3)
    assert row["mean_citations"] == pytest.approx(74 / 13)


def test_impact_intervals_and_by_year(tables):
    """Intervals bracket the estimates; per-year rows use that year's works."""
    r = impact_by_collaboration(tables, focus="JP", n_resamples=300, seed=1)
    for s in ("mean_citations", "median_citations", "top10_share"):
        ok = r[s].notna()
        assert (r.loc[ok, f"{s}_lo"] <= r.loc[ok, s] + 1e-9).all()
        assert (r.loc[ok, f"{s}_hi"] >= r.loc[ok, s] - 1e-9).all()
    y = impact_by_collaboration(tables, focus="JP", by_year=True, ci=False)
    all_rows = y[y["group"] == "all"].set_index("year")
    assert all_rows["works"].to_dict() == {2020: 4, 2021: 2}
    assert all_rows.loc[2021, "mean_citations"] == 13  # W5 20, W8 6


def test_impact_bad_options(tables):
    with pytest.raises(InputError, match="grouping"):
        impact_by_collaboration(tables, by="field")
    with pytest.raises(InputError, match="reference"):
        impact_by_collaboration(tables, reference="decade")


def test_stability_interval_of_a_share_matches_the_normal_approximation():
    """400 works, 120 international (p = 0.3): the 95 % interval is close to
    p +- 1.96 sqrt(p (1 - p) / n) = 0.3 +- 0.0449."""
    x = np.r_[np.ones(120), np.zeros(280)][:, None]
    lo, hi = stability_intervals(np.zeros(400, int), np.ones(400), x, seed=0)
    half = 1.96 * np.sqrt(0.3 * 0.7 / 400)
    assert lo[0, 0] == pytest.approx(0.3 - half, abs=0.01)
    assert hi[0, 0] == pytest.approx(0.3 + half, abs=0.01)


def test_stability_intervals_per_group_and_denominators():
    """Group 0: two works (1, 0): resampled shares 0, 1/2, 1 with probabilities 1/4, 1/2,
    1/4, so the 2.5th and 97.5th percentiles of 1000 resamples are 0 and 1. Group 1: one
    work, so its interval is its value. A second indicator whose denominator excludes every
    work of group 1 is NaN there."""
    groups = np.array([0, 0, 1])
    num = np.array([[1.0, 1.0], [0.0, 1.0], [1.0, 1.0]])
    den = np.array([[1.0, 1.0], [1.0, 1.0], [1.0, 0.0]])
    lo, hi = stability_intervals(groups, np.ones(3), num, den, seed=0)
    assert lo[0].tolist() == [0.0, 1.0] and hi[0].tolist() == [1.0, 1.0]
    assert lo[1, 0] == hi[1, 0] == 1.0
    assert np.isnan(lo[1, 1]) and np.isnan(hi[1, 1])


def test_stability_intervals_blocks_do_not_change_the_answer_much():
    """Processing in small memory blocks gives statistically the same intervals."""
    rng = np.random.default_rng(0)
    g = np.repeat(np.arange(30), 40)
    x = rng.random((1200, 1))
    lo1, hi1 = stability_intervals(g, np.ones(1200), x, seed=1)
    lo2, hi2 = stability_intervals(g, np.ones(1200), x, seed=1, max_cells=5000)
    assert np.abs(lo1 - lo2).max() < 0.05 and np.abs(hi1 - hi2).max() < 0.05


def test_median_intervals_against_plain_resampling():
    """The counting trick gives the same bounds as sorting resamples, up to resampling noise:
    for 201 values 0..200 the median's 95 % interval is about 100 +- 14."""
    v = np.arange(201, dtype=float)
    lo, hi = median_intervals(np.zeros(201, int), v, seed=0)
    rng = np.random.default_rng(5)
    meds = np.median(rng.choice(v, (1000, 201)), axis=1)
    assert lo[0] == pytest.approx(np.percentile(meds, 2.5), abs=4)
    assert hi[0] == pytest.approx(np.percentile(meds, 97.5), abs=4)
    same, _ = median_intervals(np.array([0, 0, 0, 1]), np.array([5.0, 5, 5, 7]))
    assert same.tolist() == [5.0, 7.0]
