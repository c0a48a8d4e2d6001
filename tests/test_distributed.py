"""Reading on a Dask cluster gives the tables of a single-process read, value for value."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys

import pandas as pd
import pytest

import collabnet as cn
from collabnet.config import get_settings
from collabnet.errors import InputError

distributed = pytest.importorskip("distributed", reason="dask.distributed is not installed")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """Four part files in two partitions; every 50th work has an older copy, and some works
    appear again, newer, in the later partition."""
    root = tmp_path_factory.mktemp("dask") / "works"
    recs = list(cn.generate_works(4000, seed=7))
    for r in recs:
        r["updated_date"] = "2025-01-01"
    old = [dict(r, updated_date="2024-01-01", cited_by_count=-1) for r in recs[::50]]
    newer = [dict(r, updated_date="2025-06-01", type="updated") for r in recs[1::97]]
    parts = {"updated_date=2024-01-01/part_000.gz": old,
             "updated_date=2025-01-01/part_000.gz": recs[:2000],
             "updated_date=2025-01-01/part_001.gz": recs[2000:],
             "updated_date=2025-06-01/part_000.gz": newer}
    for name, rows in parts.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(gzip.compress("".join(json.dumps(r) + "\n" for r in rows).encode()))
    return root


def test_two_workers_equal_one_process(corpus, tmp_path):
    settings = get_settings(cache_dir=tmp_path / "cache")
    local = cn.load(corpus, cache=False)
    on_dask = cn.load(corpus, workers=2, settings=settings)
    pd.testing.assert_frame_equal(on_dask.works, local.works)
    pd.testing.assert_frame_equal(on_dask.affiliations, local.affiliations)
    assert (on_dask.report.records, on_dask.report.duplicates) == (
        local.report.records, local.report.duplicates)
    w = local.works.set_index("work_id")
    assert (w["cited_by_count"] >= 0).all() and (w["type"] == "updated").sum() > 10
    pd.testing.assert_frame_equal(cn.shares(on_dask, "country"), cn.shares(local, "country"))
    # kept in the cache: the next load needs no cluster
    again = cn.load(corpus, settings=settings)
    pd.testing.assert_frame_equal(again.affiliations, local.affiliations)


def test_no_cache_on_dask_keeps_nothing(corpus, tmp_path):
    settings = get_settings(cache_dir=tmp_path / "cache")
    tables = cn.load(corpus, workers=2, settings=settings, cache=False)
    assert len(tables) == len(cn.load(corpus, cache=False))
    assert not any((tmp_path / "cache" / "tables").iterdir())


def test_cli_workers_equal_single_process(corpus, tmp_path):
    env = {**os.environ, "COLLABNET_CACHE": str(tmp_path / "cache")}
    outputs = []
    for extra in ([], ["--workers", "2", "--no-cache"]):
        out = tmp_path / f"shares{len(extra)}.csv"
        done = subprocess.run([sys.executable, "-m", "collabnet.cli", "shares", str(corpus),
                               "--level", "country", "-o", str(out), *extra],
                              capture_output=True, text=True, env=env, timeout=300)
        assert done.returncode == 0, done.stderr
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]


def test_unreachable_scheduler_is_one_line(corpus, tmp_path):
    with pytest.raises(InputError, match="cannot reach the Dask scheduler tcp://127.0.0.1:9"):
        cn.load(corpus, scheduler="tcp://127.0.0.1:9",
                settings=get_settings(cache_dir=tmp_path / "c"))


def test_workers_must_be_positive():
    from collabnet.distributed import file_mapper

    with pytest.raises(InputError, match="--workers 0"), file_mapper(workers=0):
        pass


def test_a_malformed_record_in_a_task_is_its_one_line_error(tmp_path):
    """The error of a record read on a worker reaches the caller as the same one line."""
    path = tmp_path / "w" / "bad.jsonl"
    path.parent.mkdir()
    path.write_text('{"id": "W1"}\n{"id": "W2", "authorships": 5}\n')
    with pytest.raises(cn.MalformedRecordError, match=r"bad.jsonl:2: malformed record"):
        cn.load(path.parent, workers=1, settings=get_settings(cache_dir=tmp_path / "c"))
    assert not any((tmp_path / "c" / "tables").glob("*"))  # nothing half-built is kept
