"""Measure the figures the synthetic sample is calibrated to, from the real data in ../shared/data.

Reads the real OpenAlex work records in ``shared/data/works/*.jsonl.gz`` and the world
country co-authorship aggregates ``shared/data/aggregates/bavla__OpenAlex__WrldCo_years.zip``
and writes ``collabnet/sources/sample/data/sample_calibration.json``: aggregated numbers only
(distributions, shares, fitted parameters, country volumes and partner weights), never a
record. The generator ``collabnet.sources.sample`` reads that file; run this script again when
the data change::

    python scripts/calibrate_sample.py [--shared ../shared] [--out PATH]

Pool of real works ("the pool"): every record that carries its authorships (``authorships``
present and, when non-empty, with an ``institutions`` key on some authorship - records saved
with a ``select=`` that dropped them are left out), published 2000-2023, each work id once
(the first file in name order wins), and at most ``CAP_PER_SOURCE`` works per source file (the
first by work id) so that the two large single-topic collections (a Saudi university dashboard
and a set of medical systematic-review references) do not decide the figures alone. The pool
is not a random sample of OpenAlex: it is a mix of curated collections, so it over-represents
cited, international work; the figures are what these records show, not world figures.

The country aggregates (Pajek files by V. Batagelj built from OpenAlex group-by queries) give,
per year 1990-2023, each country's number of *internationally co-authored* works (its loop
value) and its partner weights (co-authored works with each other country). They are not total
output; see SOURCES.md. The script keeps the top ``N_COUNTRIES`` countries by international
volume 2000-2023, their volume for every year, and their top ``N_PARTNERS`` partners (within
that set) for the years in ``PARTNER_YEARS`` (the generator interpolates between them).
It also checks the hand-written vocabulary (``sample_vocabulary.json``, beside the calibration
file): every kept country must have a centroid and city list, and the centroids must lie near
the mean position of the real institutions of that country in ``shared/data/institutions``
where there are enough of them.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import re
import sys
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pycountry

REPO = Path(__file__).resolve().parents[1]
#: Where the generator package keeps its data files (collabnet.sources.sample).
SAMPLE_DATA = REPO / "collabnet" / "sources" / "sample" / "data"
CAP_PER_SOURCE = 1000
YEARS = (2000, 2023)
N_COUNTRIES = 120
N_PARTNERS = 16
PARTNER_YEARS = (1990, 1995, 2000, 2005, 2010, 2015, 2020, 2023)
CITATION_YEAR = 2024  # age of a work = CITATION_YEAR - publication_year
TEAM_SIZE_EXACT = 20  # team sizes 1..20 get their own probability; larger ones are binned
TEAM_SIZE_BINS = ((21, 30), (31, 50), (51, 100), (101, 300), (301, 1000), (1001, 5000))

# Crossref-era type names in older records -> OpenAlex's current work types.
TYPE_MAP = {"journal-article": "article", "proceedings-article": "article",
            "posted-content": "preprint", "book-part": "book-chapter",
            "reference-book": "book", "monograph": "book", "journal-issue": "paratext",
            "conference-paper": "article"}
CURRENT_TYPES = {"article", "review", "book-chapter", "book", "preprint", "dataset",
                 "dissertation", "letter", "editorial", "erratum", "paratext", "other",
                 "report", "reference-entry", "peer-review", "standard", "grant",
                 "libguides", "retraction", "supplementary-materials"}
# Sources whose records were selected by work type; left out of the type mix only.
TYPE_SELECTED_SOURCES = ("herreio__openalex-client-review",)

# Published international-share figures (PEERS_AND_INDICATORS.md section 6) used by the
# generator as anchors of per-country international shares. Not measured here: copied.
ANCHORS = [
    {"country": "JP", "year": 2008.5, "share": 0.25,
     "source": "J. Adams, University World News 2015: 25 % of ~775,000 Japanese papers "
               "2004-2013 internationally co-authored (WoS)"},
    {"country": "JP", "year": 2020, "share": 0.36,
     "source": "Rathenau Instituut, Share of international co-publications, 2022"},
    {"country": "US", "year": 2020, "share": 0.43, "source": "Rathenau Instituut 2022"},
    {"country": "KR", "year": 2020, "share": 0.33, "source": "Rathenau Instituut 2022"},
    {"country": "CN", "year": 2020, "share": 0.27, "source": "Rathenau Instituut 2022"},
    {"country": "CN", "year": 2012, "share": 0.157, "source": "OECD 2012 via THE 2016"},
    {"country": "CH", "year": 2020, "share": 0.74, "source": "Rathenau Instituut 2022"},
    {"country": "NL", "year": 2020, "share": 0.72,
     "source": "Rathenau Instituut 2022 (page gives 68 % and 76 %; midpoint)"},
    {"country": "GB", "year": 2012, "share": 0.52, "source": "J. Adams 2015 (UK 2012)"},
    {"country": "LU", "year": 2012, "share": 0.77, "source": "OECD 2012 via THE 2016"},
    {"country": "IS", "year": 2012, "share": 0.684, "source": "OECD 2012 via THE 2016"},
]
# Common yearly change of a country's international share on the log-odds scale, for countries
# with one anchor: JP's two anchors (25 % in 2008.5, 36 % in 2020) imply 0.0455 per year, and
# the world series of Aksnes & Sivertsen 2023 (4.7 % in 1980 -> 25.7 % in 2021) 0.047.
ANCHOR_LOGIT_SLOPE = 0.046


# --------------------------------------------------------------------------- real work records

def _source_name(path: Path) -> str:
    return path.name.removesuffix(".jsonl.gz").removesuffix("__all")


def load_pool(works_dir: Path) -> tuple[list[tuple[str, dict]], dict[str, int]]:
    """The pool of real works (see module docstring) as (source, record) pairs."""
    seen: set[str] = set()
    pool: list[tuple[str, dict]] = []
    per_source: dict[str, int] = {}
    for path in sorted(works_dir.glob("*.jsonl.gz")):
        records = []
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                auths = rec.get("authorships")
                year = rec.get("publication_year")
                if not isinstance(auths, list) or not isinstance(year, int):
                    continue
                if not YEARS[0] <= year <= YEARS[1]:
                    continue
                if auths and not any(isinstance(a, dict) and "institutions" in a for a in auths):
                    continue
                records.append(rec)
        records.sort(key=lambda r: r["id"])
        kept = 0
        for rec in records:
            if kept >= CAP_PER_SOURCE:
                break
            if rec["id"] in seen:
                continue
            seen.add(rec["id"])
            pool.append((_source_name(path), rec))
            kept += 1
        per_source[_source_name(path)] = kept
    return pool, per_source


def _work_profile(rec: dict) -> dict:
    """Countries, institutions and per-author facts of one work."""
    countries: set[str] = set()
    institutions: set[str] = set()
    authors = []
    for a in rec["authorships"]:
        insts = [i for i in (a.get("institutions") or []) if isinstance(i, dict)]
        inst_cc = {i.get("country_code") for i in insts if i.get("country_code")}
        auth_cc = {c for c in (a.get("countries") or []) if c}
        countries |= inst_cc | auth_cc
        institutions |= {i["id"] for i in insts if i.get("id")}
        authors.append({"n_inst": len(insts), "inst_cc": inst_cc, "auth_cc": auth_cc,
                        "has_countries_key": "countries" in a,
                        "corresponding": a.get("is_corresponding"),
                        "position": a.get("author_position"), "insts": insts})
    n_auth = len(rec["authorships"])
    if not countries:
        cls = "unknown"
    elif len(countries) > 1:
        cls = "international"
    elif len(institutions) > 1:
        cls = "domestic"
    else:
        cls = "single_institution"
    return {"countries": countries, "institutions": institutions, "authors": authors,
            "n_authors": n_auth, "class": cls}


def _pmf(values, top: int | None = None) -> dict[str, float]:
    """Empirical pmf as {"value": prob}; values above ``top`` pooled as "top+"."""
    counts = Counter(values)
    if top is not None:
        over = sum(c for v, c in counts.items() if v > top)
        counts = Counter({v: c for v, c in counts.items() if v <= top})
        if over:
            counts[f"{top}+"] = over
    total = sum(counts.values())
    keys = sorted(counts, key=lambda v: (isinstance(v, str), v))
    return {str(k): round(counts[k] / total, 5) for k in keys}


def _team_size_pmf(sizes: list[int]) -> dict:
    sizes = [s for s in sizes if s >= 1]
    n = len(sizes)
    exact = [round(sum(1 for s in sizes if s == k) / n, 5) for k in range(1, TEAM_SIZE_EXACT + 1)]
    bins = [[lo, hi, round(sum(1 for s in sizes if lo <= s <= hi) / n, 5)]
            for lo, hi in TEAM_SIZE_BINS]
    if sum(exact) + sum(b[2] for b in bins) < 0.999:
        raise SystemExit("team sizes outside the bins")
    # The API lists at most 100 authorships (is_authors_truncated): the listed mean compares
    # with what a reader of API records sees.
    return {"exact": exact, "bins": bins, "n": n, "mean": round(float(np.mean(sizes)), 3),
            "mean_listed": round(float(np.mean(np.minimum(sizes, 100))), 3),
            "median": float(np.median(sizes))}


def _logit_fit(years: np.ndarray, y: np.ndarray, center: float) -> tuple[float, float]:
    """Maximum-likelihood logistic regression y ~ a + b (year - center) by Newton steps."""
    x = np.column_stack([np.ones_like(years, dtype=float), years - center])
    beta = np.zeros(2)
    for _ in range(50):
        p = 1 / (1 + np.exp(-x @ beta))
        grad = x.T @ (y - p)
        hess = (x * (p * (1 - p))[:, None]).T @ x
        step = np.linalg.solve(hess, grad)
        beta += step
        if np.abs(step).max() < 1e-10:
            break
    return float(beta[0]), float(beta[1])


def measure_works(pool: list[tuple[str, dict]]) -> dict:
    """All work-, authorship- and institution-level figures of the pool."""
    profiles = [(src, rec, _work_profile(rec)) for src, rec in pool]
    n = len(profiles)
    with_auth = [(s, r, p) for s, r, p in profiles if p["n_authors"] > 0]
    classes = Counter(p["class"] for _, _, p in with_auth)
    known = [(s, r, p) for s, r, p in with_auth if p["class"] != "unknown"]
    no_inst_at_all = sum(1 for _, _, p in with_auth
                         if all(a["n_inst"] == 0 for a in p["authors"]))

    # International share overall, by period, and its logistic trend.
    years = np.array([r["publication_year"] for _, r, _ in known], dtype=float)
    intl = np.array([p["class"] == "international" for _, _, p in known], dtype=float)
    trend_a, trend_b = _logit_fit(years, intl, 2012.0)
    periods = {}
    for lo, hi in ((2000, 2005), (2006, 2010), (2011, 2015), (2016, 2020), (2021, 2023)):
        sel = (years >= lo) & (years <= hi)
        periods[f"{lo}-{hi}"] = {"share": round(float(intl[sel].mean()), 4), "n": int(sel.sum())}

    # Team size by collaboration class (authorships as listed; the API lists at most 100).
    team = {cls: _team_size_pmf([p["n_authors"] for _, _, p in with_auth if p["class"] == cls])
            for cls in ("single_institution", "domestic", "international", "unknown")}
    team["all"] = _team_size_pmf([p["n_authors"] for _, _, p in with_auth])

    inst_per_work = {cls: _pmf([len(p["institutions"]) for _, _, p in known
                                if p["class"] == cls], top=12)
                     for cls in ("domestic", "international")}
    inst_mean = {cls: round(float(np.mean([len(p["institutions"]) for _, _, p in known
                                           if p["class"] == cls])), 3)
                 for cls in ("single_institution", "domestic", "international")}
    countries_per_intl = _pmf([len(p["countries"]) for _, _, p in known
                               if p["class"] == "international"], top=12)

    # Authorships: institutions per author, authors without institution (in works where some
    # author has one), cross-country multi-affiliation, countries given without institution.
    per_author = []
    no_inst_auth = no_inst_with_cc = no_inst_auth_with_key = 0
    multi = multi_cross = 0
    informative_authors = 0
    for _, _, p in with_auth:
        if all(a["n_inst"] == 0 for a in p["authors"]):
            continue
        for a in p["authors"]:
            informative_authors += 1
            per_author.append(a["n_inst"])
            if a["n_inst"] == 0:
                no_inst_auth += 1
                if a["has_countries_key"]:
                    no_inst_auth_with_key += 1
                    if a["auth_cc"]:
                        no_inst_with_cc += 1
            elif a["n_inst"] > 1:
                multi += 1
                if len(a["inst_cc"]) > 1:
                    multi_cross += 1

    # Institutions: type mix and missing country, over affiliation rows.
    types = Counter()
    rows = null_cc = 0
    for _, _, p in with_auth:
        for a in p["authors"]:
            for inst in a["insts"]:
                rows += 1
                types[inst.get("type") or "null"] += 1
                if not inst.get("country_code"):
                    null_cc += 1
    type_mix = {t: round(c / rows, 5) for t, c in types.most_common()}

    # Corresponding authors (records that carry the flag).
    flagged = [p for _, _, p in with_auth
               if any(a["corresponding"] is not None for a in p["authors"])]
    with_corr = [p for p in flagged if any(a["corresponding"] for a in p["authors"])]
    corr_first = sum(1 for p in with_corr if p["authors"][0]["corresponding"])
    corr_last = sum(1 for p in with_corr if p["n_authors"] > 1 and p["authors"][-1]["corresponding"]
                    and not p["authors"][0]["corresponding"])

    # Work types (current vocabulary), doi/fwci presence, flags.
    wtypes = Counter()
    for src, rec, _ in profiles:
        if src.startswith(TYPE_SELECTED_SOURCES):
            continue
        t = TYPE_MAP.get(rec.get("type"), rec.get("type"))
        if t in CURRENT_TYPES:
            wtypes[t] += 1
    type_total = sum(wtypes.values())
    with_fwci_key = [r for _, r, _ in profiles if "fwci" in r]
    with_cnp_key = [r for _, r, _ in profiles if "citation_normalized_percentile" in r]

    def share_true(key):
        vals = [r.get(key) for _, r, _ in profiles if isinstance(r.get(key), bool)]
        return {"share": round(sum(vals) / len(vals), 5), "n": len(vals)}

    # Citations: zero-inflated log-normal with age and international effects.
    cites, ages, is_intl = [], [], []
    for _, r, p in known:
        c = r.get("cited_by_count")
        if isinstance(c, int):
            cites.append(c)
            ages.append(CITATION_YEAR - r["publication_year"])
            is_intl.append(p["class"] == "international")
    cites_a = np.array(cites, dtype=float)
    ages_a = np.array(ages, dtype=float)
    intl_a = np.array(is_intl, dtype=float)
    pos = cites_a > 0
    x = np.column_stack([np.ones(pos.sum()), np.log1p(ages_a[pos]), intl_a[pos]])
    yv = np.log(cites_a[pos])
    coef, *_ = np.linalg.lstsq(x, yv, rcond=None)
    resid_sd = float(np.std(yv - x @ coef, ddof=3))
    z0, z1 = _logit_fit(ages_a, (cites_a == 0).astype(float), 10.0)
    quantiles = {str(q): float(np.quantile(cites_a, q)) for q in (0.1, 0.25, 0.5, 0.75, 0.9, 0.99)}
    mean_intl = float(cites_a[intl_a == 1].mean())
    mean_other = float(cites_a[intl_a == 0].mean())

    return {
        "n_works": n,
        "no_authorships_share": round(1 - len(with_auth) / n, 5),
        "collaboration_classes": {k: round(v / len(with_auth), 5) for k, v in classes.items()},
        "no_institution_work_share": round(no_inst_at_all / len(with_auth), 5),
        "international_share": round(float(intl.mean()), 5),
        "international_share_n": int(len(intl)),
        "international_share_by_period": periods,
        "international_logit": {"intercept": round(trend_a, 5), "slope": round(trend_b, 5),
                                "center_year": 2012.0},
        "team_size": team,
        "institutions_per_work": inst_per_work,
        "institutions_per_work_mean": inst_mean,
        "countries_per_international_work": countries_per_intl,
        "authorships": {
            "n": informative_authors,
            "institutions_per_author": _pmf(per_author, top=4),
            "no_institution_share": round(no_inst_auth / informative_authors, 5),
            "no_institution_with_country_share": round(
                no_inst_with_cc / max(no_inst_auth_with_key, 1), 5),
            "multi_affiliation_share": round(multi / informative_authors, 5),
            "multi_affiliation_cross_country_share": round(multi_cross / max(multi, 1), 5),
        },
        "institutions": {"rows": rows, "type_mix": type_mix,
                         "null_country_share": round(null_cc / rows, 5)},
        "corresponding": {"n_flagged": len(flagged),
                          "works_with_corresponding_share": round(len(with_corr) / len(flagged), 5),
                          "first_author_share": round(corr_first / len(with_corr), 5),
                          "last_author_share": round(corr_last / len(with_corr), 5)},
        "work_types": {t: round(c / type_total, 5) for t, c in wtypes.most_common()},
        "doi_share": round(sum(1 for _, r, _ in profiles if r.get("doi")) / n, 5),
        "fwci_share": round(sum(1 for r in with_fwci_key if r.get("fwci") is not None)
                            / len(with_fwci_key), 5),
        "percentile_share": round(sum(1 for r in with_cnp_key
                                      if r.get("citation_normalized_percentile"))
                                  / len(with_cnp_key), 5),
        "retracted": share_true("is_retracted"),
        "paratext": share_true("is_paratext"),
        "authors_truncated": share_true("is_authors_truncated"),
        "citations": {
            "n": int(len(cites_a)),
            "quantiles": quantiles,
            "mean": round(float(cites_a.mean()), 3),
            "zero_logit": {"intercept": round(z0, 5), "slope_per_year_of_age": round(z1, 5),
                           "center_age": 10.0},
            "log_model": {"intercept": round(float(coef[0]), 5),
                          "log1p_age": round(float(coef[1]), 5),
                          "international": round(float(coef[2]), 5),
                          "residual_sd": round(resid_sd, 5)},
            "mean_international": round(mean_intl, 3),
            "mean_other": round(mean_other, 3),
        },
        "jp": _jp_figures(known),
    }


def _jp_figures(known) -> dict:
    jp = [(r, p) for _, r, p in known if "JP" in p["countries"]]
    if not jp:
        return {"n": 0}
    share = sum(1 for _, p in jp if p["class"] == "international") / len(jp)
    return {"n": len(jp), "international_share": round(share, 4),
            "note": "too few works for a JP figure; for information only"}


# ------------------------------------------------------------------------ country aggregates

def _read_pajek_net(text: str) -> tuple[list[str], list[tuple[int, int, float]]]:
    codes: list[str] = []
    edges: list[tuple[int, int, float]] = []
    mode = None
    for line in text.splitlines():
        s = line.strip()
        if not s or s.startswith("%"):
            continue
        low = s.lower()
        if low.startswith("*vertices"):
            mode = "v"
            continue
        if low.startswith("*arcs") or low.startswith("*edges"):
            mode = "e"
            continue
        if mode == "v":
            m = re.match(r'(\d+)\s+"([^"]*)"', s)
            if m:
                codes.append(m.group(2))
        elif mode == "e":
            a, b, w = s.split()[:3]
            edges.append((int(a) - 1, int(b) - 1, float(w)))
    return codes, edges


def measure_world(zip_path: Path) -> dict:
    """Per-country international volume by year and partner weights for PARTNER_YEARS."""
    zf = zipfile.ZipFile(zip_path)
    matrices: dict[int, np.ndarray] = {}
    codes_ref: list[str] | None = None
    for year in range(1990, 2024):
        codes, edges = _read_pajek_net(zf.read(f"WrldCo{year}.net").decode("utf-8-sig"))
        if codes_ref is None:
            codes_ref = codes
        elif codes != codes_ref:
            raise SystemExit(f"vertex list of {year} differs from 1990")
        m = np.zeros((len(codes), len(codes)))
        for a, b, w in edges:
            m[a, b] = w
        # Each row comes from its own group-by query; a few pairs differ by one work (queries
        # run minutes apart). Anything more would mean a misread file.
        if np.abs(m - m.T).max() > 2:
            raise SystemExit(f"network of {year} is not symmetric")
        matrices[year] = m
    assert codes_ref is not None
    volume = {y: np.diag(m).copy() for y, m in matrices.items()}
    span = sum(volume[y] for y in range(YEARS[0], YEARS[1] + 1))
    order = np.argsort(-span, kind="stable")[:N_COUNTRIES]
    keep = [codes_ref[i] for i in order]
    coverage = float(span[order].sum() / span.sum())
    vol_out = {codes_ref[i]: [int(volume[y][i]) for y in range(1990, 2024)] for i in order}
    partners: dict[str, dict[str, list]] = {}
    for y in PARTNER_YEARS:
        m = matrices[y]
        per = {}
        for i in order:
            w = m[i, order].copy()
            w[list(order).index(i)] = 0.0
            top = np.argsort(-w, kind="stable")[:N_PARTNERS]
            top = [j for j in top if w[j] > 0]
            per[codes_ref[i]] = [[keep[j], int(w[j])] for j in top]
        partners[str(y)] = per
    # Pair-count ratio: sum of partner weights / sum of loops = E[k(k-1)] / E[k] over
    # international works (k = countries per work), a check on the countries-per-work pmf.
    ratio = {str(y): round(float((matrices[y].sum() - np.trace(matrices[y]))
                                 / np.trace(matrices[y])), 4) for y in PARTNER_YEARS}
    return {"first_year": 1990, "last_year": 2023, "countries": keep,
            "coverage_of_international_volume_2000_2023": round(coverage, 5),
            "international_volume": vol_out, "partner_years": list(PARTNER_YEARS),
            "partners": partners, "partner_pairs_per_country_work": ratio}


# ----------------------------------------------------------------------------- vocabulary check

def check_vocabulary(vocab_path: Path, countries: list[str], inst_path: Path) -> dict:
    """Every kept country has a centroid and cities; centroids near real institutions' mean."""
    vocab = json.loads(vocab_path.read_text(encoding="utf-8"))
    missing = [c for c in countries if c not in vocab["countries"]]
    if missing:
        raise SystemExit(f"sample_vocabulary.json lacks countries {missing}")
    groups = {vocab["countries"][c]["names"] for c in countries}
    if not groups <= set(vocab["names"]):
        raise SystemExit(f"name groups missing: {sorted(groups - set(vocab['names']))}")
    checked, far = 0, []
    if inst_path.exists():
        pos = defaultdict(list)
        with gzip.open(inst_path, "rt", encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                geo = rec.get("geo") or {}
                cc = rec.get("country_code")
                if cc and geo.get("latitude") is not None and geo.get("longitude") is not None:
                    pos[cc].append((geo["latitude"], geo["longitude"]))
        for cc, pts in pos.items():
            if cc not in vocab["countries"] or len(pts) < 3:
                continue
            lat = float(np.median([p[0] for p in pts]))
            lon = float(np.median([p[1] for p in pts]))
            c = vocab["countries"][cc]
            d = math.hypot(lat - c["lat"], (lon - c["lon"]) * math.cos(math.radians(lat)))
            checked += 1
            if d > max(3.0, 1.5 * c["radius"]):
                far.append((cc, round(d, 1)))
        if far:
            raise SystemExit(f"centroids far from real institutions: {far}")
    return {"countries_checked_against_real_institutions": checked}


def country_names(countries: list[str]) -> dict[str, str]:
    out = {}
    for cc in countries:
        c = pycountry.countries.get(alpha_2=cc)
        if c is None:
            out[cc] = {"XK": "Kosovo"}.get(cc, cc)
        else:
            out[cc] = getattr(c, "common_name", None) or c.name
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--out", type=Path,
                    default=SAMPLE_DATA / "sample_calibration.json")
    args = ap.parse_args(argv)
    data = args.shared / "data"
    if not (data / "works").is_dir():
        print(f"no real data at {data}", file=sys.stderr)
        return 2
    pool, per_source = load_pool(data / "works")
    works = measure_works(pool)
    world = measure_world(data / "aggregates" / "bavla__OpenAlex__WrldCo_years.zip")
    vocab = check_vocabulary(SAMPLE_DATA / "sample_vocabulary.json",
                             world["countries"],
                             data / "institutions" / "institutions.jsonl.gz")
    out = {
        "note": ("Aggregated figures measured from real OpenAlex records and country "
                 "co-authorship aggregates by scripts/calibrate_sample.py; no records."),
        "pool": {"years": list(YEARS), "cap_per_source": CAP_PER_SOURCE,
                 "works_per_source": per_source, "n_works": works["n_works"]},
        "works": works,
        "world": world,
        "country_names": country_names(world["countries"]),
        "anchors": ANCHORS,
        "anchor_logit_slope": ANCHOR_LOGIT_SLOPE,
        "vocabulary_check": vocab,
    }
    text = json.dumps(out, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    args.out.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({len(text) / 1024:.0f} KB): pool {works['n_works']} works, "
          f"international share {works['international_share']:.3f}, "
          f"{len(world['countries'])} countries")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
