"""Benchmark: reading works into tables, shares and networks, as ratios against a baseline.

The baseline, measured in the same run on the same file, is the least any reader must do:
decompress the file and parse every line with orjson, keeping nothing. collabnet's stages are
reported as multiples of it (time) and of the uncompressed input size (peak memory), so the
figures compare across machines. Each stage runs in a fresh subprocess so its peak resident
memory is its own.

The stages use only the public API (``collabnet.read_tables``, ``international_shares``,
``coauthorship_network``), so ``--compare-with`` can run them, interleaved on the same file,
under another installation of collabnet (an earlier commit in its own virtual environment):
the way to show that a change made nothing slower.

Usage::

    python benchmarks/bench_pipeline.py --works 200000 [--json results.json]
    python benchmarks/bench_pipeline.py --compare-with /tmp/before/.venv/bin/python
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
import collabnet as cn
t, r = cn.read_tables(PATH)
RESULT = len(t)
""",
    "shares_country_by_year": """
import collabnet as cn
t, r = cn.read_tables(PATH)
T0 = time.perf_counter()
RESULT = len(cn.international_shares(t, "country", by_year=True))
""",
    "network_institution_fractional": """
import collabnet as cn
t, r = cn.read_tables(PATH)
T0 = time.perf_counter()
g = cn.coauthorship_network(t, "institution", counting="fractional")
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


def run_stage(name: str, path: Path, python: str = sys.executable) -> dict:
    code = _RUNNER.format(body=STAGES[name])
    proc = subprocess.run(
        [python, "-c", code, str(path)], capture_output=True, text=True, check=True,
        cwd=tempfile.gettempdir(),  # import the installed collabnet, not a checkout's
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def compare(path: Path, other: str, repeats: int) -> dict:
    """Each stage under this and the ``other`` interpreter, interleaved, ``repeats`` times."""
    out = {}
    for name in STAGES:
        runs = {"this": [], "other": []}
        for _ in range(repeats):
            runs["this"].append(run_stage(name, path))
            runs["other"].append(run_stage(name, path, other))
        out[name] = {k: min(r["seconds"] for r in v) for k, v in runs.items()}
        out[name].update({f"{k}_peak_rss": max(r["peak_rss"] for r in v)
                          for k, v in runs.items()})
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--works", type=int, default=200_000)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--json", help="also write the results here")
    ap.add_argument("--compare-with", metavar="PYTHON",
                    help="also run every stage under this interpreter (another collabnet)")
    ap.add_argument("--repeats", type=int, default=3, help="runs per stage when comparing")
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
        if args.compare_with:
            results["comparison"] = compare(path, args.compare_with, args.repeats)
    base = results["stages"]["baseline_parse"]
    print(f"{n:,} synthetic works; {raw_bytes / 1e6:,.0f} MB uncompressed; "
          f"sample written at {n / gen:,.0f} works/s")
    print(f"{'stage':34s} {'seconds':>9s} {'x baseline':>11s} {'peak MB':>9s} {'x input':>8s}")
    for name, r in results["stages"].items():
        r["time_ratio"] = r["seconds"] / base["seconds"]
        r["memory_ratio"] = r["peak_rss"] / raw_bytes
        print(f"{name:34s} {r['seconds']:9.2f} {r['time_ratio']:11.2f} "
              f"{r['peak_rss'] / 1e6:9.0f} {r['memory_ratio']:8.2f}")
    if args.compare_with:
        print(f"\nbest of {args.repeats}, interleaved: this collabnet vs {args.compare_with}")
        print(f"{'stage':34s} {'this s':>8s} {'other s':>8s} {'ratio':>6s} "
              f"{'this MB':>8s} {'other MB':>8s}")
        for name, c in results["comparison"].items():
            print(f"{name:34s} {c['this']:8.2f} {c['other']:8.2f} "
                  f"{c['this'] / c['other']:6.2f} {c['this_peak_rss'] / 1e6:8.0f} "
                  f"{c['other_peak_rss'] / 1e6:8.0f}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
