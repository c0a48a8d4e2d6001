"""Running a job: :func:`run_job` checks the whole file, then makes each output that is not
up to date and writes the manifest.

An output is *up to date* when the manifest of the previous run in the same folder lists it
with the same fingerprint — the collabnet version, the analysis's kind and options (the
defaults filled in), its file names and its input's identity (see
:mod:`collabnet.jobs.data`) — and its files still have the checksums listed there. Anything
else is made again. Inputs are loaded once, and only when an analysis needs them.

Nothing is printed here: what happens is told to ``notify(kind, text)`` (``"note"`` for
people, ``"status"`` for ``written`` / ``up to date`` lines, ``"url"`` for a dry run's
requests), and the command line prints it.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from collabnet._version import __version__
from collabnet.errors import InputError
from collabnet.jobs import data
from collabnet.jobs.analyses import Source, run_analysis
from collabnet.jobs.jobfile import Analysis, Job, read_job
from collabnet.jobs.manifest import (
    DEFINITIONS,
    fingerprint,
    read_manifest,
    sha256_file,
    write_manifest,
)

__all__ = ["JobRun", "Outcome", "run_job"]


@dataclass
class Outcome:
    """What became of one analysis: ``written``, ``up to date`` (or, in a dry run, ``would
    write``), and the files it has in the output folder."""

    analysis: Analysis
    status: str
    files: dict[str, str] = field(default_factory=dict)  # relative path -> sha256


@dataclass
class JobRun:
    job: Job
    outdir: Path
    outcomes: list[Outcome] = field(default_factory=list)
    manifest: Path | None = None
    requests: list[str] = field(default_factory=list)  # dry run: the URLs that would be asked


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def _quiet(kind: str, text: str) -> None:
    pass


def run_job(path: str | os.PathLike, *, output: str | os.PathLike | None = None,
            dry_run: bool = False, force: bool = False, progress: bool = False,
            notify=None) -> JobRun:
    """Run the job file ``path``.

    Parameters
    ----------
    path : path
        The TOML job file (see :func:`collabnet.jobs.schema.job_schema`).
    output : path, optional
        The output folder (default: the job's ``[job] output``, else ``<name>-out`` beside
        the job file).
    dry_run : bool
        Only say what would be fetched (the request URLs, how many) and which outputs would
        be written; no request is sent and nothing is written.
    force : bool
        Make every output again, up to date or not.
    progress : bool
        Progress bars on standard error while reading and fetching.
    notify : callable, optional
        ``notify(kind, text)`` is told what happens (see the module docstring).

    Returns
    -------
    JobRun

    Raises
    ------
    InputError
        A problem in the job file (one line with its line number, before any work), or an
        analysis that fails (its line and the library's message).
    """
    notify = notify or _quiet
    job = read_job(path)
    outdir = Path(output) if output is not None else job.output
    from collabnet.fileio import check_writable

    if not dry_run:
        check_writable(outdir, folder=True)
    _check_counts(job)
    with data.connect(job) as conn:
        if conn.synthetic:
            notify("note", f"[openalex] server = \"synthetic\": the queries go to collabnet's "
                   f"loopback OpenAlex server, started at {conn.settings.base_url}, over "
                   f"{conn.world['works']:,} generated works (seed {conn.world['seed']}, "
                   f"{conn.world['years']}): SYNTHETIC, not real data; no network is used")
        run = JobRun(job, outdir)
        if dry_run:
            return _dry_run(run, conn, notify, force)
        return _run(run, conn, notify, force, progress)


def _check_counts(job: Job) -> None:
    """The counts analyses' own checks (the library's dry run on an empty cache: it sends
    nothing), before the server starts or anything is fetched."""
    from collabnet.config import get_settings

    todo = [a for a in job.analyses if job.inputs[a.input].source == "counts"]
    if not todo:
        return
    with tempfile.TemporaryDirectory(prefix="collabnet-check-") as tmp:
        settings = get_settings(base_url="http://127.0.0.1:9", cache_dir=tmp, env={})
        for a in todo:
            try:
                data.counts_plan(a, job.inputs[a.input], settings)
            except InputError as exc:
                raise job.fail(("analysis", a.index - 1), f"{a.label}: {exc}") from None


# --- fingerprints ------------------------------------------------------------------------------
def _fingerprint(a: Analysis, ident: dict | None, conn) -> str | None:
    if ident is None:
        return None
    extra = {}
    if a.options.get("institutions"):
        extra["institutions"] = data.file_identity(a.options["institutions"])
    if a.kind == "report":
        extra["source_date_epoch"] = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return fingerprint({"collabnet": __version__, "kind": a.kind, "options": a.options,
                        "files": a.files, "input": ident, "synthetic": conn.synthetic,
                        **extra})


def _key(a: Analysis) -> str:
    return " ".join(a.files)


def _intact(entry: dict, outdir: Path) -> bool:
    files = entry.get("files") or {}
    return bool(files) and all((outdir / f).is_file() and sha256_file(outdir / f) == sha
                               for f, sha in files.items())


# --- a run -------------------------------------------------------------------------------------
def _run(run: JobRun, conn, notify, force: bool, progress: bool) -> JobRun:
    job, outdir = run.job, run.outdir
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{outdir}: cannot create output folder ({exc.strerror or exc})") \
            from None
    previous = read_manifest(outdir) or {}
    before = {e.get("key"): e for e in previous.get("analyses", []) if isinstance(e, dict)}
    inputs = {name: dict(previous.get("inputs", {}).get(name) or {}) for name in job.inputs}
    loaded: dict[str, Source] = {}
    entries: list[dict] = []
    started = _now()
    for a in job.analyses:
        inp = job.inputs[a.input]
        fp = _fingerprint(a, data.identity(inp, conn), conn)
        old = before.get(_key(a))
        if not force and fp is not None and old and old.get("fingerprint") == fp \
                and _intact(old, outdir):
            entries.append({**old, "index": a.index, "line": a.line, "status": "up to date"})
            run.outcomes.append(Outcome(a, "up to date", dict(old["files"])))
            for f in a.files:
                notify("status", f"up to date  {outdir / f}")
            continue
        src = _source(job, inp, conn, loaded, inputs, progress)
        try:
            paths, requests = run_analysis(a, src, outdir)
        except InputError as exc:
            raise job.fail(("analysis", a.index - 1), f"{a.label}: {exc}") from None
        files = {p.relative_to(outdir).as_posix(): sha256_file(p) for p in paths}
        entries.append({"key": _key(a), "index": a.index, "kind": a.kind, "input": a.input,
                        "line": a.line, "options": a.options, "status": "written",
                        "files": files, "fingerprint": None})
        if requests is not None:  # counts: asked now, or answered from the cache
            entries[-1]["requests"] = requests
            if requests or not inputs.setdefault(a.input, {}).get("fetched_at"):
                inputs.setdefault(a.input, {})["fetched_at"] = (
                    _now() if requests else "before this run (answered from the cache)")
        run.outcomes.append(Outcome(a, "written", files))
        for f in a.files:
            notify("status", f"written     {outdir / f}")
        run.manifest = _write(run, conn, entries, inputs, set(loaded), started, final=False)
    run.manifest = _write(run, conn, entries, inputs, set(loaded), started, final=True)
    written = sum(o.status == "written" for o in run.outcomes)
    notify("note", f"{len(run.outcomes)} analyses: {written} written, "
           f"{len(run.outcomes) - written} up to date; manifest {run.manifest}")
    return run


def _source(job: Job, inp, conn, loaded: dict, inputs: dict, progress: bool) -> Source:
    """The input as analyses take it, loaded once (its record counts noted for the manifest)."""
    if inp.name in loaded:
        return loaded[inp.name]
    conn.ensure_world()
    if inp.source == "counts":
        src = Source(query=inp.query, years=inp.years, counts=True, settings=conn.settings,
                     synthetic=conn.synthetic)
        loaded[inp.name] = src
        return src
    try:
        tables, counts = data.load_input(inp, conn, progress=progress)
    except InputError as exc:
        raise job.fail(("input", inp.index - 1), f"[[input]] {inp.index} ({inp.name}): {exc}") \
            from None
    entry = inputs.setdefault(inp.name, {})
    entry["records"] = counts
    if inp.is_query:
        entry["fetched_at"] = _now() if conn.synthetic else data.fetched_at(inp, conn)
    source = None
    if inp.is_query:
        source = f"OpenAlex query: {inp.query.describe()}; from {conn.describe()}"
    src = Source(tables=tables, years=inp.years, settings=conn.settings,
                 synthetic=conn.synthetic, data_source=source, epoch=data.data_epoch(inp, conn))
    loaded[inp.name] = src
    return src


def _input_record(job: Job, inp, conn, entry: dict) -> dict:
    out = {"source": inp.source}
    if not inp.is_query:
        out["paths"] = [os.path.relpath(p, job.root) for p in inp.paths]
        out["files"] = [[os.path.relpath(f[0], job.root), f[1]] for f in data.identity(
            inp, conn)["files"]]
    else:
        out["query"] = inp.query.to_dict() if inp.query is not None else None
        out["description"] = (inp.query.describe() if inp.query is not None else
                              f"the analyses' focus; years {inp.years[0]}-{inp.years[1]}")
        if inp.source == "works":
            out["urls"] = [url for _, url, _ in data.works_plan(inp.query, conn)]
            out["slices"] = data.slice_record(inp, conn)
        out["fetched_at"] = (data.fetched_at(inp, conn) if not conn.synthetic else None) \
            or entry.get("fetched_at")
    if "records" in entry:
        out["records"] = entry["records"]
    return out


def _counts_urls(a: Analysis, inp, conn) -> list[str]:
    """Every group_by URL of a counts analysis: its dry run on an empty cache (sends nothing)."""
    with tempfile.TemporaryDirectory(prefix="collabnet-plan-") as tmp:
        settings = conn.settings.with_changes(cache_dir=Path(tmp))
        return list(data.counts_plan(a, inp, settings))


def _write(run: JobRun, conn, entries: list, inputs: dict, loaded: set, started: str, *,
           final: bool):
    """Write the manifest; an input that no analysis read in this run (all up to date) keeps
    the record of the run that read it."""
    job, outdir = run.job, run.outdir
    by_index = {a.index: a for a in job.analyses}
    if final:
        idents = {n: data.identity(i, conn) for n, i in job.inputs.items()}
        for e in entries:
            a = by_index[e["index"]]
            if e["status"] == "written":
                e["fingerprint"] = _fingerprint(a, idents[a.input], conn)
            inp = job.inputs[a.input]
            if inp.source == "counts":
                e["urls"] = _counts_urls(a, inp, conn)
    counts_records = {}
    for e in entries:
        inp = job.inputs[by_index[e["index"]].input]
        if inp.source == "counts":
            counts_records.setdefault(inp.name, []).extend(e.get("urls", []))
    used = {by_index[e["index"]].input for e in entries}
    records = {}
    for name in job.inputs:
        if name in used and name not in loaded and inputs.get(name, {}).get("source"):
            records[name] = inputs[name]
        elif name in used:
            records[name] = _input_record(job, job.inputs[name], conn, inputs.get(name, {}))
            if name in counts_records:
                records[name]["urls"] = list(dict.fromkeys(counts_records[name]))
    outputs = {}
    for e in entries:
        for f, sha in e["files"].items():
            outputs[f] = {"sha256": sha, "bytes": (outdir / f).stat().st_size,
                          "analysis": e["index"]}
    server = {"server": conn.server, "base_url": conn.settings.base_url,
              "synthetic": conn.synthetic}
    if conn.synthetic:
        server["world"] = {k: conn.world[k] for k in ("works", "seed", "years")}
        server["note"] = "SYNTHETIC, not real data: collabnet's generated world"
    else:
        server["cache"] = str(conn.settings.cache_dir)
    return write_manifest(outdir, {
        "collabnet": __version__,
        "job": {"file": str(job.path), "sha256": job.sha256},
        "run": {"started": started, "finished": _now() if final else None},
        "openalex": server,
        "definitions": DEFINITIONS,
        "inputs": records,
        "analyses": entries,
        "outputs": outputs,
    })


# --- a dry run ---------------------------------------------------------------------------------
def _dry_run(run: JobRun, conn, notify, force: bool) -> JobRun:
    """What a run would do: each output ``would write`` or ``up to date``, and the requests
    of the outputs to be made (what the cache does not hold), none of them sent."""
    job = run.job
    previous = read_manifest(run.outdir) or {}
    before = {e.get("key"): e for e in previous.get("analyses", []) if isinstance(e, dict)}
    for a in job.analyses:
        fp = _fingerprint(a, data.identity(job.inputs[a.input], conn), conn)
        old = before.get(_key(a))
        fresh = not force and fp is not None and old and old.get("fingerprint") == fp \
            and _intact(old, run.outdir)
        run.outcomes.append(Outcome(a, "up to date" if fresh else "would write"))
    todo = [o.analysis for o in run.outcomes if o.status == "would write"]
    list_requests = group_requests = 0
    for name in dict.fromkeys(a.input for a in todo):
        inp = job.inputs[name]
        if not inp.is_query:
            notify("note", f"input {name}: {len(inp.paths)} path(s) read from disk, no request")
        elif inp.source == "works":
            plan = data.works_plan(inp.query, conn)
            missing = [url for _, url, cached in plan if not cached]
            for url in missing:
                notify("url", url)
                run.requests.append(url)
            list_requests += len(missing)
            notify("note", f"input {name}: {inp.query.describe()}: {len(missing)} of "
                   f"{len(plan)} year slice(s) to fetch, at least one list request each "
                   "(n works cost n // 200 + 1: 51 per 10 000), the rest cached")
    for a in todo:
        inp = job.inputs[a.input]
        if inp.source == "counts":
            urls = data.counts_plan(a, inp, conn.settings)
            new = [u for u in dict.fromkeys(urls) if u not in run.requests]
            for url in new:
                notify("url", url)
                run.requests.append(url)
            group_requests += len(new)
            notify("note", f"{a.label} on input {a.input}: {len(urls)} group_by request(s) "
                   f"not in the cache, {len(new)} not asked by an analysis before it")
    for o in run.outcomes:
        for f in o.analysis.files:
            notify("status", f"{o.status:<11} {run.outdir / f}")
    least = list_requests + group_requests
    notify("note", f"dry run: at least {least} request(s) would be made ({list_requests} list "
           f"page(s) of works, more for slices over 200 works; {group_requests} group_by), "
           f"about {least} credit(s) of a free key's 10,000 a day; none was made, nothing "
           "was written")
    return run
