"""The calibrated world of a seed: the country model by year, the institutions, the samplers.

Built once per seed (and cached) from the calibration figures: each country's international
volume by year, its derived total output and international share (anchors, else the anchors'
size curve), partner weights interpolated between the aggregates' years, the number of
countries per international work, lead-country weights solved so that appearances match the
volumes, the institution population (:mod:`.institutions`), and the samplers of team size,
institutions per work and work type. :func:`calibration_summary` reports the derived figures
next to the measured ones; the package docstring explains the model.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from collabnet.errors import InputError
from collabnet.sources.sample.inputs import (
    _DOMESTIC_INST_TOP,
    _MAX_PARTNERS,
    _MAX_WORKS,
    _REFERENCE_YEAR,
    _expit,
    _logit,
    _pmf_arrays,
    _TeamSize,
    _vocabulary,
    calibration,
)
from collabnet.sources.sample.institutions import _Institutions


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
        self.institutions = _Institutions(seed, self.countries,
                                          self.total[self.year_index(np.asarray(2020))], cal, voc)
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

    SYNTHETIC: names, ids, RORs and coordinates are invented (see the package docstring).

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
    return _world(seed).institutions.records()


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
        reproduced, see the package docstring), ``default_share_median`` (median share of the
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

