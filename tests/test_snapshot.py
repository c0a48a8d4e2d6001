"""Reading an OpenAlex snapshot folder: manifest, partitions, merged and deleted ids, xpac.

The test snapshot (built in ``tmp_path`` by :func:`build`), legacy layout ``top/data/works``:

  updated_date=2024-01-01/part_000.gz       60 generated works G0-G59, hand-made W1 (updated
                                            2024-05-01, article) and W4-W7
  updated_date=2024-01-01/part_001.parquet  generated G60-G109 (years stored as int32)
  updated_date=2024-02-01/part_000.gz       G110-G159; newer copies of G5 (no updated_date,
                                            one author fewer), G70 (the same updated_date,
                                            other citations) and W1 (updated_date 2024-02-01,
                                            older than the first copy's, type review); W2
                                            (is_xpac true) and W3 (is_xpac false)
  deleted_ids.csv                           G10 (as a full URL)
  ../merged_ids/works/2024-01-15.csv.gz      G20 merged into G21

So the works counted are the 160 generated and W1, W3-W7, less G10 and G20: 164, with the
February copies of G5, G70 and W1 (the later partition wins whatever its updated_date says)
and without the xpac W2 - the same tables as reading those newest copies as plain JSON Lines.
"""

from __future__ import annotations

import copy
import gzip
import http.server
import json
import threading
from functools import partial

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from records import hand_records

import collabnet
from collabnet.cli import main
from collabnet.errors import InputError
from collabnet.loader import read_tables
from collabnet.sources.snapshot import (
    SnapshotPartError,
    combine_parts,
    is_snapshot,
    open_snapshot,
    read_part_frames,
    read_snapshot_frames,
    snapshot_info,
)
from collabnet.tables import tables_from_frames

OA = "https://openalex.org/"
JAN, FEB = "updated_date=2024-01-01", "updated_date=2024-02-01"


def _generated() -> list[dict]:
    recs = [copy.deepcopy(r) for r in collabnet.generate_works(160, seed=11, years=(2014, 2019))]
    for i, r in enumerate(recs):
        r["id"] = f"{OA}W{900 + i}"
        r["updated_date"] = "2024-01-01T08:00:00.000000"
    return recs


def _gz(path, records) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt") as fh:
        fh.writelines(json.dumps(r) + "\n" for r in records)


def parts_records() -> dict[str, list[dict]]:
    """The records of each part, in reading order."""
    g = _generated()
    hand = {}
    for r in hand_records():  # W1's first copy, updated 2024-05-01
        hand.setdefault(r["id"].rsplit("/", 1)[-1], r)
    g5 = dict(g[5], cited_by_count=999, authorships=g[5]["authorships"][:-1] or [])
    del g5["updated_date"]
    g70 = dict(g[70], cited_by_count=777)
    w1 = dict(hand["W1"], type="review", cited_by_count=55,
              updated_date="2024-02-01T00:00:00.000000")
    w2 = dict(hand["W2"], is_xpac=True)
    w3 = dict(hand["W3"], is_xpac=False)
    return {
        f"{JAN}/part_000.gz": g[:60] + [hand[w] for w in ("W1", "W4", "W5", "W6", "W7")],
        f"{JAN}/part_001.parquet": g[60:110],
        f"{FEB}/part_000.gz": g[110:] + [g5, g70, w1, w2, w3],
    }


def build(top, *, manifest_name="manifest.json", key="entries"):
    """Write the test snapshot below ``top``; returns its works folder."""
    works = top / "data" / "works"
    entries = []
    for name, records in parts_records().items():
        path = works / name
        if name.endswith(".parquet"):
            table = pa.Table.from_pylist(records)
            year = table.schema.get_field_index("publication_year")
            table = table.set_column(year, "publication_year",
                                     table["publication_year"].cast(pa.int32()))
            path.parent.mkdir(parents=True, exist_ok=True)
            pq.write_table(table, path)
        else:
            _gz(path, records)
        entries.append({"url": f"s3://openalex/data/works/{name}",
                        "meta": {"content_length": path.stat().st_size,
                                 "record_count": len(records)}})
    (works / manifest_name).write_text(json.dumps({key: entries}))
    (works / "deleted_ids.csv").write_text(f"work_id,deleted_date\n{OA}W910,2024-01-20\n")
    merged = top / "data" / "merged_ids" / "works" / "2024-01-15.csv.gz"
    merged.parent.mkdir(parents=True)
    merged.write_bytes(gzip.compress(b"merge_date,id,merge_into_id\n2024-01-15,W920,W921\n"))
    return works


def newest_jsonl(path, parts, *, gone=("W910", "W920"), xpac=False):
    """The newest copy of each work (the later part wins), less ``gone``, as JSON Lines."""
    newest = {}
    for records in parts:
        for r in records:
            newest.pop(r["id"], None)
            newest[r["id"]] = r
    keep = [r for r in newest.values() if r["id"].rsplit("/", 1)[-1] not in gone
            and (xpac or not r.get("is_xpac"))]
    path.write_text("".join(json.dumps(r) + "\n" for r in keep))
    return path


def assert_same_tables(a, b):
    for name in ("works", "affiliations"):
        x, y = (getattr(t, name).sort_values("work_id", kind="stable").reset_index(drop=True)
                for t in (a, b))
        pd.testing.assert_frame_equal(x, y)


@pytest.fixture
def snap(tmp_path):
    return build(tmp_path / "snap")


def test_the_snapshot_reads_as_its_newest_copies_as_plain_json_lines(snap, tmp_path):
    frames, report = read_snapshot_frames(snap.parent.parent)
    got = tables_from_frames(frames)
    want, _ = read_tables(newest_jsonl(tmp_path / "w.jsonl", parts_records().values()))
    assert len(got) == 164
    assert_same_tables(got, want)
    works = got.works.set_index("work_id")
    assert works.loc["W905", "cited_by_count"] == 999  # later partition, no updated_date
    assert works.loc["W970", "cited_by_count"] == 777  # later partition, same updated_date
    assert works.loc["W1", "type"] == "review"  # later partition, older updated_date
    assert not {"W910", "W920", "W2"} & set(works.index)
    assert (report.parts, report.records_read, report.deleted, report.xpac) == (3, 170, 2, 1)
    assert report.records - report.duplicates == 164 and report.warning() is None
    pd.testing.assert_frame_equal(collabnet.shares(got), collabnet.shares(want))


def test_xpac_works_are_kept_when_asked_for(snap, tmp_path):
    got = tables_from_frames(read_snapshot_frames(snap, include_xpac=True)[0])
    want, _ = read_tables(newest_jsonl(tmp_path / "w.jsonl", parts_records().values(),
                                       xpac=True))
    assert "W2" in set(got.works["work_id"])
    assert_same_tables(got, want)


@pytest.mark.parametrize("filters", [
    dict(countries="JP,US", years="2015-2017"),
    dict(types="article"),  # W1's newer copy is a review: its older article copy must not count
    dict(institutions=f"{OA}I1", years="2019-"),
    dict(countries="G7", types=["article", "review"]),
])
def test_filters_give_what_filtering_afterwards_gives(snap, filters):
    every = tables_from_frames(read_snapshot_frames(snap)[0])
    got = tables_from_frames(read_snapshot_frames(snap, **filters)[0])
    keep = collabnet.sources.snapshot_parts.work_filter(**filters)
    w, a = every.works, every.affiliations
    match = pd.Series(True, index=w.index)
    if keep.years:
        match &= w["year"].between(keep.years[0] or 0, keep.years[1] or 9999).fillna(False)
    if keep.types:
        match &= w["type"].isin(keep.types)
    for col, values in (("country_code", keep.countries), ("institution_id", keep.institutions)):
        if values:
            match &= w["work_id"].isin(a.loc[a[col].isin(values).fillna(False), "work_id"])
    ids = set(w.loc[match.astype(bool), "work_id"])
    assert 0 < len(got) < len(every) and set(got.works["work_id"]) == ids
    assert_same_tables(got, every.select(work_ids=ids))
    if filters == dict(types="article"):
        assert "W1" not in ids  # its latest copy is a review


def test_one_part_at_a_time_gives_the_same_frames(snap):
    """read_part_frames is the unit of work (one task per part); combine_parts joins them."""
    s = open_snapshot(snap)
    results = [read_part_frames(p, excluded=s.excluded_ids()) for p in s.parts]
    import pickle

    assert pickle.loads(pickle.dumps(s.parts[0])) == s.parts[0]
    frames, report = combine_parts(results)
    assert_same_tables(tables_from_frames(frames),
                       tables_from_frames(read_snapshot_frames(snap)[0]))
    assert report.parts == 3


def test_open_snapshot_describes_parts_and_ids_without_reading_records(snap):
    s = open_snapshot(snap.parent.parent)  # the snapshot's top finds data/works
    assert s.root == str(snap) and s.manifest == "manifest.json"
    assert [(p.name, p.partition, p.format, p.record_count) for p in s.parts] == [
        (f"{JAN}/part_000.gz", "2024-01-01", "jsonl", 65),
        (f"{JAN}/part_001.parquet", "2024-01-01", "parquet", 50),
        (f"{FEB}/part_000.gz", "2024-02-01", "jsonl", 55)]
    assert all(p.size == p.content_length for p in s.parts)
    assert list(s.deleted_ids) == [910] and list(s.merged_ids) == [920]
    assert list(s.excluded_ids()) == [910, 920]
    assert is_snapshot(snap) and is_snapshot(snap.parent.parent)
    assert not is_snapshot(snap / "deleted_ids.csv") and not is_snapshot(snap / "nope")


@pytest.mark.parametrize("name, key", [("manifest", "entries"), ("manifest.json", "files")])
def test_both_manifest_shapes_are_read(tmp_path, name, key):
    works = build(tmp_path, manifest_name=name, key=key)
    assert open_snapshot(works).manifest == name
    assert snapshot_info(works).works == 170


def test_snapshot_info_and_the_command(snap, capsys):
    info = snapshot_info(snap)
    assert (len(info.parts), info.partitions, info.works) == (3, 2, 170)
    assert (info.first_date, info.last_date, info.formats) == ("2024-01-01", "2024-02-01",
                                                               {"jsonl": 2, "parquet": 1})
    assert info.size == sum(f.stat().st_size for f in snap.rglob("part_*"))
    assert info.problems == () and info.merged_id_files == 1
    assert main(["snapshot", "info", str(snap.parent.parent), "--parts"]) == 0
    out = capsys.readouterr().out
    assert "parts: 3 (2 jsonl, 1 parquet) in 2 partition(s)" in out
    assert "works: 170 records per the manifest" in out
    assert "dates: 2024-01-01 to 2024-02-01" in out
    assert f"{FEB}/part_000.gz" in out


def test_snapshot_info_of_no_snapshot_is_one_line(tmp_path, capsys):
    assert main(["snapshot", "info", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not an OpenAlex snapshot" in err


def _one_line(exc) -> str:
    text = str(exc.value)
    assert "\n" not in text
    return text


def test_a_truncated_part_is_named_and_skipped_only_when_asked(snap, tmp_path):
    part = snap / FEB / "part_000.gz"
    part.write_bytes(part.read_bytes()[:-200])
    with pytest.raises(SnapshotPartError) as exc:
        read_snapshot_frames(snap)
    assert f"{FEB}/part_000.gz" in _one_line(exc) and "the manifest says" in str(exc.value)
    assert "part_000.gz" in snapshot_info(snap).problems[0]
    frames, report = read_snapshot_frames(snap, skip_bad=True)
    want, _ = read_tables(newest_jsonl(tmp_path / "w.jsonl",
                                       list(parts_records().values())[:2]))
    assert_same_tables(tables_from_frames(frames), want)
    assert report.parts == 2 and len(report.bad_parts) == 1
    assert "skipped 1 bad snapshot part" in report.warning()


def test_a_damaged_gzip_part_is_named(snap):
    """The manifest's size is right, but the gzip data is not (no manifest check catches it)."""
    part = snap / JAN / "part_000.gz"
    data = bytearray(part.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 8] = b"\0" * 8
    part.write_bytes(bytes(data))
    with pytest.raises(SnapshotPartError) as exc:
        read_snapshot_frames(snap)
    assert "damaged snapshot part" in _one_line(exc) and f"{JAN}/part_000.gz" in str(exc.value)
    frames, report = read_snapshot_frames(snap, skip_bad=True)
    assert report.parts == 2 and "W1" in set(tables_from_frames(frames).works["work_id"])


def test_a_missing_part_and_a_record_count_mismatch_are_named(snap):
    (snap / JAN / "part_000.gz").unlink()
    with pytest.raises(SnapshotPartError) as exc:
        read_snapshot_frames(snap)
    assert f"{JAN}/part_000.gz: snapshot part listed in the manifest is missing" in \
        _one_line(exc)
    assert read_snapshot_frames(snap, skip_bad=True)[1].parts == 2
    manifest = json.loads((snap / "manifest.json").read_text())
    manifest["entries"] = manifest["entries"][1:]
    manifest["entries"][0]["meta"]["record_count"] = 51
    (snap / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(SnapshotPartError) as exc:
        read_snapshot_frames(snap)
    assert "part_001.parquet: snapshot part holds 50 records, the manifest says 51" in \
        _one_line(exc)


def test_a_bad_filter_fails_before_reading(snap):
    with pytest.raises(InputError, match="unknown country code 'XX'"):
        read_snapshot_frames(snap, countries="XX")
    with pytest.raises(InputError, match="OpenAlex institution ids"):
        read_snapshot_frames(snap, institutions="https://ror.org/057zh3y96")


@pytest.fixture
def http_root(snap):
    """The test snapshot's top folder served on 127.0.0.1 (standard library server)."""
    pytest.importorskip("fsspec")
    pytest.importorskip("aiohttp")
    handler = partial(_QuietHandler, directory=str(snap.parent.parent))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output clean
        pass


def test_the_snapshot_reads_the_same_over_http(snap, http_root):
    assert is_snapshot(http_root)
    s = open_snapshot(http_root)
    assert s.root == f"{http_root}/data/works" and len(s.parts) == 3
    assert list(s.excluded_ids()) == [910, 920]
    assert_same_tables(tables_from_frames(read_snapshot_frames(s)[0]),
                       tables_from_frames(read_snapshot_frames(snap)[0]))
    assert snapshot_info(http_root).works == 170


def test_a_missing_part_over_http_is_named(snap, http_root):
    (snap / FEB / "part_000.gz").unlink()
    with pytest.raises(SnapshotPartError) as exc:
        read_snapshot_frames(http_root)
    assert f"{FEB}/part_000.gz" in _one_line(exc) and "missing" in str(exc.value)


def test_a_url_without_fsspec_says_what_to_install(monkeypatch):
    import builtins

    real = builtins.__import__

    def no_fsspec(name, *args, **kwargs):
        if name.split(".")[0] in ("fsspec", "s3fs"):
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_fsspec)
    with pytest.raises(InputError, match=r"pip install 'collabnet\[snapshot\]'") as exc:
        open_snapshot("s3://openalex/data/works")
    _one_line(exc)


def test_any_fsspec_location_reads_the_same(snap):
    """S3 cannot be reached here; fsspec's in-memory file system stands in for it (names
    listed without the protocol, as s3fs lists them)."""
    fsspec = pytest.importorskip("fsspec")
    fs = fsspec.filesystem("memory")
    fs.put(str(snap.parent.parent), "/collabnet-test-snap", recursive=True)
    try:
        url = "memory://collabnet-test-snap"
        s = open_snapshot(url)
        assert s.root == f"{url}/data/works" and list(s.excluded_ids()) == [910, 920]
        assert_same_tables(tables_from_frames(read_snapshot_frames(s)[0]),
                           tables_from_frames(read_snapshot_frames(snap)[0]))
    finally:
        fs.rm("/collabnet-test-snap", recursive=True)


def test_s3_is_read_anonymously():
    pytest.importorskip("s3fs")
    from collabnet.sources.snapshot_parts import filesystem

    assert filesystem("s3://openalex/data/works").anon is True  # no request is made
