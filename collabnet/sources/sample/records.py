"""The calibrated world turned into SYNTHETIC OpenAlex-shaped work records.

Works are made in chunks of 4,096 (:data:`CHUNK`) from a random stream per (seed, chunk): all
draws of a chunk are vectorised with numpy (year, collaboration type, countries, institutions,
team, authors without institution, extra affiliations, citations, flags), then one small loop
per work builds the dicts. Author names are a fixed hash of the author number, so an author
keeps the same name in every work. :func:`generate_works` documents the steps.
"""

from __future__ import annotations

import datetime as _dt
import gc
from collections.abc import Iterator

import numpy as np
from scipy.special import ndtr

from collabnet.sources.sample.inputs import (
    _AUTHOR_SLOTS,
    _CITATION_YEAR,
    _ID_PREFIX,
    _MAX_CITATIONS,
    _MAX_PARTNERS,
    _N_NULL_COUNTRY,
    _OA,
    _UNAFFILIATED_POOL,
    CHUNK,
    _expit,
)
from collabnet.sources.sample.names import _Names
from collabnet.sources.sample.world import _check_args, _World, _world


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
       implies (see the package docstring); its lead country is drawn from lead weights
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
        self.ins = world.institutions
        self.seed = seed
        self.years = np.arange(y0, y1 + 1)
        yi = world.year_index(self.years)
        # Output by year: modelled works of the year (nearest calibrated year outside 1990-2023).
        wts = world.works_by_year[yi].astype(float)
        self.year_cum = np.cumsum(wts / wts.sum())
        self.p_int = world.model_share[yi]
        self.seed_part = (seed % 1000) * 10**8
        self.naming = _Names(world, seed)
        self.country_names = world.cal["country_names"]
        self._date_base = int(self.years[0])
        self._dates = [[(_dt.date(int(y), 1, 1) + _dt.timedelta(days=k)).isoformat()
                        for k in range(365)] for y in self.years]
        self.cit = world.cal["works"]["citations"]

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
        ins = self.ins
        n = len(slot_work)
        start = ins.inst_start[slot_country]
        size = ins.inst_start[slot_country + 1] - start
        inst = np.empty(n, dtype=np.int64)
        u = rng.random(n)
        # weighted pick inside the country's slice: the per-country cumulative weights run
        # over (0, 1], so cumulative + country index is increasing over all institutions
        pick = np.searchsorted(ins.inst_cum_global, slot_country + u, side="right")
        inst[:] = np.minimum(np.maximum(pick, start), start + size - 1)
        inst[slot_null] = ins.null_start + (u[slot_null] * _N_NULL_COUNTRY).astype(np.int64)
        # redraw repeats inside a work (uniformly, so small countries converge)
        for _ in range(8):
            key = slot_work * (ins.n_inst + 1) + inst
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
            inst[nl] = ins.null_start + (r[nl[dup]] * _N_NULL_COUNTRY).astype(np.int64)
        return inst

    def _records(self, chunk, take, rng, year, has_auth, intl, domestic, unknown, lead,
                 n_inst, n_auth, truncated, n_missing, slot_inst):
        w, ins = self.w, self.ins
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
        titles = self.naming.titles(rng.integers(0, 1 << 30, size=(B, 5)))

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
        pool = np.where(carrier, g0, ins.n_inst + lead[row_work])
        size = np.where(carrier, ins.pool_size[np.maximum(g0, 0)], _UNAFFILIATED_POOL)
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
        inst_short, inst_aff, inst_raw = ins.inst_short, ins.inst_aff, ins.inst_raw
        inst_cc = ins.inst_cc_list
        one_inst, one_raw, one_aff, one_cc = ins.one_inst, ins.one_raw, ins.one_aff, ins.one_cc
        null_start = ins.null_start
        positions = ("first", "middle", "last")
        year_l, lead_l = year.tolist(), lead.tolist()
        a_off_l, i_off_l = a_off.tolist(), i_off.tolist()
        slot_l = slot_inst.tolist()
        trunc_l = truncated.tolist()
        cites_l, fwci_l, pct_l = cites.tolist(), fwci.tolist(), pct.tolist()
        author = self.naming.author
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
