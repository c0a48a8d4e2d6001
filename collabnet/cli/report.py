"""``collabnet report``: the one-page HTML report on a focus country or institution.

One call of :func:`collabnet.report` with the parsed options, from files or an OpenAlex query
(through the cache) like every analysis command; what is here is only the checks made before
any work, the notes on standard error and ``-o -`` (the page on standard output).
"""

from __future__ import annotations

import argparse
import sys

from collabnet.cli import options as opt
from collabnet.cli.inputs import load_from_args, note, query_from_args, settings_from_args


def cmd_report(args: argparse.Namespace) -> int:
    from collabnet.reports import report
    from collabnet.reports.provenance import synthetic_works
    from collabnet.reports.sections import check_report_options

    check_report_options(args.focus, args.level, top=args.top, peers=args.peers,
                         network_top=args.network_top, centrality_top=args.centrality_top,
                         min_works=args.min_works)
    tables = load_from_args(args)
    query = query_from_args(args)
    source = None
    if query is not None:
        source = (f"OpenAlex query: {query.describe()} (cache "
                  f"{settings_from_args(args).cache_dir})")
    to_stdout = args.output == "-"
    sel = opt.selection_kwargs(args)
    page = report(tables, sel.pop("focus"), args.level, **sel,
                  **opt.library_kwargs(args, "counting", "ci", "top", "peers", "network_top",
                                       "centrality_top", "min_works", "n_resamples", "seed",
                                       "synthetic", "title"),
                  data_source=source, output=None if to_stdout else args.output)
    if to_stdout:
        sys.stdout.write(page)
    if not args.quiet:
        marked = args.synthetic or synthetic_works(tables) > 0
        where = "standard output" if to_stdout else args.output
        note(f"wrote the report on {args.focus} ({len(tables):,} works, {len(page) // 1024:,} "
             f"KiB) to {where}" + ("; it is marked SYNTHETIC DATA" if marked else ""))
    return 0


def register(sub) -> None:
    """Add ``collabnet report`` to the sub-command parser ``sub``."""
    p = opt.indicator_parser(
        sub, "report", cmd_report,
        "one-page HTML report on a country or institution: profile, partners, trend, "
        "impact, centrality, network (self-contained, opens offline)",
        focus_required=True,
        focus_help="the one entity reported on, e.g. JP or I134085113",
    )
    opt.add_counting(p, help="full (Leiden Ranking rule) or fractional counting of the "
                     "profile, impact and link weights")
    p.add_argument("--top", type=int, default=15,
                   help="partners listed and drawn, and rows of the centrality table "
                   "(default 15)")
    p.add_argument("--peers", type=int, default=3,
                   help="largest partners followed beside the focus in the trend figure "
                   "(default 3)")
    p.add_argument("--network-top", type=int, default=40,
                   help="nodes drawn in the network picture (default 40)")
    p.add_argument("--centrality-top", type=int, default=500,
                   help="measure centrality on the network of the N entities with most works "
                   "and the focus (default 500)")
    opt.add_ci(p, default_on=True)
    opt.add_min_works(p)
    p.add_argument("--synthetic", action="store_true",
                   help="mark the report SYNTHETIC DATA even when no work is recognised as "
                   "synthetic (collabnet's sample always is)")
    p.add_argument("--title", help="page title (default: International collaboration: NAME)")
    p.add_argument("-o", "--output", required=True,
                   help="HTML file to write (- for standard output)")
