"""Tables of a sweep against hand-computed values; the report end to end on the toy env."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from archgym.experiment import analysis, parse_spec, run_sweep
from archgym.experiment.report import write_report
from tests.experiment.conftest import toy_spec


def _trials(rows):
    cols = ["env_label", "agent_label", "setting_id", "seed", "best_reward", "target_met"]
    df = pd.DataFrame(rows, columns=cols)
    df["trial_id"] = [f"t{i}" for i in range(len(df))]
    df["hyperparameters"] = df["setting_id"].map(lambda s: json.dumps({"s": s}))
    df["status"] = "done"
    return df


def test_lottery_odds_hand_computed():
    trials = _trials(
        [
            # env E (best 10 -> threshold 9.5)
            ("E", "A", "a1", 0, 10.0, True),
            ("E", "A", "a1", 1, 9.6, True),  # median 9.8 wins
            ("E", "A", "a2", 0, 5.0, False),
            ("E", "A", "a2", 1, 5.0, True),  # 5 loses
            ("E", "B", "b1", 0, 9.6, False),
            ("E", "B", "b1", 1, 9.6, False),  # 9.6 wins
            ("E", "B", "b2", 0, 10.0, False),
            ("E", "B", "b2", 1, 10.0, False),  # 10 wins
            # env F, negative rewards (best -2 -> threshold -2.1)
            ("F", "A", "a1", 0, -2.0, True),
            ("F", "A", "a2", 0, -2.2, True),
            ("F", "A", "a3", 0, -2.05, False),
            # a failed trial never counts
            ("F", "A", "a4", 0, 100.0, True),
        ]
    )
    trials.loc[trials.index[-1], "status"] = "failed"
    settings, odds = analysis.lottery(trials)
    s = settings.set_index(["env_label", "setting_id"])
    assert s.loc[("E", "a1"), "score"] == pytest.approx(9.8)
    assert s.loc[("E", "a2"), "target_rate"] == 0.5
    o = odds.set_index(["env_label", "agent_label"])
    assert o.loc[("E", "A"), "win_odds"] == 0.5
    assert o.loc[("E", "B"), "win_odds"] == 1.0
    assert o.loc[("E", "A"), "target_odds"] == 0.5  # a1: 2/2 seeds; a2: 1/2 is not a majority
    assert o.loc[("E", "B"), "target_odds"] == 0.0
    assert o.loc[("F", "A"), "win_odds"] == pytest.approx(2 / 3)  # -2 and -2.05 win
    assert o.loc[("F", "A"), "n_settings"] == 3
    assert o.loc[("F", "A"), "env_best"] == -2.0
    assert json.loads(o.loc[("E", "B"), "best_hyperparameters"]) == {"s": "b2"}


def test_lottery_reaches_the_target_only_with_more_than_half_of_the_seeds():
    met = {"s1of2": [True, False], "s2of2": [True, True], "s2of4": [True, True, False, False],
           "s2of3": [True, False, True], "s1of1": [True], "s0of1": [False]}
    rows = [("E", "A", sid, seed, -1.0, m) for sid, ms in met.items() for seed, m in enumerate(ms)]
    settings, odds = analysis.lottery(_trials(rows))
    reaches = settings.set_index("setting_id")["reaches_target"].to_dict()
    assert reaches == {"s1of2": False, "s2of2": True, "s2of4": False, "s2of3": True,
                       "s1of1": True, "s0of1": False}
    assert odds["target_odds"].item() == pytest.approx(3 / 6)


def test_final_performance_iqm_and_normalised_aggregate():
    rows = [("E", "A", "a", i, float(v), False) for i, v in enumerate([1, 2, 3, 4, 100])]
    rows += [("E", "B", "b", i, float(v), False) for i, v in enumerate([0, 0, 0, 0])]
    rows += [("F", "A", "a", 0, 10.0, False), ("F", "B", "b", 0, 20.0, False)]
    final = analysis.final_performance(_trials(rows), n_boot=200, seed=0)
    f = final.set_index(["env_label", "agent_label"])
    assert f.loc[("E", "A"), "iqm"] == 3.0  # cut 1 each end of 5: mean(2, 3, 4)
    assert f.loc[("E", "A"), "median"] == 3.0
    assert f.loc[("E", "B"), ["iqm", "iqm_low", "iqm_high"]].tolist() == [0.0, 0.0, 0.0]
    # normalised per env: E spans [0, 100]; F spans [10, 20] -> A scores 0.01..1 and 0
    agg = f.loc[(analysis.ALL_ENVS, "A")]
    assert agg["n_trials"] == 6
    assert agg["iqm"] == pytest.approx(np.mean([0.01, 0.02, 0.03, 0.04]))
    # B scores 0, 0, 0, 0 on E and 1 on F: the IQM cuts the 1 -> 0
    assert f.loc[(analysis.ALL_ENVS, "B"), "iqm"] == 0.0


def test_improvement_table_hand_computed():
    rows = [("E", "A", "a", i, v, False) for i, v in enumerate([1.0, 2.0, 3.0])]
    rows += [("E", "B", "b", i, v, False) for i, v in enumerate([2.0, 2.0])]
    rows += [("F", "A", "a", 0, 5.0, False), ("F", "B", "b", 0, 4.0, False)]
    poi = analysis.improvement_table(_trials(rows), n_boot=0)
    p = poi.set_index(["env_label", "agent_x", "agent_y"])["p_x_beats_y"]
    assert p[("E", "A", "B")] == 0.5 and p[("F", "A", "B")] == 1.0
    assert p[(analysis.ALL_ENVS, "A", "B")] == 0.75
    assert p[(analysis.ALL_ENVS, "B", "A")] == 0.25


def test_best_so_far_skips_invalid_evaluations():
    ev = pd.DataFrame(
        {
            "run_id": ["r"] * 5,
            "step": [0, 1, 2, 3, 4],
            "reward": [-10.0, -3.0, -10.0, -5.0, -1.0],
            "invalid": [True, False, True, False, False],
        }
    )
    best = analysis.best_so_far(ev)["best"].to_numpy()
    np.testing.assert_array_equal(best, [np.nan, -3.0, -3.0, -3.0, -1.0])


def test_report_writes_tables_and_existing_figures(tmp_path):
    spec = parse_spec(toy_spec(budget=15, seeds=2))
    run_sweep(spec, tmp_path, workers=1)
    path = write_report(tmp_path, n_bootstrap=200, seed=0)
    text = path.read_text()
    links = re.findall(r"!\[[^\]]*\]\((figures/[^)]+\.png)\)", text)
    slug = "toy-v0"
    assert sorted(links) == sorted(
        [f"figures/{n}-{slug}.png" for n in ("best_so_far", "pareto", "hypervolume")]
        + ["figures/final_iqm.png", "figures/lottery.png"]
    )
    for link in links:
        assert (tmp_path / link).stat().st_size > 10_000
    assert "trials: 8 in the spec, 8 done, 0 failed, 0 pending" in text
    assert "| P(row beats column) | local | random |" in text
    final = pd.read_csv(tmp_path / "tables" / "final_performance.csv")
    assert sorted(final["agent_label"]) == ["local", "random"]
    assert (final["n_trials"] == 4).all()
    assert "more than half of the setting's seeds met every target" in text
    assert "Objectives (2): cost \u2264 1.5 a.u., area \u2264 16 mm2." in text
    curves = pd.read_csv(tmp_path / "tables" / "curves.csv")
    assert curves["evaluations"].max() == 15
    assert set(curves["scale"]) == {"log-distance"}  # the distance reward is <= 0
    # the curves end at each agent's median best reward
    trials = pd.read_parquet(tmp_path / "trials")
    for agent, g in curves.groupby("agent_label"):
        last = g.sort_values("evaluations")["median"].iloc[-1]
        assert last == pytest.approx(trials[trials["agent_label"] == agent]["best_reward"].median())
    fronts = pd.read_csv(tmp_path / "tables" / "pareto_fronts.csv")
    assert {"metric.cost", "metric.area", "meets_targets"} <= set(fronts)
    # the same seed gives the same report
    first = text
    assert write_report(tmp_path, n_bootstrap=200, seed=0).read_text() == first


def test_report_multi_objective_view_covers_three_targets(tmp_path):
    targets = {"cost": 3.0, "area": 16.0, "speed": 30.0}
    spec = parse_spec(
        toy_spec(budget=12, seeds=1, envs=[{"id": "archgym-test/Toy-v0",
                                            "kwargs": {"targets": targets}}])
    )
    run_sweep(spec, tmp_path, workers=1)
    text = write_report(tmp_path, n_bootstrap=50, seed=0).read_text()
    assert "Objectives (3): cost \u2264 3 a.u., area \u2264 16 mm2, speed \u2265 30 ops/s." in text
    fronts = pd.read_csv(tmp_path / "tables" / "pareto_fronts.csv")
    assert fronts[["metric.cost", "metric.area", "metric.speed"]].notna().all().all()
    ev = pd.read_parquet(tmp_path / "evaluations")
    front_keys = set(zip(fronts["run_id"], fronts["step"], strict=True))
    for (run, step), met in zip(zip(ev["run_id"], ev["step"], strict=True), ev["target_met"],
                                strict=True):
        if (run, step) in front_keys:  # the front's flag agrees with the env's own verdict
            row = fronts[(fronts["run_id"] == run) & (fronts["step"] == step)]
            assert bool(row["meets_targets"].item()) == bool(met)
    hv = pd.read_csv(tmp_path / "tables" / "hypervolume.csv")
    assert set(hv["n_objectives"]) == {3} and set(hv["method"]) == {"exact"}
    assert hv["high"].max() <= 1.0
    norm = pd.read_csv(tmp_path / "tables" / "hypervolume_normalisation.csv")
    assert norm["metric"].tolist() == ["cost", "area", "speed"]


def test_hypervolume_2d_matches_the_core_and_a_hand_computed_value():
    from archgym.experiment.multiobjective import hypervolume_2d
    from archgym.objective import hypervolume

    pts = np.array([[1.0, 3.0], [2.0, 2.0], [3.0, 1.0], [2.5, 2.5]])
    # staircase under (4, 4): 1x1 + 1x2 + 1x3 = 6 (the dominated point adds nothing)
    assert hypervolume_2d(pts, np.array([4.0, 4.0])) == 6.0
    rng = np.random.default_rng(0)
    for _ in range(20):
        p = rng.uniform(0, 1, size=(15, 2))
        ref = np.array([1.05, 1.1])
        assert hypervolume_2d(p, ref) == pytest.approx(hypervolume(p, ref))
