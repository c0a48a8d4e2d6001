"""The DuckDB equivalent: the same numbers in SQL over the same gzip JSON Lines files.

Each task is one SQL statement, ``COPY (…) TO 'OUT.csv'``, over ``read_json`` with explicit
columns (only ``id``, ``updated_date``, ``publication_year`` and the two parts of
``authorships`` collabnet uses: ``institutions[].{id, country_code}`` and ``countries``), so
DuckDB projects what it needs while parsing, as a DuckDB user would write it. The definitions
are collabnet's (README, Definitions):

* duplicates: per work id the row with the latest ``updated_date`` (missing = oldest; a tie
  goes to the later file in path order: ``filename``). ``hive_partitioning = false``: else
  DuckDB sees the ``updated_date=…`` folders and replaces the record's own ``updated_date``
  with the folder's (as a DATE), which is not the rule;
* a work's countries: the union of ``authorships[].institutions[].country_code`` and
  ``authorships[].countries``, ``upper(trim(…))``, kept only when in the ISO 3166-1
  alpha-2 list (+ ``XK``; from pycountry, the table collabnet uses), via UNNEST;
* international: two or more countries; share = international / works with a known country;
* institutions: ids ``I<digits>``; network rows: pairs of entities in one work, full counting.

Usage (one task per fresh process; the benchmark times the whole process, ``import duckdb``
included)::

    python benchmarks/duckdb_sql.py TASK OUT.csv FILE...

DuckDB runs with its default thread count (all cores; printed as ``threads``).
"""

from __future__ import annotations

import json
import sys

TASKS = ("shares_country", "shares_institution", "shares_country_by_year",
         "network_country_full", "network_institution_full")

_COLUMNS = """{id: 'VARCHAR', updated_date: 'VARCHAR', publication_year: 'BIGINT',
  authorships: 'STRUCT(institutions STRUCT(id VARCHAR, country_code VARCHAR)[],
                       countries VARCHAR[])[]'}"""

# The works (newest copy of each), their countries (wc) and institutions (wi).
_BASE = f"""
WITH raw AS (
  SELECT regexp_replace(rtrim(trim(id), '/'), '^.*/', '') AS wid,
         coalesce(trim(updated_date), '') AS updated, filename,
         publication_year AS year, authorships
  FROM read_json($files, format = 'newline_delimited', compression = 'gzip',
                 filename = true, hive_partitioning = false, columns = {_COLUMNS})
),
works AS (
  SELECT wid, year, authorships FROM raw
  QUALIFY row_number() OVER (PARTITION BY wid ORDER BY updated DESC, filename DESC) = 1
),
aff AS (SELECT wid, unnest(authorships) AS a FROM works),
codes AS (
  SELECT wid, upper(trim(unnest(list_transform(a.institutions, lambda i: i.country_code)))) AS cc
  FROM aff
  UNION ALL
  SELECT wid, upper(trim(unnest(a.countries))) AS cc FROM aff
),
wc AS (SELECT DISTINCT wid, cc FROM codes SEMI JOIN valid ON cc = code),
nc AS (SELECT wid, count(*) AS n FROM wc GROUP BY wid),
wi AS (
  SELECT DISTINCT wid, iid FROM (
    SELECT wid, regexp_replace(rtrim(trim(unnest(list_transform(a.institutions, lambda i: i.id))),
                                     '/'), '^.*/', '') AS iid
    FROM aff)
  WHERE regexp_full_match(iid, 'I[0-9]+')
)
"""

QUERIES = {
    "shares_country": """
SELECT cc AS entity, count(*) AS works, count(*) FILTER (WHERE n >= 2) AS international_works,
       (count(*) FILTER (WHERE n >= 2)) / count(*) AS share
FROM wc JOIN nc USING (wid) GROUP BY cc ORDER BY works DESC, entity""",
    "shares_country_by_year": """
SELECT cc AS entity, year, count(*) AS works,
       count(*) FILTER (WHERE n >= 2) AS international_works,
       (count(*) FILTER (WHERE n >= 2)) / count(*) AS share
FROM wc JOIN nc USING (wid) JOIN works USING (wid) WHERE year IS NOT NULL
GROUP BY cc, year ORDER BY entity, year""",
    "shares_institution": """
SELECT iid AS entity, count(*) AS works, count(*) FILTER (WHERE n >= 2) AS international_works,
       (count(*) FILTER (WHERE n >= 2)) / (count(*) FILTER (WHERE n >= 1)) AS share
FROM wi LEFT JOIN nc USING (wid) GROUP BY iid ORDER BY works DESC, entity""",
    "network_country_full": """
SELECT x.cc AS source, y.cc AS target, count(*) AS works
FROM wc x JOIN wc y ON x.wid = y.wid AND x.cc < y.cc GROUP BY ALL""",
    "network_institution_full": """
SELECT x.iid AS source, y.iid AS target, count(*) AS works
FROM wi x JOIN wi y ON x.wid = y.wid AND x.iid < y.iid GROUP BY ALL""",
}


def valid_codes() -> list[str]:
    import pycountry

    return sorted({c.alpha_2 for c in pycountry.countries} | {"XK"})


def sql(task: str, out: str) -> str:
    """The whole statement of ``task``, writing ``out``."""
    quoted = out.replace("'", "''")
    return f"COPY ({_BASE}{QUERIES[task]}) TO '{quoted}' (HEADER, DELIMITER ',')"


def main(argv: list[str]) -> int:
    task, out, files = argv[0], argv[1], argv[2:]
    if task not in QUERIES:
        raise SystemExit(f"unknown task {task!r}: one of {', '.join(QUERIES)}")
    import duckdb

    con = duckdb.connect()
    con.execute("CREATE TEMP TABLE valid AS SELECT unnest($codes::VARCHAR[]) AS code",
                {"codes": valid_codes()})
    con.execute(sql(task, out), {"files": files})
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    print(json.dumps({"threads": int(threads), "duckdb": duckdb.__version__}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
