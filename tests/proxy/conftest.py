"""Fixtures of the proxy tests: logs of the smooth test env and proxies trained on them."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

from archgym import datalog
from archgym.datalog import RecordEvaluations

SMOOTH_ID = "archgym-test/ProxySmooth-v0"
if SMOOTH_ID not in gym.registry:
    gym.register(id=SMOOTH_ID, entry_point="tests.proxy.smoothsim:SmoothEnv")


def collect(path, agent: str, n: int, seed: int, workload: str = "base", low_x: bool = False):
    """Log ``n`` random designs (``low_x``: only x <= 7, a biased 'agent')."""
    env = gym.make(SMOOTH_ID, workload=workload)
    env = RecordEvaluations(env, path, run_info={"agent": agent, "seed": seed}, flush_every=500)
    rng = np.random.default_rng(seed)
    nvec = env.unwrapped.design_space.nvec
    env.reset(seed=seed)
    for _ in range(n):
        action = rng.integers(0, nvec)
        if low_x:
            action[0] = rng.integers(0, 8)
        env.step(action)
    env.close()


@pytest.fixture(scope="session")
def logs(tmp_path_factory):
    """Two agents on 'base' (1,500 + 500 evaluations), one on 'hot' (400)."""
    path = tmp_path_factory.mktemp("smooth_logs")
    collect(path, "uniform", 1500, seed=1)
    collect(path, "low_x", 500, seed=2, low_x=True)
    collect(path, "uniform", 400, seed=3, workload="hot")
    return path


@pytest.fixture(scope="session")
def df(logs):
    return datalog.load(logs)


@pytest.fixture(scope="session")
def ensemble_path(df, tmp_path_factory):
    """An ensemble proxy of the 'base' workload, saved to a file."""
    from archgym import proxy

    hp = {"n_members": 4, "member_hyperparameters": {"max_iter": 100}}
    model = proxy.fit(
        df, SMOOTH_ID, "ensemble", workload="base", seed=0, report_splits=(), hyperparameters=hp
    )
    return model.save(tmp_path_factory.mktemp("models") / "smooth_ens.proxy")


@pytest.fixture(scope="session")
def gbt_path(df, tmp_path_factory):
    """A gbt proxy of both workloads, saved to a file."""
    from archgym import proxy

    model = proxy.fit(df, SMOOTH_ID, "gbt", seed=0, report_splits=())
    return model.save(tmp_path_factory.mktemp("models") / "smooth_gbt.proxy")
