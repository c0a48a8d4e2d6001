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


def _load_tables(args: argparse.Namespace):
    """Read the works named by the input options into WorkTables (notes go to stderr)."""
    from collabnet.tables import read_tables

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
        elif pd.api.types.is_integer_dtype(shown[col]) and col != "year":
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
        normalise_focus,
        parse_years,
    )

    # Fail on a bad range or code before reading anything.
    parse_years(args.years)
    normalise_focus(args.level, args.focus)
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
    from collabnet.analysis.shares import parse_years
    from collabnet.export.graphml import write_graphml
    from collabnet.network import coauthorship_network

    parse_years(args.years)
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
    _write_csv(shares[["entity", "name", "works", "international_works", "share"]].assign(
        year=pd.NA)[["entity", "name", "works", "international_works", "share"]], shares_path)
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
