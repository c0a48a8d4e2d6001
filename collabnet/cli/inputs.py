"""From parsed options to the works a command reads: files, or an OpenAlex query.

The command line's half of :func:`collabnet.load`: it turns ``INPUT …`` or
``--country/--institution/--years/--type`` into the library's source (paths or a
:class:`~collabnet.query.WorkQuery`) and settings, calls :func:`collabnet.load` with a
progress bar when standard error is a terminal, and prints what was read.
"""

from __future__ import annotations

import argparse
import sys

from collabnet.errors import InputError
from collabnet.keys import normalise_focus, parse_years, split_countries, split_list

PROG = "collabnet"


def note(text: str) -> None:
    """One line for the user on standard error, prefixed with the program's name."""
    print(f"{PROG}: {text}", file=sys.stderr)


#: Numeric options and the least value each may take (``>`` strict, ``>=`` inclusive).
_AT_LEAST = {
    "top": (">=", 1), "min_weight": (">=", 0), "k": (">=", 1), "n_resamples": (">=", 1),
    "near_km": (">=", 0), "far_km": (">=", 0), "top_percent": (">", 0), "works": (">=", 1),
    "resolution": (">", 0), "rows": (">=", 0), "min_works": (">=", 0),
    "min_coverage": (">=", 0), "workers": (">=", 1),
}


def check_options(args: argparse.Namespace) -> None:
    """Fail on any option that can be checked before work: the output path, numeric ranges,
    the --years range, --focus entities. Nothing is read or fetched before this passes."""
    from collabnet.fileio import check_writable

    for name, (op, least) in _AT_LEAST.items():
        value = getattr(args, name, None)
        if value is None:
            continue
        if (op == ">=" and not value >= least) or (op == ">" and not value > least):
            flag = "--" + ("resamples" if name == "n_resamples" else name.replace("_", "-"))
            raise InputError(f"invalid {flag} {value:g}: must be {op} {least:g}")
    if getattr(args, "top_percent", None) is not None and args.top_percent > 100:
        raise InputError(f"invalid --top-percent {args.top_percent:g}: must be at most 100")
    output = getattr(args, "output", None)
    if output and getattr(args, "table_output", False):
        from collabnet.export.tabular import table_format

        table_format(output)
    if output and getattr(args, "command", None) == "network":
        from collabnet.analysis.graph import check_layout, parse_with
        from collabnet.export.network_files import format_for

        format_for(output, args.format)
        parse_with(args.with_)
        check_layout(args.layout)
    if output and output != "-":
        check_writable(output, folder=getattr(args, "command", None) == "demo")
    parse_years(getattr(args, "years", None))
    level, focus = getattr(args, "level", None), getattr(args, "focus", None)
    if focus and level not in (None, "all"):
        normalise_focus(level, focus)
    if getattr(args, "compare", None) and getattr(args, "command", None) == "shares":
        from collabnet.analysis.shares import compared_entities

        compared_entities(level, args.compare, focus=focus, as_of=args.as_of,
                          source=args.source)


def query_from_args(args: argparse.Namespace, *, years=None):
    """The WorkQuery the options describe, or None when no country or institution is given."""
    from collabnet.query import WorkQuery

    countries = split_countries(getattr(args, "country", None))
    institutions = split_list(getattr(args, "institution", None))
    if not countries and not institutions:
        if getattr(args, "work_type", None):
            raise InputError("--type selects works from OpenAlex: give --country or "
                             "--institution too")
        return None
    return WorkQuery(
        countries=countries,
        institutions=institutions,
        years=years if years is not None else getattr(args, "years", None),
        types=split_list(args.work_type),
        exclude_paratext=not args.include_paratext,
        exclude_retracted=args.exclude_retracted,
    )


def settings_from_args(args: argparse.Namespace):
    from collabnet.config import get_settings

    return get_settings(
        api_key=getattr(args, "api_key", None),
        base_url=getattr(args, "base_url", None),
        cache_dir=getattr(args, "cache", None),
    )


def show_progress(args: argparse.Namespace) -> bool:
    """Progress bars only for a person watching: not with ``-q``, not when stderr is a file."""
    return not getattr(args, "quiet", False) and sys.stderr.isatty()


def works_or_query(args: argparse.Namespace):
    """What a command computes on, and how to reach OpenAlex: the works (read or fetched)
    with ``--source works``; for ``--source counts|both`` the query of the options (None
    when only --focus or --group says what to count), checked before any request."""
    if getattr(args, "source", "works") == "works":
        return load_from_args(args), None
    check_options(args)
    if args.inputs:
        raise InputError(f"--source {args.source} asks OpenAlex: give --country/--institution"
                         " (or --focus/--group) with --years instead of files")
    return query_from_args(args), settings_from_args(args)


def print_plan(urls) -> None:
    """The requests a --dry-run would make, one per line, and how many."""
    for url in urls:
        print(url)
    note(f"dry run: {len(urls)} request(s) would be made, none was")


def _snapshot_input(args: argparse.Namespace):
    """The one input when it is an OpenAlex snapshot folder (or URL), else None."""
    inputs = getattr(args, "inputs", None) or []
    if len(inputs) != 1:
        return None
    from collabnet.sources.snapshot import is_snapshot

    return inputs[0] if is_snapshot(inputs[0]) else None


#: The affiliations columns a command reads, per level (the others are not loaded from the
#: table cache: a tenth of the memory at the country level). Commands not listed get all.
_COLUMNS = {
    "country": ["year", "author_index", "country_code", "weight"],
    "institution": ["year", "author_index", "country_code", "weight", "institution_id",
                    "institution_name", "institution_type"],
    "author": ["year", "author_index", "country_code", "weight", "author_id", "author_name"],
}
_PRUNED_COMMANDS = {"shares": ("country", "institution", "author"), "network": ("country",)}


def _columns(args: argparse.Namespace):
    level = getattr(args, "level", None)
    if level in _PRUNED_COMMANDS.get(getattr(args, "command", None), ()):
        return _COLUMNS[level]
    return None


def load_from_args(args: argparse.Namespace):
    """WorkTables of the works the options name, with notes on what was read."""
    from collabnet.loader import load

    check_options(args)
    snapshot = _snapshot_input(args)
    query = None if snapshot else query_from_args(args)
    if query is not None:
        if args.inputs:
            raise InputError("give input files or --country/--institution, not both (they "
                             "filter an OpenAlex snapshot folder as it is read)")
        if getattr(args, "workers", None) or getattr(args, "scheduler", None):
            raise InputError("--workers/--scheduler read input files or a snapshot; works "
                             "from OpenAlex are read from the cache in one process")
        settings = settings_from_args(args)
        tables = load(query, settings=settings, progress=not args.quiet, strict=args.strict,
                      cache=getattr(args, "use_cache", True))
        if not args.quiet and tables.report is not None:
            for line in tables.report.summary().splitlines():
                if not line.strip().startswith("warning:"):
                    note(line.strip())
        for warning in tables.warnings:  # printed even with -q: the figures may be too low
            note(f"warning: {warning}")
        if not args.quiet:
            note(f"{len(tables)} works for {query.describe()} from the cache "
                 f"{settings.cache_dir}")
        return tables
    if not args.inputs:
        raise InputError("no input: give files or folders of work records")
    filters = {}
    if snapshot:
        filters = dict(countries=split_countries(getattr(args, "country", None)) or None,
                       institutions=split_list(getattr(args, "institution", None)) or None,
                       types=split_list(getattr(args, "work_type", None)) or None)
    tables = load(snapshot or args.inputs, skip_bad=args.skip_bad,
                  progress=show_progress(args), settings=settings_from_args(args),
                  cache=getattr(args, "use_cache", True),
                  workers=getattr(args, "workers", None),
                  scheduler=getattr(args, "scheduler", None), columns=_columns(args),
                  **filters)
    report = tables.report
    for warning in (report.warning(), *tables.warnings):
        if warning:
            note(f"warning: {warning}")
    if not args.quiet:
        kept = " (the newest copy of each kept)" if report.duplicates else ""
        note(
            f"read {report.records} records from {len(report.files)} file(s): "
            f"{report.works} works after removing {report.duplicates} duplicate(s){kept}"
        )
    return tables
