"""The job file's JSON Schema: every table, key, type, default and description in one place.

:func:`job_schema` is what a job file is validated against (with ``jsonschema``, before any
work) and what the job-file reference page is generated from, so every key has a
``description``. The analysis options have the names of the command line's options with
``_`` for ``-`` (``--merge-hk-mo`` is ``merge_hk_mo``; ``--no-ci`` is ``ci = false``), which
are also the library's keywords except where the command line renames them (``resamples`` is
``n_resamples``, ``with`` is ``with_``, ``communities`` is ``communities_method``,
``top_percent`` is ``top`` / 100); their defaults are the command line's. Only
:mod:`collabnet.keys` is imported: building the schema loads no pandas.
"""

from __future__ import annotations

import copy

from collabnet.keys import (
    COLLABORATION_RULES,
    COUNTINGS,
    IMPACT_INDICATORS,
    INDICATORS,
    LEVELS,
    LINK_STRENGTH_ORDERS,
    MIN_WORKS,
    PROFILE_INDICATORS,
)

__all__ = ["ANALYSIS_KINDS", "COUNTS_KINDS", "FIGURE_KINDS", "analysis_defaults", "job_schema"]

#: The analyses a job can run, each the library function (and command) of the same name.
ANALYSIS_KINDS = ("shares", "rank", "profile", "partners", "centrality", "impact", "trend",
                  "strength", "network", "report")
#: The analyses that can answer from OpenAlex ``group_by`` counts (an input with
#: ``source = "counts"``); every other analysis needs the works themselves.
COUNTS_KINDS = ("shares", "rank", "trend")
#: The analyses that can draw a figure (``figure = "name.png"``).
FIGURE_KINDS = ("trend", "partners", "network")

_STR_OR_LIST = {"type": ["string", "array"], "items": {"type": "string"}}
_COLLABORATION = ("all", "international", "domestic", "single_institution")


def _opt(types, description: str, default=None, **extra) -> dict:
    schema = {"type": types, "description": description, **extra}
    if default is not None:
        schema["default"] = default
    return schema


def _list(description: str) -> dict:
    return {**_STR_OR_LIST, "description": description}


def _int(description: str, default=None, least: int | None = None) -> dict:
    return _opt("integer", description, default, **({} if least is None else {"minimum": least}))


def _num(description: str, default=None, least: float | None = None, strict=False,
         **extra) -> dict:
    bound = {} if least is None else {("exclusiveMinimum" if strict else "minimum"): least}
    return _opt("number", description, default, **bound, **extra)


def _flag(description: str, default: bool = False) -> dict:
    return {"type": "boolean", "description": description, "default": default}


_YEARS = _opt(["string", "integer"], "publication years: 2017, 2009-2017, 2009..2017, 2009- "
              "or -2017")

#: The selection every analysis shares (the command line's ``--level`` … options).
_SELECTION = {
    "level": _opt("string", "entities counted: country, institution or author (default "
                  "country; institution when focus names only institution ids)",
                  enum=list(LEVELS)),
    "years": {**_YEARS, "description": "only works published in these years: 2017, "
              "2009-2017, 2009..2017, 2009- or -2017 (for a counts input: the input's years)"},
    "focus": _list("only these entities, e.g. \"JP\", \"JP,DE\", [\"JP\", \"OECD\"] or "
                   "\"I74801974\"; country groups stand for their members"),
    "merge_hk_mo": _flag("count Hong Kong and Macao as China (Leiden Ranking rule)"),
    "collaboration_rule": _opt("string", "international = two or more countries "
                               "(countries, the default), or also two or more institutions "
                               "(leiden: CWTS Leiden Ranking)", enum=list(COLLABORATION_RULES)),
}

_COUNTING = _opt("string", "full (Leiden Ranking rule) or fractional counting", "full",
                 enum=list(COUNTINGS))
_BY_YEAR = _flag("one row per entity and year")
_MIN_WORKS = _int("flag values resting on fewer works as low_evidence", MIN_WORKS, 0)
_SEED = _int("random seed", 0)
_RESAMPLES = _int("bootstrap resamples (library: n_resamples)", 1000, 1)
_TOP = _int("keep only the N entities with most works", least=1)
_MIN_WEIGHT = _num("drop links lighter than this", least=0)


def _ci(default: bool) -> dict:
    return _flag("bootstrap stability intervals (1000 resamples, 95 %)", default)


#: Each analysis's own options, beside the selection.
_OPTIONS: dict[str, dict] = {
    "shares": {
        "by_year": _BY_YEAR,
        "counts": _flag("add domestic, single-institution and unknown counts"),
        "compare": _list("countries and groups side by side, each group as one aggregate "
                         "entity, e.g. \"JP,OECD\" (works inputs only)"),
        "as_of": _int("with compare: group membership in this year (e.g. 2009)"),
        "min_works": _MIN_WORKS,
    },
    "rank": {
        "group": _opt("string", "rank the members of this country group: OECD, EU, EU27, "
                      "EU28, G7, G20, a UN region (\"Eastern Asia\") or a continent"),
        "as_of": _int("membership of group in this year (e.g. 2009: 30 OECD members)"),
        "indicator": _opt("string", "indicator to rank by", "international_share",
                          enum=list(PROFILE_INDICATORS + IMPACT_INDICATORS)),
        "by_year": _flag("one ranking per year"),
        "ascending": _flag("rank the smallest value first"),
        "collaboration": _opt("string", "for citation indicators: which works", "all",
                              enum=list(_COLLABORATION)),
        "counting": _COUNTING, "ci": _ci(False), "resamples": _RESAMPLES, "seed": _SEED,
        "min_works": _MIN_WORKS,
    },
    "profile": {
        "by_year": _BY_YEAR, "counting": _COUNTING,
        "institutions": _opt("string", "OpenAlex institution records with geo coordinates "
                             "(a file, relative to the job file), for the <100 km and "
                             ">5000 km shares"),
        "near_km": _num("short distance in km", 100.0, 0),
        "far_km": _num("long distance in km", 5000.0, 0),
        "distance_rule": _opt("string", "distance known only when all institutions have "
                              "coordinates (complete) or as CWTS does (leiden)", "complete",
                              enum=["complete", "leiden"]),
        "min_coverage": _num("least share of collaborative works with a known distance for "
                             "the distance shares to be shown", 0.8, 0),
        "ci": _ci(False), "resamples": _RESAMPLES, "seed": _SEED, "min_works": _MIN_WORKS,
    },
    "partners": {
        "partner_level": _opt("string", "level of the partners (default: level)",
                              enum=list(LEVELS)),
        "by_year": _flag("one row per partner and year"),
        "top": _int("keep the N highest-ranked partners", least=1),
    },
    "centrality": {
        "counting": {**_COUNTING, "description": "link weights: full or fractional counting"},
        "min_weight": _MIN_WEIGHT, "top": _TOP,
        "k": _int("estimate betweenness/closeness from K sampled sources (default: exact up "
                  "to 2000 nodes, else 500)", least=1),
        "communities": _opt("string", "community detection (leiden needs leidenalg)",
                            "louvain", enum=["louvain", "leiden", "none"]),
        "resolution": _num("modularity resolution", 1.0, 0, strict=True),
        "seed": _SEED,
        "summary": _flag("network summary (density, components, clustering, assortativity) "
                         "instead of one row per node"),
    },
    "impact": {
        "by": _opt("string", "split works by collaboration type or number of countries",
                   "collaboration", enum=["collaboration", "n_countries"]),
        "by_year": _flag("one set of rows per year"),
        "counting": _COUNTING,
        "top_percent": _num("PP(top x %) threshold in percent (library: top = x / 100)", 10.0,
                            0, strict=True, maximum=100),
        "reference": _opt("string", "reference set of the top-x % threshold: the same year, "
                          "or the same year and type", "year", enum=["year", "year_type"]),
        "ci": _ci(True), "resamples": _RESAMPLES, "seed": _SEED, "min_works": _MIN_WORKS,
    },
    "trend": {
        "indicator": _opt("string", "indicator to follow", "international_share",
                          enum=list(INDICATORS)),
        "compare": _opt(["string", "integer"], "the two years of the change column, e.g. "
                        "2009-2017"),
        "counting": _COUNTING,
        "collaboration": _opt("string", "for citation indicators: which works", "all",
                              enum=list(_COLLABORATION)),
        "institutions": _opt("string", "institution records with coordinates (a file, "
                             "relative to the job file), for near_share/far_share"),
        "summary": _flag("write the change/slope summary instead of the yearly values"),
        "ci": _ci(False), "resamples": _RESAMPLES, "seed": _SEED, "min_works": _MIN_WORKS,
    },
    "strength": {
        "min_weight": _num("drop links with a lower fractional weight", least=0), "top": _TOP,
        "sort": _opt("string", "order of the rows", "works", enum=list(LINK_STRENGTH_ORDERS)),
    },
    "network": {
        "counting": {**_COUNTING, "description": "edge weight counting: full or fractional"},
        "min_weight": _num("drop edges lighter than this", least=0), "top": _TOP,
        "format": _opt("string", "write this format whatever the suffix (vosviewer-json: "
                       "VOSviewer Online's JSON)", enum=["graphml", "gexf", "json",
                                                         "vosviewer-json", "csv", "pajek",
                                                         "vos", "parquet"]),
        "with": _list("put analyses on the nodes and edges: centrality, communities, "
                      "strength, shares (library: with_)"),
        "layout": _opt("string", "node positions, sizes and colours (auto: ForceAtlas2 up "
                       "to 1000 nodes)", "auto", enum=["auto", "forceatlas2", "spring", "none"]),
        "dynamic": _flag("per-year values on nodes and edges (GEXF: Gephi's timeline)"),
        "seed": _SEED,
    },
    "report": {
        "counting": {**_COUNTING, "description": "full or fractional counting of the "
                     "profile, impact and link weights"},
        "top": _int("partners listed and drawn, and rows of the centrality table", 15, 1),
        "peers": _int("largest partners followed beside the focus in the trend figure", 3, 0),
        "network_top": _int("nodes drawn in the network picture", 40, 1),
        "centrality_top": _int("measure centrality on the network of the N entities with "
                               "most works and the focus", 500, 1),
        "ci": _ci(True), "resamples": _RESAMPLES, "seed": _SEED, "min_works": _MIN_WORKS,
        "synthetic": _flag("mark the report SYNTHETIC DATA even when no work is recognised "
                           "as synthetic (collabnet's sample always is)"),
        "title": _opt("string", "page title (default: International collaboration: NAME)"),
    },
}

_SUMMARIES = {
    "shares": "international-collaboration share per country or institution "
              "(collabnet.shares; works or counts input)",
    "rank": "rank countries or institutions by an indicator within a group, e.g. OECD "
            "(collabnet.rank; works or counts input)",
    "profile": "collaboration profile: international, domestic, industry, distance shares "
               "(collabnet.profile)",
    "partners": "partners of a focus country or institution, ranked, with trends "
                "(collabnet.partners)",
    "centrality": "degree, strength, betweenness, closeness, eigenvector, PageRank, k-core "
                  "and communities of each node (collabnet.centrality)",
    "impact": "citations by collaboration type, with stability intervals (collabnet.impact)",
    "trend": "an indicator by year for several entities, with change and slope "
             "(collabnet.trend; works or counts input)",
    "strength": "normalised link strength of every link (collabnet.strength)",
    "network": "co-authorship network for Gephi, Gephi Lite, VOSviewer, its formats by the "
               "suffixes of output (collabnet.network, collabnet.write_network)",
    "report": "one-page HTML report on one country or institution (collabnet.report)",
}

_OUTPUT = {
    "table": {"type": "string", "description": "table file to write in the output folder, "
              ".csv or .parquet by its suffix"},
    "network": {**_STR_OR_LIST, "description": "network file(s) to write in the output "
                "folder, each format by its suffix: .graphml, .gexf, .json, .csv (nodes and "
                "edges files), .net (Pajek), .vos (VOSviewer), .parquet; each gets a side "
                "_meta.json"},
    "report": {"type": "string", "description": "HTML file to write in the output folder"},
}

_REQUIRED_FOCUS = ("partners", "report")


def _analysis(kind: str) -> dict:
    out = _OUTPUT["network" if kind == "network" else "report" if kind == "report" else "table"]
    props = {
        "kind": {"const": kind, "description": "the analysis: " + kind},
        "input": {"type": "string", "description": "name of the [[input]] it reads (may be "
                  "left out when the job has one input)"},
        "output": out,
        **copy.deepcopy(_SELECTION),
        **copy.deepcopy(_OPTIONS[kind]),
    }
    if kind == "impact":
        props["level"]["enum"] = [*LEVELS, "all"]
        props["level"]["description"] += "; all = the whole data set"
    if kind in _REQUIRED_FOCUS:
        props["focus"]["description"] = ("the focus entity, e.g. \"JP\" or \"I134085113\""
                                         + (" (one only)" if kind == "report" else ""))
    if kind in FIGURE_KINDS:
        props["figure"] = {"type": "string", "description": "also draw a figure of the "
                           "result: a .png or .svg file in the output folder"}
    return {
        "type": "object",
        "description": _SUMMARIES[kind],
        "properties": props,
        "required": ["kind", "output", *(["focus"] if kind in _REQUIRED_FOCUS else [])],
        "additionalProperties": False,
    }


def _input() -> dict:
    return {
        "type": "object",
        "description": "a set of works: files or folders (path, snapshot), or an OpenAlex "
                       "query (country, institution, years, type) fetched into the cache",
        "properties": {
            "name": {"type": "string", "pattern": "^[A-Za-z0-9_.-]+$",
                     "description": "the name analyses refer to it by (letters, digits, _ . -)"},
            "source": {"type": "string", "enum": ["works", "counts"], "default": "works",
                       "description": "works: download the works (files or a query); counts: "
                       "answer shares, rank and trend from OpenAlex group_by counts, a few "
                       "requests instead of downloading works (needs years)"},
            "path": _list("files or folders of work records (.jsonl, .jsonl.gz, snapshot "
                          "part files, .json), relative to the job file"),
            "snapshot": _opt("string", "a folder of an OpenAlex snapshot (updated_date=…/"
                             "part_NNN.gz), relative to the job file; read like path"),
            "skip_bad": _flag("skip malformed records with a warning, instead of stopping"),
            "country": _list("works with an institution in these countries (ISO codes, or "
                             "groups such as OECD), e.g. \"JP\" or [\"JP\", \"KR\"]"),
            "institution": _list("works with these institutions (OpenAlex I… or ROR ids)"),
            "years": {**_YEARS, "description": "publication years of the query (one slice "
                      "per year), e.g. 2009-2017"},
            "type": _list("work types, e.g. \"article\" (default: all)"),
            "include_paratext": _flag("keep paratext (front matter, tables of contents)"),
            "exclude_retracted": _flag("drop retracted works"),
            "strict": _flag("fail when OpenAlex ends a year short of its own count, instead "
                            "of going on with a warning"),
        },
        "additionalProperties": False,
    }


def job_schema() -> dict:
    """The JSON Schema (draft 2020-12) of a job file, read as TOML into a dict.

    Every table and key has a ``description``; the analyses are in ``$defs`` (one per
    kind), chosen by their ``kind``.

    >>> s = job_schema()
    >>> sorted(s["properties"])
    ['analysis', 'input', 'job', 'openalex']
    >>> s["$defs"]["shares"]["properties"]["by_year"]["default"]
    False
    """
    defs = {kind: _analysis(kind) for kind in ANALYSIS_KINDS}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://collabnet.example/job.schema.json",
        "title": "collabnet job file",
        "description": "A study as a TOML file for `collabnet run`: its inputs, its "
                       "analyses and where their outputs go. Relative paths are relative to "
                       "the job file's folder.",
        "type": "object",
        "properties": {
            "job": {"type": "object", "description": "the job as a whole",
                    "properties": {
                        "name": {"type": "string", "description": "a name for people"},
                        "description": {"type": "string", "description": "what it answers"},
                        "output": {"type": "string", "description": "the output folder, "
                                   "relative to the job file (default: <job file name>-out;"
                                   " `collabnet run -o DIR` overrides it)"},
                    }, "additionalProperties": False},
            "openalex": {"type": "object", "description": "how the queries reach OpenAlex",
                         "properties": {
                             "server": {"type": "string", "default": "api",
                                        "description": "api (api.openalex.org, the default;"
                                        " the key from OPENALEX_API_KEY), an OpenAlex-"
                                        "compatible base URL, or synthetic: collabnet's "
                                        "loopback server over a generated world (synthetic,"
                                        " not real data; no network)"},
                             "cache": {"type": "string", "description": "cache folder of "
                                       "fetched pages, relative to the job file (default: "
                                       "COLLABNET_CACHE, else ./cache); unused by synthetic"},
                             "works": _int("synthetic: works in the generated world", 20000,
                                           1),
                             "seed": _int("synthetic: seed of the generated world", 2024),
                             "years": {**_YEARS, "default": "2009-2017", "description":
                                       "synthetic: publication years of the generated "
                                       "world (both ends)"},
                         }, "additionalProperties": False},
            "input": {"type": "array", "description": "the works the analyses read, one "
                      "[[input]] table each", "items": _input(), "minItems": 1},
            "analysis": {"type": "array", "minItems": 1,
                         "description": "the analyses, one [[analysis]] table each, run in "
                         "order",
                         "items": {
                             "type": "object",
                             "description": "one analysis; its keys depend on kind",
                             "properties": {"kind": {"type": "string",
                                                     "enum": list(ANALYSIS_KINDS),
                                                     "description": "which analysis"}},
                             "required": ["kind"],
                             "allOf": [{"if": {"properties": {"kind": {"const": k}},
                                               "required": ["kind"]},
                                        "then": {"$ref": f"#/$defs/{k}"}}
                                       for k in ANALYSIS_KINDS],
                         }},
        },
        "required": ["input", "analysis"],
        "additionalProperties": False,
        "$defs": defs,
    }


def analysis_defaults(kind: str) -> dict:
    """The default of every option of ``kind`` that has one (the command line's defaults).

    >>> analysis_defaults("impact")["top_percent"], analysis_defaults("impact")["ci"]
    (10.0, True)
    """
    return {k: v["default"] for k, v in _analysis(kind)["properties"].items() if "default" in v}
