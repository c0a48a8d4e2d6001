"""The OpenAlex fetcher against the loopback server, over real HTTP on 127.0.0.1.

Each test starts an ``OpenAlexTestServer`` holding synthetic works (tests/fetch_helpers.py),
fetches a query into a temporary cache and checks the cached works against the server's own
records, and the requests the server logged. Waits are recorded instead of slept where a
test only needs to know that a ``Retry-After`` was honoured.
"""

from __future__ import annotations

import gzip
import logging
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from fetch_helpers import synthetic_works

from collabnet.cache import Cache, CacheBusyError
from collabnet.config import get_settings
from collabnet.errors import FetchError, InputError
from collabnet.query import SELECT_FIELDS, WorkQuery
from collabnet.sources.openalex import (
    AuthError,
    BudgetExhaustedError,
    OpenAlexClient,
    PlanRequiredError,
    RateLimitError,
    fetch,
    is_cached,
    iter_cached_works,
    load_query,
)
from collabnet.testing import Fault, OpenAlexTestServer, pyalex_to

HERE = Path(__file__).resolve().parent
SECRET = "sk-TEST-9f8e7d6c5b4a"
QUERY = WorkQuery(years="2009-2013")  # paratext excluded by default


@pytest.fixture(scope="module")
def works():
    return synthetic_works(2000, years=(2009, 2013), big_every=397)


@pytest.fixture
def server(works):
    with OpenAlexTestServer(works) as srv:
        yield srv


def settings_for(srv, tmp_path, **kw):
    kw.setdefault("max_rate", None)
    return get_settings(base_url=srv.url, cache_dir=tmp_path / "cache", env={}, **kw)


def client_for(settings, waits=None):
    """A client whose waits are recorded in ``waits`` instead of slept."""
    return OpenAlexClient(settings, sleep=(waits.append if waits is not None else time.sleep))


def matches(work: dict, q: WorkQuery) -> bool:
    """The query's meaning, evaluated in Python on the server's own records."""
    first, last = q.years
    if not first <= work["publication_year"] <= last:
        return False
    if q.exclude_paratext and work.get("is_paratext"):
        return False
    if q.exclude_retracted and work.get("is_retracted"):
        return False
    if q.types and work["type"] not in q.types:
        return False
    codes = {i["country_code"] for a in work["authorships"] for i in a["institutions"]}
    if q.countries and not codes & set(q.countries):
        return False
    return True


def expected_ids(srv, q=QUERY) -> set[str]:
    return {w["id"] for w in srv.works if matches(w, q)}


def minimum_list_requests(srv, q=QUERY, per_page=200) -> int:
    """Cursor paging's floor: per slice, floor(n / per_page) + 1 (short or empty last page)."""
    per_year = Counter(w["publication_year"] for w in srv.works if matches(w, q))
    return sum(per_year[s.year] // per_page + 1 for s in q.slices())


def list_requests(srv) -> list:
    return [r for r in srv.requests if r.path == "/works"]


def assert_exact(srv, settings, q=QUERY):
    """The cache holds every matching work exactly once, as the server has it."""
    got = list(iter_cached_works(q, settings.cache_dir, base_url=settings.base_url))
    ids = [w["id"] for w in got]
    assert len(ids) == len(set(ids))
    assert set(ids) == expected_ids(srv, q)
    return got


# --- the normal path -------------------------------------------------------------------------


def test_multi_slice_fetch_equals_the_server_record_set(server, tmp_path):
    s = settings_for(server, tmp_path)
    report = fetch(QUERY, settings=s, progress=False)
    got = assert_exact(server, s)
    assert report.works == len(got) == len(expected_ids(server))
    assert [r.name for r in report.slices] == ["2009", "2010", "2011", "2012", "2013"]
    # Minimum requests: cursor paging at per_page=200, select of collabnet's fields, gzip.
    lists = list_requests(server)
    assert len(lists) == minimum_list_requests(server) == report.stats.list_pages
    for r in lists:
        assert r.params["per_page"] == ["200"]
        assert r.params["select"] == [",".join(SELECT_FIELDS)]
        assert "cursor" in r.params
        assert "gzip" in r.headers.get("Accept-Encoding", "")
    assert {r.params["cursor"][0] for r in lists} >= {"*"}
    # Works with more than 100 authors were fetched again whole (free singleton requests).
    big = {w["id"]: len(w["authorships"]) for w in server.works
           if matches(w, QUERY) and len(w["authorships"]) > 100}
    assert big, "the data set should contain works with >100 authors"
    singles = [r for r in server.requests if r.path.startswith("/works/")]
    assert len(singles) == len(big) == report.stats.singletons
    by_id = {w["id"]: w for w in got}
    for wid, n in big.items():
        assert len(by_id[wid]["authorships"]) == n
        assert by_id[wid]["is_authors_truncated"] is False
    # Records are what the server holds, restricted to the selected fields.
    sample = next(w for w in server.works if matches(w, QUERY))
    assert by_id[sample["id"]] == {k: v for k, v in sample.items() if k in SELECT_FIELDS}


def test_rerun_of_a_finished_query_makes_no_requests(server, tmp_path):
    s = settings_for(server, tmp_path)
    first = fetch(QUERY, settings=s, progress=False)
    server.reset_log()
    again = fetch(QUERY, settings=s, progress=False)
    assert server.requests == []
    assert again.from_cache and again.stats.http_requests == 0
    assert again.works == first.works
    assert len(load_query(QUERY, settings=s)) == first.works
    assert server.requests == []
    # A query sharing years reuses those slices: only 2014 is new.
    wider = WorkQuery(years="2012-2014")
    fetch(wider, settings=s, progress=False)
    assert {r.params["filter"][0].split("publication_year:")[1].split(",")[0]
            for r in list_requests(server)} == {"2014"}


def test_base_url_from_the_environment(server, tmp_path):
    s = get_settings(env={"COLLABNET_OPENALEX_URL": server.url,
                          "COLLABNET_CACHE": str(tmp_path / "c")}, max_rate=None)
    fetch(WorkQuery(years=2010), settings=s, progress=False)
    assert list_requests(server)
    assert is_cached(WorkQuery(years=2010), tmp_path / "c", base_url=server.url)


def test_query_filters_reach_the_server(server, tmp_path):
    q = WorkQuery(countries=["JP", "KR"], years="2010-2011", types=["article", "review"])
    s = settings_for(server, tmp_path)
    fetch(q, settings=s, progress=False)
    assert_exact(server, s, q)
    f = list_requests(server)[0].params["filter"][0]
    assert f == ("institutions.country_code:jp|kr,is_paratext:false,publication_year:2010,"
                 "type:article|review")


def test_pyalex_against_the_same_server_agrees(server, tmp_path):
    """pyalex itself (pointed at the loopback server) pages to the same set of works."""
    q = WorkQuery(countries=["DE"], years=2011)
    ids = set()
    with pyalex_to(server.url):
        for page in q.pyalex(year=2011, select=["id"]).paginate(per_page=200, n_max=None):
            ids.update(w["id"] for w in page)
    s = settings_for(server, tmp_path)
    fetch(q, settings=s, progress=False)
    cached = iter_cached_works(q, s.cache_dir, base_url=s.base_url)
    assert ids == {w["id"] for w in cached} == expected_ids(server, q)


def test_per_page_falls_back_to_100_when_200_is_refused(works, tmp_path):
    with OpenAlexTestServer(works, max_per_page=100) as srv:
        s = settings_for(srv, tmp_path)
        fetch(QUERY, settings=s, progress=False)
        assert_exact(srv, s)
        refused = [r for r in list_requests(srv) if r.status == 400]
        assert len(refused) == 1  # learnt once, used for the other slices
        ok = [r for r in list_requests(srv) if r.status == 200]
        assert all(r.params["per_page"] == ["100"] for r in ok)


# --- interruptions and resume ---------------------------------------------------------------


def test_resume_after_kill_9_mid_fetch(server, tmp_path):
    """A subprocess fetching is killed with SIGKILL; the next run continues from checkpoints."""
    cache = tmp_path / "cache"
    per_page = 25
    cmd = [sys.executable, str(HERE / "fetch_helpers.py"), server.url, str(cache),
           "2009-2013", str(per_page), "40"]
    env = dict(os.environ, PYTHONPATH=str(HERE.parent))
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        deadline = time.monotonic() + 60
        while len([r for r in list_requests(server) if r.status == 200]) < 30:
            assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
            assert time.monotonic() < deadline, "the subprocess never got going"
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    before = len(list_requests(server))
    minimum = minimum_list_requests(server, per_page=per_page)
    assert before < minimum, "killed too late to test resuming"
    # What the killed run left: some slices done, one with a checkpoint part-way.
    cache_obj = Cache(cache)
    left = {s.name: cache_obj.slice(s.key).checkpoint() for s in QUERY.slices(server.url)}
    partial = {name: cp for name, cp in left.items() if cp is not None and not cp.done}
    assert len(partial) == 1 and any(cp and cp.done for cp in left.values())
    (name, cp), = partial.items()
    assert cp.pages >= 1 and cp.next_cursor not in (None, "*")

    s = get_settings(base_url=server.url, cache_dir=cache, env={}, per_page=per_page,
                     max_rate=None)
    report = fetch(QUERY, settings=s, progress=False)
    assert_exact(server, s)
    after = list_requests(server)[before:]
    assert [r.name for r in report.slices if r.resumed] == [name]
    assert [r.from_cache for r in report.slices] == [left[n] is not None and left[n].done
                                                      for n in left]
    # The resumed slice starts at its saved cursor, not at "*" again...
    first = next(r for r in after if f"publication_year:{name}" in r.params["filter"][0])
    assert first.params["cursor"] == [cp.next_cursor]
    # ...so nothing is fetched twice except at most the page in flight when the kill came.
    assert before + len(after) <= minimum + 1


def test_keyboard_interrupt_keeps_progress(server, tmp_path):
    s = settings_for(server, tmp_path)
    client = client_for(s)
    real_get = client.get
    calls = {"n": 0}

    def get(path, query="", *, kind="list"):
        calls["n"] += kind == "list"
        if calls["n"] == 4:
            raise KeyboardInterrupt
        return real_get(path, query, kind=kind)

    client.get = get
    with pytest.raises(KeyboardInterrupt):
        fetch(QUERY, settings=s, progress=False, client=client)
    done = len(list_requests(server))
    report = fetch(QUERY, settings=s, progress=False)
    assert_exact(server, s)
    assert done + report.stats.list_pages == minimum_list_requests(server)


def test_cursor_drift_still_gives_each_work_once(server, tmp_path):
    """A work moved later in the sort order between pages is seen twice, kept once."""
    s = settings_for(server, tmp_path, per_page=50)
    client = client_for(s)
    real_get = client.get
    state = {"moved": None}

    def get(path, query="", *, kind="list"):
        page = real_get(path, query, kind=kind)
        if state["moved"] is None and kind == "list" and page["results"]:
            top = dict(page["results"][0])
            full = next(w for w in server.works if w["id"] == top["id"])
            server.add_works([dict(full, cited_by_count=-1)])  # now sorts last
            state["moved"] = top["id"]
        return page

    client.get = get
    fetch(QUERY, settings=s, progress=False, client=client)
    store = Cache(s.cache_dir).slice(QUERY.slices(s.base_url)[0].key)
    raw = [w["id"] for p in store.iter_pages() for w in p["results"]]
    assert raw.count(state["moved"]) == 2
    assert_exact(server, s)


def test_a_second_run_cannot_write_a_slice_being_fetched(server, tmp_path):
    s = settings_for(server, tmp_path)
    key = QUERY.slices(s.base_url)[1].key
    with Cache(s.cache_dir).slice(key).lock():
        with pytest.raises(CacheBusyError, match="another collabnet run"):
            fetch(QUERY, settings=s, progress=False)
    fetch(QUERY, settings=s, progress=False)  # resumes: slice 2009 already done
    assert_exact(server, s)


def test_partial_cache_is_never_read_as_whole(server, tmp_path):
    s = settings_for(server, tmp_path)
    fetch(WorkQuery(years="2009-2010"), settings=s, progress=False)
    with pytest.raises(InputError, match="not fully in the cache"):
        list(iter_cached_works(QUERY, s.cache_dir, base_url=s.base_url))
    with pytest.raises(InputError, match="run `collabnet fetch`"):
        load_query(QUERY, settings=s, fetch_missing=False)


# --- faults ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["500", "502", "503", "504", "drop", "truncate", "timed_out"])
def test_transient_faults_are_retried_and_the_result_is_exact(server, tmp_path, kind):
    s = settings_for(server, tmp_path)
    waits = []
    client = client_for(s, waits)
    # Twice in a row, on a page in the middle of the 2011 slice.
    server.add_faults(Fault(kind, times=2, retry_after=3, match="cursor=I"))
    report = fetch(QUERY, settings=s, progress=False, client=client)
    assert_exact(server, s)
    faulted = [r for r in server.requests if r.fault == kind]
    assert len(faulted) == 2
    assert report.stats.retries == 2
    assert len(list_requests(server)) == minimum_list_requests(server) + 2
    if kind in ("500", "502", "503", "504"):
        assert waits.count(3) == 2  # Retry-After honoured (longer than the backoff)
    # A timed-out page is partial: it must never be saved as if complete.
    assert report.works == len(expected_ids(server))


def test_slow_server_times_out_and_is_retried(server, tmp_path):
    s = settings_for(server, tmp_path, timeout=0.3)
    server.add_faults(Fault("slow", delay=1.0, match="publication_year:2012"))
    report = fetch(QUERY, settings=s, progress=False, client=client_for(s, []))
    assert report.stats.retries == 1 and "no answer" in report.stats.failures[0]
    assert_exact(server, s)


def test_retries_are_bounded_then_a_rerun_resumes(server, tmp_path):
    s = settings_for(server, tmp_path, max_retries=3)
    waits = []
    server.add_faults(Fault("503", times=10, retry_after=0, match="publication_year:2011"))
    with pytest.raises(FetchError) as err:
        fetch(QUERY, settings=s, progress=False, client=client_for(s, waits))
    msg = str(err.value)
    assert "failed 4 times" in msg and "HTTP 503" in msg and "rerun" in msg
    assert "2 of 5 slices complete" in msg and "\n" not in msg
    assert len(waits) == 3 and waits == sorted(waits)  # exponential backoff, bounded
    server.clear_faults()
    server.reset_log()
    report = fetch(QUERY, settings=s, progress=False)
    assert [r.from_cache for r in report.slices] == [True, True, False, False, False]
    assert_exact(server, s)


def test_per_second_rate_limit_waits_for_retry_after(server, tmp_path):
    s = settings_for(server, tmp_path)
    waits = []
    server.add_faults(Fault("rate_limit", times=3, retry_after=2))
    report = fetch(QUERY, settings=s, progress=False, client=client_for(s, waits))
    assert waits[:3] == [2.0, 2.0, 2.0]
    assert report.stats.rate_limit_waits == 3 and report.stats.retries == 0
    assert_exact(server, s)


def test_real_per_second_limit_is_survived(works, tmp_path):
    """The server's token bucket (5/s) against an unthrottled client: real 429s, real waits."""
    with OpenAlexTestServer(works, per_second=5) as srv:
        s = settings_for(srv, tmp_path, per_page=100, max_rate=None)
        q = WorkQuery(years="2009-2010")
        report = fetch(q, settings=s, progress=False)
        assert report.stats.rate_limit_waits >= 1
        assert any(r.status == 429 for r in srv.requests)
        assert_exact(srv, s, q)


def test_client_side_rate_limit_avoids_429s(works, tmp_path):
    with OpenAlexTestServer(works, per_second=5) as srv:
        s = settings_for(srv, tmp_path, per_page=100, max_rate=4)
        fetch(WorkQuery(years=2009), settings=s, progress=False)
        assert not any(r.status == 429 for r in srv.requests)


def test_rate_limit_with_a_long_retry_after_stops_cleanly(server, tmp_path):
    s = settings_for(server, tmp_path, max_wait=60)
    server.add_faults(Fault("rate_limit", retry_after=3600))
    with pytest.raises(RateLimitError, match="wait 3600 s"):
        fetch(QUERY, settings=s, progress=False, client=client_for(s, []))


def test_budget_exhausted_mid_fetch_stops_and_resumes_after_reset(works, tmp_path):
    with OpenAlexTestServer(works, api_keys=[SECRET], daily_credits=4) as srv:
        s = settings_for(srv, tmp_path, api_key=SECRET)
        with pytest.raises(BudgetExhaustedError) as err:
            fetch(QUERY, settings=s, progress=False)
        msg = str(err.value)
        assert "budget is exhausted" in msg and "resets at" in msg and "UTC" in msg
        assert "rerun the same command" in msg and SECRET not in msg and "\n" not in msg
        assert err.value.resets_at is not None
        statuses = [r.status for r in list_requests(srv)]
        assert statuses == [200] * 4 + [429]  # no retrying an exhausted budget
        srv.set_credits_remaining(1000)  # midnight UTC
        fetch(QUERY, settings=s, progress=False)
        assert_exact(srv, s)
        ok = [r for r in list_requests(srv) if r.status == 200]
        assert len(ok) == minimum_list_requests(srv)  # not one credit wasted


def test_scripted_budget_fault_and_keyless_hint(server, tmp_path):
    s = settings_for(server, tmp_path)
    server.add_faults(Fault("budget", match="publication_year:2010"))
    with pytest.raises(BudgetExhaustedError, match="keyless .* free API key"):
        fetch(QUERY, settings=s, progress=False)
    fetch(QUERY, settings=s, progress=False)
    assert_exact(server, s)


def test_plan_upgrade_required_is_not_retried(server, tmp_path):
    s = settings_for(server, tmp_path)
    server.add_faults(Fault("plan"))
    with pytest.raises(PlanRequiredError, match="paid plan"):
        fetch(QUERY, settings=s, progress=False)
    assert len(server.requests) == 1


def test_wrong_key_is_reported_without_the_key(works, tmp_path):
    with OpenAlexTestServer(works, api_keys=["the-right-key"]) as srv:
        s = settings_for(srv, tmp_path, api_key=SECRET)
        with pytest.raises(AuthError) as err:
            fetch(QUERY, settings=s, progress=False)
        assert "rejected the API key" in str(err.value) and SECRET not in str(err.value)
        assert len(srv.requests) == 1  # a 401 is not retried


def test_missing_key_when_the_server_requires_one(works, tmp_path):
    with OpenAlexTestServer(works, require_key=True) as srv:
        with pytest.raises(AuthError, match="requires an API key"):
            fetch(QUERY, settings=settings_for(srv, tmp_path), progress=False)


def test_html_404_on_the_list_means_a_wrong_base_url(server, tmp_path):
    s = settings_for(server, tmp_path)
    server.add_faults(Fault("html404"))
    with pytest.raises(FetchError, match="404 .* is the base URL right"):
        fetch(QUERY, settings=s, progress=False)
    assert len(server.requests) == 1


def test_html_404_on_a_singleton_keeps_the_truncated_record(server, tmp_path):
    s = settings_for(server, tmp_path)
    big = next(w for w in server.works if matches(w, QUERY) and len(w["authorships"]) > 100)
    short = big["id"].rsplit("/", 1)[1]
    server.add_faults(Fault("html404", match=f"/works/{short}?"))
    report = fetch(QUERY, settings=s, progress=False)
    got = {w["id"]: w for w in assert_exact(server, s)}
    assert len(got[big["id"]]["authorships"]) == 100
    assert got[big["id"]]["is_authors_truncated"] is True
    assert any(short in w and "not found" in w for w in report.warnings)


def test_unreachable_server_is_one_line_after_bounded_retries(tmp_path):
    with OpenAlexTestServer([]) as srv:
        url = srv.url  # the port is free again once stopped
    s = get_settings(base_url=url, cache_dir=tmp_path, env={}, api_key=SECRET, max_retries=2)
    with pytest.raises(FetchError) as err:
        fetch(WorkQuery(years=2010), settings=s, progress=False, client=client_for(s, []))
    msg = str(err.value)
    assert "connection failed" in msg and "failed 3 times" in msg
    assert SECRET not in msg and "\n" not in msg


def test_not_an_openalex_server(tmp_path):
    """A server that answers 200 with something else is named, not silently accepted."""
    import http.server
    import threading

    class H(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            body = b'{"hello": "world"}'
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass

    httpd = http.server.HTTPServer(("127.0.0.1", 0), H)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    try:
        s = get_settings(base_url=f"http://127.0.0.1:{httpd.server_port}", cache_dir=tmp_path,
                         env={})
        with pytest.raises(FetchError, match="not answer with an OpenAlex list page"):
            fetch(WorkQuery(years=2010), settings=s, progress=False)
    finally:
        httpd.shutdown()
        httpd.server_close()


# --- the API key stays secret ----------------------------------------------------------------


def test_api_key_never_in_cache_names_files_or_logs(works, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    with OpenAlexTestServer(works, api_keys=[SECRET]) as srv:
        s = settings_for(srv, tmp_path, api_key=SECRET)
        srv.add_faults(Fault("503", retry_after=0, match="publication_year:2010"))
        report = fetch(QUERY, settings=s, progress=False)
        # The key was sent (in the Authorization header, not the URL)...
        assert {r.api_key for r in srv.requests} == {SECRET}
        assert all(SECRET not in r.url for r in srv.requests)
    # ...but is nowhere on disk, in names or contents.
    for path in Path(s.cache_dir).rglob("*"):
        assert SECRET not in str(path)
        if path.is_file():
            data = path.read_bytes()
            if data[:2] == b"\x1f\x8b":
                data = gzip.decompress(data)
            assert SECRET.encode() not in data, path
    assert SECRET not in caplog.text
    assert SECRET not in report.summary() and SECRET not in repr(s)
    assert caplog.text  # logging did happen (so the check above means something)


# --- cost ------------------------------------------------------------------------------------


def test_requests_per_10000_works_are_at_the_minimum(tmp_path):
    """10 000 works in one year: 50 full pages + 1 empty page that ends the cursor chain."""
    works = synthetic_works(10_000, years=(2015, 2015), big_every=0)
    with OpenAlexTestServer(works) as srv:
        q = WorkQuery(years=2015, exclude_paratext=False)
        s = settings_for(srv, tmp_path)
        report = fetch(q, settings=s, progress=False)
        assert report.works == 10_000
        assert len(srv.requests) == report.stats.http_requests == 51
        assert srv.credits_used == 51


# --- command line ----------------------------------------------------------------------------


def run_cli(capsys, *argv):
    from collabnet.cli import main

    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_fetch_then_shares_and_network_from_the_cache(server, tmp_path, capsys):
    cache = tmp_path / "c"
    opts = ["--country", "JP", "--years", "2009-2013", "--base-url", server.url,
            "--cache", cache]
    code, out, err = run_cli(capsys, "fetch", *opts, "-q")
    assert code == 0, err
    n = len(expected_ids(server, WorkQuery(countries=["JP"], years="2009-2013")))
    assert out.startswith(f"{n} works for countries JP; years 2009-2013")
    assert "5 fetched" in out
    server.reset_log()
    code, out, err = run_cli(capsys, "fetch", *opts, "-q")
    assert code == 0 and "5 already cached" in out and "requests: 0 " in out
    # shares and network read the same works from the cache: no request at all.
    csv = tmp_path / "shares.csv"
    code, out, err = run_cli(capsys, "shares", *opts, "--by-year", "--focus", "JP", "-o", csv)
    assert code == 0, err
    import pandas as pd

    df = pd.read_csv(csv)
    assert list(df["year"]) == [2009, 2010, 2011, 2012, 2013]
    assert df["works"].sum() == n
    code, out, err = run_cli(capsys, "network", *opts, "-o", tmp_path / "g.graphml", "-q")
    assert code == 0, err
    assert (tmp_path / "g.graphml").stat().st_size > 0
    assert server.requests == []
    # Files and a query together are ambiguous.
    code, out, err = run_cli(capsys, "shares", csv, *opts)
    assert code == 2 and "not both" in err


def test_cli_shares_fetches_what_is_missing(server, tmp_path, capsys):
    code, out, err = run_cli(capsys, "shares", "--country", "DE", "--years", "2010",
                             "--base-url", server.url, "--cache", tmp_path, "-q")
    assert code == 0, err
    assert "DE" in out and len(list_requests(server)) >= 1


def test_cli_errors_are_one_line_without_the_key(works, tmp_path, capsys, monkeypatch):
    with OpenAlexTestServer(works, api_keys=["right"], daily_credits=2) as srv:
        monkeypatch.setenv("OPENALEX_API_KEY", SECRET)
        code, out, err = run_cli(capsys, "fetch", "--country", "JP", "--years", "2010",
                                 "--base-url", srv.url, "--cache", tmp_path, "-q")
        assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
        assert "rejected the API key" in err and SECRET not in err
        assert srv.requests[0].api_key == SECRET  # the key came from the environment
        monkeypatch.setenv("OPENALEX_API_KEY", "right")
        code, out, err = run_cli(capsys, "fetch", "--country", "US", "--years", "2009-2013",
                                 "--base-url", srv.url, "--cache", tmp_path, "-q")
        assert code == 2 and err.count("\n") == 1
        assert "budget is exhausted" in err and "resets at" in err and "rerun" in err
    code, out, err = run_cli(capsys, "fetch", "--years", "2010", "--cache", tmp_path)
    assert code == 2 and "--country" in err
    code, out, err = run_cli(capsys, "fetch", "--country", "XX", "--cache", tmp_path)
    assert code == 2 and "unknown country code" in err


def test_cli_cache_list_and_clear(server, tmp_path, capsys):
    base = ["--base-url", server.url, "--cache", tmp_path, "-q"]
    run_cli(capsys, "fetch", "--country", "JP", "--years", "2009-2010", *base)
    run_cli(capsys, "fetch", "--country", "JP", "--years", "2010-2011", *base)
    code, out, err = run_cli(capsys, "cache", "list", "--cache", tmp_path)
    q1 = WorkQuery(countries=["JP"], years="2009-2010")
    q2 = WorkQuery(countries=["JP"], years="2010-2011")
    k1, k2 = q1.cache_key(server.url), q2.cache_key(server.url)
    assert code == 0 and k1 in out and k2 in out and "2/2" in out
    code, out, err = run_cli(capsys, "cache", "clear", k1, "--cache", tmp_path)
    assert code == 0 and "1 slice(s)" in out  # 2010 is still used by the other query
    assert is_cached(q2, tmp_path, base_url=server.url)
    assert not is_cached(q1, tmp_path, base_url=server.url)
    code, out, err = run_cli(capsys, "cache", "clear", "--cache", tmp_path)
    assert code == 0 and "2 slice(s)" in out
    code, out, err = run_cli(capsys, "cache", "list", "--cache", tmp_path)
    assert "is empty" in out
    code, out, err = run_cli(capsys, "cache", "clear", "ffffffffffffffffffff", "--cache", tmp_path)
    assert code == 2 and "no cached query" in err


def test_pages_from_another_server_are_kept_apart(works, tmp_path):
    """Two servers holding different works, one cache: each query result comes from the
    server it was fetched from, and the second server's fetch is not skipped as cached."""
    q = WorkQuery(years=2010)
    with OpenAlexTestServer(works[:300]) as a, OpenAlexTestServer(works[300:]) as b:
        sa = get_settings(base_url=a.url, cache_dir=tmp_path, env={}, max_rate=None)
        sb = get_settings(base_url=b.url, cache_dir=tmp_path, env={}, max_rate=None)
        fetch(q, settings=sa, progress=False)
        assert not is_cached(q, tmp_path, base_url=b.url)
        fetch(q, settings=sb, progress=False)
        assert b.requests, "the second server was never asked"
        got_a = {w["id"] for w in iter_cached_works(q, tmp_path, base_url=a.url)}
        got_b = {w["id"] for w in iter_cached_works(q, tmp_path, base_url=b.url)}
        assert got_a == expected_ids(a, q) and got_b == expected_ids(b, q)
        assert got_a and got_b and not got_a & got_b
    # The default API's key is the plain key (caches made before this rule stay valid).
    assert q.cache_key("https://api.openalex.org") == q.cache_key(None) == q.key
