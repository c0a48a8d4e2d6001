"""Stability intervals: bootstrap intervals of indicators, computed as the Leiden Ranking does.

An indicator of an entity is a weighted mean over the entity's works (a share, a mean citation
count, PP(top 10 %)). Its stability interval is found by resampling the entity's works with
replacement many times, recomputing the indicator on each resample, and taking the 2.5th and
97.5th percentiles (for 95 % coverage). The resampling here is vectorised: for a block of
entities, all resamples are drawn at once as a matrix of counts (how often each work was drawn
in each resample), and every indicator is a matrix product with those counts, so there is no
Python loop per resample or per entity.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from collabnet.errors import InputError
from collabnet.progress import bar as progress_bar

#: Defaults of the CWTS Leiden Ranking (``calc_stability_intervals``).
N_RESAMPLES = 1000
CONFIDENCE = 0.95

# Upper bound on resample-count cells (resamples x works) held in memory at once.
_MAX_CELLS = 4_000_000


def check_ci_options(n_resamples: int, confidence: float) -> None:
    """Validate bootstrap options; raise InputError with the reason."""
    if not isinstance(n_resamples, (int, np.integer)) or n_resamples < 10:
        raise InputError(f"invalid number of resamples {n_resamples!r}: use 10 or more")
    if not 0 < confidence < 1:
        raise InputError(f"invalid confidence {confidence!r}: must be between 0 and 1, e.g. 0.95")


def _bound_indexes(n: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """CWTS percentile positions among ``n`` sorted values: floor(a/2 n), floor((1-a/2) n)."""
    alpha = 1.0 - confidence
    lo = np.floor(alpha / 2 * n + 1e-9).astype(np.int64)
    hi = np.minimum(np.floor((1 - alpha / 2) * n + 1e-9).astype(np.int64), n - 1)
    return lo, np.maximum(hi, 0)


def _percentile_bounds(samples: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Lower/upper bounds along axis 1 of ``samples`` (cells x resamples); NaNs ignored."""
    n_cells, b = samples.shape
    lo = np.full(n_cells, np.nan)
    hi = np.full(n_cells, np.nan)
    nan = np.isnan(samples)
    complete = ~nan.any(axis=1)
    if complete.any():
        # Cells without NaN: a partial sort around the two positions is enough.
        (i_lo,), (i_hi,) = _bound_indexes(np.array([b]), confidence)
        part = np.partition(samples[complete], (i_lo, i_hi), axis=1)
        lo[complete], hi[complete] = part[:, i_lo], part[:, i_hi]
    rest = np.flatnonzero(~complete)
    if len(rest):
        s = np.sort(samples[rest], axis=1)  # NaN sorts last
        finite = np.sum(~nan[rest], axis=1)
        lo_i, hi_i = _bound_indexes(finite, confidence)
        rows = np.arange(len(rest))
        ok = finite > 0
        lo[rest] = np.where(ok, s[rows, np.clip(lo_i, 0, b - 1)], np.nan)
        hi[rest] = np.where(ok, s[rows, np.clip(hi_i, 0, b - 1)], np.nan)
    return lo, hi


def _blocks(sizes: np.ndarray, n_resamples: int, max_cells: int):
    """Yield (first group, end group, resample slice length) blocks bounded by ``max_cells``,
    with a progress bar over the groups."""
    with progress_bar(len(sizes), "stability intervals", " groups") as bar:
        for block in _block_bounds(sizes, n_resamples, max_cells):
            yield block
            bar.update(block[1] - block[0])


def _block_bounds(sizes: np.ndarray, n_resamples: int, max_cells: int):
    g, n_groups = 0, len(sizes)
    while g < n_groups:
        rows = 0
        end = g
        while end < n_groups and (end == g or (rows + sizes[end]) * n_resamples <= max_cells):
            rows += sizes[end]
            end += 1
        b_len = max(1, min(n_resamples, max_cells // max(rows, 1)))
        yield g, end, b_len
        g = end


def _resample_counts(rng, local_start, local_size, n_rows, b_len):
    """Counts (b_len x n_rows): times each row is drawn, each group resampled to its size."""
    u = rng.random((b_len, n_rows))
    u *= local_size
    idx = u.astype(np.int64)
    np.minimum(idx, local_size - 1, out=idx)
    idx += local_start
    idx += np.arange(b_len, dtype=np.int64)[:, None] * n_rows
    counts = np.bincount(idx.ravel(), minlength=b_len * n_rows)
    return counts.reshape(b_len, n_rows).astype("float64")


def stability_intervals(
    groups: np.ndarray,
    weights: np.ndarray,
    numerators: np.ndarray,
    denominators: np.ndarray | None = None,
    *,
    n_resamples: int = N_RESAMPLES,
    confidence: float = CONFIDENCE,
    seed: int | None = 0,
    max_cells: int = _MAX_CELLS,
) -> tuple[np.ndarray, np.ndarray]:
    """Bootstrap stability intervals of weighted ratios per group.

    Parameters
    ----------
    groups : array of int, shape (n,)
        Group (entity, entity-year, …) of each row; codes ``0 .. G-1``. A row is one work of
        the group.
    weights : array of float, shape (n,)
        The work's weight in the group: 1 under full counting, the entity's fraction of the
        work under fractional counting.
    numerators : array of float, shape (n, k)
        Per-work values of ``k`` indicators (1/0 for a share, a citation count for a mean).
    denominators : array of float, shape (n, k), optional
        Per-work membership in each indicator's denominator (1/0); all ones by default.
    n_resamples : int
        Bootstrap resamples (CWTS: 1000).
    confidence : float
        Coverage of the interval (CWTS: 0.95).
    seed : int or None
        Seed of the random generator (``numpy.random.default_rng``); fixed by default so
        results repeat.

    Returns
    -------
    (lower, upper) : two arrays of shape (G, k)
        NaN where a group has no row in an indicator's denominator.

    Notes
    -----
    The indicator of group :math:`g` is
    :math:`\\hat\\theta_g = \\sum_{k \\in g} w_k x_k d_k / \\sum_{k \\in g} w_k d_k`.
    Each resample draws :math:`n_g` works from the group's :math:`n_g` works with
    replacement and recomputes :math:`\\hat\\theta_g`; the bounds are the resampled values at
    sorted positions :math:`\\lfloor \\tfrac{\\alpha}{2} B \\rfloor` and
    :math:`\\lfloor (1-\\tfrac{\\alpha}{2}) B \\rfloor` (0-based, :math:`\\alpha = 1 -`
    confidence), as in CWTS's ``CalcStabilityIntervals``. Resamples whose denominator is 0
    are left out of the percentiles.

    References
    ----------
    Waltman, L., Calero-Medina, C., Kosten, J., et al. (2012). The Leiden Ranking 2011/2012:
    Data collection, indicators, and interpretation. JASIST 63(12), 2419–2432 (stability
    intervals). CWTS Leiden Ranking Open Edition, ``src/c#/StoredProcedures.cs``.

    Examples
    --------
    >>> x = np.array([[1.0], [0.0], [1.0], [0.0]])
    >>> lo, hi = stability_intervals(np.zeros(4, int), np.ones(4), x)
    >>> bool(lo[0, 0] <= 0.5 <= hi[0, 0])
    True
    """
    check_ci_options(n_resamples, confidence)
    groups = np.asarray(groups, dtype=np.int64)
    weights = np.asarray(weights, dtype="float64")
    num = np.asarray(numerators, dtype="float64")
    if num.ndim == 1:
        num = num[:, None]
    den = np.ones_like(num) if denominators is None else np.asarray(denominators, "float64")
    if den.ndim == 1:
        den = den[:, None]
    n_groups = int(groups.max()) + 1 if len(groups) else 0
    k = num.shape[1]
    lower = np.full((n_groups, k), np.nan)
    upper = np.full((n_groups, k), np.nan)
    if n_groups == 0:
        return lower, upper
    order = np.argsort(groups, kind="stable")
    groups, weights, num, den = groups[order], weights[order], num[order], den[order]
    num = np.nan_to_num(num * den)  # NaN values only matter where den == 0
    sizes = np.bincount(groups, minlength=n_groups)
    # A group of one work resamples to itself: its bounds are its value.
    single = sizes[groups] == 1
    if single.any():
        gs = groups[single]
        with np.errstate(invalid="ignore", divide="ignore"):
            val = np.where(den[single] > 0, num[single], np.nan)
        lower[gs], upper[gs] = val, val
        sizes[gs] = 0
        groups, weights, num, den = (a[~single] for a in (groups, weights, num, den))
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    wx = weights[:, None] * num
    wd = weights[:, None] * den
    rng = np.random.default_rng(seed)
    for g0, g1, b_len in _blocks(sizes, n_resamples, max_cells):
        r0, r1 = starts[g0], starts[g1 - 1] + sizes[g1 - 1]
        n_rows, n_g = r1 - r0, g1 - g0
        if n_rows == 0:
            continue
        row_group = groups[r0:r1] - g0
        gstart = (starts[g0:g1] - r0).astype(np.int64)
        # Sparse (rows x groups*k) matrices: resampled sums per group are one product each.
        cols = (row_group[:, None] * k + np.arange(k)[None, :]).ravel()
        rows = np.repeat(np.arange(n_rows), k)
        shape = (n_rows, n_g * k)
        m_num = sp.csc_matrix((wx[r0:r1].ravel(), (rows, cols)), shape=shape)
        m_den = sp.csc_matrix((wd[r0:r1].ravel(), (rows, cols)), shape=shape)
        samples = np.empty((n_g * k, n_resamples))
        for b0 in range(0, n_resamples, b_len):
            bl = min(b_len, n_resamples - b0)
            counts = _resample_counts(rng, gstart[row_group], sizes[g0:g1][row_group], n_rows, bl)
            a = np.asarray((m_num.T @ counts.T).T)
            d = np.asarray((m_den.T @ counts.T).T)
            with np.errstate(invalid="ignore", divide="ignore"):
                ratio = np.where(d > 0, a / np.where(d > 0, d, 1.0), np.nan)
            samples[:, b0 : b0 + bl] = ratio.T
        lo, hi = _percentile_bounds(samples, confidence)
        filled = sizes[g0:g1] > 0
        lower[g0:g1][filled] = lo.reshape(n_g, k)[filled]
        upper[g0:g1][filled] = hi.reshape(n_g, k)[filled]
    return lower, upper


def median_intervals(
    groups: np.ndarray,
    values: np.ndarray,
    *,
    n_resamples: int = N_RESAMPLES,
    confidence: float = CONFIDENCE,
    seed: int | None = 0,
    max_cells: int = _MAX_CELLS,
) -> tuple[np.ndarray, np.ndarray]:
    """Bootstrap intervals of the (unweighted) median of ``values`` per group.

    Parameters
    ----------
    groups : array of int, shape (n,)
        Group codes ``0 .. G-1``.
    values : array of float, shape (n,)
        One value per work (e.g. citations); NaN values must be dropped by the caller.

    Returns
    -------
    (lower, upper) : arrays of shape (G,)

    Notes
    -----
    Works are resampled within groups as in :func:`stability_intervals`. With the rows sorted
    by value within each group, the median of a resample is found from the cumulative draw
    counts (the row where the count first reaches :math:`\\lceil n/2 \\rceil`, averaged with
    the next rank when :math:`n` is even), without sorting any resample.
    """
    check_ci_options(n_resamples, confidence)
    groups = np.asarray(groups, dtype=np.int64)
    values = np.asarray(values, dtype="float64")
    n_groups = int(groups.max()) + 1 if len(groups) else 0
    lower = np.full(n_groups, np.nan)
    upper = np.full(n_groups, np.nan)
    if n_groups == 0:
        return lower, upper
    order = np.lexsort((values, groups))
    groups, values = groups[order], values[order]
    sizes = np.bincount(groups, minlength=n_groups)
    single = sizes[groups] == 1
    if single.any():  # a group of one work resamples to itself
        lower[groups[single]] = upper[groups[single]] = values[single]
        sizes[groups[single]] = 0
        groups, values = groups[~single], values[~single]
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    rng = np.random.default_rng(seed)
    for g0, g1, b_len in _blocks(sizes, n_resamples, max_cells):
        r0, r1 = starts[g0], starts[g1 - 1] + sizes[g1 - 1]
        n_rows = r1 - r0
        if n_rows == 0:
            continue
        row_group = groups[r0:r1] - g0
        gstart = (starts[g0:g1] - r0).astype(np.int64)
        gsize = sizes[g0:g1]
        present = np.flatnonzero(gsize > 0)
        v = values[r0:r1]
        samples = np.full((g1 - g0, n_resamples), np.nan)
        for b0 in range(0, n_resamples, b_len):
            bl = min(b_len, n_resamples - b0)
            counts = _resample_counts(rng, gstart[row_group], gsize[row_group], n_rows, bl)
            cum = np.cumsum(counts, axis=1)
            # Each group draws exactly its size, so the draws before a group's first row
            # are its start position, in every resample.
            before = gstart[present][None, :]
            offset = (np.arange(bl) * (n_rows + 1))[:, None]
            flat = (cum + offset).ravel()
            n = gsize[present]
            meds = []
            for rank in ((n + 1) // 2, n // 2 + 1):
                target = (before + rank[None, :] + offset).ravel()
                pos = np.searchsorted(flat, target, side="left")
                local = pos - (np.repeat(np.arange(bl), len(present)) * n_rows)
                meds.append(v[np.clip(local, 0, n_rows - 1)].reshape(bl, len(present)))
            samples[present, b0 : b0 + bl] = ((meds[0] + meds[1]) / 2).T
        lo, hi = _percentile_bounds(samples, confidence)
        lower[g0:g1][present] = lo[present]
        upper[g0:g1][present] = hi[present]
    return lower, upper


def interval_columns(names: list[str]) -> list[str]:
    """Column names ``<name>_lo, <name>_hi`` for each indicator name, in order."""
    return [c for n in names for c in (f"{n}_lo", f"{n}_hi")]
