"""Where a job's works come from: the OpenAlex connection, each input's identity, loading,
and the requests a run would make.

:class:`Connection` is the job's way to OpenAlex: the real API (or any compatible server)
with the settings of the environment, or — ``[openalex] server = "synthetic"`` — collabnet's
loopback server (:mod:`collabnet.testing`) started on 127.0.0.1 over the generated world of
:mod:`collabnet.sources.sample`, with a cache of its own that is removed afterwards.

An input's *identity* is what its outputs depend on, for the fingerprints that let a rerun
skip what is up to date: for files their paths, sizes and modification times; for a query
the query, the server and the checksums of the cached pages (unknown until every slice is
cached); for counts the query, the server and the state of the cache's ``groups`` answers;
for the synthetic world its size, seed and years (it is the same world every time).
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

__all__ = ["Connection", "counts_plan", "identity", "load_input", "works_plan"]


@dataclass
class Connection:
    """The settings of a job's OpenAlex queries, and the synthetic server when there is one."""

    server: str  # "api", "synthetic" or a base URL
    settings: object
    world: dict = field(default_factory=dict)  # synthetic: works, seed, years, newest date
    _server: object = None
    _tmp: str | None = None
    _generated: bool = False

    @property
    def synthetic(self) -> bool:
        return self.server == "synthetic"

    @property
    def server_identity(self) -> dict:
        if self.synthetic:
            return {"server": "synthetic", **{k: self.world[k] for k in ("works", "seed",
                                                                          "years")}}
        return {"server": self.settings.base_url}

    def describe(self) -> str:
        if self.synthetic:
            return (f"collabnet's synthetic world ({self.world['works']:,} generated works, seed"
                    f" {self.world['seed']}, {self.world['years']}) on its loopback server")
        return self.settings.base_url

    def ensure_world(self) -> None:
        """Generate the synthetic world and serve it (once, when first needed: a rerun with
        every output up to date does not need it)."""
        if not self.synthetic or self._generated:
            return
        from collabnet.keys import parse_years
        from collabnet.sources.sample import generate_works

        span = parse_years(self.world["years"], closed=True)
        records = list(generate_works(self.world["works"], seed=self.world["seed"],
                                      years=span))
        self.world["newest"] = max((r.get("publication_date") or "" for r in records),
                                   default="")
        self._server.add_works(records)
        self._generated = True

    def close(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def connect(job) -> Connection:
    """The job's connection; for the synthetic server, start it (it serves the generated
    world from :meth:`Connection.ensure_world` on: a dry run only needs its address)."""
    from collabnet.config import get_settings
    from collabnet.keys import format_years, parse_years

    oa = job.openalex
    server = oa.get("server", "api")
    if server != "synthetic":
        cache = job.root / oa["cache"] if "cache" in oa else None
        return Connection(server, get_settings(base_url=None if server == "api" else server,
                                               cache_dir=cache))
    from collabnet.testing import OpenAlexTestServer

    span = parse_years(oa.get("years", "2009-2017"), closed=True)
    world = {"works": int(oa.get("works", 20000)), "seed": int(oa.get("seed", 2024)),
             "years": format_years(span)}
    srv = OpenAlexTestServer().start()
    tmp = tempfile.mkdtemp(prefix="collabnet-synthetic-")
    # env={}: no API key (nor any other setting of the environment) goes to the loopback.
    settings = get_settings(base_url=srv.url, cache_dir=tmp, env={})
    return Connection(server, settings, world, srv, tmp)


# --- identities ------------------------------------------------------------------------------
def _files(paths) -> list:
    from collabnet.sources.files import expand_paths

    out = []
    for p in expand_paths(paths):
        st = p.stat()
        out.append([str(p.resolve()), st.st_size, st.st_mtime_ns])
    return out


def file_identity(path) -> list:
    """Path, size and modification time of one file (e.g. an ``institutions`` file)."""
    st = Path(path).stat()
    return [str(Path(path).resolve()), st.st_size, st.st_mtime_ns]


def _slices(query, conn: Connection) -> list | None:
    """``[name, key, pages' checksums]`` per slice, or None when one is not cached done."""
    from collabnet.cache import Cache

    cache = Cache(conn.settings.cache_dir)
    out = []
    for s in query.slices(source=conn.settings.base_url):
        cp = cache.slice(s.key).checkpoint()
        if cp is None or not cp.done:
            return None
        out.append([s.name, s.key, cp.checksums, cp.incomplete])
    return out


def _answers(conn: Connection) -> str:
    """A digest of the cache's counts answers (names, sizes, times): any new answer changes it."""
    folder = Path(conn.settings.cache_dir) / "groups"
    h = hashlib.sha256()
    if folder.is_dir():
        for p in sorted(folder.glob("*.json.gz")):
            st = p.stat()
            h.update(f"{p.name} {st.st_size} {st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def identity(inp, conn: Connection) -> dict | None:
    """What the outputs of ``inp`` depend on (module docstring); None when not yet known
    (a query whose pages are not all in the cache)."""
    if not inp.is_query:
        return {"files": _files(inp.paths), "skip_bad": inp.skip_bad}
    q = inp.query.to_dict() if inp.query is not None else None
    base = {"source": inp.source, "query": q, "years": list(inp.years or ()),
            "strict": inp.strict, **conn.server_identity}
    if conn.synthetic:
        return base
    if inp.source == "counts":
        return {**base, "answers": _answers(conn)}
    slices = _slices(inp.query, conn)
    return None if slices is None else {**base, "slices": slices}


def fetched_at(inp, conn: Connection) -> str | None:
    """When a works query's pages were fetched (the newest slice's last page), if cached."""
    if not inp.is_query or inp.source != "works":
        return None
    from collabnet.cache import Cache

    cache = Cache(conn.settings.cache_dir)
    times = []
    for s in inp.query.slices(source=conn.settings.base_url):
        cp = cache.slice(s.key).checkpoint()
        if cp is not None:
            times.append(cp.updated)
    return max(times) if times else None


def slice_record(inp, conn: Connection) -> list[dict]:
    """Per year slice of a works query in the cache: its pages (the first one's URL is in
    the manifest, the cursor pages follow it), distinct works and when it was fetched."""
    from collabnet.cache import Cache

    cache = Cache(conn.settings.cache_dir)
    out = []
    for s in inp.query.slices(source=conn.settings.base_url):
        cp = cache.slice(s.key).checkpoint()
        if cp is not None:
            out.append({"slice": s.name, "pages": cp.pages, "works": cp.works,
                        "fetched_at": cp.updated, "incomplete": cp.incomplete})
    return out


def data_epoch(inp, conn: Connection) -> int | None:
    """The day the input's data is of, for ``SOURCE_DATE_EPOCH`` (so a report made again
    from the same data is the same file): files' newest modification, a query's fetch, the
    synthetic world's newest publication date."""
    if conn.synthetic and inp.is_query:
        newest = conn.world.get("newest")
        if newest:
            return int(datetime.fromisoformat(newest).replace(tzinfo=timezone.utc).timestamp())
        return None
    if not inp.is_query:
        files = _files(inp.paths)
        return max(f[2] for f in files) // 1_000_000_000 if files else None
    when = fetched_at(inp, conn)
    return int(datetime.fromisoformat(when).timestamp()) if when else None


# --- loading ---------------------------------------------------------------------------------
def load_input(inp, conn: Connection, *, progress: bool = False):
    """The input's WorkTables (files read, or the query from the cache, fetching what is
    missing) and what was read: ``records``, ``works``, ``duplicates``, ``files``, and for a
    query the ``requests`` it sent."""
    from collabnet.loader import load

    if not inp.is_query:
        tables = load([str(p) for p in inp.paths], skip_bad=inp.skip_bad, progress=progress)
        rep = tables.report
        counts = {"files": len(getattr(rep, "files", []) or []),
                  "records": getattr(rep, "records", len(tables)), "works": len(tables),
                  "duplicates": getattr(rep, "duplicates", 0),
                  "skipped_bad": getattr(rep, "bad", 0)}
        return tables, counts
    tables = load(inp.query, settings=conn.settings, progress=progress, strict=inp.strict)
    rep = tables.report
    counts = {"works": len(tables),
              "requests": rep.stats.http_requests if rep is not None else 0}
    # The fetch report names the cache folder and this run's requests: a report made from
    # the cache later would differ. The report says where the works came from instead.
    tables.report = None
    return tables, counts


# --- requests ----------------------------------------------------------------------------------
def works_plan(query, conn: Connection) -> list[tuple[str, str, bool]]:
    """``(slice, first-page URL, cached)`` for every slice of a works query: the URL of the
    cursor walk's first request, as the fetch sends it (the API key goes in a header)."""
    from collabnet.cache import Cache
    from collabnet.query import SELECT_FIELDS
    from collabnet.sources.openalex.client import pyalex_query_string
    from collabnet.sources.openalex.reading import pages_present

    s = conn.settings
    cache = Cache(s.cache_dir)
    out = []
    for sl in query.slices(source=s.base_url):
        q = pyalex_query_string(query.pyalex(year=sl.year, select=SELECT_FIELDS))
        store = cache.slice(sl.key)
        try:
            cp = store.checkpoint()
        except Exception:  # an unreadable checkpoint: the fetch repairs it
            cp = None
        cached = cp is not None and cp.done and pages_present(store, cp)
        out.append((sl.name, f"{s.base_url}/works?{q}&per_page={s.per_page}&cursor=*", cached))
    return out


def counts_plan(a, inp, settings) -> list[str]:
    """The ``group_by`` requests analysis ``a`` would send for its counts input and not find
    in the cache of ``settings``: the library's own dry run (which sends nothing)."""
    from collabnet.analysis.rank import rank
    from collabnet.analysis.shares import shares

    o = a.options
    tables, years = (inp.query, None) if inp.query is not None else (None, inp.years)
    sel = {"years": years, "focus": o.get("focus"), "merge_hk_mo": o["merge_hk_mo"],
           "collaboration_rule": o.get("collaboration_rule")}
    if a.kind == "shares":
        return shares(tables, o["level"], **sel, by_year=o["by_year"], counts=o["counts"],
                      min_works=o["min_works"], source="counts", settings=settings,
                      compare=o.get("compare"), as_of=o.get("as_of"), dry_run=True)
    if a.kind == "rank":
        return rank(tables, o["level"], **sel, counting=o["counting"], group=o.get("group"),
                    as_of=o.get("as_of"), indicator=o["indicator"], by_year=o["by_year"],
                    ascending=o["ascending"], collaboration=o["collaboration"],
                    min_works=o["min_works"], ci=o["ci"], source="counts", settings=settings,
                    dry_run=True)
    # A trend from counts asks what a by-year ranking of its focus asks (the same call of
    # collabnet.analysis.trends.counted_values); trend() itself has no dry run.
    from collabnet.analysis.trends import COUNTED

    if o["indicator"] not in COUNTED:
        from collabnet.errors import InputError

        raise InputError(f"the counts path follows {', '.join(COUNTED)}; use a works input "
                         f"for {o['indicator']}")
    return rank(tables, o["level"], **sel, indicator=o["indicator"], by_year=True, ci=o["ci"],
                min_works=o["min_works"], source="counts", settings=settings, dry_run=True)
