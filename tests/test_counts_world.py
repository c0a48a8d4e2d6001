"""The counts path against the works path on collabnet's synthetic world.

The synthetic world (``sources.sample``) has what the two paths read differently: authors
without an institution who still carry a country (``authorships[].countries``), institutions
without a country, and institutions under a parent (lineage of two). Where the records give
the two paths nothing to differ on (author countries that come from institutions), every
number must be equal; where they do, the counts follow their rule exactly and the works path
its own, and they differ only on the rows that rule predicts.
"""

from __future__ import annotations

from collections import Counter

import pandas as pd
import pytest

from collabnet.analysis.shares import international_shares
from collabnet.config import get_settings
from collabnet.query import WorkQuery
from collabnet.sources.openalex import counts, load_query
from collabnet.sources.sample import generate_works
from collabnet.tables import build_tables
from collabnet.testing import OpenAlexTestServer

YEARS = (2012, 2015)
Q = WorkQuery(years=f"{YEARS[0]}-{YEARS[1]}")
KEY = ["entity", "year"]
NUMBERS = ["works", "international_works", "domestic_works", "single_institution_works",
           "unknown_works"]


def _institution_countries_only(work: dict) -> dict:
    auths = []
    for a in work["authorships"]:
        codes = sorted({i["country_code"] for i in a["institutions"] if i.get("country_code")})
        auths.append(dict(a, countries=codes))
    return dict(work, authorships=auths)


@pytest.fixture(scope="module")
def raw_world():
    """The synthetic world, where an author without institution carries the country of an
    institution on the same work; every 40th work gets an author known only by a country
    none of its institutions is in (as OpenAlex parses from raw affiliation strings)."""
    works = list(generate_works(5000, seed=4, years=YEARS))
    for w in works[::40]:
        have = {i.get("country_code") for a in w["authorships"] for i in a["institutions"]}
        extra = next(c for c in ("KR", "BR", "ZA") if c not in have)
        w["authorships"] = [*w["authorships"], {
            "author": {"id": "https://openalex.org/A1"}, "institutions": [],
            "countries": [extra], "raw_affiliation_strings": ["somewhere"]}]
    return works


@pytest.fixture(scope="module")
def clean_world(raw_world):
    return [_institution_countries_only(w) for w in raw_world]


def both(works, tmp_path, level="country", **kw):
    with OpenAlexTestServer(works) as srv:
        s = get_settings(base_url=srv.url, cache_dir=tmp_path, env={}, max_rate=None)
        fast = counts.count_shares(Q, settings=s, level=level, breakdown=True, **kw)
        tables = build_tables(load_query(Q, settings=s, progress=False))
    slow = international_shares(tables, level, by_year=True, focus=kw.get("focus"))
    return fast, slow


def _sorted(df):
    return df.sort_values(KEY).reset_index(drop=True)


def test_every_country_equals_the_works_path(clean_world, tmp_path):
    fast, slow = both(clean_world, tmp_path)
    assert list(fast.columns) == list(slow.columns)
    assert fast["entity"].nunique() > 50
    pd.testing.assert_frame_equal(_sorted(fast), _sorted(slow), check_dtype=False)


def test_institutions_without_lineage_equal_the_works_path(clean_world, tmp_path):
    top = Counter(i["id"].rsplit("/", 1)[-1] for w in clean_world for a in w["authorships"]
                  for i in a["institutions"])
    focus = [k for k, _ in top.most_common(3)]
    fast, slow = both(clean_world, tmp_path, level="institution", focus=focus, lineage=False)
    cols = KEY + NUMBERS + ["share", "low_evidence"]
    assert set(fast["entity"]) == set(focus)
    pd.testing.assert_frame_equal(_sorted(fast)[cols], _sorted(slow)[cols], check_dtype=False)


def test_a_parent_counts_its_children_with_lineage(clean_world, tmp_path):
    """Where they must differ: the counts add the works of the institutions under a parent."""
    children = Counter(i["lineage"][1].rsplit("/", 1)[-1] for w in clean_world
                       for a in w["authorships"] for i in a["institutions"]
                       if len(i.get("lineage") or []) > 1)
    parent = children.most_common(1)[0][0]
    fast, slow = both(clean_world, tmp_path, level="institution", focus=parent)
    want = Counter()
    for w in clean_world:
        if w.get("is_paratext") or not YEARS[0] <= w["publication_year"] <= YEARS[1]:
            continue
        lineage = {x.rsplit("/", 1)[-1] for a in w["authorships"] for i in a["institutions"]
                   for x in i.get("lineage") or [i["id"]]}
        want[w["publication_year"]] += parent in lineage
    assert dict(zip(fast["year"], fast["works"], strict=True)) == +want
    merged = fast.merge(slow[KEY + ["works"]], on=KEY, how="left", suffixes=("", "_works"))
    merged = merged.fillna({"works_works": 0})
    assert (merged["works"] >= merged["works_works"]).all()
    assert merged["works"].sum() > merged["works_works"].sum()


def test_raw_parsed_countries_are_the_documented_difference(raw_world, tmp_path):
    """Where they must differ: authors known only by a country count in the works path."""
    fast, slow = both(raw_world, tmp_path)
    rule_f, rule_s, works_f, works_s = Counter(), Counter(), Counter(), Counter()
    for w in raw_world:
        y = w["publication_year"]
        if w.get("is_paratext") or not YEARS[0] <= y <= YEARS[1]:
            continue
        auths = w["authorships"]
        inst = {i["country_code"] for a in auths for i in a["institutions"]
                if i.get("country_code")}
        every = inst | {c for a in auths for c in a.get("countries") or []}
        for c in inst:
            rule_f[(c, y)] += w["countries_distinct_count"] > 1
            works_f[(c, y)] += 1
        for c in every:
            rule_s[(c, y)] += len(every) > 1
            works_s[(c, y)] += 1
    got_f = Counter(dict(zip(zip(fast.entity, fast.year), fast.international_works)))
    got_s = Counter(dict(zip(zip(slow.entity, slow.year), slow.international_works)))
    assert +got_f == +rule_f and +got_s == +rule_s
    both_sides = counts.compare_sources(slow, fast)
    differ = both_sides[both_sides["share_difference"].abs() > 1e-12]
    assert 0 < len(differ) < len(both_sides)
    predicted = {k for k in set(works_f) | set(works_s)
                 if rule_f[k] != rule_s[k] or works_f[k] != works_s[k]}
    assert set(zip(differ.entity, differ.year)) <= predicted
    assert list(both_sides.columns) == ["entity", "name", "year", "works_works",
                                        "counts_works", "works_share", "counts_share",
                                        "share_difference"]
