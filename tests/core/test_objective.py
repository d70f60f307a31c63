"""Objective formulas against hand-computed values; Pareto filter and hypervolume."""

from __future__ import annotations

import numpy as np
import pytest

from archgym.errors import ConfigError, UnknownName
from archgym.objective import Objective, hypervolume, pareto_mask
from archgym.simulator import Metric

METRICS = (Metric("latency", "ns"), Metric("power", "mW"), Metric("bw", "GB/s", "max"))


def bound(**kw) -> Objective:
    return Objective(**kw).bind(METRICS)


def test_distance_formula_hand_values():
    obj = bound(targets={"latency": 100.0, "power": 400.0, "bw": 10.0}, weights={"power": 2.0})
    # latency 150 -> 0.5 over; power 300 -> met; bw 8 -> (10-8)/10 = 0.2 short
    assert obj.reward({"latency": 150.0, "power": 300.0, "bw": 8.0}) == pytest.approx(-0.7)
    # power 500 -> 0.25 over, weight 2
    assert obj.reward({"latency": 90.0, "power": 500.0, "bw": 20.0}) == pytest.approx(-0.5)
    r = obj.reward({"latency": 90.0, "power": 300.0, "bw": 20.0})
    assert r == 0.0 and not np.signbit(r)
    assert obj.target_met({"latency": 90.0, "power": 300.0, "bw": 20.0})
    assert not obj.target_met({"latency": 90.0, "power": 300.0, "bw": 9.99})


def test_archgym_formula_hand_values():
    obj = bound(targets={"latency": 0.1, "power": 1.0}, formula="archgym")
    # 0.1/|0.3-0.1| * 1/|1.5-1| = 0.5 * 2 = 1.0
    assert obj.reward({"latency": 0.3, "power": 1.5}) == pytest.approx(1.0)
    # 0.1/0.05 * 1/4 = 0.5
    assert obj.reward({"latency": 0.05, "power": 5.0}) == pytest.approx(0.5)
    # exactly on target: floored distance, capped product
    assert obj.reward({"latency": 0.1, "power": 1.0}) == pytest.approx(1e3)


def test_weighted_formula_hand_values():
    obj = bound(
        targets={"latency": 100.0, "bw": 10.0}, weights={"latency": 0.5}, formula="weighted"
    )
    # -(0.5 * 200/100 - 1 * 5/10) = -(1.0 - 0.5) = -0.5
    assert obj.reward({"latency": 200.0, "bw": 5.0}) == pytest.approx(-0.5)


def test_bad_objectives():
    with pytest.raises(UnknownName, match="Did you mean 'latency'"):
        bound(targets={"latncy": 1.0})
    with pytest.raises(UnknownName, match="formula"):
        Objective(targets={"latency": 1.0}, formula="distanse")
    with pytest.raises(ConfigError, match=r"must be > 0"):
        Objective(targets={"latency": 0.0})
    with pytest.raises(UnknownName, match="no target"):
        Objective(targets={"latency": 1.0}, weights={"power": 1.0})


def test_pareto_mask_hand_checked():
    pts = np.array([[1, 5], [2, 3], [3, 4], [4, 1], [2, 3], [5, 5]], dtype=float)
    assert pareto_mask(pts).tolist() == [True, True, False, True, True, False]
    # maximising the second objective flips the picture
    assert pareto_mask(pts, goals=["min", "max"]).tolist() == [
        True,
        False,
        False,
        False,
        False,
        False,
    ]


def test_hypervolume_2d_hand_checked():
    pts = np.array([[1, 3], [2, 2], [3, 1]], dtype=float)
    # staircase under reference (4, 4): 3*1 + 2*1 + 1*1 = 6
    assert hypervolume(pts, [4, 4]) == pytest.approx(6.0)
    assert hypervolume(np.array([[5.0, 5.0]]), [4, 4]) == 0.0
    # maximisation: points (3, 1) with goals max, min -> mirrored
    assert hypervolume(np.array([[3.0, 1.0]]), [0, 4], goals=["max", "min"]) == pytest.approx(9.0)


def test_hypervolume_3d_hand_checked():
    pts = np.array([[1, 1, 1]], dtype=float)
    assert hypervolume(pts, [2, 3, 4]) == pytest.approx(1 * 2 * 3)
    pts = np.array([[0, 0, 1], [1, 1, 0]], dtype=float)
    # boxes [0,2]^2 x [1,2] (vol 4) and [1,2]^2 x [0,2] (vol 2) overlap in [1,2]^3 (vol 1)
    assert hypervolume(pts, [2, 2, 2]) == pytest.approx(5.0)
