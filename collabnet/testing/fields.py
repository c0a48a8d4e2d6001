"""The filterable and groupable fields of ``/works``: how each is read from a work record.

:data:`FIELDS` maps a field name to a :class:`_Field` (its kind, its extractor, how its
values are normalised and how its ``group_by`` keys look); :data:`FIELD_ALIASES` maps the
short names OpenAlex also accepts. :func:`_get_field` resolves a name as the origin does
(``-`` for ``_``, aliases) or raises its 400. The value helpers normalise ids, DOIs and RORs.

>>> FIELDS["authorships.institutions.country_code"].get(
...     {"authorships": [{"institutions": [{"country_code": "jp"}, {"country_code": "DE"}]}]})
['JP', 'DE']
>>> _get_field("institutions.id").name, _short_id("https://openalex.org/i27837315")
('authorships.institutions.id', 'I27837315')
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from collabnet.testing.constants import LIST_AUTHOR_LIMIT
from collabnet.testing.responses import _query_error

# --------------------------------------------------------------------------------------------
# value helpers

_SHORT_ID = re.compile(r"^(?:https?://(?:www\.)?openalex\.org/)?([A-Za-z]\d+)$")


def _short_id(value: Any) -> str | None:
    """``"https://openalex.org/I27837315"`` or ``"i27837315"`` -> ``"I27837315"``."""
    if not isinstance(value, str):
        return None
    m = _SHORT_ID.match(value.strip())
    return m.group(1).upper() if m else None


def _norm_doi(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    v = value.strip().lower()
    for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/",
                   "http://dx.doi.org/", "doi:"):
        if v.startswith(prefix):
            v = v[len(prefix):]
            break
    return v


def _norm_ror(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    v = value.strip().lower()
    return v.rsplit("/", 1)[-1] if "ror.org/" in v else v


def _last_segment(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip().rstrip("/").rsplit("/", 1)[-1].lower()


def _num(value: Any) -> float | int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _authorships(work: dict) -> list[dict]:
    a = work.get("authorships")
    return [x for x in a if isinstance(x, dict)] if isinstance(a, list) else []


def _institutions(work: dict, limit: int | None = None) -> Iterable[dict]:
    for a in _authorships(work)[:limit]:
        for inst in a.get("institutions") or []:
            if isinstance(inst, dict):
                yield inst


# --------------------------------------------------------------------------------------------
# filterable / groupable fields of /works

def _country_codes(work: dict) -> list[str]:
    return [i["country_code"].upper() for i in _institutions(work)
            if isinstance(i.get("country_code"), str) and i["country_code"]]


def _author_countries(work: dict) -> list[str]:
    # Indexed on the 100-truncated authorships, unlike the institution fields.
    return [c.upper() for a in _authorships(work)[:LIST_AUTHOR_LIMIT]
            for c in (a.get("countries") or []) if isinstance(c, str) and c]


def _institution_ids(work: dict) -> list[str]:
    return [s for s in (_short_id(i.get("id")) for i in _institutions(work)) if s]


def _lineage_ids(work: dict) -> list[str]:
    out: list[str] = []
    for inst in _institutions(work):
        lineage = inst.get("lineage")
        ids = lineage if isinstance(lineage, list) and lineage else [inst.get("id")]
        out.extend(s for s in (_short_id(x) for x in ids) if s)
    return out


def _author_ids(work: dict) -> list[str]:
    return [s for s in (_short_id((a.get("author") or {}).get("id")) for a in _authorships(work))
            if s]


def _id_list(key: str) -> Callable[[dict], list[str]]:
    def get(work: dict) -> list[str]:
        v = work.get(key)
        return [s for s in (_short_id(x) for x in v) if s] if isinstance(v, list) else []
    return get


def _scalar(key: str) -> Callable[[dict], list]:
    def get(work: dict) -> list:
        v = work.get(key)
        return [v] if isinstance(v, str) and v else []
    return get


def _numeric(key: str) -> Callable[[dict], float | int | None]:
    return lambda work: _num(work.get(key))


def _countries_distinct_count(work: dict) -> int | None:
    v = _num(work.get("countries_distinct_count"))
    if v is not None or "authorships" not in work:
        return v
    return len(set(_country_codes(work)))


def _institutions_distinct_count(work: dict) -> int | None:
    v = _num(work.get("institutions_distinct_count"))
    if v is not None or "authorships" not in work:
        return v
    return len(set(_institution_ids(work)))


def _authors_count(work: dict) -> int | None:
    if "authorships" in work:
        return len(_authorships(work))
    return _num(work.get("authors_count"))


def _percentile_max(work: dict) -> float | None:
    p = work.get("cited_by_percentile_year")
    return _num(p.get("max")) if isinstance(p, dict) else None


def _percentile_min(work: dict) -> float | None:
    p = work.get("cited_by_percentile_year")
    return _num(p.get("min")) if isinstance(p, dict) else None


def _topic_part(part: str | None) -> Callable[[dict], list[str]]:
    def get(work: dict) -> list[str]:
        t = work.get("primary_topic")
        if not isinstance(t, dict):
            return []
        node = t if part is None else t.get(part)
        v = node.get("id") if isinstance(node, dict) else None
        return [v] if isinstance(v, str) and v else []
    return get


def _doi_values(work: dict) -> list[str]:
    d = _norm_doi(work.get("doi"))
    return [d] if d else []


def _ror_values(work: dict) -> list[str]:
    return [s for s in (_norm_ror(i.get("ror")) for i in _institutions(work)) if s]


def _inst_types(work: dict) -> list[str]:
    return [i["type"] for i in _institutions(work) if isinstance(i.get("type"), str) and i["type"]]


@dataclass(frozen=True)
class _Field:
    """One filterable field: how to read it from a record, match it, and group by it.

    kind: "term" (case-insensitive strings), "id" (OpenAlex ids), "url" (matched on the last
    path segment), "range" (numbers), "bool", "date" (from/to dates).
    group: how group_by keys look ("country", "type", "insttype", "language", "entity", "url",
    "ror", "number", "bool", "exists"), or None if the field cannot be grouped.
    """

    name: str
    kind: str
    get: Callable[[dict], Any]
    group: str | None = None
    norm: Callable[[Any], Any] | None = None
    op: str | None = None  # for dates: ">=" or "<="
    date_key: str = "publication_date"
    premium: bool = False


def _lower(v: Any) -> str | None:
    return v.strip().lower() if isinstance(v, str) and v.strip() else None


_FIELD_LIST = [
    _Field("publication_year", "range", _numeric("publication_year"), "number"),
    _Field("type", "term", _scalar("type"), "type", _lower),
    _Field("language", "term", _scalar("language"), "language", _lower),
    _Field("is_paratext", "bool", lambda w: bool(w.get("is_paratext")), "bool"),
    _Field("is_retracted", "bool", lambda w: bool(w.get("is_retracted")), "bool"),
    _Field("is_xpac", "bool", lambda w: bool(w.get("is_xpac")), "bool"),
    _Field("authorships.countries", "term", _author_countries, "country", _lower),
    _Field("authorships.institutions.country_code", "term", _country_codes, "country", _lower),
    _Field("authorships.institutions.id", "id", _institution_ids, "entity", _short_id),
    _Field("authorships.institutions.lineage", "id", _lineage_ids, "entity", _short_id),
    _Field("authorships.institutions.ror", "term", _ror_values, "ror", _norm_ror),
    _Field("authorships.institutions.type", "term", _inst_types, "insttype", _lower),
    _Field("authorships.author.id", "id", _author_ids, "entity", _short_id),
    _Field("corresponding_institution_ids", "id", _id_list("corresponding_institution_ids"),
           "entity", _short_id),
    _Field("corresponding_author_ids", "id", _id_list("corresponding_author_ids"),
           "entity", _short_id),
    _Field("countries_distinct_count", "range", _countries_distinct_count, "number"),
    _Field("institutions_distinct_count", "range", _institutions_distinct_count, "number"),
    _Field("authors_count", "range", _authors_count, "number"),
    _Field("cited_by_count", "range", _numeric("cited_by_count"), "number"),
    _Field("fwci", "range", _numeric("fwci"), None),
    _Field("cited_by_percentile_year.max", "range", _percentile_max, None),
    _Field("cited_by_percentile_year.min", "range", _percentile_min, None),
    _Field("ids.openalex", "id", lambda w: [s for s in [_short_id(w.get("id"))] if s], None,
           _short_id),
    _Field("doi", "term", _doi_values, "exists", _norm_doi),
    _Field("primary_topic.id", "url", _topic_part(None), "url", _last_segment),
    _Field("primary_topic.field.id", "url", _topic_part("field"), "url", _last_segment),
    _Field("primary_topic.subfield.id", "url", _topic_part("subfield"), "url", _last_segment),
    _Field("primary_topic.domain.id", "url", _topic_part("domain"), "url", _last_segment),
    _Field("from_publication_date", "date", _scalar("publication_date"), op=">="),
    _Field("to_publication_date", "date", _scalar("publication_date"), op="<="),
    _Field("from_updated_date", "date", _scalar("updated_date"), op=">=", premium=True),
    _Field("to_updated_date", "date", _scalar("updated_date"), op="<=", premium=True),
    _Field("from_created_date", "date", _scalar("created_date"), op=">=", premium=True),
    _Field("to_created_date", "date", _scalar("created_date"), op="<=", premium=True),
]

FIELDS: dict[str, _Field] = {f.name: f for f in _FIELD_LIST}
FIELD_ALIASES = {
    "institutions.country_code": "authorships.institutions.country_code",
    "institutions.id": "authorships.institutions.id",
    "institutions.ror": "authorships.institutions.ror",
    "institutions.type": "authorships.institutions.type",
    "author.id": "authorships.author.id",
    "openalex": "ids.openalex",
    "openalex_id": "ids.openalex",
}
_ALL_FIELD_NAMES = sorted(set(FIELDS) | set(FIELD_ALIASES))
_BOOL_DEFAULT_FALSE = ("is_paratext", "is_retracted", "is_xpac")


def _get_field(key: str) -> _Field:
    name = key.replace("-", "_")
    name = FIELD_ALIASES.get(name, name)
    if name not in FIELDS:
        valid = [n for n in _ALL_FIELD_NAMES if n != "from_updated_date"]
        raise _query_error(
            f"{key} is not a valid field. Valid fields are underscore or hyphenated versions "
            f"of: {', '.join(valid)}"
        )
    return FIELDS[name]
