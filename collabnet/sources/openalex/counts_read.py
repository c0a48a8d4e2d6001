"""Reading the counts' answers: group keys as entities and years, nested answers checked.

:func:`read_step` adds one step's groups to the (entity, year) counts and says which needed
entities a capped page may have cut off; :func:`nested_problem` says why a nested
``group_by`` answer cannot be trusted (the counts then plan again without it).

>>> key_of("institutions.country_code", "https://openalex.org/countries/JP")
'JP'
>>> key_of("publication_year", "-111") is None, key_of("institutions.id", "https://openalex.org/I5")
(True, 'I5')
"""

from __future__ import annotations

from collabnet.keys import short_id
from collabnet.sources.openalex.counts_plan import Step

__all__ = ["key_of", "nested_problem", "read_step"]


def key_of(field: str, key) -> str | None:
    """A group's key as an entity or year key; None for the unknown bucket."""
    if key is None:
        return None
    text = str(key).strip()
    if field == "publication_year":
        try:
            year = int(float(text))
        except ValueError:
            return None
        return None if year == -111 else str(year)
    if field.endswith("country_code") or field.endswith("countries"):
        code = short_id(text).upper()
        return code if len(code) == 2 and code.isalpha() else None
    if field.endswith(".ror"):
        return text.rstrip("/").rsplit("/", 1)[-1].lower() or None
    ident = short_id(text)
    return ident if ident[:1] == "I" and ident[1:].isdigit() else None


def nested_problem(answer: dict, step: Step, years: tuple[int, int]) -> str:
    """Why a nested answer is not trustworthy ("" when it is): every outer group a year of
    the range with a list of inner groups, no inner count above its year's, and the years
    summing to ``meta.count`` (each work has one year)."""
    inner_field = step.group_by.split(",")[1]
    total = 0
    for g in answer["group_by"]:
        y = key_of("publication_year", g.get("key"))
        if y is None or not years[0] <= int(y) <= years[1]:
            return f"outer group {g.get('key')!r} is not a year of the range"
        if not isinstance(g.get("groups"), list):
            return "no inner groups"
        for h in g["groups"]:
            if h["count"] > g["count"] or key_of(inner_field, h.get("key")) is None:
                return f"inner group {h.get('key')!r} does not fit its year"
        total += g["count"]
    if total != (answer.get("meta") or {}).get("count"):  # a cut outer level sums short
        return "the years do not add up to the count"
    return ""


def read_step(step: Step, answer: dict, counts: dict, names: dict, by_year: bool = True
              ) -> set[str]:
    """Add a step's groups to ``counts[(entity, year)][subset]`` (year None: summed over the
    range); return the needed entities a capped page may have cut off (counts unknown)."""
    def add(entity, year, n, name=None):
        cell = counts.setdefault((entity, year), {})
        cell[step.subset] = cell.get(step.subset, 0) + n
        if name and entity not in names:
            names[entity] = name

    if step.read == "years":
        for g in answer["group_by"]:
            y = key_of("publication_year", g.get("key"))
            if y is not None:
                add(step.entity, int(y) if by_year else None, g["count"])
        return set()
    if step.read == "keys":
        seen = set()
        for g in answer["group_by"]:
            e = key_of(step.group_by, g.get("key"))
            if e is not None and (not step.need or e in step.need):
                seen.add(e)
                add(e, step.year, g["count"], g.get("key_display_name"))
        return set(step.need - seen) if answer.get("capped") else set()
    missing = set()
    inner_field = step.group_by.split(",")[1]
    for g in answer["group_by"]:
        year, seen = int(key_of("publication_year", g["key"])), set()
        for h in g["groups"]:
            e = key_of(inner_field, h.get("key"))
            if e in step.need:
                seen.add(e)
                add(e, year, h["count"], h.get("key_display_name"))
        if len(g["groups"]) >= answer.get("per_page", 200):
            missing |= step.need - seen
    return missing
