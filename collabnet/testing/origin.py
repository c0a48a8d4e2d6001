"""The origin (openalex-elastic-api): ``/works`` lists, ``/works/{id}``, ``/institutions/{id}``
(an OpenAlex id, ``ror:…`` or a ROR URL).

:class:`_Origin`, mixed into :class:`~collabnet.testing.OpenAlexTestServer`, answers a
request the gateway has let through: it validates the list parameters, selects and sorts the
matching works (cached per data version), and builds a list page (basic or cursor paging,
``select``, the 100-author cut) or hands over to :class:`~collabnet.testing.grouping._GroupBy`.
"""

from __future__ import annotations

import bisect
import random
import re
import time
from typing import Any
from urllib.parse import unquote

from collabnet.testing.constants import CREDIT_USD, MAX_RESULT_WINDOW
from collabnet.testing.faults import Fault
from collabnet.testing.fields import FIELDS, _authors_count, _norm_doi, _norm_ror, _short_id
from collabnet.testing.filters import _FilterCompiler, _search_predicate
from collabnet.testing.grouping import _GroupBy
from collabnet.testing.params import (
    _SORT_FIELDS,
    DEFAULT_SORT,
    _decode_list_cursor,
    _encode_cursor,
    _first,
    _int_param,
    _parse_select,
    _parse_sort,
    _project,
    _sample_param,
    _sort_key,
    _validate_params,
)
from collabnet.testing.responses import (
    _HttpError,
    _json_reply,
    _not_found,
    _pagination_error,
    _Reply,
)


class _Origin(_GroupBy):
    """Routes and bodies of the origin API.

    The host (OpenAlexTestServer) provides the data set (``_works`` by short id,
    ``_institution_records``, ``_version``, ``_sorted_cache``, ``_facet``) and the limits
    ``max_per_page`` and ``high_author_limit``.
    """

    _works: dict[str, dict]
    _institution_records: dict[str, dict]
    _version: int
    _sorted_cache: dict[tuple, list[tuple[tuple, dict]]]
    max_per_page: int
    high_author_limit: int

    def _origin(self, route: str, path: str, params: dict[str, list[str]], cost: int,
                fault: Fault | None, t0: float) -> _Reply:
        if route == "list":
            return _json_reply(200, self._works_list(params, cost, fault, t0))
        if route == "work":
            return self._singleton(path.split("/", 2)[2], params, path)
        if route == "institution":
            ident = unquote(path.split("/", 2)[2])
            if ident.lower().startswith(("ror:", "https://ror.org/", "http://ror.org/")):
                ror = _norm_ror(ident.split(":", 1)[1] if ident[:4].lower() == "ror:" else ident)
                rec = next((r for r in self._institution_records.values()
                            if _norm_ror(r.get("ror")) == ror), None)
            else:
                rec = self._institution_records.get(_short_id(ident) or "")
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

    def _works_list(self, params: dict[str, list[str]], cost: int, fault: Fault | None,
                    t0: float) -> dict:
        _validate_params(params)
        timed_out = fault is not None and fault.kind == "timed_out"
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
        shape = fault.kind if fault is not None and cursor is not None else None
        if cursor is not None:
            if cursor != "*":
                after = _decode_list_cursor(cursor, order)
                decorated = decorated[bisect.bisect_right(decorated, after, key=lambda t: t[0]):]
            page_items = decorated[:per_page]
            if shape == "small_pages":
                page_items = page_items[: fault.size or 7]  # type: ignore[union-attr]
            elif shape == "empty_page":
                page_items = []
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
            more = len(decorated) > len(works) if shape == "small_pages" else True
            if works and more and (len(works) == per_page or shape == "small_pages"):
                nxt = _encode_cursor([_SORT_FIELDS[f](works[-1]) for f, _ in order])
            if shape == "empty_page":
                nxt = cursor  # nothing this time; ask again from the same place
            elif shape == "early_end":
                nxt = None
            elif shape == "cycle":
                claimed = fault.count  # type: ignore[union-attr]
                meta["count"] = 1_000_000 if claimed is None else claimed
                nxt = nxt or "*"  # round again from the start
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
