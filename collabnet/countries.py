"""Country codes: validation and names (ISO 3166-1 alpha-2, via pycountry).

OpenAlex keys countries by ISO 3166-1 alpha-2 code. collabnet validates codes a user types
(``--focus JP``) against the standard, with the user-assigned ``XK`` (Kosovo) that OpenAlex
also uses, and shows names from pycountry's ISO tables.
"""

from __future__ import annotations

import re
from functools import cache

import pycountry

from collabnet.errors import InputError

#: Codes outside ISO 3166-1 that OpenAlex uses.
EXTRA_COUNTRIES = {"XK": "Kosovo"}

_CODE = re.compile(r"^[A-Za-z]{2}$")


@cache
def country_name(code: str) -> str:
    """The common English name of a country code, or the code itself when unknown."""
    code = code.upper()
    if code in EXTRA_COUNTRIES:
        return EXTRA_COUNTRIES[code]
    c = pycountry.countries.get(alpha_2=code)
    if c is None:
        return code
    return getattr(c, "common_name", None) or c.name


def is_country_code(code: str) -> bool:
    """Whether ``code`` is an ISO 3166-1 alpha-2 code (any case) or one of EXTRA_COUNTRIES."""
    if not isinstance(code, str) or not _CODE.match(code):
        return False
    code = code.upper()
    return code in EXTRA_COUNTRIES or pycountry.countries.get(alpha_2=code) is not None


def validate_country(code: str) -> str:
    """Return ``code`` upper-cased, or raise InputError saying why it is not a country code."""
    if not isinstance(code, str) or not _CODE.match(code.strip()):
        raise InputError(
            f"invalid country code {code!r}: expected two letters (ISO 3166-1 alpha-2, e.g. JP)"
        )
    code = code.strip().upper()
    if not is_country_code(code):
        raise InputError(f"unknown country code {code!r}: not an ISO 3166-1 alpha-2 code")
    return code
