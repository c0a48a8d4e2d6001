"""Is Japan falling behind in international collaboration? A worked example.

Runs on the synthetic sample bundled with collabnet (no network; the numbers are NOT real
findings). To answer the question for real, replace `build_tables(generate_works(...))` with
records fetched from OpenAlex, e.g.:

    collabnet fetch --country JP --years 2009-2017          # into ./cache
    tables = build_tables(load_query(WorkQuery(countries=["JP"], years=(2009, 2017)),
                                     settings=get_settings()))

Usage: python examples/japan_falling_behind.py
"""

from __future__ import annotations

import pandas as pd

import collabnet as cn
from collabnet.analysis import (
                        collaboration_profile,
                        impact_by_collaboration,
                        indicator_trend,
                        partners,
)
from collabnet.sources.sample import SYNTHETIC_NOTICE, generate_works

pd.set_option("display.width", 160, "display.max_columns", 20)
print(SYNTHETIC_NOTICE)
tables = cn.build_tables(generate_works(40_000, seed=2024))

# 1. International share (PP(int collab)) side by side, with the 2009 -> 2017 change.
trend = indicator_trend(tables, "international_share", focus="JP,DE,GB,KR", years="2009-2017",
                        compare=(2009, 2017))
print(trend.summary if hasattr(trend, "summary") else trend)

# 2. Japan's collaboration profile with 95 % stability intervals.
print(collaboration_profile(tables, focus="JP", ci=True).T)

# 3. Japan's main partners.
print(partners(tables, "JP", top=10))

# 4. Are its international papers cited more than its domestic ones?
print(impact_by_collaboration(tables, focus="JP"))

# 5. Country network for Gephi.
cn.write_graphml(cn.coauthorship_network(tables, "country", counting="fractional"),
                 "countries.graphml")
