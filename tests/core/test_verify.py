"""``archgym verify``: simulator-backed logs replay exactly; proxy-backed ones are re-simulated."""

from __future__ import annotations

import json
import math

import gymnasium as gym
import numpy as np
import pandas as pd
import pytest

from archgym import datalog, proxy
from archgym.cli import main
from archgym.datalog import RecordEvaluations
from archgym.errors import ConfigError, DatasetError
from archgym.verify import best_designs, rel_error, verify
from tests.conftest import TOY_ID
from tests.toysim import BEST_DESIGN, ToySimulator

PARAMS = ("a", "b", "c", "d", "e", "f")


def _design(row) -> dict:
    return {p: (row[f"design.{p}"].item() if hasattr(row[f"design.{p}"], "item")
                else row[f"design.{p}"]) for p in PARAMS}


@pytest.fixture(scope="module")
def sim_log(tmp_path_factory):
    """A simulator-backed run of 80 random-walk evaluations, logged by ``archgym run``."""
    path = tmp_path_factory.mktemp("sim_log")
    assert main(["run", TOY_ID, "--budget", "80", "--seed", "3", "--log", str(path), "-q"]) == 0
    return path


@pytest.fixture(scope="module")
def proxy_path(sim_log, tmp_path_factory):
    """A small gbt proxy of the toy env trained on the simulator-backed run."""
    model = proxy.fit(datalog.load(sim_log), TOY_ID, "gbt", seed=0, report_splits=(),
                      hyperparameters={"max_iter": 30})
    return model.save(tmp_path_factory.mktemp("models") / "toy_gbt.pkl")


@pytest.fixture(scope="module")
def proxy_log(proxy_path, tmp_path_factory):
    """A proxy-backed run logged by ``archgym run -e backend=proxy -e proxy_model=...``."""
    path = tmp_path_factory.mktemp("proxy_log")
    code = main(["run", TOY_ID, "--budget", "60", "--seed", "5", "-e", "backend=proxy",
                 "-e", f"proxy_model={proxy_path}", "--log", str(path), "-q"])
    assert code == 0
    return path


def test_rel_error():
    assert rel_error(2.0, 2.0) == 0.0
    assert rel_error(3.0, 2.0) == pytest.approx(0.5)
    assert rel_error(-1.0, -2.0) == pytest.approx(0.5)
    assert rel_error(0.0, 0.0) == 0.0
    assert rel_error(1.0, 0.0) == math.inf
    assert math.isnan(rel_error(1.0, math.nan))


def test_simulator_backed_log_replays_with_zero_error(sim_log):
    table = verify(sim_log, top=4)
    log = datalog.load(sim_log)
    assert len(table) == 4
    assert list(table["rank"]) == [1, 2, 3, 4]
    assert set(table["backend"]) == {"simulator"} and set(table["env_id"]) == {TOY_ID}
    # the 4 best distinct designs of the log, best first
    distinct = log.sort_values("reward", ascending=False).drop_duplicates(
        [f"design.{p}" for p in PARAMS])
    assert list(table["predicted.reward"]) == list(distinct["reward"].head(4))
    assert list(table["simulated.reward"]) == list(table["predicted.reward"])
    assert (table[[c for c in table if c.startswith("rel_error.")]] == 0).all().all()
    assert list(table["predicted.target_met"]) == list(table["simulated.target_met"])
    for m in ("cost", "area", "speed"):
        assert list(table[f"simulated.{m}"]) == list(table[f"predicted.{m}"])
    assert not table["simulated.invalid"].any() and set(table["note"]) == {""}


def test_proxy_backed_log_is_re_simulated_by_the_real_simulator(proxy_log):
    table = verify(proxy_log, top=5)
    log = datalog.load(proxy_log)
    assert len(table) == 5 and set(table["backend"]) == {"proxy"}
    # predicted = what the proxy answered during the run (the logged row)
    for r in table.to_dict("records"):
        row = log[(log["step"] == r["step"])].iloc[0]
        assert r["predicted.reward"] == row["reward"]
        assert r["predicted.cost"] == row["metric.cost"]
    # simulated = a fresh evaluation by the real simulator
    sim = ToySimulator()
    for _, r in table.iterrows():
        design = _design(r)
        if design["f"] == 7:
            assert r["simulated.invalid"]
            continue
        fresh = sim.evaluate(design, "default")
        assert r["simulated.cost"] == fresh["cost"]
        assert r["simulated.area"] == fresh["area"]
        assert r["rel_error.cost"] == pytest.approx(rel_error(r["predicted.cost"], fresh["cost"]))
    assert (table["rel_error.reward"] > 0).any()
    assert (table["predicted.reward"] != table["simulated.reward"]).any()


def test_a_design_the_simulator_rejects_is_reported_invalid(proxy_path, tmp_path):
    env = RecordEvaluations(gym.make(TOY_ID, backend="proxy", proxy_model=str(proxy_path)),
                            tmp_path, run_info={"agent": "hand"})
    base = env.unwrapped
    env.reset(seed=0)
    for f in (7, 3):  # the proxy predicts f=7; the toy simulator rejects it
        env.step(base.encode({**BEST_DESIGN, "f": f}))
    env.close()
    table = verify(tmp_path, top=2).set_index("design.f")
    assert table.loc[7, "simulated.invalid"]
    assert "f=7 is forbidden" in table.loc[7, "simulated.error"]
    assert table.loc[7, "simulated.reward"] == base.invalid_reward
    assert not table.loc[7, "simulated.target_met"]
    assert math.isnan(table.loc[7, "simulated.cost"])
    assert not table.loc[3, "simulated.invalid"]
    # the log was written without env kwargs: the env is made from its description
    assert "description" in table.loc[3, "note"]
    assert table.loc[3, "simulated.cost"] == ToySimulator().evaluate(BEST_DESIGN)["cost"]


def test_best_designs_are_distinct_and_per_group():
    df = pd.DataFrame({
        "env": ["E"] * 4 + ["F"] * 2, "env_id": ["e"] * 6, "workload": ["w"] * 6,
        "backend": ["proxy"] * 4 + ["simulator"] * 2,
        "design.x": [1, 1, 2, 3, 1, 2], "reward": [-1.0, -0.5, -2.0, -3.0, -4.0, -1.0],
    })
    best = best_designs(df, top=2)
    assert best[["env", "design.x", "reward", "rank"]].values.tolist() == [
        ["E", 1, -0.5, 1], ["E", 2, -2.0, 2], ["F", 2, -1.0, 1], ["F", 1, -4.0, 2]]


def test_cli_table_and_json(sim_log, capsys):
    assert main(["verify", str(sim_log), "--top", "2", "-q"]) == 0
    out = capsys.readouterr().out
    assert "searched with backend simulator; top 2 designs re-simulated" in out
    assert "#1  reward" in out and "#2  reward" in out and "#3" not in out
    assert "target verdict agrees on 2 of 2; largest reward rel. error 0%" in out
    assert main(["verify", str(sim_log), "--top", "3", "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert len(records) == 3
    assert {"predicted.reward", "simulated.reward", "rel_error.reward", "simulated.cost",
            "predicted.target_met", "simulated.target_met", "design.a"} <= set(records[0])
    assert all(r["rel_error.reward"] == 0 for r in records)


def test_bad_inputs_are_user_errors(tmp_path, sim_log, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    other = tmp_path / "other"
    other.mkdir()
    pd.DataFrame({"x": [1]}).to_parquet(other / "x.parquet")
    for argv, message in [
        (["verify", str(tmp_path / "nope")], "does not exist"),
        (["verify", str(empty)], "no evaluation log found"),
        (["verify", str(other)], "no ArchGym evaluation log"),
        (["verify", str(sim_log), "--top", "0"], "top must be an integer >= 1"),
    ]:
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert err.startswith("archgym: error: ") and message in err, err
    with pytest.raises(ConfigError):
        verify(sim_log, top=-1)
    with pytest.raises(DatasetError):
        verify(tmp_path / "nope")


def test_env_kwargs_are_logged_by_archgym_run(sim_log):
    log = datalog.load(sim_log)
    assert set(log["env_kwargs"]) == {"{}"}
    assert np.isfinite(log["reward"]).all()


def test_an_env_that_cannot_be_made_again_is_a_clear_error(sim_log, tmp_path, capsys):
    df = datalog.load(sim_log)
    desc = {**datalog.descriptions(df)[0], "env_id": "archgym-test/Gone-v0"}
    df["env_id"] = "archgym-test/Gone-v0"
    datalog.write_rows(df.to_dict("records"), tmp_path / "part-0.parquet",
                       datalog.part_metadata(desc))
    assert main(["verify", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("archgym: error: cannot make archgym-test/Gone-v0")
    assert "unknown env id 'archgym-test/Gone-v0'" in err
    table = verify(tmp_path, top=2, strict=False)
    assert table["simulated.reward"].isna().all()
    assert table["note"].str.startswith("not re-simulated: cannot make the env again").all()
