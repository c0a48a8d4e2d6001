"""The vocabulary every layer shares: ids, country codes, year ranges, levels and names.

One place for each rule a user's input or a record's value is checked against, so the
command line, the library, the fetcher and the loopback server can never disagree: one id
normaliser (:func:`short_id`), one institution-id parser (:func:`normalize_institution`),
one country validator (:func:`validate_country`), **one year-range grammar**
(:func:`parse_years`), the entity levels (:data:`LEVELS`) and the names of collaboration
types, countings and indicators. This module imports nothing heavier than pycountry.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from collabnet.errors import InputError

# ---------------------------------------------------------------------------------------------
# levels, countings, collaboration types, indicators

#: Entity levels of shares, networks and indicators.
LEVELS = ("country", "institution", "author")
#: The column of ``WorkTables.affiliations`` that holds each level's entity key.
ENTITY_COLUMNS = {"country": "country_code", "institution": "institution_id", "author": "author_id"}
#: Counting methods (DESIGN.md, "Full counting", "Fractional counting").
COUNTINGS = ("full", "fractional")
#: Collaboration types of a work, in the order reports list them; they partition the works.
COLLABORATION_TYPES = ("international", "domestic", "single_institution", "unknown")
#: Rules for a work's collaboration type (see :func:`collabnet.tables.classify_collaboration`).
COLLABORATION_RULES = ("countries", "leiden")
#: Columns of a shares table, in order (``year`` only when by year).
SHARE_COLUMNS = [
    "entity",
    "name",
    "year",
    "works",
    "international_works",
    "share",
    "domestic_works",
    "single_institution_works",
    "unknown_works",
]

#: Indicators of the collaboration profile that a trend can follow.
PROFILE_INDICATORS = (
    "works",
    "international_works",
    "domestic_works",
    "single_institution_works",
    "industry_works",
    "international_share",
    "domestic_share",
    "single_institution_share",
    "industry_share",
    "bilateral_share",
    "multilateral_share",
    "near_share",
    "far_share",
)
#: Impact indicators (of the ``all`` group unless a collaboration type is chosen).
IMPACT_INDICATORS = ("mean_citations", "median_citations", "mean_fwci", "top10_share")
#: Network indicators, from one co-authorship network per year.
NETWORK_INDICATORS = (
    "degree",
    "strength",
    "betweenness",
    "closeness",
    "eigenvector",
    "pagerank",
    "core_number",
)
#: Below this many works an indicator is flagged ``low_evidence`` (``--min-works``).
MIN_WORKS = 10
#: Every indicator a trend can follow.
INDICATORS = PROFILE_INDICATORS + IMPACT_INDICATORS + NETWORK_INDICATORS
#: Orders of a link-strength table (by full count, or by a normalised strength).
LINK_STRENGTH_ORDERS = (
    "works",
    "fractional_weight",
    "association_strength",
    "cosine",
    "jaccard",
    "inclusion",
)


def entity_column(level: str) -> str:
    """The affiliations column holding entities of ``level``; InputError for an unknown level.

    >>> entity_column("institution")
    'institution_id'
    """
    try:
        return ENTITY_COLUMNS[level]
    except (KeyError, TypeError):
        raise InputError(f"unknown level {level!r}: choose {', '.join(LEVELS)}") from None


def check_choice(what: str, value, choices: Iterable[str]) -> str:
    """``value`` if it is one of ``choices``, else InputError naming the valid ones.

    >>> check_choice("counting", "fractional", COUNTINGS)
    'fractional'
    """
    choices = tuple(choices)
    if value not in choices:
        raise InputError(f"unknown {what} {value!r}: choose {' or '.join(choices)}")
    return value


def check_counting(counting: str) -> str:
    """Validate a counting method name (``full`` or ``fractional``)."""
    return check_choice("counting", counting, COUNTINGS)


# ---------------------------------------------------------------------------------------------
# ids


def short_id(value: str) -> str:
    """An OpenAlex id as its short key: ``https://openalex.org/W12`` -> ``W12``.

    The first letter (the entity kind) is upper-cased; the rest is kept.

    >>> short_id("https://openalex.org/w12"), short_id(" I45/ ")
    ('W12', 'I45')
    """
    key = str(value).strip().rstrip("/").rsplit("/", 1)[-1]
    return key[:1].upper() + key[1:]


def short_ids(arr):
    """Vectorised :func:`short_id` over an Arrow string array (nulls stay null)."""
    import pyarrow.compute as pc

    stripped = pc.utf8_rtrim(pc.utf8_trim_whitespace(arr), characters="/")
    key = pc.replace_substring_regex(stripped, pattern=r"^.*/", replacement="")
    head = pc.utf8_upper(pc.utf8_slice_codeunits(key, 0, 1))
    return pc.binary_join_element_wise(head, pc.utf8_slice_codeunits(key, 1), "")


_OPENALEX_INST = re.compile(r"^(?:https?://)?(?:openalex\.org/)?(?:institutions/)?([Ii]\d+)$")
_ROR = re.compile(r"^(?:https?://)?(?:ror\.org/|ror:)?(0[a-hj-km-np-tv-z0-9]{6}\d{2})$", re.I)
_ENTITY_PREFIX = {"institution": "I", "author": "A"}


def normalize_institution(value: str) -> tuple[str, str]:
    """Classify and normalise an institution id: OpenAlex (``I…``) or ROR.

    Returns ``(kind, id)``; InputError when ``value`` is neither.

    >>> normalize_institution("https://openalex.org/I74801974")
    ('openalex', 'I74801974')
    >>> normalize_institution("https://ror.org/057zh3y96")
    ('ror', '057zh3y96')
    """
    text = str(value).strip()
    m = _OPENALEX_INST.match(text)
    if m:
        return "openalex", "I" + m.group(1)[1:]
    m = _ROR.match(text)
    if m:
        return "ror", m.group(1).lower()
    raise InputError(
        f"invalid institution {value!r}: expected an OpenAlex id (I74801974) or a ROR id "
        "(https://ror.org/057zh3y96)"
    )


def entity_key(level: str, value: str) -> str:
    """A user-typed entity (``jp``, ``https://openalex.org/I1``) as the key of ``level``.

    >>> entity_key("country", "jp"), entity_key("institution", "https://openalex.org/i17")
    ('JP', 'I17')
    """
    entity_column(level)
    if level == "country":
        return validate_country(value)
    prefix = _ENTITY_PREFIX[level]
    key = short_id(value)
    if not (key.startswith(prefix) and key[1:].isdigit()):
        raise InputError(f"invalid {level} id {value!r}: expected an OpenAlex id like {prefix}123")
    return key


def level_of_focus(focus: str | Iterable[str] | None, default: str = "country") -> str:
    """The level a focus names when no level is given: ``institution`` when every item is an
    institution id (``I74801974``, ``https://openalex.org/I17``), ``author`` when every item
    is an author id, else ``default``.

    >>> level_of_focus("I74801974"), level_of_focus("JP,DE"), level_of_focus(None)
    ('institution', 'country', 'country')
    """
    items = split_list(focus) if focus is not None else []
    for level, prefix in _ENTITY_PREFIX.items():
        if items and all((k := short_id(i)).startswith(prefix) and k[1:].isdigit()
                         for i in items):
            return level
    return default


def normalise_focus(level: str, focus: str | Iterable[str] | None) -> list[str] | None:
    """Focus entities as keys of ``level`` (``"JP,DE"`` or a list); None for no focus.

    At country level a group name (``OECD``, ``EU``, ``G7``, ``G20``, a UN region) stands for
    its members today (:mod:`collabnet.groups`).

    >>> normalise_focus("country", "jp, de")
    ['JP', 'DE']
    >>> normalise_focus("country", "JP,G7")
    ['JP', 'CA', 'DE', 'FR', 'GB', 'IT', 'US']
    """
    if focus is None:
        return None
    items = split_list(focus) if level != "country" else split_countries(focus)
    if not items:
        return None
    if level == "country":
        from collabnet.groups import expand

        items = expand(items)
    return list(dict.fromkeys(entity_key(level, f) for f in items))


def split_countries(values) -> list[str]:
    """Items of a country list: split at commas, and at spaces unless the item is a group
    whose name has one ("Eastern Asia").

    >>> split_countries(["JP KR", "Eastern Asia, DE"])
    ['JP', 'KR', 'Eastern Asia', 'DE']
    """
    from collabnet.groups import is_group

    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    out = []
    for item in values:
        for part in str(item).split(","):
            part = part.strip()
            if part:
                out.extend([part] if is_group(part) else part.split())
    return out


def split_list(values: str | Iterable[str] | None) -> list[str]:
    """``"JP,KR"``, ``"JP KR"`` or ``["JP", "KR,DE"]`` as a flat list of stripped items.

    >>> split_list(["JP", "KR, DE"])
    ['JP', 'KR', 'DE']
    """
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    return [v for item in values for v in re.split(r"[\s,]+", str(item)) if v]


# ---------------------------------------------------------------------------------------------
# countries

#: Codes outside ISO 3166-1 that OpenAlex uses.
EXTRA_COUNTRIES = {"XK": "Kosovo"}

_CODE = re.compile(r"^[A-Za-z]{2}$")


@cache
def country_name(code: str) -> str:
    """The common English name of a country code, or the code itself when unknown.

    >>> country_name("KR")
    'South Korea'
    """
    import pycountry

    code = code.upper()
    if code in EXTRA_COUNTRIES:
        return EXTRA_COUNTRIES[code]
    c = pycountry.countries.get(alpha_2=code)
    if c is None:
        return code
    return getattr(c, "common_name", None) or c.name


@cache
def is_country_code(code: str) -> bool:
    """Whether ``code`` is an ISO 3166-1 alpha-2 code (any case) or one of EXTRA_COUNTRIES."""
    import pycountry

    if not isinstance(code, str) or not _CODE.match(code):
        return False
    code = code.upper()
    return code in EXTRA_COUNTRIES or pycountry.countries.get(alpha_2=code) is not None


@cache
def country_codes() -> frozenset[str]:
    """Every code a country can have: ISO 3166-1 alpha-2, plus OpenAlex's ``XK``."""
    import pycountry

    return frozenset(c.alpha_2 for c in pycountry.countries) | frozenset(EXTRA_COUNTRIES)


def validate_country(code: str) -> str:
    """``code`` upper-cased, or InputError saying why it is not a country code.

    >>> validate_country(" jp ")
    'JP'
    """
    if not isinstance(code, str) or not _CODE.match(code.strip()):
        raise InputError(
            f"invalid country code {code!r}: expected two letters (ISO 3166-1 alpha-2, e.g. JP)"
        )
    code = code.strip().upper()
    if not is_country_code(code):
        raise InputError(f"unknown country code {code!r}: not an ISO 3166-1 alpha-2 code")
    return code


# ---------------------------------------------------------------------------------------------
# years: the one grammar

MIN_YEAR, MAX_YEAR = 1000, 2100
_YEAR_RANGE = re.compile(r"^\s*(\d{1,4})?\s*(-|–|\.\.|:)?\s*(\d{1,4})?\s*$")
_GRAMMAR = "expected YEAR, FROM-TO, FROM..TO, FROM- or -TO, e.g. 2009-2017"

YearRange = tuple  # (first or None, last or None)


def parse_years(value, *, closed: bool = False) -> tuple[int | None, int | None] | None:
    """Parse a publication-year range; the one grammar of every option that takes years.

    Accepted: ``2017``, ``"2017"``, ``"2009-2017"``, ``"2009..2017"``, ``"2009–2017"``,
    ``"2009:2017"``, open ranges ``"2009-"`` / ``"2009.."`` and ``"-2017"`` / ``"..2017"``,
    a pair ``(2009, 2017)`` (either end may be None), or None / ``""`` for no range.

    Parameters
    ----------
    value
        The range.
    closed : bool
        Require both ends (the fetcher slices by year, so it needs a first and a last year).

    Returns
    -------
    (first, last) or None
        Inclusive bounds, None for an open end.

    Raises
    ------
    InputError
        Text outside the grammar, a year outside 1000–2100, a range that runs backwards, or
        an open end where ``closed`` is asked for.

    Examples
    --------
    >>> parse_years("2009..2017"), parse_years("2009-"), parse_years(2015)
    ((2009, 2017), (2009, None), (2015, 2015))
    >>> parse_years("-2017")
    (None, 2017)
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise InputError(f"invalid year range {value!r}: {_GRAMMAR}")
    if isinstance(value, int):
        first = last = value
    elif isinstance(value, str):
        m = _YEAR_RANGE.match(value)
        if not m or not (m.group(1) or m.group(3)):
            raise InputError(f"invalid year range {value!r}: {_GRAMMAR}")
        a, sep, b = m.groups()
        if sep is None:
            if a is None or b is not None:
                raise InputError(f"invalid year range {value!r}: {_GRAMMAR}")
            first = last = int(a)
        else:
            first = int(a) if a else None
            last = int(b) if b else None
    elif isinstance(value, (tuple, list)) and len(value) == 2:
        try:
            first, last = (None if v is None else int(v) for v in value)
        except (TypeError, ValueError):
            raise InputError(f"invalid year range {value!r}: expected two years") from None
    else:
        raise InputError(f"invalid year range {value!r}: {_GRAMMAR}")
    for y in (first, last):
        if y is not None and not MIN_YEAR <= y <= MAX_YEAR:
            raise InputError(
                f"invalid year range {value!r}: year {y} is out of range {MIN_YEAR}-{MAX_YEAR}"
            )
    if first is not None and last is not None and first > last:
        raise InputError(f"invalid year range {value!r}: {first} is after {last}")
    if closed and (first is None or last is None):
        raise InputError(f"invalid year range {value!r}: give both ends, e.g. 2009-2017")
    return first, last


def format_years(span) -> str:
    """A parsed range as text in the grammar: ``2009-2017``, ``2015``, ``2009-``, ``-2017``.

    >>> format_years((2009, 2017)), format_years((2015, 2015)), format_years((None, 2017))
    ('2009-2017', '2015', '-2017')
    """
    if span is None:
        return ""
    first, last = span
    if first is not None and first == last:
        return str(first)
    return f"{'' if first is None else first}-{'' if last is None else last}"
