"""Statistics against hand-computed values on small arrays."""

from __future__ import annotations

import numpy as np
import pytest

from archgym.experiment.stats import (
    iqm,
    median_band,
    probability_of_improvement,
    stratified_bootstrap,
)


def test_iqm_hand_computed():
    # n = 8: cut 2 from each end -> mean(3, 4, 5, 6)
    assert iqm(np.array([8, 1, 7, 2, 6, 3, 5, 4])) == 4.5
    # n = 5: cut int(1.25) = 1 from each end -> mean(2, 3, 4); the outlier is ignored
    assert iqm(np.array([100.0, 1, 2, 3, 4])) == 3.0
    # n = 3: nothing cut -> plain mean
    assert iqm(np.array([0.0, 0.0, 3.0])) == 1.0
    # along an axis
    np.testing.assert_allclose(iqm(np.array([[1, 2, 3, 4], [10, 0, 0, 10]]), axis=1), [2.5, 5.0])


def test_poi_hand_computed():
    # x=[1,2,3] vs y=[2,2]: pairs (1,2)x2 -> 0, (2,2)x2 -> 1/2 each, (3,2)x2 -> 1: 3/6
    assert probability_of_improvement([[1, 2, 3]], [[2, 2]])[0] == 0.5
    assert probability_of_improvement([[3, 4]], [[1, 2]])[0] == 1.0
    assert probability_of_improvement([[1, 2]], [[3, 4]])[0] == 0.0
    # x=[1,3] vs y=[2]: 1/2
    assert probability_of_improvement([[1, 3]], [[2]])[0] == 0.5
    # averaged over tasks: task 1 gives 1.0, task 2 gives 0.25 (x=[0,1] vs y=[1,1]: 0+0+.5+.5 /4)
    est = probability_of_improvement([[5], [0, 1]], [[4], [1, 1]])[0]
    assert est == pytest.approx((1.0 + 0.25) / 2)
    # symmetric: P(X>Y) + P(Y>X) = 1
    x, y = [[0.3, 0.1, 0.7, 0.7]], [[0.7, 0.2]]
    assert probability_of_improvement(x, y)[0] + probability_of_improvement(y, x)[0] == 1.0


def test_bootstrap_ci_of_constant_data_is_a_point():
    assert stratified_bootstrap([np.full(6, 2.5)], seed=3) == (2.5, 2.5, 2.5)


def test_stratified_bootstrap_keeps_stratum_sizes():
    # two strata of constant scores: every stratified resample pools three 0s and
    # three 1s, so the mean is exactly 0.5; an unstratified resample would vary
    point, low, high = stratified_bootstrap(
        [np.zeros(3), np.ones(3)], lambda a: a.mean(axis=-1), n_boot=500, seed=0
    )
    assert (point, low, high) == (0.5, 0.5, 0.5)
    _, low1, high1 = stratified_bootstrap(
        [np.array([0.0, 0, 0, 1, 1, 1])], lambda a: a.mean(axis=-1), n_boot=500, seed=0
    )
    assert low1 < 0.5 < high1


def test_bootstrap_of_two_points_matches_the_exact_resampling_distribution():
    # mean of a resample of [0, 1] (2 draws) is 0, 0.5, 1 w.p. 1/4, 1/2, 1/4:
    # the 2.5 % and 97.5 % quantiles are 0 and 1
    point, low, high = stratified_bootstrap(
        [np.array([0.0, 1.0])], lambda a: a.mean(axis=-1), n_boot=4000, seed=1
    )
    assert (point, low, high) == (0.5, 0.0, 1.0)
    # at the 40 % level the interval is the middle atom only: [0.5, 0.5]
    assert stratified_bootstrap(
        [np.array([0.0, 1.0])], lambda a: a.mean(axis=-1), n_boot=4000, level=0.4, seed=1
    ) == (0.5, 0.5, 0.5)


def test_bootstrap_is_reproducible_and_narrows_with_more_runs():
    rng = np.random.default_rng(0)
    small, large = rng.normal(size=8), rng.normal(size=200)
    a = stratified_bootstrap([small], n_boot=1000, seed=7)
    assert a == stratified_bootstrap([small], n_boot=1000, seed=7)
    assert a[1] <= a[0] <= a[2]
    b = stratified_bootstrap([large], n_boot=1000, seed=7)
    assert (b[2] - b[1]) < (a[2] - a[1]) / 2


def test_poi_bootstrap_interval_contains_estimate_and_is_degenerate_for_separated_runs():
    assert probability_of_improvement([[5, 6, 7]], [[1, 2]], n_boot=300, seed=0) == (1.0, 1.0, 1.0)
    est, low, high = probability_of_improvement([[1, 2, 3, 4]], [[2, 3]], n_boot=500, seed=0)
    assert est == 0.5 and low < est < high


def test_median_band_hand_computed():
    runs = np.array([[0.0, 1.0], [0.0, 2.0], [0.0, 9.0]])
    median, low, high = median_band(runs, n_boot=500, seed=0)
    np.testing.assert_array_equal(median, [0.0, 2.0])
    np.testing.assert_array_equal(low[0:1], [0.0])
    np.testing.assert_array_equal(high[0:1], [0.0])
    # a resampled median of {1, 2, 9} is one of the three values
    assert low[1] == 1.0 and high[1] == 9.0
    # NaN (no valid evaluation yet) is ignored
    median, _, _ = median_band(np.array([[np.nan, 1.0], [3.0, 3.0]]), n_boot=10)
    np.testing.assert_array_equal(median, [3.0, 2.0])
