"""The demo study as a library call: :func:`demo`, the job ``collabnet demo`` runs.

It generates the bundled **synthetic** world (:mod:`collabnet.sources.sample`: calibrated to
real distributions, but not real data), and writes what a first look at a collaboration
question needs: every country's international share, Japan's share by year, the country
network (fractional, with communities, centrality, link strengths, a layout and per-year
values) in every network format collabnet writes, a top-500 institution network, three
figures and the one-page HTML report. No network access.

Nothing it writes can pass for data: every CSV has a ``synthetic`` column, every network
file a ``synthetic`` attribute on every node and edge (Gephi drops graph attributes), every
figure and the report say SYNTHETIC DATA, institution names end in "(synthetic)", and the
folder gets a ``README.txt`` saying so and what opens which file.
"""

from __future__ import annotations

import os
from pathlib import Path

from collabnet.analysis.graph import network
from collabnet.analysis.partners import partners
from collabnet.analysis.shares import collaboration_summary, international_shares
from collabnet.errors import InputError
from collabnet.export.network_files import NETWORK_FORMATS, write_meta, write_network
from collabnet.export.tabular import write_csv
from collabnet.fileio import atomic_write
from collabnet.keys import format_years, parse_years
from collabnet.sources.sample import SYNTHETIC_NOTICE, generate_works
from collabnet.tables import build_tables

__all__ = ["SYNTHETIC_NOTICE", "demo"]

_SHARE_COLUMNS = ["entity", "name", "works", "international_works", "share", "low_evidence",
                  "synthetic"]

_README = """SYNTHETIC DATA -- NOT FOR FINDINGS

{notice}

Written by `collabnet demo` from {works} generated works (seed {seed}, years {years}).
Every CSV here has a `synthetic` column, every network file a `synthetic` attribute on
every node and edge, every figure and the report say SYNTHETIC DATA, and every
institution name ends in "(synthetic)". To answer a real question, load real OpenAlex
records: `collabnet fetch --country JP --years 2009-2017`, or files.

What opens which file:
{opens}
"""

#: The country network's files: (file name, format) in the order the demo writes them.
_NETWORK_FILES = [("country_network.graphml", "graphml"), ("country_network.gexf", "gexf"),
                  ("country_network.json", "json"),
                  ("country_network_vosviewer.json", "vosviewer-json"),
                  ("country_network.csv", "csv"), ("country_network.net", "pajek"),
                  ("country_network.vos", "vos"), ("country_network.parquet", "parquet")]


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
    g = _marked(network(tables, "country", counting="fractional",
                        with_="centrality,communities,strength,shares", layout="forceatlas2",
                        dynamic=True, seed=seed))
    files, opens = [shares_path, trend_path], []
    static = _without_years(g)
    for name, fmt in _NETWORK_FILES:
        written = write_network(static, out / name, fmt, meta=False)
        files.extend(written)
        opens.append((", ".join(p.name for p in written), NETWORK_FORMATS[fmt][2]))
    files.extend(write_network(g, out / "country_network_dynamic.gexf", meta=False))
    opens.append(("country_network_dynamic.gexf", "Gephi, with its timeline (per-year "
                  "works, shares and weights); Gephi Lite has no timeline: use the static "
                  "country_network.gexf there"))
    files.append(write_meta(g, out / "country_network.graphml",
                            [p for p in files if p.name.startswith("country_network")]))
    gi = _marked(network(tables, "institution", counting="full", top=500,
                         with_="communities", layout="forceatlas2", seed=seed))
    for name in ("institution_network_top500.graphml", "institution_network_top500.gexf"):
        files.extend(write_network(gi, out / name, meta=False))
    opens.append(("institution_network_top500.gexf", NETWORK_FORMATS["gexf"][2]))
    files.extend(_figures(tables, g, trend, focus, out))
    opens.append((", ".join(p.name for p in files[-3:]), "any image viewer or browser"))
    from collabnet.reports import report

    report_path = out / "report.html"
    report(tables, focus, synthetic=True, output=report_path, seed=seed)
    files.append(report_path)
    opens.append((report_path.name, "a web browser (one file, works offline)"))
    readme = out / "README.txt"
    lines = "\n".join(f"  {f}: {what}" for f, what in opens)
    atomic_write(readme, _README.format(notice=SYNTHETIC_NOTICE, works=works, seed=seed,
                                        years=format_years(span), opens=lines).encode())
    files.append(readme)
    return {
        "tables": tables,
        "summary": collaboration_summary(tables),
        "shares": shares,
        "trend": trend,
        "files": files,
        "opens": opens,
        "graph": g,
    }


def _figures(tables, g, trend, focus, out: Path) -> list[Path]:
    """The focus's share by year, its partners and the country network, marked synthetic."""
    from collabnet.plots import network_figure, partners_chart, save_figure, trend_chart

    values = trend.rename(columns={"share": "value"})
    paths = [out / f"{focus.lower()}_trend.png", out / f"{focus.lower()}_partners.png",
             out / "country_network.png"]
    save_figure(trend_chart(values, "international_share", synthetic=True), paths[0])
    save_figure(partners_chart(partners(tables, focus), synthetic=True), paths[1])
    save_figure(network_figure(g, highlight=focus, synthetic=True), paths[2])
    return paths


def _without_years(g):
    """A copy of the network without its per-year values (for the static files)."""
    h = g.copy()
    h.graph.pop("dynamic", None)
    for _, d in h.nodes(data=True):
        d.pop("by_year", None)
    for _, _, d in h.edges(data=True):
        d.pop("by_year", None)
    return h

