"""A synthetic world of OpenAlex-shaped work records, for demos, tests and benchmarks.

The records made here are SYNTHETIC: no record is real OpenAlex data, and no finding about any
country, institution or person may be drawn from them. collabnet cannot ship the third-party
records it was developed on, so it ships this deterministic generator instead, calibrated to
aggregated figures measured by ``scripts/calibrate_sample.py`` from real OpenAlex records and
from OpenAlex-based world country co-authorship aggregates (``sample_calibration.json`` beside
this module; aggregated numbers only).

Measured from a pool of ~4,900 real work records (2000-2023, at most 1,000 per source
collection; see the script for the pool and its biases) and reproduced: team size (authors
per work) by collaboration type; institutions per work; institutions per author, including
the share of authors without institution and, of those, the share that still carries a
country; the shares of works with no authorships and with no institution at all; the share
of domestic among one-country works; the institution type mix and the share of affiliations
to institutions without a country; the work type mix; DOI, FWCI and percentile presence;
retraction rate; which author is corresponding; citations (a zero-inflated log-normal with
age and international effects fitted to the pool).

Measured from the world aggregates (``bavla/OpenAlex`` WrldCo, 1990-2023; the 120 countries
kept cover 99 % of the volume) and reproduced: each country's internationally co-authored
volume by year (so which countries produce international works, and how many), and partner
choice - when a work of country X is international, its other countries are drawn from X's
partner weights of that year (top 16 partners, interpolated between 1990, 1995, 2000, 2005,
2010, 2015, 2020 and 2023). The number of countries per international work follows the pool's
tail shape, with the share of two-country works set per year so that the aggregates' ratio of
partner pairs to country appearances is met.

Derived, not measured - total output and international shares. The aggregates count a
country's international works only, so a country's total output is its international volume
divided by its international share. The shares are anchored where published figures exist
(PEERS_AND_INDICATORS.md section 6: JP 25 % in 2004-13 and 36 % around 2020, CN 15.7 % in 2012
and 27 % around 2020, US 43 %, KR 33 %, CH 74 %, NL 72 %, GB 52 % in 2012, LU 77 % and IS 68 %
in 2012), moving by 0.046 a year on the log-odds scale between or beyond the anchors (JP's two
anchors and the world series of Aksnes & Sivertsen 2023 both imply that rate). Every other
country gets a documented default: the anchored countries' log-odds in 2020 regressed on the
log of their international volume relative to the median country's (fit: level 1.00, slope
-0.34, so smaller countries are more international), with the same yearly slope. The overall
international share of works then follows from the model: 13 % in 2000, 20 % in 2010, 30 % in
2020, about 24 % over 2000-2023 (the world series of Aksnes & Sivertsen gives 25.7 % in 2021).
It is lower than the pool's measured 36 % (20 % in 2000-05 to 46 % in 2016-20): the pool's
curated collections over-represent international work (its JP works are 69 % international,
against the published 25-36 %), and no set of country shares can match both the pool's figure
and the anchors. :func:`calibration_summary` lists both.

Invented: institution names (from city and word lists per country, never from real
records), author names (name pools by language group), titles, coordinates (scattered around
an approximate per-country research centre; the city in a name is not geocoded), and ids.

Identifiers: all are 12-digit numbers starting with 9, a range OpenAlex does not use (its ids
have at most 10 digits): works ``https://openalex.org/W9SSSNNNNNNNN`` (``SSS`` = seed mod 1000,
``NNNNNNNN`` = index, so at most 10^8 works per sample), authors ``A9...``, institutions
``I9...``; ROR ids ``https://ror.org/z...`` (real ones start with ``0``); DOIs use the test
prefix ``10.5555``.

Good for demos, tests of every code path (authors affiliated in two countries, authors without
institution, institutions without country, names with ``&``, works with no authorships,
truncated author lists) and benchmarks at any scale. Not good for any real finding.

Determinism: the same seed, years and package version give byte-identical records. Works are
made in chunks of 4,096 from a random stream per (seed, chunk), so the first ``n`` works of a
larger sample equal a sample of ``n`` works with the same seed and years.
"""

from __future__ import annotations

import datetime as _dt
import gc
import gzip
import hashlib
import math
import os
import queue
import threading
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import orjson
from scipy.special import ndtr

from collabnet.errors import InputError

__all__ = [
    "SYNTHETIC_NOTICE",
    "calibration",
    "calibration_summary",
    "generate_institutions",
    "generate_works",
    "write_sample",
]

#: One sentence for any output made from the sample (the CLI demo prints it).
SYNTHETIC_NOTICE = (
    "These records are SYNTHETIC (collabnet's generated sample, calibrated to aggregate "
    "OpenAlex figures), not real OpenAlex data: use them for demos and tests, never for findings."
)

CHUNK = 4096
_ID_PREFIX = 9 * 10**11  # 12-digit ids starting with 9
_MAX_WORKS = 10**8
_CITATION_YEAR = 2024
_MAX_CITATIONS = 250_000
_N_INSTITUTIONS = 8000  # institutions with a country, split over countries by total output
_N_NULL_COUNTRY = 40  # institutions without a country
_AUTHOR_SLOTS = 100_000  # author number = pool * _AUTHOR_SLOTS + slot
_UNAFFILIATED_POOL = 5000  # authors without institution: one pool per country
_REFERENCE_YEAR = 2020  # year at which anchors and default shares are compared
_MAX_PARTNERS = 16
_DOMESTIC_INST_TOP = 20
_OA = "https://openalex.org/"


def _load_json(name: str) -> dict:
    return orjson.loads(resources.files("collabnet.sources").joinpath(name).read_bytes())


@lru_cache(maxsize=1)
def calibration() -> dict:
    """The calibration figures (``sample_calibration.json``), as measured from the real data.

    Returns
    -------
    dict
        ``works`` (work, authorship and institution figures of the real pool), ``world``
        (country volumes and partner weights), ``anchors`` and provenance notes. Treat it as
        read-only: it is shared between calls.
    """
    return _load_json("sample_calibration.json")


@lru_cache(maxsize=1)
def _vocabulary() -> dict:
    return _load_json("sample_vocabulary.json")


def _logit(p):
    return np.log(p / (1 - p))


def _expit(x):
    return 1 / (1 + np.exp(-x))


_M64 = 0xFFFFFFFFFFFFFFFF


def _splitmix(x: int) -> int:
    """A fixed 64-bit integer hash (splitmix64); used for stable name choices."""
    z = (x + 0x9E3779B97F4A7C15) & _M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _M64
    return z ^ (z >> 31)


def _pmf_arrays(pmf: dict[str, float], top_range: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Values and probabilities of a measured pmf; an ``"N+"`` bin is spread over ``top_range``."""
    values, probs = [], []
    for key, p in pmf.items():
        if key.endswith("+"):
            lo, hi = top_range
            span = np.arange(lo, hi + 1)
            values.extend(span.tolist())
            probs.extend([p / len(span)] * len(span))
        else:
            values.append(int(key))
            probs.append(p)
    v = np.asarray(values)
    pr = np.asarray(probs, dtype=float)
    return v, pr / pr.sum()


class _TeamSize:
    """Sampler of authors per work: exact sizes 1..20 and log-uniform within larger bins."""

    def __init__(self, spec: dict):
        exact = list(spec["exact"])
        bins = spec["bins"]
        probs = np.asarray(exact + [b[2] for b in bins], dtype=float)
        self.cum = np.cumsum(probs / probs.sum())
        self.n_exact = len(exact)
        self.lo = np.asarray([b[0] for b in bins], dtype=float)
        self.hi = np.asarray([b[1] for b in bins], dtype=float)

    def sample(self, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        k = np.minimum(np.searchsorted(self.cum, u, side="right"), len(self.cum) - 1)
        out = k + 1
        big = k >= self.n_exact
        if big.any():
            b = k[big] - self.n_exact
            lo, hi = self.lo[b], self.hi[b] + 1
            out[big] = np.floor(np.exp(np.log(lo) + v[big] * (np.log(hi) - np.log(lo))))
        return out.astype(np.int64)


class _World:
    """Everything derived once per seed: country model by year, institutions, samplers."""

    def __init__(self, seed: int):
        cal = calibration()
        voc = _vocabulary()
        self.seed = seed
        self.cal = cal
        self.voc = voc
        w = cal["world"]
        self.countries: list[str] = list(w["countries"])
        self.cindex = {c: i for i, c in enumerate(self.countries)}
        self.first_year, self.last_year = w["first_year"], w["last_year"]
        years = np.arange(self.first_year, self.last_year + 1)
        self.cal_years = years
        vol = np.asarray([w["international_volume"][c] for c in self.countries], dtype=float).T
        self.volume = np.maximum(vol, 0.5)  # (years, countries); avoid log(0)
        self._anchors()
        self._partners()
        self._countries_per_work()
        self._default_shares()
        self._institutions()
        self._samplers()

    # ----- the country model ---------------------------------------------------------------

    def _anchors(self) -> None:
        """Anchored countries' international share by year (log-odds linear in year)."""
        cal = self.cal
        slope = cal["anchor_logit_slope"]
        by_country: dict[str, list[tuple[float, float]]] = {}
        for a in cal["anchors"]:
            if a["country"] in self.cindex:
                by_country.setdefault(a["country"], []).append((a["year"], a["share"]))
        self.anchored = np.zeros(len(self.countries), dtype=bool)
        self.anchor_logit = np.zeros((len(self.cal_years), len(self.countries)))
        for cc, pts in by_country.items():
            j = self.cindex[cc]
            self.anchored[j] = True
            pts.sort()
            if len(pts) == 1:
                (y0, s0), b = pts[0], slope
            else:
                (y0, s0), (y1, s1) = pts[0], pts[-1]
                b = (_logit(s1) - _logit(s0)) / (y1 - y0)
            self.anchor_logit[:, j] = _logit(s0) + b * (self.cal_years - y0)

    def _partners(self) -> None:
        """Top partners and their probabilities per calibrated year (interpolated weights)."""
        w = self.cal["world"]
        n = len(self.countries)
        snap_years = [int(y) for y in w["partner_years"]]
        dense = []
        for y in snap_years:
            m = np.zeros((n, n))
            for cc, plist in w["partners"][str(y)].items():
                i = self.cindex[cc]
                for pc, wt in plist:
                    m[i, self.cindex[pc]] = wt
            dense.append(m)
        ny = len(self.cal_years)
        self.partner_idx = np.zeros((ny, n, _MAX_PARTNERS), dtype=np.int64)
        self.partner_logp = np.full((ny, n, _MAX_PARTNERS), -np.inf)
        self.partner_prob = np.zeros((ny, n, n))  # row-normalised, for the lead-weight solve
        for t, y in enumerate(self.cal_years):
            k = np.searchsorted(snap_years, y, side="right") - 1
            if k >= len(snap_years) - 1:
                m = dense[-1]
            else:
                f = (y - snap_years[k]) / (snap_years[k + 1] - snap_years[k])
                m = (1 - f) * dense[k] + f * dense[k + 1]
            order = np.argsort(-m, axis=1, kind="stable")[:, :_MAX_PARTNERS]
            top = np.take_along_axis(m, order, axis=1)
            self.partner_idx[t] = order
            with np.errstate(divide="ignore"):
                self.partner_logp[t] = np.where(top > 0, np.log(np.maximum(top, 1e-300)), -np.inf)
            rows = top.sum(axis=1, keepdims=True)
            prob = np.where(rows > 0, top / np.maximum(rows, 1e-300), 0.0)
            pp = np.zeros((n, n))
            np.put_along_axis(pp, order, prob, axis=1)
            self.partner_prob[t] = pp
        self.n_partners = (self.partner_logp > -np.inf).sum(axis=2)

    def _countries_per_work(self) -> None:
        """Countries per international work by year: the pool's tail shape, with the share of
        two-country works set so that E[k(k-1)]/E[k] equals the world aggregates' ratio."""
        works = self.cal["works"]
        vals, probs = _pmf_arrays(works["countries_per_international_work"],
                                  (13, _MAX_PARTNERS + 1))
        keep = vals >= 3
        tail_v, tail_p = vals[keep], probs[keep] / probs[keep].sum()
        ratio_pts = self.cal["world"]["partner_pairs_per_country_work"]
        ry = np.asarray([int(y) for y in ratio_pts])
        rv = np.asarray([ratio_pts[str(y)] for y in ry])
        target = np.interp(self.cal_years, ry, rv)
        tk = float((tail_v * tail_p).sum())
        tkk = float((tail_v * (tail_v - 1) * tail_p).sum())
        # ratio(pi) = (2 pi + (1-pi) tkk) / (2 pi + (1-pi) tk), solved for pi (two-country share)
        pi = (tkk - target * tk) / (tkk - target * tk + 2 * target - 2)
        pi = np.clip(pi, 0.05, 0.99)
        self.k_values = np.concatenate([[2], tail_v])
        self.k_cum = np.stack([np.cumsum(np.concatenate([[p], (1 - p) * tail_p])) for p in pi])
        self.k_mean = 2 * pi + (1 - pi) * tk
        self.two_country_share = pi

    def _default_shares(self) -> None:
        """International share by country and year: anchors, else the anchors' size curve.

        The anchored countries' log-odds in the reference year (2020) are regressed on the
        log of their international volume relative to the median country's; a country with no
        anchor gets the fitted value for its own volume, moving by the common yearly slope.
        The overall international share of works then follows: with
        N_int = sum(I) / E[k] international works and N_one = sum(I (1 - s) / s) works of one
        country, it is N_int / (N_int + N_one).
        """
        ny, n = self.volume.shape
        t_ref = int(self.year_index(np.asarray(_REFERENCE_YEAR)))
        rel = np.log(self.volume / np.median(self.volume, axis=1, keepdims=True))
        a = np.flatnonzero(self.anchored)
        design = np.column_stack([np.ones(len(a)), rel[t_ref, a]])
        level, size_slope = np.linalg.lstsq(design, self.anchor_logit[t_ref, a], rcond=None)[0]
        self.default_fit = {"level": float(level), "size_slope": float(size_slope)}
        slope = self.cal["anchor_logit_slope"]
        default = (level + size_slope * rel
                   + slope * (self.cal_years - _REFERENCE_YEAR)[:, None])
        lg = np.where(self.anchored[None, :], self.anchor_logit, default)
        self.share = np.clip(_expit(lg), 0.03, 0.97)
        self.total = self.volume / self.share  # works of each country (with any partner)
        self.domestic_w = self.total - self.volume
        self._lead_weights()
        n_int = self.volume.sum(axis=1) / self.k_effective
        n_one = self.domestic_w.sum(axis=1)
        self.model_share = n_int / (n_int + n_one)
        self.works_by_year = n_int + n_one

    def _lead_weights(self) -> None:
        """Lead-country weights of international works, by year.

        A country appears in an international work as its lead or as one of the k-1
        partners drawn without replacement from the lead's partner weights. The lead weights
        L are solved (fixed-point iteration) so that appearances are proportional to the
        international volume I: L_c + sum_d L_d P(c among d's partners) ~ I_c, with the
        inclusion probability approximated by sum_k pi_k (1 - (1 - p_dc)^m), m = min(k-1,
        number of d's partners). ``k_effective`` is the mean number of countries per
        international work after that cap.
        """
        ny, n = self.volume.shape
        self.lead_w = np.zeros((ny, n))
        self.k_effective = np.zeros(ny)
        kv = self.k_values
        for t in range(ny):
            probs = np.diff(np.concatenate([[0.0], self.k_cum[t]]))
            p = self.partner_prob[t]
            m_cap = self.n_partners[t][:, None]
            incl = np.zeros((n, n))
            k_eff = np.zeros(n)
            for k, pk in zip(kv, probs):
                m = np.minimum(k - 1, m_cap)
                incl += pk * (1 - (1 - p) ** m)
                k_eff += pk * (1 + m[:, 0])
            vol = self.volume[t] / self.volume[t].sum()
            lead = vol.copy()
            for _ in range(300):
                appear = lead + lead @ incl
                appear /= appear.sum()
                lead *= (vol / np.maximum(appear, 1e-12)) ** 0.7
                lead /= lead.sum()
            self.lead_w[t] = lead
            self.k_effective[t] = float(lead @ k_eff)

    def year_index(self, years: np.ndarray) -> np.ndarray:
        return np.clip(years - self.first_year, 0, len(self.cal_years) - 1)

    # ----- institutions ----------------------------------------------------------------------

    def _institutions(self) -> None:
        rng = np.random.default_rng([self.seed, 101])
        voc = self.voc
        inst_cal = self.cal["works"]["institutions"]
        mix = {t: p for t, p in inst_cal["type_mix"].items() if t != "null"}
        types = list(mix)
        tprob = np.asarray([mix[t] for t in types])
        tprob /= tprob.sum()
        t_ref = self.year_index(np.asarray(2020))
        total = self.total[t_ref]
        n_per = np.maximum(3, np.round(_N_INSTITUTIONS * total / total.sum())).astype(int)
        names = self.cal["country_names"]
        recs: list[dict] = []
        country_of, weight = [], []
        self.inst_start = np.zeros(len(self.countries) + 1, dtype=np.int64)
        fields, words = voc["fields"], voc["words"]
        for ci, cc in enumerate(self.countries):
            self.inst_start[ci] = len(recs)
            cv = voc["countries"][cc]
            group = voc["names"][cv["names"]]
            fam = group["family"]
            ctypes = rng.choice(len(types), size=n_per[ci], p=tprob)
            ctypes[0] = types.index("education")
            wt = rng.lognormal(0.0, 1.2, size=n_per[ci])
            # Rescale so that each present type carries its measured share of affiliations.
            present = np.unique(ctypes)
            tot_p = tprob[present].sum()
            for ti in present:
                sel = ctypes == ti
                wt[sel] *= (tprob[ti] / tot_p) / wt[sel].sum()
            used: set[str] = set()
            for k in range(n_per[ci]):
                itype = types[ctypes[k]]
                city = cv["cities"][int(rng.integers(len(cv["cities"])))]
                name = None
                for _attempt in range(30):
                    tpl = voc["institution_templates"][itype][
                        int(rng.integers(len(voc["institution_templates"][itype])))]
                    f1, f2 = rng.choice(len(fam), size=2, replace=False)
                    cand = tpl.format(
                        city=city, family=fam[f1], family2=fam[f2],
                        field=fields[int(rng.integers(len(fields)))],
                        word=words[int(rng.integers(len(words)))], country=names[cc])
                    if cand not in used:
                        name = cand
                        break
                    city = cv["cities"][int(rng.integers(len(cv["cities"])))]
                if name is None:
                    name = f"{cand} ({k + 1})"
                used.add(name)
                ang = rng.uniform(0, 2 * math.pi)
                rad = cv["radius"] * math.sqrt(rng.uniform())
                lat = float(np.clip(cv["lat"] + rad * math.sin(ang), -89.9, 89.9))
                lon = cv["lon"] + rad * math.cos(ang) / max(math.cos(math.radians(lat)), 0.2)
                lon = float((lon + 180) % 360 - 180)
                recs.append({"name": name, "type": itype, "country_code": cc, "city": city,
                             "lat": round(lat, 5), "lon": round(lon, 5)})
                country_of.append(ci)
                weight.append(wt[k])
        self.inst_start[-1] = len(recs)
        # Institutions without a country (consortia, multinationals, unmatched labs).
        null_types = ["company", "nonprofit", "other", "facility", "funder"]
        null_words = ["Kestrel", "Meridian", "Northwind", "Aurora", "Halcyon", "Polaris",
                      "Cobalt", "Juniper", "Vantage", "Sterling"]
        self.null_start = len(recs)
        for k in range(_N_NULL_COUNTRY):
            itype = null_types[k % len(null_types)]
            a, b = rng.choice(len(null_words), size=2, replace=False)
            label = {"company": "Holdings", "nonprofit": "Alliance", "other": "Consortium",
                     "facility": "Network", "funder": "Fund"}[itype]
            recs.append({"name": f"{null_words[a]} & {null_words[b]} {label} {k + 1}",
                         "type": itype, "country_code": None, "city": None,
                         "lat": None, "lon": None})
            country_of.append(-1)
            weight.append(1.0)
        self.n_inst = len(recs)
        self.inst_country = np.asarray(country_of, dtype=np.int64)
        weight_a = np.asarray(weight, dtype=float)
        self.inst_cum = np.zeros(self.n_inst)
        for ci in range(len(self.countries)):
            a, b = self.inst_start[ci], self.inst_start[ci + 1]
            self.inst_cum[a:b] = np.cumsum(weight_a[a:b]) / weight_a[a:b].sum()
            self.inst_cum[b - 1] = 1.0
        self.inst_cum_global = (self.inst_cum[: self.null_start]
                                + self.inst_country[: self.null_start])
        # Author pools: bigger for institutions that are picked more often.
        share = np.zeros(self.n_inst)
        for ci in range(len(self.countries)):
            a, b = self.inst_start[ci], self.inst_start[ci + 1]
            share[a:b] = weight_a[a:b] / weight_a[a:b].sum() * total[ci] / total.sum()
        self.pool_size = np.clip(np.round(200 + 2e5 * share), 200, _AUTHOR_SLOTS - 1).astype(
            np.int64)
        self.pool_size[self.null_start:] = 200
        # Healthcare institutions often sit under a university (lineage of two).
        parent = np.full(self.n_inst, -1, dtype=np.int64)
        for ci in range(len(self.countries)):
            a, b = self.inst_start[ci], self.inst_start[ci + 1]
            edu = [i for i in range(a, b) if recs[i]["type"] == "education"]
            for i in range(a, b):
                if recs[i]["type"] == "healthcare" and edu and rng.uniform() < 0.3:
                    parent[i] = edu[int(rng.integers(len(edu)))]
        self.inst_parent = parent
        self.inst_recs = recs
        self.inst_country_list = self.inst_country.tolist()
        self.inst_cc_list = [r["country_code"] for r in recs]
        self.pool_size_list = self.pool_size.tolist()
        self._inst_dicts()

    def _inst_dicts(self) -> None:
        """Prebuilt institution dicts and affiliation strings shared by all authorships."""
        names = self.cal["country_names"]
        depts = self.voc["departments"]
        self.inst_id = [f"{_OA}I{_ID_PREFIX + i}" for i in range(self.n_inst)]
        self.inst_ror = []
        for i in range(self.n_inst):
            h = hashlib.blake2b(f"{self.seed}:{i}".encode(), digest_size=8).hexdigest()
            self.inst_ror.append(f"https://ror.org/z{h[:8]}")
        self.inst_short: list[dict] = []
        self.one_inst: list[list[dict]] = []
        self.one_raw: list[list[list[str]]] = []
        self.one_aff: list[list[list[dict]]] = []
        self.one_cc: list[list[str]] = []
        self.inst_raw: list[list[str]] = []
        self.inst_aff: list[list[dict]] = []
        for i, r in enumerate(self.inst_recs):
            lineage = [self.inst_id[i]]
            if self.inst_parent[i] >= 0:
                lineage.append(self.inst_id[self.inst_parent[i]])
            self.inst_short.append({
                "id": self.inst_id[i], "display_name": r["name"], "ror": self.inst_ror[i],
                "country_code": r["country_code"], "type": r["type"], "lineage": lineage})
            raws = []
            for v in range(3):
                dept = depts[(i * 7 + v * 3) % len(depts)]
                if r["country_code"] is None:
                    raws.append(f"{dept}, {r['name']}")
                elif r["city"] in r["name"]:
                    raws.append(f"{dept}, {r['name']}, {names[r['country_code']]}")
                else:
                    raws.append(f"{dept}, {r['name']}, {r['city']}, {names[r['country_code']]}")
            self.inst_raw.append(raws)
            ids = [self.inst_id[i]]
            self.inst_aff.append([{"raw_affiliation_string": s, "institution_ids": ids}
                                  for s in raws])
            # the lists of an author with this one institution, shared by all such authorships
            self.one_inst.append([self.inst_short[i]])
            self.one_raw.append([[s] for s in raws])
            self.one_aff.append([[a] for a in self.inst_aff[i]])
            self.one_cc.append([r["country_code"]] if r["country_code"] else [])

    def institution_records(self) -> list[dict]:
        names = self.cal["country_names"]
        out = []
        for i, r in enumerate(self.inst_recs):
            d = dict(self.inst_short[i])
            d["lineage"] = list(d["lineage"])
            d["geo"] = {"city": r["city"], "region": None, "country_code": r["country_code"],
                        "country": names.get(r["country_code"]) if r["country_code"] else None,
                        "latitude": r["lat"], "longitude": r["lon"]}
            out.append(d)
        return out

    # ----- samplers ----------------------------------------------------------------------------

    def _samplers(self) -> None:
        works = self.cal["works"]
        self.team = {k: _TeamSize(works["team_size"][k])
                     for k in ("single_institution", "domestic", "international", "unknown")}
        self.dom_inst_v, p = _pmf_arrays(works["institutions_per_work"]["domestic"],
                                         (13, _DOMESTIC_INST_TOP))
        self.dom_inst_cum = np.cumsum(p)
        self.int_inst_v, p = _pmf_arrays(works["institutions_per_work"]["international"],
                                         (13, 30))
        self.int_inst_cum = np.cumsum(p)
        classes = works["collaboration_classes"]
        self.p_unknown = classes["unknown"]
        self.p_domestic_nonintl = classes["domestic"] / (classes["domestic"]
                                                         + classes["single_institution"])
        self.p_noinst_unknown = min(1.0, works["no_institution_work_share"] / classes["unknown"])
        types = works["work_types"]
        self.work_types = list(types)
        self.work_type_cum = np.cumsum(np.asarray([types[t] for t in self.work_types]))
        self.work_type_cum /= self.work_type_cum[-1]
        a = works["authorships"]
        self.p_no_inst_author = a["no_institution_share"]
        self.p_no_inst_country = a["no_institution_with_country_share"]
        # Extra affiliations on top of those forced when institutions outnumber authors.
        self.p_extra_aff = max(0.0, a["multi_affiliation_share"] * 0.75)
        self.p_null_cc_aff = works["institutions"]["null_country_share"]
        self.lead_cum = np.cumsum(self.lead_w, axis=1)
        self.lead_cum /= self.lead_cum[:, -1:]
        self.dom_cum = np.cumsum(self.domestic_w, axis=1)
        self.dom_cum /= self.dom_cum[:, -1:]


@lru_cache(maxsize=4)
def _world(seed: int) -> _World:
    return _World(seed)


def _check_args(n_works, seed, years) -> tuple[int, int, int, int]:
    if isinstance(n_works, bool) or not isinstance(n_works, (int, np.integer)) or n_works < 0:
        raise InputError(f"n_works must be a non-negative integer, got {n_works!r}")
    if n_works > _MAX_WORKS:
        raise InputError(f"n_works must be at most {_MAX_WORKS:,} per sample, got {n_works:,}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError(f"seed must be a non-negative integer, got {seed!r}")
    try:
        y0, y1 = (int(y) for y in years)
    except (TypeError, ValueError):
        raise InputError(f"years must be a pair of years (first, last), got {years!r}") from None
    if not 1900 <= y0 <= y1 <= 2100:
        raise InputError(f"years must satisfy 1900 <= first <= last <= 2100, got {years!r}")
    return int(n_works), int(seed), y0, y1


def generate_institutions(seed: int = 2024) -> list[dict]:
    """The synthetic institution population used by :func:`generate_works` with this seed.

    SYNTHETIC: names, ids, RORs and coordinates are invented (see the module docstring).

    Parameters
    ----------
    seed : int
        The same seed as given to :func:`generate_works`; the institutions referenced by
        ``generate_works(seed=s)`` are those of ``generate_institutions(seed=s)``.

    Returns
    -------
    list of dict
        OpenAlex-Institution-shaped records: ``id`` (``https://openalex.org/I9...``),
        ``display_name``, ``ror``, ``country_code`` (ISO alpha-2, or None for the 40
        institutions without a country), ``type``, ``lineage`` and ``geo`` (``city``,
        ``country_code``, ``country``, ``latitude``, ``longitude``; coordinates scattered
        around an approximate per-country centre, None without a country). About 8,000 have a
        country, split over the 120 countries in proportion to their (derived) total output,
        at least 3 each.

    Examples
    --------
    >>> insts = generate_institutions(seed=1)
    >>> jp = [i for i in insts if i["country_code"] == "JP"]
    >>> len(jp) > 50, jp[0]["id"].startswith("https://openalex.org/I9")
    (True, True)
    """
    _, seed, _, _ = _check_args(0, seed, (2000, 2000))
    return _world(seed).institution_records()


def generate_works(
    n_works: int = 20000, *, seed: int = 2024, years: tuple[int, int] = (2000, 2023)
) -> Iterator[dict]:
    """Yield SYNTHETIC OpenAlex-shaped work records (not real OpenAlex data).

    Parameters
    ----------
    n_works : int
        Number of works to yield (at most 10^8).
    seed : int
        Random seed; the same seed, years and package version give identical records.
    years : (int, int)
        First and last publication year, inclusive. Works are spread over the years in
        proportion to the modelled world output of each year (rising over time). Country
        figures exist for 1990-2023; other years use the nearest calibrated year, while the
        international-share trend keeps its slope.

    Yields
    ------
    dict
        A work in the current OpenAlex schema: ``id``, ``doi`` (or None), ``display_name``,
        ``publication_year``, ``publication_date``, ``type``, ``cited_by_count``, ``fwci``
        (or None), ``citation_normalized_percentile`` (or None), ``countries_distinct_count``,
        ``institutions_distinct_count``, ``is_paratext``, ``is_retracted``,
        ``is_authors_truncated`` and ``authorships`` (``author_position``, ``author``,
        ``institutions``, ``countries``, ``is_corresponding``, ``raw_author_name``,
        ``raw_affiliation_strings``, ``affiliations``). Dicts inside authorships (institutions,
        affiliations) are shared between records: copy a record before changing it.

    Notes
    -----
    How a work is made (all draws vectorised per chunk of 4,096 works):

    1. year ~ modelled world output of the year; with the measured probabilities the work
       has no authorships, or no known country ("unknown": no institution at all, or only
       institutions without a country);
    2. otherwise it is international with probability p(year), the share the country model
       implies (see the module docstring); its lead country is drawn from lead weights
       solved so that each country's appearances are proportional to its international
       volume in the world aggregates, its number of countries k from the year's pmf, and
       its k-1 partners without replacement from the lead's partner weights of that year. A
       work of one country is domestic or single-institution with the measured odds, its
       country drawn in proportion to the country's derived output of one-country works, so
       each country's international share follows its modelled share;
    3. institutions per work from the measured pmf (each country at least one), picked
       within the country in proportion to fixed institution weights; team size from the
       measured pmf of the work's collaboration type; authors without institution with the
       measured share; extra affiliations to the work's other institutions (hence some
       authors affiliated in two countries) and to institutions without a country;
    4. citations ~ zero-inflated log-normal (age and international effects as fitted);
       ``fwci`` = citations / expected citations of the year; the percentile is the
       citation count's position in that year's modelled distribution.

    Examples
    --------
    >>> works = list(generate_works(100, seed=7))
    >>> len(works), works[0]["id"].startswith("https://openalex.org/W9")
    (100, True)
    >>> works == list(generate_works(100, seed=7))
    True
    """
    n_works, seed, y0, y1 = _check_args(n_works, seed, years)
    return _generate(n_works, seed, y0, y1)


def _generate(n_works: int, seed: int, y0: int, y1: int) -> Iterator[dict]:
    if n_works == 0:
        return
    world = _world(seed)
    maker = _ChunkMaker(world, seed, y0, y1)
    done = 0
    chunk = 0
    while done < n_works:
        take = min(CHUNK, n_works - done)
        # The records hold no reference cycles; pausing the cyclic collector while a chunk
        # is built avoids repeated full scans of everything the caller keeps (3x faster).
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            records = maker.make(chunk, take)
        finally:
            if was_enabled:
                gc.enable()
        yield from records
        done += take
        chunk += 1


class _ChunkMaker:
    """Builds the records of one chunk: numpy draws first, then one small loop per work."""

    def __init__(self, world: _World, seed: int, y0: int, y1: int):
        self.w = world
        self.seed = seed
        self.years = np.arange(y0, y1 + 1)
        yi = world.year_index(self.years)
        # Output by year: modelled works of the year (nearest calibrated year outside 1990-2023).
        wts = world.works_by_year[yi].astype(float)
        self.year_cum = np.cumsum(wts / wts.sum())
        self.p_int = world.model_share[yi]
        self.seed_part = (seed % 1000) * 10**8
        voc = world.voc
        self.title = voc["title"]
        self.names = voc["names"]
        self.group_of = [voc["countries"][c]["names"] for c in world.countries]
        self.group_keys = sorted(self.names)
        self.country_names = world.cal["country_names"]
        self.author_cache: dict[int, dict] = {}
        self._date_base = int(self.years[0])
        self._dates = [[(_dt.date(int(y), 1, 1) + _dt.timedelta(days=k)).isoformat()
                        for k in range(365)] for y in self.years]
        self.cit = world.cal["works"]["citations"]

    # -- helpers --------------------------------------------------------------------------------

    def _author(self, number: int) -> dict:
        """The author with this number; name from the name group of its pool's country."""
        a = self.author_cache.get(number)
        if a is None:
            if len(self.author_cache) > 200_000:
                self.author_cache.clear()
            pool = number // _AUTHOR_SLOTS
            ci = self.w.inst_country_list[pool] if pool < self.w.n_inst else pool - self.w.n_inst
            h = _splitmix((number * 1_000_003 + self.seed) & _M64)
            group = self.group_of[ci] if ci >= 0 else self.group_keys[h % len(self.group_keys)]
            if (h >> 56) % 100 < 8:  # mobile researchers: a name from another group
                group = self.group_keys[(h >> 48) % len(self.group_keys)]
            pool = self.names[group]
            given = pool["given"][h % len(pool["given"])]
            family = pool["family"][(h >> 16) % len(pool["family"])]
            if (h >> 32) % 4 == 0:
                given = f"{given} {chr(65 + (h >> 36) % 26)}."
            a = {"id": f"{_OA}A{_ID_PREFIX + number}", "display_name": f"{given} {family}",
                 "orcid": None}
            self.author_cache[number] = a
        return a

    def make(self, chunk: int, take: int) -> list[dict]:
        w = self.w
        B = CHUNK
        rng = np.random.default_rng([self.seed, 7, chunk])
        # ---- work level ----
        year = self.years[np.searchsorted(self.year_cum, rng.random(B), side="right").clip(
            0, len(self.years) - 1)]
        yi = w.year_index(year)
        y_local = year - self.years[0]
        u = rng.random((B, 8))
        has_auth = u[:, 0] >= w.cal["works"]["no_authorships_share"]
        unknown = has_auth & (u[:, 1] < w.p_unknown)
        unknown_noinst = unknown & (u[:, 2] < w.p_noinst_unknown)
        known = has_auth & ~unknown
        intl = known & (u[:, 3] < self.p_int[y_local])
        domestic = known & ~intl & (u[:, 4] < w.p_domestic_nonintl)
        single = known & ~intl & ~domestic
        # lead country
        lead = np.where(
            intl,
            (w.lead_cum[yi] < u[:, 5:6]).sum(axis=1),
            (w.dom_cum[yi] < u[:, 5:6]).sum(axis=1),
        ).clip(0, len(w.countries) - 1)
        # countries per international work and partners (Gumbel top-k on partner weights)
        kk = w.k_values[np.minimum((w.k_cum[yi] < u[:, 6:7]).sum(axis=1), len(w.k_values) - 1)]
        kk = np.where(intl, np.minimum(kk, 1 + w.n_partners[yi, lead]), 1)
        intl = intl & (kk >= 2)
        kk = np.where(intl, kk, 1)
        logp = w.partner_logp[yi, lead] + rng.gumbel(size=(B, _MAX_PARTNERS))
        order = np.argsort(-logp, axis=1, kind="stable")
        partners = np.take_along_axis(w.partner_idx[yi, lead], order, axis=1)
        # institutions per work
        n_inst = np.ones(B, dtype=np.int64)
        ud = rng.random(B)
        n_inst = np.where(domestic, w.dom_inst_v[np.searchsorted(w.dom_inst_cum, ud, side="right")
                                                 .clip(0, len(w.dom_inst_v) - 1)], n_inst)
        ni = w.int_inst_v[np.searchsorted(w.int_inst_cum, ud, side="right").clip(
            0, len(w.int_inst_v) - 1)]
        n_inst = np.where(intl, np.maximum(ni, kk), n_inst)
        n_inst = np.where(domestic, np.maximum(n_inst, 2), n_inst)
        n_inst = np.where(unknown, np.where(unknown_noinst, 0, 1 + (u[:, 7] < 0.3)), n_inst)
        n_inst = np.where(has_auth, n_inst, 0)
        # team size by class
        cls_team = np.zeros(B, dtype=np.int64)
        u1, u2 = rng.random(B), rng.random(B)
        for mask, key in ((single, "single_institution"), (domestic, "domestic"),
                          (intl, "international"), (unknown, "unknown")):
            if mask.any():
                cls_team[mask] = w.team[key].sample(u1[mask], u2[mask])
        n_auth_true = np.where(has_auth, np.maximum(cls_team, 1), 0)
        truncated = n_auth_true > 100
        n_auth = np.minimum(n_auth_true, 100)
        # authors without institution (at least one author keeps hers, so the work keeps
        # its countries; author 0 is always a carrier)
        n_missing = np.where(known,
                             np.minimum(rng.binomial(n_auth, w.p_no_inst_author),
                                        np.maximum(n_auth - 1, 0)),
                             np.where(unknown_noinst, n_auth, 0))
        # ---- institution slots: (work, country) -> institution ----
        slot_work = np.repeat(np.arange(B), n_inst)
        slot_pos = np.arange(len(slot_work)) - np.repeat(np.cumsum(n_inst) - n_inst, n_inst)
        k_rep = np.repeat(kk, n_inst)
        # first k slots: one per country; the rest: lead with prob 1/2, else any of the k
        extra_pick = np.where(rng.random(len(slot_work)) < 0.5, 0,
                              np.floor(rng.random(len(slot_work)) * k_rep).astype(np.int64))
        cpos = np.where(slot_pos < k_rep, slot_pos, extra_pick)
        country_tbl = np.concatenate([lead[:, None], partners], axis=1)
        slot_country = country_tbl[slot_work, np.minimum(cpos, _MAX_PARTNERS)]
        slot_null = np.repeat(unknown & ~unknown_noinst, n_inst)
        slot_inst = self._pick_institutions(rng, slot_work, slot_country, slot_null)
        # ---- build records ----
        return self._records(chunk, take, rng, year, has_auth, intl, domestic, unknown, lead,
                             n_inst, n_auth, truncated, n_missing, slot_inst)

    def _pick_institutions(self, rng, slot_work, slot_country, slot_null) -> np.ndarray:
        w = self.w
        n = len(slot_work)
        start = w.inst_start[slot_country]
        size = w.inst_start[slot_country + 1] - start
        inst = np.empty(n, dtype=np.int64)
        u = rng.random(n)
        # weighted pick inside the country's slice: the per-country cumulative weights run
        # over (0, 1], so cumulative + country index is increasing over all institutions
        pick = np.searchsorted(w.inst_cum_global, slot_country + u, side="right")
        inst[:] = np.minimum(np.maximum(pick, start), start + size - 1)
        inst[slot_null] = w.null_start + (u[slot_null] * _N_NULL_COUNTRY).astype(np.int64)
        # redraw repeats inside a work (uniformly, so small countries converge)
        for _ in range(8):
            key = slot_work * (w.n_inst + 1) + inst
            order = np.argsort(key, kind="stable")
            dup_sorted = np.zeros(n, dtype=bool)
            dup_sorted[1:] = key[order][1:] == key[order][:-1]
            dup = np.zeros(n, dtype=bool)
            dup[order] = dup_sorted
            if not dup.any():
                break
            r = rng.random(dup.sum())
            nn = dup & ~slot_null
            rn = r[nn[dup]]
            inst[nn] = start[nn] + (rn * size[nn]).astype(np.int64)
            nl = dup & slot_null
            inst[nl] = w.null_start + (r[nl[dup]] * _N_NULL_COUNTRY).astype(np.int64)
        return inst

    def _records(self, chunk, take, rng, year, has_auth, intl, domestic, unknown, lead,
                 n_inst, n_auth, truncated, n_missing, slot_inst):
        w = self.w
        B = CHUNK
        cit = self.cit
        works = w.cal["works"]
        # ---- citations: zero-inflated log-normal; fwci and percentile against the year ----
        age = np.maximum(_CITATION_YEAR - year, 0).astype(float)
        zl = cit["zero_logit"]
        p_zero = _expit(zl["intercept"] + zl["slope_per_year_of_age"] * (age - zl["center_age"]))
        lm = cit["log_model"]
        mu0 = lm["intercept"] + lm["log1p_age"] * np.log1p(age)
        mu = mu0 + lm["international"] * intl
        sd = lm["residual_sd"]
        z = rng.standard_normal(B)
        cites = np.where(rng.random(B) < p_zero, 0,
                         np.clip(np.round(np.exp(mu + sd * z)), 1, _MAX_CITATIONS)).astype(np.int64)
        expected = (1 - p_zero) * np.exp(mu0 + sd * sd / 2)
        fwci = np.round(cites / expected, 4)
        pct = np.where(cites > 0,
                       p_zero + (1 - p_zero) * ndtr((np.log(np.maximum(cites, 1)) - mu0) / sd),
                       0.0)
        pct = np.round(np.clip(pct, 0, 1), 6)
        ur = rng.random((B, 8))
        has_fwci = (ur[:, 0] < works["fwci_share"]).tolist()
        has_pct = (ur[:, 1] < works["percentile_share"]).tolist()
        has_doi = (ur[:, 2] < works["doi_share"]).tolist()
        retracted = (ur[:, 3] < works["retracted"]["share"]).tolist()
        wtype_i = np.searchsorted(w.work_type_cum, ur[:, 4], side="right").clip(
            0, len(w.work_types) - 1).tolist()
        corr = works["corresponding"]
        corr_any = ur[:, 5] < corr["works_with_corresponding_share"]
        corr_u = ur[:, 6]
        day = (ur[:, 7] * 365).astype(np.int64).tolist()
        titles = self._titles(rng.integers(0, 1 << 30, size=(B, 5)))

        # ---- the flat authorship table of the chunk (one row per authorship) ----
        R = int(n_auth.sum())
        a_off = np.concatenate([[0], np.cumsum(n_auth)])
        row_work = np.repeat(np.arange(B), n_auth)
        row_pos = np.arange(R) - a_off[row_work]
        ua = rng.random((R, 6))
        # author 0 carries the lead institution; the others take roles in random order
        key = np.where(row_pos == 0, -1.0, ua[:, 0])
        order = np.lexsort((key, row_work))
        role = np.empty(R, dtype=np.int64)
        role[order] = np.arange(R) - a_off[row_work[order]]
        ni_r = n_inst[row_work]
        n_car_r = (n_auth - n_missing)[row_work]
        carrier = (role < n_car_r) & (ni_r > 0)
        local = np.where(role < ni_r, role, np.floor(ua[:, 2] * ni_r).astype(np.int64))
        i_off = np.concatenate([[0], np.cumsum(n_inst)])
        if len(slot_inst):
            at = np.minimum(i_off[row_work] + local, len(slot_inst) - 1)
            g0 = np.where(carrier, slot_inst[at], -1)
        else:
            g0 = np.full(R, -1, dtype=np.int64)
        forced = carrier & (role + n_car_r < ni_r)  # leftover institutions to carry
        extra = carrier & (ni_r > 1) & (ua[:, 3] < w.p_extra_aff)
        known_r = (has_auth & ~unknown)[row_work]
        add_null = carrier & (domestic | intl)[row_work] & (ua[:, 5] < w.p_null_cc_aff)
        complex_row = forced | extra | add_null
        missing_cc = ~carrier & known_r & (ua[:, 2] < w.p_no_inst_country)
        variant = np.minimum((ua[:, 1] * 3).astype(np.int64), 2)
        u4 = ua[:, 4]
        pool = np.where(carrier, g0, w.n_inst + lead[row_work])
        size = np.where(carrier, w.pool_size[np.maximum(g0, 0)], _UNAFFILIATED_POOL)
        number = self._author_numbers(row_work, pool, size, (size * u4 * u4).astype(np.int64))
        last = n_auth[row_work] - 1
        position = np.where(row_pos == 0, 0, np.where(row_pos == last, 2, 1))
        corr_pos = np.where(~corr_any, -1,
                            np.where((corr_u < corr["first_author_share"]) | (n_auth == 1), 0,
                                     np.where(corr_u < corr["first_author_share"]
                                              + corr["last_author_share"], n_auth - 1,
                                              np.floor(ua[np.minimum(a_off[:-1], max(R - 1, 0)), 1]
                                                       * n_auth).astype(np.int64)
                                              if R else 0)))
        is_corr = (row_pos == corr_pos[row_work]).tolist()
        kind = np.where(carrier, np.where(complex_row, 1, 0), np.where(missing_cc, 3, 2)).tolist()
        g0_l, var_l = g0.tolist(), variant.tolist()
        num_l, pos_l = number.tolist(), position.tolist()
        role_l, local_l = role.tolist(), local.tolist()
        ua_l = ua[:, [1, 3]].tolist() if R else []
        extra_l, add_null_l = extra.tolist(), add_null.tolist()
        p_extra = w.p_extra_aff
        n_car_l = (n_auth - n_missing).tolist()

        # ---- build the dicts ----
        countries = w.countries
        cnames = self.country_names
        inst_short, inst_aff, inst_raw = w.inst_short, w.inst_aff, w.inst_raw
        inst_cc = w.inst_cc_list
        one_inst, one_raw, one_aff, one_cc = w.one_inst, w.one_raw, w.one_aff, w.one_cc
        null_start = w.null_start
        positions = ("first", "middle", "last")
        year_l, lead_l = year.tolist(), lead.tolist()
        a_off_l, i_off_l = a_off.tolist(), i_off.tolist()
        slot_l = slot_inst.tolist()
        trunc_l = truncated.tolist()
        cites_l, fwci_l, pct_l = cites.tolist(), fwci.tolist(), pct.tolist()
        author = self._author
        no_country: list = []
        out = []
        base = _ID_PREFIX + self.seed_part + chunk * CHUNK
        for i in range(take):
            wid = base + i
            yr = year_l[i]
            wtype = w.work_types[wtype_i[i]]
            authorships = []
            c_set: set = set()
            i_set: set = set()
            for r in range(a_off_l[i], a_off_l[i + 1]):
                k = kind[r]
                if k == 0:
                    g = g0_l[r]
                    v = var_l[r]
                    inst_list, raws, affs = one_inst[g], one_raw[g][v], one_aff[g][v]
                    ccs = one_cc[g]
                    i_set.add(g)
                elif k == 1:
                    insts = slot_l[i_off_l[i]:i_off_l[i + 1]]
                    n_i = len(insts)
                    n_car = n_car_l[i]
                    mine = [local_l[r]]
                    j = role_l[r] + n_car
                    while j < n_i:
                        mine.append(j)
                        j += n_car
                    u1, u3 = ua_l[r]
                    if extra_l[r]:  # u3 < p_extra, so u3 / p_extra is uniform on [0, 1)
                        other = int(u3 / p_extra * (n_i - 1))
                        if other >= mine[0]:
                            other += 1
                        if other not in mine:
                            mine.append(other)
                    glob = [insts[m] for m in mine]
                    if add_null_l[r]:
                        glob.append(null_start + int(u1 * _N_NULL_COUNTRY))
                    v = var_l[r]
                    inst_list = [inst_short[g] for g in glob]
                    raws = [inst_raw[g][v] for g in glob]
                    affs = [inst_aff[g][v] for g in glob]
                    ccs = sorted({inst_cc[g] for g in glob if inst_cc[g]})
                    i_set.update(glob)
                elif k == 2:
                    inst_list, raws, affs, ccs = no_country, no_country, no_country, no_country
                else:
                    lead_cc = countries[lead_l[i]]
                    inst_list, ccs = no_country, [lead_cc]
                    raws = [f"Independent Researcher, {cnames[lead_cc]}"]
                    affs = [{"raw_affiliation_string": raws[0], "institution_ids": []}]
                c_set.update(ccs)
                a = author(num_l[r])
                authorships.append({
                    "author_position": positions[pos_l[r]],
                    "author": a,
                    "institutions": inst_list,
                    "countries": ccs,
                    "is_corresponding": is_corr[r],
                    "raw_author_name": a["display_name"],
                    "raw_affiliation_strings": raws,
                    "affiliations": affs,
                })
            pct_val = pct_l[i]
            out.append({
                "id": f"{_OA}W{wid}",
                "doi": f"https://doi.org/10.5555/collabnet-sample.w{wid}" if has_doi[i] else None,
                "display_name": titles[i],
                "publication_year": yr,
                "publication_date": self._dates[yr - self._date_base][day[i]],
                "type": wtype,
                "cited_by_count": cites_l[i],
                "fwci": fwci_l[i] if has_fwci[i] else None,
                "citation_normalized_percentile": {
                    "value": pct_val,
                    "is_in_top_1_percent": pct_val >= 0.99,
                    "is_in_top_10_percent": pct_val >= 0.90,
                } if has_pct[i] else None,
                "countries_distinct_count": len(c_set),
                "institutions_distinct_count": len(i_set),
                "is_paratext": wtype == "paratext",
                "is_retracted": retracted[i],
                "is_authors_truncated": trunc_l[i],
                "authorships": authorships,
            })
        return out

    @staticmethod
    def _author_numbers(row_work, pool, size, slot) -> np.ndarray:
        """Author numbers (pool * _AUTHOR_SLOTS + slot), distinct inside each work.

        Authors of one work drawn from the same pool take consecutive slots from the lowest
        one drawn (colleagues of a group), so no author appears twice in a work as long as a
        pool has at least 100 slots (the most authorships listed per work).
        """
        n = len(pool)
        if n == 0:
            return np.zeros(0, dtype=np.int64)
        order = np.lexsort((slot, pool, row_work))
        w_s, p_s, s_s = row_work[order], pool[order], slot[order]
        new_run = np.ones(n, dtype=bool)
        new_run[1:] = (w_s[1:] != w_s[:-1]) | (p_s[1:] != p_s[:-1])
        run_start = np.maximum.accumulate(np.where(new_run, np.arange(n), 0))
        rank = np.arange(n) - run_start
        out = np.empty(n, dtype=np.int64)
        out[order] = p_s * _AUTHOR_SLOTS + (s_s[run_start] + rank) % size[order]
        return out

    def _titles(self, tw: np.ndarray) -> list[str]:
        """Synthetic titles; one in twenty joins two topics with '&'."""
        t = self.title
        adj, noun, topic, ctx = t["adj"], t["noun"], t["topic"], t["context"]
        out = []
        for a, b, c, d, e in tw.tolist():
            tp = topic[c % len(topic)]
            if e % 20 == 0:
                tp = f"{tp} & {topic[(c + 7) % len(topic)]}"
            out.append(f"{adj[a % len(adj)]} {noun[b % len(noun)]} of {tp}: {ctx[d % len(ctx)]}")
        return out


def write_sample(
    path, n_works: int = 20000, *, seed: int = 2024, years: tuple[int, int] = (2000, 2023)
) -> int:
    """Write SYNTHETIC works (see :func:`generate_works`) as JSON Lines, gzip by suffix.

    Parameters
    ----------
    path : str or Path
        Output file ending in ``.jsonl`` or ``.jsonl.gz`` (gzip, level 1, no timestamp in the
        header, so the same arguments give byte-identical files). Written to a temporary
        file beside it and renamed when complete.
    n_works, seed, years
        As for :func:`generate_works`.

    Returns
    -------
    int
        Number of records written.

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp()
    >>> write_sample(os.path.join(d, "s.jsonl.gz"), 50, seed=3)
    50
    """
    path = Path(path)
    name = path.name.lower()
    if not (name.endswith(".jsonl") or name.endswith(".jsonl.gz")):
        raise InputError(f"{path}: sample file name must end in .jsonl or .jsonl.gz")
    n_works, seed, y0, y1 = _check_args(n_works, seed, years)
    if not path.parent.exists():
        raise InputError(f"{path.parent}: folder does not exist")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    written = 0
    dumps = orjson.dumps
    # Compression runs in a second thread (zlib releases the GIL) while records are made;
    # the bounded queue keeps memory flat.
    blocks: queue.Queue = queue.Queue(maxsize=4)
    failure: list[BaseException] = []

    def sink(out) -> None:
        try:
            while (block := blocks.get()) is not None:
                out.write(block)
        except BaseException as exc:  # reported by the main thread
            failure.append(exc)
            while blocks.get() is not None:
                pass

    try:
        with open(tmp, "wb") as raw:
            gz = name.endswith(".gz")
            out = (gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=1, mtime=0)
                   if gz else raw)
            writer = threading.Thread(target=sink, args=(out,), daemon=True)
            writer.start()
            try:
                buf: list[bytes] = []
                for rec in _generate(n_works, seed, y0, y1):
                    buf.append(dumps(rec))
                    written += 1
                    if len(buf) >= 2048:
                        buf.append(b"")
                        blocks.put(b"\n".join(buf))
                        buf = []
                        if failure:
                            break
                if buf:
                    buf.append(b"")
                    blocks.put(b"\n".join(buf))
            finally:
                blocks.put(None)
                writer.join()
                if gz:
                    out.close()
            if failure:
                raise failure[0]
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InputError(f"{path}: cannot write sample: {exc.strerror or exc}") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return written


def calibration_summary(seed: int = 2024) -> dict:
    """The model's derived figures next to the measured ones, for reports and tests.

    Parameters
    ----------
    seed : int
        Seed of the institution population (the country model does not depend on it).

    Returns
    -------
    dict
        ``years`` (1990-2023) and, by year: ``international_share_model`` (share of
        international works among works with a known country, as the generator makes them),
        ``international_share_pool_trend`` (logistic trend fitted to the real pool; not
        reproduced, see the module docstring), ``default_share_median`` (median share of the
        countries without an anchor), ``country_share`` (modelled share of the anchored and
        the twelve largest countries), ``two_country_share`` (share of international works
        with two countries), ``output_weight`` (share of the years' works, as the generator
        spreads works over years); ``international_share_pool`` (the pool's overall measured share)
        and ``default_share_fit`` (level and size slope of the default log-odds).

    Examples
    --------
    >>> s = calibration_summary()
    >>> 0.25 <= s["country_share"]["JP"][s["years"].index(2010)] <= 0.30
    True
    """
    _, seed, _, _ = _check_args(0, seed, (2000, 2000))
    w = _world(seed)
    years = [int(y) for y in w.cal_years]
    trend = w.cal["works"]["international_logit"]
    measured = _expit(trend["intercept"] + trend["slope"] * (w.cal_years - trend["center_year"]))
    big = np.argsort(-w.volume[w.year_index(np.asarray(_REFERENCE_YEAR))])[:12]
    shown = sorted(set(np.flatnonzero(w.anchored).tolist()) | set(big.tolist()))
    return {
        "years": years,
        "international_share_model": [round(float(x), 4) for x in w.model_share],
        "international_share_pool_trend": [round(float(x), 4) for x in measured],
        "international_share_pool": w.cal["works"]["international_share"],
        "default_share_median": [round(float(np.median(w.share[t][~w.anchored])), 4)
                                 for t in range(len(years))],
        "default_share_fit": dict(w.default_fit),
        "country_share": {w.countries[j]: [round(float(x), 4) for x in w.share[:, j]]
                          for j in shown},
        "two_country_share": [round(float(x), 4) for x in w.two_country_share],
        "output_weight": [round(float(x), 6) for x in w.works_by_year / w.works_by_year.sum()],
    }
