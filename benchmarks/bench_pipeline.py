"""Benchmark: reading works into tables, shares and networks, as ratios against a baseline.

The baseline, measured in the same run on the same file, is the least any reader must do:
decompress the file and parse every line with orjson, keeping nothing. collabnet's stages are
reported as multiples of it (time) and of the uncompressed input size (peak memory), so the
figures compare across machines. Each stage runs in a fresh subprocess so its peak resident
memory is its own.

Usage::

    python benchmarks/bench_pipeline.py --works 200000 [--json results.json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STAGES = {
    "baseline_parse": """
import gzip, orjson
n = 0
with gzip.open(PATH, "rb") as fh:
    for line in fh:
        orjson.loads(line); n += 1
RESULT = n
""",
    "read_tables": """
from collabnet.tables import read_tables
t, r = read_tables(PATH)
RESULT = len(t)
""",
    "shares_country_by_year": """
from collabnet.tables import read_tables
from collabnet.analysis.shares import international_shares
t, r = read_tables(PATH)
T0 = time.perf_counter()
RESULT = len(international_shares(t, "country", by_year=True))
""",
    "network_institution_fractional": """
from collabnet.tables import read_tables
from collabnet.network import coauthorship_network
t, r = read_tables(PATH)
T0 = time.perf_counter()
g = coauthorship_network(t, "institution", counting="fractional")
RESULT = g.number_of_edges()
""",
}

_RUNNER = """
import resource, sys, time, json
PATH = sys.argv[1]
T0 = time.perf_counter()
{body}
elapsed = time.perf_counter() - T0
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({{"seconds": elapsed, "peak_rss": rss, "result": RESULT}}))
"""


def run_stage(name: str, path: Path) -> dict:
    code = _RUNNER.format(body=STAGES[name])
    proc = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--works", type=int, default=200_000)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--json", help="also write the results here")
    args = ap.parse_args(argv)

    from collabnet.sources.sample import write_sample

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sample.jsonl.gz"
        t0 = time.perf_counter()
        n = write_sample(path, args.works, seed=args.seed)
        gen = time.perf_counter() - t0
        import gzip

        with gzip.open(path, "rb") as fh:
            raw_bytes = sum(len(line) for line in fh)
        results = {"works": n, "file_bytes": os.path.getsize(path), "raw_bytes": raw_bytes,
                   "sample_seconds": gen, "sample_works_per_second": n / gen, "stages": {}}
        for name in STAGES:
            results["stages"][name] = run_stage(name, path)
    base = results["stages"]["baseline_parse"]
    print(f"{n:,} synthetic works; {raw_bytes / 1e6:,.0f} MB uncompressed; "
          f"sample written at {n / gen:,.0f} works/s")
    print(f"{'stage':34s} {'seconds':>9s} {'x baseline':>11s} {'peak MB':>9s} {'x input':>8s}")
    for name, r in results["stages"].items():
        r["time_ratio"] = r["seconds"] / base["seconds"]
        r["memory_ratio"] = r["peak_rss"] / raw_bytes
        print(f"{name:34s} {r['seconds']:9.2f} {r['time_ratio']:11.2f} "
              f"{r['peak_rss'] / 1e6:9.0f} {r['memory_ratio']:8.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
