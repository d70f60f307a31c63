"""Conformance suite run over every registered ArchGym env (and the test-only toy env).

Gymnasium's ``check_env`` with warnings as errors, a same-seed determinism
rollout, a pickle round trip, and ``make_vec`` in sync mode.
"""

from __future__ import annotations

import pickle
import warnings

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import archgym
from tests.conftest import TOY_ID

ENV_IDS = [*archgym.list_envs(), TOY_ID]


@pytest.fixture(params=ENV_IDS)
def env_id(request) -> str:
    return request.param


def _rollout(env_id: str, seed: int, n: int = 20):
    env = gym.make(env_id)
    env.action_space.seed(seed)
    obs, _ = env.reset(seed=seed)
    out = [obs]
    for _ in range(n):
        action = env.action_space.sample()
        obs, reward, terminated, truncated, info = env.step(action)
        info = {k: v for k, v in info.items() if k != "eval_seconds"}
        out.append((action.tolist(), obs, reward, terminated, truncated, info))
        if terminated or truncated:
            obs, _ = env.reset()
            out.append(obs)
    env.close()
    return out


def _equal(a, b) -> bool:
    if isinstance(a, np.ndarray):
        return np.array_equal(a, b, equal_nan=True)
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and np.isnan(a):
        return isinstance(b, float) and np.isnan(b)
    return a == b


def test_check_env_passes_with_warnings_as_errors(env_id):
    env = gym.make(env_id)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_env(env.unwrapped, skip_render_check=False)
    env.close()


def test_same_seed_gives_identical_rollouts(env_id):
    assert _equal(_rollout(env_id, seed=123), _rollout(env_id, seed=123))


def test_pickle_round_trip(env_id):
    env = gym.make(env_id)
    env.reset(seed=0)
    clone = pickle.loads(pickle.dumps(env))
    action = env.action_space.sample()
    a = env.step(action)
    b = clone.step(action)
    assert _equal(a[:4], b[:4])
    assert _equal(a[4]["metrics"], b[4]["metrics"])


def test_make_vec_sync(env_id):
    envs = gym.make_vec(env_id, num_envs=2, vectorization_mode="sync")
    obs, _ = envs.reset(seed=5)
    assert obs.shape == (2, *envs.single_observation_space.shape)
    obs, rewards, *_ = envs.step(envs.action_space.sample())
    assert rewards.shape == (2,) and np.all(np.isfinite(rewards))
    assert envs.single_observation_space.contains(obs[0].astype(np.float32))
    envs.close()


def test_spec_records_kwargs_and_ansi_render(env_id):
    env = gym.make(env_id, max_steps=3, render_mode="ansi")
    assert env.spec.kwargs["max_steps"] == 3
    env.reset(seed=0)
    *_, truncated, _ = env.step(env.action_space.sample())
    assert not truncated
    text = env.render()
    assert isinstance(text, str) and text.startswith("step 1")
    env.close()
