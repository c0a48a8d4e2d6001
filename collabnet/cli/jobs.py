"""``collabnet run JOB.toml`` and ``collabnet verify OUTDIR``: batch jobs, rerun and audited.

Each is one call of :func:`collabnet.jobs.run_job` / :func:`collabnet.jobs.verify`; what is
here is only the printing: ``written`` / ``up to date`` per output and a dry run's request
URLs on standard output, notes on standard error.
"""

from __future__ import annotations

import argparse
import sys

from collabnet.cli.inputs import PROG, note, show_progress


def cmd_run(args: argparse.Namespace) -> int:
    from collabnet.jobs import run_job

    def notify(kind: str, text: str) -> None:
        if kind in ("status", "url"):
            print(text)
        elif not args.quiet or text.startswith("[openalex]"):
            note(text)  # the synthetic server is said even with -q

    run_job(args.job, output=args.output, dry_run=args.dry_run, force=args.force,
            progress=show_progress(args), notify=notify)
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from collabnet.jobs import verify

    ok, problems = verify(args.outdir)
    for line in problems:
        print(f"{PROG}: error: {line}", file=sys.stderr)
    if problems:
        return 2
    print(f"{ok} file(s) match the manifest in {args.outdir}")
    return 0


def register(sub) -> None:
    """Add ``run`` and ``verify`` to the sub-command parser ``sub``."""
    p = sub.add_parser("run", help="run a study described in a TOML job file: inputs, "
                       "analyses, outputs (reruns skip what is up to date)")
    p.add_argument("job", metavar="JOB.toml", help="the job file")
    p.add_argument("-o", "--output", metavar="DIR",
                   help="output folder (default: the job's [job] output, else "
                   "<job name>-out beside the job file)")
    p.add_argument("--dry-run", action="store_true",
                   help="print the requests that would be made and the outputs that would "
                   "be written; make no request, write nothing")
    p.add_argument("--force", action="store_true", help="make every output again")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bars or notes")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("verify", help="check a job's outputs against the checksums of its "
                       "manifest.json")
    p.add_argument("outdir", metavar="OUTDIR", help="the output folder of `collabnet run`")
    p.set_defaults(func=cmd_verify)
