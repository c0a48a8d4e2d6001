"""WorkQuery: a validated description of a set of works, turned into OpenAlex filters and a
stable cache key.

A query names countries (ISO 3166-1 alpha-2), institutions (OpenAlex ``I…`` ids or ROR ids),
an inclusive publication-year range, work types and exclusions (paratext, retracted works).
It validates its input once, so everything downstream can trust it; it composes the
OpenAlex ``filter`` with pyalex (values joined with ``|`` mean OR, filters joined with ``,``
mean AND); and it splits itself into slices, one per publication year, that the fetcher and
the cache handle one at a time. The cache key of a query or slice is a hash of its canonical
filter string (fields and values sorted) and the fields selected, never of an API key or URL.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from collabnet.config import DEFAULT_BASE_URL
from collabnet.errors import InputError
from collabnet.groups import expand
from collabnet.keys import (
    normalize_institution,
    parse_years,
    split_countries,
    split_list,
    validate_country,
)

#: Root-level work fields requested with ``select``: what collabnet's tables read, plus a few
#: cheap ones (dates, topic, distinct counts) used in reports. Dropping abstracts, references,
#: locations and concepts cuts a record to a fraction of its full size (OPENALEX_API.md §6.1).
SELECT_FIELDS = (
    "id",
    "publication_year",
    "publication_date",
    "type",
    "is_paratext",
    "is_retracted",
    "authorships",
    "countries_distinct_count",
    "institutions_distinct_count",
    "corresponding_institution_ids",
    "cited_by_count",
    "fwci",
    "citation_normalized_percentile",
    "primary_topic",
    "is_authors_truncated",
)

#: Work types OpenAlex assigns (``/types``); a typo would otherwise silently match nothing.
WORK_TYPES = frozenset(
    {
        "article",
        "book",
        "book-chapter",
        "dataset",
        "dissertation",
        "editorial",
        "erratum",
        "grant",
        "letter",
        "libguides",
        "other",
        "paratext",
        "peer-review",
        "preprint",
        "reference-entry",
        "report",
        "retraction",
        "review",
        "standard",
        "supplementary-materials",
    }
)

#: Most values OpenAlex accepts in one OR filter (``MAX_IDS_IN_FILTER``).
MAX_FILTER_VALUES = 100
#: Bumped when what a cached slice holds changes meaning; part of every cache key.
CACHE_FORMAT = "collabnet-cache-v1"

@dataclass(frozen=True)
class QuerySlice:
    """One part of a :class:`WorkQuery` fetched and cached on its own (one year, or all)."""

    query: WorkQuery
    year: int | None
    source: str | None = None  # the API base URL the pages come from (None: the default)

    @property
    def name(self) -> str:
        """Short label: the year, or ``"all"`` for a query without a year range."""
        return str(self.year) if self.year is not None else "all"

    @property
    def filters(self) -> dict[str, str]:
        """The OpenAlex filters of this slice (the query's, with this slice's year)."""
        return self.query.filters(year=self.year)

    @property
    def filter_string(self) -> str:
        """The slice's ``filter=`` value, as sent to OpenAlex."""
        return self.query.filter_string(year=self.year)

    @property
    def key(self) -> str:
        """The slice's cache key: from its filters and the server the pages come from."""
        return cache_key(self.filter_string, source=self.source)


def cache_key(
    filter_string: str, select: Iterable[str] = SELECT_FIELDS, source: str | None = None
) -> str:
    """Stable cache key of a canonical filter string, the fields selected and the server.

    The key is the first 20 hex digits of SHA-256 over the cache format, the filter, the
    sorted select list and, for a server other than the default OpenAlex API, its base URL
    ``source`` — so pages from a mirror or a test server are never served as the real API's.
    It depends on nothing else (never the API key or page size).

    Examples
    --------
    >>> cache_key("publication_year:2015") == cache_key("publication_year:2015")
    True
    """
    parts = [CACHE_FORMAT, filter_string, ",".join(sorted(select))]
    if source is not None and source.rstrip("/") != DEFAULT_BASE_URL:
        parts.append("source=" + source.rstrip("/"))
    text = "\n".join(parts)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


@dataclass(frozen=True)
class WorkQuery:
    """A validated description of a set of OpenAlex works.

    Parameters
    ----------
    countries : iterable of str
        ISO 3166-1 alpha-2 codes; a work matches when any of its institutions is in any of
        them (``institutions.country_code:jp|kr``).
    institutions : iterable of str
        OpenAlex institution ids (``I74801974``) or ROR ids, all of one kind; a work matches
        when any author is affiliated with any of them. Combined with ``countries`` by AND.
    years : "2009-2017", "2009..2017", 2015, (first, last) or None
        Inclusive publication-year range (:func:`collabnet.keys.parse_years`, both ends
        given); the query is sliced by year. None: all years, one slice.
    types : iterable of str
        OpenAlex work types (``article``, ``review`` …), OR-ed; empty for all types.
    exclude_paratext : bool
        Drop front matter, tables of contents and the like (``is_paratext:false``); default.
    exclude_retracted : bool
        Drop retracted works (``is_retracted:false``).

    Raises
    ------
    InputError
        On an unknown country code, a malformed institution id, a mix of OpenAlex and ROR
        ids, more than 100 values, an unknown work type or a bad year range.

    Examples
    --------
    >>> q = WorkQuery(countries=["jp"], years="2009-2010", types=["article"])
    >>> q.filter_string()
    'institutions.country_code:jp,is_paratext:false,publication_year:2009-2010,type:article'
    >>> [s.name for s in q.slices()]
    ['2009', '2010']
    """

    countries: tuple[str, ...] = ()
    institutions: tuple[str, ...] = ()
    years: tuple[int, int] | None = None
    types: tuple[str, ...] = ()
    exclude_paratext: bool = True
    exclude_retracted: bool = False

    def __post_init__(self):
        countries = sorted({validate_country(c) for c in expand(split_countries(self.countries))})
        kinds = set()
        insts = set()
        for raw in split_list(self.institutions):
            kind, ident = normalize_institution(raw)
            kinds.add(kind)
            insts.add(ident)
        if len(kinds) > 1:
            raise InputError(
                "give institutions either all as OpenAlex ids (I…) or all as ROR ids, not both: "
                "OpenAlex cannot OR two different filter fields"
            )
        types = set()
        for t in split_list(self.types):
            t = str(t).strip().lower()
            if t not in WORK_TYPES:
                raise InputError(
                    f"unknown work type {t!r}: expected one of {', '.join(sorted(WORK_TYPES))}"
                )
            types.add(t)
        for label, values in (("countries", countries), ("institutions", insts)):
            if len(values) > MAX_FILTER_VALUES:
                raise InputError(
                    f"too many {label} ({len(values)}): OpenAlex accepts at most "
                    f"{MAX_FILTER_VALUES} per query; split the query"
                )
        object.__setattr__(self, "countries", tuple(countries))
        object.__setattr__(self, "institutions", tuple(sorted(insts)))
        object.__setattr__(self, "years", parse_years(self.years, closed=True))
        object.__setattr__(self, "types", tuple(sorted(types)))
        object.__setattr__(self, "exclude_paratext", bool(self.exclude_paratext))
        object.__setattr__(self, "exclude_retracted", bool(self.exclude_retracted))

    # --- filters ---------------------------------------------------------------------------
    @property
    def institution_field(self) -> str | None:
        """The OpenAlex filter field for :attr:`institutions` (None without institutions)."""
        if not self.institutions:
            return None
        return "institutions.ror" if not self.institutions[0].startswith("I") else "institutions.id"

    def filters(self, *, year: int | None = None, extra: dict | None = None) -> dict[str, str]:
        """OpenAlex filters as ``{field: value}``, sorted by field; values use ``|`` for OR.

        Parameters
        ----------
        year : int, optional
            Restrict to one publication year (a slice); must lie in :attr:`years`.
        extra : dict, optional
            More filters (e.g. ``{"countries_distinct_count": ">1"}``); a field already set
            by the query is replaced.
        """
        f: dict[str, str] = {}
        if self.countries:
            f["institutions.country_code"] = "|".join(c.lower() for c in self.countries)
        if self.institutions:
            f[self.institution_field] = "|".join(self.institutions)
        if year is not None:
            if self.years is not None and not self.years[0] <= year <= self.years[1]:
                raise InputError(f"year {year} is outside the query's range {self.year_label}")
            f["publication_year"] = str(int(year))
        elif self.years is not None:
            first, last = self.years
            f["publication_year"] = str(first) if first == last else f"{first}-{last}"
        if self.types:
            f["type"] = "|".join(self.types)
        if self.exclude_paratext:
            f["is_paratext"] = "false"
        if self.exclude_retracted:
            f["is_retracted"] = "false"
        if extra:
            f.update({str(k): str(v) for k, v in extra.items()})
        return dict(sorted(f.items()))

    def filter_string(self, *, year: int | None = None, extra: dict | None = None) -> str:
        """The canonical OpenAlex ``filter`` value: ``field:value`` pairs sorted, joined by ``,``.

        Composed with pyalex and decoded, so it is exactly what the server receives.
        """
        return _filter_param(self.pyalex(year=year, extra=extra).url)

    def pyalex(self, *, year: int | None = None, extra: dict | None = None, select=None):
        """A ``pyalex.Works`` object with this query's filter (and ``select``, if given).

        Use it to compose URLs only: pyalex sends requests to api.openalex.org whatever the
        configured base URL, so collabnet runs the HTTP itself (see ``sources.openalex``).
        """
        from pyalex import Works

        works = Works().filter(**self.filters(year=year, extra=extra))
        if select:
            works = works.select(list(select))
        return works

    # --- slices and keys -------------------------------------------------------------------
    def slices(self, source: str | None = None) -> list[QuerySlice]:
        """The parts fetched one at a time: one per year of :attr:`years`, else one for all.

        ``source`` is the API base URL the pages come from; it enters the slices' cache keys
        when it is not the default OpenAlex API.
        """
        if self.years is None:
            return [QuerySlice(self, None, source)]
        first, last = self.years
        return [QuerySlice(self, y, source) for y in range(first, last + 1)]

    @property
    def key(self) -> str:
        """Stable cache key of the whole query from the default API (see :func:`cache_key`)."""
        return cache_key(self.filter_string())

    def cache_key(self, source: str | None = None) -> str:
        """Cache key of the whole query as fetched from ``source`` (a base URL)."""
        return cache_key(self.filter_string(), source=source)

    @property
    def year_label(self) -> str:
        """The query's years as people write them: ``2009-2017``, ``2015``, or ``all years``."""
        if self.years is None:
            return "all years"
        first, last = self.years
        return str(first) if first == last else f"{first}-{last}"

    def describe(self) -> str:
        """One line for people: ``countries JP; years 2009-2017; types article; no paratext``."""
        parts = []
        if self.countries:
            parts.append("countries " + ",".join(self.countries))
        if self.institutions:
            parts.append("institutions " + ",".join(self.institutions))
        parts.append("years " + self.year_label)
        parts.append("types " + (",".join(self.types) if self.types else "all"))
        flags = (("paratext", self.exclude_paratext), ("retracted", self.exclude_retracted))
        excl = [name for name, on in flags if on]
        if excl:
            parts.append("excluding " + " and ".join(excl))
        return "; ".join(parts)

    def to_dict(self) -> dict:
        """Plain-JSON form, the inverse of :meth:`from_dict`."""
        return {
            "countries": list(self.countries),
            "institutions": list(self.institutions),
            "years": list(self.years) if self.years else None,
            "types": list(self.types),
            "exclude_paratext": self.exclude_paratext,
            "exclude_retracted": self.exclude_retracted,
        }

    @classmethod
    def from_dict(cls, data: dict) -> WorkQuery:
        """Rebuild a query saved with :meth:`to_dict`."""
        try:
            return cls(
                countries=data.get("countries") or (),
                institutions=data.get("institutions") or (),
                years=tuple(data["years"]) if data.get("years") else None,
                types=data.get("types") or (),
                exclude_paratext=data.get("exclude_paratext", True),
                exclude_retracted=data.get("exclude_retracted", False),
            )
        except (AttributeError, TypeError, KeyError) as exc:
            raise InputError(f"not a saved query: {exc}") from None


def _filter_param(url: str) -> str:
    """The decoded ``filter`` parameter of a pyalex URL."""
    query = urlsplit(url).query
    # pyalex percent-encodes values (``|`` becomes %7C); the server decodes them, and so do we.
    return parse_qs(query, keep_blank_values=True).get("filter", [""])[0]
