"""The ``collabnet`` command line: a thin shell over the library.

Each command parses its options, calls one library function of the same purpose, and prints
or writes what it returns. Errors that a user can fix (a missing file, a bad option value, a
malformed record) are printed as one line on standard error with exit status 2; nothing here
computes anything the library does not.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from collabnet.errors import CollabnetError, InputError

PROG = "collabnet"


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (what is wrong) and exit status 2."""

    def error(self, message: str):  # noqa: D401 - argparse API
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


# ---------------------------------------------------------------------------------------------
# shared options and helpers


def _add_input_options(p: argparse.ArgumentParser) -> None:
    """Options every command that reads works shares: inputs, years, bad-record handling."""
    p.add_argument(
        "inputs",
        nargs="*",
        metavar="INPUT",
        help="work records: .jsonl/.jsonl.gz, snapshot part_NNN.gz, .json arrays, saved API "
        "pages, or folders of them",
    )
    p.add_argument("--years", help="only works published in this range, e.g. 2009-2017")
    p.add_argument(
        "--skip-bad",
        action="store_true",
        help="skip malformed records with a warning and a count, instead of stopping",
    )
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bars or notes")
    p.add_argument(
        "--collaboration-rule",
        default="countries",
        choices=["countries", "leiden"],
        help="international = two or more countries (default), or also two or more "
        "institutions (CWTS Leiden Ranking)",
    )
    _add_query_options(p, years=False)


def _check_filters(args: argparse.Namespace) -> None:
    """Fail on a bad --years range or --focus code before anything is read or fetched."""
    from collabnet.analysis.shares import normalise_focus, parse_years

    parse_years(getattr(args, "years", None))
    level, focus = getattr(args, "level", None), getattr(args, "focus", None)
    if focus and level in ("country", "institution", "author"):
        normalise_focus(level, focus)


def _load_tables(args: argparse.Namespace):
    """Read the works named by the input options into WorkTables (notes go to stderr)."""
    _check_filters(args)
    tables = _read_input(args)
    if getattr(args, "collaboration_rule", "countries") != "countries":
        tables = tables.with_collaboration_rule(args.collaboration_rule)
    return tables


def _read_input(args: argparse.Namespace):
    from collabnet.tables import read_tables

    query = _query_from_args(args)
    if query is not None:
        if args.inputs:
            raise InputError("give input files or --country/--institution, not both")
        return _tables_from_query(args, query)
    if not args.inputs:
        raise InputError("no input: give files or folders of work records")
    progress = not args.quiet and sys.stderr.isatty()
    tables, report = read_tables(args.inputs, skip_bad=args.skip_bad, progress=progress)
    warning = report.warning()
    if warning:
        _note(f"warning: {warning}")
    if not args.quiet:
        _note(
            f"read {report.records} records from {len(report.files)} file(s): "
            f"{report.works} works after removing {report.duplicates} duplicate(s)"
        )
    return tables


def _note(text: str) -> None:
    print(f"{PROG}: {text}", file=sys.stderr)


def _add_query_options(p: argparse.ArgumentParser, *, years: bool = True) -> None:
    """Options that select works from OpenAlex (via the cache) and say how to reach it."""
    g = p.add_argument_group("works from OpenAlex (cached; fetched when missing)")
    g.add_argument("--country", action="append", metavar="CC",
                   help="works with an institution in this country (ISO code, e.g. JP; "
                   "repeat or comma-separate for several)")
    g.add_argument("--institution", action="append", metavar="ID",
                   help="works with this institution (OpenAlex id I74801974 or ROR id; "
                   "repeatable)")
    if years:
        g.add_argument("--years", help="publication years, e.g. 2009-2017 (one slice per year)")
    g.add_argument("--type", action="append", metavar="TYPE", dest="work_type",
                   help="work type, e.g. article (repeatable; default: all)")
    g.add_argument("--include-paratext", action="store_true",
                   help="keep paratext (front matter, tables of contents); excluded by default")
    g.add_argument("--exclude-retracted", action="store_true", help="drop retracted works")
    g.add_argument("--base-url", help="OpenAlex API address (env COLLABNET_OPENALEX_URL; "
                   "default https://api.openalex.org)")
    g.add_argument("--api-key", help="OpenAlex API key (better: env OPENALEX_API_KEY, which "
                   "stays out of your shell history)")
    g.add_argument("--cache", metavar="DIR", help="cache folder (env COLLABNET_CACHE; "
                   "default ./cache)")


def _split_values(values) -> list[str]:
    return [v.strip() for item in values or () for v in item.split(",") if v.strip()]


def _query_from_args(args: argparse.Namespace):
    """The WorkQuery the options describe, or None when no country or institution is given."""
    from collabnet.query import WorkQuery

    countries = _split_values(getattr(args, "country", None))
    institutions = _split_values(getattr(args, "institution", None))
    if not countries and not institutions:
        if getattr(args, "work_type", None):
            raise InputError("--type selects works from OpenAlex: give --country or "
                             "--institution too")
        return None
    return WorkQuery(
        countries=countries,
        institutions=institutions,
        years=args.years,
        types=_split_values(args.work_type),
        exclude_paratext=not args.include_paratext,
        exclude_retracted=args.exclude_retracted,
    )


def _settings_from_args(args: argparse.Namespace):
    from collabnet.config import get_settings

    return get_settings(
        api_key=getattr(args, "api_key", None),
        base_url=getattr(args, "base_url", None),
        cache_dir=getattr(args, "cache", None),
    )


def _tables_from_query(args: argparse.Namespace, query):
    """WorkTables for a query: from the cache, fetching the slices that are missing."""
    from collabnet.sources.openalex import fetch, is_cached, iter_cached_works
    from collabnet.tables import build_tables

    settings = _settings_from_args(args)
    if not is_cached(query, settings.cache_dir, base_url=settings.base_url):
        report = fetch(query, settings=settings, progress=not args.quiet)
        if not args.quiet:
            for line in report.summary().splitlines():
                _note(line.strip())
    tables = build_tables(
        iter_cached_works(query, settings.cache_dir, base_url=settings.base_url)
    )
    if not args.quiet:
        _note(f"{len(tables)} works for {query.describe()} from the cache {settings.cache_dir}")
    return tables


def _add_merge_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--merge-hk-mo", action="store_true",
                   help="count Hong Kong and Macao as China (Leiden Ranking rule)")


def _level_choice(p: argparse.ArgumentParser, default: str = "country") -> None:
    p.add_argument(
        "--level",
        default=default,
        choices=["country", "institution", "author"],
        help=f"entities to count (default: {default})",
    )


def format_table(df: pd.DataFrame, *, max_rows: int | None = 40) -> str:
    """A readable text table: shares as percentages, counts with thousands separators."""
    if df.empty:
        return "(no rows)"
    shown = df.head(max_rows) if max_rows else df
    fmt = {}
    for col in shown.columns:
        if col == "share" or col.endswith("_share") or col.startswith("pp_"):
            fmt[col] = lambda v: "" if pd.isna(v) else f"{100 * v:5.1f} %"
        elif pd.api.types.is_float_dtype(shown[col]):
            fmt[col] = lambda v: "" if pd.isna(v) else f"{v:,.3f}"
        elif pd.api.types.is_integer_dtype(shown[col]) and not col.endswith("year"):
            fmt[col] = lambda v: "" if pd.isna(v) else f"{v:,}"
    text = shown.to_string(index=False, formatters=fmt, na_rep="")
    if max_rows and len(df) > max_rows:
        text += f"\n… {len(df) - max_rows} more rows (use -o FILE.csv for all)"
    return text


def _write_csv(df: pd.DataFrame, path: str) -> None:
    try:
        df.to_csv(path, index=False)
    except OSError as exc:
        raise InputError(f"{path}: cannot write CSV ({exc.strerror or exc})") from None


# ---------------------------------------------------------------------------------------------
# commands


def cmd_shares(args: argparse.Namespace) -> int:
    from collabnet.analysis.shares import (
        SHARE_COLUMNS,
        international_shares,
    )

    tables = _load_tables(args)
    df = international_shares(
        tables, args.level, by_year=args.by_year, years=args.years, focus=args.focus
    )
    if not args.counts:
        df = df[[c for c in SHARE_COLUMNS[:6] if c in df.columns]]
    if args.output:
        _write_csv(df, args.output)
        if not args.quiet:
            _note(f"wrote {len(df)} rows to {args.output}")
    else:
        print(format_table(df, max_rows=args.rows))
    return 0


def cmd_network(args: argparse.Namespace) -> int:
    from collabnet.export.graphml import write_graphml
    from collabnet.network import coauthorship_network

    tables = _load_tables(args)
    g = coauthorship_network(
        tables,
        args.level,
        counting=args.counting,
        years=args.years,
        min_weight=args.min_weight,
        top=args.top,
    )
    write_graphml(g, args.output)
    if not args.quiet:
        _note(
            f"wrote {args.level} network ({args.counting} counting): "
            f"{g.number_of_nodes()} nodes, {g.number_of_edges()} edges to {args.output}"
        )
    return 0


def cmd_sample(args: argparse.Namespace) -> int:
    from collabnet.analysis.shares import parse_years
    from collabnet.sources.sample import SYNTHETIC_NOTICE, write_sample

    span = parse_years(args.years) or (None, None)
    if None in span:
        raise InputError(f"invalid year range {args.years!r}: give both ends, e.g. 2000-2023")
    if args.works < 1:
        raise InputError(f"invalid --works {args.works}: must be at least 1")
    n = write_sample(args.output, args.works, seed=args.seed, years=span)
    if not args.quiet:
        _note(f"wrote {n} synthetic work records to {args.output}")
        _note(SYNTHETIC_NOTICE)
    return 0


def run_demo(
    out_dir: str | os.PathLike, *, works: int = 20000, seed: int = 2024, focus: str = "JP"
) -> dict:
    """The main job on the embedded synthetic sample: shares CSV, GraphML and a summary.

    Returns a dict with the paths written and the figures the summary prints.
    """
    from collabnet.analysis.shares import collaboration_summary, international_shares
    from collabnet.export.graphml import write_graphml
    from collabnet.network import coauthorship_network
    from collabnet.sources.sample import generate_works
    from collabnet.tables import build_tables

    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{out}: cannot create output folder ({exc.strerror or exc})") from None
    tables = build_tables(generate_works(works, seed=seed))
    shares = international_shares(tables, "country")
    shares_path = out / "country_shares.csv"
    _write_csv(shares[["entity", "name", "works", "international_works", "share"]], shares_path)
    trend = international_shares(tables, "country", by_year=True, focus=focus)
    trend_path = out / f"{focus.lower()}_shares_by_year.csv"
    _write_csv(trend[["entity", "name", "year", "works", "international_works", "share"]],
               trend_path)
    g = coauthorship_network(tables, "country", counting="fractional")
    graph_path = out / "country_network.graphml"
    write_graphml(g, graph_path)
    gi = coauthorship_network(tables, "institution", counting="full", top=500)
    inst_path = out / "institution_network_top500.graphml"
    write_graphml(gi, inst_path)
    return {
        "tables": tables,
        "summary": collaboration_summary(tables),
        "shares": shares,
        "trend": trend,
        "files": [shares_path, trend_path, graph_path, inst_path],
        "graph": g,
    }


def cmd_demo(args: argparse.Namespace) -> int:
    from collabnet.sources.sample import SYNTHETIC_NOTICE

    result = run_demo(args.output, works=args.works, seed=args.seed)
    tables = result["tables"]
    print(f"collabnet demo — {SYNTHETIC_NOTICE}")
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
    print("Files written:")
    for f in result["files"]:
        print(f"  {f}")
    return 0


def cmd_fetch(args: argparse.Namespace) -> int:
    from collabnet.sources.openalex import fetch

    query = _query_from_args(args)
    if query is None:
        raise InputError("say which works to fetch: --country CC and/or --institution ID")
    settings = _settings_from_args(args)
    try:
        report = fetch(query, settings=settings, progress=not args.quiet, refresh=args.refresh)
    except KeyboardInterrupt:
        _note("interrupted; pages fetched so far are saved: rerun the same command to resume")
        return 130
    print(report.summary())
    return 0


def cmd_cache(args: argparse.Namespace) -> int:
    from collabnet.cache import Cache

    cache = Cache(_settings_from_args(args).cache_dir)
    if args.action == "list":
        rows = cache.summary()
        if not rows:
            print(f"cache {cache.root} is empty")
            return 0
        df = pd.DataFrame(rows).drop(columns="complete")
        print(f"cache {cache.root}:")
        print(format_table(df, max_rows=None))
        return 0
    if args.keys:
        for key in args.keys:
            removed = cache.remove_query(key)
            print(f"removed query {key} ({len(removed)} slice(s) no other query uses)")
    else:
        n = cache.clear()
        print(f"removed every cached query from {cache.root} ({n} slice(s))")
    return 0


# --- analysis commands (profile, partners, centrality, impact, trend, strength) -------------


def _screen_view(df: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    """The columns to show on screen; ``x_lo``/``x_hi`` pairs become one ``x 95% CI`` column."""
    view = df[[c for c in cols if c in df.columns]].copy()
    for c in cols:
        if f"{c}_lo" in df.columns and c in view.columns:
            lo, hi = df[f"{c}_lo"], df[f"{c}_hi"]
            pct = c.endswith("_share")
            view[f"{c} CI"] = [
                "" if pd.isna(a) or pd.isna(b)
                else (f"{100 * a:.1f}–{100 * b:.1f} %" if pct else f"{a:,.2f}–{b:,.2f}")
                for a, b in zip(lo, hi, strict=True)
            ]
    return view


def _emit(df: pd.DataFrame, args: argparse.Namespace, screen: pd.DataFrame | None = None,
          notes: Sequence[str] = ()) -> None:
    """Write ``df`` as CSV to ``-o`` or print ``screen`` (default ``df``) as a table."""
    if args.output:
        _write_csv(df, args.output)
        if not args.quiet:
            _note(f"wrote {len(df)} rows to {args.output}")
    else:
        print(format_table(df if screen is None else screen, max_rows=args.rows))
    if not args.quiet:
        for n in notes:
            _note(n)


def _add_analysis_output(p: argparse.ArgumentParser) -> None:
    p.add_argument("-o", "--output", help="write CSV here instead of printing a table")
    p.add_argument("--rows", type=int, default=40, help="rows to print on screen (default 40)")


def _add_ci_options(p: argparse.ArgumentParser, *, default_on: bool) -> None:
    if default_on:
        p.add_argument("--no-ci", dest="ci", action="store_false",
                       help="skip the bootstrap stability intervals (faster)")
    else:
        p.add_argument("--ci", action="store_true",
                       help="add bootstrap stability intervals (1000 resamples, 95 %%)")
    p.add_argument("--resamples", type=int, default=1000,
                   help="bootstrap resamples (default 1000, as the Leiden Ranking)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")


def _institution_coordinates(args: argparse.Namespace):
    if not getattr(args, "institutions", None):
        return None
    from collabnet.geo import read_institutions

    return read_institutions(args.institutions)


def cmd_profile(args: argparse.Namespace) -> int:
    from collabnet.analysis.profile import collaboration_profile

    coords = _institution_coordinates(args)
    tables = _load_tables(args)
    df = collaboration_profile(
        tables, args.level, by_year=args.by_year, years=args.years, focus=args.focus,
        counting=args.counting, institutions=coords, near_km=args.near_km,
        far_km=args.far_km, distance_rule=args.distance_rule, merge_hk_mo=args.merge_hk_mo,
        ci=args.ci, n_resamples=args.resamples, seed=args.seed,
    )
    shares = ["international_share", "domestic_share", "single_institution_share",
              "industry_share", "multilateral_share"]
    if coords is not None:
        shares += ["near_share", "far_share", "distance_coverage"]
    notes = [f"{args.counting} counting"]
    if len(df) == 1 and not args.output:
        # One entity: indicators as rows are easier to read than one very wide row.
        card = _profile_card(df.iloc[0], shares, full=args.counting == "full")
        print(format_table(card, max_rows=None))
        if not args.quiet:
            _note(notes[0])
        return 0
    cols = ["entity", "name", "year", "works", *shares]
    view = _screen_view(df, ["entity", "name", "year", "works", "international_share"])
    view = view.join(df[[c for c in cols if c in df.columns and c not in view.columns]])
    _emit(df, args, view, notes=notes)
    return 0


def _profile_card(row: pd.Series, shares: list[str], *, full: bool) -> pd.DataFrame:
    """One entity's profile as rows: indicator, value and 95 % interval."""
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

    tables = _load_tables(args)
    df = partners(tables, args.focus, args.level, partner_level=args.partner_level,
                  by_year=args.by_year, years=args.years, top=args.top,
                  merge_hk_mo=args.merge_hk_mo)
    cols = (["focus", "partner", "partner_name", "year", "works", "international_works",
             "international_works_share"] if args.by_year else
            ["focus", "rank", "partner", "partner_name", "works", "international_works",
             "fractional_weight", "international_works_share", "first_year", "last_year",
             "share_slope"])
    _emit(df, args, df[cols])
    return 0


def cmd_centrality(args: argparse.Namespace) -> int:
    from collabnet.analysis.centrality import centrality, network_summary

    tables = _load_tables(args)
    method = None if args.communities == "none" else args.communities
    net = dict(counting=args.counting, years=args.years, min_weight=args.min_weight,
               top=args.top)
    if args.summary:
        df = network_summary(tables, args.level, communities_method=method,
                             resolution=args.resolution, seed=args.seed, **net)
        values = [f"{v:,.0f}" if float(v).is_integer() else f"{v:,.3f}" if pd.notna(v) else ""
                  for v in df.iloc[0]]
        _emit(df, args, pd.DataFrame({"measure": df.columns, "value": values}))
        return 0
    df = centrality(tables, args.level, k=args.k, seed=args.seed, communities_method=method,
                    resolution=args.resolution, **net)
    screen = df.drop(columns=["approximate", "type"], errors="ignore")
    _emit(df, args, screen, notes=[f"{args.counting} counting; {df.attrs.get('note', '')}"])
    return 0


def cmd_impact(args: argparse.Namespace) -> int:
    from collabnet.analysis.impact import impact_by_collaboration

    tables = _load_tables(args)
    df = impact_by_collaboration(
        tables, args.level, by=args.by, by_year=args.by_year, years=args.years,
        focus=args.focus, counting=args.counting, top=args.top_percent / 100,
        reference=args.reference, merge_hk_mo=args.merge_hk_mo, ci=args.ci,
        n_resamples=args.resamples, seed=args.seed,
    )
    top_col = [c for c in df.columns if c.startswith("top") and c.endswith("_share")][0]
    cols = ["entity", "name", "year", "group", "works", "mean_citations", "median_citations",
            "mean_fwci", top_col]
    _emit(df, args, _screen_view(df, cols),
          notes=[f"{args.counting} counting; top {args.top_percent:g} % of works of the same "
                 f"{args.reference.replace('_', ' and ')} in this data set"])
    return 0


def cmd_trend(args: argparse.Namespace) -> int:
    from collabnet.analysis.trends import indicator_trend

    coords = _institution_coordinates(args)
    tables = _load_tables(args)
    t = indicator_trend(
        tables, args.indicator, args.level, focus=args.focus, years=args.years,
        compare=args.compare, counting=args.counting, collaboration=args.collaboration,
        institutions=coords, merge_hk_mo=args.merge_hk_mo, ci=args.ci,
        n_resamples=args.resamples, seed=args.seed,
    )
    if args.summary:
        _emit(t.summary, args)
        return 0
    if args.output:
        _emit(t.values, args)
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


def cmd_strength(args: argparse.Namespace) -> int:
    from collabnet.analysis.strength import link_strength

    tables = _load_tables(args)
    df = link_strength(tables, args.level, years=args.years, min_weight=args.min_weight,
                       top=args.top)
    if args.sort != "works":
        df = df.sort_values([args.sort, "source", "target"], ascending=[False, True, True],
                            ignore_index=True)
    _emit(df, args, df.drop(columns=["source", "target"]) if args.level != "country" else df)
    return 0


def _add_analysis_parsers(sub) -> None:
    """The analysis commands: profile, partners, centrality, impact, trend, strength."""
    from collabnet.analysis.trends import INDICATORS

    p = sub.add_parser("profile", help="collaboration profile: international, domestic, "
                       "industry, distance shares (Leiden Ranking indicators)")
    _add_input_options(p)
    _level_choice(p)
    p.add_argument("--by-year", action="store_true", help="one row per entity and year")
    p.add_argument("--focus", help="only these entities, e.g. JP or JP,DE or I134085113")
    p.add_argument("--counting", default="full", choices=["full", "fractional"],
                   help="full (Leiden Ranking rule, default) or fractional counting")
    p.add_argument("--institutions", metavar="PATH",
                   help="OpenAlex institution records with geo coordinates, for the "
                   "<100 km and >5000 km shares")
    p.add_argument("--near-km", type=float, default=100.0, help="short distance (default 100)")
    p.add_argument("--far-km", type=float, default=5000.0, help="long distance (default 5000)")
    p.add_argument("--distance-rule", default="complete", choices=["complete", "leiden"],
                   help="distance known only when all institutions have coordinates "
                   "(complete, default) or as CWTS does (leiden)")
    _add_merge_option(p)
    _add_ci_options(p, default_on=False)
    _add_analysis_output(p)
    p.set_defaults(func=cmd_profile)

    p = sub.add_parser("partners", help="partners of a focus country or institution, ranked, "
                       "with trends")
    _add_input_options(p)
    _level_choice(p)
    p.add_argument("--focus", required=True, help="focus entity, e.g. JP or I134085113")
    p.add_argument("--partner-level", choices=["country", "institution", "author"],
                   help="level of the partners (default: --level)")
    p.add_argument("--by-year", action="store_true", help="one row per partner and year")
    p.add_argument("--top", type=int, help="keep the N highest-ranked partners")
    _add_merge_option(p)
    _add_analysis_output(p)
    p.set_defaults(func=cmd_partners)

    p = sub.add_parser("centrality", help="degree, strength, betweenness, closeness, "
                       "eigenvector, PageRank, k-core and communities of each node")
    _add_input_options(p)
    _level_choice(p)
    p.add_argument("--counting", default="full", choices=["full", "fractional"],
                   help="link weights (default: full)")
    p.add_argument("--min-weight", type=float, help="drop links lighter than this")
    p.add_argument("--top", type=int, help="keep only the N entities with most works")
    p.add_argument("--k", type=int, help="estimate betweenness/closeness from K sampled "
                   "sources (default: exact up to 2000 nodes, else 500)")
    p.add_argument("--communities", default="louvain", choices=["louvain", "leiden", "none"],
                   help="community detection (default louvain; leiden needs leidenalg)")
    p.add_argument("--resolution", type=float, default=1.0, help="modularity resolution")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--summary", action="store_true",
                   help="network summary (density, components, clustering, assortativity)")
    _add_analysis_output(p)
    p.set_defaults(func=cmd_centrality)

    p = sub.add_parser("impact", help="citations by collaboration type, with stability "
                       "intervals")
    _add_input_options(p)
    p.add_argument("--level", default="country",
                   choices=["country", "institution", "author", "all"],
                   help="entities (default: country; all = the whole data set)")
    p.add_argument("--by", default="collaboration", choices=["collaboration", "n_countries"],
                   help="split works by collaboration type or number of countries")
    p.add_argument("--by-year", action="store_true", help="one set of rows per year")
    p.add_argument("--focus", help="only these entities, e.g. JP or I134085113")
    p.add_argument("--counting", default="full", choices=["full", "fractional"])
    p.add_argument("--top-percent", type=float, default=10.0,
                   help="PP(top x %%) threshold in percent (default 10)")
    p.add_argument("--reference", default="year", choices=["year", "year_type"],
                   help="reference set of the top-x %% threshold (default: same year)")
    _add_merge_option(p)
    _add_ci_options(p, default_on=True)
    _add_analysis_output(p)
    p.set_defaults(func=cmd_impact)

    p = sub.add_parser("trend", help="an indicator by year for several entities, with "
                       "change and slope")
    _add_input_options(p)
    _level_choice(p)
    p.add_argument("--focus", help="entities to compare, e.g. JP,DE,GB,KR (default: top 10)")
    p.add_argument("--indicator", default="international_share", choices=INDICATORS,
                   metavar="NAME", help="indicator to follow (default international_share): "
                   + ", ".join(INDICATORS))
    p.add_argument("--compare", help="the two years of the change column, e.g. 2010-2020")
    p.add_argument("--counting", default="full", choices=["full", "fractional"])
    p.add_argument("--collaboration", default="all",
                   choices=["all", "international", "domestic", "single_institution"],
                   help="for citation indicators: which works (default all)")
    p.add_argument("--institutions", metavar="PATH",
                   help="institution records with coordinates (for near_share/far_share)")
    _add_merge_option(p)
    p.add_argument("--summary", action="store_true",
                   help="output the change/slope summary instead of the yearly values")
    _add_ci_options(p, default_on=False)
    _add_analysis_output(p)
    p.set_defaults(func=cmd_trend)

    p = sub.add_parser("strength", help="normalised link strength of every link: association "
                       "strength, cosine, Jaccard, fractional weight")
    _add_input_options(p)
    _level_choice(p)
    p.add_argument("--min-weight", type=float, help="drop links with a lower fractional weight")
    p.add_argument("--top", type=int, help="keep only the N entities with most works")
    p.add_argument("--sort", default="works",
                   choices=["works", "fractional_weight", "association_strength", "cosine",
                            "jaccard", "inclusion"], help="order of the rows (default works)")
    _add_analysis_output(p)
    p.set_defaults(func=cmd_strength)



# ---------------------------------------------------------------------------------------------
# parser


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="International research collaboration from OpenAlex data.",
    )
    from collabnet import __version__

    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    p = sub.add_parser("shares", help="international-collaboration share per country/institution")
    _add_input_options(p)
    _level_choice(p)
    p.add_argument("--by-year", action="store_true", help="one row per entity and year")
    p.add_argument("--focus", help="only these entities, e.g. JP or JP,DE or I74801974")
    p.add_argument("--counts", action="store_true",
                   help="add domestic, single-institution and unknown counts to the output")
    p.add_argument("-o", "--output", help="write CSV here instead of printing a table")
    p.add_argument("--rows", type=int, default=40, help="rows to print on screen (default 40)")
    p.set_defaults(func=cmd_shares)

    p = sub.add_parser("network", help="co-authorship network as GraphML for Gephi")
    _add_input_options(p)
    _level_choice(p)
    p.add_argument("--counting", default="full", choices=["full", "fractional"],
                   help="edge weight counting (default: full)")
    p.add_argument("--min-weight", type=float, help="drop edges lighter than this")
    p.add_argument("--top", type=int, help="keep only the N entities with most works")
    p.add_argument("-o", "--output", required=True, help="GraphML file to write")
    p.set_defaults(func=cmd_network)

    p = sub.add_parser("fetch", help="fetch works from OpenAlex into the cache (resumable)")
    _add_query_options(p)
    p.add_argument("--refresh", action="store_true",
                   help="fetch again even what the cache already holds")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_fetch)

    p = sub.add_parser("cache", help="list or clear the cache of fetched OpenAlex pages")
    p.add_argument("action", choices=["list", "clear"])
    p.add_argument("keys", nargs="*", metavar="KEY",
                   help="for clear: only these queries (keys from `cache list`); default all")
    p.add_argument("--cache", metavar="DIR", help="cache folder (env COLLABNET_CACHE; "
                   "default ./cache)")
    p.set_defaults(func=cmd_cache)

    p = sub.add_parser("sample", help="write synthetic OpenAlex-shaped work records")
    p.add_argument("--works", type=int, default=20000, help="number of works (default 20000)")
    p.add_argument("--seed", type=int, default=2024, help="random seed (default 2024)")
    p.add_argument("--years", default="2000-2023", help="publication years (default 2000-2023)")
    p.add_argument("-o", "--output", required=True, help="file to write (.jsonl or .jsonl.gz)")
    p.add_argument("--quiet", "-q", action="store_true")
    p.set_defaults(func=cmd_sample)

    p = sub.add_parser("demo", help="the main job on the embedded synthetic sample (no network)")
    p.add_argument("-o", "--output", default="collabnet-demo", help="output folder")
    p.add_argument("--works", type=int, default=20000, help="sample size (default 20000)")
    p.add_argument("--seed", type=int, default=2024, help="random seed (default 2024)")
    p.set_defaults(func=cmd_demo)

    _add_analysis_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 2 user error)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # usage errors (2), --help and --version (0)
        return int(exc.code or 0)
    try:
        return int(args.func(args) or 0)
    except CollabnetError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # Output piped into e.g. `head`; nothing more to say.
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        except OSError:
            pass
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
