"""The synthetic institution population of a seed: invented names, ids, places and weights.

About 8,000 institutions with a country, split over the countries in proportion to their
(derived) total output in 2020, at least 3 each, with the measured mix of institution types;
and 40 without a country (consortia, multinationals, unmatched labs). Names come from the word
lists of ``data/sample_vocabulary.json``, never from real records; coordinates are scattered
around an approximate per-country centre. Each institution has a fixed weight (how often works
of its country pick it) and an author pool sized by that weight. The dicts that authorships
carry are built once here and shared by all records.
"""

from __future__ import annotations

import hashlib
import math

import numpy as np

from collabnet.sources.sample.inputs import (
    _AUTHOR_SLOTS,
    _ID_PREFIX,
    _N_INSTITUTIONS,
    _N_NULL_COUNTRY,
    _OA,
    SYNTHETIC_MARK,
)


class _Institutions:
    """The institutions of one seed, as arrays for the draws and dicts for the records.

    Parameters
    ----------
    seed : int
        Seed of the population (its own random stream, independent of the works').
    countries : list of str
        The modelled countries, in the world's order.
    total : numpy.ndarray
        Each country's total output in the reference year; sets how many institutions it
        gets and the size of their author pools.
    cal, voc : dict
        The calibration figures and the vocabulary.

    Examples
    --------
    >>> from collabnet.sources.sample.world import _world
    >>> ins = _world(1).institutions
    >>> ins.n_inst - ins.null_start, ins.inst_short[0]["id"]
    (40, 'https://openalex.org/I900000000000')
    """

    def __init__(self, seed: int, countries: list[str], total: np.ndarray, cal: dict, voc: dict):
        self.seed = seed
        self.countries = countries
        self.cal = cal
        self.voc = voc
        rng = np.random.default_rng([self.seed, 101])
        voc = self.voc
        inst_cal = self.cal["works"]["institutions"]
        mix = {t: p for t, p in inst_cal["type_mix"].items() if t != "null"}
        types = list(mix)
        tprob = np.asarray([mix[t] for t in types])
        tprob /= tprob.sum()
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
                # Visibly invented: a template can rebuild a real name ("Tokyo Institute of
                # Technology"), and synthetic records must never pass for data.
                recs.append({"name": f"{name} {SYNTHETIC_MARK}", "type": itype,
                             "country_code": cc, "city": city,
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
            recs.append({"name": f"{null_words[a]} & {null_words[b]} {label} {k + 1} "
                                 f"{SYNTHETIC_MARK}",
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

    def records(self) -> list[dict]:
        """OpenAlex-Institution-shaped records (fresh dicts; see ``generate_institutions``)."""
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
