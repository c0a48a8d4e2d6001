"""The demo study as a library call: :func:`demo`, the job ``collabnet demo`` runs.

It generates the bundled **synthetic** world (:mod:`collabnet.sources.sample`: calibrated to
real distributions, but not real data), and writes what a first look at a collaboration
question needs: every country's international share, Japan's share by year, a fractional
country network and a top-500 institution network for Gephi. No network access.

Nothing it writes can pass for data: every CSV has a ``synthetic`` column, every GraphML
graph and node a ``synthetic`` attribute (Gephi drops graph attributes, so the nodes carry it
too), institution names end in "(synthetic)", and the folder gets a ``README.txt`` saying so.
"""

from __future__ import annotations

import os
from pathlib import Path

from collabnet.analysis.shares import collaboration_summary, international_shares
from collabnet.errors import InputError
from collabnet.export.graphml import write_graphml
from collabnet.export.tabular import write_csv
from collabnet.fileio import atomic_write
from collabnet.keys import format_years, parse_years
from collabnet.networks import coauthorship_network
from collabnet.sources.sample import SYNTHETIC_NOTICE, generate_works
from collabnet.tables import build_tables

__all__ = ["SYNTHETIC_NOTICE", "demo"]

_SHARE_COLUMNS = ["entity", "name", "works", "international_works", "share", "low_evidence",
                  "synthetic"]

_README = """SYNTHETIC DATA -- NOT FOR FINDINGS

{notice}

Written by `collabnet demo` from {works} generated works (seed {seed}, years {years}).
Every CSV here has a `synthetic` column, every GraphML graph and node a `synthetic`
attribute, and every institution name ends in "(synthetic)". To answer a real question,
load real OpenAlex records: `collabnet fetch --country JP --years 2009-2017`, or files.
"""


def _marked(g):
    """The graph, and each of its nodes, marked ``synthetic``."""
    g.graph["synthetic"] = True
    for _, d in g.nodes(data=True):
        d["synthetic"] = True
    return g


def demo(
    output: str | os.PathLike = "collabnet-demo",
    *,
    works: int = 50000,
    seed: int = 2024,
    focus: str = "JP",
    years="2009-2017",
) -> dict:
    """Run the demo study on the synthetic sample and write its files into ``output``.

    Parameters
    ----------
    output : path
        Folder to write into (created if missing).
    works : int
        Size of the synthetic sample (default 50 000 over 2009–2017: about 240 Japanese works
        a year, so that the by-year shares are not noise).
    seed : int
        Seed of the sample; the same seed gives the same files.
    focus : str
        Country whose share is followed by year.
    years : str or (int, int)
        Publication years of the sample, a closed range (default 2009-2017, the years of the
        question "did Japan's international share rise?").

    Returns
    -------
    dict
        ``tables`` (WorkTables), ``summary`` (works by collaboration type), ``shares`` (per
        country), ``trend`` (the focus country by year), ``graph`` (the country network) and
        ``files`` (the paths written: ``country_shares.csv``, ``<focus>_shares_by_year.csv``,
        ``country_network.graphml``, ``institution_network_top500.graphml``, ``README.txt``).

    Examples
    --------
    >>> import tempfile
    >>> result = demo(tempfile.mkdtemp(), works=300)
    >>> bool(result["shares"]["synthetic"].all()), result["graph"].graph["synthetic"]
    (True, True)
    >>> [p.name for p in result["files"]][:2]
    ['country_shares.csv', 'jp_shares_by_year.csv']
    """
    if works < 1:
        raise InputError(f"invalid works {works}: must be at least 1")
    span = parse_years(years, closed=True)
    if span is None:
        raise InputError(f"invalid year range {years!r}: give both ends, e.g. 2009-2017")
    out = Path(output)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{out}: cannot create output folder ({exc.strerror or exc})") from None
    tables = build_tables(generate_works(works, seed=seed, years=span))
    shares = international_shares(tables, "country").assign(synthetic=True)
    shares_path = out / "country_shares.csv"
    write_csv(shares[_SHARE_COLUMNS], shares_path)
    trend = international_shares(tables, "country", by_year=True, focus=focus)
    trend = trend.assign(synthetic=True)
    trend_path = out / f"{focus.lower()}_shares_by_year.csv"
    write_csv(trend[[*_SHARE_COLUMNS[:2], "year", *_SHARE_COLUMNS[2:]]], trend_path)
    g = _marked(coauthorship_network(tables, "country", counting="fractional"))
    graph_path = out / "country_network.graphml"
    write_graphml(g, graph_path)
    gi = _marked(coauthorship_network(tables, "institution", counting="full", top=500))
    inst_path = out / "institution_network_top500.graphml"
    write_graphml(gi, inst_path)
    readme = out / "README.txt"
    atomic_write(readme, _README.format(notice=SYNTHETIC_NOTICE, works=works, seed=seed,
                                        years=format_years(span)).encode())
    return {
        "tables": tables,
        "summary": collaboration_summary(tables),
        "shares": shares,
        "trend": trend,
        "files": [shares_path, trend_path, graph_path, inst_path, readme],
        "graph": g,
    }
