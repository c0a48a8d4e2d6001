"""The generated pages of the documentation, and the check that every public function is
documented.

Three reference pages are made from the code itself, so that they cannot drift from it:

- the command-line reference, from :func:`collabnet.cli.app.build_parser` (every command and
  sub-command, its usage and its options);
- the library reference, one ``::: path`` block per name in ``collabnet.__all__`` for
  mkdocstrings to render from the docstrings (grouped by :data:`SECTIONS`; a name missing
  from them lands on the last page, so a new export is never left out), and a page of the
  unexported :data:`BUILDING_BLOCKS` that the definitions cite;
- the job-file reference, from the JSON Schema of ``collabnet.jobs.schema.job_schema()``.

:func:`undocumented` lists every public function or class without a docstring: the names in
``collabnet.__all__``, the public methods of the classes among them, the public functions
of the modules they come from (``__all__`` where a module has one) and the building blocks.
The build hook (``collabnet_docs.py``) fails the build when the list is not empty.

Used by the mkdocs hook and the griffe extension beside this file, and by
``tests/test_docs.py``.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import re
from dataclasses import dataclass, field

#: Pages of the library reference: (page path, title, introduction, names in order).
SECTIONS = [
    (
        "reference/library/loading.md",
        "Loading works",
        "Where works come from: files and folders, OpenAlex snapshots, OpenAlex queries "
        "(fetched and cached), the synthetic sample; and the one door in, `load()`.",
        ["load", "read_tables", "WorkQuery", "Settings", "get_settings", "fetch",
         "count_shares", "iter_works", "read_works", "read_institutions", "snapshot_info",
         "is_snapshot", "open_snapshot", "read_snapshot_frames", "sample", "generate_works",
         "cache_list", "cache_clear"],
    ),
    (
        "reference/library/tables.md",
        "Tables and selection",
        "The canonical form every indicator reads (`WorkTables`), the one selection every "
        "indicator starts with (`select()`), years and country groups.",
        ["WorkTables", "build_tables", "select", "Selection", "merge_hong_kong_macao",
         "parse_years", "group_members"],
    ),
    (
        "reference/library/networks.md",
        "Networks",
        "Co-authorship networks of countries, institutions and authors, and the files Gephi, "
        "Gephi Lite and VOSviewer open.",
        ["network", "coauthorship_network", "country_network", "institution_network",
         "write_network", "write_graphml"],
    ),
    (
        "reference/library/indicators.md",
        "Indicators",
        "Every indicator takes the same keywords in the same order: `level`, then `years`, "
        "`focus`, `counting`, `merge_hk_mo`, `collaboration_rule`. The definitions, with "
        "formulas and references, are gathered on the [Definitions](../../definitions.md) "
        "page.",
        ["shares", "international_shares", "collaboration_summary", "profile",
         "collaboration_profile", "partners", "strength", "link_strength",
         "add_link_strength", "centrality", "communities", "network_summary", "impact",
         "impact_by_collaboration", "trend", "indicator_trend", "rank"],
    ),
    (
        "reference/library/outputs.md",
        "Reports, jobs, demo and errors",
        "The one-page report, batch jobs (`run`, `verify`), the demo study, the package's "
        "constants and its error types.",
        ["report", "run", "run_job", "verify", "demo", "SYNTHETIC_NOTICE", "__version__",
         "CollabnetError", "InputError", "MalformedRecordError", "FetchError"],
    ),
]


#: Functions that are not exported but that the definitions rest on (their docstrings carry
#: the formulas): rendered on one more page, and cross-referenced from the others.
BUILDING_BLOCKS_PAGE = "reference/library/building-blocks.md"
BUILDING_BLOCKS = [
    "collabnet.tables.classify_collaboration",
    "collabnet.selection.with_groups",
    "collabnet.networks.fractional_links",
    "collabnet.analysis.geo.work_distances",
    "collabnet.analysis.geo.haversine_km",
    "collabnet.analysis.impact.top_share_weights",
    "collabnet.analysis.bootstrap.stability_intervals",
    "collabnet.analysis.centrality.eigenvector_centrality",
    "collabnet.analysis.centrality.pagerank",
    "collabnet.analysis.shortest_paths.shortest_path_centrality",
    "collabnet.analysis.trends.ols_slope",
]


class DocsError(Exception):
    """A generated page cannot be made; the message says why and what to do."""


# --------------------------------------------------------------------------- public names


@dataclass
class Entry:
    """One rendered object: its canonical path and the public names that refer to it."""

    path: str
    names: list[str] = field(default_factory=list)
    kind: str = "function"


def canonical_path(obj) -> str | None:
    """``module.qualname`` of a function or class (where griffe finds it), else None."""
    if inspect.ismodule(obj):
        return obj.__name__
    module = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None)
    if (inspect.isfunction(obj) or inspect.isclass(obj)) and module and qualname:
        return f"{module}.{qualname}"
    return None


def public_entries() -> tuple[list[tuple[str, str, str, list[Entry | str]]], list[str]]:
    """The library reference pages with their entries, and problems with :data:`SECTIONS`.

    An entry is an :class:`Entry` (rendered by mkdocstrings) or, for a constant, its public
    name (described in prose). Names that refer to the same object (``profile`` and
    ``collaboration_profile``) share one entry.
    """
    import collabnet

    exported = list(collabnet.__all__)
    problems = [f"collabnet.{n} is listed in docs/_hooks/docgen.py SECTIONS but is not in "
                f"collabnet.__all__" for _, _, _, names in SECTIONS for n in names
                if n not in exported]
    listed = {n for _, _, _, names in SECTIONS for n in names}
    sections = [(p, t, i, [n for n in names if n in exported]) for p, t, i, names in SECTIONS]
    more = [n for n in exported if n not in listed]
    if more:
        path, title, intro, names = sections[-1]
        sections[-1] = (path, title, intro, names + more)
    pages = []
    seen: dict[str, Entry] = {}
    for path, title, intro, names in sections:
        entries: list[Entry | str] = []
        for name in names:
            obj = getattr(collabnet, name)
            target = canonical_path(obj)
            if target is None:
                entries.append(name)
                continue
            if target in seen:
                seen[target].names.append(name)
                continue
            kind = "class" if inspect.isclass(obj) else "function"
            seen[target] = Entry(target, [name], kind)
            entries.append(seen[target])
        pages.append((path, title, intro, entries))
    return pages, problems


def _building_block(path: str):
    module, _, name = path.rpartition(".")
    try:
        obj = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        raise DocsError(f"{path} (in BUILDING_BLOCKS of docs/_hooks/docgen.py) does not "
                        "exist: remove it there, or point it at where the function moved"
                        ) from None
    if canonical_path(obj) != path:
        raise DocsError(f"{path} is {canonical_path(obj)}: use that path in BUILDING_BLOCKS")
    return obj


def rendered_paths() -> set[str]:
    """Canonical paths of every object the library reference renders, with class members."""
    import collabnet

    out = set(BUILDING_BLOCKS)
    for name in collabnet.__all__:
        obj = getattr(collabnet, name)
        path = canonical_path(obj)
        if path is None:
            continue
        out.add(path)
        if inspect.isclass(obj):  # methods and properties (attributes get no heading)
            for k, v in vars(obj).items():
                func = v.fget if isinstance(v, property) else getattr(v, "__func__", v)
                if not k.startswith("_") and inspect.isfunction(func) and _own_doc(func):
                    out.add(f"{path}.{k}")
    return out


# ------------------------------------------------------------------ the docstring check


def _own_doc(obj) -> str:
    return (getattr(obj, "__doc__", None) or "").strip()


def _members_without_docs(cls) -> list[str]:
    missing = []
    for name, value in vars(cls).items():
        if name.startswith("_"):
            continue
        func = value.fget if isinstance(value, property) else getattr(value, "__func__", value)
        if inspect.isfunction(func) and not _own_doc(func):
            missing.append(f"{canonical_path(cls)}.{name}")
    return missing


def undocumented() -> list[str]:
    """Every public function, class or public method that has no docstring.

    Looked at: the functions and classes in ``collabnet.__all__`` and the public methods and
    properties of those classes (all of which the library reference renders); then, in each
    module they come from, the functions and classes of its ``__all__`` (or, without one,
    the public functions and classes defined there); and the :data:`BUILDING_BLOCKS`.
    """
    import collabnet

    missing: list[str] = []
    modules = set()
    for name in collabnet.__all__:
        obj = getattr(collabnet, name)
        if not (inspect.isfunction(obj) or inspect.isclass(obj)):
            continue
        modules.add(obj.__module__)
        if not _own_doc(obj):
            missing.append(f"collabnet.{name} ({canonical_path(obj)})")
        if inspect.isclass(obj):
            missing += _members_without_docs(obj)
    for module_name in sorted(modules):
        module = importlib.import_module(module_name)
        names = getattr(module, "__all__", None)
        if names is None:
            names = [k for k, v in vars(module).items() if not k.startswith("_")
                     and getattr(v, "__module__", None) == module_name]
        for name in names:
            obj = getattr(module, name, None)
            if not (inspect.isfunction(obj) or inspect.isclass(obj)):
                continue
            if not _own_doc(obj):
                missing.append(f"{module_name}.{name}")
    missing += [path for path in BUILDING_BLOCKS if not _own_doc(_building_block(path))]
    return sorted(set(missing))


# ------------------------------------------------------------------- library reference


def library_page(path: str, title: str, intro: str, entries: list) -> str:
    """The Markdown of one library reference page: ``:::`` blocks for mkdocstrings."""
    import collabnet

    lines = [f"# {title}", "", intro, "",
             "*Generated from the docstrings of the names in `collabnet.__all__`.*", ""]
    for entry in entries:
        if isinstance(entry, str):  # a constant: its value, in prose
            value = getattr(collabnet, entry)
            lines += [f"## `collabnet.{entry}`", ""]
            if entry == "__version__":
                lines += ["The installed version of collabnet.", ""]
            elif entry == "SYNTHETIC_NOTICE":
                lines += ["The notice every output made from synthetic records carries "
                          "(`collabnet demo`, `collabnet sample`, figures and reports):", ""]
            lines += ["```text", str(value), "```", ""]
            continue
        names = [f"collabnet.{n}" for n in entry.names]
        heading = names[0] if len(names) == 1 else f"{names[0]} = {' = '.join(names[1:])}"
        lines += [
            f"::: {entry.path}",
            "    options:",
            f"      heading: {json.dumps(heading)}",
            f"      toc_label: {json.dumps(entry.names[0])}",
            "",
        ]
        if len(names) > 1:
            lines += [f"*{', '.join(f'`{n}`' for n in names)} are the same "
                      f"{'class' if entry.kind == 'class' else 'function'} "
                      f"(`{entry.path}`).*", ""]
    return "\n".join(lines)


def building_blocks_page() -> str:
    """The page of :data:`BUILDING_BLOCKS`: not exported, but the definitions rest on them."""
    lines = ["# Building blocks", "",
             "Functions that are not part of `collabnet`'s public names but that the "
             "indicators are made of; their docstrings define the measures (formulas, "
             "references, examples). Import them from their modules.", ""]
    for path in BUILDING_BLOCKS:
        _building_block(path)
        lines += [f"::: {path}", "    options:",
                  f"      toc_label: {json.dumps(path.rsplit('.', 1)[-1])}", ""]
    return "\n".join(lines)


def library_pages() -> dict[str, str]:
    """Path -> Markdown of every library reference page."""
    pages, problems = public_entries()
    if problems:
        raise DocsError("; ".join(problems))
    out = {path: library_page(path, title, intro, entries)
           for path, title, intro, entries in pages}
    out[BUILDING_BLOCKS_PAGE] = building_blocks_page()
    return out


# ------------------------------------------------------------------------ CLI reference


def _escape(text: str) -> str:
    """Plain text (argparse help, schema descriptions) for a Markdown table cell.

    Markup characters are escaped outside `code spans`, which are kept as they are.
    """
    text = " ".join(str(text).split())
    parts = re.split(r"(`[^`]*`)", text)
    for i, part in enumerate(parts):
        if i % 2 == 0:
            part = part.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            part = re.sub(r"([*_\[\]\\|])", r"\\\1", part)
        parts[i] = part
    return "".join(parts)


def _subcommands(parser: argparse.ArgumentParser):
    """(name, help, sub-parser) of each sub-command, in the order ``--help`` lists them."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help for a in action._choices_actions}
            for name, sub in action.choices.items():
                yield name, helps.get(name), sub


def _option_rows(parser: argparse.ArgumentParser) -> list[tuple[str, list[tuple[str, str]]]]:
    formatter = parser._get_formatter()
    groups = []
    for group in parser._action_groups:
        rows = []
        for action in group._group_actions:
            if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
                continue
            if action.help == argparse.SUPPRESS:
                continue
            if action.option_strings:
                metavar = ""
                if action.nargs != 0:
                    metavar = " " + formatter._format_args(
                        action, formatter._get_default_metavar_for_optional(action))
                flags = ", ".join(f"`{o}{metavar}`" for o in action.option_strings)
            else:
                flags = f"`{formatter._format_args(action, action.dest)}`"
            help_text = formatter._expand_help(action) if action.help else ""
            choices = getattr(action, "choices", None)
            if choices and not action.option_strings and isinstance(choices, (list, tuple)):
                help_text = f"one of {', '.join(map(str, choices))}. {help_text}".strip()
            rows.append((flags, _escape(help_text)))
        if rows:
            groups.append((group.title, rows))
    return groups


def _command_section(prog: str, summary: str | None, parser, depth: int) -> list[str]:
    hashes = "#" * min(depth, 6)
    lines = [f"{hashes} `{prog}`", ""]
    if summary:
        lines += [summary[0].upper() + summary[1:] + ("" if summary.endswith(".") else "."), ""]
    if parser.description:
        lines += [parser.description, ""]
    usage = parser.format_usage().strip()
    lines += ["```text", usage, "```", ""]
    for title, rows in _option_rows(parser):
        lines += [f"**{title[0].upper() + title[1:]}**", "", "| option | what it does |",
                  "|---|---|"]
        lines += [f"| {flags} | {text} |" for flags, text in rows]
        lines.append("")
    if parser.epilog:
        lines += ["```text", parser.epilog.strip(), "```", ""]
    for name, sub_help, sub in _subcommands(parser):
        lines += _command_section(f"{prog} {name}", sub_help, sub, depth + 1)
    return lines


def cli_page() -> str:
    """The command-line reference: every command of ``build_parser()``, usage and options."""
    import os

    from collabnet.cli.app import build_parser

    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "100"  # argparse wraps usage to the terminal: fix it
    try:
        parser = build_parser()
        lines = [
            "# Command line",
            "",
            "*Generated from `collabnet.cli.app.build_parser()` when the site is built: "
            "these are the options of the installed version.* Every command is the library "
            "function of the same name (`collabnet shares` is "
            "[`collabnet.shares`][collabnet.analysis.shares.shares]), with options named "
            "like its keywords. A user error is one line, `collabnet: error: …`, with exit "
            "status 2; Ctrl-C and SIGTERM exit with 130.",
            "",
            "```text",
            parser.format_help().strip(),
            "```",
            "",
        ]
        for name, summary, sub in _subcommands(parser):
            lines += _command_section(f"collabnet {name}", summary, sub, 2)
        return "\n".join(lines)
    finally:
        if old is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = old


def command_names() -> list[str]:
    """Every command and sub-command, as typed (``collabnet cache``, …)."""
    from collabnet.cli.app import build_parser

    out = []

    def walk(prog, parser):
        for name, _, sub in _subcommands(parser):
            out.append(f"{prog} {name}")
            walk(f"{prog} {name}", sub)

    walk("collabnet", build_parser())
    return out


# ----------------------------------------------------------------- job-file reference

JOB_SCHEMA_MODULE = "collabnet.jobs.schema"


def job_schema() -> dict:
    """``collabnet.jobs.schema.job_schema()``, or :class:`DocsError` saying what is missing."""
    try:
        module = importlib.import_module(JOB_SCHEMA_MODULE)
    except ModuleNotFoundError as exc:
        if exc.name and JOB_SCHEMA_MODULE.startswith(exc.name):
            raise DocsError(
                f"the job-file reference is generated from {JOB_SCHEMA_MODULE}.job_schema(), "
                f"and {exc.name} is missing (No module named {exc.name!r}). Add the jobs "
                "package (collabnet/jobs/schema.py with job_schema() returning the JSON "
                "Schema of a job file), or build the docs on a checkout that has it."
            ) from None
        raise
    if not hasattr(module, "job_schema"):
        raise DocsError(f"{JOB_SCHEMA_MODULE} has no job_schema(): the job-file reference is "
                        "generated from it (a JSON Schema dict with descriptions)")
    schema = module.job_schema()
    if not isinstance(schema, dict):
        raise DocsError(f"{JOB_SCHEMA_MODULE}.job_schema() returned "
                        f"{type(schema).__name__}, not a JSON Schema dict")
    return schema


def _resolve(schema: dict, node: dict) -> tuple[dict, str | None]:
    """Follow a local ``$ref`` (``#/$defs/name``); returns the node and the name it had."""
    ref = node.get("$ref") if isinstance(node, dict) else None
    if not isinstance(ref, str) or not ref.startswith("#/"):
        return node, None
    target = schema
    for part in ref[2:].split("/"):
        target = target.get(part, {}) if isinstance(target, dict) else {}
    return (target if isinstance(target, dict) else {}), ref.rsplit("/", 1)[-1]


def _anchor(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _is_table(node: dict) -> bool:
    return node.get("type") == "object" or "properties" in node


def _type_of(schema: dict, node: dict) -> str:
    """A schema node's type in words: ``string or array of string``, ``one of "a", "b"``."""
    node, ref_name = _resolve(schema, node)
    if "const" in node:
        return f"`{json.dumps(node['const'])}`"
    if "enum" in node:
        return "one of " + ", ".join(f"`{json.dumps(v)}`" for v in node["enum"])
    for key in ("oneOf", "anyOf"):
        if key in node:
            return " or ".join(_type_of(schema, n) for n in node[key])
    types = node.get("type")
    types = types if isinstance(types, list) else [types] if types else []
    words = []
    for t in types:
        if t == "array":
            items = node.get("items")
            words.append(f"array of {_type_of(schema, items)}" if isinstance(items, dict)
                         else "array")
        elif t == "object" and ref_name:
            words.append(f"table ([{ref_name}](#{_anchor(ref_name)}))")
        elif t == "object":
            words.append("table")
        else:
            words.append(str(t))
    if not words:
        words = ["table" if "properties" in node else "any"]
    return " or ".join(words)


def _details(node: dict) -> str:
    """Default, bounds and examples of a schema node, as one short phrase."""
    bits = []
    if "default" in node:
        bits.append(f"default `{json.dumps(node['default'])}`")
    for key, word in (("minimum", "at least"), ("maximum", "at most"),
                      ("exclusiveMinimum", "more than"), ("exclusiveMaximum", "less than"),
                      ("minItems", "items: at least"), ("pattern", "matching")):
        if key in node:
            bits.append(f"{word} `{node[key]}`")
    if isinstance(node.get("examples"), list) and node["examples"]:
        bits.append("e.g. " + ", ".join(f"`{json.dumps(e)}`" for e in node["examples"][:3]))
    return "; ".join(bits)


def _key_table(schema: dict, node: dict) -> list[str]:
    """The table of a schema object's keys: key, type, required, description."""
    node, _ = _resolve(schema, node)
    required = set(node.get("required", []))
    lines = ["| key | type | required | description |", "|---|---|---|---|"]
    for key, prop in node.get("properties", {}).items():
        target, _ = _resolve(schema, prop)
        desc = _escape(prop.get("description") or target.get("description") or "")
        extra = _details({**target, **prop})
        if extra:
            desc = f"{desc} ({extra})" if desc else extra
        lines.append(f"| `{key}` | {_type_of(schema, prop)} | "
                     f"{'yes' if key in required else ''} | {desc} |")
    if node.get("additionalProperties") is False:
        lines += ["", "Any other key is an error."]
    return lines


def _variants(schema: dict, node: dict) -> list[tuple[str, str, dict]]:
    """``allOf`` branches ``if key == value then $ref``: (key, value, the branch's schema)."""
    out = []
    for branch in node.get("allOf", []):
        cond = branch.get("if", {}).get("properties", {})
        then = branch.get("then")
        if len(cond) != 1 or not isinstance(then, dict):
            continue
        (key, test), = cond.items()
        if "const" in test:
            target, _ = _resolve(schema, then)
            out.append((key, test["const"], target))
    return out


def _section(schema: dict, header: str, node: dict, depth: int, done: set) -> list[str]:
    """A TOML table (``[job]``) or array of tables (``[[input]]``): its keys and variants."""
    hashes = "#" * depth
    lines = [f"{hashes} `{header}` {{#{_anchor(header)}}}", ""]
    if node.get("description"):
        lines += [node["description"][0].upper() + node["description"][1:] + ".", ""]
    variants = _variants(schema, node)
    lines += _key_table(schema, node) + [""]
    for key, value, target in variants:
        name = f"{key} = {json.dumps(value)}"
        lines += [f"{hashes}# `{name}` {{#{_anchor(header + ' ' + str(value))}}}", ""]
        if target.get("description"):
            lines += [target["description"][0].upper() + target["description"][1:] + ".", ""]
        lines += _key_table(schema, target) + [""]
    for _, _, target in variants:
        done.add(id(target))
    return lines


def job_file_page(schema: dict | None = None, example: tuple[str, str] | None = None) -> str:
    """The job-file reference, generated from the JSON Schema of a job file.

    ``example``: (name, TOML text) of an example job, shown at the end.
    """
    schema = job_schema() if schema is None else schema
    lines = [
        "# Job file",
        "",
        f"*Generated from `{JOB_SCHEMA_MODULE}.job_schema()` (a JSON Schema) when the site is "
        "built.* A job file is TOML, run with `collabnet run JOB.toml` and checked afterwards "
        "with `collabnet verify OUTDIR` (see [Batch jobs](../howto/batch-jobs.md)).",
        "",
    ]
    if schema.get("description"):
        lines += [schema["description"], ""]
    props = schema.get("properties", {})
    required = set(schema.get("required", []))
    lines += ["| section | what it is | required |", "|---|---|---|"]
    sections = []
    for key, prop in props.items():
        node, _ = _resolve(schema, prop)
        items, _ = _resolve(schema, node.get("items", {})) if node.get("type") == "array" \
            else ({}, None)
        if _is_table(node):
            header, body = f"[{key}]", node
        elif items and _is_table(items):
            header, body = f"[[{key}]]", {**items, "description": node.get("description")
                                          or items.get("description", "")}
        else:
            header, body = key, None
        desc = _escape(node.get("description", ""))
        shown = f"[`{header}`](#{_anchor(header)})" if body is not None else f"`{header}`"
        lines.append(f"| {shown} | {desc} | {'yes' if key in required else ''} |")
        if body is not None:
            sections.append((header, body))
    lines.append("")
    done: set = set()
    for header, body in sections:
        lines += _section(schema, header, body, 2, done)
    for key in ("$defs", "definitions"):
        rest = [(n, d) for n, d in schema.get(key, {}).items() if id(d) not in done]
        if rest:
            lines += ["## Other definitions", ""]
        for name, node in rest:
            lines += [f"### `{name}` {{#{_anchor(name)}}}", ""]
            if node.get("description"):
                lines += [node["description"], ""]
            lines += (_key_table(schema, node) if "properties" in node
                      else [f"Type: {_type_of(schema, node)}."]) + [""]
    if example is not None:
        name, text = example
        lines += ["## Example", "", f"`{name}`:", "", "```toml", text.rstrip(), "```", ""]
    lines += ["## The schema", "", '??? note "The whole JSON Schema"', "", "    ```json"]
    lines += ["    " + line for line in json.dumps(schema, indent=2).splitlines()]
    lines += ["    ```", ""]
    return "\n".join(lines)


#: The example job shown on the job-file page, relative to the checkout.
EXAMPLE_JOB = "examples/japan.toml"


def _example_job() -> tuple[str, str] | None:
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / EXAMPLE_JOB
    return (EXAMPLE_JOB, path.read_text(encoding="utf-8")) if path.is_file() else None


def generated_pages() -> dict[str, str]:
    """Path (under docs/) -> Markdown of every generated page."""
    pages = {"reference/cli.md": cli_page(),
             "reference/job-file.md": job_file_page(example=_example_job())}
    pages.update(library_pages())
    return pages
