"""Sweeps on the toy env: trial and evaluation counts, failures, resume, ids."""

from __future__ import annotations

import pandas as pd
import pytest

from archgym.experiment import expand, load_results, parse_spec, run_sweep, sweep_status
from archgym.experiment.store import ResultsStore
from tests.experiment.conftest import RANDOM, toy_spec


def test_two_agents_two_settings_two_seeds_give_8_trials_and_160_evaluations(tmp_path):
    spec = parse_spec(toy_spec(budget=20, seeds=2))
    status = run_sweep(spec, tmp_path / "out", workers=1)
    assert (status.total, status.done, status.failed, status.pending) == (8, 8, 0, 0)
    trials, evals = load_results(tmp_path / "out")
    assert len(trials) == 8
    assert trials["trial_id"].is_unique
    assert sorted(trials.groupby("agent_label").size().to_dict().items()) == [
        ("local", 4),
        ("random", 4),
    ]
    assert set(trials["seed"]) == {0, 1}
    assert (trials["evaluations"] == 20).all()
    assert len(evals) == 8 * 20
    assert not evals.duplicated(["run_id", "step"]).any()
    assert set(evals["run_id"]) == set(trials["trial_id"])
    assert evals.groupby("run_id")["step"].apply(list).map(lambda s: s == list(range(20))).all()
    # the summary's best reward is the maximum of the trial's logged valid rewards
    valid = evals[~evals["invalid"]]
    best = valid.groupby("run_id")["reward"].max()
    assert trials.set_index("trial_id")["best_reward"].to_dict() == pytest.approx(best.to_dict())


def test_trial_ids_are_stable_and_independent_of_spec_order():
    a = expand(parse_spec(toy_spec(seeds=[0, 1])))
    data = toy_spec(seeds=[1, 0, 2])
    data["agents"] = data["agents"][::-1]
    b = expand(parse_spec(data))
    assert {t.trial_id for t in a} < {t.trial_id for t in b}
    assert len(b) == 12
    # the id depends on what determines the result: a new budget gives new ids
    c = expand(parse_spec(toy_spec(budget=21, seeds=[0, 1])))
    assert not {t.trial_id for t in a} & {t.trial_id for t in c}


def test_failed_trial_is_recorded_with_traceback_and_the_sweep_goes_on(tmp_path):
    data = toy_spec(budget=10, seeds=1)
    data["agents"][0]["grid"]["fail_at"] = [-1, 5]
    spec = parse_spec(data)
    status = run_sweep(spec, tmp_path, workers=1)
    assert (status.total, status.done, status.failed, status.pending) == (6, 4, 2, 0)
    trials, evals = load_results(tmp_path)
    failed = trials[trials["status"] == "failed"]
    assert len(failed) == 2
    assert (failed["error"] == "RuntimeError: stand-in failure at evaluation 5").all()
    assert failed["traceback"].str.contains("RuntimeError: stand-in failure", regex=False).all()
    assert failed["traceback"].str.startswith("Traceback (most recent call last)").all()
    assert failed["best_reward"].isna().all()
    # a failed trial keeps the evaluations it made before failing, marked partial
    assert failed["partial"].all() and (failed["evaluations"] == 5).all()
    kept = evals[evals["run_id"].isin(failed["trial_id"])]
    assert len(kept) == 2 * 5 and sorted(set(kept["step"])) == [0, 1, 2, 3, 4]
    assert len(evals) == 4 * 10 + 2 * 5
    assert sweep_status(tmp_path).failed == 2
    # resuming skips failed trials; retry_failed runs them again (they fail again)
    calls = []
    run_sweep(spec, tmp_path, workers=1, on_result=calls.append)
    assert calls == []
    run_sweep(spec, tmp_path, workers=1, retry_failed=True, on_result=calls.append)
    assert sorted(o.summary["trial_id"] for o in calls) == sorted(failed["trial_id"])


def test_resume_runs_only_missing_trials_and_cleans_leftovers(tmp_path):
    spec = parse_spec(toy_spec(budget=10, seeds=2))
    run_sweep(spec, tmp_path, workers=1)
    store = ResultsStore(tmp_path)
    before = load_results(tmp_path).trials.set_index("trial_id")["best_reward"]
    # simulate a crash between a trial's evaluation commit and its summary commit
    victim = sorted(before.index)[3]
    (store.trials_dir / f"{victim}.parquet").unlink()
    (store.evaluations_dir / victim / ".part.parquet.abc.tmp").write_bytes(b"half")
    assert sweep_status(tmp_path).pending == 1
    ran = []
    run_sweep(spec, tmp_path, workers=1, on_result=lambda o: ran.append(o.summary["trial_id"]))
    assert ran == [victim]
    trials, evals = load_results(tmp_path)
    assert len(trials) == 8 and len(evals) == 80
    assert not evals.duplicated(["run_id", "step"]).any()
    after = trials.set_index("trial_id")["best_reward"]
    pd.testing.assert_series_equal(before.sort_index(), after.sort_index())
    assert not list(tmp_path.rglob("*.tmp"))


def test_process_pool_gives_the_same_results_as_in_process(tmp_path):
    spec = parse_spec(toy_spec(budget=15, seeds=1))
    run_sweep(spec, tmp_path / "one", workers=1)
    run_sweep(spec, tmp_path / "two", workers=2)
    cols = ["trial_id", "best_reward", "best_design", "evaluations", "status"]
    a = load_results(tmp_path / "one").trials[cols]
    b = load_results(tmp_path / "two").trials[cols]
    pd.testing.assert_frame_equal(a, b)


def test_evaluation_rows_carry_the_trial_identity(tmp_path):
    data = toy_spec(budget=5, seeds=[3])
    data["agents"] = [{"name": RANDOM, "label": "rnd", "settings": [{"reuse": 0.25}]}]
    data["envs"] = [{"id": "archgym-test/Toy-v0", "workloads": ["default", "shifted"]}]
    run_sweep(parse_spec(data), tmp_path, workers=1)
    trials, evals = load_results(tmp_path)
    assert sorted(trials["env_label"]) == ["Toy-v0/default", "Toy-v0/shifted"]
    assert set(evals["agent"]) == {"rnd"}
    assert set(evals["seed"]) == {3}
    assert set(evals["hyperparameters"]) == {'{"reuse": 0.25}'}
    assert sorted(set(evals["workload"])) == ["default", "shifted"]


def test_real_registry_agents_on_the_toy_env(tmp_path):
    data = toy_spec(budget=12, seeds=2)
    data["agents"] = [
        "random_walk",
        {"name": "ga", "grid": {"population": [4, 8]}},
    ]
    run_sweep(parse_spec(data), tmp_path, workers=1)
    trials, evals = load_results(tmp_path)
    assert (trials["status"] == "done").all(), trials["error"].tolist()
    assert sorted(trials["agent_label"].value_counts().items()) == [("ga", 4), ("random_walk", 2)]
    assert len(evals) == 6 * 12
    assert (evals.groupby("run_id").size() == 12).all()


def test_cli_sweep_status_and_report(tmp_path, write_spec, capsys):
    from archgym.cli import main

    spec_path = write_spec(toy_spec(budget=8, seeds=1))
    out = tmp_path / "out"
    assert main(["sweep", str(spec_path), "--out", str(out), "-j", "1", "--no-progress"]) == 0
    assert main(["sweep", "--status", str(out)]) == 0
    text = capsys.readouterr().out
    assert f"{out}: 4 trials: 4 done, 0 failed, 0 pending" in text
    assert main(["report", str(out), "--bootstrap", "100"]) == 0
    assert (out / "report.md").is_file()
    assert main(["sweep", "--status", str(tmp_path / "nothing")]) == 2
    assert "is not a sweep results folder" in capsys.readouterr().err


def test_the_default_design_is_evaluated_once_per_env_as_a_baseline(tmp_path):
    import gymnasium as gym

    from archgym.env import unwrap

    spec = parse_spec(toy_spec(budget=3, seeds=1))
    run_sweep(spec, tmp_path, workers=1)
    base = load_results(tmp_path).baselines
    assert base["env_label"].tolist() == ["Toy-v0"] and base["workload"].tolist() == ["default"]
    env = gym.make("archgym-test/Toy-v0")
    env.reset(seed=0)
    default = unwrap(env).design_space.default()
    _, reward, _, _, info = env.step(unwrap(env).encode(default))
    assert base["reward"].iloc[0] == reward
    assert base["metric.cost"].iloc[0] == info["metrics"]["cost"]
    before = (tmp_path / "baselines.parquet").stat().st_mtime_ns
    run_sweep(spec, tmp_path, workers=1)  # resumed: not evaluated again
    assert (tmp_path / "baselines.parquet").stat().st_mtime_ns == before


def test_report_shows_the_baseline_and_per_workload_results(tmp_path):
    from archgym.experiment.report import write_report

    data = toy_spec(budget=12, seeds=2)
    data["envs"] = [{"id": "archgym-test/Toy-v0", "label": "toy",
                     "kwargs": {"workload": ["default", "shifted"]}}]
    run_sweep(parse_spec(data), tmp_path, workers=1)
    text = write_report(tmp_path, n_bootstrap=100).read_text()
    assert "## Baseline: the default design" in text and "## Per workload" in text
    table = (tmp_path / "tables" / "per_workload.csv").read_text()
    assert "shifted" in table and "default" in table
    assert len(load_results(tmp_path).baselines) == 2  # one per workload
