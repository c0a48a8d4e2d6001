"""The counts path's request budgets, counted on the loopback server.

Every country at once: 2 requests a year (4 with more than 200 countries); one country or
one institution with its lineage over any span: 2 in all; a set of entities: 2 in all where
the server answers a nested group_by, else one refused probe plus the cheaper of 2 per
entity and 2 per year. Each case also checks the numbers against the records, counted here
in Python by the counts' rule (institution countries; international = two or more).
"""

from __future__ import annotations

import random
from collections import Counter

import pandas as pd
import pytest

from collabnet.config import get_settings
from collabnet.keys import normalise_focus
from collabnet.query import WorkQuery
from collabnet.sources.openalex import counts
from collabnet.testing import COUNTRY_NAMES, OpenAlexTestServer

OECD = normalise_focus("country", "OECD")
OTHERS = ["CN", "IN", "BR", "ZA", "NG", "EG", "ID", "AR", "RU", "SA", "VN", "PK"]
TOKYO = "I74801974"
CHILDREN = ["I900000001", "I900000002"]  # under the University of Tokyo


def _inst(iid: str, cc: str, parent: str | None = None) -> dict:
    lineage = [f"https://openalex.org/{iid}"] + ([f"https://openalex.org/{parent}"]
                                                  if parent else [])
    return {"id": f"https://openalex.org/{iid}", "display_name": f"Inst {iid}",
            "ror": f"https://ror.org/0{int(iid[1:]) % 10**6:06d}00", "country_code": cc,
            "type": "education", "lineage": lineage}


def make_world(n: int = 3000, *, countries=None, years=(2009, 2023), seed: int = 5):
    """Works with 1-4 institutions (the University of Tokyo and two children among them)."""
    rng = random.Random(seed)
    countries = countries or OECD + OTHERS
    pool = [_inst(f"I{10_000 + i}", countries[i % len(countries)])
            for i in range(3 * len(countries))]
    tokyo = [_inst(TOKYO, "JP")] + [_inst(c, "JP", TOKYO) for c in CHILDREN]
    works = []
    for k in range(1, n + 1):
        picks = [rng.choice(tokyo if rng.random() < 0.08 else pool)
                 for _ in range(rng.choice([1, 1, 2, 2, 3, 4]))]
        auths = [{"author": {"id": f"https://openalex.org/A{k * 10 + j}"},
                  "institutions": [p], "countries": [p["country_code"]]}
                 for j, p in enumerate(picks)]
        works.append({
            "id": f"https://openalex.org/W{k}", "publication_year": rng.randint(*years),
            "type": "article", "authorships": auths,
            "countries_distinct_count": len({p["country_code"] for p in picks}),
            "institutions_distinct_count": len({p["id"] for p in picks}),
        })
    return works


def rule(works, years, key):
    """Counts by the counts' rule: ``key(work)`` gives the entities a work counts for."""
    out = Counter()
    for w in works:
        y = w["publication_year"]
        if not years[0] <= y <= years[1]:
            continue
        for e in key(w):
            out[(e, y, "works")] += 1
            out[(e, y, "international_works")] += w["countries_distinct_count"] > 1
    return +out


def countries_of(w):
    return {i["country_code"] for a in w["authorships"] for i in a["institutions"]}


def lineage_of(w):
    return {x.rsplit("/", 1)[-1] for a in w["authorships"] for i in a["institutions"]
            for x in i["lineage"]}


def as_counter(df):
    out = Counter()
    for r in df.itertuples():
        out[(r.entity, r.year, "works")] = r.works
        out[(r.entity, r.year, "international_works")] = r.international_works
    return +out


@pytest.fixture(scope="module")
def world():
    return make_world()


@pytest.fixture
def server(world):
    with OpenAlexTestServer(world, pad_zero_groups=True) as srv:
        yield srv


def settings(srv, tmp_path, name="cache"):
    return get_settings(base_url=srv.url, cache_dir=tmp_path / name, env={}, max_rate=None)


def test_every_country_two_requests_a_year(server, world, tmp_path):
    q = WorkQuery(years="2009-2023")
    df = counts.count_shares(q, settings=settings(server, tmp_path))
    assert len(server.requests) == df.attrs["requests"] == 2 * 15
    assert df.attrs["plan"] == "per_year"
    assert as_counter(df) == rule(world, (2009, 2023), countries_of)
    assert set(df["entity"]) == set(OECD + OTHERS)


def test_more_than_200_countries_cost_four_requests_a_year(tmp_path):
    codes = sorted(COUNTRY_NAMES)
    assert len(codes) > 200
    works = make_world(1200, countries=codes, years=(2015, 2016), seed=9)
    with OpenAlexTestServer(works, pad_zero_groups=True) as srv:
        df = counts.count_shares(WorkQuery(years="2015-2016"), settings=settings(srv, tmp_path))
        assert len(srv.requests) == 4 * 2
        assert [r.params["cursor"][0] == "*" for r in srv.requests].count(True) == 4
    assert df["entity"].nunique() > 200
    assert as_counter(df) == rule(works, (2015, 2016), countries_of)


def test_one_country_two_requests_over_fifteen_years(server, world, tmp_path):
    df = counts.count_shares(WorkQuery(years="2009-2023"), settings=settings(server, tmp_path),
                             focus="JP")
    assert len(server.requests) == 2 and df.attrs["plan"] == "per_entity"
    assert set(df["year"]) == set(range(2009, 2024))
    want = {k: v for k, v in rule(world, (2009, 2023), countries_of).items() if k[0] == "JP"}
    assert as_counter(df) == want


def test_oecd_by_year_nested_two_requests(server, world, tmp_path):
    q = WorkQuery(years="2009-2023")
    df = counts.count_shares(q, settings=settings(server, tmp_path), focus="OECD")
    assert len(server.requests) == 2 and df.attrs["plan"] == "nested"
    assert {r.params["group_by"][0] for r in server.requests} == {
        "publication_year,institutions.country_code"}
    want = {k: v for k, v in rule(world, (2009, 2023), countries_of).items() if k[0] in OECD}
    assert as_counter(df) == want and df["entity"].nunique() == 38


def test_oecd_without_nested_group_by_falls_back_once(world, tmp_path):
    """A server that refuses nested group_by: one refused probe, then 2 per year (15 years
    are fewer than 38 countries); the refusal is remembered, so the next question skips it."""
    with OpenAlexTestServer(world, nested_group_by=False) as srv:
        s = settings(srv, tmp_path)
        q = WorkQuery(years="2009-2023")
        df = counts.count_shares(q, settings=s, focus="OECD")
        assert [r.status for r in srv.requests].count(400) == 1
        assert len(srv.requests) == 1 + 2 * 15 and df.attrs["plan"] == "per_year"
        srv.reset_log()
        counts.count_shares(q, settings=s, focus="JP,DE")
        assert len(srv.requests) == 4  # 2 per entity, no probe
    want = {k: v for k, v in rule(world, (2009, 2023), countries_of).items() if k[0] in OECD}
    assert as_counter(df) == want


def test_a_garbled_nested_answer_is_not_used(server, world, tmp_path, monkeypatch):
    """A server answering group_by=a,b as if it were group_by=a (no inner groups)."""
    def flat(self, matched, dims, per_page, cursor, cost, t0):
        return self._group_by_body(matched, dims[0], {}, per_page, cursor, cost, False, t0)
    monkeypatch.setattr(OpenAlexTestServer, "_nested_group_by", flat)
    df = counts.count_shares(WorkQuery(years="2009-2011"), settings=settings(server, tmp_path),
                             focus="JP,DE,FR")
    assert len(server.requests) == 1 + 2 * 3  # the probe, then 2 per year (= per entity)
    want = {k: v for k, v in rule(world, (2009, 2011), countries_of).items()
            if k[0] in ("JP", "DE", "FR")}
    assert as_counter(df) == want


def test_a_few_countries_two_per_entity_without_nested(world, tmp_path):
    with OpenAlexTestServer(world, nested_group_by=False) as srv:
        s = settings(srv, tmp_path)
        counts.GroupFetcher(s).note_nested(False, "known")
        df = counts.count_shares(WorkQuery(years="2009-2023"), settings=s, focus="JP,KR,US")
        assert len(srv.requests) == 2 * 3 and df.attrs["plan"] == "per_entity"
    assert set(df["entity"]) == {"JP", "KR", "US"}


def test_tokyo_with_its_lineage_two_requests(server, world, tmp_path):
    q = WorkQuery(institutions=[TOKYO], years="2009-2017")
    df = counts.count_shares(q, settings=settings(server, tmp_path), level="institution")
    assert len(server.requests) == 2
    assert all("authorships.institutions.lineage:I74801974" in r.params["filter"][0]
               and "institutions.id" not in r.params["filter"][0] for r in server.requests)
    assert as_counter(df) == rule(world, (2009, 2017), lambda w: {TOKYO} & lineage_of(w))
    own = counts.count_shares(q, settings=settings(server, tmp_path, "own"),
                              level="institution", lineage=False)
    ids = lambda w: {TOKYO} & {i["id"].rsplit("/", 1)[-1]  # noqa: E731
                               for a in w["authorships"] for i in a["institutions"]}
    assert as_counter(own) == rule(world, (2009, 2017), ids)
    assert own["works"].sum() < df["works"].sum()  # works of the children alone


def test_an_institution_by_ror_is_looked_up_once(server, world, tmp_path):
    ror = _inst(TOKYO, "JP")["ror"]
    s = settings(server, tmp_path)
    df = counts.count_shares(WorkQuery(years="2009-2017"), settings=s, level="institution",
                             focus=ror)
    paths = [r.path for r in server.requests]
    assert paths.count("/works") == 2 and len(paths) == 3  # + one free lookup
    assert server.requests[0].path.startswith("/institutions/ror:")
    assert set(df["entity"]) == {TOKYO} and set(df["name"]) == {f"Inst {TOKYO}"}
    assert as_counter(df) == rule(world, (2009, 2017), lambda w: {TOKYO} & lineage_of(w))
    server.reset_log()
    counts.count_shares(WorkQuery(years="2009-2017"), settings=s, level="institution",
                        focus=ror)
    assert server.requests == []


def test_institutions_several_nested(server, world, tmp_path):
    q = WorkQuery(years="2009-2017")
    df = counts.count_shares(q, settings=settings(server, tmp_path), level="institution",
                             focus=[TOKYO, "I10000", CHILDREN[0]])
    assert len(server.requests) == 2 and df.attrs["plan"] == "nested"
    want = rule(world, (2009, 2017), lambda w: {TOKYO, "I10000", CHILDREN[0]} & lineage_of(w))
    assert as_counter(df) == want


def test_totals_without_years_two_requests(server, world, tmp_path):
    q = WorkQuery(years="2009-2023")
    df = counts.count_shares(q, settings=settings(server, tmp_path), by_year=False,
                             focus="OECD")
    assert len(server.requests) == 2 and "year" not in df.columns
    by_year = counts.count_shares(q, settings=settings(server, tmp_path, "b"), focus="OECD")
    summed = by_year.groupby("entity")[["works", "international_works"]].sum()
    got = df.set_index("entity")[["works", "international_works"]]
    pd.testing.assert_frame_equal(got.sort_index(), summed.sort_index(), check_names=False)


def test_a_capped_page_falls_back_for_what_it_cut(server, world, tmp_path, monkeypatch):
    """Pages of 3 groups: the nested answer's inner levels are cut, the entities missing from
    a cut year are asked alone, and the numbers are still exact."""
    monkeypatch.setattr(counts, "GROUP_PAGE", 3)
    focus = ["JP", "IS", "LU", "CL"]
    df = counts.count_shares(WorkQuery(years="2009-2011"), settings=settings(server, tmp_path),
                             focus=focus)
    want = {k: v for k, v in rule(world, (2009, 2011), countries_of).items() if k[0] in focus}
    assert as_counter(df) == want
    assert len(server.requests) <= 2 + 2 * len(focus)
