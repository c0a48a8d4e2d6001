"""A synthetic world of OpenAlex-shaped work records, for demos, tests and benchmarks.

The records made here are SYNTHETIC: no record is real OpenAlex data, and no finding about any
country, institution or person may be drawn from them. collabnet cannot ship the third-party
records it was developed on, so it ships this deterministic generator instead, calibrated to
aggregated figures measured by ``scripts/calibrate_sample.py`` from real OpenAlex records and
from OpenAlex-based world country co-authorship aggregates (``data/sample_calibration.json`` in
this package; aggregated numbers only).

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

Modules: :mod:`.inputs` (the data files, fixed parameters and samplers of measured
distributions), :mod:`.institutions` (the institution population), :mod:`.world` (the country
model of a seed, :func:`generate_institutions`, :func:`calibration_summary`), :mod:`.names`
(author names and titles), :mod:`.records` (:func:`generate_works`) and :mod:`.writer`
(:func:`write_sample`); :func:`sample` here is what ``collabnet sample`` runs.

Examples
--------
>>> works = list(generate_works(3, seed=1))
>>> [len(w["authorships"]) > 0 for w in works], works[0]["id"]
([True, True, True], 'https://openalex.org/W900100000000')
"""

from __future__ import annotations

from numbers import Integral

from collabnet.errors import InputError
from collabnet.keys import parse_years
from collabnet.sources.sample.inputs import CHUNK as CHUNK  # public before the split
from collabnet.sources.sample.inputs import _vocabulary as _vocabulary  # used by tests
from collabnet.sources.sample.inputs import calibration
from collabnet.sources.sample.records import generate_works
from collabnet.sources.sample.world import calibration_summary, generate_institutions
from collabnet.sources.sample.writer import write_sample

__all__ = [
    "SYNTHETIC_NOTICE",
    "calibration",
    "calibration_summary",
    "generate_institutions",
    "generate_works",
    "sample",
    "write_sample",
]

#: One sentence for any output made from the sample (the CLI demo prints it).
SYNTHETIC_NOTICE = (
    "These records are SYNTHETIC (collabnet's generated sample, calibrated to aggregate "
    "OpenAlex figures), not real OpenAlex data: use them for demos and tests, never for findings."
)


def sample(
    output, works: int = 20000, *, seed: int = 2024, years="2000-2023", progress: bool = False
) -> int:
    """Write ``works`` SYNTHETIC work records to ``output``; what ``collabnet sample`` runs.

    The records are made by :func:`generate_works` and written by :func:`write_sample`;
    this function checks its arguments as the command line does, then writes.

    Parameters
    ----------
    output : str or Path
        File ending in ``.jsonl`` or ``.jsonl.gz`` (gzip); its folder must exist. Written
        beside its final name and renamed when complete.
    works : int
        Number of works, at least 1 (at most 10^8).
    seed : int
        Random seed, non-negative; the same seed, years and package version give a
        byte-identical file.
    years : str or (int, int)
        Publication years, a closed range in the one grammar of
        :func:`collabnet.keys.parse_years`: ``"2000-2023"``, ``"2000..2023"``, ``2015``,
        ``(2000, 2023)``; both ends are required, each within 1900-2100.
    progress : bool
        Show a progress bar on standard error.

    Returns
    -------
    int
        Number of records written (``works``).

    Raises
    ------
    InputError
        A year range that is malformed or open, ``works`` below 1 or not a whole number, a
        negative seed, a file name without ``.jsonl``/``.jsonl.gz``, a missing folder, or a
        file that cannot be written.

    Examples
    --------
    >>> import gzip, os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "sample.jsonl.gz")
    >>> sample(path, 200, seed=7, years="2010-2015")
    200
    >>> with gzip.open(path) as fh:
    ...     sum(1 for _ in fh)
    200
    >>> sample(path, 0)
    Traceback (most recent call last):
    ...
    collabnet.errors.InputError: invalid works 0: must be at least 1
    >>> sample(path, 10, years="2010-")
    Traceback (most recent call last):
    ...
    collabnet.errors.InputError: invalid year range '2010-': give both ends, e.g. 2009-2017
    """
    span = parse_years(years, closed=True)
    if span is None:  # parse_years reads None and "" as "no range", even when closed
        raise InputError(f"invalid year range {years!r}: give both ends, e.g. 2009-2017")
    if isinstance(works, bool) or not isinstance(works, Integral):
        raise InputError(f"invalid works {works!r}: must be a whole number")
    if works < 1:
        raise InputError(f"invalid works {works}: must be at least 1")
    return write_sample(output, works, seed=seed, years=span, progress=progress)
