"""The multi-objective tables against hand-computed values: N-D fronts, targets, hypervolume."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from archgym.experiment import multiobjective as mo
from archgym.objective import hypervolume

#: The DRAM env's default objective (latency <= 45 ns, power <= 1400 mW, bandwidth >= 10 GB/s).
DRAM = {
    "metrics": [
        {"name": "latency_ns", "unit": "ns", "goal": "min"},
        {"name": "power_mw", "unit": "mW", "goal": "min"},
        {"name": "energy_nj", "unit": "nJ", "goal": "min"},
        {"name": "bandwidth_gbps", "unit": "GB/s", "goal": "max"},
    ],
    "targets": {"latency_ns": 45.0, "power_mw": 1400.0, "bandwidth_gbps": 10.0},
    "goals": {"latency_ns": "min", "power_mw": "min", "bandwidth_gbps": "max"},
}
#: The DNN env's four targets.
DNN = {
    "metrics": [
        {"name": n, "unit": u, "goal": "min"}
        for n, u in [("latency_ms", "ms"), ("energy_mj", "mJ"), ("area_mm2", "mm2"),
                     ("power_w", "W")]
    ],
    "targets": {"latency_ms": 9.0, "energy_mj": 9.0, "area_mm2": 4.0, "power_w": 1.0},
    "goals": {"latency_ms": "min", "energy_mj": "min", "area_mm2": "min", "power_w": "min"},
}

# (run, step, latency ns, power mW, bandwidth GB/s, invalid)
DESIGNS = {
    "throttled": ("r0", 0, 31.0, 720.0, 5.0, False),  # best latency and power, misses bandwidth
    "meets": ("r0", 1, 40.0, 1300.0, 12.0, False),  # meets every target
    "dominated": ("r0", 2, 44.0, 1350.0, 11.0, False),  # meets them too, but "meets" dominates it
    "fast_bus": ("r1", 0, 60.0, 1500.0, 18.0, False),  # best bandwidth, misses latency and power
    "slow": ("r1", 1, 35.0, 900.0, 4.0, False),  # dominated by "throttled"
    "invalid": ("r1", 2, 10.0, 100.0, 50.0, True),  # would dominate everything: never counts
    "other_agent": ("r2", 0, 42.0, 1390.0, 10.5, False),
}


def _tables(designs=DESIGNS):
    ev = pd.DataFrame(
        [
            {
                "run_id": r,
                "step": s,
                "metric.latency_ns": lat,
                "metric.power_mw": pw,
                "metric.bandwidth_gbps": bw,
                "invalid": inv,
                "name": name,
            }
            for name, (r, s, lat, pw, bw, inv) in designs.items()
        ]
    )
    trials = pd.DataFrame(
        {
            "trial_id": ["r0", "r1", "r2"],
            "env_label": "dram",
            "agent_label": ["A", "A", "B"],
            "budget": 3,
        }
    )
    return trials, ev


def test_env_objectives_keep_every_targeted_metric():
    obj = mo.env_objectives(DNN)
    assert obj.names == ("latency_ms", "energy_mj", "area_mm2", "power_w")  # not cut to 2 or 3
    assert obj.units == ("ms", "mJ", "mm2", "W")
    dram = mo.env_objectives(DRAM)
    assert dram.names == ("latency_ns", "power_mw", "bandwidth_gbps")
    assert dram.goals == ("min", "min", "max")
    assert dram.target_text(2) == "\u2265 10 GB/s"


def test_pareto_front_covers_every_targeted_metric():
    trials, ev = _tables()
    objectives = {"dram": mo.env_objectives(DRAM)}
    fronts = mo.pareto_fronts(trials, ev, objectives)
    a = fronts[fronts["agent_label"] == "A"]
    name_of = dict(zip(ev["metric.latency_ns"], ev["name"], strict=True))  # latencies are unique
    # in latency x power alone only "throttled" is on the front; with the bandwidth floor
    # the design that meets every target and the high-bandwidth one are too
    assert {name_of[x] for x in a["metric.latency_ns"]} == {"throttled", "meets", "fast_bus"}
    assert {"metric.latency_ns", "metric.power_mw", "metric.bandwidth_gbps"} <= set(fronts)
    first = a.set_index("metric.latency_ns").loc[40.0]
    assert (first["run_id"], first["step"]) == ("r0", 1)  # where the design was evaluated
    b = fronts[fronts["agent_label"] == "B"]
    assert len(b) == 1 and b["metric.latency_ns"].item() == 42.0  # agents kept apart


def test_front_marks_the_designs_that_violate_a_target():
    trials, ev = _tables()
    fronts = mo.pareto_fronts(trials, ev, {"dram": mo.env_objectives(DRAM)})
    by_latency = fronts.set_index("metric.latency_ns")["meets_targets"]
    assert by_latency[31.0] == np.False_  # throttled: bandwidth 5 < 10 GB/s
    assert by_latency[60.0] == np.False_  # fast bus: 60 ns > 45 ns and 1500 mW > 1400 mW
    assert by_latency[40.0] == np.True_
    assert by_latency[42.0] == np.True_
    summary = mo.front_summary(fronts, {"dram": mo.env_objectives(DRAM)})
    s = summary.set_index("agent_label")
    assert s.loc["A", "front_designs"] == 3 and s.loc["A", "meeting_every_target"] == 1


def test_meets_targets_rule_at_the_boundary_and_for_nan():
    obj = mo.env_objectives(DRAM)
    values = np.array(
        [[45.0, 1400.0, 10.0], [45.01, 1400.0, 10.0], [45.0, 1400.0, 9.99], [np.nan, 1.0, 20.0]]
    )
    np.testing.assert_array_equal(mo.meets_targets(values, obj), [True, False, False, False])


def test_target_ratio_is_below_one_exactly_when_the_target_is_met():
    np.testing.assert_allclose(mo.target_ratio(np.array([22.5, 45.0, 90.0]), 45.0, "min"),
                               [0.5, 1.0, 2.0])
    np.testing.assert_allclose(mo.target_ratio(np.array([20.0, 10.0, 5.0]), 10.0, "max"),
                               [0.5, 1.0, 2.0])
    assert mo.target_ratio(np.array([1e9]), 1.0, "min")[0] == mo.RATIO_MAX  # clipped
    # a non-positive value falls back to exp(relative gap): still monotone, 1 at the target
    r = mo.target_ratio(np.array([-1.0, 0.0, 1.0]), 1.0, "max")
    assert r[0] > r[1] > r[2] == pytest.approx(1.0)


def test_exact_hypervolume_hand_computed_and_against_the_core():
    ref = np.array([1.1, 1.1, 1.1])
    assert mo.hypervolume_exact(np.array([[0.1, 0.1, 0.1]]), ref) == pytest.approx(1.0)
    # two boxes 1.1 x 0.6 x 0.6 = 0.396 each, overlapping in 0.6^3 = 0.216: 0.576
    two = np.array([[0.0, 0.5, 0.5], [0.5, 0.0, 0.5]])
    assert mo.hypervolume_exact(two, ref) == pytest.approx(0.576)
    assert mo.hypervolume_fraction(two) == pytest.approx(0.576 / 1.1**3)
    assert mo.hypervolume_fraction(np.zeros((1, 3))) == pytest.approx(1.0)
    rng = np.random.default_rng(0)
    for n in (1, 4, 25):
        p = rng.uniform(0, 1, size=(n, 3))
        assert mo.hypervolume_exact(p, ref) == pytest.approx(hypervolume(p, ref))


def test_monte_carlo_hypervolume_of_four_objectives_is_seeded_and_within_its_error():
    rng = np.random.default_rng(0)
    samples = rng.uniform(0.0, mo.REFERENCE, size=(mo.MC_SAMPLES, 4))
    point = np.full((1, 4), 0.1)
    exact = (1.0 / 1.1) ** 4  # a single box of side 1.0 in a box of side 1.1
    est = mo.hypervolume_fraction(point, samples=samples)
    se = np.sqrt(exact * (1 - exact) / mo.MC_SAMPLES)
    assert abs(est - exact) < 4 * se
    assert est == mo.hypervolume_fraction(point, samples=samples.copy())


def test_normalisation_maps_best_to_zero_and_worst_to_one():
    _, ev = _tables()
    norm = mo.normalisation(ev, mo.env_objectives(DRAM)).set_index("metric")
    assert norm.loc["latency_ns", ["best", "worst"]].tolist() == [31.0, 60.0]  # invalid ignored
    assert norm.loc["bandwidth_gbps", ["best", "worst"]].tolist() == [18.0, 4.0]  # maximised
    assert norm["log"].all()


def test_hypervolume_curves_use_every_objective_and_report_a_fraction_of_the_box():
    # one trial: first the worst design on all three metrics, then the best on all three
    designs = {
        "worst": ("r0", 0, 60.0, 1500.0, 4.0, False),
        "best": ("r0", 1, 30.0, 700.0, 18.0, False),
        "middle": ("r1", 0, 40.0, 1000.0, 10.0, False),
    }
    trials, ev = _tables(designs)
    trials = trials[trials["trial_id"] != "r2"].assign(budget=2)
    hv = mo.hypervolume_curves(trials, ev, {"dram": mo.env_objectives(DRAM)}, n_boot=10)
    a = hv[hv["agent_label"] == "A"]
    assert a["evaluations"].tolist() == [1, 2]
    # trial r0 after 1 evaluation: cost (1, 1, 1) -> (0.1)^3 of the 1.1^3 box; after 2: all of it
    r0 = np.array([0.1**3 / 1.1**3, 1.0])
    # trial r1: the middle design's scaled log costs, dominating (1.1 - c) per axis
    lat = np.log(40 / 30) / np.log(60 / 30)
    pw = np.log(1000 / 700) / np.log(1500 / 700)
    bw = np.log(18 / 10) / np.log(18 / 4)
    r1 = (1.1 - lat) * (1.1 - pw) * (1.1 - bw) / 1.1**3
    np.testing.assert_allclose(a["median"], [np.median([r0[0], r1]), np.median([1.0, r1])])
    assert set(a["method"]) == {"exact"} and set(a["n_objectives"]) == {3}
    assert (a["se"] == 0).all()


def test_hypervolume_curves_of_four_objectives_are_a_seeded_monte_carlo_estimate():
    rows = [
        {"run_id": "r0", "step": 0, "invalid": False, "metric.latency_ms": 2.0,
         "metric.energy_mj": 2.0, "metric.area_mm2": 2.0, "metric.power_w": 2.0},
        {"run_id": "r0", "step": 1, "invalid": False, "metric.latency_ms": 1.0,
         "metric.energy_mj": 1.0, "metric.area_mm2": 1.0, "metric.power_w": 1.0},
    ]
    ev = pd.DataFrame(rows)
    trials = pd.DataFrame({"trial_id": ["r0"], "env_label": "dnn", "agent_label": "A",
                           "budget": 2})
    objectives = {"dnn": mo.env_objectives(DNN)}
    hv = mo.hypervolume_curves(trials, ev, objectives, n_boot=10, seed=3)
    assert set(hv["method"]) == {"monte-carlo"} and set(hv["n_objectives"]) == {4}
    exact = [0.1**4 / 1.1**4, 1.0]  # worst corner first, then the ideal design
    se = hv["se"].to_numpy()
    assert (se <= 0.5 / np.sqrt(mo.MC_SAMPLES) + 1e-12).all()
    assert (np.abs(hv["median"].to_numpy() - exact) <= 4 * se + 1e-4).all()
    again = mo.hypervolume_curves(trials, ev, objectives, n_boot=10, seed=3)
    pd.testing.assert_frame_equal(hv, again)


def test_fronts_skip_envs_with_a_single_objective():
    trials, ev = _tables()
    one = mo.env_objectives({**DRAM, "targets": {"latency_ns": 45.0},
                             "goals": {"latency_ns": "min"}})
    assert mo.pareto_fronts(trials, ev, {"dram": one}).empty
