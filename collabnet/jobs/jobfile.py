"""A job file read and checked whole, before any work: :func:`read_job` gives a :class:`Job`.

First the TOML is parsed, then validated against :func:`~collabnet.jobs.schema.job_schema`
with ``jsonschema`` (an unknown key, a wrong type, an unknown analysis kind or value), then
checked for what a schema cannot see (a missing input file, an analysis naming an input that
does not exist, a bad year range or focus, an output outside the output folder or written
twice), with the checks the command line makes before its work. The first problem, in the
order of the file, is one :class:`~collabnet.errors.InputError` line with the file's name
and the line: ``job.toml:12: unknown key 'levle' in [[analysis]] 2 (valid: level, …)``.
"""

from __future__ import annotations

import difflib
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from collabnet.errors import InputError
from collabnet.jobs.checks import check_analysis
from collabnet.jobs.locate import TomlText, parse_toml
from collabnet.jobs.schema import ANALYSIS_KINDS, COUNTS_KINDS, analysis_defaults, job_schema

__all__ = ["Analysis", "Input", "Job", "read_job"]

_STRUCTURE = ("kind", "input", "output", "figure")
_QUERY_KEYS = ("country", "institution", "years", "type", "include_paratext",
               "exclude_retracted", "strict")


@dataclass
class Input:
    """One ``[[input]]``: files (``paths``) or an OpenAlex query (``query``; for counts
    without country or institution, all works of its years, counted by country)."""

    name: str
    index: int
    line: int
    source: str = "works"  # works | counts
    paths: list[Path] | None = None
    query: object = None  # WorkQuery or None
    years: tuple | None = None
    skip_bad: bool = False
    strict: bool = False
    spec: dict = field(default_factory=dict)

    @property
    def is_query(self) -> bool:
        return self.paths is None


@dataclass
class Analysis:
    """One ``[[analysis]]``: its kind, its input's name, its options (the defaults filled
    in, as the command line has them), its outputs relative to the output folder."""

    index: int  # 1-based, as in messages
    line: int
    kind: str
    input: str
    options: dict
    outputs: list[str]
    figure: str | None = None

    @property
    def label(self) -> str:
        return f"[[analysis]] {self.index} ({self.kind})"

    @property
    def files(self) -> list[str]:
        return self.outputs + ([self.figure] if self.figure else [])


@dataclass
class Job:
    """A checked job file."""

    path: Path
    name: str  # the path as given, for messages
    sha256: str
    root: Path  # the job file's folder: relative paths start here
    output: Path
    openalex: dict
    inputs: dict[str, Input]
    analyses: list[Analysis]
    lines: TomlText

    @property
    def synthetic(self) -> bool:
        return self.openalex.get("server", "api") == "synthetic"

    def fail(self, path, message: str) -> InputError:
        line = self.lines.line_of(path)
        return InputError(f"{self.name}:{line}: {message}" if line else f"{self.name}: {message}")


def read_job(path: str | os.PathLike) -> Job:
    """Read, validate and check the job file ``path`` (see the module docstring).

    Raises
    ------
    InputError
        One line ``FILE:LINE: what is wrong``, for the first problem in the file.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read the job file ({exc.strerror or exc})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: the job file is not UTF-8 text ({exc.reason})") from None
    doc = parse_toml(text, str(path))
    lines = TomlText(text)
    _validate(doc, lines, str(path))
    root = path.resolve().parent
    jobtab = doc.get("job", {})
    out = root / jobtab["output"] if "output" in jobtab else root / f"{path.stem}-out"
    job = Job(path=path, name=str(path), sha256=hashlib.sha256(raw).hexdigest(), root=root,
              output=out, openalex=dict(doc.get("openalex", {})), inputs={}, analyses=[],
              lines=lines)
    _check_openalex(job)
    for i, spec in enumerate(doc["input"]):
        inp = _input(job, i, spec)
        if inp.name in job.inputs:
            raise job.fail(("input", i, "name"), f"input name {inp.name!r} is used twice")
        job.inputs[inp.name] = inp
    seen: dict[str, int] = {}
    for i, spec in enumerate(doc["analysis"]):
        a = _analysis(job, i, spec)
        for f in a.files:
            key = f.lower()
            if key in seen:
                raise job.fail(("analysis", i, "output"), f"{a.label} writes {f}, which "
                               f"[[analysis]] {seen[key]} writes too")
            seen[key] = a.index
        job.analyses.append(a)
    return job


# --- the schema ------------------------------------------------------------------------------
def _validate(doc: dict, lines: TomlText, name: str) -> None:
    from jsonschema import Draft202012Validator

    schema = job_schema()
    errors = []
    for err in Draft202012Validator(schema).iter_errors(doc):
        path, message = _explain(err, schema)
        line = lines.line_of(path)
        errors.append((line if line is not None else 0, len(path), message))
    if errors:
        line, _, message = min(errors, key=lambda e: (e[0], -e[1]))
        raise InputError(f"{name}:{line}: {message}" if line else f"{name}: {message}")


def _where(path) -> str:
    path = list(path)
    if len(path) >= 2 and path[0] in ("analysis", "input") and isinstance(path[1], int):
        return f"[[{path[0]}]] {path[1] + 1}"
    if path and path[0] in ("job", "openalex"):
        return f"[{path[0]}]"
    return "the job file"


def _type_name(value) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


_TYPE_WORDS = {"string": "a string", "integer": "an integer", "number": "a number",
               "boolean": "true or false", "array": "an array of strings", "object": "a table"}


def _explain(err, schema: dict) -> tuple[tuple, str]:
    """The document path an error is about and its message in words."""
    path = tuple(err.absolute_path)
    where = _where(path)
    key = next((p for p in reversed(path) if isinstance(p, str)), None)
    if err.validator == "additionalProperties":
        allowed = list(err.schema.get("properties", {}))
        extra = [k for k in err.instance if k not in allowed]
        bad = extra[0]
        valid = [k for k in allowed if k not in _STRUCTURE] + [k for k in allowed
                                                                if k in _STRUCTURE]
        msg = f"unknown key {bad!r} in {where} (valid: {', '.join(valid)})"
        if bad == "api_key":
            msg += "; the API key does not belong in a job file: set OPENALEX_API_KEY"
        else:
            close = difflib.get_close_matches(bad, allowed, n=1)
            if close:
                msg += f"; did you mean {close[0]!r}?"
        return path + (bad,), msg
    if err.validator == "enum" and key == "kind" and path[:1] == ("analysis",):
        return path, (f"unknown analysis kind {err.instance!r} in {where} (valid: "
                      f"{', '.join(ANALYSIS_KINDS)})")
    if err.validator == "enum":
        return path, (f"unknown value {err.instance!r} for {key!r} in {where} (valid: "
                      f"{', '.join(str(v) for v in err.validator_value)})")
    if err.validator == "type":
        want = err.validator_value if isinstance(err.validator_value, list) else [
            err.validator_value]
        words = " or ".join(_TYPE_WORDS.get(w, w) for w in want)
        if isinstance(path[-1:][0] if path else None, int) and key is not None:
            return path, (f"wrong type in {key!r} in {where}: each item must be {words}, got "
                          f"{_type_name(err.instance)} {err.instance!r}")
        what = f"{key!r} in {where}" if key else where
        return path, (f"wrong type for {what}: expected {words}, got "
                      f"{_type_name(err.instance)} {err.instance!r}")
    if err.validator == "required":
        missing = next(k for k in err.validator_value if k not in err.instance)
        if not path:
            return path, f"no [[{missing}]] table: a job needs at least one"
        return path, f"missing key {missing!r} in {where}"
    if err.validator in ("minimum", "exclusiveMinimum", "maximum"):
        op = {"minimum": ">=", "exclusiveMinimum": ">", "maximum": "<="}[err.validator]
        return path, (f"invalid {key} {err.instance!r} in {where}: must be {op} "
                      f"{err.validator_value}")
    if err.validator == "minItems":
        return path, f"empty {key!r} in {where}: give at least one"
    if err.validator == "pattern":
        return path, (f"invalid {key} {err.instance!r} in {where}: use letters, digits, "
                      "_ . and - only")
    return path, f"{where}: {err.message}"


# --- what a schema cannot see -----------------------------------------------------------------
def _check_openalex(job: Job) -> None:
    oa = job.openalex
    server = oa.get("server", "api")
    if server not in ("api", "synthetic"):
        from collabnet.config import normalize_base_url

        try:
            oa["server"] = normalize_base_url(server)
        except InputError as exc:
            raise job.fail(("openalex", "server"), f"[openalex] server: {exc}") from None
    if "years" in oa:
        from collabnet.keys import parse_years

        try:
            parse_years(oa["years"], closed=True)
        except InputError as exc:
            raise job.fail(("openalex", "years"), f"[openalex] years: {exc}") from None


def _input(job: Job, i: int, spec: dict) -> Input:
    where = f"[[input]] {i + 1}"
    name = spec.get("name", f"input{i + 1}")
    inp = Input(name=name, index=i + 1, line=job.lines.line_of(("input", i)) or 0,
                source=spec.get("source", "works"), spec=dict(spec))
    files = [k for k in ("path", "snapshot") if k in spec]
    query = [k for k in _QUERY_KEYS if k in spec]
    if len(files) > 1:
        raise job.fail(("input", i, files[1]), f"{where}: give path or snapshot, not both")
    if files and query:
        raise job.fail(("input", i, query[0]), f"{where}: {query[0]!r} selects works from "
                       f"OpenAlex, but the input reads files ({files[0]}): give one or the other")
    if files:
        if inp.source == "counts":
            raise job.fail(("input", i, "source"), f"{where}: source = \"counts\" asks "
                           "OpenAlex: give country/institution/years instead of files")
        inp.paths = _paths(job, i, files[0], spec[files[0]])
        inp.skip_bad = bool(spec.get("skip_bad", False))
        return inp
    if "skip_bad" in spec:
        raise job.fail(("input", i, "skip_bad"), f"{where}: skip_bad is for files (path)")
    if not query:
        raise job.fail(("input", i), f"{where}: say which works: path (files), or country, "
                       "institution and years (an OpenAlex query)")
    inp.strict = bool(spec.get("strict", False))
    return _query(job, i, spec, inp)


def _query(job: Job, i: int, spec: dict, inp: Input) -> Input:
    from collabnet.keys import parse_years, split_list
    from collabnet.query import WorkQuery

    where = f"[[input]] {i + 1}"
    try:
        inp.years = parse_years(spec.get("years"), closed=True)
    except InputError as exc:
        raise job.fail(("input", i, "years"), f"{where}: {exc}") from None
    if inp.source == "counts" and inp.years is None:
        raise job.fail(("input", i), f"{where}: a counts input needs years (e.g. years = "
                       "\"2009-2017\"): OpenAlex counts a range of years")
    if inp.source == "works" and not (spec.get("country") or spec.get("institution")
                                      or inp.years):
        raise job.fail(("input", i), f"{where}: a query needs country, institution or years "
                       "(all of OpenAlex is too many works)")
    try:
        inp.query = WorkQuery(countries=split_list(spec.get("country")),
                              institutions=split_list(spec.get("institution")),
                              years=inp.years, types=split_list(spec.get("type")),
                              exclude_paratext=not spec.get("include_paratext", False),
                              exclude_retracted=bool(spec.get("exclude_retracted", False)))
    except InputError as exc:
        raise job.fail(("input", i), f"{where}: {exc}") from None
    return inp


def _paths(job: Job, i: int, key: str, value) -> list[Path]:
    values = [value] if isinstance(value, str) else list(value)
    out = []
    for n, v in enumerate(values):
        p = job.root / Path(v).expanduser()
        if not p.exists():
            raise job.fail(("input", i, key, n), f"[[input]] {i + 1}: no such file or folder: "
                           f"{v} (paths are relative to the job file's folder {job.root})")
        if key == "snapshot" and not p.is_dir():
            raise job.fail(("input", i, key), f"[[input]] {i + 1}: snapshot must be a "
                           f"folder: {v}")
        out.append(p)
    return out


def _analysis(job: Job, i: int, spec: dict) -> Analysis:
    kind = spec["kind"]
    where = f"[[analysis]] {i + 1} ({kind})"
    name = spec.get("input")
    if name is None:
        if len(job.inputs) != 1:
            raise job.fail(("analysis", i), f"{where}: say which input it reads (input = "
                           f"\"…\", one of {', '.join(job.inputs)})")
        name = next(iter(job.inputs))
    elif name not in job.inputs:
        raise job.fail(("analysis", i, "input"), f"{where}: no input named {name!r} "
                       f"(inputs: {', '.join(job.inputs)})")
    inp = job.inputs[name]
    if inp.source == "counts" and kind not in COUNTS_KINDS:
        raise job.fail(("analysis", i, "input"), f"{where} needs the works, but input "
                       f"{name!r} has source = \"counts\" (counts answer "
                       f"{', '.join(COUNTS_KINDS)})")
    options = {**analysis_defaults(kind),
               **{k: v for k, v in spec.items() if k not in _STRUCTURE}}
    outputs = spec["output"]
    outputs = [outputs] if isinstance(outputs, str) else list(outputs)
    if not outputs:
        raise job.fail(("analysis", i, "output"), f"{where}: output names no file")
    for n, out in enumerate(outputs):
        outputs[n] = _relative(job, ("analysis", i, "output"), where, out)
    figure = spec.get("figure")
    if figure is not None:
        figure = _relative(job, ("analysis", i, "figure"), where, figure)
    a = Analysis(index=i + 1, line=job.lines.line_of(("analysis", i)) or 0, kind=kind,
                 input=name, options=options, outputs=outputs, figure=figure)
    problem = check_analysis(a, inp, job.root)
    if problem is not None:
        key, message = problem
        raise job.fail(("analysis", i, key), f"{where}: {message}")
    return a


def _relative(job: Job, path: tuple, where: str, value: str) -> str:
    p = PurePosixPath(value.replace("\\", "/"))
    if p.is_absolute() or ".." in p.parts or not p.parts or value.strip() in ("", "-"):
        raise job.fail(path, f"{where}: {value!r} must be a file name inside the output "
                       "folder (no absolute path, no ..)")
    return str(p)
