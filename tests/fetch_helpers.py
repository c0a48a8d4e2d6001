"""Helpers for the fetch tests: synthetic OpenAlex work records, and a script that fetches.

``synthetic_works(n)`` makes ``n`` OpenAlex-shaped work records, deterministic for a seed:
1–8 authors (a few works with 120–150, so list pages truncate them), each with one or two
institutions from a pool spread over twelve countries, ``authorships[].countries`` derived
from the institutions as OpenAlex does, and ``countries_distinct_count`` /
``institutions_distinct_count`` computed from them.

``loopback(works)`` is a pytest fixture serving them on a fresh loopback server per test;
``settings_for`` points settings at it, ``assert_exact`` checks the cache holds exactly the
server's works of a query (each once), ``list_requests`` picks the list requests of a year.

Run as a script (``python tests/fetch_helpers.py BASE_URL CACHE_DIR YEARS PER_PAGE RATE``), it
fetches ``WorkQuery(years=YEARS)`` and prints ``done``; the kill -9 test starts it, kills it
mid-fetch and resumes in the test process.
"""

from __future__ import annotations

import random
import sys

COUNTRIES = ["JP", "US", "DE", "GB", "FR", "CN", "KR", "BR", "IN", "AU", "CA", "ZA"]


def _institutions(rng: random.Random, n: int = 60) -> list[dict]:
    out = []
    for i in range(n):
        cc = COUNTRIES[i % len(COUNTRIES)]
        out.append(
            {
                "id": f"https://openalex.org/I{1000 + i}",
                "display_name": f"Institute {i} ({cc})",
                "ror": f"https://ror.org/0{i:06d}00"[:25],
                "country_code": cc,
                "type": rng.choice(["education", "facility", "company", "healthcare"]),
                "lineage": [f"https://openalex.org/I{1000 + i}"],
            }
        )
    return out


def synthetic_works(n: int, *, seed: int = 7, years=(2009, 2017), big_every: int = 997):
    """``n`` synthetic OpenAlex work records (ids W1…Wn); see the module docstring."""
    rng = random.Random(seed)
    insts = _institutions(rng)
    works = []
    for k in range(1, n + 1):
        if big_every and k % big_every == 0:
            n_auth = rng.randint(120, 150)  # a list page shows only the first 100
        else:
            n_auth = rng.choices(range(1, 9), weights=[3, 4, 4, 3, 2, 2, 1, 1])[0]
        home = rng.randrange(len(insts))
        authorships = []
        for a in range(n_auth):
            picks = [insts[home]] if rng.random() < 0.6 else [rng.choice(insts)]
            if rng.random() < 0.15:
                picks.append(rng.choice(insts))
            picks = list({p["id"]: p for p in picks}.values())
            countries = sorted({p["country_code"] for p in picks})
            position = "first" if a == 0 else ("last" if a == n_auth - 1 else "middle")
            authorships.append(
                {
                    "author_position": position,
                    "author": {
                        "id": f"https://openalex.org/A{k * 1000 + a}",
                        "display_name": f"Author {k}-{a}",
                        "orcid": None,
                    },
                    "institutions": [dict(p) for p in picks],
                    "countries": countries,
                    "is_corresponding": a == 0,
                    "raw_author_name": f"Author {k}-{a}",
                    "raw_affiliation_strings": [p["display_name"] for p in picks],
                }
            )
        codes = {i["country_code"] for au in authorships for i in au["institutions"]}
        ids = {i["id"] for au in authorships for i in au["institutions"]}
        year = rng.randint(years[0], years[1])
        works.append(
            {
                "id": f"https://openalex.org/W{k}",
                "display_name": f"Synthetic work {k}",
                "publication_year": year,
                "publication_date": f"{year}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                "type": rng.choices(["article", "review", "preprint", "paratext"],
                                    weights=[80, 10, 8, 2])[0],
                "is_paratext": False,
                "is_retracted": rng.random() < 0.01,
                "cited_by_count": rng.randint(0, 300),
                "fwci": round(rng.random() * 3, 3),
                "authorships": authorships,
                "countries_distinct_count": len(codes),
                "institutions_distinct_count": len(ids),
                "corresponding_institution_ids": [i["id"] for i in authorships[0]["institutions"]],
                "abstract_inverted_index": {"synthetic": [0], "work": [1]},
                "referenced_works": [f"https://openalex.org/W{rng.randint(1, n)}"],
            }
        )
    for w in works:
        if w["type"] == "paratext":
            w["is_paratext"] = True
    return works


def loopback(works, **server_options):
    """A pytest fixture named ``server``: ``works`` on a fresh OpenAlexTestServer per test."""
    import pytest

    from collabnet.testing import OpenAlexTestServer

    @pytest.fixture
    def server():
        with OpenAlexTestServer(works, **server_options) as srv:
            yield srv

    return server


def settings_for(srv, cache, *, per_page: int = 50, **options):
    """Settings for ``srv`` with the cache in ``cache``, no client-side rate limit."""
    from collabnet.config import get_settings

    options.setdefault("max_rate", None)
    return get_settings(base_url=srv.url, cache_dir=cache, env={}, per_page=per_page, **options)


def assert_exact(srv, settings, query) -> None:
    """The cache holds every work of ``query``'s years on ``srv``, each exactly once."""
    from collabnet.sources.openalex import iter_cached_works

    ids = [w["id"] for w in iter_cached_works(query, settings.cache_dir,
                                               base_url=settings.base_url)]
    names = {sl.name for sl in query.slices()}
    assert len(ids) == len(set(ids)), "a work is cached twice"
    assert set(ids) == {w["id"] for w in srv.works if str(w["publication_year"]) in names}


def list_requests(srv, year=None) -> list:
    """The ``/works`` list requests ``srv`` received (of one publication year)."""
    return [r for r in srv.requests if r.path == "/works"
            and (year is None or f"publication_year:{year}" in r.params["filter"][0])]


def main(argv: list[str]) -> int:
    base_url, cache_dir, years, per_page, rate = argv
    from collabnet.config import get_settings
    from collabnet.query import WorkQuery
    from collabnet.sources.openalex import fetch

    settings = get_settings(
        base_url=base_url, cache_dir=cache_dir, env={}, per_page=int(per_page),
        max_rate=float(rate),
    )
    report = fetch(WorkQuery(years=years), settings=settings, progress=False)
    print("done", report.works, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
