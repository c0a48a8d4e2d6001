"""Tests of collabnet.testing: the loopback OpenAlex server behaves like api.openalex.org.

Most tests use nine hand-made works (``SMALL``) whose answers can be worked out by hand:

====  ====  ========  ========================================  =====  ====  =====================
work  year  type      authors @ institutions (country)          cited  pct   other
====  ====  ========  ========================================  =====  ====  =====================
W1    2020  article   A1@I1 (US), A2@I2 (GB)                    10     99    fwci 2.5
W2    2020  article   A3@I1 (US), A4@I3 (US, company)           5      80
W3    2021  review    A5@I4 (FR)                                20     95    fwci 1.2
W4    2021  article   A6@I2 (GB) + I5 (DE, lineage I99),         0
                      A7 no institution, countries ["CN"]
W5    2019  preprint  A8 no institution, no country             1
W6    2022  article   A9@I1 (US)                                3            is_paratext
W7    2022  article   A10@I7 (FR)                               50     100   is_xpac (hidden)
W8    2018  article   A1000-A1099@I1 (US), A1100-A1149@I6 (JP)  2            150 authors
W9    2020  article   A11@I8 (DE)                               7            retracted, doi
====  ====  ========  ========================================  =====  ====  =====================

Default order (``-cited_by_percentile_year.max, -cited_by_count, id``, missing last):
W1 (99), W3 (95), W2 (80), then by citations W9 (7), W6 (3), W8 (2), W5 (1), W4 (0).
W7 is an xpac work and is hidden unless ``include_xpac=true`` or an ``is_xpac`` filter is given.
"""

from __future__ import annotations

import base64
import gzip
import json
import math
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import requests

from collabnet.testing import (
    COUNTRY_NAMES,
    WORK_TYPES,
    Fault,
    OpenAlexTestServer,
    load_works,
    pyalex_to,
)

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
WORKS_DIR = DATA / "works"
API_DIR = DATA / "api"


# ----------------------------------------------------------------------------- hand-made works

def inst(n: int, cc: str | None, *, typ: str = "education", lineage: list[int] | None = None):
    iid = f"https://openalex.org/I{n}"
    return {
        "id": iid, "display_name": f"Institution {n}", "ror": f"https://ror.org/0r{n:05d}",
        "country_code": cc, "type": typ,
        "lineage": [f"https://openalex.org/I{x}" for x in (lineage or [n])],
    }


def author(n: int, insts: list[dict], countries: list[str] | None = None) -> dict:
    if countries is None:
        countries = sorted({i["country_code"] for i in insts if i["country_code"]})
    return {
        "author_position": "middle",
        "author": {"id": f"https://openalex.org/A{n}", "display_name": f"Author {n}",
                   "orcid": None},
        "institutions": insts, "countries": countries, "is_corresponding": False,
        "raw_author_name": f"Author {n}", "raw_affiliation_strings": [],
    }


def work(n: int, year: int, authors: list[dict], *, type: str = "article", cited: int = 0,
         pct: float | None = None, fwci: float | None = None, **extra) -> dict:
    ccs = {i["country_code"] for a in authors for i in a["institutions"] if i["country_code"]}
    iids = {i["id"] for a in authors for i in a["institutions"]}
    w = {
        "id": f"https://openalex.org/W{n}", "doi": None, "title": f"Work number {n}",
        "display_name": f"Work number {n}", "publication_year": year,
        "publication_date": f"{year}-06-15", "type": type, "authorships": authors,
        "countries_distinct_count": len(ccs), "institutions_distinct_count": len(iids),
        "cited_by_count": cited, "fwci": fwci,
        "cited_by_percentile_year": None if pct is None else {"min": pct - 1, "max": pct},
        "is_paratext": False, "is_retracted": False, "is_xpac": False,
        "updated_date": "2025-01-01T00:00:00", "created_date": "2020-01-01",
    }
    w.update(extra)
    return w


def small_works() -> list[dict]:
    i1, i2, i3, i4 = inst(1, "US"), inst(2, "GB"), inst(3, "US", typ="company"), inst(4, "FR")
    i5, i6, i7, i8 = inst(5, "DE", lineage=[5, 99]), inst(6, "JP"), inst(7, "FR"), inst(8, "DE")
    big = [author(1000 + k, [i1]) for k in range(100)] + [author(1100 + k, [i6])
                                                           for k in range(50)]
    return [
        work(1, 2020, [author(1, [i1]), author(2, [i2])], cited=10, pct=99, fwci=2.5),
        work(2, 2020, [author(3, [i1]), author(4, [i3])], cited=5, pct=80),
        work(3, 2021, [author(5, [i4])], type="review", cited=20, pct=95, fwci=1.2),
        work(4, 2021, [author(6, [i2, i5]), author(7, [], ["CN"])], cited=0),
        work(5, 2019, [author(8, [])], type="preprint", cited=1),
        work(6, 2022, [author(9, [i1])], cited=3, is_paratext=True),
        work(7, 2022, [author(10, [i7])], cited=50, pct=100, is_xpac=True),
        work(8, 2018, big, cited=2),
        work(9, 2020, [author(11, [i8])], cited=7, is_retracted=True,
             doi="https://doi.org/10.1234/ABC", publication_date="2020-01-10"),
    ]


VISIBLE = ["W1", "W3", "W2", "W9", "W6", "W8", "W5", "W4"]  # default order, W7 hidden


@pytest.fixture
def srv():
    with OpenAlexTestServer(small_works(), api_keys=["good"]) as server:
        yield server


def get(server: OpenAlexTestServer, query: str = "", path: str = "/works", **kw):
    """GET with a hand-written query string (so `+` stays a literal plus, as pyalex sends it)."""
    url = server.url + path + (("?" + query) if query else "")
    return requests.get(url, timeout=10, **kw)


def ids_of(resp) -> list[str]:
    return [r["id"].rsplit("/", 1)[1] for r in resp.json()["results"]]


def decode_cursor(cursor: str) -> str:
    return json.loads(base64.b64decode(cursor))


# ----------------------------------------------------------------------------- lists

def test_list_default_sort_meta_and_body_shape(srv):
    r = get(srv)
    assert r.status_code == 200
    body = r.json()
    assert list(body) == ["meta", "results", "group_by"] and body["group_by"] == []
    meta = body["meta"]
    assert meta["count"] == 8 and meta["page"] == 1 and meta["per_page"] == 25
    assert meta["groups_count"] is None and "next_cursor" not in meta
    assert isinstance(meta["db_response_time_ms"], int)
    assert ids_of(r) == VISIBLE


@pytest.mark.parametrize("flt, expected", [
    ("publication_year:2020", {"W1", "W2", "W9"}),
    ("publication-year:2020", {"W1", "W2", "W9"}),
    ("publication_year:2019-2020", {"W1", "W2", "W5", "W9"}),
    ("publication_year:>2020", {"W3", "W4", "W6"}),
    ("publication_year:<2020", {"W5", "W8"}),
    ("publication_year:2021-", {"W3", "W4", "W6"}),
    ("publication_year:-2019", {"W5", "W8"}),
    ("publication_year:!2020", {"W3", "W4", "W5", "W6", "W8"}),
    ("publication_year:!2019-2021", {"W6", "W8"}),
    ("fwci:null", {"W2", "W4", "W5", "W6", "W8", "W9"}),
    ("fwci:>2", {"W1"}),
    ("cited_by_count:5-10", {"W1", "W2", "W9"}),
    ("institutions.country_code:US", {"W1", "W2", "W6", "W8"}),
    ("institutions.country_code:us", {"W1", "W2", "W6", "W8"}),
    ("authorships.institutions.country_code:us|fr", {"W1", "W2", "W3", "W6", "W8"}),
    ("institutions.country_code:us+gb", {"W1"}),  # `+` arrives as a space: AND in a field
    ("institutions.country_code:!us", {"W3", "W4", "W5", "W9"}),
    ("institutions.country_code:!us|fr", {"W4", "W5", "W9"}),  # NOT (us OR fr)
    ("institutions.country_code:null", {"W5"}),
    ("institutions.country_code:!null", set(VISIBLE) - {"W5"}),
    ("institutions.country_code:jp", {"W8"}),  # institution fields see all 150 authors
    ("authorships.countries:jp", set()),  # ... authorships.countries only the first 100
    ("authorships.countries:cn", {"W4"}),  # raw-parsed country without institution
    ("institutions.id:I1", {"W1", "W2", "W6", "W8"}),
    ("institutions.id:https://openalex.org/I2", {"W1", "W4"}),
    ("authorships.institutions.id:i3", {"W2"}),
    ("authorships.institutions.lineage:I99", {"W4"}),
    ("authorships.institutions.ror:0r00002", {"W1", "W4"}),
    ("institutions.ror:https://ror.org/0R00002", {"W1", "W4"}),
    ("institutions.type:company", {"W2"}),
    ("author.id:A3", {"W2"}),
    ("authorships.author.id:A1149", {"W8"}),
    ("countries_distinct_count:>1", {"W1", "W4", "W8"}),
    ("countries_distinct_count:0", {"W5"}),
    ("institutions_distinct_count:2", {"W1", "W2", "W4", "W8"}),
    ("authors_count:>100", {"W8"}),
    ("authors_count:1", {"W3", "W5", "W6", "W9"}),
    ("type:article", {"W1", "W2", "W4", "W6", "W8", "W9"}),
    ('type:"article"', {"W1", "W2", "W4", "W6", "W8", "W9"}),
    ("type:REVIEW|preprint", {"W3", "W5"}),
    ("type:!article", {"W3", "W5"}),
    ("is_paratext:true", {"W6"}),
    ("is_retracted:false", set(VISIBLE) - {"W9"}),
    ("is_xpac:true", {"W7"}),
    ("is_xpac:false", set(VISIBLE)),
    ("doi:10.1234/abc", {"W9"}),
    ("doi:https://doi.org/10.1234/ABC", {"W9"}),
    ("ids.openalex:W1|W3", {"W1", "W3"}),
    ("openalex:w2", {"W2"}),
    ("openalex_id:https://openalex.org/W4", {"W4"}),
    ("from_publication_date:2021-01-01,to_publication_date:2021-12-31", {"W3", "W4"}),
    ("to_publication_date:2020-03-01", {"W5", "W8", "W9"}),
    ("publication_year:2020,type:article,is_retracted:false", {"W1", "W2"}),
])
def test_filter_operators(srv, flt, expected):
    r = get(srv, f"filter={flt}&per_page=50")
    assert r.status_code == 200, r.text
    assert set(ids_of(r)) == expected
    assert r.json()["meta"]["count"] == len(expected)


def test_encoded_plus_is_a_literal_plus_not_and(srv):
    """requests encodes '+' as %2B: the server (like Flask) then sees a literal '+'."""
    r = requests.get(srv.url + "/works", params={"filter": "institutions.country_code:us+gb"})
    assert r.status_code == 200 and r.json()["meta"]["count"] == 0
    r = requests.get(srv.url + "/works", params={"filter": "institutions.country_code:us gb"})
    assert ids_of(r) == ["W1"]


def test_include_xpac_shows_the_expansion_pack(srv):
    r = get(srv, "include_xpac=true")
    assert r.json()["meta"]["count"] == 9 and ids_of(r)[0] == "W7"


def test_search_matches_title_words_and_costs_ten_credits(srv):
    r = get(srv, "search=number 3")
    assert ids_of(r) == ["W3"]
    assert r.headers["X-RateLimit-Credits-Used"] == "10"


@pytest.mark.parametrize("query, error, message", [
    ("foo=1", "Invalid query parameters error.", "foo is not a valid parameter"),
    ("filter=publication_year:2020&filter=type:article", "Invalid query parameters error.",
     "Only one filter parameter is allowed"),
    ("filter=nonsense:1", "Invalid query parameters error.", "nonsense is not a valid field"),
    ("filter=ids.openalex:" + "|".join(f"W{i}" for i in range(101)),
     "Invalid query parameters error.", "Maximum number of values exceeded for ids.openalex"),
    ("filter=type:article|publication_year:2020", "Invalid query parameters error.",
     "OR query between filters"),
    ("filter=type:article|!review", "Invalid query parameters error.",
     "The ! operator can only be used at the beginning of an OR query"),
    ("filter=publication_year:abc", "Invalid query parameters error.", "must be a number"),
    ("filter=is_paratext:maybe", "Invalid query parameters error.", "true or false"),
    ("filter=institutions.id:notanid", "Invalid query parameters error.",
     "is not a valid OpenAlex ID"),
    ("filter=from_publication_date:2020", "Invalid query parameters error.", "YYYY-MM-DD"),
    ("filter=publication_year:2020,justtext", "Invalid query parameters error.",
     "Invalid query parameter in justtext"),
    ("per_page=0", "Pagination error.", "per-page parameter must be between 1 and 200."),
    ("per-page=201", "Pagination error.", "per-page parameter must be between 1 and 200."),
    ("per_page=x", "Invalid query parameters error.", "Param per-page must be a number."),
    ("per_page=200&page=51", "Pagination error.", "Maximum results size of 10,000 records"),
    ("page=0", "Pagination error.", "Page parameter must be greater than 0."),
    ("cursor=*&page=2", "Pagination error.", "Cannot use page parameter with cursor."),
    ("cursor=null", "Pagination error.", "Cursor is null. Likely reached end of results."),
    ("cursor=bm90IGEgY3Vyc29y!!", "Pagination error.", "Invalid cursor value"),
    ("select=open_access.is_oa", "Invalid query parameters error.",
     "open_access.is_oa is not a valid select field"),
    ("select=nope", "Invalid query parameters error.", "nope is not a valid select field"),
    ("select=id&group_by=type", "Invalid query parameters error.",
     "select does not work with group_by."),
    ("group_by=type&page=2", "Pagination error.", "Unable to paginate beyond page 1"),
    ("group_by=is_paratext&cursor=*", "Invalid query parameters error.",
     "Cannot use cursor pagination when grouping fields that return true or false."),
    ("group_by=fwci", "Invalid query parameters error.",
     "Cannot group by date, number, or search fields."),
    ("group_by=type:sometimes", "Invalid query parameters error.",
     "The only valid filters for a group_by param"),
    ("group_by=type,publication_year&cursor=*", "Invalid query parameters error.",
     "multi-dimensional"),
    ("sort=nonsense", "Invalid query parameters error.", "nonsense is not a valid sort field"),
    ("sort=relevance_score:desc", "Invalid query parameters error.",
     "in order to sort by relevance_score"),
    ("search=!cats", "Invalid query parameters error.", "does not support the ! operator"),
    ("sample=5&sort=id", "Invalid query parameters error.", "sample does not work with sort."),
])
def test_parameter_validation_is_a_400_with_the_origin_messages(srv, query, error, message):
    r = get(srv, query)
    assert r.status_code == 400, r.text
    body = r.json()
    assert set(body) == {"error", "message"}
    assert body["error"] == error
    assert message in body["message"]
    # the gateway charged the call before the origin refused it (search costs 10 credits)
    assert r.headers["X-RateLimit-Credits-Used"] == ("10" if "search=" in query else "1")


def test_limit_parameter_is_rejected_at_the_edge(srv):
    r = get(srv, "limit=5")
    assert r.status_code == 400
    assert r.json()["error"] == "Invalid query parameters error."
    assert r.json()["error_source"] == "openalex-api-proxy"
    assert r.headers["x-openalex-edge-reject"] == "f1:limit_param"
    assert srv.credits_used == 0


def test_max_per_page_is_configurable():
    with OpenAlexTestServer(small_works(), max_per_page=100) as s:
        assert get(s, "per_page=100").status_code == 200
        r = get(s, "per_page=101")
        assert r.status_code == 400
        assert r.json() == {"error": "Pagination error.",
                            "message": "per-page parameter must be between 1 and 100."}


def test_select_projects_top_level_keys(srv):
    r = get(srv, "select=id,publication_year&per_page=3")
    assert [set(w) for w in r.json()["results"]] == [{"id", "publication_year"}] * 3
    r = get(srv, "select=id,authorships&filter=ids.openalex:W8|W1&sort=id")
    w1, w8 = r.json()["results"]
    assert set(w1) == {"id", "authorships"}  # untruncated: no flag, as on real pages
    assert set(w8) == {"id", "authorships", "is_authors_truncated"}
    r = get(srv, "select=id,type", path="/works/W3")
    assert r.json() == {"id": "https://openalex.org/W3", "type": "review"}


def test_sort_parameter(srv):
    years = [w["publication_year"] for w in get(srv, "sort=publication_year").json()["results"]]
    assert years == sorted(years)
    r = get(srv, "sort=cited_by_count:desc")
    assert ids_of(r) == ["W3", "W1", "W9", "W2", "W6", "W8", "W5", "W4"]
    r = get(srv, "sort=publication_year:desc,id:asc")
    assert ids_of(r) == ["W6", "W3", "W4", "W1", "W2", "W9", "W5", "W8"]


def test_basic_paging_pages_are_disjoint_slices(srv):
    pages = [ids_of(get(srv, f"per_page=3&page={p}")) for p in (1, 2, 3, 4)]
    assert pages == [VISIBLE[0:3], VISIBLE[3:6], VISIBLE[6:8], []]


# ----------------------------------------------------------------------------- cursor paging

def crawl(server, query: str, per_page: int) -> tuple[list[str], list[dict], list[int]]:
    """Follow next_cursor from `*` to null; returns ids, metas and page sizes."""
    cursor, seen, metas, sizes = "*", [], [], []
    while cursor is not None:
        r = get(server, f"{query}&per_page={per_page}&cursor={cursor}")
        assert r.status_code == 200, r.text
        metas.append(r.json()["meta"])
        sizes.append(len(r.json()["results"]))
        seen += ids_of(r)
        cursor = r.json()["meta"]["next_cursor"]
        assert len(metas) < 1000
    return seen, metas, sizes


@pytest.mark.parametrize("per_page, page_sizes", [
    (3, [3, 3, 2]),  # 8 = 3 + 3 + 2: the short page ends the crawl
    (4, [4, 4, 0]),  # exact multiple: one extra, empty page with next_cursor null
    (8, [8, 0]),
    (200, [8]),
])
def test_cursor_paging_returns_every_work_exactly_once(srv, per_page, page_sizes):
    seen, metas, sizes = crawl(srv, "filter=is_retracted:false|true", per_page)
    assert seen == VISIBLE
    assert sizes == page_sizes
    assert all(m["page"] is None and m["count"] == 8 for m in metas)
    assert metas[-1]["next_cursor"] is None


def test_cursor_encodes_the_sort_values_like_openalex(srv):
    cursor = get(srv, "per_page=2&cursor=*").json()["meta"]["next_cursor"]
    text = decode_cursor(cursor)  # base64(json.dumps(str([sort values of the last hit])))
    assert text == "[95, 20, 'https://openalex.org/W3']"


def test_cursor_is_a_position_on_the_live_data_set(srv):
    """Works added before the cursor position are not seen, removed ones vanish, no dupes."""
    r1 = get(srv, "per_page=3&cursor=*")
    assert ids_of(r1) == ["W1", "W3", "W2"]
    srv.add_works([work(50, 2020, [], cited=1000, pct=100)])  # sorts first: never seen
    srv.add_works([work(51, 2020, [], cited=4)])  # sorts between W9 and W6: seen
    srv.remove_works(["W8", "https://openalex.org/W5"])
    cursor = r1.json()["meta"]["next_cursor"]
    rest = []
    while cursor:
        r = get(srv, f"per_page=3&cursor={cursor}")
        rest += ids_of(r)
        cursor = r.json()["meta"]["next_cursor"]
    assert rest == ["W9", "W51", "W6", "W4"]
    assert r.json()["meta"]["count"] == 8  # 8 + 2 added - 2 removed


def test_cursor_with_explicit_sort_appends_the_default_tiebreak(srv):
    """Years descending, ties by the default sort (percentile, citations, id)."""
    seen, _, sizes = crawl(srv, "sort=publication_year:desc", 2)
    assert seen == ["W6", "W3", "W4", "W1", "W2", "W9", "W5", "W8"] and sizes == [2, 2, 2, 2, 0]
    r = get(srv, "sort=publication_year:desc&per_page=2&cursor=*")
    assert ast_list(decode_cursor(r.json()["meta"]["next_cursor"])) == [
        2021, 95, 20, "https://openalex.org/W3"]


def ast_list(text: str) -> list:
    import ast

    return ast.literal_eval(text)


# ----------------------------------------------------------------------------- authorships

def test_lists_truncate_authorships_to_100_and_singletons_return_all(srv):
    r = get(srv, "filter=ids.openalex:W8|W1")
    by_id = {w["id"][-2:]: w for w in r.json()["results"]}
    assert len(by_id["W8"]["authorships"]) == 100 and by_id["W8"]["is_authors_truncated"] is True
    assert "is_authors_truncated" not in by_id["W1"]
    s = get(srv, path="/works/W8")
    assert s.status_code == 200 and len(s.json()["authorships"]) == 150
    assert "is_authors_truncated" not in s.json()
    assert s.headers["X-RateLimit-Credits-Used"] == "0"


def test_singleton_lookups(srv):
    assert get(srv, path="/works/w2").json()["id"] == "https://openalex.org/W2"
    assert get(srv, path="/works/doi:10.1234/abc").json()["id"] == "https://openalex.org/W9"
    r = get(srv, path="/works/https://openalex.org/W3")
    assert r.status_code == 200 and r.history[0].status_code == 302
    missing = get(srv, path="/works/W404")
    assert missing.status_code == 404
    assert missing.headers["Content-Type"].startswith("text/html")
    assert "<title>404 Not Found</title>" in missing.text
    inst = get(srv, path="/institutions/I5").json()
    assert inst["country_code"] == "DE" and inst["id"] == "https://openalex.org/I5"
    assert srv.credits_used == 0


def test_high_author_count_limit():
    with OpenAlexTestServer(small_works(), high_author_limit=120) as s:
        r = get(s, "per_page=50")
        assert r.status_code == 400
        assert r.json()["error"] == "High author count limitation."
        assert get(s, "per_page=50&filter=authors_count:<100").status_code == 200


# ----------------------------------------------------------------------------- group_by

def test_group_by_country_counts_keys_and_order(srv):
    """Institution countries of the 8 visible works: US W1 W2 W6 W8 = 4; DE W4 W9 = 2;
    GB W1 W4 = 2; FR W3 = 1; JP W8 = 1; W5 has none. Ties are ordered by key."""
    r = get(srv, "group_by=institutions.country_code")
    body = r.json()
    assert "results" not in body
    assert body["meta"] == {"count": 8, "db_response_time_ms": body["meta"]["db_response_time_ms"],
                            "page": 1, "per_page": 200, "groups_count": 5, "cost_usd": 0.0001}
    assert [(g["key"], g["key_display_name"], g["count"]) for g in body["group_by"]] == [
        ("https://openalex.org/countries/US", "United States of America", 4),
        ("https://openalex.org/countries/DE", "Germany", 2),
        ("https://openalex.org/countries/GB",
         "United Kingdom of Great Britain and Northern Ireland", 2),
        ("https://openalex.org/countries/FR", "France", 1),
        ("https://openalex.org/countries/JP", "Japan", 1),
    ]
    unknown = get(srv, "group_by=institutions.country_code:include_unknown").json()["group_by"]
    assert {"key": "unknown", "key_display_name": "unknown", "count": 1} in unknown
    assert [g["key"][-2:] for g in unknown] == ["US", "DE", "GB", "FR", "JP", "wn"]


def test_group_by_counts_match_counts_computed_from_the_records(srv):
    visible = [w for w in small_works() if not w["is_xpac"]]

    def oracle(values_of) -> Counter:
        c: Counter = Counter()
        for w in visible:
            c.update(set(values_of(w)))
        return c

    def served(field: str) -> Counter:
        groups = get(srv, f"group_by={field}").json()["group_by"]
        return Counter({g["key"].rsplit("/", 1)[-1]: g["count"] for g in groups})

    assert served("authorships.countries") == oracle(
        lambda w: [c for a in w["authorships"][:100] for c in a["countries"]])
    assert served("institutions.id") == oracle(
        lambda w: [i["id"][21:] for a in w["authorships"] for i in a["institutions"]])
    assert served("authorships.institutions.lineage")["I99"] == 1
    assert served("type") == oracle(lambda w: [w["type"]])
    assert served("publication_year") == oracle(lambda w: [str(w["publication_year"])])
    assert served("countries_distinct_count") == oracle(
        lambda w: [str(w["countries_distinct_count"])])


def test_group_by_key_shapes(srv):
    def first(field, query=""):
        return get(srv, f"group_by={field}{query}").json()["group_by"]

    assert first("type")[0] == {"key": "https://openalex.org/types/article",
                                "key_display_name": "article", "count": 6}
    assert first("institutions.id")[0] == {"key": "https://openalex.org/I1",
                                           "key_display_name": "Institution 1", "count": 4}
    assert first("author.id", "&filter=ids.openalex:W2")[0]["key_display_name"] == "Author 3"
    assert first("publication_year")[0] == {"key": "2020", "key_display_name": "2020",
                                            "count": 3}
    assert first("institutions.type")[0]["key"] == (
        "https://openalex.org/institution-types/education")
    assert first("authorships.institutions.ror")[0]["key"] == "https://ror.org/0r00001"
    assert first("is_paratext") == [
        {"key": "false", "key_display_name": "false", "count": 7},
        {"key": "true", "key_display_name": "true", "count": 1}]
    assert first("doi") == [{"key": "true", "key_display_name": "true", "count": 1},
                            {"key": "false", "key_display_name": "false", "count": 7}]
    srv.add_works([work(60, 2020, [], publication_year=None)])
    assert first("publication_year:include_unknown", "&filter=ids.openalex:W60|W1") == [
        {"key": "-111", "key_display_name": "unknown", "count": 1},
        {"key": "2020", "key_display_name": "2020", "count": 1}]
    assert first("type:include_unknown", "&filter=type:null") == []


def test_group_by_per_page_is_the_top_n_and_sort(srv):
    body = get(srv, "group_by=institutions.country_code&per_page=2").json()
    assert [g["key"][-2:] for g in body["group_by"]] == ["US", "DE"]
    assert body["meta"]["groups_count"] == 2 and body["meta"]["count"] == 8
    keys = [g["key"][-2:] for g in
            get(srv, "group_by=institutions.country_code&sort=key:asc").json()["group_by"]]
    assert keys == sorted(keys)


def test_group_by_cursor_walks_all_keys_in_key_order(srv):
    """Composite aggregation: key order, next_cursor until a page with no groups."""
    cursor, keys, metas = "*", [], []
    while cursor is not None:
        body = get(srv, f"group_by=institutions.country_code&per_page=2&cursor={cursor}").json()
        keys += [g["key"][-2:] for g in body["group_by"]]
        metas.append(body["meta"])
        cursor = body["meta"]["next_cursor"]
    assert keys == ["DE", "FR", "GB", "JP", "US"]
    assert [m["groups_count"] for m in metas] == [2, 2, 1, 0]
    assert decode_cursor(metas[0]["next_cursor"]) == "FR"
    # without :include_unknown the origin filters to works that have the field (W5 has none)
    assert all(m["count"] == 7 and m["page"] is None for m in metas)
    inc = get(srv, "group_by=institutions.country_code:include_unknown&cursor=*").json()
    assert inc["meta"]["count"] == 8


def test_group_by_zero_padding_is_optional():
    with OpenAlexTestServer(small_works(), pad_zero_groups=True) as s:
        body = get(s, "group_by=type").json()
        counts = [g["count"] for g in body["group_by"]]
        assert len(counts) == len(WORK_TYPES) and body["meta"]["groups_count"] == 3
        assert counts[:3] == [6, 1, 1] and set(counts[3:]) == {0}
        body = get(s, "group_by=institutions.country_code&per_page=20").json()
        assert len(body["group_by"]) == 20 and body["meta"]["groups_count"] == 5


def test_nested_group_by_and_group_bys(srv):
    body = get(srv, "group_by=publication_year,institutions.country_code").json()
    top = {g["key"]: g for g in body["group_by"]}
    assert top["2020"]["count"] == 3
    assert {(g["key"][-2:], g["count"]) for g in top["2020"]["groups"]} == {
        ("US", 2), ("GB", 1), ("DE", 1)}
    body = get(srv, "group_bys=type,is_retracted").json()
    assert [f["group_by_key"] for f in body["group_bys"]] == ["type", "is_retracted"]
    assert body["group_by"] == [] and body["meta"]["count"] == 8


# ----------------------------------------------------------------------------- auth & credits

def test_auth_key_sources_and_401s():
    with OpenAlexTestServer(small_works(), api_keys=["good"], require_key=True) as s:
        r = get(s, "api_key=bad")
        assert r.status_code == 401
        assert r.json() == {"error": "Invalid or missing API key", "message": "API key not found"}
        assert get(s).status_code == 401  # key required, none given
        assert get(s, "api-key=good").status_code == 200
        assert get(s, headers={"Authorization": "Bearer good"}).status_code == 200
        assert get(s, headers={"api_key": "good"}).status_code == 200
        assert get(s, headers={"Authorization": "Bearer bad"}).status_code == 401
        assert [r.api_key for r in s.requests] == ["bad", None, "good", "good", "good", "bad"]
        assert [r.status for r in s.requests] == [401, 401, 200, 200, 200, 401]


def test_anonymous_requests_are_allowed_unless_a_key_is_required(srv):
    assert get(srv).status_code == 200 and srv.requests[-1].api_key is None


def test_rate_limit_endpoint(srv):
    assert get(srv, path="/rate-limit").status_code == 401
    get(srv)
    r = get(srv, "api_key=good", path="/rate-limit")
    assert r.status_code == 200 and "X-RateLimit-Limit" not in r.headers
    rl = r.json()["rate_limit"]
    assert rl["credits_used"] == 1 and rl["credits_remaining"] == 9999
    assert rl["credit_costs"]["list"] == 1 and rl["credit_costs"]["singleton"] == 0


def test_credits_run_out_with_an_insufficient_budget_429():
    with OpenAlexTestServer(small_works(), daily_credits=3) as s:
        remaining = [get(s).headers["X-RateLimit-Remaining"] for _ in range(3)]
        assert remaining == ["2", "1", "0"]
        r = get(s)
        assert r.status_code == 429
        assert r.json()["message"].startswith("Insufficient budget.")
        required = int(r.headers["X-RateLimit-Credits-Required"])
        assert int(r.headers["X-RateLimit-Remaining"]) < required
        assert abs(int(r.headers["Retry-After"]) - seconds_to_midnight()) <= 5
        assert get(s, path="/works/W1").status_code == 200  # singletons are free
        assert s.credits_used == 3
        s.set_credits_remaining(5)
        ok = get(s)
        assert ok.status_code == 200 and ok.headers["X-RateLimit-Remaining"] == "4"
        assert s.credits_used == 4 and ok.headers["X-RateLimit-Limit"] == "5"


def seconds_to_midnight() -> int:
    import datetime as dt

    now = dt.datetime.now(dt.timezone.utc)
    nxt = (now + dt.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return math.ceil((nxt - now).total_seconds())


def test_rate_limit_headers_on_every_response(srv):
    for r in (get(srv), get(srv, "foo=1"), get(srv, path="/works/W1"),
              get(srv, "group_by=type")):
        for h in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Credits-Used",
                  "X-RateLimit-Reset"):
            assert h in r.headers
    assert srv.credits_used == 3
    assert [r.credits for r in srv.requests] == [1, 1, 0, 1]


def test_per_second_token_bucket():
    with OpenAlexTestServer(small_works(), per_second=2) as s:
        statuses = [get(s, path="/works/W1").status_code for _ in range(6)]
        assert statuses[:2] == [200, 200] and 429 in statuses
        r = next(x for x in reversed(s.requests) if x.status == 429)
        assert r.credits == 0
        time.sleep(1.1)
        assert get(s, path="/works/W1").status_code == 200


def test_premium_filters_need_a_premium_key():
    with OpenAlexTestServer(small_works(), premium_keys=["gold"]) as s:
        r = get(s, "filter=from_updated_date:2024-01-01")
        assert r.status_code == 429 and "Retry-After" not in r.headers
        assert r.json()["error"] == "Plan upgrade required"
        assert "from_updated_date:2024-01-01" in r.json()["message"]
        ok = get(s, "filter=from_updated_date:2024-01-01&api_key=gold")
        assert ok.status_code == 200 and ok.json()["meta"]["count"] == 8


# ----------------------------------------------------------------------------- faults

@pytest.mark.parametrize("fault, status, retry_after, check", [
    (Fault("rate_limit"), 429, "1",
     lambda r: r.json()["error"] == "Rate limit exceeded"
     and r.json()["message"].startswith("Rate limit exceeded:")),
    (Fault("budget"), 429, "midnight",
     lambda r: r.json()["message"].startswith("Insufficient budget.")
     and r.headers["X-RateLimit-Remaining"] == "0"
     and r.headers["X-RateLimit-Credits-Required"] == "1"),
    (Fault("plan"), 429, None, lambda r: r.json()["error"] == "Plan upgrade required"),
    (Fault("500"), 500, "30", lambda r: "Internal Server Error" in r.text),
    (Fault("502"), 502, "30", lambda r: "502 Bad Gateway" in r.text),
    (Fault("503"), 503, "30", lambda r: "error" in r.json()),
    (Fault("503", retry_after=0), 503, "0", lambda r: True),
    (Fault("504"), 504, None, lambda r: r.json()["reason"] == "query_timeout"
     and r.json()["error"] == "Gateway timeout"),
    (Fault("html404"), 404, None, lambda r: r.headers["Content-Type"].startswith("text/html")),
])
def test_error_faults(srv, fault, status, retry_after, check):
    srv.add_faults(fault)
    r = get(srv)
    assert r.status_code == status
    if retry_after is None:
        assert "Retry-After" not in r.headers
    elif retry_after == "midnight":
        assert abs(int(r.headers["Retry-After"]) - seconds_to_midnight()) <= 5
    else:
        assert r.headers["Retry-After"] == retry_after
    assert check(r)
    assert "X-RateLimit-Remaining" in r.headers
    assert srv.requests[-1].fault == fault.kind and srv.requests[-1].credits == 0
    assert get(srv).status_code == 200  # consumed
    assert srv.credits_used == 1


def test_drop_fault_closes_the_connection(srv):
    srv.add_faults(Fault("drop"))
    with pytest.raises(requests.exceptions.ConnectionError):
        get(srv)
    assert srv.requests[-1].status == 0
    assert get(srv).status_code == 200


@pytest.mark.parametrize("encoding", ["identity", "gzip"])
def test_truncate_fault_sends_a_short_body(srv, encoding):
    srv.add_faults(Fault("truncate"))
    with pytest.raises((requests.exceptions.ChunkedEncodingError,
                        requests.exceptions.ConnectionError,
                        requests.exceptions.ContentDecodingError)):
        get(srv, headers={"Accept-Encoding": encoding})
    assert get(srv).status_code == 200


def test_timed_out_fault_returns_a_partial_page(srv):
    srv.add_faults(Fault("timed_out"))
    r = get(srv, "per_page=4&cursor=*")
    meta = r.json()["meta"]
    assert r.status_code == 200 and meta["timed_out"] is True
    assert ids_of(r) == VISIBLE[:2] and meta["next_cursor"] is None and meta["count"] == 8


def test_slow_fault_delays_the_answer(srv):
    srv.add_faults(Fault("slow", delay=0.3))
    t0 = time.perf_counter()
    assert get(srv).status_code == 200
    assert time.perf_counter() - t0 >= 0.3


def walk(server, per_page: int, limit: int = 12) -> list[tuple[list[str], int, bool]]:
    """At most ``limit`` cursor pages from ``*``: (ids, meta.count, next_cursor set) each."""
    cursor, out = "*", []
    while cursor is not None and len(out) < limit:
        r = get(server, f"per_page={per_page}&cursor={cursor}")
        assert r.status_code == 200, r.text
        meta = r.json()["meta"]
        out.append((ids_of(r), meta["count"], meta["next_cursor"] is not None))
        cursor = meta["next_cursor"]
    return out


def test_empty_page_fault_keeps_the_cursor(srv):
    srv.add_faults(Fault("empty_page", times=2, match="cursor=I"))
    pages = walk(srv, 3)
    assert [p[0] for p in pages] == [VISIBLE[0:3], [], [], VISIBLE[3:6], VISIBLE[6:8]]
    assert [p[2] for p in pages] == [True, True, True, True, False]
    assert srv.requests[1].fault == "empty_page" and srv.requests[1].credits == 1


def test_early_end_fault_ends_the_chain_before_count(srv):
    srv.add_faults(Fault("early_end", match="cursor=I"))
    pages = walk(srv, 3)
    assert [p[0] for p in pages] == [VISIBLE[0:3], VISIBLE[3:6]]
    assert pages[-1][1:] == (8, False)  # 6 served of the 8 counted


def test_cycle_fault_goes_round_with_a_huge_count(srv):
    srv.add_faults(Fault("cycle", times=100, count=123_456))
    pages = walk(srv, 3, limit=7)
    assert [p[0] for p in pages] == [VISIBLE[0:3], VISIBLE[3:6], VISIBLE[6:8]] * 2 + [VISIBLE[:3]]
    assert all(p[1] == 123_456 and p[2] for p in pages)


def test_small_pages_fault_serves_fewer_than_asked_and_keeps_the_cursor(srv):
    srv.add_faults(Fault("small_pages", size=3, times=100))
    pages = walk(srv, 200)
    assert [p[0] for p in pages] == [VISIBLE[0:3], VISIBLE[3:6], VISIBLE[6:8]]
    assert [p[2] for p in pages] == [True, True, False]
    with pytest.raises(ValueError):
        Fault("small_pages", size=0)


def test_cursor_faults_leave_other_requests_alone(srv):
    srv.add_faults(Fault("empty_page"))
    assert ids_of(get(srv, "per_page=3")) == VISIBLE[0:3]  # no cursor: a normal page
    assert srv.pending_faults == []


def test_trickle_fault_sends_the_body_slowly(srv):
    srv.add_faults(Fault("trickle", size=200, delay=0.05))
    t0 = time.perf_counter()
    r = get(srv, "per_page=2", headers={"Accept-Encoding": "identity"})
    assert r.status_code == 200 and ids_of(r) == VISIBLE[0:2]
    pieces = math.ceil(len(r.content) / 200)
    assert pieces >= 3 and time.perf_counter() - t0 >= 0.05 * (pieces - 1)


def test_faults_match_and_times(srv):
    srv.add_faults(Fault("503", times=2, retry_after=0, match="publication_year:2015"))
    assert get(srv, "filter=publication_year:2020").status_code == 200
    assert get(srv, "filter=publication_year:2015").status_code == 503
    assert get(srv, "filter=publication_year%3A2015").status_code == 503  # decoded match
    assert get(srv, "filter=publication_year:2015").status_code == 200
    assert srv.pending_faults == []
    with pytest.raises(ValueError):
        Fault("teapot")


# ----------------------------------------------------------------------------- transport

def test_gzip_is_honoured(srv):
    raw = requests.get(srv.url + "/works", headers={"Accept-Encoding": "gzip"}, stream=True)
    assert raw.headers["Content-Encoding"] == "gzip"
    body = json.loads(gzip.decompress(raw.raw.read(decode_content=False)))
    assert body["meta"]["count"] == 8
    plain = requests.get(srv.url + "/works", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers and plain.json()["meta"]["count"] == 8


def test_request_log_records_params(srv):
    get(srv, "filter=type:article&per-page=5&api_key=good")
    rec = srv.requests[-1]
    assert rec.path == "/works" and rec.params["per-page"] == ["5"]
    assert rec.params["filter"] == ["type:article"] and rec.api_key == "good"
    assert rec.status == 200 and rec.credits == 1
    srv.reset_log()
    assert srv.requests == []


def test_load_works_reads_jsonl_gzip_and_pages(tmp_path):
    recs = small_works()[:3]
    (tmp_path / "a.jsonl").write_text("\n".join(json.dumps(r) for r in recs) + "\n\n")
    (tmp_path / "b.jsonl.gz").write_bytes(gzip.compress(
        "\n".join(json.dumps(r) for r in recs).encode()))
    (tmp_path / "c.json").write_text(json.dumps({"meta": {}, "results": recs}))
    assert load_works(tmp_path / "a.jsonl") == recs
    assert load_works([tmp_path / "b.jsonl.gz", str(tmp_path / "c.json")]) == recs + recs


def test_standalone_server_command(tmp_path):
    path = tmp_path / "works.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in small_works()))
    proc = subprocess.Popen(
        [sys.executable, "-m", "collabnet.testing", "--works", str(path), "--port", "0"],
        stderr=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[1],
    )
    try:
        line = proc.stderr.readline()
        assert line.startswith("serving 9 works at http://127.0.0.1:"), line
        url = line.split(" at ")[1].split()[0]
        assert requests.get(url + "/works", timeout=10).json()["meta"]["count"] == 8
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_pyalex_recipe_a_against_the_server(srv, monkeypatch):
    """OPENALEX_API.md §4.4 recipe A (collabnet.testing.pyalex_to): rewrite pyalex's
    hard-coded https host to the server, and restore pyalex afterwards."""
    pyalex = pytest.importorskip("pyalex")
    import pyalex.api as api

    original = api._get_requests_session
    monkeypatch.setitem(pyalex.config, "api_key", "good")
    with pyalex_to(srv.url):
        pages = list(
            pyalex.Works().filter(publication_year=2020).paginate(per_page=2, n_max=None)
        )
        assert [[w["id"][-2:] for w in p] for p in pages] == [["W1", "W2"], ["W9"]]
        both = pyalex.Works().filter(institutions={"country_code": ["us", "gb"]}).get()
        assert [w["id"][-2:] for w in both] == ["W1"]  # pyalex joins lists with a raw '+'
        groups = pyalex.Works().group_by("institutions.country_code").get()
        assert groups[0]["key"] == "https://openalex.org/countries/US"
        assert groups[0]["count"] == 4
        assert len(pyalex.Works()["W8"]["authorships"]) == 150
    assert all(r.headers.get("Authorization") == "Bearer good" for r in srv.requests)
    assert api._get_requests_session is original


# ----------------------------------------------------------------------------- real records

def real_works(name: str) -> list[dict]:
    path = WORKS_DIR / name
    if not path.exists():
        pytest.skip(f"shared data file {path} is absent")
    return load_works(path)


def test_real_records_cursor_crawl_and_country_counts():
    """5,558 real works: every non-xpac work exactly once, group_by counts as computed here."""
    works = real_works("geosciencearabia__idb03.jsonl.gz")
    visible = {w["id"] for w in works if not w.get("is_xpac")}
    with OpenAlexTestServer(works) as s:
        seen, metas, _ = crawl(s, "select=id", 200)
        assert len(seen) == len(set(seen)) == len(visible) == metas[0]["count"]
        assert {"https://openalex.org/" + i for i in seen} == visible

        expected: Counter = Counter()
        for w in works:
            if not w.get("is_xpac"):
                expected.update({i["country_code"] for a in w.get("authorships") or []
                                 for i in a.get("institutions") or [] if i.get("country_code")})
        served: Counter = Counter()
        cursor = "*"
        while cursor:
            body = get(s, f"group_by=institutions.country_code&cursor={cursor}").json()
            served.update({g["key"].rsplit("/", 1)[1]: g["count"] for g in body["group_by"]})
            cursor = body["meta"]["next_cursor"]
        assert served == expected
        top = get(s, "group_by=institutions.country_code&per_page=10").json()["group_by"]
        assert [g["count"] for g in top] == [n for _, n in sorted(
            expected.items(), key=lambda kv: (-kv[1], kv[0]))[:10]]


def test_real_records_over_100_authors():
    works = real_works("evjohnston__public_openalex__all.jsonl.gz")
    big = [w for w in works if len(w.get("authorships") or []) > 100]
    assert big
    with OpenAlexTestServer(works) as s:
        for w in big:
            sid = w["id"].rsplit("/", 1)[1]
            listed = get(s, f"filter=ids.openalex:{sid}&include_xpac=true").json()["results"][0]
            assert len(listed["authorships"]) == 100 and listed["is_authors_truncated"] is True
            single = get(s, path=f"/works/{sid}").json()
            assert single["authorships"] == w["authorships"]


# ----------------------------------------------------------------------------- recorded shapes

def recorded_pages() -> list[dict]:
    if not API_DIR.exists():
        pytest.skip(f"recorded API pages {API_DIR} are absent")
    pages = []
    for path in sorted(API_DIR.glob("*.pages.jsonl.gz")):
        with gzip.open(path, "rt") as fh:
            for line in fh:
                page = json.loads(line)["page"]
                # only true API responses (cached wrappers of other tools lack db_response_time_ms)
                if isinstance(page, dict) and "db_response_time_ms" in page.get("meta", {}):
                    pages.append(page)
    return pages


def kinds(value) -> str:
    return type(value).__name__


@pytest.mark.parametrize("mode", ["page", "cursor"])
def test_list_meta_and_body_match_recorded_pages(srv, mode):
    real = [p for p in recorded_pages() if "results" in p and p["results"]
            and (p["meta"]["page"] is None) == (mode == "cursor")]
    assert real, "no recorded list pages of this mode"
    required = set.intersection(*(set(p["meta"]) for p in real))
    allowed = set.union(*(set(p["meta"]) for p in real)) | {"cost_usd"}
    query = "per_page=3" + ("&cursor=*" if mode == "cursor" else "")
    mine = get(srv, query).json()
    assert required <= set(mine["meta"]) <= allowed
    for key in required:
        real_kinds = {kinds(p["meta"][key]) for p in real}
        assert kinds(mine["meta"][key]) in real_kinds | {"NoneType"}, key
    assert set.intersection(*(set(p) for p in real)) <= set(mine) <= set.union(
        *(set(p) for p in real))


def test_cursor_shape_matches_recorded_cursors(srv):
    real = [p["meta"]["next_cursor"] for p in recorded_pages()
            if "results" in p and p["meta"].get("next_cursor")]
    mine = get(srv, "per_page=2&cursor=*").json()["meta"]["next_cursor"]
    for cursor in real + [mine]:
        values = ast_list(decode_cursor(cursor))
        assert isinstance(values, list) and values[-1].startswith("https://openalex.org/W")


def test_result_records_match_recorded_pages():
    """Served records keep exactly the keys and value types of the recorded API results."""
    pages = [p for p in recorded_pages() if p.get("results")]
    works = real_works("OpenDevEd__OpenAlex-SDK__all.jsonl.gz")
    real = next(p for p in pages if p["meta"]["count"] == 4312)
    with OpenAlexTestServer(works) as s:
        for rec in real["results"][:50]:
            sid = rec["id"].rsplit("/", 1)[1]
            mine = get(s, f"filter=ids.openalex:{sid}").json()["results"][0]
            assert set(mine) == set(rec)
            assert {k: kinds(v) for k, v in mine.items()} == {k: kinds(v) for k, v in rec.items()}


def test_group_by_pages_match_recorded_pages(srv):
    real = [p for p in recorded_pages() if p.get("group_by")]
    assert real
    for p in real:
        assert "results" not in p
        for g in p["group_by"]:
            assert set(g) == {"key", "key_display_name", "count"}
            assert (kinds(g["key"]), kinds(g["count"])) == ("str", "int")
        nonzero = [g for g in p["group_by"] if g["count"]]
        assert p["meta"]["groups_count"] == len(nonzero)  # padding is not counted
        assert p["group_by"][:len(nonzero)] == nonzero  # zeros come last
        if p["meta"].get("next_cursor"):
            assert isinstance(decode_cursor(p["meta"]["next_cursor"]), str)
    for mode in ("", "&cursor=*"):
        mine = get(srv, "group_by=type" + mode).json()
        same_mode = [p for p in real if (p["meta"]["page"] is None) == bool(mode)]
        assert set.intersection(*(set(p["meta"]) for p in same_mode)) <= set(mine["meta"])
        assert set(mine) == {"meta", "group_by"}
        if mode:
            assert decode_cursor(mine["meta"]["next_cursor"]) == "review"
    country_pages = [p for p in real if "/countries/" in p["group_by"][0]["key"]]
    for p in country_pages:
        for g in p["group_by"]:
            assert COUNTRY_NAMES[g["key"].rsplit("/", 1)[1]] == g["key_display_name"]
    type_pages = [p for p in real if "/types/" in p["group_by"][0]["key"]]
    assert {g["key"].rsplit("/", 1)[1] for p in type_pages for g in p["group_by"]} <= (
        set(WORK_TYPES) | {"database"})
