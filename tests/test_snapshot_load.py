"""A snapshot through collabnet.load and the command line: the table cache, filters while
reading, and Dask workers all give what reading the snapshot in memory gives."""

from __future__ import annotations

import os
import subprocess
import sys

import pandas as pd
import pytest
from test_snapshot import build, newest_jsonl, parts_records

import collabnet as cn
from collabnet import stored
from collabnet.config import get_settings
from collabnet.loader import read_tables
from collabnet.sources.snapshot import read_snapshot_frames
from collabnet.tables import tables_from_frames


@pytest.fixture
def snap(tmp_path):
    return build(tmp_path / "snap")


def in_memory(snap, **filters):
    return tables_from_frames(read_snapshot_frames(snap, **filters)[0])


def assert_same(a, b):
    pd.testing.assert_frame_equal(a.works, b.works)
    pd.testing.assert_frame_equal(a.affiliations, b.affiliations)


def test_load_reads_a_snapshot_once_into_the_cache(snap, tmp_path):
    settings = get_settings(cache_dir=tmp_path / "cache")
    want = in_memory(snap)
    first = cn.load(snap, settings=settings)
    assert_same(first, want)
    assert len(first) == 164 and first.report.deleted == 2 and first.report.xpac == 1
    assert len(list((tmp_path / "cache" / stored.TABLES).iterdir())) == 1
    again = cn.load(snap, settings=settings)
    assert_same(again, want)
    assert type(again.report).__name__ == "SnapshotReport" and again.report.parts == 3
    # the newest copies, as plain JSON Lines read them
    plain, _ = read_tables(newest_jsonl(tmp_path / "w.jsonl", parts_records().values()))
    assert set(plain.works["work_id"]) == set(first.works["work_id"])


@pytest.mark.parametrize("filters", [dict(types="article"), dict(countries="JP,US",
                                                                  years="2015-2017")])
def test_filters_while_reading_through_load(snap, tmp_path, filters):
    settings = get_settings(cache_dir=tmp_path / "cache")
    assert_same(cn.load(snap, settings=settings, **filters), in_memory(snap, **filters))
    assert len(cn.load(snap, settings=settings, **filters)) < len(cn.load(snap,
                                                                          settings=settings))


def test_filters_are_refused_for_plain_files(tmp_path):
    path = tmp_path / "w.jsonl"
    path.write_text('{"id": "W1"}\n')
    with pytest.raises(cn.InputError, match="filter an OpenAlex snapshot"):
        cn.load(path, countries="JP")


def test_two_dask_workers_equal_one_process(snap, tmp_path):
    pytest.importorskip("distributed", reason="dask.distributed is not installed")
    settings = get_settings(cache_dir=tmp_path / "cache")
    on_dask = cn.load(snap, settings=settings, workers=2, cache=False, types="article")
    assert_same(on_dask, in_memory(snap, types="article"))
    assert not any((tmp_path / "cache" / stored.TABLES).iterdir())


def test_cli_shares_of_a_snapshot_with_and_without_workers(snap, tmp_path):
    env = {**os.environ, "COLLABNET_CACHE": str(tmp_path / "cache")}
    out = []
    for extra in ([], ["--workers", "2", "--no-cache"], ["--country", "JP"]):
        target = tmp_path / f"s{len(out)}.csv"
        done = subprocess.run([sys.executable, "-m", "collabnet.cli", "shares", str(snap),
                               "--level", "country", "-o", str(target), *extra],
                              capture_output=True, text=True, env=env, timeout=300)
        assert done.returncode == 0, done.stderr
        out.append(target.read_bytes())
    assert out[0] == out[1]
    assert out[2] != out[0] and b"JP" in out[2]


def test_a_file_outside_the_partitions_is_named_not_dropped_silently(snap, tmp_path):
    (snap / "loose.jsonl").write_text('{"id": "W5000"}\n')
    tables = cn.load(snap, settings=get_settings(cache_dir=tmp_path / "cache"))
    assert any("outside its updated_date= partitions" in w and "loose.jsonl" in w
               for w in tables.warnings)


def test_a_snapshot_with_no_part_files_gives_no_works(tmp_path):
    (tmp_path / "s" / "updated_date=2024-01-01").mkdir(parents=True)
    tables = cn.load(tmp_path / "s", settings=get_settings(cache_dir=tmp_path / "cache"))
    assert len(tables) == 0
