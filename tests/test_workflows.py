"""End to end, through the CLI as a user: sweep -> report -> proxy -> proxy-backed run -> verify.

One test walks the workflow of the README on the DRAM env at a tiny budget
and checks values at each step, not only exit codes.
"""

from __future__ import annotations

import json
import math
import re

import gymnasium as gym
import numpy as np
import pytest

from archgym import datalog
from archgym.cli import main
from archgym.proxy import load_model

DRAM = "archgym/DRAMController-v0"
BUDGET = 30


@pytest.mark.slow
def test_sweep_report_proxy_run_verify(tmp_path, write_spec, capsys):
    # 1. a tiny agent comparison: 2 agents x 1 seed x 30 evaluations on the DRAM env
    spec = write_spec({
        "name": "workflow",
        "budget": BUDGET,
        "seeds": 1,
        "envs": [{"id": DRAM, "workloads": ["cloud-1"]}],
        "agents": ["random_walk", "ga"],
    })
    sweep = tmp_path / "sweep"
    assert main(["sweep", str(spec), "--out", str(sweep), "--workers", "2", "-q"]) == 0
    out = capsys.readouterr().out
    assert "2 done, 0 failed, 0 pending" in out
    evals = datalog.load(sweep)
    assert len(evals) == 2 * BUDGET and set(evals["agent"]) == {"random_walk", "ga"}
    assert set(evals["backend"]) == {"simulator"}

    # 2. its report: report.md linking figures that exist, and the verification section
    assert main(["report", str(sweep), "--bootstrap", "100"]) == 0
    text = (sweep / "report.md").read_text()
    figures = re.findall(r"!\[[^\]]*\]\((figures/[^)]+\.png)\)", text)
    assert "figures/best_so_far-dramcontroller-v0-cloud-1.png" in figures
    assert "figures/final_iqm.png" in figures
    assert all((sweep / f).stat().st_size > 10_000 for f in figures)
    assert "budget: 30 simulator evaluations per trial" in text
    assert "Searched with backend simulator; target verdict agrees on 5 of 5 designs; " \
           "largest reward relative error 0%." in text

    # 3. a proxy trained on the sweep's logs
    model_path = tmp_path / "dram_rf.pkl"
    assert main(["proxy", "train", "--data", str(sweep), "--env", DRAM, "--workload", "cloud-1",
                 "--model", "rf", "--out", str(model_path), "--splits", ""]) == 0
    capsys.readouterr()
    model = load_model(model_path)
    assert model.kind == "rf" and model.summary()["training_rows"] == 2 * BUDGET

    # 4. the proxy as a drop-in backend of the same env
    env = gym.make(DRAM, workload="cloud-1", backend="proxy", proxy_model=str(model_path))
    base = env.unwrapped
    env.reset(seed=0)
    action = base.design_space.gym_space().sample()
    _, reward, terminated, _, info = env.step(action)
    y, _ = model.predict_index(np.asarray(action)[None, :], "cloud-1", base.design_space)
    assert info["backend"] == "proxy" and terminated
    assert info["metrics"] == dict(zip(model.metric_names, y[0].tolist(), strict=True))
    assert reward == base.objective.reward(info["metrics"])
    env.close()

    # 5. a search run against the proxy, logged
    log = tmp_path / "proxy_run"
    assert main(["run", DRAM, "-w", "cloud-1", "--agent", "random_walk", "--budget", "40",
                 "-e", "backend=proxy", "-e", f"proxy_model={model_path}",
                 "--log", str(log), "-q"]) == 0
    capsys.readouterr()
    rows = datalog.load(log)
    assert len(rows) == 40 and set(rows["backend"]) == {"proxy"}

    # 6. its best designs re-simulated with the real simulator
    assert main(["verify", str(log), "--top", "3", "--json", "-q"]) == 0
    table = json.loads(capsys.readouterr().out)
    assert [r["rank"] for r in table] == [1, 2, 3]
    metrics = list(model.metric_names)
    for r in table:
        assert r["backend"] == "proxy" and r["workload"] == "cloud-1"
        for m in metrics:
            assert math.isfinite(r[f"simulated.{m}"]) and math.isfinite(r[f"predicted.{m}"])
            assert r[f"rel_error.{m}"] is not None
        assert {"predicted.reward", "simulated.reward", "rel_error.reward",
                "predicted.target_met", "simulated.target_met"} <= set(r)
    # the logged (predicted) rewards are the run's 3 best, the simulated ones are the
    # simulator's answer for the same designs
    assert [r["predicted.reward"] for r in table] == pytest.approx(
        sorted(rows.drop_duplicates([c for c in rows if c.startswith("design.")])["reward"],
               reverse=True)[:3])
    real = gym.make(DRAM, workload="cloud-1")
    best = table[0]
    design = {k.removeprefix("design."): v for k, v in best.items() if k.startswith("design.")}
    real.reset(seed=0)
    _, sim_reward, _, _, sim_info = real.step(real.unwrapped.encode(design))
    real.close()
    assert best["simulated.reward"] == pytest.approx(sim_reward, rel=1e-12)
    assert best["simulated.target_met"] == sim_info["target_met"]
    for m in metrics:
        assert best[f"simulated.{m}"] == pytest.approx(sim_info["metrics"][m], rel=1e-12)

    # the same as text
    assert main(["verify", str(log), "--top", "3", "-q"]) == 0
    out = capsys.readouterr().out
    assert "searched with backend proxy; top 3 designs re-simulated with the simulator" in out
    assert "3 designs re-simulated: target verdict agrees on" in out
