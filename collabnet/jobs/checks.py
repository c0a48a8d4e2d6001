"""The checks an analysis passes before any work: the ones the command line makes on its
options (year ranges, focus entities, output suffixes, ``with``, layout, the report's limits,
``compare``, groups), each answered with the key it is about so that the job file's line
can be named. The options are completed here as the command line completes them: the level
follows the focus when not given (``I…`` ids: institution), files are made absolute.
"""

from __future__ import annotations

from pathlib import Path

from collabnet.errors import InputError

__all__ = ["check_analysis"]

_TABLE_KINDS = ("shares", "rank", "profile", "partners", "centrality", "impact", "trend",
                "strength")


def check_analysis(a, inp, root: Path) -> tuple[str, str] | None:
    """``(key, message)`` of the first problem of analysis ``a`` on input ``inp``, or None.

    ``a.options`` is completed in place (``level``; ``institutions`` made absolute).
    """
    from collabnet.keys import level_of_focus

    o = a.options
    if o.get("level") is None:
        o["level"] = level_of_focus(o.get("focus"), "country")
    for key, check in _CHECKS:
        if key not in o and key not in ("output", "figure"):
            continue
        try:
            check(a, inp, root)
        except InputError as exc:
            return key, str(exc)
    return None


def _years(a, inp, root) -> None:
    from collabnet.keys import parse_years

    parse_years(a.options.get("years"))


def _counts_years(a, inp, root) -> None:
    from collabnet.keys import parse_years

    years = a.options.get("years")
    if inp.source == "counts" and years is not None and parse_years(years) != inp.years:
        raise InputError(f"years {years!r} differ from the counts input's years: give them "
                         f"once, in [[input]] {inp.index}")


def _focus(a, inp, root) -> None:
    from collabnet.keys import normalise_focus

    o = a.options
    if o.get("focus") is not None and o["level"] != "all":
        normalise_focus(o["level"], o["focus"])


def _output(a, inp, root) -> None:
    if a.kind in _TABLE_KINDS:
        from collabnet.export.tabular import TABLE_FORMATS

        for out in a.outputs:
            suffix = Path(out).suffix.lower()
            if suffix not in TABLE_FORMATS:
                raise InputError(f"{out}: unknown table file type {suffix or '(none)'!r}: use "
                                 f"{' or '.join(TABLE_FORMATS)} (a network is kind = "
                                 "\"network\")")
    elif a.kind == "network":
        from collabnet.export.network_files import format_for

        for out in a.outputs:
            format_for(out, a.options.get("format"))
    elif a.kind == "report":
        for out in a.outputs:
            if Path(out).suffix.lower() not in (".html", ".htm"):
                raise InputError(f"{out}: the report is an HTML file: name it .html")
    if len(a.outputs) > 1 and a.kind != "network":
        raise InputError("one output file: only a network is written in several formats")


def _figure(a, inp, root) -> None:
    if a.figure is None:
        return
    if Path(a.figure).suffix.lower() not in (".png", ".svg"):
        raise InputError(f"{a.figure}: a figure is a .png or .svg file")
    if a.kind == "partners" and a.options["by_year"]:
        raise InputError("the figure draws the ranked partners: leave by_year out, or add a "
                         "second partners analysis for the figure")


def _with(a, inp, root) -> None:
    from collabnet.analysis.graph import parse_with

    parse_with(a.options["with"])


def _layout(a, inp, root) -> None:
    from collabnet.analysis.graph import check_layout

    check_layout(a.options["layout"])


def _report(a, inp, root) -> None:
    if a.kind != "report":
        return
    from collabnet.reports.sections import check_report_options

    o = a.options
    check_report_options(o["focus"], o["level"], top=o["top"], peers=o["peers"],
                         network_top=o["network_top"], centrality_top=o["centrality_top"],
                         min_works=o["min_works"])


def _compare(a, inp, root) -> None:
    o = a.options
    if a.kind == "shares":
        from collabnet.analysis.shares import compared_entities

        compared_entities(o["level"], o["compare"], focus=o.get("focus"),
                          as_of=o.get("as_of"), source=inp.source)
    elif a.kind == "trend":
        from collabnet.keys import parse_years

        span = parse_years(o["compare"], closed=True)
        if span is None or span[0] == span[1]:
            raise InputError(f"compare {o['compare']!r}: give two years, e.g. 2009-2017")


def _group(a, inp, root) -> None:
    from collabnet.groups import group_members

    o = a.options
    if a.kind == "rank":
        if o["level"] != "country":
            raise InputError("group ranks countries: use it with level = \"country\"")
        group_members(o["group"], o.get("as_of"))


def _as_of(a, inp, root) -> None:
    o = a.options
    if a.kind == "rank" and o.get("group") is None:
        raise InputError("as_of goes with group (membership of a group in that year)")
    if a.kind == "shares" and o.get("compare") is None:
        raise InputError("as_of goes with compare (group membership in that year)")


def _institutions(a, inp, root) -> None:
    o = a.options
    p = root / Path(o["institutions"]).expanduser()
    if not p.is_file():
        raise InputError(f"no such file: {o['institutions']} (relative to the job file's "
                         f"folder {root})")
    o["institutions"] = str(p)


#: (key, check) in the order a reader meets them.
_CHECKS = (
    ("years", _years), ("years", _counts_years), ("focus", _focus),
    ("output", _output), ("figure", _figure), ("with", _with), ("layout", _layout),
    ("focus", _report), ("compare", _compare), ("group", _group), ("as_of", _as_of),
    ("institutions", _institutions),
)
