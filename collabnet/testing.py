"""A faithful loopback OpenAlex server for tests: real HTTP on 127.0.0.1, OpenAlex semantics.

``OpenAlexTestServer`` serves a given set of work records the way ``api.openalex.org`` does:
``/works`` lists with filters (``,`` AND, ``|`` OR, ``!`` NOT, ``+`` AND within a field,
numeric ranges, ``null``), ``select``, ``sort``, basic and cursor paging, ``group_by`` /
``group_bys`` with OpenAlex's key shapes, ``/works/{id}`` singletons (full author lists),
``/rate-limit``, API-key auth, the credit budget with ``X-RateLimit-*`` headers, gzip, and
scripted faults (429s, 5xx, dropped and truncated connections, ``meta.timed_out`` pages).
Messages, status codes and JSON shapes are copied from the OpenAlex origin API
(openalex-elastic-api) and its Cloudflare gateway (openalex-api-proxy) as summarised in the
project's notes, and checked against recorded real pages in the test suite. It uses the
standard library only, so users can run collabnet -- or their own code -- against it::

    from collabnet.testing import OpenAlexTestServer, Fault, load_works
    with OpenAlexTestServer(load_works("works.jsonl.gz"), api_keys=["k"]) as srv:
        srv.add_faults(Fault("503", retry_after=0))
        ...  # point the client at srv.url

or standalone: ``python -m collabnet.testing --works works.jsonl.gz --port 8000``.
"""

from __future__ import annotations

import argparse
import ast
import base64
import binascii
import bisect
import contextlib
import datetime as _dt
import gzip
import io
import json
import math
import random
import re
import socket
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

__all__ = [
    "COUNTRY_NAMES",
    "FAULT_KINDS",
    "WORK_TYPES",
    "Fault",
    "OpenAlexTestServer",
    "RequestRecord",
    "load_works",
    "pyalex_to",
    "serve_main",
]

OPENALEX = "https://openalex.org/"
CREDIT_USD = 0.0001  # 1 credit = $0.0001 (gateway CREDIT_TO_USD)
MAX_OR_VALUES = 100  # MAX_IDS_IN_FILTER
MAX_RESULT_WINDOW = 10_000  # page * per_page limit of basic paging
LIST_AUTHOR_LIMIT = 100  # authorships are truncated to this many in list responses
HIGH_AUTHOR_LIMIT = 30_000  # more authors than this on one page -> 400 "High author count"
MAX_REQUEST_LINE = 8190

FAULT_KINDS = (
    "rate_limit", "budget", "plan", "500", "502", "503", "504",
    "drop", "truncate", "timed_out", "html404", "slow",
)

# Work types in the order OpenAlex pads zero-count group_by buckets (from recorded pages).
WORK_TYPES = (
    "article", "book-chapter", "dataset", "preprint", "dissertation", "book", "review",
    "paratext", "libguides", "letter", "other", "reference-entry", "report", "editorial",
    "peer-review", "erratum", "standard", "grant", "supplementary-materials", "retraction",
)

VALID_PARAMS = (
    "apc_sum", "api-key", "api_key", "cited_by_count_sum", "cursor", "data_version",
    "data-version", "filter", "format", "include_xpac", "include-xpac", "group_by", "group-by",
    "group_bys", "group-bys", "mailto", "page", "per_page", "per-page", "q", "sample", "seed",
    "search", "select", "sort", "warm",
)
_HIDDEN_PARAMS = ("bypass_cache",)

# Root-level fields of OpenAlex's WorksSchema that `select` accepts.
SELECT_FIELDS = (
    "abstract_inverted_index", "apc_list", "apc_paid", "authorships", "awards",
    "best_oa_location", "biblio", "citation_normalized_percentile", "cited_by_api_url",
    "cited_by_count", "cited_by_percentile_year", "concepts", "content_urls",
    "corresponding_author_ids", "corresponding_institution_ids", "countries_distinct_count",
    "counts_by_year", "created_date", "datasets", "display_name", "doi", "fulltext_origin",
    "funders", "fwci", "grants", "has_content", "has_fulltext", "id", "ids", "indexed_in",
    "institution_assertions", "institutions", "institutions_distinct_count",
    "is_authors_truncated", "is_paratext", "is_retracted", "is_xpac", "keywords", "language",
    "locations", "locations_count", "mesh", "ngrams_url", "open_access", "primary_location",
    "primary_topic", "publication_date", "publication_year", "referenced_works",
    "referenced_works_count", "related_works", "sustainable_development_goals", "title",
    "topics", "type", "type_crossref", "updated_date", "versions",
)

_FLASK_404 = (
    "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n"
    "<p>The requested URL was not found on the server. If you entered the URL manually please "
    "check your spelling and try again.</p>\n"
)
_FLASK_500 = (
    "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n"
    "<h1>Internal Server Error</h1>\n<p>The server encountered an internal error and was unable "
    "to complete your request. Either the server is overloaded or there is an error in the "
    "application.</p>\n"
)
_CF_502 = (
    "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>\n"
    "<center><h1>502 Bad Gateway</h1></center>\n<hr><center>cloudflare</center>\n</body>\n"
    "</html>\n"
)

# ISO 3166-1 alpha-2 -> the display names OpenAlex uses in country group_by buckets
# (ISO short names; "United States of America" etc. as in recorded responses).
COUNTRY_NAMES: dict[str, str] = {
    "AD": "Andorra", "AE": "United Arab Emirates", "AF": "Afghanistan",
    "AG": "Antigua and Barbuda", "AI": "Anguilla", "AL": "Albania", "AM": "Armenia",
    "AO": "Angola", "AQ": "Antarctica", "AR": "Argentina", "AS": "American Samoa", "AT": "Austria",
    "AU": "Australia", "AW": "Aruba", "AX": "Åland Islands", "AZ": "Azerbaijan",
    "BA": "Bosnia and Herzegovina", "BB": "Barbados", "BD": "Bangladesh", "BE": "Belgium",
    "BF": "Burkina Faso", "BG": "Bulgaria", "BH": "Bahrain", "BI": "Burundi", "BJ": "Benin",
    "BL": "Saint Barthélemy", "BM": "Bermuda", "BN": "Brunei Darussalam",
    "BO": "Bolivia, Plurinational State of", "BQ": "Bonaire, Sint Eustatius and Saba",
    "BR": "Brazil", "BS": "Bahamas", "BT": "Bhutan", "BV": "Bouvet Island", "BW": "Botswana",
    "BY": "Belarus", "BZ": "Belize", "CA": "Canada", "CC": "Cocos (Keeling) Islands",
    "CD": "Congo, The Democratic Republic of the", "CF": "Central African Republic", "CG": "Congo",
    "CH": "Switzerland", "CI": "Côte d'Ivoire", "CK": "Cook Islands", "CL": "Chile",
    "CM": "Cameroon", "CN": "China", "CO": "Colombia", "CR": "Costa Rica", "CU": "Cuba",
    "CV": "Cabo Verde", "CW": "Curaçao", "CX": "Christmas Island", "CY": "Cyprus", "CZ": "Czechia",
    "DE": "Germany", "DJ": "Djibouti", "DK": "Denmark", "DM": "Dominica",
    "DO": "Dominican Republic", "DZ": "Algeria", "EC": "Ecuador", "EE": "Estonia", "EG": "Egypt",
    "EH": "Western Sahara", "ER": "Eritrea", "ES": "Spain", "ET": "Ethiopia", "FI": "Finland",
    "FJ": "Fiji", "FK": "Falkland Islands (Malvinas)", "FM": "Micronesia, Federated States of",
    "FO": "Faroe Islands", "FR": "France", "GA": "Gabon",
    "GB": "United Kingdom of Great Britain and Northern Ireland", "GD": "Grenada", "GE": "Georgia",
    "GF": "French Guiana", "GG": "Guernsey", "GH": "Ghana", "GI": "Gibraltar", "GL": "Greenland",
    "GM": "Gambia", "GN": "Guinea", "GP": "Guadeloupe", "GQ": "Equatorial Guinea", "GR": "Greece",
    "GS": "South Georgia and the South Sandwich Islands", "GT": "Guatemala", "GU": "Guam",
    "GW": "Guinea-Bissau", "GY": "Guyana", "HK": "Hong Kong",
    "HM": "Heard Island and McDonald Islands", "HN": "Honduras", "HR": "Croatia", "HT": "Haiti",
    "HU": "Hungary", "ID": "Indonesia", "IE": "Ireland", "IL": "Israel", "IM": "Isle of Man",
    "IN": "India", "IO": "British Indian Ocean Territory", "IQ": "Iraq",
    "IR": "Iran, Islamic Republic of", "IS": "Iceland", "IT": "Italy", "JE": "Jersey",
    "JM": "Jamaica", "JO": "Jordan", "JP": "Japan", "KE": "Kenya", "KG": "Kyrgyzstan",
    "KH": "Cambodia", "KI": "Kiribati", "KM": "Comoros", "KN": "Saint Kitts and Nevis",
    "KP": "Korea, Democratic People's Republic of", "KR": "Korea, Republic of", "KW": "Kuwait",
    "KY": "Cayman Islands", "KZ": "Kazakhstan", "LA": "Lao People's Democratic Republic",
    "LB": "Lebanon", "LC": "Saint Lucia", "LI": "Liechtenstein", "LK": "Sri Lanka",
    "LR": "Liberia", "LS": "Lesotho", "LT": "Lithuania", "LU": "Luxembourg", "LV": "Latvia",
    "LY": "Libya", "MA": "Morocco", "MC": "Monaco", "MD": "Moldova, Republic of",
    "ME": "Montenegro", "MF": "Saint Martin (French part)", "MG": "Madagascar",
    "MH": "Marshall Islands", "MK": "North Macedonia", "ML": "Mali", "MM": "Myanmar",
    "MN": "Mongolia", "MO": "Macao", "MP": "Northern Mariana Islands", "MQ": "Martinique",
    "MR": "Mauritania", "MS": "Montserrat", "MT": "Malta", "MU": "Mauritius", "MV": "Maldives",
    "MW": "Malawi", "MX": "Mexico", "MY": "Malaysia", "MZ": "Mozambique", "NA": "Namibia",
    "NC": "New Caledonia", "NE": "Niger", "NF": "Norfolk Island", "NG": "Nigeria",
    "NI": "Nicaragua", "NL": "Netherlands", "NO": "Norway", "NP": "Nepal", "NR": "Nauru",
    "NU": "Niue", "NZ": "New Zealand", "OM": "Oman", "PA": "Panama", "PE": "Peru",
    "PF": "French Polynesia", "PG": "Papua New Guinea", "PH": "Philippines", "PK": "Pakistan",
    "PL": "Poland", "PM": "Saint Pierre and Miquelon", "PN": "Pitcairn", "PR": "Puerto Rico",
    "PS": "Palestine, State of", "PT": "Portugal", "PW": "Palau", "PY": "Paraguay", "QA": "Qatar",
    "RE": "Réunion", "RO": "Romania", "RS": "Serbia", "RU": "Russian Federation", "RW": "Rwanda",
    "SA": "Saudi Arabia", "SB": "Solomon Islands", "SC": "Seychelles", "SD": "Sudan",
    "SE": "Sweden", "SG": "Singapore", "SH": "Saint Helena, Ascension and Tristan da Cunha",
    "SI": "Slovenia", "SJ": "Svalbard and Jan Mayen", "SK": "Slovakia", "SL": "Sierra Leone",
    "SM": "San Marino", "SN": "Senegal", "SO": "Somalia", "SR": "Suriname", "SS": "South Sudan",
    "ST": "Sao Tome and Principe", "SV": "El Salvador", "SX": "Sint Maarten (Dutch part)",
    "SY": "Syrian Arab Republic", "SZ": "Eswatini", "TC": "Turks and Caicos Islands", "TD": "Chad",
    "TF": "French Southern Territories", "TG": "Togo", "TH": "Thailand", "TJ": "Tajikistan",
    "TK": "Tokelau", "TL": "Timor-Leste", "TM": "Turkmenistan", "TN": "Tunisia", "TO": "Tonga",
    "TR": "Turkey", "TT": "Trinidad and Tobago", "TV": "Tuvalu", "TW": "Taiwan, Province of China",
    "TZ": "Tanzania, United Republic of", "UA": "Ukraine", "UG": "Uganda",
    "UM": "United States Minor Outlying Islands", "US": "United States of America",
    "UY": "Uruguay", "UZ": "Uzbekistan", "VA": "Holy See (Vatican City State)",
    "VC": "Saint Vincent and the Grenadines", "VE": "Venezuela, Bolivarian Republic of",
    "VG": "Virgin Islands, British", "VI": "Virgin Islands, U.S.", "VN": "Viet Nam",
    "VU": "Vanuatu", "WF": "Wallis and Futuna", "WS": "Samoa", "XK": "Kosovo", "YE": "Yemen",
    "YT": "Mayotte", "ZA": "South Africa", "ZM": "Zambia", "ZW": "Zimbabwe",
}


@dataclass
class Fault:
    """A scripted failure, consumed by the next request(s) whose path+query contains ``match``.

    Parameters
    ----------
    kind : str
        One of :data:`FAULT_KINDS`:

        - ``"rate_limit"``: 429 per-second limit (gateway JSON body, ``Retry-After: 1``).
        - ``"budget"``: 429 "Insufficient budget…" with ``Retry-After`` = seconds to midnight
          UTC and ``X-RateLimit-Remaining: 0`` < ``X-RateLimit-Credits-Required``.
        - ``"plan"``: 429 "Plan upgrade required", no ``Retry-After``.
        - ``"500"``, ``"502"``, ``"503"``: server errors with ``Retry-After: 30`` (or
          ``retry_after``); 500 and 502 have HTML bodies (Flask / Cloudflare), 503 JSON.
        - ``"504"``: the gateway-timeout JSON (``reason: query_timeout``).
        - ``"drop"``: the connection is closed without any response.
        - ``"truncate"``: headers with the full ``Content-Length``, then half the body, then
          the connection is closed.
        - ``"timed_out"``: 200 with ``meta.timed_out: true`` and only the first half of the
          page (``next_cursor`` is then null, as ES computes it from the short page).
        - ``"html404"``: Flask's HTML 404 page.
        - ``"slow"``: the normal response, sent after ``delay`` seconds (default 2).
    times : int
        How many consecutive matching requests the fault hits.
    retry_after : float, optional
        Overrides the ``Retry-After`` header (rounded up to whole seconds, as the gateway does).
    match : str, optional
        Substring that the request's path+query (raw or percent-decoded) must contain.
    delay : float, optional
        Seconds to wait for ``"slow"``.

    Notes
    -----
    Faults apply to every route except ``/rate-limit`` and are checked after authentication.
    Error faults (429s, 5xx, ``html404``) cost no credits; ``drop``, ``truncate``,
    ``timed_out`` and ``slow`` are charged like the request they hit.
    """

    kind: str
    times: int = 1
    retry_after: float | None = None
    match: str | None = None
    delay: float | None = None

    def __post_init__(self) -> None:
        self.kind = str(self.kind)
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {FAULT_KINDS}")
        if self.times < 1:
            raise ValueError("Fault.times must be >= 1")


@dataclass
class RequestRecord:
    """One request as the server saw it (appended to ``server.requests`` before the reply)."""

    method: str
    path: str
    query: str
    params: dict[str, list[str]]
    headers: dict[str, str]
    api_key: str | None
    status: int = 0  # 0 = no response sent ("drop")
    credits: int = 0
    fault: str | None = None

    @property
    def url(self) -> str:
        """Path plus query string, as sent."""
        return self.path + ("?" + self.query if self.query else "")


class _HttpError(Exception):
    """An error response; raised anywhere inside request handling."""

    def __init__(self, status: int, body: dict | str, headers: dict | None = None):
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}


def _query_error(message: str) -> _HttpError:
    return _HttpError(400, {"error": "Invalid query parameters error.", "message": message})


def _pagination_error(message: str) -> _HttpError:
    return _HttpError(400, {"error": "Pagination error.", "message": message})


def _not_found() -> _HttpError:
    return _HttpError(404, _FLASK_404)


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


def _seconds_to_midnight_utc(now: _dt.datetime | None = None) -> int:
    now = now or _dt.datetime.now(_dt.timezone.utc)
    midnight = (now + _dt.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(1, math.ceil((midnight - now).total_seconds()))


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


# --------------------------------------------------------------------------------------------
# the server

@dataclass
class _Reply:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    mode: str = "normal"  # "normal" | "drop" | "truncate"
    delay: float = 0.0


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "openalex-test-server"
    timeout = 60

    def setup(self) -> None:
        super().setup()
        self.server.app._track(self.connection, add=True)  # type: ignore[attr-defined]

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.app._track(self.connection, add=False)  # type: ignore[attr-defined]

    def version_string(self) -> str:
        return self.server_version

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        self.server.app._handle(self)  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class OpenAlexTestServer:
    """A loopback HTTP server with the semantics of ``api.openalex.org`` for a given set of works.

    Parameters
    ----------
    works : iterable of dict
        OpenAlex work records (as in the API or the snapshot; all authorships kept). They are
        stored as shallow copies with ``id`` normalised to ``https://openalex.org/W…``.
    api_keys : iterable of str, optional
        The valid API keys. Any other key gets 401 "API key not found". ``None`` accepts any key.
    require_key : bool
        Refuse keyless requests with 401 (otherwise they are served, as on the anonymous budget).
    daily_credits : int, optional
        The daily credit budget (1 credit per list or group_by call, 10 with ``search``,
        0 for singletons). ``None`` means 10,000, a free key's daily allowance. One pool is
        shared by all callers; it never resets by itself (use :meth:`set_credits_remaining`).
    per_second : int, optional
        Token-bucket limit of requests per second (burst = ``per_second``); beyond it, 429
        "Rate limit exceeded" with ``Retry-After: 1``. ``None`` means no per-second limit.
    max_per_page : int
        The largest ``per_page`` accepted (200 in the origin code; the 2026 docs say 100).
    host, port : str, int
        Where to listen; port 0 picks a free port.
    premium_keys : iterable of str, optional
        Keys allowed to use ``from_updated_date`` / ``from_created_date`` filters; everyone
        else gets 429 "Plan upgrade required".
    pad_zero_groups : bool
        Append known zero-count buckets (countries, work types) to group_by pages until
        ``per_page`` is reached, as the real API does. Off by default.
    high_author_limit : int
        More authors than this on one list page gives 400 "High author count limitation.".

    Attributes
    ----------
    url : str
        Base URL without trailing slash, e.g. ``"http://127.0.0.1:54321"`` (after ``start``).
    requests : list of RequestRecord
        Every request received, in order.

    Notes
    -----
    Semantics implemented (messages and shapes from openalex-elastic-api / openalex-api-proxy):

    - Filters: ``,`` AND across fields; ``|`` OR (max 100 values, never across fields, ``!``
      only first meaning NOT(a OR b)); ``!`` NOT; ``+`` (a space) AND within a term/id field;
      numeric ranges ``2020``, ``2018-2022``, ``>2020``, ``<2020``, ``2020-``, ``-2020``,
      ``!2020``, ``null``; case-insensitive values; short or URL ids; ``-`` for ``_`` in keys.
      ``is_xpac:false`` is added unless the request filters ``is_xpac`` or sets
      ``include_xpac=true``. Records lacking ``is_xpac``, ``is_paratext`` or ``is_retracted``
      count as ``false`` (every record in the real index has them). Missing
      ``countries_distinct_count`` / ``institutions_distinct_count`` are derived from the
      authorships. ``authorships.countries`` sees only the first 100 authorships; the
      institution and author fields see all of them.
    - Lists: default sort ``-cited_by_percentile_year.max, -cited_by_count, id`` (missing values
      last); an explicit ``sort`` gets that default appended as tie-breaker. Cursor paging is a
      ``search_after`` on the live data set (adding/removing works between pages behaves like
      the real index); ``next_cursor`` is null once a page is short, so an exact multiple of
      ``per_page`` needs one extra, empty page. Authorships are cut to the first 100 and the
      work gets ``is_authors_truncated: true``; untruncated works carry no such key (as in
      recorded real pages). Singletons return the full list.
    - group_by: works counted once per distinct key; top ``per_page`` by count desc then key;
      with a cursor, all keys in key order, and (as the composite aggregation does)
      ``next_cursor`` stays set until a page comes back with no groups. Without
      ``:include_unknown`` a cursor group_by also restricts ``meta.count`` to works that have
      the field (the origin adds an ``exists`` filter); the default mode reports
      ``meta.count`` = all matched works. ``groups_count`` counts real (non-padding) groups.
      Multi-dimensional ``group_by=a,b[,c]`` (nested ``groups``, no cursor) and ``group_bys``
      are supported.
    - Credits: the cost is charged when the gateway lets a request through, so a 400 from the
      origin still costs its credit; 429s and scripted error faults cost nothing.
    """

    def __init__(
        self,
        works: Iterable[dict] = (),
        *,
        api_keys: Iterable[str] | None = None,
        require_key: bool = False,
        daily_credits: int | None = None,
        per_second: int | None = None,
        max_per_page: int = 200,
        host: str = "127.0.0.1",
        port: int = 0,
        premium_keys: Iterable[str] | None = None,
        pad_zero_groups: bool = False,
        high_author_limit: int = HIGH_AUTHOR_LIMIT,
    ):
        self._lock = threading.RLock()
        self._works: dict[str, dict] = {}
        self._facets: dict[tuple[str, str], Any] = {}
        self._names: dict[str, str] = {}
        self._institution_records: dict[str, dict] = {}
        self.api_keys = None if api_keys is None else set(api_keys)
        self.premium_keys = set(premium_keys or ())
        self.require_key = require_key
        self.credit_limit = 10_000 if daily_credits is None else int(daily_credits)
        self._credits_remaining = self.credit_limit
        self._credits_used = 0
        self.per_second = per_second
        self._bucket_tokens = float(per_second or 0)
        self._bucket_time = time.monotonic()
        self.max_per_page = max_per_page
        self.host, self.port = host, port
        self.pad_zero_groups = pad_zero_groups
        self.high_author_limit = high_author_limit
        self.requests: list[RequestRecord] = []
        self._faults: list[Fault] = []
        self._version = 0  # bumped whenever the data set changes
        self._sorted_cache: dict[tuple, list[tuple[tuple, dict]]] = {}
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()
        self.url = ""
        self.add_works(works)

    # ---------------------------------------------------------------- lifecycle
    def start(self) -> OpenAlexTestServer:
        """Bind and serve in a background thread; returns ``self``."""
        if self._server is not None:
            return self
        self._server = _Server((self.host, self.port), _Handler)
        self._server.app = self  # type: ignore[attr-defined]
        host, port = self._server.server_address[:2]
        self.port = port
        self.url = f"http://{host}:{port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
            name=f"openalex-test-server:{port}", daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close open connections and the listening socket."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        with self._lock:
            conns = list(self._connections)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> OpenAlexTestServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"OpenAlexTestServer(url={self.url!r}, works={len(self._works)})"

    def _track(self, conn: socket.socket, *, add: bool) -> None:
        with self._lock:
            (self._connections.add if add else self._connections.discard)(conn)

    # ---------------------------------------------------------------- data set
    def add_works(self, works: Iterable[dict]) -> None:
        """Add (or replace, by id) work records; takes effect for the next request."""
        with self._lock:
            for work in works:
                sid = _short_id(work.get("id")) if isinstance(work, dict) else None
                if sid is None:
                    raise ValueError(f"work record without a valid OpenAlex id: {work!r:.80}")
                rec = dict(work)
                rec["id"] = OPENALEX + sid
                self._works[sid] = rec
                self._drop_facets(sid)
                self._version += 1
                self._learn_names(rec)

    def remove_works(self, ids: Iterable[str]) -> None:
        """Remove works by short or URL id (unknown ids are ignored)."""
        with self._lock:
            for i in ids:
                sid = _short_id(i)
                if sid and self._works.pop(sid, None) is not None:
                    self._drop_facets(sid)
                    self._version += 1

    @property
    def works(self) -> list[dict]:
        """The records currently served (stored copies, do not mutate)."""
        with self._lock:
            return list(self._works.values())

    def _drop_facets(self, sid: str) -> None:
        for key in [k for k in self._facets if k[0] == sid]:
            del self._facets[key]

    def _learn_names(self, rec: dict) -> None:
        for a in _authorships(rec):
            author = a.get("author") or {}
            aid = _short_id(author.get("id"))
            if aid and author.get("display_name"):
                self._names.setdefault(aid, author["display_name"])
            for inst in a.get("institutions") or []:
                if not isinstance(inst, dict):
                    continue
                iid = _short_id(inst.get("id"))
                if iid and inst.get("display_name"):
                    self._names.setdefault(iid, inst["display_name"])
                if iid and iid not in self._institution_records:
                    self._institution_records[iid] = dict(inst, id=OPENALEX + iid)
        topic = rec.get("primary_topic")
        if isinstance(topic, dict):
            for node in (topic, topic.get("field"), topic.get("subfield"), topic.get("domain")):
                if isinstance(node, dict) and node.get("id") and node.get("display_name"):
                    self._names.setdefault(node["id"], node["display_name"])

    def _facet(self, work: dict, fld: _Field) -> Any:
        key = (work["id"][len(OPENALEX):], fld.name)
        try:
            return self._facets[key]
        except KeyError:
            pass
        raw = fld.get(work)
        if fld.kind in ("term", "id", "url"):
            norm = fld.norm or _lower
            value: Any = {n for n in (norm(x) for x in raw) if n is not None}
        else:
            value = raw
        self._facets[key] = value
        return value

    # ---------------------------------------------------------------- scripting & credits
    def add_faults(self, *faults: Fault) -> None:
        """Queue faults; each is consumed by the next ``times`` requests it matches."""
        with self._lock:
            for f in faults:
                if not isinstance(f, Fault):
                    raise TypeError(f"expected Fault, got {type(f).__name__}")
                self._faults.append(Fault(f.kind, f.times, f.retry_after, f.match, f.delay))

    def clear_faults(self) -> None:
        """Forget all queued faults."""
        with self._lock:
            self._faults.clear()

    @property
    def pending_faults(self) -> list[Fault]:
        """Faults not yet consumed (copies)."""
        with self._lock:
            return [Fault(f.kind, f.times, f.retry_after, f.match, f.delay) for f in self._faults]

    def reset_log(self) -> None:
        """Empty :attr:`requests`."""
        with self._lock:
            self.requests.clear()

    @property
    def credits_used(self) -> int:
        """Credits charged by all requests so far (not changed by set_credits_remaining)."""
        return self._credits_used

    @property
    def credits_remaining(self) -> int:
        """Credits left in today's budget."""
        return self._credits_remaining

    def set_credits_remaining(self, n: int) -> None:
        """Set the remaining daily budget to ``n`` credits (raising the daily limit if needed)."""
        with self._lock:
            self._credits_remaining = max(0, int(n))
            self.credit_limit = max(self.credit_limit, self._credits_remaining)

    # ---------------------------------------------------------------- HTTP plumbing
    def _handle(self, h: _Handler) -> None:
        t0 = time.perf_counter()
        split = urlsplit(h.path)
        params = parse_qs(split.query, keep_blank_values=True)
        rec = RequestRecord(
            method=h.command, path=split.path, query=split.query, params=params,
            headers={k: v for k, v in h.headers.items()}, api_key=_api_key_of(h, params),
        )
        with self._lock:
            try:
                reply = self._dispatch(h, rec, t0)
            except _HttpError as e:
                reply = _error_reply(e)
            rec.status = 0 if reply.mode == "drop" else reply.status
            self.requests.append(rec)
        self._send(h, reply)

    def _send(self, h: _Handler, reply: _Reply) -> None:
        if reply.delay:
            time.sleep(reply.delay)
        if reply.mode == "drop":
            h.close_connection = True
            _shutdown(h.connection)
            return
        body = reply.body
        headers = dict(reply.headers)
        if body and "gzip" in h.headers.get("Accept-Encoding", "").lower():
            body = gzip.compress(body, compresslevel=5, mtime=0)
            headers["Content-Encoding"] = "gzip"
            headers["Vary"] = "Accept-Encoding"
        try:
            h.send_response(reply.status)
            h.send_header("Content-Type", reply.content_type)
            h.send_header("Content-Length", str(len(body)))
            for k, v in headers.items():
                h.send_header(k, v)
            h.end_headers()
            if reply.mode == "truncate":
                h.wfile.write(body[: max(1, len(body) // 2)])
                h.wfile.flush()
                h.close_connection = True
                _shutdown(h.connection)
            else:
                h.wfile.write(body)
        except OSError:  # the client went away
            h.close_connection = True

    def _rate_headers(self, cost: int, remaining: int | None = None) -> dict[str, str]:
        rem = self._credits_remaining if remaining is None else remaining
        return {
            "X-RateLimit-Limit": str(self.credit_limit),
            "X-RateLimit-Remaining": str(rem),
            "X-RateLimit-Onetime-Remaining": "0",
            "X-RateLimit-Credits-Used": str(cost),
            "X-RateLimit-Reset": str(_seconds_to_midnight_utc()),
            "X-RateLimit-Limit-USD": _usd(self.credit_limit),
            "X-RateLimit-Remaining-USD": _usd(rem),
            "X-RateLimit-Prepaid-Remaining-USD": "0",
            "X-RateLimit-Cost-USD": _usd(cost),
        }

    def _take_fault(self, rec: RequestRecord) -> Fault | None:
        raw = rec.url
        texts = (raw, unquote(raw), unquote(raw.replace("+", " ")))
        for f in self._faults:
            if f.match is None or any(f.match in t for t in texts):
                f.times -= 1
                if f.times <= 0:
                    self._faults.remove(f)
                return f
        return None

    def _take_token(self) -> float:
        """Per-second token bucket; returns 0 if the request may pass, else seconds to wait."""
        rate = float(self.per_second or 0)
        now = time.monotonic()
        self._bucket_tokens = min(rate, self._bucket_tokens + (now - self._bucket_time) * rate)
        self._bucket_time = now
        if self._bucket_tokens >= 1:
            self._bucket_tokens -= 1
            return 0.0
        return (1 - self._bucket_tokens) / rate

    # ---------------------------------------------------------------- gateway
    def _dispatch(self, h: _Handler, rec: RequestRecord, t0: float) -> _Reply:
        if len(h.requestline) > MAX_REQUEST_LINE:
            raise _HttpError(400, {
                "error": "Request URL too long",
                "message": f"The request line is {len(h.requestline)} bytes; the limit is "
                           f"{MAX_REQUEST_LINE}. Use fewer values per filter.",
            })
        key = rec.api_key
        if key is not None and self.api_keys is not None and key not in self.api_keys:
            raise _HttpError(401, {"error": "Invalid or missing API key",
                                   "message": "API key not found"})
        path = rec.path.rstrip("/") or "/"
        if path.lower() == "/rate-limit":
            return _json_reply(200, self._rate_limit_body(key))
        if key is None and self.require_key:
            raise _HttpError(401, {
                "error": "Invalid or missing API key",
                "message": "An API key is required. Get a free key at "
                           "https://openalex.org/settings/api",
            })
        route, cost = _classify(path, rec.params)

        fault = self._take_fault(rec)
        rec.fault = fault.kind if fault else None
        if fault is not None and fault.kind not in ("drop", "truncate", "timed_out", "slow"):
            return self._fault_reply(fault, cost)

        if "limit" in rec.params:
            raise _HttpError(400, {
                "error": "Invalid query parameters error.",
                "message": "limit is not a valid parameter. Use per_page (1-200) to set the "
                           "page size.",
                "error_source": "openalex-api-proxy",
            }, {"x-openalex-edge-reject": "f1:limit_param"})
        plan = self._plan_violation(rec.params, key)
        if plan:
            raise _HttpError(429, {
                "error": "Plan upgrade required",
                "message": f'The "{plan}" filter requires a Premium plan. Upgrade at '
                           "https://openalex.org/pricing",
            }, self._rate_headers(0))
        if self.per_second:
            wait = self._take_token()
            if wait > 0:
                raise _HttpError(429, self._per_second_body(cost, wait), {
                    "Retry-After": str(math.ceil(wait)),
                    "X-RateLimit-Credits-Required": str(cost),
                    **self._rate_headers(0),
                })
        if cost > self._credits_remaining:
            raise self._budget_error(cost, self._credits_remaining)

        self._credits_remaining -= cost
        self._credits_used += cost
        rec.credits = cost
        timed_out = fault is not None and fault.kind == "timed_out"
        try:
            reply = self._origin(route, path, rec.params, cost, timed_out, t0)
        except _HttpError as e:
            reply = _error_reply(e)
        reply.headers.update(self._rate_headers(cost))
        if fault is not None and fault.kind in ("drop", "truncate"):
            reply.mode = fault.kind
        elif fault is not None and fault.kind == "slow":
            reply.delay = 2.0 if fault.delay is None else float(fault.delay)
        return reply

    def _plan_violation(self, params: dict[str, list[str]], key: str | None) -> str | None:
        if key is not None and key in self.premium_keys:
            return None
        for text in params.get("filter", []) + params.get("sort", []):
            m = re.search(r"(?:from|to)_(?:updated|created)_date(?::[><]?\d{4}-\d{2}-\d{2})?",
                          text)
            if m:
                return m.group(0)
        return None

    def _per_second_body(self, cost: int, wait: float) -> dict:
        rem = self._credits_remaining
        return {
            "error": "Rate limit exceeded",
            "message": f"Rate limit exceeded: {self.per_second or 30} requests per second. "
                       "Please slow down.",
            "retryAfter": round(wait, 3),
            "costUsd": cost * CREDIT_USD,
            "dailyRemainingUsd": round(rem * CREDIT_USD, 6),
            "prepaidRemainingUsd": 0,
            "creditsRequired": cost,
            "creditsRemaining": rem,
            "onetimeCreditsRemaining": 0,
        }

    def _budget_error(self, cost: int, remaining: int,
                      retry_after: float | None = None) -> _HttpError:
        wait = _seconds_to_midnight_utc() if retry_after is None else retry_after
        body = {
            "error": "Rate limit exceeded",
            "message": f"Insufficient budget. This request costs ${_usd(max(cost, 1))} but you "
                       f"only have ${_usd(remaining)} remaining. Resets at midnight UTC. Need "
                       "more? Add funds at https://openalex.org/pricing",
            "retryAfter": wait,
            "costUsd": max(cost, 1) * CREDIT_USD,
            "dailyRemainingUsd": round(remaining * CREDIT_USD, 6),
            "prepaidRemainingUsd": 0,
            "creditsRequired": max(cost, 1),
            "creditsRemaining": remaining,
            "onetimeCreditsRemaining": 0,
        }
        headers = {
            "Retry-After": str(math.ceil(wait)),
            **self._rate_headers(0, remaining),
            "X-RateLimit-Credits-Required": str(max(cost, 1)),
            "X-RateLimit-Cost-Required-USD": _usd(max(cost, 1)),
        }
        return _HttpError(429, body, headers)

    def _fault_reply(self, fault: Fault, cost: int) -> _Reply:
        ra = fault.retry_after
        kind = fault.kind
        if kind == "rate_limit":
            wait = 0.05 if ra is None else ra
            e = _HttpError(429, self._per_second_body(cost, wait), {
                "Retry-After": str(math.ceil(1 if ra is None else ra)),
                "X-RateLimit-Credits-Required": str(cost),
            })
        elif kind == "budget":
            e = self._budget_error(cost, 0, ra)
        elif kind == "plan":
            e = _HttpError(429, {
                "error": "Plan upgrade required",
                "message": 'The "from_updated_date" filter requires a Premium plan. Upgrade at '
                           "https://openalex.org/pricing",
            })
        elif kind in ("500", "502", "503"):
            body: dict | str
            if kind == "500":
                body = _FLASK_500
            elif kind == "502":
                body = _CF_502
            else:
                body = {"error": "Service temporarily unavailable",
                        "message": "OpenAlex is temporarily unable to serve this request. "
                                   "Retry after the delay in the Retry-After header."}
            wait = 30 if ra is None else ra
            e = _HttpError(int(kind), body, {"Retry-After": str(math.ceil(wait))})
        elif kind == "504":
            e = _HttpError(504, {
                "error": "Gateway timeout",
                "message": "Your query took too long to complete (over 9 seconds) and was "
                           "stopped. Try narrowing it with more specific filters. You were not "
                           "charged for this request.",
                "reason": "query_timeout",
            }, {} if ra is None else {"Retry-After": str(math.ceil(ra))})
        else:  # html404
            e = _not_found()
        reply = _error_reply(e)
        for k, v in self._rate_headers(0).items():
            reply.headers.setdefault(k, v)
        return reply

    def _rate_limit_body(self, key: str | None) -> dict:
        if key is None:
            raise _HttpError(401, {"error": "Invalid or missing API key",
                                   "message": "Provide a valid API key"})
        now = _dt.datetime.now(_dt.timezone.utc)
        secs = _seconds_to_midnight_utc(now)
        resets = (now + _dt.timedelta(seconds=secs)).replace(microsecond=0)
        limit, rem = self.credit_limit, self._credits_remaining
        used = max(0, limit - rem)
        costs = {"singleton": 0, "list": 1, "search": 10, "content": 100, "semantic": 10,
                 "text": 100}
        return {
            "api_key": (key[:4] + "…" + key[-4:]) if len(key) > 8 else "…",
            "is_grandfathered": False,
            "rate_limit": {
                "daily_budget_usd": round(limit * CREDIT_USD, 6),
                "daily_used_usd": round(used * CREDIT_USD, 6),
                "daily_remaining_usd": round(rem * CREDIT_USD, 6),
                "prepaid_balance_usd": 0,
                "prepaid_remaining_usd": 0,
                "resets_at": resets.isoformat().replace("+00:00", "Z"),
                "resets_in_seconds": secs,
                "endpoint_costs_usd": {k: round(v * CREDIT_USD, 6) for k, v in costs.items()},
                "credits_limit": limit,
                "credits_used": used,
                "credits_remaining": rem,
                "credit_costs": costs,
            },
        }

    # ---------------------------------------------------------------- origin
    def _origin(self, route: str, path: str, params: dict[str, list[str]], cost: int,
                timed_out: bool, t0: float) -> _Reply:
        if route == "list":
            return _json_reply(200, self._works_list(params, cost, timed_out, t0))
        if route == "work":
            return self._singleton(path.split("/", 2)[2], params, path)
        if route == "institution":
            sid = _short_id(unquote(path.split("/", 2)[2]))
            rec = self._institution_records.get(sid or "")
            if rec is None:
                raise _not_found()
            return _json_reply(200, dict(rec))
        if route == "root":
            return _json_reply(200, {
                "documentation_url": "https://developers.openalex.org",
                "msg": "Don't panic",
                "version": "collabnet.testing",
            })
        raise _not_found()

    def _singleton(self, ident: str, params: dict[str, list[str]], path: str) -> _Reply:
        ident = unquote(ident)
        low = ident.lower()
        if low.startswith(("https://openalex.org/", "http://openalex.org/")):
            sid = _short_id(ident)
            if sid is None:
                raise _not_found()
            return _Reply(302, b"", "text/html; charset=utf-8", {"Location": f"/works/{sid}"})
        work = None
        if re.fullmatch(r"[Ww]\d+", ident):
            work = self._works.get(ident.upper())
        elif low.startswith(("doi:", "https://doi.org/", "http://doi.org/", "10.")):
            doi = _norm_doi(ident)
            work = next((w for w in self._works.values() if _norm_doi(w.get("doi")) == doi),
                        None)
        if work is None:
            raise _not_found()
        select = _parse_select(_first(params, "select"))
        out = _project(work, select, truncate=False)
        return _json_reply(200, out)

    def _works_list(self, params: dict[str, list[str]], cost: int, timed_out: bool,
                    t0: float) -> dict:
        _validate_params(params)
        group_by = _first(params, "group_by", "group-by")
        group_bys = _first(params, "group_bys", "group-bys")
        grouped = bool(group_by or group_bys)
        cursor = _first(params, "cursor")
        per_page = _int_param(params, "per-page", min(200, self.max_per_page) if grouped else 25)
        page = _int_param(params, "page", 1)
        if grouped and page != 1:
            raise _pagination_error(
                "Unable to paginate beyond page 1. Group-by is limited to page 1 with up to 200 "
                "results at this time."
            )
        if page < 1:
            raise _pagination_error("Page parameter must be greater than 0.")
        if per_page < 1 or per_page > self.max_per_page:
            raise _pagination_error(
                f"per-page parameter must be between 1 and {self.max_per_page}."
            )
        if page * per_page > MAX_RESULT_WINDOW:
            raise _pagination_error(
                "Maximum results size of 10,000 records is exceeded. Cursor pagination is "
                "required for records beyond 10,000. See: "
                "https://developers.openalex.org/guides/page-through-results"
            )
        if cursor is not None and page != 1:
            raise _pagination_error("Cannot use page parameter with cursor.")
        sample = _sample_param(params, grouped)

        filter_text = _first(params, "filter")
        include_xpac = (_first(params, "include_xpac", "include-xpac") or "").lower() == "true"
        search = _first(params, "search")
        if search is not None and search.strip() in ("", '""'):
            search = None
        order = list(DEFAULT_SORT)
        if not grouped:  # group_by has its own sort (count / key)
            order = _parse_sort(_first(params, "sort")) + order
        decorated = self._select_sorted(filter_text, include_xpac, search, order)
        matched = [w for _, w in decorated]
        if sample is not None:
            seed = _first(params, "seed")
            rng = random.Random(seed if seed is not None else time.time_ns())
            picked = rng.sample(range(len(decorated)), min(sample, len(decorated)))
            decorated = [decorated[i] for i in sorted(picked)]
            matched = [w for _, w in decorated]

        if group_by:
            return self._group_by_body(matched, group_by, params, per_page, cursor, cost,
                                       timed_out, t0)
        if group_bys:
            return self._group_bys_body(matched, group_bys, per_page, cursor, cost, t0)

        select = _parse_select(_first(params, "select"))
        count = len(matched)
        if cursor is not None:
            if cursor != "*":
                after = _decode_list_cursor(cursor, order)
                decorated = decorated[bisect.bisect_right(decorated, after, key=lambda t: t[0]):]
            page_items = decorated[:per_page]
        else:
            page_items = decorated[(page - 1) * per_page: page * per_page]
        if timed_out:
            page_items = page_items[: len(page_items) // 2]
        works = [w for _, w in page_items]
        authors = sum(_authors_count(w) or 0 for w in works)
        if authors > self.high_author_limit:
            raise _HttpError(400, {
                "error": "High author count limitation.",
                "message": f"There are more than {self.high_author_limit:,} authors in the "
                           "results, which is too many. Try adding or adjusting the per-page "
                           "parameter with a setting of 10 or 5 to continue, such as "
                           "https://api.openalex.org/works?filter=author.id:A2561034403"
                           "&per-page=10",
            })
        meta: dict[str, Any] = {"count": count, "db_response_time_ms": 0,
                                "page": None if cursor is not None else page,
                                "per_page": per_page}
        if cursor is not None:
            nxt = None
            if works and len(works) == per_page:
                nxt = _encode_cursor([_SORT_FIELDS[f](works[-1]) for f, _ in order])
            meta["next_cursor"] = nxt
        meta["groups_count"] = None
        meta["cost_usd"] = round(cost * CREDIT_USD, 6)
        if timed_out:
            meta["timed_out"] = True
        meta["db_response_time_ms"] = int((time.perf_counter() - t0) * 1000)
        return {"meta": meta, "results": [_project(w, select) for w in works], "group_by": []}

    def _select_sorted(self, filter_text: str | None, include_xpac: bool, search: str | None,
                       order: list[tuple[str, bool]]) -> list[tuple[tuple, dict]]:
        """Works matching the filters as (sort key, work), sorted; cached per data version."""
        cache_key = (self._version, filter_text, include_xpac, search, tuple(order))
        hit = self._sorted_cache.get(cache_key)
        if hit is not None:
            return hit
        compiler = _FilterCompiler(self._facet)
        preds, names = compiler.compile(filter_text) if filter_text else ([], set())
        if "is_xpac" not in names and not include_xpac:
            xpac = FIELDS["is_xpac"]
            preds.append(lambda w: self._facet(w, xpac) is False)
        if search:
            preds.append(_search_predicate(search))
        matched = [w for w in self._works.values() if all(p(w) for p in preds)]
        decorated = sorted(((_sort_key(w, order), w) for w in matched), key=lambda t: t[0])
        if len(self._sorted_cache) >= 16:
            self._sorted_cache.clear()
        self._sorted_cache[cache_key] = decorated
        return decorated

    # ---------------------------------------------------------------- group_by
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


# --------------------------------------------------------------------------------------------
# module-level helpers of the request path

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


def _sort_key(work: dict, order: list[tuple[str, bool]]) -> tuple:
    return tuple(_sort_part(_SORT_FIELDS[f](work), desc) for f, desc in order)


def _decode_list_cursor(cursor: str, order: list[tuple[str, bool]]) -> tuple:
    text = _decode_cursor_text(cursor.replace(" ", "+"))
    try:
        values = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        raise _pagination_error("Invalid cursor value") from None
    if not isinstance(values, list) or len(values) != len(order):
        raise _pagination_error("Cursor value is invalid.")
    return tuple(_sort_part(v, desc) for v, (_, desc) in zip(values, order, strict=True))


def _search_predicate(search: str) -> Predicate:
    words = search.lower().split()

    def pred(w: dict) -> bool:
        text = " ".join(str(w.get(k) or "") for k in ("display_name", "title")).lower()
        return all(word in text for word in words)
    return pred


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


def _classify(path: str, params: dict[str, list[str]]) -> tuple[str, int]:
    """Route and credit cost (1 list/group_by, 10 search without group_by, 0 singleton)."""
    low = path.lower()
    if low == "/works":
        grouped = any(k in params for k in ("group_by", "group-by", "group_bys", "group-bys"))
        search = bool(_first(params, "search")) or any(k.startswith("search.") for k in params)
        return "list", (10 if search and not grouped else 1)
    if low.startswith("/works/"):
        return "work", 0
    if low.startswith("/institutions/"):
        return "institution", 0
    if low == "/":
        return "root", 0
    return "unknown", 0


def _api_key_of(h: BaseHTTPRequestHandler, params: dict[str, list[str]]) -> str | None:
    """The gateway's order: Authorization: Bearer, then ?api_key / ?api-key, then headers."""
    auth = h.headers.get("Authorization")
    if auth:
        parts = auth.split(" ")
        if len(parts) == 2 and parts[0].lower() == "bearer":
            return parts[1]
    for name in ("api_key", "api-key"):
        if params.get(name) and params[name][0]:
            return params[name][0]
    for name in ("api_key", "api-key"):
        value = h.headers.get(name)
        if value:
            return value
    return None


def _usd(credits: float) -> str:
    text = f"{credits * CREDIT_USD:.6f}".rstrip("0").rstrip(".")
    return text or "0"


def _json_reply(status: int, body: Any) -> _Reply:
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    return _Reply(status, data, "application/json")


def _error_reply(e: _HttpError) -> _Reply:
    if isinstance(e.body, str):
        reply = _Reply(e.status, e.body.encode("utf-8"), "text/html; charset=utf-8")
    else:
        reply = _json_reply(e.status, e.body)
    reply.headers.update(e.headers)
    return reply


def _shutdown(conn: socket.socket) -> None:
    try:
        conn.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


# --------------------------------------------------------------------------------------------
# pointing pyalex at the server


@contextlib.contextmanager
def pyalex_to(base_url: str):
    """Route pyalex's requests to ``base_url`` while the block runs.

    pyalex hard-codes ``https://api.openalex.org``; this mounts a transport adapter on the
    sessions pyalex creates that rewrites that host to ``base_url`` (keeping pyalex's own
    retry settings), and restores pyalex afterwards.

    Examples
    --------
    >>> with OpenAlexTestServer(works) as srv, pyalex_to(srv.url):  # doctest: +SKIP
    ...     pyalex.Works().filter(publication_year=2020).get()
    """
    import pyalex.api as api
    import requests

    host = "https://api.openalex.org"
    base = base_url.rstrip("/")

    class _Loopback(requests.adapters.HTTPAdapter):
        def send(self, request, **kw):
            request.url = request.url.replace(host, base, 1)
            return super().send(request, **kw)

    original = api._get_requests_session

    def session():
        s = original()
        s.mount(host, _Loopback(max_retries=s.get_adapter("https://x").max_retries))
        return s

    api._get_requests_session = session
    try:
        yield
    finally:
        api._get_requests_session = original


# --------------------------------------------------------------------------------------------
# loading records, standalone use

def load_works(path_or_paths: str | Path | Iterable[str | Path]) -> list[dict]:
    """Read OpenAlex work records from JSON Lines files (plain or gzip).

    Parameters
    ----------
    path_or_paths : str, Path or iterable of them
        ``.jsonl`` / ``.jsonl.gz`` files with one record per line. A ``.json`` file holding a
        list of records or an API page (``{"results": [...]}``) is read too.

    Returns
    -------
    list of dict
        The records in file order; blank lines are skipped.

    Examples
    --------
    >>> works = load_works("works.jsonl.gz")  # doctest: +SKIP
    """
    paths = ([path_or_paths] if isinstance(path_or_paths, (str, Path))
             else list(path_or_paths))
    out: list[dict] = []
    for p in paths:
        p = Path(p)
        raw = p.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        text = raw.decode("utf-8")
        stripped = text.lstrip()
        if p.suffix == ".json" or (stripped.startswith("[")):
            data = json.loads(text)
            records = data.get("results", []) if isinstance(data, dict) else data
            out.extend(r for r in records if isinstance(r, dict))
            continue
        for line in io.StringIO(text):
            line = line.strip()
            if line:
                out.append(json.loads(line))
    return out


def serve_main(argv: list[str] | None = None) -> int:
    """Run the server in the foreground: ``python -m collabnet.testing --works FILE``."""
    ap = argparse.ArgumentParser(
        prog="python -m collabnet.testing",
        description="Serve OpenAlex work records with api.openalex.org semantics on localhost.",
    )
    ap.add_argument("--works", nargs="+", required=True, help="JSON Lines (.jsonl/.jsonl.gz)")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8000)
    ap.add_argument("--api-key", action="append", dest="api_keys",
                    help="a valid key (repeatable); without it any key is accepted")
    ap.add_argument("--require-key", action="store_true")
    ap.add_argument("--daily-credits", type=int, default=None)
    ap.add_argument("--per-second", type=int, default=None)
    ap.add_argument("--max-per-page", type=int, default=200)
    ap.add_argument("--pad-zero-groups", action="store_true")
    args = ap.parse_args(argv)
    server = OpenAlexTestServer(
        load_works(args.works), api_keys=args.api_keys, require_key=args.require_key,
        daily_credits=args.daily_credits, per_second=args.per_second,
        max_per_page=args.max_per_page, host=args.host, port=args.port,
        pad_zero_groups=args.pad_zero_groups,
    ).start()
    print(f"serving {len(server.works)} works at {server.url} (Ctrl-C to stop)",
          file=sys.stderr)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(serve_main())
