"""Tests of the synthetic sample generator (collabnet.sources.sample).

The generator's own tests need nothing outside the package. The last tests re-run the
calibration script on the real data in ../shared/data and skip when it is absent.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import math
import re
import time
from collections import Counter
from pathlib import Path

import orjson
import pytest

from collabnet.errors import InputError
from collabnet.sources import sample
from collabnet.sources.sample import (
    SYNTHETIC_NOTICE,
    calibration,
    calibration_summary,
    generate_institutions,
    generate_works,
    write_sample,
)

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
OA = "https://openalex.org/"


@pytest.fixture(scope="module")
def works40k() -> list[dict]:
    return list(generate_works(40_000, seed=2024))


def _countries(work: dict) -> set[str]:
    return {c for a in work["authorships"] for c in a["countries"]}


def _institution_ids(work: dict) -> set[str]:
    return {i["id"] for a in work["authorships"] for i in a["institutions"]}


def _collaboration(work: dict) -> str:
    cs = _countries(work)
    if not cs:
        return "unknown"
    if len(cs) > 1:
        return "international"
    return "domestic" if len(_institution_ids(work)) > 1 else "single_institution"


def _share(works: list[dict], years=None, country=None) -> tuple[float, int]:
    known = [w for w in works if _countries(w)]
    if years is not None:
        known = [w for w in known if years[0] <= w["publication_year"] <= years[1]]
    if country is not None:
        known = [w for w in known if country in _countries(w)]
    intl = sum(1 for w in known if len(_countries(w)) > 1)
    return intl / len(known), len(known)


# ------------------------------------------------------------------------------ determinism

def test_same_seed_gives_byte_identical_records_and_files(tmp_path):
    a = b"\n".join(orjson.dumps(w) for w in generate_works(3000, seed=11))
    b = b"\n".join(orjson.dumps(w) for w in generate_works(3000, seed=11))
    assert a == b
    f1, f2 = tmp_path / "a.jsonl.gz", tmp_path / "b.jsonl.gz"
    assert write_sample(f1, 3000, seed=11) == 3000
    assert write_sample(f2, 3000, seed=11) == 3000
    assert hashlib.sha256(f1.read_bytes()).digest() == hashlib.sha256(f2.read_bytes()).digest()
    # the gzip file holds exactly the generated records, one per line
    assert gzip.decompress(f1.read_bytes()) == a + b"\n"


def test_different_seed_gives_different_records():
    a = list(generate_works(500, seed=11))
    b = list(generate_works(500, seed=12))
    assert [w["id"] for w in a] != [w["id"] for w in b]
    same_titles = sum(x["display_name"] == y["display_name"] for x, y in zip(a, b))
    assert same_titles < 100  # ~1/3000 chance per pair of identical title words
    assert [len(w["authorships"]) for w in a] != [len(w["authorships"]) for w in b]


def test_smaller_sample_is_a_prefix_of_a_larger_one():
    small = list(generate_works(100, seed=5))
    large = list(generate_works(5000, seed=5))
    assert small == large[:100]
    assert [w["id"] for w in large] == sorted({w["id"] for w in large})


# ------------------------------------------------------------------------------------ shape

def _check_institution(inst: dict) -> None:
    assert set(inst) == {"id", "display_name", "ror", "country_code", "type", "lineage"}
    assert re.fullmatch(r"https://openalex\.org/I9\d{11}", inst["id"])
    assert isinstance(inst["display_name"], str) and inst["display_name"]
    assert re.fullmatch(r"https://ror\.org/z[0-9a-f]{8}", inst["ror"])
    assert inst["country_code"] is None or re.fullmatch(r"[A-Z]{2}", inst["country_code"])
    assert inst["type"] in {"education", "healthcare", "company", "government", "facility",
                            "nonprofit", "other", "archive", "funder"}
    assert inst["lineage"][0] == inst["id"] and 1 <= len(inst["lineage"]) <= 2


def test_every_record_has_the_openalex_fields_with_the_right_types():
    fields = {"id", "doi", "display_name", "publication_year", "publication_date", "type",
              "cited_by_count", "fwci", "citation_normalized_percentile",
              "countries_distinct_count", "institutions_distinct_count", "is_paratext",
              "is_retracted", "is_authors_truncated", "authorships"}
    auth_fields = {"author_position", "author", "institutions", "countries", "is_corresponding",
                   "raw_author_name", "raw_affiliation_strings", "affiliations"}
    for w in generate_works(3000, seed=3, years=(2005, 2010)):
        assert set(w) == fields
        assert re.fullmatch(r"https://openalex\.org/W9003\d{8}", w["id"])
        assert w["doi"] is None or w["doi"].startswith("https://doi.org/10.5555/")
        assert isinstance(w["display_name"], str) and w["display_name"]
        assert 2005 <= w["publication_year"] <= 2010
        assert w["publication_date"][:4] == str(w["publication_year"])
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", w["publication_date"])
        assert isinstance(w["type"], str)
        assert isinstance(w["cited_by_count"], int) and w["cited_by_count"] >= 0
        assert w["fwci"] is None or (isinstance(w["fwci"], float) and w["fwci"] >= 0)
        cnp = w["citation_normalized_percentile"]
        if cnp is not None:
            assert set(cnp) == {"value", "is_in_top_1_percent", "is_in_top_10_percent"}
            assert 0.0 <= cnp["value"] <= 1.0
            assert cnp["is_in_top_10_percent"] == (cnp["value"] >= 0.9)
            assert cnp["is_in_top_1_percent"] <= cnp["is_in_top_10_percent"]
        for key in ("is_paratext", "is_retracted", "is_authors_truncated"):
            assert isinstance(w[key], bool)
        assert w["is_paratext"] == (w["type"] == "paratext")
        n = len(w["authorships"])
        assert n <= 100 and (w["is_authors_truncated"] <= (n == 100))
        assert w["countries_distinct_count"] == len(_countries(w))
        assert w["institutions_distinct_count"] == len(_institution_ids(w))
        ids = [a["author"]["id"] for a in w["authorships"]]
        assert len(ids) == len(set(ids)), "an author listed twice in one work"
        assert sum(a["is_corresponding"] for a in w["authorships"]) <= 1
        for pos, a in enumerate(w["authorships"]):
            assert set(a) == auth_fields
            want = "first" if pos == 0 else ("last" if pos == n - 1 else "middle")
            assert a["author_position"] == want
            assert set(a["author"]) == {"id", "display_name", "orcid"}
            assert re.fullmatch(r"https://openalex\.org/A9\d{11}", a["author"]["id"])
            assert a["author"]["orcid"] is None
            assert a["raw_author_name"] == a["author"]["display_name"]
            for inst in a["institutions"]:
                _check_institution(inst)
            inst_cc = {i["country_code"] for i in a["institutions"] if i["country_code"]}
            if a["institutions"]:
                assert set(a["countries"]) == inst_cc
            assert a["countries"] == sorted(set(a["countries"]))
            assert len(a["raw_affiliation_strings"]) == len(a["affiliations"])
            for aff, inst in zip(a["affiliations"], a["institutions"]):
                assert aff["institution_ids"] == [inst["id"]]


def test_edge_cases_every_reader_must_handle_are_present(works40k):
    """Multi-country authors, authors without institution (some with a country), institutions
    without country, '&' in names, works without authorships, truncated author lists."""
    kinds = Counter()
    for w in works40k:
        if not w["authorships"]:
            kinds["no_authorships"] += 1
        kinds["truncated"] += w["is_authors_truncated"]
        if "&" in w["display_name"]:
            kinds["amp_title"] += 1
        for a in w["authorships"]:
            ccs = {i["country_code"] for i in a["institutions"] if i["country_code"]}
            kinds["two_country_author"] += len(ccs) >= 2
            if not a["institutions"]:
                kinds["no_institution"] += 1
                kinds["no_institution_with_country"] += bool(a["countries"])
            for i in a["institutions"]:
                kinds["null_country_institution"] += i["country_code"] is None
                kinds["amp_institution"] += "&" in i["display_name"]
    for key in ("no_authorships", "truncated", "amp_title", "two_country_author",
                "no_institution", "no_institution_with_country", "null_country_institution",
                "amp_institution"):
        assert kinds[key] > 0, key
    assert kinds["no_authorships"] < 0.05 * len(works40k)


# -------------------------------------------------------------------------------- calibration

def test_overall_international_share_matches_the_calibrated_model(works40k):
    """Share of international works among works with a known country, 2000-2023, against the
    model's yearly shares weighted by the model's output of each year."""
    s = calibration_summary()
    idx = [s["years"].index(y) for y in range(2000, 2024)]
    wts = [s["output_weight"][i] for i in idx]
    expected = sum(wt * s["international_share_model"][i] for wt, i in zip(wts, idx)) / sum(wts)
    got, n = _share(works40k)
    assert n > 30_000
    assert abs(got - expected) < 0.015, (got, expected)
    # and it rises over the years, as in the world
    early, _ = _share(works40k, years=(2000, 2007))
    late, _ = _share(works40k, years=(2016, 2023))
    assert late > early + 0.08


def test_unknown_and_class_mix_follow_the_measured_figures(works40k):
    cal = calibration()["works"]
    with_auth = [w for w in works40k if w["authorships"]]
    unknown = sum(1 for w in with_auth if not _countries(w)) / len(with_auth)
    assert abs(unknown - cal["collaboration_classes"]["unknown"]) < 0.015
    one_country = [_collaboration(w) for w in with_auth
                   if _collaboration(w) in ("domestic", "single_institution")]
    dom = one_country.count("domestic") / len(one_country)
    c = cal["collaboration_classes"]
    assert abs(dom - c["domestic"] / (c["domestic"] + c["single_institution"])) < 0.02
    no_auth = 1 - len(with_auth) / len(works40k)
    assert abs(no_auth - cal["no_authorships_share"]) < 0.005


def test_japan_share_is_in_the_published_range_and_rises(works40k):
    share, n = _share(works40k, country="JP")
    assert n > 1000
    assert 0.25 <= share <= 0.40, share
    early, _ = _share(works40k, years=(2000, 2011), country="JP")
    late, _ = _share(works40k, years=(2012, 2023), country="JP")
    assert late > early + 0.05, (early, late)


def test_country_shares_follow_the_model_for_anchored_countries(works40k):
    s = calibration_summary()
    for cc in ("US", "CN", "GB"):
        got, n = _share(works40k, years=(2016, 2023), country=cc)
        model = [s["country_share"][cc][s["years"].index(y)] for y in range(2016, 2024)]
        assert abs(got - sum(model) / len(model)) < 0.05, (cc, got)


def test_team_size_by_collaboration_type_is_near_the_measured_means(works40k):
    cal = calibration()["works"]["team_size"]
    sizes: dict[str, list[int]] = {}
    for w in works40k:
        if w["authorships"]:
            sizes.setdefault(_collaboration(w), []).append(len(w["authorships"]))
    for cls in ("single_institution", "domestic", "international"):
        mean = sum(sizes[cls]) / len(sizes[cls])
        want = cal[cls]["mean_listed"]
        assert abs(mean - want) / want < 0.12, (cls, mean, want)


def test_authorship_figures_are_near_the_measured_ones(works40k):
    cal = calibration()["works"]
    authors = no_inst = multi = rows = null_cc = 0
    for w in works40k:
        if not any(a["institutions"] for a in w["authorships"]):
            continue
        for a in w["authorships"]:
            authors += 1
            no_inst += not a["institutions"]
            multi += len(a["institutions"]) > 1
            for i in a["institutions"]:
                rows += 1
                null_cc += i["country_code"] is None
    assert abs(no_inst / authors - cal["authorships"]["no_institution_share"]) < 0.02
    assert abs(multi / authors - cal["authorships"]["multi_affiliation_share"]) < 0.03
    assert abs(null_cc / rows - cal["institutions"]["null_country_share"]) < 0.015


def test_partner_choice_follows_the_world_aggregates(works40k):
    """JP's partners in international works of 2015-2023 rank like JP's partner weights in
    the 2020 aggregates: the top partner is the same and the top three overlap in two."""
    partners = Counter()
    for w in works40k:
        cs = _countries(w)
        if "JP" in cs and len(cs) > 1 and w["publication_year"] >= 2015:
            partners.update(cs - {"JP"})
    agg = [p for p, _ in calibration()["world"]["partners"]["2020"]["JP"]]
    top = [p for p, _ in partners.most_common(3)]
    assert top[0] == agg[0]
    assert len(set(top) & set(agg[:3])) >= 2


def test_citations_rise_with_age_and_fwci_is_relative_to_the_year(works40k):
    old = [w["cited_by_count"] for w in works40k if w["publication_year"] <= 2005]
    new = [w["cited_by_count"] for w in works40k if w["publication_year"] >= 2020]
    old.sort()
    new.sort()
    assert old[len(old) // 2] > new[len(new) // 2]
    fwci = [w["fwci"] for w in works40k if w["fwci"] is not None]
    share = len(fwci) / len(works40k)
    assert abs(share - calibration()["works"]["fwci_share"]) < 0.02
    assert 0.5 < sum(fwci) / len(fwci) < 2.0  # mean near 1 by construction (heavy tail)


# ----------------------------------------------------------------------------- institutions

def test_institution_population_is_consistent_with_the_works():
    insts = generate_institutions(seed=2024)
    by_id = {i["id"]: i for i in insts}
    assert len(by_id) == len(insts)
    voc = sample._vocabulary()["countries"]
    countries = set(calibration()["world"]["countries"])
    for i in insts:
        _check_institution({k: i[k] for k in i if k != "geo"})
        geo = i["geo"]
        if i["country_code"] is None:
            assert geo["latitude"] is None and geo["longitude"] is None
            continue
        assert i["country_code"] in countries
        c = voc[i["country_code"]]
        assert abs(geo["latitude"] - c["lat"]) <= c["radius"] + 1e-6
        assert -180 <= geo["longitude"] <= 180
    per_country = Counter(i["country_code"] for i in insts)
    assert per_country["US"] > per_country["JP"] > per_country["IS"] >= 3
    assert per_country[None] == 40
    for w in generate_works(2000, seed=2024):
        for a in w["authorships"]:
            for inst in a["institutions"]:
                ref = by_id[inst["id"]]
                assert ref["display_name"] == inst["display_name"]
                assert ref["country_code"] == inst["country_code"]
    assert generate_institutions(seed=2024) == insts
    assert [i["display_name"] for i in generate_institutions(seed=1)] != [
        i["display_name"] for i in insts]


# ------------------------------------------------------------------------- files and errors

def test_write_sample_plain_and_gzip_read_back(tmp_path):
    from collabnet.sources import read_works

    plain = tmp_path / "s.jsonl"
    gz = tmp_path / "s.jsonl.gz"
    assert write_sample(plain, 700, seed=9) == 700
    assert write_sample(gz, 700, seed=9) == 700
    assert gzip.decompress(gz.read_bytes()) == plain.read_bytes()
    lines = plain.read_bytes().splitlines()
    assert len(lines) == 700
    assert [orjson.loads(x) for x in lines] == list(generate_works(700, seed=9))
    result = read_works([gz])
    assert len(result.records) == 700 and result.report.bad == 0
    assert write_sample(tmp_path / "empty.jsonl", 0) == 0
    assert (tmp_path / "empty.jsonl").read_bytes() == b""
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.parametrize(
    "kwargs",
    [{"n_works": -1}, {"n_works": 1.5}, {"n_works": True}, {"seed": -3}, {"seed": "x"},
     {"years": (2010, 2000)}, {"years": (1800, 2000)}, {"years": "2000"}],
)
def test_bad_arguments_raise_input_error(kwargs):
    args = {"n_works": 10, **kwargs}
    with pytest.raises(InputError):
        list(generate_works(args.pop("n_works"), **args))


def test_write_sample_rejects_other_suffixes_and_missing_folders(tmp_path):
    with pytest.raises(InputError, match=r"\.jsonl"):
        write_sample(tmp_path / "s.json", 10)
    with pytest.raises(InputError, match="does not exist"):
        write_sample(tmp_path / "no" / "s.jsonl", 10)


def test_years_outside_the_calibrated_range_are_allowed():
    works = list(generate_works(300, seed=1, years=(2024, 2026)))
    assert {w["publication_year"] for w in works} <= {2024, 2025, 2026}
    assert any(_countries(w) for w in works)


def test_synthetic_notice_is_one_sentence_that_says_synthetic():
    assert "SYNTHETIC" in SYNTHETIC_NOTICE and "not real OpenAlex data" in SYNTHETIC_NOTICE
    assert SYNTHETIC_NOTICE.count(". ") == 0 and SYNTHETIC_NOTICE.endswith(".")
    assert "SYNTHETIC" in sample.__doc__ and "SYNTHETIC" in generate_works.__doc__


# ------------------------------------------------------------------------------ scale

def test_twenty_thousand_works_are_quick():
    list(generate_works(10, seed=99))  # build the world once
    start = time.perf_counter()
    n = sum(1 for _ in generate_works(20_000, seed=99))
    elapsed = time.perf_counter() - start
    assert n == 20_000
    assert elapsed < 10, f"{n / elapsed:.0f} works/s"


# -------------------------------------------------------------------------- with the tables

def test_records_parse_through_build_tables():
    tables = pytest.importorskip("collabnet.tables")
    works = list(generate_works(5000, seed=21))
    t = tables.build_tables(works)
    assert len(t.works) == 5000
    expected = Counter(_collaboration(w) for w in works)
    got = Counter(str(c) for c in t.works["collaboration"])
    assert got == expected
    assert (t.works["n_countries"] == t.works["countries_distinct_count"]).all()
    aff = t.affiliations
    sums = aff.groupby("work_id")["weight"].sum()
    assert (sums - 1).abs().max() < 1e-9
    assert aff["institution_id"].isna().any() and aff["country_code"].isna().any()
    assert aff["institution_name"].str.contains("&", na=False).any()


# -------------------------------------------------------------- the calibration file itself

def test_calibration_file_is_small_and_holds_no_records():
    path = REPO / "collabnet" / "sources" / "sample" / "data" / "sample_calibration.json"
    text = path.read_text(encoding="utf-8")
    assert len(text.encode()) < 300_000
    assert "openalex.org/W" not in text and "openalex.org/A" not in text
    cal = calibration()
    assert len(cal["world"]["countries"]) == 120
    assert math.isclose(sum(cal["works"]["work_types"].values()), 1.0, abs_tol=1e-3)


def _load_script():
    spec = importlib.util.spec_from_file_location("calibrate_sample",
                                                  REPO / "scripts" / "calibrate_sample.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_shipped_calibration_is_reproduced_from_the_real_data(tmp_path):
    if not (SHARED_DATA / "works").is_dir():
        pytest.skip("real OpenAlex records in ../shared/data are not available here")
    script = _load_script()
    out = tmp_path / "cal.json"
    assert script.main(["--shared", str(SHARED_DATA.parent), "--out", str(out)]) == 0
    shipped = REPO / "collabnet" / "sources" / "sample" / "data" / "sample_calibration.json"
    assert orjson.loads(out.read_bytes()) == orjson.loads(shipped.read_bytes())


def test_real_pool_figures_are_plausible():
    """Facts about the real data the generator leans on (see the script's docstring)."""
    if not (SHARED_DATA / "aggregates").is_dir():
        pytest.skip("real OpenAlex data in ../shared/data are not available here")
    script = _load_script()
    world = script.measure_world(SHARED_DATA / "aggregates" / "bavla__OpenAlex__WrldCo_years.zip")
    # SOURCES.md's reading note: JP's loop in 2017 is 45,461 and US its largest partner.
    jp = world["countries"].index("JP")
    assert world["international_volume"]["JP"][2017 - 1990] == 45461
    assert world["partners"]["2020"]["JP"][0][0] == "US"
    assert jp < 20
    assert world["coverage_of_international_volume_2000_2023"] > 0.98
