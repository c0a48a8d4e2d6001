"""The analysis commands: profile, partners, centrality, impact, trend, strength.

Each is one call of the library function of the same name (:func:`collabnet.profile`, …) with
the parsed options; what is here is only how the result is shown on screen.
"""

from __future__ import annotations

import argparse

from collabnet.cli import options as opt
from collabnet.cli.inputs import load_from_args, note, print_plan, works_or_query
from collabnet.keys import IMPACT_INDICATORS, LINK_STRENGTH_ORDERS, PROFILE_INDICATORS

RANKABLE = PROFILE_INDICATORS + IMPACT_INDICATORS


def _coordinates(args: argparse.Namespace):
    if not getattr(args, "institutions", None):
        return None
    from collabnet.sources.institutions import read_institutions

    return read_institutions(args.institutions)


_CI = ("ci", "n_resamples", "seed")


def cmd_profile(args: argparse.Namespace) -> int:
    from collabnet.analysis.profile import profile
    from collabnet.cli.format import emit, format_table, screen_view

    coords = _coordinates(args)
    tables = load_from_args(args)
    df = profile(tables, args.level, **opt.selection_kwargs(args), counting=args.counting,
                 by_year=args.by_year, institutions=coords,
                 **opt.library_kwargs(args, "near_km", "far_km", "distance_rule",
                                      "min_coverage", "min_works", *_CI))
    shares = ["international_share", "domestic_share", "single_institution_share",
              "industry_share", "multilateral_share"]
    if coords is not None:
        shares += ["near_share", "far_share", "distance_coverage"]
    notes = [f"{args.counting} counting"]
    if coords is not None and "distance_coverage" in df:
        thin = int((df["distance_coverage"] < args.min_coverage).sum())
        if thin:
            notes.append(f"near/far shares left empty for {thin} row(s) whose distance "
                         f"coverage is below {args.min_coverage:.0%}")
    if len(df) == 1 and not args.output:
        # One entity: indicators as rows are easier to read than one very wide row.
        print(format_table(_profile_card(df.iloc[0], shares, full=args.counting == "full"),
                           max_rows=None))
        if not args.quiet:
            for n in notes:
                note(n)
        return 0
    cols = ["entity", "name", "year", "works", "known_works", *shares, "low_evidence"]
    view = screen_view(df, ["entity", "name", "year", "works", "known_works",
                            "international_share"])
    view = view.join(df[[c for c in cols if c in df.columns and c not in view.columns]])
    emit(df, args, view, notes=notes)
    return 0


def _profile_card(row, shares: list[str], *, full: bool):
    """One entity's profile as rows: indicator, value and 95 % interval."""
    import pandas as pd

    rows = [("entity", f"{row['entity']} {row.get('name') or ''}".strip(), "")]
    rows.append(("works", f"{row['works']:,.0f}" if full else f"{row['works']:,.2f}", ""))
    for s in shares:
        v = row.get(s)
        ci = ""
        if f"{s}_lo" in row.index and not pd.isna(row[f"{s}_lo"]):
            ci = f"{100 * row[f'{s}_lo']:.1f}–{100 * row[f'{s}_hi']:.1f} %"
        if s == "distance_coverage":
            rows.append((s, "" if pd.isna(v) else f"{100 * v:.1f} % of collaborative works", ""))
            continue
        rows.append((s, "" if pd.isna(v) else f"{100 * v:.1f} %", ci))
    return pd.DataFrame(rows, columns=["indicator", "value", "95% interval"])


def cmd_partners(args: argparse.Namespace) -> int:
    from collabnet.analysis.partners import partners
    from collabnet.cli.format import emit

    tables = load_from_args(args)
    sel = opt.selection_kwargs(args)
    df = partners(tables, sel.pop("focus"), args.level, **sel,
                  **opt.library_kwargs(args, "partner_level", "by_year", "top"))
    cols = (["focus", "partner", "partner_name", "year", "works", "international_works",
             "international_works_share"] if args.by_year else
            ["focus", "rank", "partner", "partner_name", "works", "international_works",
             "fractional_weight", "international_works_share", "first_year", "last_year",
             "share_slope"])
    emit(df, args, df[cols])
    return 0


def cmd_centrality(args: argparse.Namespace) -> int:
    import pandas as pd

    from collabnet.analysis.centrality import centrality
    from collabnet.cli.format import emit

    tables = load_from_args(args)
    df = centrality(
        tables, args.level, **opt.selection_kwargs(args), counting=args.counting,
        min_weight=args.min_weight, top=args.top, k=args.k, seed=args.seed,
        communities_method=None if args.communities == "none" else args.communities,
        resolution=args.resolution, summary=args.summary,
    )
    if args.summary:
        values = [f"{v:,.0f}" if float(v).is_integer() else f"{v:,.3f}" if pd.notna(v) else ""
                  for v in df.iloc[0]]
        emit(df, args, pd.DataFrame({"measure": df.columns, "value": values}))
        return 0
    screen = df.drop(columns=["approximate", "type"], errors="ignore")
    emit(df, args, screen, notes=[f"{args.counting} counting; {df.attrs.get('note', '')}"])
    return 0


def cmd_impact(args: argparse.Namespace) -> int:
    from collabnet.analysis.impact import impact
    from collabnet.cli.format import emit, screen_view

    tables = load_from_args(args)
    df = impact(tables, args.level, **opt.selection_kwargs(args), counting=args.counting,
                top=args.top_percent / 100,
                **opt.library_kwargs(args, "by", "by_year", "reference", "min_works", *_CI))
    top_col = [c for c in df.columns if c.startswith("top") and c.endswith("_share")][0]
    # Every mean next to the count it rests on.
    cols = ["entity", "name", "year", "group", "works", "cited_works", "mean_citations",
            "median_citations", "fwci_works", "mean_fwci", top_col, "low_evidence"]
    emit(df, args, screen_view(df, cols),
         notes=[f"{args.counting} counting; top {args.top_percent:g} % of works of the same "
                f"{args.reference.replace('_', ' and ')} in this data set"])
    return 0


def cmd_trend(args: argparse.Namespace) -> int:
    import pandas as pd

    from collabnet.analysis.trends import trend
    from collabnet.cli.format import emit, format_table

    coords = _coordinates(args)
    tables, settings = works_or_query(args)
    t = trend(tables, args.indicator, args.level, **opt.selection_kwargs(args),
              counting=args.counting, institutions=coords, settings=settings,
              **opt.library_kwargs(args, "compare", "collaboration", "min_works", "source",
                                   *_CI))
    if args.source == "counts" and not args.quiet:
        note(f"counts source ({t.values.attrs.get('requests', '?')} request(s) to OpenAlex): "
             f"{t.values.attrs.get('definition', '')}")
    if args.summary:
        emit(t.summary, args)
        return 0
    if args.output:
        emit(t.values, args)
        return 0
    wide = t.wide().reset_index()
    wide.columns = [str(c) for c in wide.columns]
    if args.indicator.endswith("_share"):
        wide = wide.rename(columns={c: f"{c}_share" for c in wide.columns if c != "year"})
    print(f"{t.indicator} by year")
    print(format_table(wide, max_rows=args.rows))
    print()
    summary = t.summary.rename(columns={"value_from": f"from_{args.indicator}",
                                        "value_to": f"to_{args.indicator}"})
    if args.indicator.endswith("_share"):  # changes of shares in percentage points
        summary["change"] = [f"{100 * v:+.1f} pp" if pd.notna(v) else ""
                             for v in summary["change"]]
        summary["slope_per_year"] = [f"{100 * v:+.2f} pp" if pd.notna(v) else ""
                                     for v in summary["slope_per_year"]]
    print(format_table(summary, max_rows=None))
    return 0


def cmd_rank(args: argparse.Namespace) -> int:
    from collabnet.analysis.rank import rank
    from collabnet.cli.format import emit, format_table, screen_view

    tables, settings = works_or_query(args)
    df = rank(tables, args.level, **opt.selection_kwargs(args), counting=args.counting,
              **opt.library_kwargs(args, "group", "as_of", "indicator", "by_year", "ascending",
                                   "collaboration", "min_works", "source", "dry_run", *_CI),
              settings=settings)
    if args.dry_run:
        print_plan(df)
        return 0
    if args.source == "counts" and not args.quiet:
        note(f"counts source ({df.attrs.get('requests', '?')} request(s) to OpenAlex): "
             f"{df.attrs.get('definition', '')}")
    view = screen_view(df, [c for c in ("year", "rank", "entity", "name", "value", "works",
                                        "tied", "low_evidence", "missing") if c in df])
    view = view.rename(columns={"value": args.indicator})
    title = f"{args.indicator} ranked" + (f" within {df.attrs['group']}" if args.group else "")
    if args.as_of is not None:
        title += f" (members in {args.as_of})"
    if args.output or not args.by_year:
        if not args.output:
            print(title)
        emit(df, args, view)
        return 0
    for year, part in view.groupby("year", sort=True):  # one table per year
        print(f"{title}, {year}")
        print(format_table(part.drop(columns="year"), max_rows=args.rows))
        print()
    return 0


def cmd_strength(args: argparse.Namespace) -> int:
    from collabnet.analysis.strength import strength
    from collabnet.cli.format import emit

    tables = load_from_args(args)
    df = strength(tables, args.level, **opt.selection_kwargs(args),
                  **opt.library_kwargs(args, "min_weight", "top", "sort"))
    emit(df, args, df.drop(columns=["source", "target"]) if args.level != "country" else df)
    return 0


def register(sub) -> None:
    """Add the analysis commands to the sub-command parser ``sub``."""
    p = opt.indicator_parser(
        sub, "profile", cmd_profile,
        "collaboration profile: international, domestic, industry, distance shares "
        "(Leiden Ranking indicators)",
    )
    opt.add_by_year(p)
    opt.add_counting(p)
    opt.add_institutions(p, "OpenAlex institution records with geo coordinates, for the "
                         "<100 km and >5000 km shares")
    p.add_argument("--near-km", type=float, default=100.0, help="short distance (default 100)")
    p.add_argument("--far-km", type=float, default=5000.0, help="long distance (default 5000)")
    p.add_argument("--distance-rule", default="complete", choices=["complete", "leiden"],
                   help="distance known only when all institutions have coordinates "
                   "(complete, default) or as CWTS does (leiden)")
    p.add_argument("--min-coverage", type=float, default=0.8,
                   help="least share of collaborative works with a known distance for the "
                   "distance shares to be shown (default 0.8)")
    opt.add_ci(p, default_on=False)
    opt.add_min_works(p)
    opt.add_table_output(p)

    p = opt.indicator_parser(
        sub, "partners", cmd_partners,
        "partners of a focus country or institution, ranked, with trends",
        focus_required=True,
        focus_help="focus entity, e.g. JP or I134085113",
    )
    p.add_argument("--partner-level", choices=["country", "institution", "author"],
                   help="level of the partners (default: --level)")
    opt.add_by_year(p, help="one row per partner and year")
    p.add_argument("--top", type=int, help="keep the N highest-ranked partners")
    opt.add_table_output(p)

    p = opt.indicator_parser(
        sub, "centrality", cmd_centrality,
        "degree, strength, betweenness, closeness, eigenvector, PageRank, k-core and "
        "communities of each node",
        focus_help="report only these nodes (measured on the whole network)",
    )
    opt.add_counting(p, help="link weights")
    opt.add_network_shape(p)
    p.add_argument("--k", type=int, help="estimate betweenness/closeness from K sampled "
                   "sources (default: exact up to 2000 nodes, else 500)")
    p.add_argument("--communities", default="louvain", choices=["louvain", "leiden", "none"],
                   help="community detection (default louvain; leiden needs leidenalg)")
    p.add_argument("--resolution", type=float, default=1.0, help="modularity resolution")
    opt.add_seed(p)
    p.add_argument("--summary", action="store_true",
                   help="network summary (density, components, clustering, assortativity)")
    opt.add_table_output(p)

    p = opt.indicator_parser(
        sub, "impact", cmd_impact,
        "citations by collaboration type, with stability intervals",
        level_extra=("all",), level_help="entities (default: country; all = the whole data set)",
    )
    p.add_argument("--by", default="collaboration", choices=["collaboration", "n_countries"],
                   help="split works by collaboration type or number of countries")
    opt.add_by_year(p, help="one set of rows per year")
    opt.add_counting(p)
    p.add_argument("--top-percent", type=float, default=10.0,
                   help="PP(top x %%) threshold in percent (default 10)")
    p.add_argument("--reference", default="year", choices=["year", "year_type"],
                   help="reference set of the top-x %% threshold (default: same year)")
    opt.add_ci(p, default_on=True)
    opt.add_min_works(p)
    opt.add_table_output(p)

    p = opt.indicator_parser(
        sub, "trend", cmd_trend,
        "an indicator by year for several entities, with change and slope",
        focus_help="entities to compare, e.g. JP,DE,GB,KR (default: top 10)",
    )
    opt.add_indicator(p)
    p.add_argument("--compare", help="the two years of the change column, e.g. 2010-2020")
    opt.add_counting(p)
    p.add_argument("--collaboration", default="all",
                   choices=["all", "international", "domestic", "single_institution"],
                   help="for citation indicators: which works (default all)")
    opt.add_institutions(p, "institution records with coordinates (for near_share/far_share)")
    p.add_argument("--summary", action="store_true",
                   help="output the change/slope summary instead of the yearly values")
    opt.add_source(p, both=False, dry_run=False)
    opt.add_ci(p, default_on=False)
    opt.add_min_works(p)
    opt.add_table_output(p)

    p = opt.indicator_parser(
        sub, "rank", cmd_rank,
        "rank countries (or institutions) by an indicator within a group, e.g. OECD",
        focus_help="entities to rank (with --group: ranked together with its members)",
    )
    p.add_argument("--group", help="rank the members of this country group: OECD, EU, "
                   "EU27, EU28, G7, G20, a UN region ('Eastern Asia') or a continent")
    p.add_argument("--as-of", type=int, metavar="YEAR",
                   help="membership of --group in this year (e.g. 2009: 30 OECD members)")
    p.add_argument("--indicator", default="international_share", choices=RANKABLE,
                   metavar="NAME", help="indicator to rank by (default international_share): "
                   + ", ".join(RANKABLE))
    opt.add_by_year(p, help="one ranking per year")
    p.add_argument("--ascending", action="store_true", help="rank the smallest value first")
    p.add_argument("--collaboration", default="all",
                   choices=["all", "international", "domestic", "single_institution"],
                   help="for citation indicators: which works (default all)")
    opt.add_counting(p)
    opt.add_ci(p, default_on=False)
    opt.add_min_works(p)
    opt.add_source(p, both=False)
    opt.add_table_output(p)

    p = opt.indicator_parser(
        sub, "strength", cmd_strength,
        "normalised link strength of every link: association strength, cosine, Jaccard, "
        "fractional weight",
        focus_help="only links with one of these entities at one end",
    )
    p.add_argument("--min-weight", type=float, help="drop links with a lower fractional weight")
    p.add_argument("--top", type=int, help="keep only the N entities with most works")
    p.add_argument("--sort", default="works", choices=LINK_STRENGTH_ORDERS,
                   help="order of the rows (default works)")
    opt.add_table_output(p)
