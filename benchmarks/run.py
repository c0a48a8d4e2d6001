"""Benchmark collabnet against DuckDB, a naive script and the decompression floor.

    python benchmarks/run.py --works 100000            # synthetic and padded, 3 runs
    python benchmarks/run.py --works 10000,100000,1000000 --runs 3 --out DIR --keep
    python benchmarks/run.py --works 1000000 --kinds synthetic \
        --tasks shares_country,network_institution_full,decompress

What is measured, on the same files: synthetic corpora laid out like an OpenAlex snapshot
(``updated_date=…/part_NNN.gz``, see ``corpus.py``), as generated (~3.7 KB a record) and
padded to real record size (~17.7 KB). For each task and tool, every run is a fresh child
process, timed from spawn to exit (interpreter start, imports, reading, computing and
writing the output all count, as they do for a user); its peak resident memory is the
"maximum resident set size" GNU ``/usr/bin/time`` reports for it (its own, never this
parent's), and its CPU time is user + system of that process. Figures are medians of
``--runs`` runs. The runs are interleaved (run 1 of every job, then run 2 …), so a burst of
load from other processes on the machine falls on all tools alike; the load average is
recorded with every run, and CPU seconds, which such load disturbs far less, are given too.

Tools: (a) collabnet's CLI (``shares``, ``network``, ``profile``, ``partners``); (b) DuckDB
SQL over the same files (``duckdb_sql.py``: explicit columns, UNNESTs, the same definitions;
default threads = all cores); (c) a naive ``json.loads`` + dicts (+ networkx) script
(``naive.py``); (d) the floor: ``zcat FILES > /dev/null``, a Python ``gzip`` line loop, and
gzip + ``orjson.loads`` of every line. After the runs, DuckDB's and the naive script's
results are compared with collabnet's (``checks.py``): the country shares must be equal,
or the benchmark fails (exit status 1) after writing its results.

Why this is fair: the same files, the same definitions (checked, not assumed), whole
processes on every side, medians, interleaved runs. Threads: DuckDB uses its default (all
cores); collabnet's reader overlaps reading, parsing and framing in two threads; the naive
script and the floors use one core (the ``CPU ÷ wall`` column shows what each used). Not
measured: building corpora (cached in ``--out``, rebuilt only when their recipe changed).

Results accumulate in ``OUT/results.json`` (one entry per corpus, task and tool, the
newest kept) and are written as ``benchmarks/RESULTS.md``. ``--keep`` keeps each
tool's output files in ``OUT/outputs``; otherwise they are deleted after the checks.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import checks  # noqa: E402
import corpus  # noqa: E402
import report  # noqa: E402

PY = sys.executable
COLLABNET = str(Path(PY).parent / "collabnet")
TIME = "/usr/bin/time"  # GNU time: %M is the peak RSS of the command alone, in KiB
FOCUS = "JP"

# task -> (collabnet CLI arguments after the files, or None; DuckDB/naive equivalents?)
TASKS: dict[str, tuple[list[str] | None, bool, bool]] = {
    "shares_country": (["shares"], True, True),
    "shares_institution": (["shares", "--level", "institution"], True, True),
    "shares_country_by_year": (["shares", "--by-year"], True, True),
    "network_country_full": (["network", "--level", "country", "--counting", "full"],
                             True, True),
    "network_country_fractional": (["network", "--level", "country", "--counting",
                                    "fractional"], False, False),
    "network_institution_full": (["network", "--level", "institution", "--counting", "full"],
                                 True, True),
    "network_institution_fractional": (["network", "--level", "institution", "--counting",
                                        "fractional"], False, False),
    "profile_jp": (["profile", "--focus", FOCUS], False, False),
    "partners_jp": (["partners", "--focus", FOCUS], False, False),
    "decompress": (None, False, False),
}
GZIP_LOOP = """import gzip, sys
n = 0
for p in sys.argv[1:]:
    with gzip.open(p, "rb") as fh:
        for _line in fh:
            n += 1
print(n)"""
ORJSON_LOOP = """import gzip, sys, orjson
n = 0
for p in sys.argv[1:]:
    with gzip.open(p, "rb") as fh:
        for line in fh:
            orjson.loads(line); n += 1
print(n)"""
LIB_NETWORK = """import sys, collabnet as cn
level, counting, files = sys.argv[1], sys.argv[2], sys.argv[3:]
g = cn.network(cn.load(files), level, counting=counting)
print(g.number_of_edges())"""


def measure(argv: list[str], log_base: Path, env: dict | None = None,
            fresh: Path | None = None) -> dict:
    """Run ``argv`` as a fresh child; wall seconds, CPU seconds and peak RSS of that child.

    The child runs under ``/usr/bin/time``, which reports the rusage of its own child: a
    process forked straight from this (larger) Python process would start with this
    process's resident pages counted in its ``ru_maxrss``.
    """
    rusage = Path(f"{log_base}.time")
    if fresh is not None:  # a first run: no tables kept from an earlier run
        shutil.rmtree(fresh, ignore_errors=True)
    with open(f"{log_base}.out", "wb") as out, open(f"{log_base}.err", "wb") as err:
        t0 = time.perf_counter()
        rc = subprocess.call([TIME, "-q", "-o", str(rusage), "-f", "%M %U %S", *argv],
                             stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                             cwd=log_base.parent, env={**os.environ, **(env or {})})
        wall = time.perf_counter() - t0
    maxrss_kib, user, system = rusage.read_text().split()[-3:]
    res = {"wall": wall, "cpu": float(user) + float(system), "rss_mib": int(maxrss_kib) / 1024,
           "rc": rc, "load": os.getloadavg()[0]}
    if rc:
        tail = Path(f"{log_base}.err").read_text(errors="replace").strip().splitlines()
        res["error"] = tail[-1] if tail else f"exit status {rc}"
    return res


def network_format(files: list[Path], scratch: Path) -> tuple[str, str]:
    """How collabnet's network commands write: ``.csv`` when that works, else ``.graphml``,
    else the library (no file); with why."""
    notes = []
    for suffix in (".csv", ".graphml"):
        out = scratch / f"probe{suffix}"
        r = measure([COLLABNET, "network", *map(str, files), "--level", "country",
                     "-o", str(out), "--layout", "none", "-q"], scratch / f"probe{suffix}")
        if r["rc"] == 0:
            return suffix, "; ".join(notes)
        notes.append(f"`collabnet network … -o x{suffix}` fails: {r['error']}")
    return "library", "; ".join(notes)


def jobs_for(files: list[Path], outdir: Path, tasks, tools, net_suffix: str) -> list[dict]:
    f = [str(p) for p in files]
    jobs = []

    first, warm = outdir / "cache-first", outdir / "cache-warm"

    def add(task, tool, argv, out=None):
        if tool.startswith("collabnet"):
            for name, cache in (("", first), (" cached", warm)):
                if tool + name in tools:
                    o = out if not name or out is None else \
                        out.with_name(out.stem + "_cached" + out.suffix)
                    a = [str(o) if x == str(out) else x for x in argv]
                    jobs.append({"task": task, "tool": tool + name, "argv": a, "out": o,
                                 "env": {"COLLABNET_CACHE": str(cache)},
                                 "fresh": None if name else cache})
        elif tool in tools:
            jobs.append({"task": task, "tool": tool, "argv": argv, "out": out})

    for task in tasks:
        cli, has_duck, has_naive = TASKS[task]
        if task == "decompress":
            add(task, "zcat", ["zcat", *f])
            add(task, "python gzip loop", [PY, "-c", GZIP_LOOP, *f])
            add(task, "python gzip+orjson", [PY, "-c", ORJSON_LOOP, *f])
            continue
        net = cli[0] == "network"
        out = outdir / f"collabnet_{task}{net_suffix if net else '.csv'}"
        if net and net_suffix == "library":
            add(task, "collabnet", [PY, "-c", LIB_NETWORK, cli[2], cli[4], *f])
        else:
            extra = ["--layout", "none"] if net else []
            add(task, "collabnet", [COLLABNET, cli[0], *f, *cli[1:], "-o", str(out), "-q",
                                    *extra], out)
        if net and net_suffix != "library" and task == "network_institution_full":
            add(task, "collabnet library", [PY, "-c", LIB_NETWORK, cli[2], cli[4], *f])
        if has_duck:
            o = outdir / f"duckdb_{task}.csv"
            add(task, "duckdb", [PY, str(HERE / "duckdb_sql.py"), task, str(o), *f], o)
        if has_naive:
            o = outdir / f"naive_{task}.csv"
            add(task, "naive", [PY, str(HERE / "naive.py"), task, str(o), *f], o)
    return jobs


def run_corpus(folder: Path, args, net: tuple[str, str], log=print) -> dict:
    meta = corpus.info(folder)
    files = corpus.corpus_files(folder)
    outdir = args.out / "outputs" / folder.name
    shutil.rmtree(outdir, ignore_errors=True)
    outdir.mkdir(parents=True)
    jobs = jobs_for(files, outdir, args.tasks, args.tools, net[0])
    runs: dict[tuple, list] = {(j["task"], j["tool"]): [] for j in jobs}
    warmed = {j["env"]["COLLABNET_CACHE"] for j in jobs if j["tool"].endswith(" cached")}
    for cache in warmed:  # the one JSON read the cached runs reuse (not measured)
        measure([COLLABNET, "shares", *map(str, files), "-q", "-o", str(outdir / "warm.csv")],
                outdir / "warm", env={"COLLABNET_CACHE": cache})
    for r in range(args.runs):
        for j in jobs:
            res = measure(j["argv"], outdir / f"{j['task']}.{j['tool'].replace(' ', '_')}",
                          env=j.get("env"), fresh=j.get("fresh"))
            runs[(j["task"], j["tool"])].append(res)
            log(f"  run {r + 1}/{args.runs} {j['task']:32s} {j['tool']:20s} "
                f"{res['wall']:7.2f} s {res['cpu']:7.2f} cpu-s {res['rss_mib']:7.0f} MiB"
                f"  load {res['load']:.1f}" + (f"  FAILED: {res['error']}" if res["rc"] else ""))
    rows = {}
    for (task, tool), rs in runs.items():
        ok = [x for x in rs if x["rc"] == 0]
        row = {"runs": len(rs), "failed": len(rs) - len(ok),
               "error": next((x["error"] for x in rs if x["rc"]), None),
               "load": [round(x["load"], 2) for x in rs],
               "cmd": " ".join(_short_cmd(next(j["argv"] for j in jobs
                                               if (j["task"], j["tool"]) == (task, tool))))}
        if ok:
            walls = [x["wall"] for x in ok]
            row.update(wall=statistics.median(walls), wall_min=min(walls), wall_max=max(walls),
                       cpu=statistics.median(x["cpu"] for x in ok),
                       rss_mib=statistics.median(x["rss_mib"] for x in ok),
                       works_per_s=meta["works"] / statistics.median(walls))
        if tool == "duckdb" and ok:
            row["threads"] = json.loads(
                Path(outdir / f"{task}.duckdb.out").read_text().splitlines()[-1])["threads"]
        row["commit"] = args.commit
        if tool == "collabnet" and task.startswith("network"):
            row["output"] = net[0]
        rows.setdefault(task, {})[tool] = row
    result = {"corpus": folder.name, "meta": meta, "files": len(files),
              "net_output": net[0], "net_note": net[1], "measured": _now(), "tasks": rows,
              "checks": run_checks(jobs, rows, log)}
    if not args.keep:
        shutil.rmtree(outdir, ignore_errors=True)
    return result


def _short_cmd(argv: list[str]) -> list[str]:
    """A command line for the report: files as ``FILES``, scripts by name, code as ``-c …``."""
    out, files_seen = [], False
    for a in argv:
        if a.endswith(".gz"):
            if not files_seen:
                out.append("FILES")
            files_seen = True
        elif "\n" in a:
            out.append("'…'")
        else:
            out.append(Path(a).name if a.startswith("/") else a)
    return out


def run_checks(jobs, rows, log) -> dict:
    found = {}
    by = {(j["task"], j["tool"]): j for j in jobs}
    for (task, tool), job in by.items():
        if tool == "collabnet cached" and (task, "collabnet") in by and job["out"] is not None:
            key = f"{task}: collabnet cached vs first run"
            try:
                mine, first = job["out"], by[(task, "collabnet")]["out"]
                pairs = [(p, first.with_name(p.name.replace("_cached", "")))
                         for p in sorted(mine.parent.glob(mine.stem + "*"))]
                # a network's _meta.json names its own files: compare it with that undone
                found[key] = {"same_bytes": bool(pairs) and all(
                    a.read_bytes().replace(b"_cached", b"") == b.read_bytes()
                    for a, b in pairs)}
            except OSError as exc:
                found[key] = {"error": f"{type(exc).__name__}: {exc}"}
            log(f"  check {key}: {checks.summary(found[key])}")
            continue
        if tool not in ("duckdb", "naive") or (task, "collabnet") not in by:
            continue
        ref = by[(task, "collabnet")]
        key = f"{task}: collabnet vs {tool}"
        if rows[task][tool].get("failed") == rows[task][tool]["runs"] or ref["out"] is None \
                or rows[task]["collabnet"].get("failed") == rows[task]["collabnet"]["runs"]:
            found[key] = {"error": "a run failed or collabnet wrote no file"}
        else:
            try:
                found[key] = checks.check_task(task, ref["out"], job["out"])
            except (OSError, ValueError, KeyError) as exc:
                found[key] = {"error": f"{type(exc).__name__}: {exc}"}
        log(f"  check {key}: {checks.summary(found[key])}")
    return found


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    import duckdb

    def git(*a):
        r = subprocess.run(["git", *a], cwd=HERE.parent, capture_output=True, text=True)
        return r.stdout.strip()

    ver = subprocess.run([COLLABNET, "--version"], capture_output=True, text=True).stdout
    return {"date": _now(), "nproc": os.cpu_count(), "cpu": cpu, "ram_gib": mem / 2**20,
            "python": platform.python_version(), "duckdb": duckdb.__version__,
            "collabnet": ver.strip(), "commit": git("rev-parse", "--short", "HEAD"),
            "dirty_files": len(git("status", "--porcelain").splitlines()),
            "load_at_start": os.getloadavg()}


def startup(runs: int, scratch: Path) -> dict:
    """``import collabnet`` (``-X importtime``, cumulative µs) and ``collabnet --help``."""
    imports, helps = [], []
    for _ in range(max(runs, 5)):
        r = subprocess.run([PY, "-X", "importtime", "-c", "import collabnet"],
                           capture_output=True, text=True, cwd=scratch)
        line = [x for x in r.stderr.splitlines() if x.rstrip().endswith("| collabnet")]
        imports.append(int(line[-1].split("|")[1]) / 1e6)
        helps.append(measure([COLLABNET, "--help"], scratch / "help")["wall"])
    return {"import_s": statistics.median(imports), "import_min": min(imports),
            "import_max": max(imports), "help_s": statistics.median(helps),
            "help_min": min(helps), "help_max": max(helps), "runs": len(helps)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--works", default="100000",
                    help="corpus sizes, comma-separated (default 100000)")
    ap.add_argument("--kinds", default="synthetic,padded",
                    help="synthetic (as generated), padded (real record size), or both")
    ap.add_argument("--runs", type=int, default=3, help="runs per job (median; default 3)")
    ap.add_argument("--out", type=Path, default=Path("/tmp/collabnet-bench"),
                    help="corpora, results.json and outputs (default /tmp/collabnet-bench)")
    ap.add_argument("--keep", action="store_true", help="keep every tool's output files")
    ap.add_argument("--tasks", default=",".join(TASKS), help="comma-separated subset")
    ap.add_argument("--tools", default="collabnet,collabnet cached,collabnet library,"
                    "duckdb,naive,zcat,"
                    "python gzip loop,python gzip+orjson", help="comma-separated subset")
    ap.add_argument("--pad-bytes", type=int, default=corpus.DEFAULT_PAD_BYTES,
                    help="mean record size of padded corpora (default 17700)")
    ap.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    ap.add_argument("--fresh", action="store_true", help="forget earlier results.json")
    ap.add_argument("--no-startup", action="store_true", help="skip the start-up timings")
    ap.add_argument("--report-only", action="store_true",
                    help="measure nothing: write the results file from OUT/results.json")
    args = ap.parse_args(argv)
    args.tasks = [t.strip() for t in args.tasks.split(",") if t.strip()]
    args.tools = {t.strip() for t in args.tools.split(",") if t.strip()}
    unknown = [t for t in args.tasks if t not in TASKS]
    if unknown:
        ap.error(f"unknown task(s) {unknown}: {', '.join(TASKS)}")
    sizes = [int(x.replace("_", "")) for x in args.works.split(",")]
    kinds = [k.strip() for k in args.kinds.split(",")]
    args.out.mkdir(parents=True, exist_ok=True)
    store = args.out / "results.json"
    saved = {} if args.fresh or not store.exists() else json.loads(store.read_text())
    saved.setdefault("corpora", {})
    if args.report_only:
        args.results.write_text(report.markdown(saved))
        print(f"written: {args.results} (from {store})")
        return 0
    saved["machine"] = machine()
    args.commit = saved["machine"]["commit"]
    scratch = args.out / "scratch"
    scratch.mkdir(exist_ok=True)
    print(f"machine: {saved['machine']}")
    if not args.no_startup:
        saved["startup"] = dict(startup(args.runs, scratch), commit=args.commit)
        print(f"startup: {saved['startup']}")
    folders = [corpus.build(args.out, n, k, args.pad_bytes) for n in sizes for k in kinds]
    probe = corpus.build(args.out, 10_000, "synthetic")
    net = network_format(corpus.corpus_files(probe), scratch)
    print(f"network output: {net[0]} {net[1]}")
    failed = False
    for folder in folders:
        print(f"\n== {folder.name}")
        res = run_corpus(folder, args, net)
        old = saved["corpora"].get(folder.name, {"tasks": {}, "checks": {}})
        res["history"] = old.get("history", []) + [
            {"measured": res["measured"], "commit": args.commit, "runs": args.runs,
             "jobs": sorted(f"{t}/{tool}" for t, tools in res["tasks"].items() for tool in tools)}]
        for task, tools in res["tasks"].items():
            old["tasks"].setdefault(task, {}).update(tools)
        old["checks"].update(res["checks"])
        res["tasks"], res["checks"] = old["tasks"], old["checks"]
        saved["corpora"][folder.name] = res
        store.write_text(json.dumps(saved, indent=1))
        c = res["checks"].get("shares_country: collabnet vs duckdb")
        if c is not None and not c.get("equal"):
            failed = True
    text = report.markdown(saved)
    args.results.write_text(text)
    print("\n" + text)
    print(f"written: {args.results} (raw: {store})")
    if failed:
        print("FAILED: DuckDB's country shares differ from collabnet's", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
