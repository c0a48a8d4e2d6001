"""The counts' cache, dry run and failures: a rerun asks nothing, a dry run sends nothing and
lists what a run sends, 429/503 are handled as in fetch, the API key never enters a key."""

from __future__ import annotations

import gzip

import pandas as pd
import pytest
from test_counts_budget import TOKYO, make_world

from collabnet.config import get_settings
from collabnet.errors import FetchError, InputError
from collabnet.query import WorkQuery
from collabnet.sources.openalex import OpenAlexClient, counts
from collabnet.testing import Fault, OpenAlexTestServer

CASES = [
    dict(),  # every country, by year
    dict(focus="JP"),
    dict(focus="OECD"),
    dict(focus="JP,DE", by_year=False),
    dict(level="institution", focus=TOKYO),
    dict(focus="JP", breakdown=True),
]


@pytest.fixture(scope="module")
def world():
    return make_world(1500, years=(2012, 2016), seed=3)


@pytest.fixture
def server(world):
    with OpenAlexTestServer(world, api_keys=["key-a", "key-b"]) as srv:
        yield srv


def settings(srv, tmp_path, key="key-a", **kw):
    return get_settings(base_url=srv.url, cache_dir=tmp_path / "cache", api_key=key, env={},
                        max_rate=None, **kw)


Q = WorkQuery(years="2012-2016")


@pytest.mark.parametrize("case", CASES, ids=lambda c: ",".join(f"{k}={v}" for k, v in c.items()))
def test_dry_run_lists_the_requests_and_a_rerun_asks_none(server, tmp_path, case):
    s = settings(server, tmp_path)
    urls = counts.count_shares(Q, settings=s, dry_run=True, **case)
    assert server.requests == [] and not (tmp_path / "cache").exists()
    assert urls == counts.count_plan(Q, settings=s, **case)
    assert all(u.startswith(server.url + "/works?") and "key-a" not in u for u in urls)
    first = counts.count_shares(Q, settings=s, **case)
    sent = [server.url + r.path + "?" + r.query for r in server.requests]
    assert sent == urls and first.attrs["requests"] == len(urls)
    server.reset_log()
    again = counts.count_shares(Q, settings=settings(server, tmp_path, key="key-b"), **case)
    assert server.requests == [] and again.attrs["requests"] == 0
    assert again.attrs["cached_answers"] == len(urls)
    pd.testing.assert_frame_equal(again, first)
    assert counts.count_plan(Q, settings=s, **case) == []  # nothing left to ask
    fresh = counts.count_shares(Q, settings=s, refresh=True, **case)
    assert len(server.requests) == len(urls) and fresh.attrs["cached_answers"] == 0
    pd.testing.assert_frame_equal(fresh, first)


def test_the_cache_holds_no_api_key(server, tmp_path):
    counts.count_shares(Q, settings=settings(server, tmp_path), focus="JP")
    files = list((tmp_path / "cache").rglob("*"))
    assert files and all("key-a" not in f.name for f in files)
    assert all(b"key-a" not in gzip.decompress(f.read_bytes()) for f in files if f.is_file())


def test_a_damaged_entry_is_asked_again(server, tmp_path):
    s = settings(server, tmp_path)
    first = counts.count_shares(Q, settings=s, focus="JP")
    victim = sorted((tmp_path / "cache" / "groups").glob("*.json.gz"))[0]
    victim.write_bytes(b"\x1f\x8bnot gzip")
    server.reset_log()
    again = counts.count_shares(Q, settings=s, focus="JP")
    assert len(server.requests) == 1
    pd.testing.assert_frame_equal(again, first)


def test_a_dry_run_lists_the_ror_lookup(server, tmp_path):
    ror = server.works[0]["authorships"][0]["institutions"][0]["ror"].rsplit("/", 1)[-1]
    urls = counts.count_plan(Q, settings=settings(server, tmp_path), level="institution",
                             focus=ror)
    assert urls[0] == f"{server.url}/institutions/ror:{ror}" and len(urls) == 3
    assert server.requests == []


@pytest.mark.parametrize("fault", [Fault("rate_limit", times=2), Fault("503", times=2,
                                                                            retry_after=0)])
def test_429_and_503_are_waited_out(server, tmp_path, fault):
    waits = []
    s = settings(server, tmp_path, max_retries=3)
    server.add_faults(fault)
    client = OpenAlexClient(s, sleep=waits.append)
    df = counts.count_shares(Q, settings=s, focus="JP", client=client)
    assert len(waits) == 2 and len(server.requests) == 4 and df.attrs["answers"] == 2
    assert df.attrs["requests"] == 4 and client.stats.group_by == 2


def test_an_exhausted_budget_stops_in_one_line(server, tmp_path):
    server.set_credits_remaining(1)
    with pytest.raises(FetchError) as err:
        counts.count_shares(Q, settings=settings(server, tmp_path), focus="JP")
    msg = str(err.value)
    assert "\n" not in msg and "budget is exhausted" in msg and "key-a" not in msg
    assert "progress so far is saved" in msg  # the first answer is: a rerun asks one
    server.set_credits_remaining(100)
    server.reset_log()
    counts.count_shares(Q, settings=settings(server, tmp_path), focus="JP")
    assert len(server.requests) == 1


def test_what_the_counts_cannot_answer(server, tmp_path):
    s = settings(server, tmp_path)
    with pytest.raises(InputError, match="year range"):
        counts.count_shares(WorkQuery(countries=["JP"]), settings=s)
    with pytest.raises(InputError, match="institutions"):
        counts.count_shares(Q, settings=s, level="institution")
    with pytest.raises(InputError, match="not authors"):
        counts.count_shares(Q, settings=s, level="author", focus="A1")
    with pytest.raises(InputError, match="no institution with ROR"):
        counts.count_shares(Q, settings=s, level="institution", focus="https://ror.org/0abcdef12")
    assert [r.path for r in server.requests] == ["/institutions/ror:0abcdef12"]


def test_attrs_say_what_was_counted(server, tmp_path):
    df = counts.count_shares(Q, settings=settings(server, tmp_path), focus="JP")
    a = df.attrs
    assert a["source"] == "counts" and a["collaboration_rule"] == "countries"
    assert a["intervals"] is False and "countries_distinct_count" in a["definition"]
    assert any("Leiden" in d for d in a["differences"])
    assert any("lineage" in d for d in a["differences"])
