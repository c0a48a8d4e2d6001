"""The ``filter=`` compiler: a filter string becomes predicates over work records.

The origin's grammar and validation: ``,`` AND across fields (commas inside double quotes do
not split), ``|`` OR within a field (at most 100 values, never across fields, ``!`` only in
front meaning NOT(a OR b)), ``!`` NOT, ``+`` (a space) AND within a term or id field, numeric
ranges and ``null``; plus the ``search=`` predicate over titles.

>>> preds, names = _FilterCompiler(lambda w, f: f.get(w)).compile("publication_year:2019-2020")
>>> names, [p({"publication_year": 2020}) for p in preds], preds[0]({"publication_year": 2021})
({'publication_year'}, [True], False)
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from collabnet.testing.constants import MAX_OR_VALUES, OPENALEX
from collabnet.testing.fields import _ALL_FIELD_NAMES, _Field, _get_field, _lower
from collabnet.testing.responses import _query_error


def _split_filter(text: str) -> list[str]:
    """Split on commas that are not inside double quotes (the origin's rule)."""
    parts, buf, quoted = [], [], False
    for ch in text:
        if ch == '"':
            quoted = not quoted
            buf.append(ch)
        elif ch == "," and not quoted:
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
    parts.append("".join(buf))
    return parts


Predicate = Callable[[dict], bool]


def _range_predicate(fld: _Field, raw: str) -> Callable[[Any], bool]:
    v = raw.strip()
    if v.lower() == "null":
        return lambda x: x is None
    if v.startswith("!"):
        inner = _range_predicate(fld, v[1:])
        return lambda x: not inner(x)
    try:
        if v.startswith(">"):
            lo = float(v[1:])
            return lambda x: x is not None and x > lo
        if v.startswith("<"):
            hi = float(v[1:])
            return lambda x: x is not None and x < hi
        if "-" in v:
            a, _, b = v.partition("-")
            if not a and not b:
                raise ValueError(v)
            lo2 = float(a) if a else -math.inf
            hi2 = float(b) if b else math.inf
            return lambda x: x is not None and lo2 <= x <= hi2
        eq = float(v)
    except ValueError:
        raise _query_error(f"Value for param {fld.name} must be a number.") from None
    return lambda x: x is not None and x == eq


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class _FilterCompiler:
    """Turns a ``filter=`` string into record predicates, with the origin's validation."""

    def __init__(self, facet: Callable[[dict, _Field], Any]):
        self.facet = facet

    def compile(self, text: str) -> tuple[list[Predicate], set[str]]:
        preds: list[Predicate] = []
        names: set[str] = set()
        for segment in _split_filter(text):
            if ":" not in segment:
                raise _query_error(f"Invalid query parameter in {segment}.")
            key, value = segment.split(":", 1)
            fld = _get_field(key.strip())
            names.add(fld.name)
            if len(value) >= 2 and value.startswith('"') and value.endswith('"'):
                value = value[1:-1]
            preds.append(self._value_predicate(fld, value))
        return preds, names

    def _value_predicate(self, fld: _Field, value: str) -> Predicate:
        if "|" in value:
            parts = value.split("|")
            if len(parts) > MAX_OR_VALUES:
                raise _query_error(
                    f"Maximum number of values exceeded for {fld.name}. Decrease values to "
                    f"{MAX_OR_VALUES} or below, or consider downloading the full dataset at "
                    "https://docs.openalex.org/download-snapshot"
                )
            for name in _ALL_FIELD_NAMES:
                if f"{name}:" in value:
                    raise _query_error(
                        "It looks like you're trying to do an OR query between filters and it's "
                        "not supported. \nYou can do this: institutions.country_code:fr|en, but "
                        "not this: institutions.country_code:gb|host_venue.issn:0957-1558. \n"
                        f"Problem value: {value}"
                    )
            if value.startswith("!"):
                singles = [self._single(fld, p.replace("!", "")) for p in parts]
                return lambda w: not any(s(w) for s in singles)
            for p in parts:
                if p.startswith("!"):
                    raise _query_error(
                        "The ! operator can only be used at the beginning of an OR query, like "
                        "/works?filter=concepts.id:!C144133560|C15744967, meaning NOT "
                        f"(C144133560 or C15744967). Problem value: {p}"
                    )
            singles = [self._single(fld, p) for p in parts]
            return lambda w: any(s(w) for s in singles)
        if " " in value.strip() and fld.kind in ("term", "id", "url"):
            parts = value.strip().split()
            if len(parts) > MAX_OR_VALUES:
                raise _query_error(
                    f"Maximum number of values exceeded for {fld.name}. Decrease values to "
                    f"{MAX_OR_VALUES} or below, or consider downloading the full dataset at "
                    "https://docs.openalex.org/download-snapshot"
                )
            singles = [self._single(fld, p) for p in parts]
            return lambda w: all(s(w) for s in singles)
        return self._single(fld, value)

    def _single(self, fld: _Field, raw: str) -> Predicate:
        v = raw.strip()
        facet = self.facet
        if fld.kind == "range":
            test = _range_predicate(fld, v)
            return lambda w: test(facet(w, fld))
        if v.startswith("!"):
            inner = self._single(fld, v[1:])
            return lambda w: not inner(w)
        if fld.kind == "bool":
            lv = v.lower()
            if lv == "null":
                return lambda w: False  # every record has the booleans (see Notes)
            if lv not in ("true", "false"):
                raise _query_error(f"Value for param {fld.name} must be true or false.")
            want = lv == "true"
            return lambda w: facet(w, fld) is want
        if fld.kind == "date":
            if not _DATE.match(v):
                raise _query_error(
                    f"Value for param {fld.name} must be a date in format YYYY-MM-DD."
                )
            if fld.op == ">=":
                return lambda w: any(d[:10] >= v for d in facet(w, fld))
            return lambda w: any(d[:10] <= v for d in facet(w, fld))
        if v.lower() == "null":
            return lambda w: not facet(w, fld)
        norm = fld.norm or _lower
        target = norm(v)
        if target is None:
            if fld.kind == "id":
                raise _query_error(f"'{v.replace(OPENALEX, '')}' is not a valid OpenAlex ID.")
            return lambda w: False
        return lambda w: target in facet(w, fld)


def _search_predicate(search: str) -> Predicate:
    words = search.lower().split()

    def pred(w: dict) -> bool:
        text = " ".join(str(w.get(k) or "") for k in ("display_name", "title")).lower()
        return all(word in text for word in words)
    return pred
