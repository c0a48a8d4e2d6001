"""``collabnet shares`` and ``collabnet network``: the two commands every study starts with."""

from __future__ import annotations

import argparse

from collabnet.cli import options as opt
from collabnet.cli.inputs import load_from_args, note, print_plan, works_or_query


def cmd_shares(args: argparse.Namespace) -> int:
    from collabnet.analysis.shares import shares
    from collabnet.cli.format import emit

    source, settings = works_or_query(args)
    df = shares(source, args.level, **opt.selection_kwargs(args), by_year=args.by_year,
                counts=args.counts, min_works=args.min_works, source=args.source,
                settings=settings, dry_run=args.dry_run, compare=args.compare,
                as_of=args.as_of)
    if args.dry_run:
        print_plan(df)
        return 0
    notes = []
    if args.source != "works":
        notes.append(f"{args.source} source: {df.attrs.get('definition', '')}".strip())
        if "requests" in df.attrs:
            notes.append(f"{df.attrs['requests']} request(s) to OpenAlex")
    emit(df, args, notes=notes)
    return 0


def cmd_network(args: argparse.Namespace) -> int:
    from collabnet.export.graphml import write_graphml
    from collabnet.networks import network

    tables = load_from_args(args)
    g = network(tables, args.level, **opt.selection_kwargs(args), counting=args.counting,
                min_weight=args.min_weight, top=args.top)
    write_graphml(g, args.output)
    if not args.quiet:
        note(
            f"wrote {args.level} network ({args.counting} counting): "
            f"{g.number_of_nodes()} nodes, {g.number_of_edges()} edges to {args.output}"
        )
    return 0


def register(sub) -> None:
    p = opt.indicator_parser(
        sub, "shares", cmd_shares,
        "international-collaboration share per country/institution",
    )
    opt.add_by_year(p)
    p.add_argument("--counts", action="store_true",
                   help="add domestic, single-institution and unknown counts to the output")
    p.add_argument("--compare", metavar="ITEMS",
                   help="countries and groups side by side, each group as one aggregate "
                   "entity, e.g. JP,OECD")
    p.add_argument("--as-of", type=int, metavar="YEAR",
                   help="with --compare: group membership in this year (e.g. 2009)")
    opt.add_min_works(p)
    opt.add_source(p)
    opt.add_table_output(p)

    p = opt.indicator_parser(
        sub, "network", cmd_network,
        "co-authorship network as GraphML for Gephi",
        focus_help="only these entities and their partners (an ego network), e.g. JP",
    )
    opt.add_counting(p, help="edge weight counting")
    opt.add_network_shape(p, weight="edges")
    p.add_argument("-o", "--output", required=True, help="GraphML file to write")
