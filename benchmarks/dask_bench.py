"""Dask against one process: the same command, one task per part file, 1 and 2 workers.

    python benchmarks/dask_bench.py --works 1000000 --runs 3
    python benchmarks/dask_bench.py --works 100000 --runs 3

On the snapshot-like corpus of ``run.py`` (built there, cached in ``--out``), each run is a
fresh ``collabnet shares CORPUS --level country`` process under GNU time, with an empty
table cache of its own (every run parses the JSON):

* ``one process``: no Dask (the reader overlaps reading and parsing in two threads);
* ``dask 1 worker`` / ``dask 2 workers``: ``--workers N``, a LocalCluster of N
  single-threaded worker processes, one task per part file, started and stopped inside
  the timed process (its start-up is part of the cost a user pays).

The fair comparison on a 2-core machine is 1 worker against 2 workers: the same code, the
same tasks, one core's worth of task slots against two. The overhead of Dask is ``dask 1
worker`` (or 2) against ``one process``. Every output must be byte-identical to the
single-process one, or the benchmark fails. CPU seconds include the workers' (they are the
timed process's children, waited for); peak RSS is the largest single process of the tree
(GNU time's ``%M``), not their sum.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402
import run  # noqa: E402

MODES = {"one process": [], "dask 1 worker": ["--workers", "1"],
         "dask 2 workers": ["--workers", "2"]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--works", type=int, default=100_000)
    ap.add_argument("--kind", default="synthetic", choices=("synthetic", "padded"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", type=Path, default=Path("/tmp/collabnet-bench"))
    args = ap.parse_args(argv)
    folder = corpus.corpus_dir(args.out, args.works, args.kind)
    if not folder.exists():
        corpus.build(args.out, args.works, args.kind)
    scratch = args.out / "dask-runs" / folder.name
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    results: dict[str, list[dict]] = {m: [] for m in MODES}
    outputs: dict[str, bytes] = {}
    for r in range(args.runs):
        for mode, extra in MODES.items():
            tag = mode.replace(" ", "_")
            cache = scratch / f"cache-{tag}"
            out = scratch / f"{tag}.csv"
            res = run.measure([run.COLLABNET, "shares", str(folder), "--level", "country",
                               "-q", "-o", str(out), *extra], scratch / tag,
                              env={"COLLABNET_CACHE": str(cache)}, fresh=cache)
            if res["rc"]:
                raise SystemExit(f"{mode} failed: {res.get('error')}")
            results[mode].append(res)
            outputs[mode] = out.read_bytes()
            print(f"run {r + 1}/{args.runs} {mode:15s} {res['wall']:7.2f} s "
                  f"{res['cpu']:7.2f} cpu-s {res['rss_mib']:6.0f} MiB load {res['load']:.1f}",
                  flush=True)
    same = len(set(outputs.values())) == 1
    summary = {m: {"wall": statistics.median(x["wall"] for x in rs),
                   "wall_min": min(x["wall"] for x in rs), "wall_max": max(x["wall"] for x in rs),
                   "cpu": statistics.median(x["cpu"] for x in rs),
                   "rss_mib": statistics.median(x["rss_mib"] for x in rs),
                   "load": [round(x["load"], 1) for x in rs]} for m, rs in results.items()}
    one, w1, w2 = (summary[m]["wall"] for m in MODES)
    meta = corpus.info(folder)
    lines = [f"### Dask on {folder.name} ({meta['works']:,} works, "
             f"{len(corpus.corpus_files(folder))} part files), {run._now()}", "",
             "| mode | wall s (median) | min–max | CPU s (with workers) "
             "| peak RSS MiB (largest process) | works/s |",
             "|---|---:|---:|---:|---:|---:|"]
    for m, s in summary.items():
        lines.append(f"| {m} | {s['wall']:.2f} | {s['wall_min']:.2f}–{s['wall_max']:.2f} | "
                     f"{s['cpu']:.2f} | {s['rss_mib']:,.0f} | {meta['works'] / s['wall']:,.0f} |")
    lines += ["", f"- speed-up, 2 workers against 1: **{w1 / w2:.2f} ×**",
              f"- Dask's overhead, 1 worker against one process: {w1 / one:.2f} × the wall "
              f"time; 2 workers against one process: {one / w2:.2f} × faster",
              f"- outputs: {'byte-identical in every mode' if same else 'DIFFERENT'}", ""]
    text = "\n".join(lines)
    print("\n" + text)
    (scratch / "summary.json").write_text(json.dumps(summary, indent=1))
    (scratch / "summary.md").write_text(text)
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
