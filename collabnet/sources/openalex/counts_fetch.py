"""Asking the counts' ``group_by`` requests: through the cache, with cursor walks and checks.

:class:`GroupFetcher` answers a :class:`~collabnet.sources.openalex.counts_plan.Step` from the
:class:`~collabnet.sources.openalex.counts_cache.GroupStore` when it can, else with one
:class:`~collabnet.sources.openalex.client.OpenAlexClient` (opened on the first request, so a
rerun from the cache opens nothing and asks nothing), storing each complete answer before the
next request. Groups are read as OpenAlex shapes them (OPENALEX_API.md §1.8): zero-count
padding and the unknown bucket are dropped; a top page holding ``per_page`` real groups is
*capped* (more may exist); a cursor walk stops at a page with fewer real groups than
``per_page`` (a composite aggregation fills every page but the last) or without
``next_cursor``, and a repeated cursor or a walk past :data:`MAX_PAGES` is a FetchError.
Failures are the client's (429, 503 … as in ``fetch``); since every answer is saved as it
arrives, a stop's message truthfully says that progress is saved.

>>> _positive(3), _positive(0), _positive(True)
(True, False, False)
"""

from __future__ import annotations

from urllib.parse import quote

from collabnet.config import Settings
from collabnet.errors import FetchError, InputError
from collabnet.sources.openalex.client import OpenAlexClient, PerPageRefused, WorkNotFound
from collabnet.sources.openalex.counts_cache import GroupStore
from collabnet.sources.openalex.counts_plan import LINEAGE_FIELD, Entity, Step, step_url

__all__ = ["MAX_PAGES", "GroupFetcher"]

#: Most cursor pages one group_by walk may take (every country fits in two).
MAX_PAGES = 100


def _positive(count) -> bool:
    return isinstance(count, int) and not isinstance(count, bool) and count > 0


class GroupFetcher:
    """Answers of ``group_by`` steps, from the cache or the server.

    Parameters
    ----------
    settings : Settings
        Base URL, API key, retry bounds; the cache folder holds the answers.
    per_page : int
        Groups per page (200, the API's most; lowered to 100 once if the server refuses).
    refresh : bool
        Ask the server again even for answers in the cache (and store the new ones).
    client : OpenAlexClient, optional
        Reuse a client (and its request statistics); otherwise one is opened when needed.
    """

    def __init__(self, settings: Settings, *, per_page: int = 200, refresh: bool = False,
                 client: OpenAlexClient | None = None):
        self.settings = settings
        self.store = GroupStore(settings.cache_dir, source=settings.base_url)
        self.per_page = per_page
        self.refresh = refresh
        self.client = client
        self._own = client is None
        self.answers = 0  # group_by answers asked of the server
        self.cached = 0  # answers read from the cache

    def close(self) -> None:
        if self._own and self.client is not None:
            self.client.close()

    def _client(self) -> OpenAlexClient:
        if self.client is None:
            self.client = OpenAlexClient(self.settings, resumable=True)
        return self.client

    @property
    def requests(self) -> int:
        """HTTP requests sent (every attempt, retries included)."""
        return 0 if self.client is None else self.client.stats.http_requests

    def url(self, step: Step, cursor: str | None = None) -> str:
        """The full URL of a step's (first) request, without the API key."""
        if step.walk == "all" and cursor is None:
            cursor = "*"
        return self.settings.base_url + step_url(step, self.per_page, cursor)

    def is_cached(self, step: Step) -> bool:
        hit = None if self.refresh else self.store.get(step.filter, step.group_by, step.walk)
        return hit is not None

    # --- answers ---------------------------------------------------------------------------
    def answer(self, step: Step) -> dict:
        """``{"meta": {"count"}, "group_by": [real groups], "capped": bool}`` of a step."""
        if not self.refresh:
            hit = self.store.get(step.filter, step.group_by, step.walk)
            if hit is not None and isinstance(hit.get("group_by"), list):
                self.cached += 1
                return hit
        answer = self._walk(step) if step.walk == "all" else self._top(step)
        self.answers += 1
        self.store.put(step.filter, step.group_by, answer, step.walk)
        return answer

    def _get(self, step: Step, cursor: str | None) -> dict:
        client = self._client()
        try:
            data = client.get("/works", step_url(step, self.per_page, cursor)[len("/works?"):],
                              kind="group_by")
        except PerPageRefused:
            if self.per_page <= 100:
                raise FetchError(f"{self.settings.base_url} refused {self.per_page} groups per "
                                 "page") from None
            self.per_page = 100
            return self._get(step, cursor)
        groups = data.get("group_by")
        if not isinstance(groups, list):
            raise FetchError(
                f"{self.settings.base_url} did not answer a group_by request with a group_by "
                "list; is the base URL right?"
            )
        return data

    def _top(self, step: Step) -> dict:
        data = self._get(step, None)
        real = [g for g in data["group_by"] if isinstance(g, dict) and _positive(g.get("count"))]
        if step.read == "nested":
            real = [dict(g, groups=[h for h in g.get("groups") or []
                                    if isinstance(h, dict) and _positive(h.get("count"))])
                    if isinstance(g.get("groups"), list) else g for g in real]
        meta = data.get("meta") or {}
        return {"meta": {"count": meta.get("count")}, "group_by": real,
                "per_page": self.per_page, "capped": len(real) >= self.per_page}

    def _walk(self, step: Step) -> dict:
        merged: list[dict] = []
        count = None
        cursor, seen = "*", set()
        for _ in range(MAX_PAGES):
            data = self._get(step, cursor)
            real = [g for g in data["group_by"]
                    if isinstance(g, dict) and _positive(g.get("count"))]
            merged += real
            meta = data.get("meta") or {}
            count = meta.get("count") if count is None else count
            nxt = meta.get("next_cursor")
            if len(real) < self.per_page or not nxt:
                return {"meta": {"count": count}, "group_by": merged,
                        "per_page": self.per_page, "capped": False}
            if nxt in seen:
                raise FetchError(f"{self.settings.base_url} repeated a group_by cursor for "
                                 f"{self.url(step)}; {self._client()._rerun()}")
            seen.add(nxt)
            cursor = nxt
        raise FetchError(f"{self.settings.base_url} gave more than {MAX_PAGES} pages of groups "
                         f"for {self.url(step)}; {self._client()._rerun()}")

    # --- notes -----------------------------------------------------------------------------
    def nested_known_bad(self) -> bool:
        """The server refused or garbled a nested group_by before (noted in the cache)."""
        note = None if self.refresh else self.store.note("nested")
        return bool(note) and note.get("ok") is False

    def note_nested(self, ok: bool, why: str = "") -> None:
        self.store.set_note("nested", {"ok": ok, "why": why})

    def resolve_ror(self, entity: Entity, *, dry_run: bool = False) -> tuple[Entity, str | None]:
        """A ROR entity as its OpenAlex id under ``authorships.institutions.lineage`` (the
        lineage filter takes OpenAlex ids only), and its display name: one free singleton
        request (``/institutions/ror:…``, 0 credits), remembered in the cache."""
        name = f"ror:{entity.key}"
        note = None if self.refresh else self.store.note(name)
        if note is None and dry_run:
            return Entity(entity.key, LINEAGE_FIELD, f"<id of {name}>", entity.key), None
        if note is None:
            try:
                rec = self._client().get(f"/institutions/{quote(name, safe=':')}",
                                         kind="singleton")
            except WorkNotFound:
                raise InputError(f"OpenAlex has no institution with ROR id {entity.key}") from None
            ident = str(rec.get("id") or "").rstrip("/").rsplit("/", 1)[-1].upper()
            if not ident.startswith("I") or not ident[1:].isdigit():
                raise FetchError(f"{self.settings.base_url} answered /institutions/{name} "
                                 "without an institution id")
            note = {"id": ident, "display_name": rec.get("display_name")}
            self.store.set_note(name, note)
        return Entity(note["id"], LINEAGE_FIELD, note["id"], entity.key), note.get("display_name")

    def ror_url(self, entity: Entity) -> str:
        return f"{self.settings.base_url}/institutions/ror:{entity.key}"
