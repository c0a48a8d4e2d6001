"""A slice ends only when the API says so: cursor chains that misbehave, over real HTTP.

Each test scripts one way a cursor chain can go wrong on the loopback server (an empty page
that keeps its cursor, a chain that ends before ``meta.count``, a cursor going round in
circles under a huge count, pages smaller than asked) and checks what ends up in the cache
against the server's own records: nothing lost, nothing twice, and a slice that stays short
is said so -- in the checkpoint, the fetch report, ``cache list`` and ``query_warnings``.
Every fetch is bounded: the client refuses to send more than ``LIMIT`` requests.
"""

from __future__ import annotations

from collections import Counter

import pytest
from fetch_helpers import assert_exact, list_requests, loopback, settings_for, synthetic_works

from collabnet.cache import Cache, cache_list
from collabnet.errors import FetchError
from collabnet.query import WorkQuery
from collabnet.sources.openalex import (
    OpenAlexClient,
    fetch,
    iter_cached_works,
    load_query,
    query_warnings,
)
from collabnet.testing import Fault, OpenAlexTestServer

Q = WorkQuery(years="2010-2011", exclude_paratext=False)
PER_PAGE = 50
LIMIT = 400  # requests one fetch may send in these tests; far above what a correct one needs
WORKS = synthetic_works(600, years=(2010, 2011), big_every=0)
server = loopback(WORKS)


class BoundedClient(OpenAlexClient):
    """A client that fails the test instead of sending more than LIMIT requests."""

    def get(self, path, query="", *, kind="list"):
        assert self.stats.http_requests < LIMIT, "the fetch does not stop"
        return super().get(path, query, kind=kind)


def run(srv, s, **kw):
    return fetch(Q, settings=s, progress=False, client=BoundedClient(s), **kw)


def per_year(srv) -> Counter:
    return Counter(w["publication_year"] for w in srv.works)


def checkpoint(s, name):
    sl = next(x for x in Q.slices(s.base_url) if x.name == name)
    return Cache(s.cache_dir).slice(sl.key).checkpoint()


def test_an_empty_page_that_keeps_its_cursor_is_followed(server, tmp_path):
    s = settings_for(server, tmp_path / "cache")
    server.add_faults(Fault("empty_page", times=3, match="cursor=I"))  # mid-chain, 3 in a row
    report = run(server, s)
    assert_exact(server, s, Q)
    assert [r.incomplete for r in report.slices] == [None, None]
    assert report.warnings == [] and query_warnings(Q, s) == []
    empties = [r for r in server.requests if r.fault == "empty_page"]
    assert len(empties) == 3
    # The page after the empty ones was asked with the very cursor the empty pages kept.
    after = server.requests[server.requests.index(empties[-1]) + 1]
    assert after.params["cursor"] == empties[-1].params["cursor"]
    minimum = sum(n // PER_PAGE + 1 for n in per_year(server).values())
    assert len(list_requests(server)) == minimum + 3


def test_a_chain_that_ends_early_is_walked_again_once(server, tmp_path):
    s = settings_for(server, tmp_path / "cache")
    server.add_faults(Fault("early_end", match="publication_year:2011"))  # its first page
    report = run(server, s)
    assert_exact(server, s, Q)
    r2011 = report.slices[1]
    assert r2011.walks == 2 and r2011.incomplete is None and r2011.works == per_year(server)[2011]
    assert report.warnings == [] and not checkpoint(s, "2011").incomplete
    # The retry restarted the chain at "*"; walk 1 brought one page.
    cursors = [r.params["cursor"][0] for r in list_requests(server, 2011)]
    assert cursors[:2] == ["*", "*"] and len(cursors) == per_year(server)[2011] // PER_PAGE + 2


def test_a_chain_short_twice_is_recorded_incomplete_and_repeated_to_readers(
        server, tmp_path, capsys):
    s = settings_for(server, tmp_path / "cache")
    n2011 = per_year(server)[2011]
    server.add_faults(Fault("early_end", times=2, match="publication_year:2011"))
    report = run(server, s)
    inc = {"expected": n2011, "got": PER_PAGE, "reason": "the server ended the cursor chain early"}
    assert report.slices[1].incomplete == inc
    assert checkpoint(s, "2011").incomplete == inc and checkpoint(s, "2011").done
    assert len(list_requests(server, 2011)) == 2  # one retry, not more
    line = f"2011: incomplete in the cache: {PER_PAGE} of the {n2011} works OpenAlex counts"
    assert report.warnings[0].startswith(line) and "\n" not in report.warnings[0]
    assert report.summary().count("warning: 2011: incomplete") == 1
    assert query_warnings(Q, s) == [report.warnings[0]]
    (row,) = cache_list(cache=s.cache_dir)
    assert row["incomplete"] == f"2011: {PER_PAGE}/{n2011}" and row["complete"] is False
    assert row["slices"] == "2/2"
    # What is there is readable, each work once: the short slice is not hidden.
    got = list(iter_cached_works(Q, s.cache_dir, base_url=s.base_url))
    assert len(got) == len({w["id"] for w in got}) == per_year(server)[2010] + PER_PAGE
    # A second fetch asks nothing and repeats the warning.
    server.reset_log()
    again = run(server, s)
    assert server.requests == [] and again.from_cache and again.warnings == report.warnings
    # The command line's cache list shows it.
    from collabnet.cli import main

    assert main(["cache", "list", "--cache", str(s.cache_dir)]) == 0
    assert f"2011: {PER_PAGE}/{n2011}" in capsys.readouterr().out


def test_strict_refuses_an_incomplete_slice_in_one_line_and_keeps_its_pages(server, tmp_path):
    s = settings_for(server, tmp_path / "cache")
    server.add_faults(Fault("early_end", times=3, match="publication_year:2011"))
    with pytest.raises(FetchError) as err:
        run(server, s, strict=True)
    msg = str(err.value)
    assert "\n" not in msg and "strict" in msg and "2011" in msg
    assert f"2011 ({PER_PAGE} of {per_year(server)[2011]} works" in msg and "2010 (" not in msg
    assert checkpoint(s, "2010").done and not checkpoint(s, "2010").incomplete  # fetched
    assert checkpoint(s, "2011").incomplete  # kept, pages and all
    # strict again: the incomplete slice is walked once more (the server is still short).
    with pytest.raises(FetchError, match="strict"):
        run(server, s, strict=True)
    assert server.pending_faults == []
    # Without strict the pages are accepted, no request sent.
    server.reset_log()
    report = run(server, s)
    assert server.requests == [] and report.slices[1].incomplete
    # strict once the server behaves: walked again, now complete.
    report = run(server, s, strict=True)
    assert report.slices[1].incomplete is None and report.warnings == []
    assert_exact(server, s, Q)
    assert query_warnings(Q, s) == []


def test_a_cycling_cursor_under_a_huge_count_stops_on_pages_without_new_works(
        server, tmp_path):
    """The old guard allowed 2 * count / per_page pages (40,000 here); the new one counts
    pages that bring nothing new to the walk."""
    s = settings_for(server, tmp_path / "cache", stall_pages=4)
    server.add_faults(Fault("cycle", times=10**6, count=10**6, match="publication_year:2011"))
    report = run(server, s)
    n2011 = per_year(server)[2011]
    pages = n2011 // PER_PAGE + 1  # one walk round the circle
    assert len(list_requests(server, 2011)) == 2 * (pages + 4)  # two walks, each stopped after 4
    assert report.slices[1].incomplete == {
        "expected": 10**6, "got": n2011, "reason": "4 pages in a row brought no new work"}
    assert_exact(server, s, Q)  # every work once, although each was served several times
    assert checkpoint(s, "2011").pages == pages  # pages that brought nothing were not stored


def test_a_chain_that_never_ends_but_brought_every_work_is_complete(server, tmp_path):
    s = settings_for(server, tmp_path / "cache", stall_pages=3)
    n2011 = per_year(server)[2011]
    server.add_faults(Fault("cycle", times=10**6, count=n2011, match="publication_year:2011"))
    report = run(server, s)
    assert report.slices[1].incomplete is None and report.slices[1].walks == 1
    assert any("still offered a next cursor" in w for w in report.warnings)
    assert_exact(server, s, Q)
    assert checkpoint(s, "2011").next_cursor is None


def test_pages_smaller_than_asked_are_not_an_endless_cursor(tmp_path):
    """A server serving 5 works a page to a client asking 200: the old guard stopped the
    slice after 12 pages ("13 pages for 282 works … stopped")."""
    with OpenAlexTestServer(WORKS[:300]) as srv:
        s = settings_for(srv, tmp_path / "cache", per_page=200)
        srv.add_faults(Fault("small_pages", size=5, times=10**6))
        report = run(srv, s)
        assert_exact(srv, s, Q)
        assert all(r.incomplete is None for r in report.slices) and report.warnings == []
        for year, n in per_year(srv).items():
            assert len(list_requests(srv, year)) == -(-n // 5)  # ceil: the last short page ends it
            assert all(r.params["per_page"] == ["200"] for r in list_requests(srv, year))


def test_one_run_spends_a_bounded_number_of_requests_on_a_slice(server, tmp_path):
    s = settings_for(server, tmp_path / "cache", max_slice_requests=3)
    with pytest.raises(FetchError) as err:
        run(server, s)
    msg = str(err.value)
    assert "\n" not in msg and "slice 2010: 3 requests" in msg and "rerun" in msg
    assert len(list_requests(server)) == 3
    report = run(server, settings_for(server, tmp_path / "cache"))  # resumes from the checkpoint
    assert report.slices[0].resumed
    assert_exact(server, s, Q)
    minimum = sum(n // PER_PAGE + 1 for n in per_year(server).values())
    assert len(list_requests(server)) == minimum  # nothing asked twice


def test_one_run_spends_a_bounded_time_on_a_slice(server, tmp_path):
    s = settings_for(server, tmp_path / "cache", max_slice_seconds=0.2)
    server.add_faults(Fault("slow", delay=0.3, match="publication_year:2010"))
    with pytest.raises(FetchError, match=r"slice 2010: \d+ s in this run"):
        run(server, s)
    run(server, settings_for(server, tmp_path / "cache"))
    assert_exact(server, s, Q)


def test_load_query_logs_the_warning_of_an_incomplete_slice(server, tmp_path, caplog):
    s = settings_for(server, tmp_path / "cache")
    server.add_faults(Fault("early_end", times=2, match="publication_year:2011"))
    load_query(Q, settings=s, progress=False)
    first = [r.getMessage() for r in caplog.records if "incomplete" in r.getMessage()]
    caplog.clear()
    load_query(Q, settings=s, progress=False)  # from the cache: said again
    again = [r.getMessage() for r in caplog.records if "incomplete" in r.getMessage()]
    assert first == again == query_warnings(Q, s) and len(first) == 1
    server.add_faults(Fault("early_end", match="publication_year:2011"))
    with pytest.raises(FetchError, match="strict"):
        load_query(Q, settings=s, progress=False, strict=True)
    assert len(load_query(Q, settings=s, progress=False, strict=True)) == len(server.works)
