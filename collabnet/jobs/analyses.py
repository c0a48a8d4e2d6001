"""Each analysis of a job as the library call its command makes, and its files written.

The mapping from a job's options to the library's keywords is the command line's
(:mod:`collabnet.cli.analysis`, :mod:`collabnet.cli.works`, :mod:`collabnet.cli.report`):
the same function, the same keywords, the same table written for ``-o``. What a job adds is
only the synthetic marks: with ``[openalex] server = "synthetic"`` every table gets a
``synthetic`` column, every network node and edge a ``synthetic`` attribute, every figure and
the report say SYNTHETIC DATA, as ``collabnet demo`` does.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Source", "run_analysis"]


@dataclass
class Source:
    """What an analysis computes on: the works (``tables``), or for a counts input the
    query (None: the focus is counted); a query's years; the settings to reach OpenAlex."""

    tables: object = None
    query: object = None
    years: tuple | None = None
    counts: bool = False
    settings: object = None
    synthetic: bool = False  # declared synthetic (the synthetic server)
    data_source: str | None = None  # for the report: where the works came from
    epoch: int | None = None  # SOURCE_DATE_EPOCH for the report, when not set already


def _selection(o: dict, src: Source) -> dict:
    years = o.get("years")
    if src.counts:  # the counts path takes the years once: in the query, or with the focus
        years = src.years if src.query is None else None
    elif years is None and src.years is not None:
        years = src.years  # a query's works: its years, as --years is on the command line
    return {"years": years, "focus": o.get("focus"), "merge_hk_mo": o["merge_hk_mo"],
            "collaboration_rule": o.get("collaboration_rule")}


def _on(src: Source):
    """The first argument of a counts-capable indicator, and its source keyword."""
    if src.counts:
        return src.query, "counts"
    return src.tables, "works"


def _ci(o: dict) -> dict:
    return {"ci": o["ci"], "n_resamples": o["resamples"], "seed": o["seed"]}


def _coordinates(o: dict):
    if not o.get("institutions"):
        return None
    from collabnet.sources.institutions import read_institutions

    return read_institutions(o["institutions"])


def _shares(o, src):
    from collabnet.analysis.shares import shares

    on, source = _on(src)
    return shares(on, o["level"], **_selection(o, src), by_year=o["by_year"],
                  counts=o["counts"], min_works=o["min_works"], source=source,
                  settings=src.settings, compare=o.get("compare"), as_of=o.get("as_of"))


def _rank(o, src):
    from collabnet.analysis.rank import rank

    on, source = _on(src)
    return rank(on, o["level"], **_selection(o, src), counting=o["counting"],
                group=o.get("group"), as_of=o.get("as_of"), indicator=o["indicator"],
                by_year=o["by_year"], ascending=o["ascending"],
                collaboration=o["collaboration"], min_works=o["min_works"], source=source,
                settings=src.settings, **_ci(o))


def _profile(o, src):
    from collabnet.analysis.profile import profile

    return profile(src.tables, o["level"], **_selection(o, src), counting=o["counting"],
                   by_year=o["by_year"], institutions=_coordinates(o), near_km=o["near_km"],
                   far_km=o["far_km"], distance_rule=o["distance_rule"],
                   min_coverage=o["min_coverage"], min_works=o["min_works"], **_ci(o))


def _partners(o, src):
    from collabnet.analysis.partners import partners

    sel = _selection(o, src)
    return partners(src.tables, sel.pop("focus"), o["level"], **sel,
                    partner_level=o.get("partner_level"), by_year=o["by_year"],
                    top=o.get("top"))


def _centrality(o, src):
    from collabnet.analysis.centrality import centrality

    return centrality(src.tables, o["level"], **_selection(o, src), counting=o["counting"],
                      min_weight=o.get("min_weight"), top=o.get("top"), k=o.get("k"),
                      seed=o["seed"],
                      communities_method=None if o["communities"] == "none"
                      else o["communities"],
                      resolution=o["resolution"], summary=o["summary"])


def _impact(o, src):
    from collabnet.analysis.impact import impact

    return impact(src.tables, o["level"], **_selection(o, src), counting=o["counting"],
                  top=o["top_percent"] / 100, by=o["by"], by_year=o["by_year"],
                  reference=o["reference"], min_works=o["min_works"], **_ci(o))


def _trend(o, src):
    from collabnet.analysis.trends import trend

    on, source = _on(src)
    return trend(on, o["indicator"], o["level"], **_selection(o, src), counting=o["counting"],
                 institutions=_coordinates(o), settings=src.settings,
                 compare=o.get("compare"), collaboration=o["collaboration"],
                 min_works=o["min_works"], source=source, **_ci(o))


def _strength(o, src):
    from collabnet.analysis.strength import strength

    return strength(src.tables, o["level"], **_selection(o, src),
                    min_weight=o.get("min_weight"), top=o.get("top"), sort=o["sort"])


def _network(o, src):
    from collabnet.analysis.graph import network

    return network(src.tables, o["level"], **_selection(o, src), counting=o["counting"],
                   min_weight=o.get("min_weight"), top=o.get("top"), with_=o.get("with"),
                   layout=o["layout"], dynamic=o["dynamic"], seed=o["seed"])


_COMPUTE = {"shares": _shares, "rank": _rank, "profile": _profile, "partners": _partners,
            "centrality": _centrality, "impact": _impact, "trend": _trend,
            "strength": _strength, "network": _network}


def _synthetic(src: Source) -> bool:
    """Whether figures must say SYNTHETIC DATA: declared, or works recognised as generated."""
    if src.synthetic:
        return True
    if src.tables is None:
        return False
    from collabnet.reports.provenance import synthetic_works

    return synthetic_works(src.tables) > 0


def run_analysis(a, src: Source, outdir: Path) -> tuple[list[Path], int | None]:
    """Compute analysis ``a`` on ``src`` and write its files into ``outdir``; returns every
    file written (a network's side files and a CSV pair included) and, from counts, the
    requests sent to OpenAlex (None otherwise)."""
    o = a.options
    for f in a.files:
        (outdir / f).parent.mkdir(parents=True, exist_ok=True)
    if a.kind == "report":
        return [_report(a, src, outdir)], None
    result = _COMPUTE[a.kind](o, src)
    written: list[Path] = []
    if a.kind == "network":
        from collabnet.export.network_files import write_network

        g = _marked(result) if src.synthetic else result
        for out in a.outputs:
            written.extend(write_network(g, outdir / out, o.get("format")))
    else:
        from collabnet.export.tabular import write_table

        table = result
        if a.kind == "trend":
            table = result.summary if o["summary"] else result.values
        if src.synthetic:
            table = table.assign(synthetic=True)
        write_table(table, outdir / a.outputs[0])
        written.append(outdir / a.outputs[0])
    if a.figure is not None:
        written.append(_figure(a, result, src, outdir / a.figure))
    if not src.counts:
        return written, None
    attrs = (result.values if a.kind == "trend" else result).attrs
    return written, int(attrs.get("requests", 0))


def _marked(g):
    """The network with ``synthetic`` on the graph, every node and every edge (Gephi drops
    graph attributes)."""
    g.graph["synthetic"] = True
    for _, d in g.nodes(data=True):
        d["synthetic"] = True
    for _, _, d in g.edges(data=True):
        d["synthetic"] = True
    return g


def _figure(a, result, src: Source, path: Path) -> Path:
    from collabnet.keys import normalise_focus
    from collabnet.plots import network_figure, partners_chart, save_figure, trend_chart

    o = a.options
    synthetic = _synthetic(src)
    focus = normalise_focus(o["level"], o.get("focus")) if o.get("focus") else None
    if a.kind == "trend":
        fig = trend_chart(result, o["indicator"], highlight=focus[0] if focus else None,
                          min_works=o["min_works"], synthetic=synthetic)
    elif a.kind == "partners":
        fig = partners_chart(result, top=o.get("top") or 15, synthetic=synthetic)
    else:
        fig = network_figure(result, highlight=focus, seed=o["seed"], synthetic=synthetic)
    return save_figure(fig, path)


def _report(a, src: Source, outdir: Path) -> Path:
    from collabnet.reports import report

    o = a.options
    sel = _selection(o, src)
    path = outdir / a.outputs[0]
    with _source_date(src.epoch):
        report(src.tables, sel.pop("focus"), o["level"], **sel, counting=o["counting"],
               ci=o["ci"], top=o["top"], peers=o["peers"], network_top=o["network_top"],
               centrality_top=o["centrality_top"], min_works=o["min_works"],
               n_resamples=o["resamples"], seed=o["seed"],
               synthetic=o["synthetic"] or src.synthetic, title=o.get("title"),
               data_source=src.data_source, output=path)
    return path


@contextlib.contextmanager
def _source_date(epoch: int | None):
    """``SOURCE_DATE_EPOCH`` = the data's day while the report is made, unless the caller
    set it already: a report made again from the same data is the same file."""
    if epoch is None or os.environ.get("SOURCE_DATE_EPOCH", "").strip():
        yield
        return
    os.environ["SOURCE_DATE_EPOCH"] = str(int(epoch))
    try:
        yield
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH", None)
