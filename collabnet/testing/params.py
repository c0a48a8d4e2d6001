"""The other query parameters of ``/works``: checks, paging, sort, cursors and ``select``.

Everything a list request carries besides ``filter`` and ``group_by``: which parameters
exist (:func:`_validate_params`), ``page`` / ``per_page`` / ``sample``, the ``sort`` fields
and default order with Elasticsearch's "missing values last", OpenAlex's cursor encoding
(``base64(json.dumps(str(values)))``), and ``select`` with the list pages' authorship cut.

>>> _parse_sort("cited_by_count:desc,publication_year")
[('cited_by_count', True), ('publication_year', False)]
>>> _decode_cursor_text(_encode_cursor([99, "https://openalex.org/W1"]))
"[99, 'https://openalex.org/W1']"
"""

from __future__ import annotations

import ast
import base64
import binascii
import json
from collections.abc import Callable
from typing import Any

from collabnet.testing.constants import (
    _HIDDEN_PARAMS,
    LIST_AUTHOR_LIMIT,
    SELECT_FIELDS,
    VALID_PARAMS,
)
from collabnet.testing.fields import (
    _authors_count,
    _countries_distinct_count,
    _institutions_distinct_count,
    _numeric,
    _percentile_max,
    _percentile_min,
)
from collabnet.testing.responses import _pagination_error, _query_error

# --------------------------------------------------------------------------------------------
# parameters

def _first(params: dict[str, list[str]], *names: str) -> str | None:
    for name in names:
        values = params.get(name)
        if values:
            return values[0]
    return None


def _int_param(params: dict[str, list[str]], name: str, default: int) -> int:
    raw = _first(params, name, name.replace("-", "_"))
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise _query_error(f"Param {name} must be a number.") from None


def _validate_params(params: dict[str, list[str]]) -> None:
    for arg in params:
        if arg not in VALID_PARAMS and arg not in _HIDDEN_PARAMS:
            raise _query_error(
                f"{arg} is not a valid parameter. Valid parameters are: "
                f"{', '.join(VALID_PARAMS)}."
            )
    if len(params.get("filter", [])) > 1:
        raise _query_error(
            "Only one filter parameter is allowed. Your URL contains filters like: "
            "/works?filter=publication_year:2020&filter=is_open_access:true. Combine and "
            "separate filters with a comma, like: "
            "/works?filter=publication_year:2020,is_open_access:true."
        )
    if ("group_by" in params or "group-by" in params) and "select" in params:
        raise _query_error("select does not work with group_by.")
    search = _first(params, "search")
    if search and any(word.startswith("!") for word in search.split()):
        raise _query_error(
            f"The search parameter does not support the ! operator. Problem value: {search}"
        )
    if search and "|" in search:
        raise _query_error(
            f"The search parameter does not support the | operator. Problem value: {search}"
        )


def _sample_param(params: dict[str, list[str]], grouped: bool) -> int | None:
    raw = _first(params, "sample")
    if raw is None:
        if _first(params, "seed") is not None:
            raise _query_error("You must include the sample parameter when using a seed value.")
        return None
    try:
        n = int(raw)
    except ValueError:
        raise _query_error("sample must be an integer.") from None
    if n > 10_000:
        raise _query_error("Sample size must be less than or equal to 10,000.")
    if _first(params, "sort") is not None:
        raise _query_error("sample does not work with sort.")
    if grouped:
        raise _query_error("sample does not work with group_by.")
    return n


# --------------------------------------------------------------------------------------------
# select

def _parse_select(text: str | None) -> set[str] | None:
    if text is None or not text.strip():
        return None
    fields = [f.strip() for f in text.split(",") if f.strip()]
    for f in fields:
        if f not in SELECT_FIELDS:
            raise _query_error(
                f"{f} is not a valid select field. Valid fields for select are: "
                f"{', '.join(SELECT_FIELDS)}."
            )
    return set(fields)


def _project(work: dict, select: set[str] | None, truncate: bool = True) -> dict:
    """Apply ``select`` and, in lists, cut authorships to 100 with ``is_authors_truncated``.

    Recorded real list pages carry ``is_authors_truncated: true`` on truncated works and omit
    the key otherwise, so a record's own value is passed through when nothing is cut.
    """
    if select is None:
        out = dict(work)
    else:
        out = {k: v for k, v in work.items() if k in select}
    full = work.get("authorships")
    cut = truncate and isinstance(full, list) and len(full) > LIST_AUTHOR_LIMIT
    if cut and "authorships" in out:
        out["authorships"] = full[:LIST_AUTHOR_LIMIT]
    if cut and ("authorships" in out or "is_authors_truncated" in out
                or (select is not None and "is_authors_truncated" in select)):
        out["is_authors_truncated"] = True
    return out


# --------------------------------------------------------------------------------------------
# sorting

_SORT_FIELDS: dict[str, Callable[[dict], Any]] = {
    "cited_by_percentile_year.max": _percentile_max,
    "cited_by_percentile_year.min": _percentile_min,
    "cited_by_count": _numeric("cited_by_count"),
    "publication_year": _numeric("publication_year"),
    "publication_date": lambda w: w.get("publication_date") or None,
    "fwci": _numeric("fwci"),
    "countries_distinct_count": _countries_distinct_count,
    "institutions_distinct_count": _institutions_distinct_count,
    "authors_count": _authors_count,
    "id": lambda w: w.get("id"),
    "display_name": lambda w: w.get("display_name") or None,
    "title": lambda w: w.get("title") or None,
}

DEFAULT_SORT = (("cited_by_percentile_year.max", True), ("cited_by_count", True), ("id", False))


class _Reversed:
    """Wraps a value so that it sorts in descending order."""

    __slots__ = ("v",)

    def __init__(self, v: Any):
        self.v = v

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Reversed) and self.v == other.v

    def __lt__(self, other: _Reversed) -> bool:
        return other.v < self.v

    __hash__ = None  # type: ignore[assignment]


def _sort_part(value: Any, desc: bool) -> tuple:
    """A natively comparable sort element; missing values sort last in either direction
    (the Elasticsearch default)."""
    if value is None:
        return (1, 0)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return (0, _Reversed(str(value))) if desc else (0, str(value))
    return (0, -value) if desc else (0, value)


def _parse_sort(text: str | None) -> list[tuple[str, bool]]:
    if not text:
        return []
    out = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        desc = False
        if part.startswith("-"):
            part, desc = part[1:], True
        if ":" in part:
            part, order = part.split(":", 1)
            if order.lower() not in ("asc", "desc"):
                raise _query_error(f"Invalid sort order {order}. Use asc or desc.")
            desc = order.lower() == "desc"
        key = part.replace("-", "_")
        if key == "relevance_score":
            raise _query_error(
                "Must include a search query (such as ?search=example or "
                "/filter=display_name.search:example) in order to sort by relevance_score."
            )
        if key not in _SORT_FIELDS:
            raise _query_error(
                f"{part} is not a valid sort field. Valid fields are underscore or hyphenated "
                f"versions of: {', '.join(sorted(_SORT_FIELDS))}"
            )
        out.append((key, desc))
    return out


def _sort_key(work: dict, order: list[tuple[str, bool]]) -> tuple:
    return tuple(_sort_part(_SORT_FIELDS[f](work), desc) for f, desc in order)


# --------------------------------------------------------------------------------------------
# cursors

def _encode_cursor(values: Any) -> str:
    """OpenAlex's cursor: ``base64(json.dumps(str(values)))``."""
    return base64.b64encode(json.dumps(str(values)).encode()).decode()


def _decode_cursor_text(cursor: str) -> str:
    if cursor == "null" or cursor.lower() == "none":
        raise _pagination_error("Cursor is null. Likely reached end of results.")
    try:
        text = json.loads(base64.b64decode(cursor, validate=True).decode("utf8"))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise _pagination_error("Invalid cursor value") from None
    if not isinstance(text, str):
        raise _pagination_error("Invalid cursor value")
    return text


def _decode_list_cursor(cursor: str, order: list[tuple[str, bool]]) -> tuple:
    text = _decode_cursor_text(cursor.replace(" ", "+"))
    try:
        values = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        raise _pagination_error("Invalid cursor value") from None
    if not isinstance(values, list) or len(values) != len(order):
        raise _pagination_error("Cursor value is invalid.")
    return tuple(_sort_part(v, desc) for v, (_, desc) in zip(values, order, strict=True))
