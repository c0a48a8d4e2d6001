"""``group_by`` and ``group_bys``: counting works by a field's keys, as OpenAlex shapes them.

Works are counted once per distinct key; the default mode returns the top ``per_page``
buckets by count (or by ``sort=key``), cursor mode all keys in key order (a composite
aggregation); ``:include_unknown`` adds the "unknown" bucket (-111 for numbers).
Multi-dimensional ``group_by=a,b[,c]`` nests ``groups``; ``group_bys`` returns one facet per
field. :class:`_GroupBy` is mixed into :class:`~collabnet.testing.OpenAlexTestServer`.

>>> fld, include_unknown = _parse_group_dim("publication_year:include_unknown")
>>> sorted([2001.5, _unknown_for(fld), 1999], key=_raw_order)  # -111 sorts as a number
[-111, 1999, 2001.5]
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from collabnet.testing.constants import COUNTRY_NAMES, CREDIT_USD, OPENALEX, WORK_TYPES
from collabnet.testing.fields import _Field, _get_field, _short_id
from collabnet.testing.params import _decode_cursor_text, _encode_cursor, _first, _Reversed
from collabnet.testing.responses import _pagination_error, _query_error


class _GroupBy:
    """The ``group_by`` / ``group_bys`` bodies of a ``/works`` request.

    The host (OpenAlexTestServer) provides ``_facet(work, field)`` (a work's cached,
    normalised values of a field), ``_names`` (display names by id), ``pad_zero_groups`` and
    ``nested_group_by`` (False: answer ``group_by=a,b`` as the origin did before 2026-06).
    """

    _names: dict[str, str]
    pad_zero_groups: bool
    nested_group_by: bool

    def _group_keys(self, work: dict, fld: _Field) -> set:
        g = fld.group
        if g == "bool":
            return {self._facet(work, fld)}
        if g == "exists":
            return {bool(self._facet(work, fld))}
        if g == "number":
            v = self._facet(work, fld)
            return set() if v is None else {int(v) if float(v).is_integer() else v}
        if g == "ror":
            return set(self._facet(work, fld))
        return set(fld.get(work))

    def _format_key(self, fld: _Field, raw: Any) -> tuple[str, str | None]:
        g = fld.group
        if isinstance(raw, _Unknown):
            return repr(raw), "unknown"
        if g == "country":
            return f"{OPENALEX}countries/{raw}", COUNTRY_NAMES.get(raw, raw)
        if g == "type":
            return f"{OPENALEX}types/{raw}", raw
        if g == "insttype":
            return f"{OPENALEX}institution-types/{raw}", raw
        if g == "language":
            return f"{OPENALEX}languages/{raw}", raw
        if g == "entity":
            return OPENALEX + raw, self._names.get(raw)
        if g == "url":
            return raw, self._names.get(raw)
        if g == "ror":
            return f"https://ror.org/{raw}", f"https://ror.org/{raw}"
        if g in ("bool", "exists"):
            return ("true" if raw else "false"), ("true" if raw else "false")
        s = str(raw)
        return s, s

    def _cursor_text(self, fld: _Field, raw: Any) -> str:
        return OPENALEX + raw if fld.group == "entity" else str(raw)

    def _parse_group_cursor(self, fld: _Field, cursor: str) -> Any:
        text = _decode_cursor_text(cursor.replace(" ", "+"))
        if fld.group == "number":
            try:
                v = float(text)
            except ValueError:
                raise _pagination_error("Invalid cursor value") from None
            return int(v) if v.is_integer() else v
        if fld.group == "entity":
            sid = _short_id(text)
            if sid is None:
                raise _pagination_error("Invalid cursor value")
            return sid
        return text

    def _count_groups(self, works: list[dict], fld: _Field) -> tuple[Counter, int]:
        counts: Counter = Counter()
        unknown = 0
        for w in works:
            keys = self._group_keys(w, fld)
            if keys:
                counts.update(keys)
            else:
                unknown += 1
        return counts, unknown

    def _items(self, fld: _Field, buckets: list[tuple[Any, int]]) -> list[dict]:
        out = []
        for raw, n in buckets:
            key, name = self._format_key(fld, raw)
            out.append({"key": key, "key_display_name": name, "count": n})
        return out

    def _pad(self, fld: _Field, buckets: list[tuple[Any, int]], per_page: int) -> list:
        if not self.pad_zero_groups:
            return buckets
        universe: Iterable[Any] = ()
        if fld.group == "country":
            universe = COUNTRY_NAMES
        elif fld.group == "type":
            universe = WORK_TYPES
        elif fld.group == "bool":
            universe = (True, False)
        present = {raw for raw, _ in buckets}
        out = list(buckets)
        for raw in universe:
            if len(out) >= per_page:
                break
            if raw not in present:
                out.append((raw, 0))
        return out

    def _group_by_body(self, matched: list[dict], spec: str, params: dict[str, list[str]],
                       per_page: int, cursor: str | None, cost: int, timed_out: bool,
                       t0: float) -> dict:
        dims = [d.strip() for d in spec.split(",") if d.strip()]
        if not dims:
            raise _query_error("group_by needs a field.")
        if len(dims) > 1 and not self.nested_group_by:  # the origin before 2026-06
            _get_field(spec)  # 400 "<spec> is not a valid field. …"
        if len(dims) > 1:
            return self._nested_group_by(matched, dims, per_page, cursor, cost, t0)
        fld, include_unknown = _parse_group_dim(dims[0])
        if fld.group in ("bool", "exists") and cursor is not None:
            raise _query_error(
                "Cannot use cursor pagination when grouping fields that return true or false."
            )
        counts, unknown = self._count_groups(matched, fld)
        count = len(matched)
        if fld.group == "exists":
            buckets = [(True, counts.get(True, 0)), (False, counts.get(False, 0))]
            real = 2
        elif cursor is None:
            buckets = list(counts.items())
            if include_unknown and unknown:
                buckets.append((_unknown_for(fld), unknown))
            buckets.sort(key=_bucket_order(_first(params, "sort")))
            buckets = buckets[:per_page]
            real = len(buckets)
        else:
            if not include_unknown:
                count -= unknown  # the origin adds an `exists` filter in composite mode
            keys = sorted(counts, key=_raw_order)
            if cursor != "*":
                after = _raw_order(self._parse_group_cursor(fld, cursor))
                keys = [k for k in keys if _raw_order(k) > after]
            buckets = [(k, counts[k]) for k in keys[:per_page]]
            real = len(buckets)
        if timed_out:
            buckets = buckets[: len(buckets) // 2]
            real = len(buckets)
        meta: dict[str, Any] = {"count": count, "db_response_time_ms": 0,
                                "page": None if cursor is not None else 1, "per_page": per_page}
        if cursor is not None:
            meta["next_cursor"] = (_encode_cursor(self._cursor_text(fld, buckets[-1][0]))
                                   if buckets else None)
        meta["groups_count"] = real
        meta["cost_usd"] = round(cost * CREDIT_USD, 6)
        if timed_out:
            meta["timed_out"] = True
        if fld.group != "exists":
            buckets = self._pad(fld, buckets, per_page)
        meta["db_response_time_ms"] = int((time.perf_counter() - t0) * 1000)
        return {"meta": meta, "group_by": self._items(fld, buckets)}

    def _nested_group_by(self, matched: list[dict], dims: list[str], per_page: int,
                         cursor: str | None, cost: int, t0: float) -> dict:
        if cursor is not None:
            raise _query_error("Cursor pagination is not supported with multi-dimensional "
                               "group_by.")
        if len(dims) > 3:
            raise _query_error("Multi-dimensional group_by supports at most 3 fields.")
        parsed = [_parse_group_dim(d) for d in dims]
        for fld, _ in parsed:
            if fld.group in ("bool", "exists"):
                raise _query_error(f"{fld.name} cannot be used in a multi-dimensional group_by.")

        def level(works: list[dict], rest: list[tuple[_Field, bool]]) -> list[dict]:
            fld, include_unknown = rest[0]
            members: dict[Any, list[dict]] = {}
            for w in works:
                keys = self._group_keys(w, fld)
                if not keys and include_unknown:
                    keys = {_unknown_for(fld)}
                for k in keys:
                    members.setdefault(k, []).append(w)
            buckets = sorted(((k, len(v)) for k, v in members.items()), key=_bucket_order(None))
            out = []
            for raw, n in buckets[:per_page]:
                key, name = self._format_key(fld, raw)
                item: dict[str, Any] = {"key": key, "key_display_name": name, "count": n}
                if len(rest) > 1:
                    item["groups"] = level(members[raw], rest[1:])
                out.append(item)
            return out

        groups = level(matched, parsed)
        meta = {"count": len(matched), "db_response_time_ms": 0, "page": 1,
                "per_page": per_page, "groups_count": len(groups),
                "cost_usd": round(cost * CREDIT_USD, 6)}
        meta["db_response_time_ms"] = int((time.perf_counter() - t0) * 1000)
        return {"meta": meta, "group_by": groups}

    def _group_bys_body(self, matched: list[dict], spec: str, per_page: int,
                        cursor: str | None, cost: int, t0: float) -> dict:
        if cursor is not None:
            raise _query_error("Cursor pagination is not supported with group_bys.")
        facets = []
        for dim in (d.strip() for d in spec.split(",") if d.strip()):
            fld, include_unknown = _parse_group_dim(dim)
            counts, unknown = self._count_groups(matched, fld)
            if fld.group == "exists":
                buckets = [(True, counts.get(True, 0)), (False, counts.get(False, 0))]
            else:
                buckets = list(counts.items())
                if include_unknown and unknown:
                    buckets.append((_unknown_for(fld), unknown))
                buckets.sort(key=_bucket_order(None))
                buckets = buckets[:per_page]
            facets.append({"group_by_key": dim, "groups": self._items(fld, buckets)})
        meta = {"count": len(matched), "db_response_time_ms": 0, "page": 1,
                "per_page": per_page, "groups_count": None,
                "cost_usd": round(cost * CREDIT_USD, 6)}
        meta["db_response_time_ms"] = int((time.perf_counter() - t0) * 1000)
        return {"meta": meta, "group_bys": facets, "group_by": []}


class _Unknown:
    """The bucket of works without a value: "unknown" for strings, -111 for numbers."""

    def __init__(self, numeric: bool):
        self.numeric = numeric

    def __repr__(self) -> str:
        return "-111" if self.numeric else "unknown"


_UNKNOWN = _Unknown(numeric=False)
_UNKNOWN_NUM = _Unknown(numeric=True)


def _unknown_for(fld: _Field) -> _Unknown:
    return _UNKNOWN_NUM if fld.group == "number" else _UNKNOWN


def _raw_order(raw: Any) -> tuple:
    """Sort order of raw group keys: numbers numerically, strings by code point."""
    if isinstance(raw, _Unknown):
        return (1, -111, "") if raw.numeric else (2, 0, "unknown")
    if isinstance(raw, bool):
        return (1, int(raw), "")
    if isinstance(raw, (int, float)):
        return (1, raw, "")
    return (2, 0, str(raw))


def _bucket_order(sort_text: str | None) -> Callable[[tuple[Any, int]], tuple]:
    by, desc = "count", True
    if sort_text:
        part = sort_text.split(",")[0].strip()
        name, _, order = part.partition(":")
        name = name.lstrip("-")
        if name not in ("count", "key"):
            raise _query_error("group_by results can only be sorted by count or key.")
        by = name
        desc = (order or ("desc" if name == "count" else "asc")).lower() == "desc"
    if by == "count":
        sign = -1 if desc else 1
        return lambda b: (sign * b[1], _raw_order(b[0]))
    if desc:
        return lambda b: _Reversed(_raw_order(b[0]))
    return lambda b: _raw_order(b[0])


def _parse_group_dim(text: str) -> tuple[_Field, bool]:
    include_unknown = False
    name = text
    if ":" in text:
        name, suffix = text.split(":", 1)
        if suffix.lower() == "include_unknown":
            include_unknown = True
        elif suffix.lower() != "known":
            raise _query_error(
                "The only valid filters for a group_by param is 'include_unknown' or the "
                "deprecated value 'known'"
            )
    fld = _get_field(name.strip())
    if fld.group is None:
        if fld.kind in ("range", "date"):
            raise _query_error("Cannot group by date, number, or search fields.")
        raise _query_error(f"Cannot group by {fld.name}.")
    return fld, include_unknown
