"""The HTML report: one self-contained file, offline, escaped, marked synthetic when it is,
and as it looks in a real browser (headless Chromium, skipped when it is not installed).

The works are 3 000 of collabnet's synthetic sample plus hand-made records (tests/records.py)
and one institution named ``<b>&Co</b>``: so the report is "partly synthetic" and every name
that reaches it must come out as text, never as markup.
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from records import author, hand_records, inst, work

import collabnet as cn
import collabnet.fileio
from collabnet.cli import main
from collabnet.errors import InputError
from collabnet.reports import report

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "tests" / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SECTIONS = ["profile", "partners", "trend", "impact", "centrality", "network"]

BOLD_CO = inst("I77", "<b>&Co</b>", "JP")
SCRIPTED = inst("I78", 'A&B <script>alert("x")</script>', "US")


def _marked_records() -> list[dict]:
    """Hand records, plus three works of ``<b>&Co</b>`` (JP) with a US and a JP partner."""
    tokyo = inst("I1", "University of Tokyo", "JP")
    extra = [work(f"W10{i}", 2019 + i, [author("A70", [BOLD_CO], ["JP"]),
                                         author("A71", [SCRIPTED if i else tokyo])], cited=i)
             for i in range(3)]
    return hand_records() + extra


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return list(cn.generate_works(3000, seed=11, years=(2012, 2020))) + _marked_records()


@pytest.fixture(scope="module")
def page(records, tmp_path_factory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("report") / "report.html"
    html = report(cn.build_tables(records), "JP", output=out, n_resamples=200)
    return out, html


def _references(html: str) -> list[str]:
    """Every address the page names: src=, href= and CSS url(...)."""
    attrs = re.findall(r"""\b(?:src|href)\s*=\s*["']?([^"'\s>]*)""", html, flags=re.I)
    return attrs + re.findall(r"url\(\s*['\"]?([^'\")]*)", html, flags=re.I)


def test_the_report_is_one_file_with_every_section(page):
    out, html = page
    assert [p.name for p in out.parent.iterdir()] == ["report.html"]
    assert out.read_text(encoding="utf-8") == html
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    for anchor in SECTIONS:
        assert f'<section id="{anchor}">' in html
    assert "<title>International collaboration: Japan (JP)</title>" in html


def test_nothing_is_fetched_from_outside_the_file(page):
    _, html = page
    refs = _references(html)
    assert refs, "the page names its images"
    assert [r for r in refs if re.match(r"(?i)\s*(https?:|//|file:|ftp:)", r)] == []
    assert all(r.startswith(("data:", "#")) for r in refs), refs
    assert "<script" not in html.lower() and "@import" not in html and "@font-face" not in html
    assert "default-src 'none'; img-src data:" in html  # the browser may fetch nothing else


def test_every_image_is_an_inline_png(page):
    _, html = page
    imgs = re.findall(r"<img\b[^>]*>", html)
    assert len(imgs) == 3  # partners, trend, network
    for tag in imgs:
        src = re.search(r'src="([^"]+)"', tag).group(1)
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1]).startswith(b"\x89PNG\r\n\x1a\n")
        assert re.search(r'alt="[^"]+"', tag)


def test_the_header_says_where_the_data_came_from_and_that_it_is_synthetic(page, records):
    _, html = page
    head = html[: html.index('<section id="profile">')]
    assert 'class="synthetic-banner"' in head and "SYNTHETIC DATA" in head
    assert f"3,000 of {len(cn.build_tables(records)):,} works are collabnet" in head
    assert "work records given in memory" in head and "report made" in head
    assert "publication years 2012–2021" in head


def test_shares_stand_next_to_their_counts_and_thin_evidence_is_flagged(page):
    _, html = page
    profile = html[html.index('<section id="profile">'):html.index('<section id="partners">')]
    row = re.search(r"<tr[^>]*><td>international</td>(.*?)</tr>", profile).group(1)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
    assert cells[0].endswith(" %") and cells[1].isdigit() and cells[2].endswith(" known")
    assert 'class="thin"' in html and '<span class="tag">thin</span>' in html


def test_names_are_escaped_everywhere(records):
    """An institution report on ``<b>&Co</b>``: title, heading, alt text and tables."""
    tables = cn.build_tables(_marked_records())
    html = report(tables, "I77", "institution", ci=False)
    assert "<b>&Co</b>" not in html and "<script" not in html
    assert "&lt;b&gt;&amp;Co&lt;/b&gt; (I77)" in html
    assert "A&amp;B &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "\x07" not in html  # the control character of a hand-made name
    assert 'class="synthetic-banner"' not in html  # nothing synthetic here


def test_synthetic_can_be_forced_but_never_hidden(records):
    hand = cn.build_tables(_marked_records())
    assert "Marked synthetic by the report&#x27;s caller" in report(hand, "JP", ci=False,
                                                                     synthetic=True)
    sample = cn.build_tables(records[:150])
    html = report(sample, "US", ci=False, synthetic=False, network_top=10)
    assert 'class="synthetic-banner"' in html and "150 of 150 works" in html


def test_a_focus_without_works_gives_a_report_that_says_so():
    html = report(cn.build_tables(hand_records()), "KP", ci=False)
    assert "No works of North Korea (KP) in this selection." in html
    assert html.count("<img") == 1  # only the (empty) network picture


def test_centrality_on_a_cut_network_says_so():
    """Hand records: JP, US, DE, FR. Cut to the 2 countries with most works, and FR."""
    html = report(cn.build_tables(hand_records()), "FR", ci=False, centrality_top=2)
    part = html[html.index('<section id="centrality">'):html.index('<section id="network">')]
    assert "the network of the 2 countries with most works and FR (4 in all)" in part
    assert part.count("<tr") == 1 + 3  # the header, the two largest and FR


@pytest.mark.parametrize("kwargs, message", [
    (dict(focus="JP,DE"), "one focus entity"),
    (dict(focus="XX"), "unknown country code"),
    (dict(focus="JP", top=0), "invalid --top 0"),
    (dict(focus="JP", peers=-1), "invalid --peers -1"),
    (dict(focus="JP", years="2020-2010"), "2020 is after 2010"),
])
def test_bad_arguments_are_one_error(kwargs, message):
    with pytest.raises(InputError, match=message):
        report(cn.build_tables(hand_records()), **kwargs)


def test_a_failed_write_leaves_the_previous_report(tmp_path, monkeypatch):
    out = tmp_path / "r.html"
    out.write_text("old")

    def broken(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(collabnet.fileio.os, "replace", broken)
    with pytest.raises(InputError, match="No space left"):
        report(cn.build_tables(hand_records()), "JP", ci=False, output=out)
    assert out.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["r.html"]


def test_collabnet_report_is_the_function_after_the_package_is_imported():
    """The package is ``reports``: importing it leaves ``collabnet.report`` the function."""
    code = ("import collabnet.reports, collabnet, inspect; f = collabnet.report; "
            "print(inspect.isfunction(f), list(inspect.signature(f).parameters)[:3])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=REPO)
    assert out.stdout.strip() == "True ['tables', 'focus', 'level']"


def test_the_command_writes_the_report(records, tmp_path, capsys):
    works = tmp_path / "works.jsonl"
    works.write_text("".join(json.dumps(r) + "\n" for r in records[:800] + hand_records()))
    out = tmp_path / "jp.html"
    assert main(["report", str(works), "--focus", "JP", "-o", str(out), "--no-ci"]) == 0
    err = capsys.readouterr().err
    assert "read 808 records" in err and f"to {out}; it is marked SYNTHETIC DATA" in err
    html = out.read_text(encoding="utf-8")
    assert "works.jsonl" in html and "808 records" in html  # the files it came from
    assert main(["report", str(works), "--focus", "JP,DE", "-o", str(out), "-q"]) == 2
    err = capsys.readouterr().err
    assert err == "collabnet: error: report needs one focus entity, e.g. --focus JP " \
        "(got 'JP,DE')\n"


# -- in a browser -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium driven by the system's chromedriver (never a download)."""
    if not (CHROMIUM.is_file() and CHROMEDRIVER.is_file()):
        pytest.skip(f"headless Chromium not installed ({CHROMIUM}, {CHROMEDRIVER}: "
                    "apt-get install chromium chromium-driver)")
    webdriver = pytest.importorskip("selenium.webdriver",
                                    reason="selenium not installed (pip install '.[test]')")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1366,768"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # A driver path given: selenium-manager (which would download drivers) is not run.
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def test_the_report_opens_in_chromium_without_errors_and_looks_right(page, browser):
    out, _ = page
    browser.get(out.resolve().as_uri())
    severe = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert severe == []
    images = browser.execute_script(
        "return [...document.images].map(i => [i.complete, i.naturalWidth])")
    assert len(images) == 3 and all(done and width > 0 for done, width in images)
    fetched = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)")
    assert [u for u in fetched if not u.startswith("data:")] == []
    # Readable on a laptop: nothing wider than the window.
    assert browser.execute_script("return document.documentElement.scrollWidth "
                                  "<= document.documentElement.clientWidth")
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1366, min(height + 150, 12000))
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report.png"
    assert browser.save_screenshot(str(shot))
    _check_screenshot(shot)


def _check_screenshot(path: Path) -> None:
    """Not blank: many colours and real contrast; the red synthetic banner at the top."""
    import numpy as np
    from matplotlib.image import imread

    rgb = (imread(path)[..., :3] * 255).round().astype(np.int64)  # PNG: floats in 0..1
    height, width, _ = rgb.shape
    assert width >= 1000 and height > 2000
    assert rgb.mean(axis=2).var() > 100  # not one flat colour
    colours = np.unique(rgb.reshape(-1, 3) @ np.array([65536, 256, 1]))
    assert len(colours) > 200
    r, g, b = rgb[8, width // 2]
    assert r > 150 and g < 80 and b < 80  # the banner is red
