"""Reading work records from every file shape collabnet accepts."""

from __future__ import annotations

import gzip
import json

import pytest
from records import hand_records

from collabnet.errors import InputError, MalformedRecordError
from collabnet.sources import iter_works, read_works
from collabnet.sources.files import ReadReport

DISTINCT = ["W1", "W2", "W3", "W4", "W5", "W6", "W7"]


def ids(result):
    return sorted(r["id"].rsplit("/", 1)[-1] for r in result.records)


def write_jsonl(path, records, opener=open):
    with opener(path, "wt") as fh:
        for r in records:
            fh.write(json.dumps(r) + "\n")
    return path


@pytest.mark.parametrize("name", ["w.jsonl", "w.ndjson"])
def test_jsonl(tmp_path, name):
    """8 records, one a duplicate of W1 -> 7 works, report says 8 read and 1 duplicate."""
    res = read_works(write_jsonl(tmp_path / name, hand_records()))
    assert ids(res) == DISTINCT
    assert (res.report.records, res.report.duplicates, res.report.works) == (8, 1, 7)


def test_jsonl_gz_and_snapshot_part(tmp_path):
    """Snapshot layout: works/updated_date=…/part_000.gz (gzip JSON Lines), read as a folder."""
    part = tmp_path / "works" / "updated_date=2023-05-16"
    part.mkdir(parents=True)
    write_jsonl(part / "part_000.gz", hand_records()[:4], gzip.open)
    write_jsonl(tmp_path / "more.jsonl.gz", hand_records()[4:], gzip.open)
    (tmp_path / "works" / "manifest").write_text("{}")  # not a record file: ignored
    res = read_works(tmp_path)
    assert ids(res) == DISTINCT
    assert len(res.report.files) == 2


def test_json_array_single_work_and_api_page(tmp_path):
    """A JSON array, a single work object and an API page {meta, results} are all read."""
    recs = hand_records()
    (tmp_path / "a.json").write_text(json.dumps(recs[:3]))
    (tmp_path / "b.json").write_text(json.dumps(recs[3]))
    page = {"meta": {"count": 4, "per_page": 200, "next_cursor": None}, "results": recs[4:]}
    with gzip.open(tmp_path / "c.json.gz", "wt") as fh:
        json.dump(page, fh)
    # pages saved one per line, as a crawler might
    lines = [{"meta": {}, "results": recs[:2]}, {"meta": {}, "group_by": []}]
    write_jsonl(tmp_path / "d.jsonl", lines)
    assert ids(read_works(tmp_path)) == DISTINCT


def test_malformed_line_names_file_and_line(tmp_path):
    p = tmp_path / "w.jsonl"
    p.write_text('{"id": "W1"}\n{"id": "W2", oops\n{"id": "W3"}\n')
    with pytest.raises(MalformedRecordError) as exc:
        read_works(p)
    msg = str(exc.value)
    assert msg.startswith(f"{p}:2: malformed record: invalid JSON")
    assert "\n" not in msg


def test_skip_bad_counts_and_warns(tmp_path):
    """Two bad lines (not JSON; JSON without an id) skipped; the two good works kept."""
    p = tmp_path / "w.jsonl"
    p.write_text('{"id": "W1"}\nnot json\n{"title": "no id"}\n{"id": "W3"}\n')
    report = ReadReport()
    got = list(iter_works(p, skip_bad=True, report=report))
    assert [r["id"] for r in got] == ["W1", "W3"]
    assert report.bad == 2
    assert report.warning().startswith("skipped 2 malformed record(s); first: ")
    assert f"{p}:2" in report.warning()


def test_missing_and_unreadable_inputs(tmp_path):
    with pytest.raises(InputError, match="no such file or folder"):
        read_works(tmp_path / "nope.jsonl")
    bad_gz = tmp_path / "broken.jsonl.gz"
    bad_gz.write_bytes(b"\x1f\x8b\x08\x00garbage")
    with pytest.raises(InputError, match="cannot read file"):
        read_works(bad_gz)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match="holds no record files"):
        read_works(empty)


def test_real_api_pages(shared_works):
    """Recorded API pages (wrapped as {source_path, commit, page}) yield their results."""
    pages = shared_works.parent / "api" / "UtrechtUniversity__BackToPure__all.pages.jsonl.gz"
    if not pages.exists():
        pytest.skip(f"{pages} is absent")
    res = read_works(pages)
    assert res.report.works > 0
    assert all(r["id"].startswith("https://openalex.org/W") for r in res.records)


def test_check_runs_before_duplicates_and_progress_counts_bytes(tmp_path):
    """iter_works(check=...) drops what the check refuses (a bad first copy does not hide a
    good second one); progress is told the bytes read; lone surrogates become U+FFFD."""
    from collabnet.sources.records import fit_work

    p = tmp_path / "w.jsonl.gz"
    lines = ['{"id": "W1", "publication_year": 2015.5}', '{"id": "W1", "title": "a\\ud800"}',
             '{"id": "W2", "publication_year": "2016"}']
    with gzip.open(p, "wt") as fh:
        fh.write("\n".join(lines) + "\n")
    report, read = ReadReport(), []
    got = list(iter_works(p, skip_bad=True, report=report, check=fit_work, progress=read.append))
    assert [(r["id"], r.get("publication_year"), r.get("title")) for r in got] == [
        ("W1", None, "a\ufffd"), ("W2", 2016, None)]
    assert (report.bad, report.records, report.duplicates) == (1, 2, 0)
    assert "publication_year must be a whole number" in report.bad_examples[0]
    assert sum(read) == p.stat().st_size
