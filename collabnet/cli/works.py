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
    from collabnet.analysis.graph import network
    from collabnet.export.network_files import NETWORK_FORMATS, format_for, write_network

    tables = load_from_args(args)
    g = network(tables, args.level, **opt.selection_kwargs(args), counting=args.counting,
                min_weight=args.min_weight, top=args.top, with_=args.with_,
                layout=args.layout, dynamic=args.dynamic, seed=args.seed)
    written = write_network(g, args.output, args.format)
    if not args.quiet:
        name = format_for(args.output, args.format)
        note(f"wrote {args.level} network ({args.counting} counting): "
             f"{g.number_of_nodes()} nodes, {g.number_of_edges()} edges to "
             + ", ".join(str(p) for p in written))
        note(f"open it with {NETWORK_FORMATS[name][2]}")
        if "layout" in g.graph and g.graph["layout"].startswith("none"):
            note(f"layout: {g.graph['layout']}")
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
        "co-authorship network for Gephi, Gephi Lite, VOSviewer (format by suffix)",
        focus_help="only these entities and their partners (an ego network), e.g. JP",
    )
    opt.add_counting(p, help="edge weight counting")
    opt.add_network_shape(p, weight="edges")
    p.add_argument("-o", "--output", required=True,
                   help="file to write, its format by suffix: .graphml, .gexf, .json, .csv "
                   "(nodes and edges files), .net (Pajek), .vos (VOSviewer map and network "
                   "files), .parquet")
    p.add_argument("--format", choices=["graphml", "gexf", "json", "vosviewer-json", "csv",
                                        "pajek", "vos", "parquet"],
                   help="write this format whatever the suffix (vosviewer-json: VOSviewer "
                   "Online's JSON)")
    p.add_argument("--with", dest="with_", metavar="ANALYSES",
                   help="put analyses on the nodes and edges: centrality, communities, "
                   "strength, shares (comma-separated)")
    p.add_argument("--layout", default="auto",
                   choices=["auto", "forceatlas2", "spring", "none"],
                   help="node positions, sizes and colours (default auto: ForceAtlas2 up to "
                   "1000 nodes)")
    p.add_argument("--dynamic", action="store_true",
                   help="per-year values on nodes and edges (GEXF: Gephi's timeline)")
    opt.add_seed(p)
