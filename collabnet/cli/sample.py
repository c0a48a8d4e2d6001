"""``collabnet sample`` and ``collabnet demo``: the synthetic world, offline."""

from __future__ import annotations

import argparse

from collabnet.cli import options as opt
from collabnet.cli.inputs import check_options, note, show_progress


def cmd_sample(args: argparse.Namespace) -> int:
    from collabnet.sources.sample import SYNTHETIC_NOTICE, sample

    check_options(args)
    n = sample(args.output, args.works, seed=args.seed, years=args.years,
               progress=show_progress(args))
    if not args.quiet:
        note(f"wrote {n} synthetic work records to {args.output}")
        note(SYNTHETIC_NOTICE)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from collabnet.cli.format import format_table
    from collabnet.demos import SYNTHETIC_NOTICE, demo

    check_options(args)
    result = demo(args.output, works=args.works, seed=args.seed, years=args.years)
    tables = result["tables"]
    print(f"collabnet demo — {SYNTHETIC_NOTICE}")
    print("Every file written is marked synthetic (see README.txt there).")
    print()
    print(f"{len(tables):,} works, {len(tables.affiliations):,} affiliations")
    print(format_table(result["summary"]))
    print()
    print("Countries with most works (full counting):")
    cols = ["entity", "name", "works", "international_works", "share"]
    print(format_table(result["shares"][cols], max_rows=10))
    print()
    print("Japan's international share by year:")
    print(format_table(result["trend"][["year", "works", "international_works", "share"]],
                       max_rows=None))
    print()
    g = result["graph"]
    print(f"Country network: {g.number_of_nodes()} nodes, {g.number_of_edges()} edges")
    print(f"Files written to {args.output}/ ({len(result['files'])}), and what opens them:")
    for files, what in result["opens"]:
        print(f"  {files}\n      -> {what}")
    print("  country_shares.csv, *_by_year.csv -> any spreadsheet (README.txt says more)")
    return 0


def register(sub) -> None:
    p = sub.add_parser("sample", help="write synthetic OpenAlex-shaped work records")
    p.add_argument("--works", type=int, default=20000, help="number of works (default 20000)")
    opt.add_seed(p, default=2024)
    p.add_argument("--years", default="2000-2023", help="publication years (default 2000-2023)")
    p.add_argument("-o", "--output", required=True, help="file to write (.jsonl or .jsonl.gz)")
    p.add_argument("--quiet", "-q", action="store_true")
    p.set_defaults(func=cmd_sample)

    p = sub.add_parser("demo", help="the main job on the embedded synthetic sample (no network)")
    p.add_argument("-o", "--output", default="collabnet-demo", help="output folder")
    p.add_argument("--works", type=int, default=50000, help="sample size (default 50000)")
    opt.add_seed(p, default=2024)
    p.add_argument("--years", default="2009-2017",
                   help="publication years of the sample (default 2009-2017)")
    p.set_defaults(func=cmd_demo)
