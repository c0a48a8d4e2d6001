"""Nothing lost, every failure one line: bad records, odd text and damaged gzip files.

Every case is read by both readers (the Arrow one, which hands files it cannot take whole to
the record-by-record one, and the record-by-record one alone): with ``skip_bad`` the rest is
kept and the bad input counted with its first place; without, one short line names the
file:line and the field.
"""

from __future__ import annotations

import gzip
import json
import random

import pytest

from collabnet.errors import InputError, MalformedRecordError
from collabnet.loader import read_tables
from collabnet.sources import jsonl

ENGINES = ("auto", "python")


def good(i: int, **extra) -> str:
    rec = {"id": f"https://openalex.org/W{i}", "publication_year": 2020, "authorships": [
        {"author": {"id": f"A{i}"}, "institutions": [{"id": "I1", "country_code": "FR"}]}]}
    return json.dumps({**rec, **extra})


def both(path, **kw):
    """read_tables by both engines; they must agree on tables and counts."""
    (fast, rf), (slow, rs) = (read_tables(path, engine=e, **kw) for e in ENGINES)
    import pandas.testing as pdt

    pdt.assert_frame_equal(fast.works, slow.works)
    pdt.assert_frame_equal(fast.affiliations, slow.affiliations)
    assert (rf.records, rf.duplicates, rf.bad) == (rs.records, rs.duplicates, rs.bad)
    return fast, rf


def raised(path, engine, kind=InputError) -> str:
    with pytest.raises(kind) as exc:
        read_tables(path, engine=engine)
    msg = str(exc.value)
    assert "\n" not in msg and len(msg) - len(str(path)) < 170, msg
    return msg


BAD_LINES = {
    "not JSON": ('{"id": "W9", oops', "invalid JSON"),
    "two objects on a line": ('{"id": "W8"} {"id": "W9"}', "invalid JSON"),
    "authorships an object": ('{"id": "W9", "authorships": {"a": 1}}', "authorships must be a"),
    "authorships a string": ('{"id": "W9", "authorships": "oops"}', "authorships must be a list"),
    "authorships an empty string": ('{"id": "W9", "authorships": ""}', "authorships must be"),
    "authorship a number": ('{"id": "W9", "authorships": [7]}', "authorships[0] must be an obj"),
    "institution a number": ('{"id": "W9", "authorships": [{}, {}, {"institutions": [5]}]}',
                             "authorships[2].institutions[0] must be an object"),
    "institutions a string": ('{"id": "W9", "authorships": [{}, {}, {"institutions": "x"}]}',
                              "authorships[2].institutions must be a list"),
    "author a list": ('{"id": "W9", "authorships": [{"author": ["A1"]}]}',
                      "authorships[0].author must be an object"),
    "author an empty list": ('{"id": "W9", "authorships": [{"author": []}]}', ".author must be"),
    "countries a number": ('{"id": "W9", "authorships": [{"countries": 5}]}', ".countries must"),
    "country code a number": ('{"id": "W9", "authorships": [{"institutions": [{"country_code": 3}'
                              ']}]}', "institutions[0].country_code must be a string"),
    "year 2015.5": ('{"id": "W9", "publication_year": 2015.5}', "publication_year must be a w"),
    "year '2015.5'": ('{"id": "W9", "publication_year": "2015.5"}', "publication_year must be"),
    "year true": ('{"id": "W9", "publication_year": true}', "publication_year must be a whole"),
    "year huge": ('{"id": "W9", "publication_year": 99999999999999999999}', "publication_year"),
    "cited_by_count 1.5": ('{"id": "W9", "cited_by_count": 1.5}', "cited_by_count must be"),
    "countries_distinct_count '2.5'": ('{"id": "W9", "countries_distinct_count": "2.5"}',
                                       "countries_distinct_count must be a whole number"),
    "fwci a word": ('{"id": "W9", "fwci": "high"}', "fwci must be a number"),
    "is_paratext 'maybe'": ('{"id": "W9", "is_paratext": "maybe"}', "is_paratext must be true"),
    "type a number": ('{"id": "W9", "type": 5}', "type must be a string"),
    "id a number": ('{"id": 9}', "no work 'id'"),
    "id blank": ('{"id": "  "}', "no work 'id'"),
    "no id": ('{"title": "x"}', "not a work record (no 'id')"),
    "null": ("null", "not a work record (null)"),
    "a number": ("42", "not a work record (42)"),
    "long wrong value": ('{"id": "W9", "authorships": [{"institutions": [{"display_name": '
                         + json.dumps({"x" * 5000: 1}) + "}]}]}", "display_name must be a string"),
}


@pytest.mark.parametrize("name", list(BAD_LINES))
@pytest.mark.parametrize("gz", [False, True], ids=["jsonl", "gz"])
def test_bad_line_is_one_line_or_skipped(tmp_path, name, gz):
    line, what = BAD_LINES[name]
    path = tmp_path / ("w.jsonl.gz" if gz else "w.jsonl")
    text = "\n".join([good(1), good(2), line, good(3)]) + "\n"
    path.write_bytes(gzip.compress(text.encode()) if gz else text.encode())
    for engine in ENGINES:
        msg = raised(path, engine, MalformedRecordError)
        assert msg.startswith(f"{path}:3: malformed record: ") and what in msg, msg
    tables, report = both(path, skip_bad=True)
    assert sorted(tables.works["work_id"]) == ["W1", "W2", "W3"]
    assert (report.bad, report.records) == (1, 3)
    assert report.bad_examples[0].startswith(f"{path}:3: ")
    assert f"{path}:3: " in report.warning() and "\n" not in report.warning()


@pytest.mark.parametrize("value", ["2015.0", '"2015"', '" 2015 "', '"2015.0"'])
def test_whole_number_in_another_form_is_a_year(tmp_path, value):
    """2015.0 and "2015" are taken as 2015 (the intent is clear); 2015.5 is not (above)."""
    path = tmp_path / "w.jsonl"
    path.write_text(good(1) + "\n" + good(2)[:-1] + f', "publication_year": {value}}}\n')
    tables, report = both(path)
    assert tables.works["year"].tolist() == [2020, 2015] and report.bad == 0


def test_lone_surrogates_and_bad_bytes_become_replacement_characters(tmp_path):
    r"""``"\ud800"`` is legal to Python's json (orjson and Arrow refuse it): the line is read
    as json.loads reads it, the lone surrogate replaced by U+FFFD (pyarrow cannot hold it);
    a pair stays one character. Bytes that are not UTF-8 are replaced too."""
    path = tmp_path / "w.jsonl"
    inst = '{"id": "I1", "display_name": "Univ \\ud800 X", "country_code": "JP"}'
    lines = [good(1), '{"id": "W2", "authorships": [{"institutions": [' + inst + "]}]}",
             good(3, title="pair \U0001f600 \\ud83d\\ude00 lone \\udc00")]
    path.write_bytes(("\n".join(lines) + "\n").encode() + b'{"id": "W4", "type": "a\xffb"}\n')
    tables, report = both(path, skip_bad=True)
    assert report.bad == 0 and len(tables) == 4
    names = set(tables.affiliations["institution_name"].dropna())
    assert names == {"Univ \ufffd X"}
    assert tables.works.set_index("work_id").loc["W4", "type"] == "a\ufffdb"


def test_bad_first_copy_does_not_hide_a_good_second(tmp_path):
    path = tmp_path / "w.jsonl"
    bad = good(1)[:-1] + ', "publication_year": 2015.5}'
    path.write_text("\n".join([bad, good(1), good(2), good(1)]) + "\n")
    tables, report = both(path, skip_bad=True)
    assert sorted(tables.works["work_id"]) == ["W1", "W2"]
    assert (report.bad, report.records, report.duplicates) == (1, 3, 1)


@pytest.mark.parametrize("first", ["null", " null", "\n\nnull", "5", "\"text\""])
def test_first_value_not_an_object_does_not_crash(tmp_path, first):
    """Arrow's JSON reader crashes the process (SIGSEGV) on a block whose first value is
    null; such a file goes to the record-by-record reader, which skips and counts it."""
    path = tmp_path / "w.jsonl"
    path.write_text(first + "\n" + good(1) + "\n")
    tables, report = both(path, skip_bad=True)
    assert len(tables) == 1 and report.bad == 1


def test_null_line_starting_a_later_block_does_not_crash(tmp_path, monkeypatch):
    monkeypatch.setattr(jsonl, "BLOCK_SIZE", 64)
    line = '{"id": "W%d", "type": "%s"}'
    lines = [line % (i, "x" * (31 - len(line % (i, "")))) for i in range(1, 9)]
    assert {len(x) for x in lines} == {31}
    lines[2] = "null" + " " * 27  # the first line of the second 64-byte block
    path = tmp_path / "w.jsonl"
    path.write_text("\n".join(lines) + "\n")
    tables, report = both(path, skip_bad=True)
    assert len(tables) == 7 and report.bad == 1


def _lines(a: int, b: int) -> bytes:
    """Lines of works W{a}…W{b-1}, with titles that do not compress much."""
    return "".join(good(i, title=random.Random(i).randbytes(150).hex()) + "\n"
                   for i in range(a, b)).encode()


def test_truncated_gzip_in_a_folder_keeps_what_came_before(tmp_path):
    whole = gzip.compress(_lines(0, 400))
    (tmp_path / "a.jsonl.gz").write_bytes(whole[: len(whole) // 2])
    (tmp_path / "b.jsonl.gz").write_bytes(gzip.compress(_lines(1000, 1010)))
    for engine in ENGINES:
        msg = raised(tmp_path, engine)
        assert msg.startswith(f"{tmp_path / 'a.jsonl.gz'}:") and "truncated gzip" in msg, msg
    tables, report = both(tmp_path, skip_bad=True)
    kept = {int(w[1:]) for w in tables.works["work_id"]}
    before = {i for i in kept if i < 1000}
    assert len(before) > 100 and before == set(range(len(before)))  # all lines up to the cut
    assert set(range(1000, 1010)) <= kept and report.bad == 1
    assert report.bad_examples[0].startswith(f"{tmp_path / 'a.jsonl.gz'}:{len(before) + 1}: ")


@pytest.mark.parametrize("damage", ["crc", "deflate", "header"])
def test_damaged_gzip_member_is_skipped_and_the_next_read(tmp_path, damage):
    a, b, c = (gzip.compress(_lines(n, n + 100)) for n in (0, 100, 200))
    b = bytearray(b)
    if damage == "crc":
        b[-6] ^= 0xFF
    elif damage == "deflate":
        b[len(b) // 2 : len(b) // 2 + 64] = bytes(64)
    else:
        b[3] = 0xFF  # reserved flag bits
    path = tmp_path / "w.jsonl.gz"
    path.write_bytes(a + bytes(b) + c)
    for engine in ENGINES:
        msg = raised(path, engine)
        assert msg.startswith(f"{path}:101: cannot read file (") and "gzip" in msg, msg
    tables, report = both(path, skip_bad=True)
    assert {int(w[1:]) for w in tables.works["work_id"]} == set(range(100)) | set(range(200, 300))
    assert report.bad == 1


@pytest.mark.parametrize("data", [b"", b"\n \n", gzip.compress(b""), gzip.compress(b"\n")])
def test_empty_files_hold_no_works(tmp_path, data):
    path = tmp_path / "w.jsonl.gz"
    path.write_bytes(data)
    tables, report = both(path, skip_bad=True)
    assert len(tables) == 0 and report.bad == 0 and report.files == [str(path)]


def test_gzip_padding_and_trailing_garbage(tmp_path):
    path = tmp_path / "w.jsonl.gz"
    path.write_bytes(gzip.compress(_lines(0, 5)) + b"\0" * 512 + gzip.compress(_lines(5, 9)))
    tables, report = both(path)
    assert len(tables) == 9 and report.bad == 0
    path.write_bytes(gzip.compress(_lines(0, 5)) + b"not gzip")
    tables, report = both(path, skip_bad=True)
    assert len(tables) == 5 and report.bad == 1
    assert "not gzip data" in report.bad_examples[0]


def test_broken_json_document_is_skipped_with_its_line(tmp_path):
    (tmp_path / "a.json").write_text('[\n{"id": "W1"},\n{"id": "W2",,}\n]')
    (tmp_path / "b.jsonl").write_text(good(3) + "\n")
    for engine in ENGINES:
        assert raised(tmp_path, engine).startswith(f"{tmp_path / 'a.json'}:3: malformed record")
    tables, report = both(tmp_path, skip_bad=True)
    assert tables.works["work_id"].tolist() == ["W3"] and report.bad == 1


class _Bar:
    """Stands in for tqdm: records what read_tables asks of its progress bar."""

    bars: list[_Bar] = []

    def __init__(self, *args, disable=False, total=None, **kw):
        self.disable, self.total, self.n, self.updates = disable, total, 0, []
        _Bar.bars.append(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def update(self, n=1):
        if not self.disable:
            self.n += n
            self.updates.append(n)

    def set_postfix_str(self, *args, **kw):
        pass


@pytest.mark.parametrize("engine", ENGINES)
def test_progress_advances_with_bytes_within_a_file(tmp_path, monkeypatch, engine):
    import tqdm.auto

    from collabnet.sources import pieces

    monkeypatch.setattr(tqdm.auto, "tqdm", _Bar)
    monkeypatch.setattr(jsonl, "BLOCK_SIZE", 1 << 16)
    monkeypatch.setattr(pieces, "_CHUNK", 1 << 14)
    path = tmp_path / "w.jsonl.gz"
    path.write_bytes(gzip.compress(_lines(0, 3000)))
    _Bar.bars.clear()
    read_tables(path, progress=True, engine=engine)
    (bar,) = _Bar.bars
    assert bar.total == path.stat().st_size == bar.n
    assert len([u for u in bar.updates if u > 0]) > 3  # more than once within the one file


def test_progress_counts_a_file_once_when_the_fast_reader_gives_up(tmp_path, monkeypatch):
    import tqdm.auto

    monkeypatch.setattr(tqdm.auto, "tqdm", _Bar)
    monkeypatch.setattr(jsonl, "BLOCK_SIZE", 1 << 12)
    path = tmp_path / "w.jsonl"
    path.write_bytes(_lines(0, 50) + b'{"id": "W9", "publication_year": 1.5}\n')
    _Bar.bars.clear()
    read_tables(path, progress=True, skip_bad=True)
    assert _Bar.bars[0].n == path.stat().st_size


def test_no_progress_output_when_progress_is_false(tmp_path, capfd):
    path = tmp_path / "w.jsonl.gz"
    path.write_bytes(gzip.compress(_lines(0, 200)) + b"junk")
    for engine in ENGINES:
        read_tables(path, engine=engine, skip_bad=True)
    out, err = capfd.readouterr()
    assert out == err == ""
