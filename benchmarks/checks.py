"""Do the tools agree? collabnet's outputs against DuckDB's and the naive script's.

Shares tables are compared on their keys (``entity``, and ``year`` by year) and on
``works``, ``international_works`` (exactly) and ``share`` (exactly: every tool divides the
same two integers in IEEE double precision, so any difference is a real one; both empty
counts as equal). Network rows are compared as sets of undirected pairs with their full
count ``works``; collabnet's network is read back from the file it wrote (edges CSV or
GraphML). A difference is reported precisely: how many rows only one side has, how many
values differ, and the first few of each.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

KEYS = {"shares_country": ("entity",), "shares_institution": ("entity",),
        "shares_country_by_year": ("entity", "year")}
VALUES = ("works", "international_works", "share")
EXAMPLES = 5


def _num(text: str):
    if text in ("", "None", "nan", "NaN", None):
        return None
    f = float(text)
    return int(f) if f.is_integer() and "." not in text and "e" not in text.lower() else f


def read_table(path: Path, keys: tuple[str, ...]) -> dict[tuple, dict]:
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    out = {}
    for row in rows:
        key = tuple(str(int(float(row[k]))) if k == "year" else row[k] for k in keys)
        out[key] = {c: _num(row.get(c)) for c in VALUES}
    return out


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


def compare(ref: dict, other: dict) -> dict:
    """Rows only in one, rows whose values differ (with examples): empty lists = equal."""
    only_ref = sorted(set(ref) - set(other))
    only_other = sorted(set(other) - set(ref))
    differ = []
    for key in sorted(set(ref) & set(other)):
        cols = [c for c in ref[key] if not _same(ref[key][c], other[key].get(c))]
        if cols:
            differ.append((key, {c: (ref[key][c], other[key].get(c)) for c in cols}))
    return {"rows": len(ref), "other_rows": len(other), "equal": not (only_ref or only_other
                                                                        or differ),
            "only_collabnet": len(only_ref), "only_other": len(only_other),
            "values_differ": len(differ),
            "examples": [f"only collabnet: {k}" for k in only_ref[:EXAMPLES]]
            + [f"only other: {k}" for k in only_other[:EXAMPLES]]
            + [f"{k}: {v} (collabnet, other)" for k, v in differ[:EXAMPLES]]}


def read_edges_csv(path: Path) -> dict[tuple, dict]:
    with open(path, newline="") as fh:
        reader = csv.DictReader(fh)
        names = {n.lower(): n for n in reader.fieldnames or []}
        s, t, w = names.get("source"), names.get("target"), names.get("works")
        if not (s and t and w):
            raise ValueError(f"{path}: no source/target/works columns ({reader.fieldnames})")
        return {tuple(sorted((r[s], r[t]))): {"works": int(float(r[w]))} for r in reader}


def read_edges_graphml(path: Path) -> dict[tuple, dict]:
    """Edges of a GraphML file with their ``works`` attribute, streamed."""
    import xml.etree.ElementTree as ET

    ns = "{http://graphml.graphdrawing.org/xmlns}"
    key_of = {}
    edges = {}
    for _event, el in ET.iterparse(path, events=("end",)):
        if el.tag == ns + "key" and el.get("for") == "edge":
            key_of[el.get("id")] = el.get("attr.name")
        elif el.tag == ns + "edge":
            works = None
            for d in el.findall(ns + "data"):
                if key_of.get(d.get("key")) == "works":
                    works = int(float(d.text))
            edges[tuple(sorted((el.get("source"), el.get("target"))))] = {"works": works}
            el.clear()
        elif el.tag == ns + "node":
            el.clear()
    return edges


def collabnet_edges(path: Path) -> dict[tuple, dict]:
    """collabnet's network output read back: ``x.csv`` (``x_edges.csv``) or ``x.graphml``."""
    path = Path(path)
    if path.suffix == ".csv":
        return read_edges_csv(path.with_name(path.stem + "_edges.csv"))
    return read_edges_graphml(path)


def check_task(task: str, collabnet_out: Path, other_out: Path) -> dict:
    if task in KEYS:
        return compare(read_table(collabnet_out, KEYS[task]),
                       read_table(other_out, KEYS[task]))
    return compare(collabnet_edges(collabnet_out), read_edges_csv(other_out))


def summary(result: dict) -> str:
    if result.get("error"):
        return f"not checked: {result['error']}"
    if "same_bytes" in result:
        return "byte-identical output" if result["same_bytes"] else "DIFFERENT output files"
    if result["equal"]:
        return f"equal ({result['rows']:,} rows)"
    return (f"DIFFERENT: {result['rows']:,} vs {result['other_rows']:,} rows, "
            f"{result['only_collabnet']} only in collabnet, {result['only_other']} only in "
            f"the other, {result['values_differ']} with other values; e.g. "
            + "; ".join(result["examples"]))
