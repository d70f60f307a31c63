"""The proxy and auto backends on the shipped envs (named and file workloads)."""

from __future__ import annotations

from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest

import archgym
from archgym import datalog, proxy
from archgym.datalog import RecordEvaluations

ROOT = Path(__file__).resolve().parents[2]
TINYNET = ROOT / "examples" / "accelerator" / "tinynet.csv"
GBT = {"max_iter": 30}
ENS = {"n_members": 2, "member_hyperparameters": {"max_iter": 20}}


def _train(tmp_path, env_id, n, kind, hp, **kwargs):
    """Log ``n`` random steps of ``env_id`` and train a tiny ``kind`` proxy on them."""
    logs = tmp_path / "logs"
    env = RecordEvaluations(gym.make(env_id, **kwargs), logs, run_info={"agent": "uniform"})
    env.reset(seed=0)
    env.action_space.seed(0)
    for _ in range(n):
        env.step(env.action_space.sample())
    env.close()
    model = proxy.fit(datalog.load(logs), env_id, kind, report_splits=(), hyperparameters=hp)
    return model.save(tmp_path / f"{kind}.proxy")


def _steps(env, n=5):
    env.reset(seed=1)
    env.action_space.seed(1)
    return [env.step(env.action_space.sample()) for _ in range(n)]


@pytest.fixture(scope="module")
def dnn_models(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("dnn")
    return {kind: _train(tmp / kind, "archgym/DNNAccelerator-v0", 150, kind, hp)
            for kind, hp in (("gbt", GBT), ("ensemble", ENS))}


def test_a_proxy_of_a_named_dnn_workload_matches_the_workload_object(dnn_models):
    """Matching is by the workload's label, not its repr (a LayerTable once failed here)."""
    from archgym.simulators.accelerator.workloads import resolve_workload

    model = proxy.load_model(dnn_models["gbt"])
    assert model.workloads == ("resnet50",)
    assert model.check_workload(resolve_workload("resnet50")) == "resnet50"
    env = gym.make("archgym/DNNAccelerator-v0", workload=resolve_workload("resnet50"),
                   backend="proxy", proxy_model=str(dnn_models["gbt"]))
    assert {s[-1]["backend"] for s in _steps(env)} == {"proxy"}


@pytest.mark.parametrize("backend", ["proxy", "auto"])
def test_dnn_accelerator_runs_on_a_proxy(dnn_models, backend):
    kw = {"uncertainty_threshold": 0.5} if backend == "auto" else {}
    path = dnn_models["ensemble" if backend == "auto" else "gbt"]
    env = archgym.make("archgym/DNNAccelerator-v0", backend=backend, proxy_model=str(path), **kw)
    steps = _steps(env)
    assert all(np.isfinite(s[1]) for s in steps)
    assert {s[-1]["backend"] for s in steps} <= {"proxy", "simulator"}


def test_a_topology_file_workload_matches_the_same_file_under_another_path(
    tmp_path, monkeypatch
):
    path = _train(tmp_path, "archgym/DNNAccelerator-v0", 60, "gbt", GBT, workload=str(TINYNET))
    assert proxy.load_model(path).workloads == (str(TINYNET),)
    monkeypatch.chdir(TINYNET.parent)
    env = gym.make("archgym/DNNAccelerator-v0", workload="tinynet.csv", backend="proxy",
                   proxy_model=str(path))
    assert all(np.isfinite(s[1]) for s in _steps(env))
    with pytest.raises(archgym.ConfigError, match=r"not on 'resnet50'"):
        gym.make("archgym/DNNAccelerator-v0", backend="proxy", proxy_model=str(path))


@pytest.mark.parametrize("env_id", ["archgym/SoC-v1", "archgym/LLMServing-v0"])
def test_soc_and_llm_serving_run_on_proxy_and_auto(tmp_path, env_id):
    path = _train(tmp_path, env_id, 60, "ensemble", ENS)
    for backend, kw in (("proxy", {}), ("auto", {"uncertainty_threshold": 0.5})):
        env = archgym.make(env_id, backend=backend, proxy_model=str(path), **kw)
        assert all(np.isfinite(s[1]) for s in _steps(env, 3))
        env.close()


def test_an_env_sampling_several_workloads_runs_on_a_proxy_of_them_all(gbt_path):
    from tests.proxy.conftest import SMOOTH_ID

    env = gym.make(SMOOTH_ID, workload=["base", "hot"], backend="proxy", proxy_model=str(gbt_path))
    seen = set()
    for seed in range(8):
        env.reset(seed=seed)
        seen.add(env.step(env.action_space.sample())[-1]["workload"])
    assert seen == {"base", "hot"}
