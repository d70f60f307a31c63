"""Proxy and auto backends: conformance, answers equal to the model's, counted simulator calls."""

from __future__ import annotations

import pickle
import warnings

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from archgym import datalog
from archgym.errors import ConfigError
from archgym.proxy.artifact import load_model
from archgym.proxy.backend import ProxySimulator
from tests.proxy.conftest import SMOOTH_ID


def _actions(env, n, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.integers(0, env.unwrapped.design_space.nvec) for _ in range(n)]


def _rollout(env, actions, seed=0):
    env.reset(seed=seed)
    return [env.step(a) for a in actions]


@pytest.fixture
def proxy_env(gbt_path):
    env = gym.make(SMOOTH_ID, backend="proxy", proxy_model=str(gbt_path))
    yield env
    env.close()


def test_proxy_env_passes_check_env_with_warnings_as_errors(proxy_env):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_env(proxy_env.unwrapped)


def test_proxy_env_has_the_simulator_envs_spaces_and_answers_with_the_model(proxy_env, gbt_path):
    real = gym.make(SMOOTH_ID)
    assert proxy_env.action_space == real.action_space
    assert proxy_env.observation_space == real.observation_space
    assert proxy_env.unwrapped.objective.targets == real.unwrapped.objective.targets
    model, space = load_model(gbt_path), real.unwrapped.design_space
    proxy_env.reset(seed=0)
    real.reset(seed=0)
    for a in _actions(proxy_env, 5):
        *_, info = proxy_env.step(a)
        y, _ = model.predict_index(np.asarray(a)[None, :], "base", space)
        assert info["backend"] == "proxy"
        assert info["metrics"] == {"latency": y[0, 0], "power": y[0, 1]}
    *_, info = real.step(a)
    assert info["backend"] == "simulator"


def test_proxy_env_is_deterministic_and_pickles(proxy_env, gbt_path):
    other = gym.make(SMOOTH_ID, backend="proxy", proxy_model=str(gbt_path))
    acts = _actions(proxy_env, 8)
    a, b = _rollout(proxy_env, acts), _rollout(other, acts)
    for (o1, r1, *_), (o2, r2, *_) in zip(a, b, strict=True):
        np.testing.assert_array_equal(o1, o2)
        assert r1 == r2
    clone = pickle.loads(pickle.dumps(proxy_env))
    c = _rollout(clone, acts)
    assert [s[1] for s in c] == [s[1] for s in a]


def test_proxy_env_vectorises(gbt_path, proxy_env):
    venv = gym.make_vec(
        SMOOTH_ID, num_envs=2, vectorization_mode="sync", backend="proxy", proxy_model=str(gbt_path)
    )
    acts = _actions(proxy_env, 2)
    venv.reset(seed=0)
    proxy_env.reset(seed=0)
    obs, rew, *_ = venv.step(np.stack(acts))
    single = [proxy_env.step(a) for a in acts]
    np.testing.assert_array_equal(obs, np.stack([s[0] for s in single]))
    np.testing.assert_array_equal(rew, [s[1] for s in single])
    venv.close()


def test_evaluate_batch_matches_single_evaluations_and_marks_invalid_rows(gbt_path):
    real = gym.make(SMOOTH_ID).unwrapped
    sim = ProxySimulator(gbt_path, design_space=real.design_space)
    designs = [real.design_space.from_index(a) for a in _actions(real, 6)]
    designs.append({**designs[0], "size": 3})
    batch = sim.evaluate_batch(designs, "hot")
    for i, d in enumerate(designs[:-1]):
        assert sim.evaluate(d, "hot") == {k: batch[k][i] for k in batch}
    assert np.isnan(batch["latency"][-1]) and np.isnan(batch["power"][-1])


def test_auto_calls_the_simulator_exactly_for_designs_at_or_above_the_threshold(
    ensemble_path, tmp_path
):
    model = load_model(ensemble_path)
    probe = gym.make(SMOOTH_ID).unwrapped
    acts = _actions(probe, 40, seed=5)
    _, u = model.predict_index(np.stack(acts), "base", probe.design_space)
    threshold = float(np.median(u))
    expected = u >= threshold
    assert 0 < expected.sum() < len(acts)

    env = gym.make(
        SMOOTH_ID,
        backend="auto",
        proxy_model=str(ensemble_path),
        uncertainty_threshold=threshold,
        log_dir=str(tmp_path / "grown"),
    )
    auto = env.unwrapped.simulator
    backends = [s[-1]["backend"] for s in _rollout(env, acts)]
    assert auto.simulator.calls == int(expected.sum())
    assert backends == ["simulator" if e else "proxy" for e in expected]
    assert (auto.n_simulated, auto.n_proxy) == (int(expected.sum()), int((~expected).sum()))

    auto.flush()
    grown = datalog.load(tmp_path / "grown")
    assert len(grown) == int(expected.sum())
    simulated = [probe.design_space.from_index(a) for a, e in zip(acts, expected, strict=True) if e]
    assert grown["design.x"].tolist() == [d["x"] for d in simulated]
    assert set(grown["backend"]) == {"simulator"}

    calls = auto.simulator.calls
    auto.evaluate_batch([probe.design_space.from_index(a) for a in acts], "base")
    assert auto.simulator.calls - calls == int(expected.sum())


def test_backend_options_are_checked(ensemble_path, gbt_path):
    with pytest.raises(ConfigError, match="needs proxy_model"):
        gym.make(SMOOTH_ID, backend="proxy")
    with pytest.raises(ConfigError, match=r"takes only proxy_model; got \['colour'\]"):
        gym.make(SMOOTH_ID, backend="proxy", proxy_model=str(gbt_path), colour=1)
    with pytest.raises(ConfigError, match="needs uncertainty_threshold"):
        gym.make(SMOOTH_ID, backend="auto", proxy_model=str(ensemble_path))
    with pytest.raises(ConfigError, match=r"needs a model with uncertainty .* got 'gbt'"):
        gym.make(SMOOTH_ID, backend="auto", proxy_model=str(gbt_path), uncertainty_threshold=1)


def test_a_proxy_simulator_stands_alone_from_its_file(gbt_path):
    sim = ProxySimulator(gbt_path)
    assert (
        sim.design_space.fingerprint() == gym.make(SMOOTH_ID).unwrapped.design_space.fingerprint()
    )
    assert sim.metric_names == ("latency", "power") and sim.workloads == ("base", "hot")
    assert sim.backend == "proxy"
    design = {"x": 3, "y": 7, "size": 16, "mode": "b"}
    y, _ = load_model(gbt_path).predict_index(np.array([[3, 7, 4, 1]]), "base", sim.design_space)
    assert sim.evaluate(design, "base") == {"latency": y[0, 0], "power": y[0, 1]}
    with pytest.raises(ConfigError, match=r"not on 'cold'"):
        sim.evaluate(design, "cold")


def test_auto_uses_the_simulators_index_path(ensemble_path, monkeypatch):
    """A simulator's evaluate_index may skip checks the env already made (SoC-v1 does)."""
    env = gym.make(SMOOTH_ID, backend="auto", proxy_model=str(ensemble_path),
                   uncertainty_threshold=0.0)  # every design goes to the simulator
    sim = env.unwrapped.simulator.simulator
    seen = []
    real = sim.evaluate_index
    monkeypatch.setattr(sim, "evaluate_index", lambda *a, **k: seen.append(a) or real(*a, **k))
    _rollout(env, _actions(env, 3))
    assert len(seen) == 3
