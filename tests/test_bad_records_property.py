"""Property: whatever malformed records and garbage lines a file holds, skip_bad keeps exactly
the well-formed works and counts the rest; without skip_bad the one error is a short line.

Work-like records are generated well-formed, then some are broken by one wrong shape or type
at a random field (a wrong value is never one collabnet fixes, like "2015" for a year); some
lines are garbage. The file is JSON Lines, plain or gzip, read by both readers.
"""

from __future__ import annotations

import gzip
import json
import tempfile
from pathlib import Path

import pandas.testing as pdt
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from collabnet.errors import InputError, MalformedRecordError
from collabnet.loader import read_tables

TEXT = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["Univ \ud800 X", "pair \U0001f600", "x\udc00y", "Üniversité", ""]),
)
CODE = st.sampled_from(["FR", "jp", "US", " de ", "", "XK"])

INSTITUTION = st.fixed_dictionaries(
    {}, optional={"id": st.sampled_from(["I1", "https://openalex.org/I2", "I3"]),
                  "display_name": TEXT | st.none(), "country_code": CODE | st.none(),
                  "type": st.sampled_from(["education", "company"]), "ror": TEXT},
)
AUTHORSHIP = st.fixed_dictionaries(
    {}, optional={
        "author": st.none() | st.fixed_dictionaries({}, optional={
            "id": st.sampled_from(["A1", "A2", "https://openalex.org/A3"]) | st.none()}),
        "author_position": st.sampled_from(["first", "middle", "last"]),
        "is_corresponding": st.booleans() | st.sampled_from(["true", "FALSE"]),
        "countries": st.lists(CODE, max_size=3) | CODE,
        "institutions": st.lists(INSTITUTION | st.none(), max_size=3),
        "raw_affiliation_strings": st.lists(TEXT, max_size=2),
    },
)
WORK = st.fixed_dictionaries(
    {}, optional={
        "publication_year": st.integers(1950, 2030) | st.sampled_from([2015.0, "2016", None]),
        "cited_by_count": st.integers(0, 10**6) | st.sampled_from([3.0, "12"]),
        "fwci": st.floats(0, 50) | st.integers(0, 9) | st.none() | st.just("1.5"),
        "countries_distinct_count": st.integers(0, 9),
        "type": st.sampled_from(["article", "preprint"]),
        "is_paratext": st.booleans() | st.sampled_from(["false", 0, 1]),
        "is_retracted": st.booleans() | st.none(),
        "citation_normalized_percentile": st.none() | st.fixed_dictionaries(
            {}, optional={"is_in_top_10_percent": st.booleans(), "value": st.floats(0, 1)}),
        "authorships": st.lists(AUTHORSHIP | st.none(), max_size=4),
        "title": TEXT,
    },
)

#: Values no field takes or that collabnet fixes; a "wrong shape" is one of these.
WRONG = {
    "list": [{}, {"a": 1}, "x", 5, True, "a b"],
    "object": [5, "x", [], ["A1"], True, 2.5],
    "int": [2015.5, "2015.5", True, "abc", [], {}, 1e30, "", 10**20],
    "num": ["abc", True, [], {}, ""],
    "bool": ["maybe", 5, [], {}, "", 0.5],
    "str": [5, 2.5, True, [], {"a": 1}],
    "strings": [5, 2.5, True, {}, [5], [["FR"]], [{}]],  # one string is a list of one
}
TOP = {"publication_year": "int", "cited_by_count": "int", "countries_distinct_count": "int",
       "fwci": "num", "is_paratext": "bool", "is_authors_truncated": "bool", "type": "str",
       "authorships": "list", "citation_normalized_percentile": "object"}
IN_AUTHORSHIP = {"author": "object", "author_position": "str", "is_corresponding": "bool",
                 "countries": "strings", "institutions": "list", "": "object"}
IN_INSTITUTION = {"id": "str", "display_name": "str", "country_code": "str", "type": "str",
                  "": "object"}
GARBAGE = st.one_of(
    st.sampled_from(["null", "42", '"a string"', "true", "{}", '{"title": "no id"}',
                     '{"id": 5}', '{"id": ""}', '{"id": "W1",', "{'id': 'W1'}"]),
    st.text(min_size=1, max_size=30).map(lambda t: "#" + t.replace("\n", " ")),
    st.binary(min_size=1, max_size=20).map(lambda b: b"\xff" + b.replace(b"\n", b" ")),
)


@st.composite
def broken(draw, rec: dict) -> dict:
    """``rec`` with one wrong shape or type at a random field."""
    rec = json.loads(json.dumps(rec))
    auths = [a for a in rec.get("authorships") or [] if isinstance(a, dict)]
    insts = [i for a in auths for i in a.get("institutions") or [] if isinstance(i, dict)]
    where = draw(st.sampled_from(["top"] + ["authorship"] * bool(auths)
                                 + ["institution"] * bool(insts)))
    if where == "top":
        key = draw(st.sampled_from(sorted(TOP)))
        rec[key] = draw(st.sampled_from(WRONG[TOP[key]]))
    elif where == "authorship":
        key = draw(st.sampled_from(sorted(IN_AUTHORSHIP)))
        i = rec["authorships"].index(draw(st.sampled_from(auths)))
        bad = draw(st.sampled_from(WRONG[IN_AUTHORSHIP[key]]))
        if key:
            rec["authorships"][i][key] = bad
        else:
            rec["authorships"][i] = bad
    else:
        key = draw(st.sampled_from(sorted(IN_INSTITUTION)))
        inst = draw(st.sampled_from(insts))
        bad = draw(st.sampled_from(WRONG[IN_INSTITUTION[key]]))
        for a in auths:
            for j, x in enumerate(a.get("institutions") or []):
                if x is inst:
                    if key:
                        x[key] = bad
                    else:
                        a["institutions"][j] = bad
    return rec


@st.composite
def files(draw):
    """(lines as bytes, ids of the good works in order, line numbers of the bad ones)."""
    n = draw(st.integers(1, 14))
    lines, good, bad = [], [], []
    for i in range(n):
        rec = {"id": f"https://openalex.org/W{i}", **draw(WORK)}
        kind = draw(st.sampled_from(["good", "good", "broken", "garbage", "bad copy"]))
        if kind == "garbage":
            g = draw(GARBAGE)
            lines.append(g if isinstance(g, bytes) else g.encode())
        elif kind == "good":
            lines.append(json.dumps(rec).encode())
            good.append(f"W{i}")
        else:
            if kind == "bad copy" and good:  # a broken copy of a work read before
                rec["id"] = f"https://openalex.org/{draw(st.sampled_from(good))}"
            lines.append(json.dumps(draw(broken(rec))).encode())
        if kind != "good":
            bad.append(len(lines))
        if draw(st.booleans()) and draw(st.booleans()):
            lines.append(b"   ")  # blank lines count as lines, not records
    return lines, good, bad


def _same(a, b):
    pdt.assert_frame_equal(a.works, b.works)
    pdt.assert_frame_equal(a.affiliations, b.affiliations)


# No shrinking: each example reads a file four times, and shrinking one took minutes.
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(data=files(), gz=st.booleans())
def test_skip_bad_keeps_exactly_the_good_works(data, gz):
    lines, good, bad = data
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / ("w.jsonl.gz" if gz else "w.jsonl")
        text = b"\n".join(lines) + b"\n"
        path.write_bytes(gzip.compress(text) if gz else text)
        read = {e: read_tables(path, skip_bad=True, engine=e) for e in ("auto", "python")}
        for tables, report in read.values():
            assert tables.works["work_id"].tolist() == good
            assert report.bad == len(bad) and report.works == len(good)
            if bad:
                assert report.bad_examples[0].startswith(f"{path}:{bad[0]}: ")
        _same(read["auto"][0], read["python"][0])
        for engine in ("auto", "python"):
            try:
                read_tables(path, engine=engine)
            except (MalformedRecordError, InputError) as exc:
                msg = str(exc)
                assert bad and msg.startswith(f"{path}:{bad[0]}: "), msg
                assert "\n" not in msg and len(msg) < 200, msg
            else:
                assert not bad
