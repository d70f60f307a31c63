"""Robust statistics for comparing agents over few seeds (after Agarwal et al., NeurIPS 2021).

* :func:`iqm` — interquartile mean: the mean of the middle 50 % of scores
  (``int(0.25 n)`` scores cut from each end, as ``scipy.stats.trim_mean(x, 0.25)``).
* :func:`stratified_bootstrap` — percentile confidence interval of any
  statistic, resampling runs with replacement *within* each stratum (task/env),
  so every resample keeps the number of runs per task.
* :func:`probability_of_improvement` — ``P(X > Y)`` for a random run of agent
  X and one of agent Y on the same task (ties count one half: the
  Mann–Whitney U statistic over ``n m``), averaged over tasks.
* :func:`median_band` — per-column median over runs with a bootstrap
  confidence band (for best-so-far curves).

All randomness comes from an explicit ``seed``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence

import numpy as np

__all__ = [
    "iqm",
    "median_band",
    "probability_of_improvement",
    "stratified_bootstrap",
]

Statistic = Callable[..., np.ndarray | float]


def iqm(scores: np.ndarray, axis: int = -1) -> np.ndarray | float:
    """Interquartile mean along ``axis``: drop ``int(0.25 n)`` lowest and highest, average the rest.

    Args:
        scores: Scores (any shape); NaN is not allowed.
        axis: Axis of the runs.

    Returns:
        A float for 1-D input, else an array without ``axis``.
    """
    x = np.sort(np.asarray(scores, dtype=np.float64), axis=axis)
    n = x.shape[axis]
    if n == 0:
        raise ValueError("iqm of an empty array")
    cut = int(0.25 * n)
    middle = np.take(x, np.arange(cut, n - cut), axis=axis)
    out = middle.mean(axis=axis)
    return float(out) if np.ndim(out) == 0 else out


def stratified_bootstrap(
    strata: Sequence[np.ndarray],
    statistic: Statistic = iqm,
    *,
    n_boot: int = 2000,
    level: float = 0.95,
    seed: int = 0,
) -> tuple[float, float, float]:
    """Point estimate and percentile bootstrap CI of a statistic of pooled scores.

    Args:
        strata: One 1-D array of run scores per stratum (task); each resample
            draws ``len(s)`` runs with replacement from every stratum ``s``
            and pools them.
        statistic: Maps an array ``(..., n_runs)`` to ``(...)`` along the last
            axis (e.g. :func:`iqm`, ``np.mean``-like with ``axis=-1``).
        n_boot: Number of bootstrap resamples.
        level: Confidence level of the interval.
        seed: Seed of the resampling.

    Returns:
        ``(estimate, low, high)``.
    """
    arrays = [np.asarray(s, dtype=np.float64).ravel() for s in strata]
    arrays = [a for a in arrays if a.size]
    if not arrays:
        raise ValueError("stratified_bootstrap needs at least one score")
    point = float(statistic(np.concatenate(arrays)))
    rng = np.random.default_rng(seed)
    resampled = np.concatenate(
        [a[rng.integers(0, a.size, size=(n_boot, a.size))] for a in arrays], axis=1
    )
    dist = np.asarray(statistic(resampled), dtype=np.float64)
    alpha = (1.0 - level) / 2.0
    low, high = np.quantile(dist, [alpha, 1.0 - alpha])
    return point, float(low), float(high)


def _poi(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """P(X > Y) + P(X = Y) / 2 along the last axis, for batches ``(..., n)`` and ``(..., m)``."""
    gt = (x[..., :, None] > y[..., None, :]).mean(axis=(-2, -1))
    eq = (x[..., :, None] == y[..., None, :]).mean(axis=(-2, -1))
    return gt + 0.5 * eq


def probability_of_improvement(
    x_strata: Sequence[np.ndarray],
    y_strata: Sequence[np.ndarray],
    *,
    n_boot: int = 0,
    level: float = 0.95,
    seed: int = 0,
) -> tuple[float, float, float]:
    """Probability that a run of X beats a run of Y on the same task, averaged over tasks.

    Args:
        x_strata: Per task, the scores of X's runs.
        y_strata: Per task (same order), the scores of Y's runs.
        n_boot: Bootstrap resamples for the CI (0: no interval, low = high = estimate).
        level: Confidence level.
        seed: Seed of the resampling.

    Returns:
        ``(estimate, low, high)``.
    """
    if len(x_strata) != len(y_strata) or not x_strata:
        raise ValueError("x and y need the same, non-zero number of strata")
    xs = [np.asarray(a, dtype=np.float64).ravel() for a in x_strata]
    ys = [np.asarray(b, dtype=np.float64).ravel() for b in y_strata]
    pairs = [(a, b) for a, b in zip(xs, ys, strict=True) if a.size and b.size]
    if not pairs:
        raise ValueError("no task has runs of both agents")
    point = float(np.mean([_poi(a, b) for a, b in pairs]))
    if n_boot <= 0:
        return point, point, point
    rng = np.random.default_rng(seed)
    dist = np.zeros(n_boot)
    for a, b in pairs:
        ra = a[rng.integers(0, a.size, size=(n_boot, a.size))]
        rb = b[rng.integers(0, b.size, size=(n_boot, b.size))]
        dist += _poi(ra, rb)
    dist /= len(pairs)
    alpha = (1.0 - level) / 2.0
    low, high = np.quantile(dist, [alpha, 1.0 - alpha])
    return point, float(low), float(high)


def median_band(
    runs: np.ndarray, *, n_boot: int = 1000, level: float = 0.95, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Median over runs of each column, with a bootstrap CI band of that median.

    Args:
        runs: Array ``(n_runs, n_points)``, e.g. best-so-far reward per
            evaluation; NaN entries (no value yet) are ignored.
        n_boot: Bootstrap resamples of the runs.
        level: Confidence level of the band.
        seed: Seed of the resampling.

    Returns:
        ``(median, low, high)``, each of shape ``(n_points,)``.
    """
    m = np.asarray(runs, dtype=np.float64)
    if m.ndim != 2 or m.shape[0] == 0:
        raise ValueError(f"runs must be a non-empty 2-D array (runs, points), got {m.shape}")
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns stay NaN
        median = np.nanmedian(m, axis=0)
        rng = np.random.default_rng(seed)
        idx = rng.integers(0, m.shape[0], size=(n_boot, m.shape[0]))
        chunk = max(1, 2_000_000 // max(1, m.size))  # bound the memory of m[idx]
        boots = np.concatenate(
            [np.nanmedian(m[idx[i : i + chunk]], axis=1) for i in range(0, n_boot, chunk)]
        )
        alpha = (1.0 - level) / 2.0
        low, high = np.nanquantile(boots, [alpha, 1.0 - alpha], axis=0)
    return median, low, high
