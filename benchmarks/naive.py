"""The straightforward script: ``gzip`` + ``json.loads`` + dicts (+ networkx for networks).

What a researcher would write in an afternoon instead of using collabnet, to compute the
same numbers by collabnet's definitions (README, Definitions): a work's countries are the
union of its institutions' ``country_code`` and its authorships' ``countries``, upper-cased
and trimmed, ISO 3166-1 alpha-2 (plus ``XK``) only; institutions are ids ``I<digits>``;
duplicates keep the copy with the latest ``updated_date`` (a later file wins a tie). It keeps,
per work id, only the fields it needs (year, countries, institutions), not whole records.

Usage (one task per fresh process; the benchmark times the whole process)::

    python benchmarks/naive.py TASK OUT.csv FILE...

Tasks: ``shares_country``, ``shares_institution``, ``shares_country_by_year`` (columns
``entity[,year],works,international_works,share`` as collabnet's) and
``network_country_full``, ``network_institution_full`` (a networkx graph, full counting;
edges written as ``source,target,works``). Fractional counting is not done here: its
author-level rules (README) are past what a quick script gets right.
"""

from __future__ import annotations

import csv
import gzip
import json
import re
import sys
from collections import Counter
from itertools import combinations

TASKS = ("shares_country", "shares_institution", "shares_country_by_year",
         "network_country_full", "network_institution_full")
_INST = re.compile(r"^I[0-9]+$")


def valid_codes() -> frozenset[str]:
    import pycountry

    return frozenset(c.alpha_2 for c in pycountry.countries) | {"XK"}


def short(value: str) -> str:
    key = str(value).strip().rstrip("/").rsplit("/", 1)[-1]
    return key[:1].upper() + key[1:]


def read(files: list[str]) -> dict[str, tuple[str, int | None, frozenset, frozenset]]:
    """work id -> (updated_date, year, countries, institutions), the newest copy of each."""
    codes = valid_codes()
    works: dict[str, tuple] = {}
    for path in files:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                if not line.strip():
                    continue
                rec = json.loads(line)
                wid = short(rec["id"])
                date = (rec.get("updated_date") or "").strip()
                old = works.get(wid)
                if old is not None and old[0] > date:
                    continue
                countries, insts = set(), set()
                for a in rec.get("authorships") or []:
                    for inst in a.get("institutions") or []:
                        cc = (inst.get("country_code") or "").strip().upper()
                        if cc in codes:
                            countries.add(cc)
                        iid = short(inst.get("id") or "")
                        if _INST.match(iid):
                            insts.add(iid)
                    for cc in a.get("countries") or []:
                        cc = (cc or "").strip().upper()
                        if cc in codes:
                            countries.add(cc)
                works[wid] = (date, rec.get("publication_year"), frozenset(countries),
                              frozenset(insts))
    return works


def shares(works, level: str, by_year: bool) -> list[dict]:
    total, known, intl = Counter(), Counter(), Counter()
    for _date, year, countries, insts in works.values():
        if by_year and year is None:
            continue
        entities = countries if level == "country" else insts
        is_intl = len(countries) >= 2
        for e in entities:
            key = (e, year) if by_year else e
            total[key] += 1
            if countries:
                known[key] += 1
            if is_intl:
                intl[key] += 1
    rows = []
    for key, n in total.items():
        e, year = key if by_year else (key, None)
        row = {"entity": e, "works": n, "international_works": intl[key],
               "share": intl[key] / known[key] if known[key] else None}
        if by_year:
            row["year"] = year
        rows.append(row)
    rows.sort(key=lambda r: (-r["works"], r["entity"], r.get("year") or 0))
    return rows


def network(works, level: str):
    import networkx as nx

    g = nx.Graph()
    for _date, _year, countries, insts in works.values():
        entities = sorted(countries if level == "country" else insts)
        g.add_nodes_from(entities)
        for u, v in combinations(entities, 2):
            if g.has_edge(u, v):
                g[u][v]["works"] += 1
            else:
                g.add_edge(u, v, works=1)
    return g


def main(argv: list[str]) -> int:
    task, out, files = argv[0], argv[1], argv[2:]
    if task not in TASKS:
        raise SystemExit(f"unknown task {task!r}: one of {', '.join(TASKS)}")
    works = read(files)
    with open(out, "w", newline="") as fh:
        w = csv.writer(fh)
        if task.startswith("shares"):
            level = "institution" if "institution" in task else "country"
            by_year = task.endswith("by_year")
            cols = ["entity", "year"] if by_year else ["entity"]
            cols += ["works", "international_works", "share"]
            w.writerow(cols)
            for row in shares(works, level, by_year):
                w.writerow([row[c] for c in cols])
        else:
            g = network(works, "country" if "country" in task else "institution")
            w.writerow(["source", "target", "works"])
            for u, v, d in g.edges(data=True):
                w.writerow([u, v, d["works"]])
    print(json.dumps({"works": len(works)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
