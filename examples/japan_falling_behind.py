"""Is Japan falling behind in international collaboration? A worked example.

Runs on the synthetic sample bundled with collabnet (no network; the numbers are NOT real
findings). To answer the question for real, load works fetched from OpenAlex instead:

    tables = cn.load(cn.WorkQuery(countries=["JP"], years="2009..2017"))  # cache, then API

(or ``collabnet fetch --country JP --years 2009-2017`` first, then the same line reads the
cache without a request).

Usage: python examples/japan_falling_behind.py
"""

from __future__ import annotations

import pandas as pd

import collabnet as cn

pd.set_option("display.width", 160, "display.max_columns", 20)
print(cn.SYNTHETIC_NOTICE)
tables = cn.load(cn.generate_works(40_000, seed=2024))

# 1. International share (PP(int collab)) side by side, with the 2009 -> 2017 change.
trend = cn.trend(tables, "international_share", focus="JP,DE,GB,KR", years="2009..2017",
                 compare="2009-2017")
print(trend.summary)

# 2. Japan's collaboration profile with 95 % stability intervals.
print(cn.profile(tables, focus="JP", ci=True).T)

# 3. Japan's main partners.
print(cn.partners(tables, "JP", top=10))

# 4. Are its international papers cited more than its domestic ones?
print(cn.impact(tables, focus="JP"))

# 5. Country network for Gephi.
cn.write_graphml(cn.network(tables, "country", counting="fractional"), "countries.graphml")
