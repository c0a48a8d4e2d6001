"""``collabnet fetch`` and ``collabnet cache list|clear``: works from OpenAlex into the cache."""

from __future__ import annotations

import argparse

from collabnet.cli import options as opt
from collabnet.cli.inputs import note, query_from_args, settings_from_args
from collabnet.errors import InputError


def cmd_fetch(args: argparse.Namespace) -> int:
    from collabnet.sources.openalex import fetch

    query = query_from_args(args)
    if query is None:
        raise InputError("say which works to fetch: --country CC and/or --institution ID")
    settings = settings_from_args(args)
    try:
        report = fetch(query, settings=settings, progress=not args.quiet, refresh=args.refresh,
                       strict=args.strict)
    except KeyboardInterrupt:
        note("interrupted; pages fetched so far are saved: rerun the same command to resume")
        return 130
    print(report.summary())
    return 0


def cmd_cache(args: argparse.Namespace) -> int:
    from collabnet.cache import cache_clear, cache_list

    root = settings_from_args(args).cache_dir
    if args.action == "list":
        import pandas as pd

        from collabnet.cli.format import format_table

        rows = cache_list(cache=root)
        if not rows:
            print(f"cache {root} is empty")
            return 0
        print(f"cache {root}:")
        print(format_table(pd.DataFrame(rows).drop(columns="complete"), max_rows=None))
        return 0
    removed = cache_clear(args.keys, cache=root)
    if args.keys:
        for key, n in removed.items():
            print(f"removed query {key} ({n} slice(s) no other query uses)")
    else:
        from collabnet.stored import clear_tables

        tables = clear_tables(root)
        print(f"removed every cached query from {root} ({removed['*']} slice(s)) and "
              f"{tables} set(s) of tables read from files or pages")
    return 0


def register(sub) -> None:
    p = sub.add_parser("fetch", help="fetch works from OpenAlex into the cache (resumable)")
    opt.add_query(p)
    opt.add_years(p, help="publication years, e.g. 2009-2017 (one slice per year)")
    p.add_argument("--refresh", action="store_true",
                   help="fetch again even what the cache already holds")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_fetch)

    p = sub.add_parser("cache", help="list or clear the cache of fetched OpenAlex pages")
    p.add_argument("action", choices=["list", "clear"])
    p.add_argument("keys", nargs="*", metavar="KEY",
                   help="for clear: only these queries (keys from `cache list`); default all")
    opt.add_cache(p)
    p.set_defaults(func=cmd_cache)
