"""Every command-line option, declared once.

Each function adds one family of options to a sub-command's parser, with the same names,
defaults and help everywhere; the names are those of the library keywords
(``--merge-hk-mo`` is ``merge_hk_mo``), so :func:`library_kwargs` can hand them over as they
are. Nothing here imports pandas or the analysis modules: building the parser for ``--help``
stays fast.
"""

from __future__ import annotations

import argparse

from collabnet.keys import COLLABORATION_RULES, COUNTINGS, INDICATORS, LEVELS, MIN_WORKS

#: The options of :func:`add_selection` (library keywords shared by every indicator).
SELECTION_KEYWORDS = ("years", "focus", "merge_hk_mo", "collaboration_rule")


def add_inputs(p: argparse.ArgumentParser) -> None:
    """Where the works come from: files and folders, or an OpenAlex query (cached)."""
    p.add_argument(
        "inputs",
        nargs="*",
        metavar="INPUT",
        help="work records: .jsonl/.jsonl.gz, snapshot part_NNN.gz, .json arrays, saved API "
        "pages, or folders of them",
    )
    p.add_argument(
        "--skip-bad",
        action="store_true",
        help="skip malformed records with a warning and a count, instead of stopping",
    )
    p.add_argument(
        "--no-cache",
        dest="use_cache",
        action="store_false",
        help="parse the input again and keep nothing, instead of reusing (and keeping) its "
        "tables in the columnar cache (CACHE/tables; see --cache)",
    )
    g = p.add_argument_group("reading on a Dask cluster (one task per input file)")
    g.add_argument("--workers", type=int, metavar="N",
                   help="read the input files on a local Dask cluster of N single-threaded "
                   "worker processes")
    g.add_argument("--scheduler", metavar="ADDRESS",
                   help="read them on the running Dask cluster at tcp://HOST:PORT (env "
                   "COLLABNET_SCHEDULER); its workers must see the input and the cache folder")
    add_quiet(p)
    add_query(p)


def indicator_parser(sub, name: str, func, help: str, *, level_extra: tuple[str, ...] = (),
                     level_help: str | None = None, **selection) -> argparse.ArgumentParser:
    """A command that reads works and computes an indicator: inputs, --level, the selection.

    ``selection`` goes to :func:`add_selection` (``focus_required``, ``focus_help``).
    """
    p = sub.add_parser(name, help=help)
    add_inputs(p)
    add_level(p, extra=level_extra, help=level_help)
    add_selection(p, **selection)
    p.set_defaults(func=func)
    return p


def add_quiet(p: argparse.ArgumentParser) -> None:
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bars or notes")


def add_years(p, help: str = "only works published in this range: 2017, 2009-2017, "
              "2009..2017, 2009- or -2017") -> None:
    p.add_argument("--years", help=help)


def add_query(p: argparse.ArgumentParser) -> None:
    """Options that select works from OpenAlex (via the cache) and say how to reach it."""
    g = p.add_argument_group("works from OpenAlex (cached; fetched when missing)")
    g.add_argument("--country", action="append", metavar="CC",
                   help="works with an institution in this country (ISO code, e.g. JP; "
                   "repeat or comma-separate for several)")
    g.add_argument("--institution", action="append", metavar="ID",
                   help="works with this institution (OpenAlex id I74801974 or ROR id; "
                   "repeatable)")
    g.add_argument("--type", action="append", metavar="TYPE", dest="work_type",
                   help="work type, e.g. article (repeatable; default: all)")
    g.add_argument("--include-paratext", action="store_true",
                   help="keep paratext (front matter, tables of contents); excluded by default")
    g.add_argument("--exclude-retracted", action="store_true", help="drop retracted works")
    g.add_argument("--strict", action="store_true",
                   help="fail (exit 2) when OpenAlex ends a year short of its own count, "
                   "instead of going on with a warning")
    add_connection(g)


def add_connection(g) -> None:
    g.add_argument("--base-url", help="OpenAlex API address (env COLLABNET_OPENALEX_URL; "
                   "default https://api.openalex.org)")
    g.add_argument("--api-key", help="OpenAlex API key (better: env OPENALEX_API_KEY, which "
                   "stays out of your shell history)")
    add_cache(g)


def add_cache(g) -> None:
    g.add_argument("--cache", metavar="DIR", help="cache folder for fetched pages and the "
                   "tables read from files or pages (env COLLABNET_CACHE; default ./cache)")


def add_level(p: argparse.ArgumentParser, *, default: str = "country",
              extra: tuple[str, ...] = (), help: str | None = None) -> None:
    p.add_argument(
        "--level",
        default=None,
        choices=[*LEVELS, *extra],
        help=help or f"entities to count (default: {default}; institution when --focus "
        "names only institution ids)",
    )
    p.set_defaults(level_default=default)


def add_selection(p: argparse.ArgumentParser, *, focus_required: bool = False,
                  focus_help: str = "only these entities, e.g. JP or JP,DE or I74801974") -> None:
    """``--years``, ``--focus``, ``--merge-hk-mo``, ``--collaboration-rule``: one selection."""
    add_years(p)
    p.add_argument("--focus", required=focus_required, help=focus_help)
    p.add_argument("--merge-hk-mo", action="store_true",
                   help="count Hong Kong and Macao as China (Leiden Ranking rule)")
    p.add_argument(
        "--collaboration-rule",
        choices=COLLABORATION_RULES,
        help="international = two or more countries (countries, the default), or also two "
        "or more institutions (leiden: CWTS Leiden Ranking)",
    )


def add_counting(p: argparse.ArgumentParser, *, default: str = "full",
                 help: str = "full (Leiden Ranking rule) or fractional counting") -> None:
    p.add_argument("--counting", default=default, choices=COUNTINGS,
                   help=f"{help} (default: {default})")


def add_network_shape(p: argparse.ArgumentParser, *, weight: str = "links") -> None:
    p.add_argument("--min-weight", type=float, help=f"drop {weight} lighter than this")
    p.add_argument("--top", type=int, help="keep only the N entities with most works")


def add_by_year(p: argparse.ArgumentParser, help: str = "one row per entity and year") -> None:
    p.add_argument("--by-year", action="store_true", help=help)


def add_ci(p: argparse.ArgumentParser, *, default_on: bool) -> None:
    if default_on:
        p.add_argument("--no-ci", dest="ci", action="store_false",
                       help="skip the bootstrap stability intervals (faster)")
    else:
        p.add_argument("--ci", action="store_true",
                       help="add bootstrap stability intervals (1000 resamples, 95 %%)")
    p.add_argument("--resamples", type=int, default=1000, dest="n_resamples",
                   help="bootstrap resamples (default 1000, as the Leiden Ranking)")
    add_seed(p)


def add_min_works(p: argparse.ArgumentParser) -> None:
    p.add_argument("--min-works", type=int, default=MIN_WORKS,
                   help=f"flag values resting on fewer works (default {MIN_WORKS})")


def add_source(p: argparse.ArgumentParser, *, both: bool = True,
               dry_run: bool = True) -> None:
    """``--source works|counts[|both]`` and ``--dry-run``: where the numbers come from."""
    p.add_argument("--source", default="works",
                   choices=["works", "counts", "both"] if both else ["works", "counts"],
                   help="works (default): from the works themselves; counts: from OpenAlex "
                   "group_by counts, a few requests instead of downloading works (needs "
                   "--years)" + ("; both: the two side by side" if both else ""))
    if dry_run:
        p.add_argument("--dry-run", action="store_true",
                       help="with --source counts: print the requests that would be made, "
                       "make none")


def add_seed(p: argparse.ArgumentParser, default: int = 0) -> None:
    p.add_argument("--seed", type=int, default=default, help=f"random seed (default {default})")


def add_table_output(p: argparse.ArgumentParser) -> None:
    p.add_argument("-o", "--output", help="write the table here (.csv or .parquet) instead "
                   "of printing it")
    p.add_argument("--rows", type=int, default=40, help="rows to print on screen (default 40)")
    p.set_defaults(table_output=True)


def add_institutions(p: argparse.ArgumentParser, help: str) -> None:
    p.add_argument("--institutions", metavar="PATH", help=help)


def add_indicator(p: argparse.ArgumentParser) -> None:
    p.add_argument("--indicator", default="international_share", choices=INDICATORS,
                   metavar="NAME", help="indicator to follow (default international_share): "
                   + ", ".join(INDICATORS))


def library_kwargs(args: argparse.Namespace, *names: str, **renamed: str) -> dict:
    """The parsed options ``names`` as library keywords (``renamed``: keyword=option)."""
    out = {n: getattr(args, n) for n in names}
    out.update({k: getattr(args, v) for k, v in renamed.items()})
    return out


def selection_kwargs(args: argparse.Namespace) -> dict:
    """The shared selection keywords (:data:`SELECTION_KEYWORDS`) from parsed options."""
    return library_kwargs(args, *SELECTION_KEYWORDS)
