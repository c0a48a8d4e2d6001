"""The columnar cache of canonical tables: JSON parsed once, stale entries never read."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pandas as pd
import pytest
from records import hand_records

import collabnet as cn
from collabnet import stored
from collabnet.cli.app import main
from collabnet.config import get_settings
from collabnet.loader import read_tables
from collabnet.sources import jsonl


def write(path: Path, records, gz: bool = True) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = "".join(json.dumps(r) + "\n" for r in records).encode()
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def assert_same(a, b):
    pd.testing.assert_frame_equal(a.works, b.works)
    pd.testing.assert_frame_equal(a.affiliations, b.affiliations)
    assert a.warnings == b.warnings


@pytest.fixture
def cache(tmp_path):
    return get_settings(cache_dir=tmp_path / "cache")


@pytest.fixture
def corpus(tmp_path):
    """Two snapshot-like partitions: the later one holds a newer copy of two works, one of
    them with the same date (the copy read last wins), plus a bad country code."""
    recs = hand_records()[:7]  # W1 … W7, once each
    older = [dict(r, updated_date="2024-01-01") for r in recs[:5]]
    newer = [dict(recs[0], updated_date="2025-01-01", cited_by_count=999),
             dict(recs[1], updated_date="2024-01-01", type="tie-goes-to-the-later-file"),
             *[dict(r, updated_date="2025-01-01") for r in recs[5:]]]
    newer.append({"id": "W8", "authorships": [{"institutions": [
        {"id": "I8", "country_code": "JPN"}]}]})
    write(tmp_path / "w" / "updated_date=2024-01-01" / "part_000.gz", older)
    write(tmp_path / "w" / "updated_date=2025-01-01" / "part_000.gz", newer)
    return tmp_path / "w"


def test_first_load_equals_reading_in_memory_and_second_parses_nothing(corpus, cache,
                                                                       monkeypatch):
    fresh, report = read_tables(corpus)
    first = cn.load(corpus, settings=cache)
    assert_same(first, fresh)
    assert first.warnings and "JPN" in first.warnings[0]
    assert (first.report.records, first.report.duplicates) == (report.records,
                                                               report.duplicates)
    by_id = first.works.set_index("work_id")
    assert by_id.loc["W1", "cited_by_count"] == 999
    assert by_id.loc["W2", "type"] == "tie-goes-to-the-later-file"
    assert len(list((cache.cache_dir / stored.TABLES).iterdir())) == 1

    def no_parsing(*args, **kwargs):
        raise AssertionError("the cached tables should have been used")

    monkeypatch.setattr(jsonl, "read_file_frames", no_parsing)
    second = cn.load(corpus, settings=cache)
    assert_same(second, fresh)
    assert second.report.records == report.records


def test_a_changed_file_is_read_again(corpus, cache):
    first = cn.load(corpus, settings=cache)
    part = next(corpus.glob("updated_date=2025*/part_000.gz"))
    recs = [json.loads(line) for line in gzip.decompress(part.read_bytes()).splitlines()]
    recs[0]["cited_by_count"] = 5
    write(part, recs)
    os.utime(part, ns=(part.stat().st_atime_ns, part.stat().st_mtime_ns + 10**9))
    again = cn.load(corpus, settings=cache)
    assert again.works.set_index("work_id").loc["W1", "cited_by_count"] == 5
    assert_same(again, read_tables(corpus)[0])
    assert first.works.set_index("work_id").loc["W1", "cited_by_count"] == 999
    # an added file is a new input too
    write(corpus / "updated_date=2025-01-01" / "part_001.gz",
          [dict(hand_records()[0], id="W999")])
    assert "W999" in set(cn.load(corpus, settings=cache).works["work_id"])


def test_no_cache_keeps_nothing(corpus, cache, capsys):
    tables = cn.load(corpus, settings=cache, cache=False)
    assert_same(tables, read_tables(corpus)[0])
    assert not (cache.cache_dir / stored.TABLES).exists()
    out = cache.cache_dir.parent / "s.csv"
    assert main(["shares", str(corpus), "--no-cache", "--cache", str(cache.cache_dir),
                 "-q", "-o", str(out)]) == 0
    assert not (cache.cache_dir / stored.TABLES).exists()
    assert main(["shares", str(corpus), "--cache", str(cache.cache_dir), "-q",
                 "-o", str(out.with_name("t.csv"))]) == 0
    assert (cache.cache_dir / stored.TABLES).is_dir()
    assert out.read_bytes() == out.with_name("t.csv").read_bytes()


def test_a_damaged_entry_is_rebuilt(corpus, cache):
    cn.load(corpus, settings=cache)
    (entry,) = (cache.cache_dir / stored.TABLES).iterdir()
    piece = next((entry / "affiliations").glob("*.arrow"))
    piece.write_bytes(b"not parquet")
    assert_same(cn.load(corpus, settings=cache), read_tables(corpus)[0])
    assert next((entry / "affiliations").glob("*.arrow")).read_bytes()[:6] == b"ARROW1"


def test_a_cache_folder_that_is_a_file_reads_in_memory(corpus, tmp_path):
    """A cache that cannot be written (here: its path is a file) must not fail the load."""
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    tables = cn.load(corpus, settings=get_settings(cache_dir=blocker))
    assert_same(tables, read_tables(corpus)[0])


def test_skip_bad_is_part_of_the_key(tmp_path, cache):
    path = tmp_path / "w.jsonl"
    good = hand_records()[:3]
    path.write_text("".join(json.dumps(r) + "\n" for r in good) + "{not json\n")
    with pytest.raises(cn.MalformedRecordError):
        cn.load(path, settings=cache)
    skipped = cn.load(path, settings=cache, skip_bad=True)
    assert skipped.report.bad == 1 and len(skipped) == 3
    again = cn.load(path, settings=cache, skip_bad=True)  # from the cache, report kept
    assert again.report.bad == 1 and again.report.bad_examples == skipped.report.bad_examples
    with pytest.raises(cn.MalformedRecordError):
        cn.load(path, settings=cache)


def test_clear_tables(corpus, cache):
    cn.load(corpus, settings=cache)
    assert stored.clear_tables(cache.cache_dir) == 1
    assert stored.clear_tables(cache.cache_dir) == 0


@pytest.mark.parametrize("layout", ["files", "snapshot"])
def test_a_cache_inside_the_input_folder_is_not_read_as_input(corpus, tmp_path, monkeypatch,
                                                               layout):
    """Running a command from inside the input folder puts ./cache under it: its pages and
    tables are collabnet's, not records to read."""
    if layout == "files":
        plain = tmp_path / "plain"
        for i, part in enumerate(sorted(corpus.glob("*/*.gz"))):
            plain.mkdir(exist_ok=True)
            (plain / f"w{i}.jsonl.gz").write_bytes(part.read_bytes())
        corpus = plain
    monkeypatch.chdir(corpus)
    monkeypatch.delenv("COLLABNET_CACHE", raising=False)
    first = cn.load(corpus)
    assert (corpus / "cache" / stored.TABLES).is_dir()
    again = cn.load(corpus)
    assert_same(again, first)
    assert_same(cn.load(corpus, cache=False), first)
    assert not any("not read" in w for w in again.warnings)
