"""The counts' requests: which ``group_by`` calls answer a shares question, fewest first.

A :class:`Step` is one ``group_by`` request (its filter, its ``group_by`` field, how its
groups are walked) and how to read its groups into (entity, year) counts. :func:`plan`
picks, for a query, a level and the entities asked for, the cheapest of (OPENALEX_API.md
§1.8, §6.3):

``per_year``
    one ``group_by=<entity field>`` per year and count (works, international …): every
    country at once; the groups are walked with a cursor from the start, so more than 200
    countries cost one more page, not a second pass.
``per_entity``
    one ``group_by=publication_year`` per entity and count, over the whole year range: one
    country or institution costs two requests whatever the span.
``nested``
    ``group_by=publication_year,<entity field>`` (undocumented, added to the API in 2026)
    over the entities OR-ed: two requests for a whole set of entities; used only after the
    server answered it correctly, else :func:`plan` is asked again without it.
``total``
    without years: one ``group_by=<entity field>`` per count over the whole range.

Institutions are filtered by ``authorships.institutions.lineage`` (the institution and every
institution under it) unless ``lineage=False`` (``institutions.id`` / ``institutions.ror``,
the institution alone, as a works query fetches).

>>> from collabnet.query import WorkQuery
>>> q = WorkQuery(years="2009-2017")
>>> steps = plan(q, "country", [Entity("JP", "institutions.country_code", "jp")])
>>> [(s.subset, s.group_by, s.filter) for s in steps]  # doctest: +NORMALIZE_WHITESPACE
[('works', 'publication_year',
  'institutions.country_code:jp,is_paratext:false,publication_year:2009-2017'),
 ('international_works', 'publication_year',
  'countries_distinct_count:>1,institutions.country_code:jp,is_paratext:false,publication_year:2009-2017')]
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from collabnet.errors import InputError
from collabnet.keys import normalize_institution, split_countries, split_list, validate_country
from collabnet.query import MAX_FILTER_VALUES, WorkQuery

__all__ = ["COUNTRY_FIELD", "SUBSETS", "Entity", "Step", "entities_for", "per_entity", "plan",
           "step_url"]

COUNTRY_FIELD = "institutions.country_code"
LINEAGE_FIELD = "authorships.institutions.lineage"
YEAR_FIELD = "publication_year"

#: Extra filters per count; each count is one request per step of a plan.
SUBSETS = {
    "works": {},
    "international_works": {"countries_distinct_count": ">1"},
    "domestic_works": {"countries_distinct_count": "1", "institutions_distinct_count": ">1"},
    "single_institution_works": {
        "countries_distinct_count": "1",
        "institutions_distinct_count": "1",
    },
}


@dataclass(frozen=True)
class Entity:
    """One entity asked for: its key in the result, the filter field and value that select
    its works, and (for a ROR id resolved to an OpenAlex id) the id as the user gave it."""

    key: str
    field: str
    value: str
    given: str | None = None


@dataclass(frozen=True)
class Step:
    """One ``group_by`` request and how its groups are read.

    ``read``: ``"keys"`` (groups are entities of one ``year``, or of the whole range when
    ``year`` is None), ``"years"`` (groups are years of one ``entity``) or ``"nested"``
    (years, each with entity groups). ``walk``: ``"all"`` (every group, cursor paging) or
    ``"top"`` (the top page; ``need`` are the entities that must be on it when it is full).
    """

    subset: str
    filter: str
    group_by: str
    read: str
    walk: str = "top"
    year: int | None = None
    entity: str | None = None
    need: frozenset = frozenset()


def step_url(step: Step, per_page: int, cursor: str | None = None) -> str:
    """The path and query of a step's request (no base URL, never an API key).

    >>> step_url(Step("works", "publication_year:2015", "institutions.country_code", "keys",
    ...               "all", 2015), 200, "*")
    '/works?filter=publication_year:2015&group_by=institutions.country_code&per_page=200&cursor=*'
    """
    q = f"filter={quote(step.filter, safe=':,')}&group_by={quote(step.group_by, safe=',.')}"
    q += f"&per_page={per_page}"
    if cursor is not None:
        q += f"&cursor={quote(cursor, safe='*')}"
    return f"/works?{q}"


def entities_for(query: WorkQuery, level: str, focus, *, lineage: bool = True):
    """The entities a counts question is about: ``focus``, else the query's own countries
    (level country) or institutions (level institution); None for every country.

    ROR ids are kept as given (``Entity.field`` ``"institutions.ror"``); with ``lineage`` the
    caller resolves them to OpenAlex ids first.
    """
    if level == "country":
        codes = split_countries(focus) if focus is not None else list(query.countries)
        if focus is not None:
            from collabnet.groups import expand

            codes = expand(codes)
        codes = list(dict.fromkeys(validate_country(c) for c in codes))
        return [Entity(c, COUNTRY_FIELD, c.lower()) for c in codes] or None
    if level != "institution":
        raise InputError(f"the counts path reports countries or institutions, not {level}s")
    ids = split_list(focus) if focus is not None else list(query.institutions)
    if not ids:
        raise InputError("counts of institutions need the institutions: give a focus "
                         "(I74801974 or a ROR id) or institutions in the query")
    out = []
    for raw in dict.fromkeys(ids):
        kind, ident = normalize_institution(raw)
        if kind == "ror":
            out.append(Entity(ident, "institutions.ror", ident, given=ident))
        elif lineage:
            out.append(Entity(ident, LINEAGE_FIELD, ident))
        else:
            out.append(Entity(ident, "institutions.id", ident))
    return out


def _filter(query: WorkQuery, subset: str, *, year: int | None = None,
            entities: list[Entity] | None = None) -> str:
    """The canonical filter: the query's, restricted to ``year`` and the subset, and to the
    works of any of ``entities``. The query's own country (or institution) filter gives way
    to the entities' when every entity is one of its values (the entities' works are then
    among the query's works, and with lineage a superset of them is wanted), else both hold.
    """
    f = query.filters(year=year, extra=SUBSETS[subset])
    segments = []
    if entities:
        field = entities[0].field
        values = "|".join(e.value for e in entities)
        own = f.get(field)
        if field == LINEAGE_FIELD or field in ("institutions.id", "institutions.ror"):
            field_q = query.institution_field
            given = {e.given or e.key for e in entities}
            if field_q and given <= set(query.institutions):
                f.pop(field_q, None)
        elif own is not None and {e.value for e in entities} <= set(own.split("|")):
            f.pop(field)
        segments.append(f"{field}:{values}")
    segments += [f"{k}:{v}" for k, v in f.items()]
    return ",".join(sorted(segments))


def plan(query: WorkQuery, level: str, entities: list[Entity] | None, *, by_year: bool = True,
         breakdown: bool = False, nested: bool = False, per_page: int = 200) -> list[Step]:
    """The steps answering the question, cheapest plan first (see the module docstring).

    ``nested``: the server may be asked a nested ``group_by`` (it answered one correctly, or
    has not been asked yet); the nested plan is taken only where it saves requests.
    """
    if query.years is None:
        raise InputError("counts need a year range (e.g. --years 2009-2017)")
    subsets = list(SUBSETS) if breakdown else ["works", "international_works"]
    first, last = query.years
    span = last - first + 1
    field = COUNTRY_FIELD if entities is None else entities[0].field
    steps: list[Step] = []
    if entities is None:  # every country
        for s in subsets:
            if by_year:
                steps += [Step(s, _filter(query, s, year=y), field, "keys", "all", y)
                          for y in range(first, last + 1)]
            else:
                steps.append(Step(s, _filter(query, s), field, "keys", "all"))
        return steps
    n = len(entities)
    keys = frozenset(e.key for e in entities)
    if n > MAX_FILTER_VALUES:  # cannot OR them: every country of each year, keep these
        if level != "country":
            raise InputError(f"too many institutions ({n}): at most {MAX_FILTER_VALUES} at once")
        years = range(first, last + 1) if by_year else [None]
        return [Step(s, _filter(query, s, year=y), field, "keys", "all", y)
                for s in subsets for y in years]
    if not by_year and (n > 1 or level == "country"):
        return [Step(s, _filter(query, s, entities=entities), field, "keys", "top", need=keys)
                for s in subsets]
    if n > 1 and span > 1 and nested and span <= per_page:
        spec = f"{YEAR_FIELD},{field}"
        return [Step(s, _filter(query, s, entities=entities), spec, "nested", need=keys)
                for s in subsets]
    if level == "country" and n > span:  # fewer years than countries: one call per year
        return [Step(s, _filter(query, s, year=y, entities=entities), field, "keys", "top", y,
                     need=keys) for s in subsets for y in range(first, last + 1)]
    return per_entity(query, entities, breakdown=breakdown, per_page=per_page)


def per_entity(query: WorkQuery, entities: list[Entity], *, breakdown: bool = False,
               per_page: int = 200) -> list[Step]:
    """The ``per_entity`` plan for ``entities`` (the fallback for what a capped page missed)."""
    subsets = list(SUBSETS) if breakdown else ["works", "international_works"]
    first, last = query.years
    walk = "all" if last - first + 1 > per_page else "top"
    return [Step(s, _filter(query, s, entities=[e]), YEAR_FIELD, "years", walk, entity=e.key)
            for e in entities for s in subsets]
