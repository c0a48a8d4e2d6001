"""Requests that cannot hang, keys that do not leak, and progress that moves page by page.

A server trickling its answer a few bytes at a time never trips the socket read timeout;
the per-request deadline cuts it off, the attempt is retried, and if it keeps trickling
the fetch stops with one line. An API key written into the base URL is refused without
being repeated; one sent over plain http to another machine is warned about.
"""

from __future__ import annotations

import time
import warnings

import pytest
from fetch_helpers import loopback, settings_for, synthetic_works

from collabnet.config import InsecureKeyWarning, Settings, get_settings, normalize_base_url
from collabnet.errors import FetchError, InputError
from collabnet.query import WorkQuery
from collabnet.sources.openalex import OpenAlexClient, fetch, iter_cached_works
from collabnet.testing import Fault

SECRET = "sk-TEST-0a1b2c3d4e5f"
Q = WorkQuery(years="2010-2011", exclude_paratext=False)
server = loopback(synthetic_works(300, years=(2010, 2011), big_every=0))


# --- the deadline ---------------------------------------------------------------------------


def test_a_trickling_answer_is_cut_at_the_deadline_and_retried(server, tmp_path):
    """64 bytes every 0.1 s: each read comes fast (no read timeout), the whole would take
    10 s or more; the 0.5 s deadline ends the attempt and the retry gets a normal answer."""
    s = settings_for(server, tmp_path / "cache", timeout=5, deadline=0.5, backoff=0.01)
    server.add_faults(Fault("trickle", size=64, delay=0.1, match="publication_year:2011"))
    t0 = time.monotonic()
    report = fetch(Q, settings=s, progress=False)
    assert time.monotonic() - t0 < 5
    assert report.stats.retries == 1
    assert report.stats.failures == ["the answer was not complete after 0.5 s"]
    ids = [w["id"] for w in iter_cached_works(Q, s.cache_dir, base_url=s.base_url)]
    assert sorted(ids) == sorted(w["id"] for w in server.works)


def test_a_server_that_always_trickles_is_one_line_after_the_retries(server, tmp_path):
    s = settings_for(server, tmp_path / "cache", timeout=5, deadline=0.3, max_retries=1,
                     backoff=0.01)
    server.add_faults(Fault("trickle", size=64, delay=0.1, times=5))
    t0 = time.monotonic()
    with pytest.raises(FetchError) as err:
        fetch(Q, settings=s, progress=False)
    msg = str(err.value)
    assert time.monotonic() - t0 < 5
    assert "\n" not in msg and "failed 2 times (the answer was not complete after 0.3 s)" in msg
    assert "rerun" in msg and "stopped in 2010" in msg


# --- secrets --------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [
    f"http://127.0.0.1:8000/?api_key={SECRET}",
    f"https://api.openalex.org/?per_page=5&api-key={SECRET}",
    f"https://api.openalex.org/works?token={SECRET}",
    f"http://user:{SECRET}@127.0.0.1:8000",
    f"https://{SECRET}@api.openalex.org",
    f"ftp://user:{SECRET}@example.org",
    f"https://api.openalex.org/?{SECRET}",
    f"https://api.openalex.org/#{SECRET}",
    f"https://api.openalex.org:{SECRET}/",
])
def test_credentials_in_the_base_url_are_refused_without_being_repeated(url, tmp_path):
    for attempt in (
        lambda: normalize_base_url(url),
        lambda: get_settings(base_url=url, env={}),
        lambda: get_settings(env={"COLLABNET_OPENALEX_URL": url}),
        lambda: Settings(api_key="k").with_changes(base_url=url),
    ):
        with pytest.raises(InputError) as err:
            attempt()
        msg = str(err.value)
        assert SECRET not in msg and "\n" not in msg and "invalid OpenAlex base URL" in msg


def test_the_command_line_refuses_a_key_in_base_url_in_one_line(tmp_path, capsys):
    from collabnet.cli import main

    code = main(["fetch", "--country", "JP", "--years", "2010", "--cache", str(tmp_path),
                 "--base-url", f"http://127.0.0.1:9/?api_key={SECRET}", "-q"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and SECRET not in err
    assert "do not put the API key in the URL" in err


@pytest.mark.parametrize("url", ["http://10.1.2.3:8000", "http://openalex.example.org",
                                 "http://[2001:db8::1]:80"])
def test_a_key_over_plain_http_to_another_host_is_warned_about(url):
    with pytest.warns(InsecureKeyWarning) as caught:
        OpenAlexClient(get_settings(base_url=url, api_key=SECRET, env={})).close()
    (w,) = caught
    text = str(w.message)
    assert "unencrypted" in text and SECRET not in text and "\n" not in text


@pytest.mark.parametrize("url, key", [
    ("http://127.0.0.1:8000", SECRET), ("http://127.5.6.7", SECRET),
    ("http://localhost:8000", SECRET), ("http://[::1]:8000", SECRET),
    ("https://api.openalex.org", SECRET), ("http://10.1.2.3:8000", None),
])
def test_no_warning_for_loopback_https_or_no_key(url, key):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        OpenAlexClient(get_settings(base_url=url, api_key=key, env={})).close()


# --- progress -------------------------------------------------------------------------------


class Recorder:
    """Stands in for tqdm: records the calls the fetch makes."""

    bars: list = []

    def __init__(self, total=None, desc="", unit="", disable=None, **kw):
        self.total, self.desc, self.unit, self.disable = total, desc, unit, disable
        self.events = []
        Recorder.bars.append(self)

    def reset(self, total=None):
        self.total = total
        self.events.append(("start", total))

    def set_description(self, desc, refresh=True):
        self.desc = desc
        self.events.append(("slice", desc))

    def set_postfix(self, **kw):
        self.events.append(("postfix", kw.get("pages")))

    def update(self, n=1):
        self.events.append(("update", n))

    def close(self):
        pass


def test_progress_advances_per_page_with_the_slice_total_from_meta_count(
        server, tmp_path, monkeypatch):
    import tqdm.auto

    monkeypatch.setattr(tqdm.auto, "tqdm", Recorder)
    Recorder.bars = []
    s = settings_for(server, tmp_path / "cache")
    fetch(Q, settings=s, progress=True)
    slices, works = Recorder.bars
    assert slices.total == 2 and slices.unit == " slice" and works.unit == " works"
    assert slices.events == [("update", 1), ("update", 1)]
    assert slices.disable is None  # tqdm decides: shown on a terminal only
    per_year = {str(y): sum(w["publication_year"] == y for w in server.works)
                for y in (2010, 2011)}
    by_slice, current = {}, None
    for ev in works.events:
        if ev[0] == "slice":
            current = ev[1]
            by_slice[current] = {"updates": [], "total": works.total}
        elif ev[0] == "update" and current:
            by_slice[current]["updates"].append(ev[1])
    for name, n in per_year.items():
        pages = n // 50 + 1
        assert by_slice[name]["updates"][0] == 0  # start: nothing yet
        assert len(by_slice[name]["updates"]) == 1 + pages  # then one update per page
        assert sum(by_slice[name]["updates"]) == n
    # The total of each slice is its meta.count, known from its first page.
    starts = [ev for ev in works.events if ev[0] == "start"]
    assert len(starts) == 2
    Recorder.bars = []
    fetch(Q, settings=s, progress=False)  # from the cache, bars off
    assert all(b.disable is True for b in Recorder.bars)
