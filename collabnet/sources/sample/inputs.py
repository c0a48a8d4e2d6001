"""The model's inputs: measured figures, invented vocabulary and fixed parameters.

``data/sample_calibration.json`` holds the aggregated figures that
``scripts/calibrate_sample.py`` measured from real OpenAlex data (see the package docstring);
``data/sample_vocabulary.json`` the hand-written word lists (cities, name pools, institution
name templates, title words) that the invented names are made from. Both are read once and
shared. Also here: the fixed sizes of the model (chunk size, id scheme, population sizes) and
the samplers of the measured distributions (:func:`_pmf_arrays`, :class:`_TeamSize`).

Examples
--------
>>> cal = calibration()
>>> len(cal["world"]["countries"]), cal["world"]["first_year"], cal["world"]["last_year"]
(120, 1990, 2023)
>>> sizes = _TeamSize(cal["works"]["team_size"]["domestic"])
>>> int(sizes.sample(np.asarray([0.0]), np.asarray([0.0]))[0])
1
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import numpy as np
import orjson

# Fixed parameters of the model (the id scheme is in the package docstring).
CHUNK = 4096  # works per chunk, each from its own random stream
#: Appended to every synthetic institution name, so that no generated name passes for a real
#: one (a template can rebuild "Tokyo Institute of Technology").
SYNTHETIC_MARK = "(synthetic)"
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
_DATA_PACKAGE = "collabnet.sources.sample"


def _load_json(name: str) -> dict:
    """A data file of ``data/`` beside this module (shipped in the wheel)."""
    return orjson.loads((resources.files(_DATA_PACKAGE) / "data" / name).read_bytes())


@lru_cache(maxsize=1)
def calibration() -> dict:
    """The calibration figures (``data/sample_calibration.json``), as measured from the real data.

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

