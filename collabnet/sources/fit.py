"""The OpenAlex work record schema collabnet reads, and the fixing of odd field types.

:data:`WORK_RECORD_TYPE` is the part of a work record that collabnet uses; :func:`fit_work`
fixes values whose intent is clear (``"true"``, ``"12"``) and names the field path of any
other (:class:`Misfit`), so that a bad record is reported with its file, line and field.
"""

from __future__ import annotations

import contextlib
import math
import operator

import numpy as np
import orjson
import pyarrow as pa

_INSTITUTION = pa.struct(
    [
        ("id", pa.string()),
        ("display_name", pa.string()),
        ("country_code", pa.string()),
        ("type", pa.string()),
    ]
)
_AUTHORSHIP = pa.struct(
    [
        ("author_position", pa.string()),
        ("author", pa.struct([("id", pa.string()), ("display_name", pa.string())])),
        ("is_corresponding", pa.bool_()),
        ("countries", pa.list_(pa.string())),
        ("institutions", pa.list_(_INSTITUTION)),
    ]
)
#: The part of an OpenAlex work record that collabnet reads; other fields are ignored.
WORK_RECORD_TYPE = pa.struct(
    [
        ("id", pa.string()),
        ("updated_date", pa.string()),
        ("publication_year", pa.int64()),
        ("type", pa.string()),
        ("cited_by_count", pa.int64()),
        ("fwci", pa.float64()),
        ("countries_distinct_count", pa.int64()),
        ("is_paratext", pa.bool_()),
        ("is_retracted", pa.bool_()),
        ("is_authors_truncated", pa.bool_()),
        # Snapshot only: the API leaves xpac works out unless asked; the snapshot keeps them.
        ("is_xpac", pa.bool_()),
        ("citation_normalized_percentile", pa.struct([("is_in_top_10_percent", pa.bool_())])),
        ("authorships", pa.list_(_AUTHORSHIP)),
    ]
)

_INT64 = (-(1 << 63), (1 << 63) - 1)
#: How much of a wrong value an error message quotes.
QUOTE_CHARS = 40
_JSON_KINDS = {str: "a string", bool: "a boolean", int: "a number", float: "a number",
               dict: "an object", list: "a list", tuple: "a list"}
_NONE = type(None)
_STR, _INT, _BOOL = frozenset((str, _NONE)), frozenset((int, _NONE)), frozenset((bool, _NONE))
_NUM = frozenset((float, int, _NONE))


class Misfit(ValueError):
    """A value that does not fit :data:`WORK_RECORD_TYPE` and cannot be fixed; ``str(err)``
    is one short line naming the field path and quoting at most :data:`QUOTE_CHARS`
    characters of the value.

    >>> str(Misfit("authorships[2].institutions", "a list", 5))
    'authorships[2].institutions must be a list, not a number (5)'
    """

    def __init__(self, path: str, want: str, value: object):
        self.path = path
        kind = next((k for t, k in _JSON_KINDS.items() if isinstance(value, t)), "")
        kind = kind or type(value).__name__
        super().__init__(f"{path} must be {want}, not {kind} ({quote(value)})")


def quote(value: object, limit: int = QUOTE_CHARS) -> str:
    """A value as JSON-like text for a message, cut to ``limit`` characters."""
    try:
        finite = not isinstance(value, float) or math.isfinite(value)
        text = orjson.dumps(value).decode() if finite else repr(value)
    except (TypeError, ValueError, orjson.JSONEncodeError):
        text = repr(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def fit_work(rec: dict) -> dict:
    """``rec`` itself when it fits :data:`WORK_RECORD_TYPE`, else a fixed copy.

    Fixed where the intent is clear: ``"true"``/``"false"`` (any case) and 0/1 for
    true/false; ``2015.0`` and ``"2015"`` for a whole number; ``"1.5"`` for a number; one
    country code string for a list of one. Any other value that is not null and not of the
    field's type — a fractional or boolean year, ``authorships`` that is not a list, an
    institution that is not an object, ``author`` a list — raises :class:`Misfit` naming
    the field path. Fields collabnet does not read are not looked at.

    >>> fit_work({"id": "W1", "publication_year": "2015"})["publication_year"]
    2015
    >>> fit_work({"id": "W1", "publication_year": 2015.5})
    Traceback (most recent call last):
    ...
    collabnet.sources.fit.Misfit: publication_year must be a whole number, not a number (2015.5)
    """
    if type(rec) is dict and _fits(rec):
        return rec
    return _fit(rec, WORK_RECORD_TYPE, "")


def _fits(rec: dict) -> bool:
    """Whether a record fits as it is: the common case, checked in one unrolled pass as it
    runs for every record (False: :func:`_fit` looks closer)."""
    g = rec.get
    if (type(g("id")) not in _STR or type(g("type")) not in _STR or type(g("fwci")) not in _NUM
            or type(g("updated_date")) not in _STR
            or type(g("is_paratext")) not in _BOOL or type(g("is_retracted")) not in _BOOL
            or type(g("is_authors_truncated")) not in _BOOL
            or type(g("is_xpac")) not in _BOOL):
        return False
    for k in ("publication_year", "cited_by_count", "countries_distinct_count"):
        v = g(k)
        if type(v) not in _INT or v is not None and not _INT64[0] <= v <= _INT64[1]:
            return False
    v = g("citation_normalized_percentile")
    if v is not None and (type(v) is not dict or type(v.get("is_in_top_10_percent")) not in _BOOL):
        return False
    auths = g("authorships")
    if auths is None:
        return True
    if type(auths) is not list:
        return False
    for a in auths:  # unrolled, as are the institutions below: a call each would cost more
        if type(a) is not dict:
            if a is None:
                continue
            return False
        g = a.get
        au = g("author")
        if (type(g("author_position")) not in _STR or type(g("is_corresponding")) not in _BOOL
                or au is not None and (type(au) is not dict or type(au.get("id")) not in _STR
                                       or type(au.get("display_name")) not in _STR)):
            return False
        v = g("countries")
        if v is not None:
            if type(v) is not list:
                return False
            for c in v:
                if type(c) is not str and c is not None:
                    return False
        insts = g("institutions")
        if insts is None:
            continue
        if type(insts) is not list:
            return False
        for i in insts:
            if type(i) is dict:
                g = i.get
                if (type(g("id")) not in _STR or type(g("display_name")) not in _STR
                        or type(g("country_code")) not in _STR or type(g("type")) not in _STR):
                    return False
            elif i is not None:
                return False
    return True


def _fit(v, t: pa.DataType, path: str):
    """``v`` fitted to the Arrow type ``t``: itself, a fixed copy, or :class:`Misfit`."""
    if v is None:
        return None
    if pa.types.is_struct(t):
        if not isinstance(v, dict):
            raise Misfit(path or "record", "an object", v)
        out = v
        for f in t:
            x = v.get(f.name)
            y = _fit(x, f.type, f"{path}.{f.name}" if path else f.name)
            if y is not x:
                out = out if out is not v else dict(v)
                out[f.name] = y
        return out
    if pa.types.is_list(t):
        if isinstance(v, str) and pa.types.is_string(t.value_type):
            v = [v]  # one country code for a list of one
        if not isinstance(v, (list, tuple)):
            raise Misfit(path, "a list", v)
        items = [_fit(x, t.value_type, f"{path}[{i}]") for i, x in enumerate(v)]
        return v if type(v) is list and all(x is y for x, y in zip(items, v)) else items
    if pa.types.is_string(t):
        if not isinstance(v, str):
            raise Misfit(path, "a string", v)
        return v
    if isinstance(v, (bool, np.bool_)) and not pa.types.is_boolean(t):
        raise Misfit(path, "a whole number" if pa.types.is_integer(t) else "a number", v)
    if pa.types.is_integer(t):
        return v if type(v) is int and _INT64[0] <= v <= _INT64[1] else _as_int(v, path)
    if pa.types.is_floating(t):
        return v if type(v) in _NUM else _as_float(v, path)
    return v if type(v) is bool else _as_bool(v, path)


def _as_int(v, path: str) -> int:
    """A whole number from an int, an integral float (2015.0) or such a string ("2015")."""
    n = None
    if isinstance(v, str):
        with contextlib.suppress(ValueError):
            n = int(v)
    if n is None:
        try:
            n = operator.index(v)
        except TypeError:
            with contextlib.suppress(TypeError, ValueError, OverflowError):
                f = float(v)
                n = int(f) if f == int(f) else None
    if n is None or not _INT64[0] <= n <= _INT64[1]:
        raise Misfit(path, "a whole number", v)
    return n


def _as_float(v, path: str) -> float:
    """A number from an int, a float or a numeric string ("1.5")."""
    try:
        return float(v.strip() if isinstance(v, str) else v)
    except (TypeError, ValueError, OverflowError):
        raise Misfit(path, "a number", v) from None


def _as_bool(v, path: str) -> bool:
    """true/false from a bool, "true"/"false" (any case) or the numbers 0 and 1."""
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, str) and v.strip().lower() in ("true", "false"):
        return v.strip().lower() == "true"
    if isinstance(v, (int, float)) and v in (0, 1):
        return bool(v)
    raise Misfit(path, "true or false", v)
