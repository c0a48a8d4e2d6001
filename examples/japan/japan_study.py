"""Is Japan last among OECD countries in internationally co-authored papers? The case study.

Three questions, answered the cheap way (OpenAlex group_by counts where they suffice):

1. Japan's rank among the OECD members of each year by international share, 2009-2023
   (``collabnet rank --group OECD --by-year --source counts``: at most 2 requests a year);
2. the University of Tokyo's (I74801974) international share, 2009-2017, with its child
   institutions (``collabnet trend --source counts``: 2 requests);
3. whether Japan's international works are cited more than its domestic ones
   (``collabnet impact``, from Japan's works: these need the works themselves).

Online (``--online``) it asks api.openalex.org (set OPENALEX_API_KEY; question 3 downloads
Japan's works of one year). Offline, the default and what CI runs, it starts collabnet's
loopback OpenAlex server on 127.0.0.1 serving the SYNTHETIC world, and says so in every line
it prints and every file it writes: those numbers are not findings.

Usage: python examples/japan/japan_study.py [--online] [-o OUTDIR] [--works N]
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

import collabnet as cn
from collabnet.config import get_settings
from collabnet.testing import OpenAlexTestServer


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--online", action="store_true", help="ask api.openalex.org")
    ap.add_argument("-o", "--output", default="japan-study", help="output folder")
    ap.add_argument("--works", type=int, default=60000, help="offline: synthetic works")
    args = ap.parse_args(argv)
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    tag = "" if args.online else "[SYNTHETIC] "

    with contextlib.ExitStack() as stack:
        if args.online:
            settings = get_settings(cache_dir=out / "cache")
            tokyo = "I74801974"
        else:
            world = list(cn.generate_works(args.works, seed=2024, years=(2009, 2023)))
            server = stack.enter_context(OpenAlexTestServer(world))
            settings = get_settings(base_url=server.url, cache_dir=out / "cache")
            print(f"{tag}offline: the loopback server at {server.url} serves "
                  f"{len(world):,} synthetic works. {cn.SYNTHETIC_NOTICE}")
            # The synthetic world has no University of Tokyo: follow its largest Japanese
            # institution instead.
            tables = cn.load(world)
            inst = cn.shares(tables, "institution", counts=True)
            info = tables.institutions().set_index("institution_id")["country_code"]
            tokyo = inst[inst["entity"].map(info) == "JP"].iloc[0]["entity"]

        def save(df, name):
            from collabnet.export.tabular import write_csv

            write_csv(df.assign(synthetic=not args.online), out / name)
            print(f"{tag}wrote {out / name}")

        # 1. Japan among the OECD members of each year.
        r = cn.rank(None, group="OECD", years="2009-2023", by_year=True, source="counts",
                    settings=settings)
        member_ranks = []
        for year in range(2009, 2024):
            members = set(cn.group_members("OECD", as_of=year))
            ry = cn.rank(None, group="OECD", as_of=year, years=year, source="counts",
                         settings=settings)
            jp = ry[ry["entity"] == "JP"].iloc[0]
            member_ranks.append({"year": year, "rank": jp["rank"], "members": len(members),
                                 "share": jp["value"], "works": jp["works"]})
            print(f"{tag}{year}: Japan ranks {jp['rank']} of {len(members)} OECD members "
                  f"by international share ({jp['value']:.1%} of {jp['works']:,} works)")
        save(r, "oecd_rank_by_year.csv")
        import pandas as pd

        save(pd.DataFrame(member_ranks), "japan_rank_among_members.csv")

        # 2. The University of Tokyo's trend (2 requests, with its child institutions).
        t = cn.trend(None, "international_share", "institution", focus=tokyo,
                     years="2009-2017", compare="2009-2017", source="counts",
                     settings=settings)
        s = t.summary.iloc[0]
        print(f"{tag}{tokyo}: international share {s['value_from']:.1%} (2009) -> "
              f"{s['value_to']:.1%} (2017), {100 * s['slope_per_year']:+.2f} points a year")
        save(t.values, "tokyo_trend.csv")

        # 3. Impact by collaboration type for Japan (from works: one year online).
        years = "2017" if args.online else "2009-2023"
        jp_works = cn.load(cn.WorkQuery(countries=["JP"], years=years), settings=settings)
        im = cn.impact(jp_works, focus="JP", ci=True)
        for _, row in im.iterrows():
            print(f"{tag}Japan, {row['group']}: {row['works']:,} works, mean citations "
                  f"{row['mean_citations']:.2f} ({row['mean_citations_lo']:.2f}-"
                  f"{row['mean_citations_hi']:.2f})")
        save(im, "japan_impact.csv")
    return 0


if __name__ == "__main__":
    sys.exit(main())
