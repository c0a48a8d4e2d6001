"""Country groups, dated: OECD, EU, G7, G20, UN M49 regions and continents.

Wherever a list of countries is asked for (``--focus OECD``, ``--country EU``, ``--group G20
--as-of 2017``) a group name may stand for its members. Membership comes from the
``country_converter`` package's country table (maintained with the organisations' own lists;
its OECD column holds accession years), read directly here: its loader reads Namibia's code
``NA`` as a missing value under pandas 3. Checked on 2026-12-01 against the organisations:

- **OECD**: 38 members; accession years as on oecd.org/en/about/members-partners (30 members
  in 2009; Chile, Estonia, Israel, Slovenia 2010; Latvia 2016; Lithuania 2018; Colombia 2020;
  Costa Rica 2021). A country counts from the year it joined (``as_of`` is a year).
- **EU**: the member states in a year (EU-12 from 1986, EU-15 1995, EU-25 2004, EU-27 2007,
  EU-28 2013, EU-27 from 2020 when the United Kingdom left), from the table's composition
  columns; ``EU27`` and ``EU28`` name those two compositions whatever the year.
- **G7**: Canada, France, Germany, Italy, Japan, the United Kingdom, the United States.
- **G20**: its 19 member countries (the EU and, since 2023, the African Union are members as
  blocs and are not expanded here).
- **UN M49 regions** (``"Eastern Asia"``, ``"Northern Europe"`` …) and **continents**
  (``"Europe"``, ``"Asia"`` …), from the same table.

Group names are matched without regard to case, spaces, hyphens or underscores.
"""

from __future__ import annotations

import csv
import re
from functools import cache
from importlib import resources

from collabnet.errors import InputError

__all__ = ["GROUPS", "expand", "group_members", "is_group"]

#: The groups with a history, and the first year each is known for.
DATED = {"OECD": 1961, "EU": 1986}
#: EU composition columns of the table, newest first, with the first year of each.
_EU_COMPOSITIONS = (("EU27", 2020), ("EU28", 2013), ("EU27_2007", 2007), ("EU25", 2004),
                    ("EU15", 1995), ("EU12", 1986))
_G20_EU_MEMBERS = ("DE", "FR", "IT")  # EU members that are G20 members in their own right


def _key(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", str(name)).upper()


@cache
def _table() -> list[dict]:
    """The country table of country_converter, with ISO 3166 alpha-2 codes cleaned."""
    path = resources.files("country_converter") / "country_data.tsv"
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    out = []
    for row in rows:
        code = row["ISO2"]
        if not re.fullmatch(r"[A-Z]{2}", code):  # "^GB$|^UK$" -> GB, "^GR$|^EL$" -> GR
            m = re.match(r"\^([A-Z]{2})\$", code)
            if not m:
                continue
            code = m.group(1)
        out.append({**row, "ISO2": code})
    return out


@cache
def _static_groups() -> dict[str, frozenset[str]]:
    t = _table()
    groups: dict[str, frozenset[str]] = {
        "OECD": frozenset(r["ISO2"] for r in t if r["OECD"]),
        "EU": frozenset(r["ISO2"] for r in t if r["EU"]),
        "EU27": frozenset(r["ISO2"] for r in t if r["EU27"]),
        "EU28": frozenset(r["ISO2"] for r in t if r["EU28"]),
        "G7": frozenset(r["ISO2"] for r in t if r["G7"]),
        "G20": frozenset(r["ISO2"] for r in t if r["G20"] and (not r["EU"] or r["ISO2"] in
                                                              _G20_EU_MEMBERS)),
    }
    for column in ("UNregion", "continent"):
        for r in t:
            if r[column] and r[column] != "Antarctica":
                groups.setdefault(_key(r[column]), frozenset())
                groups[_key(r[column])] = groups[_key(r[column])] | {r["ISO2"]}
    return groups


def _names() -> dict[str, str]:
    """Normalised key -> display name of every group."""
    names = {k: k for k in ("OECD", "EU", "EU27", "EU28", "G7", "G20")}
    for column in ("UNregion", "continent"):
        for r in _table():
            if r[column] and r[column] != "Antarctica":
                names[_key(r[column])] = r[column]
    return names


#: Every group name (the regions and continents as the UN writes them).
GROUPS = ("OECD", "EU", "EU27", "EU28", "G7", "G20")


def is_group(name) -> bool:
    """Whether ``name`` is a country group (not a country code).

    >>> is_group("oecd"), is_group("Eastern Asia"), is_group("JP")
    (True, True, False)
    """
    return isinstance(name, str) and _key(name) in _static_groups()


def group_members(name: str, as_of: int | None = None) -> list[str]:
    """ISO 3166-1 alpha-2 codes of a group's members, sorted; in ``as_of`` (a year) if given.

    Parameters
    ----------
    name : str
        A group: ``OECD``, ``EU``, ``EU27``, ``EU28``, ``G7``, ``G20``, a UN M49 region
        (``"Eastern Asia"``) or a continent (``"Europe"``).
    as_of : int, optional
        Membership in that year (OECD: accession year or later; EU: the composition of that
        year). Other groups are taken as they are today.

    Examples
    --------
    >>> len(group_members("OECD")), len(group_members("OECD", as_of=2009))
    (38, 30)
    >>> "CO" in group_members("OECD", as_of=2017), "CO" in group_members("OECD", as_of=2021)
    (False, True)
    >>> "GB" in group_members("EU", as_of=2019), "GB" in group_members("EU", as_of=2021)
    (True, False)
    >>> group_members("G7")
    ['CA', 'DE', 'FR', 'GB', 'IT', 'JP', 'US']
    """
    key = _key(name)
    groups = _static_groups()
    if key not in groups:
        known = ", ".join(GROUPS)
        raise InputError(f"unknown country group {name!r}: choose {known}, a UN region "
                         "(e.g. 'Eastern Asia') or a continent")
    if as_of is None or key not in DATED:
        return sorted(groups[key])
    try:
        year = int(as_of)
    except (TypeError, ValueError):
        raise InputError(f"invalid --as-of {as_of!r}: expected a year, e.g. 2017") from None
    if year < DATED[key]:
        raise InputError(f"{key} membership before {DATED[key]} is not covered")
    if key == "OECD":
        return sorted(r["ISO2"] for r in _table() if r["OECD"] and int(r["OECD"]) <= year)
    column = next(c for c, first in _EU_COMPOSITIONS if year >= first)
    return sorted(r["ISO2"] for r in _table() if r[column])


def continent_of(code) -> str | None:
    """The continent of an ISO 3166-1 alpha-2 code (country_converter's ``continent``:
    Africa, America, Asia, Europe, Oceania), or None for an unknown code.

    >>> continent_of("JP"), continent_of("BR"), continent_of("XX")
    ('Asia', 'America', None)
    """
    return _continents().get(code) if isinstance(code, str) else None


@cache
def _continents() -> dict[str, str]:
    return {r["ISO2"]: r["continent"] for r in _table() if r["continent"]}


def group_name(name: str) -> str:
    """A group's display name: ``"eastern-asia"`` -> ``"Eastern Asia"``."""
    return _names().get(_key(name), name)


def expand(items, as_of: int | None = None) -> list[str]:
    """Country codes and group names, as the list of country codes they stand for (in order,
    each once); items that are not groups are returned as they are, for the caller to check.

    >>> expand(["JP", "G7"])[:3]
    ['JP', 'CA', 'DE']
    """
    out: list[str] = []
    for item in items:
        for code in (group_members(item, as_of) if is_group(item) else [item]):
            if code not in out:
                out.append(code)
    return out
