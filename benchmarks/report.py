"""The benchmark's results as Markdown: machine, start-up, one table per corpus, scaling.

Ratios are of median wall times on the same corpus and task: collabnet ÷ DuckDB and
collabnet ÷ naive script (same task), collabnet ÷ ``zcat`` (decompressing the corpus, the
floor any reader of these files pays). A ratio above 1 means collabnet is slower.
"""

from __future__ import annotations

import checks

TOOL_ORDER = ("collabnet", "collabnet cached", "collabnet library", "duckdb", "naive", "zcat",
              "python gzip loop", "python gzip+orjson")


def _f(x, fmt="{:,.2f}"):
    return "—" if x is None else fmt.format(x)


def _ratio(a: dict, b: dict | None, key: str = "wall") -> str:
    if not b or a.get(key) is None or not b.get(key):
        return "—"
    return f"{a[key] / b[key]:.2f}"


def corpus_table(res: dict) -> list[str]:
    m = res["meta"]
    lines = [f"### {res['corpus']}", "",
             f"{m['works']:,} distinct works ({m['records']:,} records: "
             f"{m['stale_copies']:,} older duplicate copies), {res['files']} part files (one of "
             f"them the older partition holding those copies); "
             f"{m['raw_bytes'] / 1e6:,.0f} MB uncompressed, {m['gz_bytes'] / 1e6:,.0f} MB gzip, "
             f"{m['bytes_per_record']:,.0f} bytes per record"
             + (f" (padding scale {m['scale']:.2f})" if m.get("scale") else "")
             + ".", ""]
    n_jobs = sum(len(t) for t in res["tasks"].values())
    for h in res.get("history", []):
        what = "every job" if len(h["jobs"]) == n_jobs else ", ".join(h["jobs"])
        lines.append(f"- measured {h['measured']}, collabnet at commit {h['commit']}, "
                     f"{h['runs']} runs: {what}")
    lines += ["", "collabnet's network rows say which file it wrote (`→ .csv`: nodes and edges "
              "CSV; `→ .graphml`)"
              + (f"; at the last run: {res['net_note']}" if res.get("net_note") else "")
              + ". Rows measured in one go are interleaved; compare rows of other goes "
              "with care (the load differed).", ""]
    lines += ["| task | tool | wall s (median) | min–max | CPU s | CPU ÷ wall | works/s "
              "| peak RSS MiB | ÷ DuckDB | CPU ÷ DuckDB | ÷ naive | ÷ zcat |",
              "|---|---|" + "---:|" * 10]
    zcat = res["tasks"].get("decompress", {}).get("zcat")
    for task, tools in res["tasks"].items():
        for tool in sorted(tools, key=lambda t: TOOL_ORDER.index(t) if t in TOOL_ORDER else 99):
            r = tools[tool]
            mine, duck = tool.startswith("collabnet"), tools.get("duckdb")
            if r.get("wall") is None:
                lines.append(f"| {task} | {tool} | FAILED |" + " |" * 9)
                continue
            extra = f" ({r['threads']} threads)" if r.get("threads") else ""
            if r.get("output"):
                extra += f" → {r['output']}"
            fails = f" ({r['failed']} of {r['runs']} runs failed)" if r.get("failed") else ""
            lines.append(
                f"| {task} | {tool}{extra}{fails} | {r['wall']:.2f} | "
                f"{r['wall_min']:.2f}–{r['wall_max']:.2f} | {r['cpu']:.2f} | "
                f"{r['cpu'] / r['wall']:.2f} | "
                f"{r['works_per_s']:,.0f} | {r['rss_mib']:,.0f} | "
                + (" | ".join([_ratio(r, duck), _ratio(r, duck, "cpu"),
                               _ratio(r, tools.get("naive")), _ratio(r, zcat)])
                   if mine else " | | | ") + " |")
    lines.append("")
    failed = [(t, tool, r["error"]) for t, tools in res["tasks"].items()
              for tool, r in tools.items() if r.get("error")]
    for t, tool, err in failed:
        lines.append(f"- **{tool} {t} failed**: `{err}`")
    if res.get("checks"):
        lines += ["", "Same numbers?", ""]
        lines += [f"- {k}: {checks.summary(v)}" for k, v in res["checks"].items()]
    loads = [x for tools in res["tasks"].values() for r in tools.values()
             for x in r.get("load", [])]
    if loads:
        lines += ["", f"1-minute load average during the runs: {min(loads):.1f}–"
                      f"{max(loads):.1f} (2 cores = load 2.0 fully busy)."]
    return lines + [""]


def scaling(saved: dict) -> list[str]:
    rows = []
    for name, res in saved["corpora"].items():
        if not name.endswith("-synthetic"):
            continue
        for task in ("shares_country", "network_institution_full"):
            tools = res["tasks"].get(task, {})
            c, d = tools.get("collabnet"), tools.get("duckdb")
            z = res["tasks"].get("decompress", {}).get("zcat")
            if c and c.get("wall") is not None:
                rows.append((task, res["meta"]["works"], c, d, z))
    if not rows:
        return []
    out = ["## Scaling (synthetic records)", "",
           "| task | works | collabnet wall s | works/s | peak RSS MiB | DuckDB wall s "
           "| DuckDB RSS MiB | ÷ DuckDB | ÷ zcat |", "|---|" + "---:|" * 8]
    for task, n, c, d, z in sorted(rows, key=lambda r: (r[0], r[1])):
        out.append(f"| {task} | {n:,} | {c['wall']:.2f} | {c['works_per_s']:,.0f} | "
                   f"{c['rss_mib']:,.0f} | {_f(d and d.get('wall'))} | "
                   f"{_f(d and d.get('rss_mib'), '{:,.0f}')} | {_ratio(c, d)} | "
                   f"{_ratio(c, z)} |")
    return out + [""]


def markdown(saved: dict) -> str:
    m = saved["machine"]
    out = ["# Benchmark results (draft)", "",
           "Generated by `python benchmarks/run.py` (see its docstring for what is measured "
           "and why it is fair). All records are SYNTHETIC (`collabnet.generate_works`), laid "
           "out like an OpenAlex snapshot; the padded corpora carry generated fields up to "
           "real record size.", "",
           f"Machine: {m['nproc']} cores ({m['cpu']}), {m['ram_gib']:.1f} GiB RAM; Python "
           f"{m['python']}, DuckDB {m['duckdb']} (default threads = all {m['nproc']} cores), "
           f"{m['collabnet']}. Last run {m['date']}, at commit {m['commit']} with "
           f"{m['dirty_files']} uncommitted files in the checkout (others were editing it; "
           f"each corpus says which commit each of its rows was measured at); load average "
           f"at its start {m['load_at_start'][0]:.1f}.", "",
           "Each figure: median of the runs, each run a fresh process timed from spawn to exit; "
           "peak RSS is that process's own (GNU `/usr/bin/time` %M); CPU s is user + system. "
           "Ratios are of median wall times (> 1: collabnet slower), except `CPU ÷ DuckDB`, "
           "of median CPU times (DuckDB spreads its work over both cores).", ""]
    s = saved.get("startup")
    if s:
        out += ["## Start-up", "", f"At commit {s.get('commit', '?')}:", "",
                f"- `python -X importtime -c \"import collabnet\"`: cumulative "
                f"{s['import_s'] * 1000:.1f} ms for `collabnet` (median of {s['runs']}; "
                f"{s['import_min'] * 1000:.1f}–{s['import_max'] * 1000:.1f} ms)",
                f"- `collabnet --help`: {s['help_s']:.3f} s wall (median of {s['runs']}; "
                f"{s['help_min']:.3f}–{s['help_max']:.3f} s)", ""]
    out += ["## Per corpus", ""]
    for res in saved["corpora"].values():
        out += corpus_table(res)
    out += scaling(saved)
    cmds = sorted({(t, tool, r["cmd"]) for res in saved["corpora"].values()
                   for t, tools in res["tasks"].items() for tool, r in tools.items()
                   if r.get("cmd")})
    out += ["## Command lines", "", "FILES = the corpus's part files in path order.", ""]
    out += [f"- {t} / {tool}: `{c}`" for t, tool, c in cmds]
    return "\n".join(out) + "\n"
