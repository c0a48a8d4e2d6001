"""WorkQuery and settings: validation, the OpenAlex filter pyalex composes, stable cache keys."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from collabnet.config import DEFAULT_BASE_URL, Settings, get_settings, normalize_base_url
from collabnet.errors import InputError
from collabnet.query import SELECT_FIELDS, WorkQuery, cache_key, parse_years


def test_filter_string_is_canonical_and_sorted():
    """Order and case of the input do not matter: fields and values come out sorted."""
    a = WorkQuery(countries=["kr", "JP"], years="2009-2017", types=["review", "article"])
    b = WorkQuery(countries="JP,KR", years=(2009, 2017), types=("article", "review"))
    assert a == b
    assert a.filter_string() == (
        "institutions.country_code:jp|kr,is_paratext:false,publication_year:2009-2017,"
        "type:article|review"
    )
    assert a.key == b.key


def test_pyalex_composes_the_url_and_select():
    q = WorkQuery(countries=["JP"], institutions=["https://openalex.org/I74801974"], years=2015)
    url = q.pyalex(select=SELECT_FIELDS).url
    params = parse_qs(urlsplit(url).query)
    assert params["filter"] == [
        "institutions.country_code:jp,institutions.id:I74801974,is_paratext:false,"
        "publication_year:2015"
    ]
    assert params["select"] == [",".join(SELECT_FIELDS)]


def test_slices_one_per_year_with_their_own_keys():
    q = WorkQuery(countries=["DE"], years="2010-2012")
    slices = q.slices()
    assert [s.name for s in slices] == ["2010", "2011", "2012"]
    assert slices[1].filter_string == (
        "institutions.country_code:de,is_paratext:false,publication_year:2011"
    )
    assert len({s.key for s in slices}) == 3
    # The 2011 slice of a different range is the same slice (shared in the cache).
    other = WorkQuery(countries=["DE"], years="2011-2015").slices()[0]
    assert other.key == slices[1].key
    assert WorkQuery(countries=["DE"]).slices()[0].name == "all"


def test_cache_key_is_stable_and_depends_on_filter_and_select_only():
    q = WorkQuery(countries=["JP"], years="2009-2017")
    # A literal value: the key must not change between runs or versions without intent.
    assert q.key == cache_key(
        "institutions.country_code:jp,is_paratext:false,publication_year:2009-2017"
    )
    assert len(q.key) == 20 and all(c in "0123456789abcdef" for c in q.key)
    assert cache_key("a:1", ["x", "y"]) == cache_key("a:1", ["y", "x"])
    assert cache_key("a:1", ["x"]) != cache_key("a:1", ["x", "y"])


def test_exclusions_and_extra_filters():
    q = WorkQuery(countries=["FR"], exclude_paratext=False, exclude_retracted=True)
    assert q.filters() == {"institutions.country_code": "fr", "is_retracted": "false"}
    f = q.filters(extra={"countries_distinct_count": ">1"})
    assert list(f) == sorted(f)
    assert f["countries_distinct_count"] == ">1"


def test_institutions_openalex_and_ror_normalised():
    q = WorkQuery(institutions=["i74801974", "openalex.org/I1"])
    assert q.institutions == ("I1", "I74801974")
    assert q.filters()["institutions.id"] == "I1|I74801974"
    r = WorkQuery(institutions=["https://ror.org/057ZH3Y96", "ror:03vek6s52"])
    assert r.filters()["institutions.ror"] == "03vek6s52|057zh3y96"


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"countries": ["XX"]}, "unknown country code"),
        ({"countries": ["JPN"]}, "two letters"),
        ({"institutions": ["Tokyo"]}, "invalid institution"),
        ({"institutions": ["I1", "https://ror.org/057zh3y96"]}, "not both"),
        ({"types": ["artcle"]}, "unknown work type"),
        ({"years": "2017-2009"}, "2017 is after 2009"),
        ({"years": "2009-20"}, "invalid year range"),
        ({"years": "0999"}, "out of range 1000-2100"),
        ({"institutions": [f"I{i}" for i in range(101)]}, "at most 100"),
    ],
)
def test_invalid_queries_raise_one_line_input_errors(kwargs, words):
    with pytest.raises(InputError) as err:
        WorkQuery(**kwargs)
    assert words in str(err.value)
    assert "\n" not in str(err.value)


def test_year_outside_range_for_a_slice():
    q = WorkQuery(years="2010-2011")
    with pytest.raises(InputError, match="outside"):
        q.filters(year=2012)


def test_round_trip_and_description():
    q = WorkQuery(countries=["JP"], years="2009-2017", types=["article"], exclude_retracted=True)
    assert WorkQuery.from_dict(q.to_dict()) == q
    assert q.describe() == (
        "countries JP; years 2009-2017; types article; excluding paratext and retracted"
    )
    assert parse_years(None) is None
    assert parse_years("2015") == (2015, 2015)


# --- settings --------------------------------------------------------------------------------


def test_settings_precedence_arguments_then_env_then_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    s = get_settings(env={})
    assert s.base_url == DEFAULT_BASE_URL
    assert s.cache_dir == tmp_path / "cache"  # ./cache of the working directory
    assert s.api_key is None
    env = {
        "OPENALEX_API_KEY": "envkey",
        "OPENALEX_EMAIL": "me@example.org",
        "COLLABNET_CACHE": str(tmp_path / "c1"),
        "COLLABNET_OPENALEX_URL": "http://127.0.0.1:9999/",
    }
    s = get_settings(env=env)
    assert (s.api_key, s.email, s.cache_dir, s.base_url) == (
        "envkey",
        "me@example.org",
        tmp_path / "c1",
        "http://127.0.0.1:9999",
    )
    s = get_settings(api_key="argkey", cache_dir="c2", base_url="https://example.org/api", env=env)
    assert (s.api_key, s.cache_dir, s.base_url) == (
        "argkey",
        tmp_path / "c2",
        "https://example.org/api",
    )
    # An empty environment value counts as unset.
    assert get_settings(env={"OPENALEX_API_KEY": ""}).api_key is None


def test_settings_never_show_the_key():
    s = Settings(api_key="s3cr3t-key-value", cache_dir=Path("c"))
    assert "s3cr3t" not in repr(s) and "s3cr3t" not in str(s)
    with pytest.raises(InputError) as err:
        get_settings(api_key="bad key with spaces", env={})
    assert "bad key" not in str(err.value)


@pytest.mark.parametrize("url", ["ftp://x", "api.openalex.org", "http://", "http://h/?a=1"])
def test_bad_base_urls(url):
    with pytest.raises(InputError, match="base URL"):
        normalize_base_url(url)
