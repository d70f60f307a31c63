"""The field's RL tooling on every env: Stable-Baselines3, unmodified, as a researcher calls it.

``make_vec_env`` (DummyVecEnv and SubprocVecEnv) asks for ``render_mode="rgb_array"``;
DQN and PPO train on :class:`~archgym.wrappers.SequentialDesign`, PPO on the plain
``MultiDiscrete`` env, SAC and TD3 on :class:`~archgym.wrappers.BoxActions`, each
with a tiny budget. Before these wrappers and the image render mode, each case
failed: ``ValueError`` from ``make_vec_env`` (``ConnectionResetError`` under
``SubprocVecEnv``), no ``Discrete`` view for DQN, no public ``Box`` wrapper.
"""

from __future__ import annotations

import multiprocessing as mp

import gymnasium as gym
import numpy as np
import pytest
from stable_baselines3 import DQN, PPO, SAC, TD3
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.vec_env import DummyVecEnv, SubprocVecEnv

import archgym
from archgym.errors import ConfigError
from archgym.threads import torch_threads
from archgym.wrappers import BoxActions, SequentialDesign
from tests.conftest import TOY_ID
from tests.toysim import BEST_DESIGN

ENV_IDS = [*archgym.list_envs(), TOY_ID]
GREEN, RED = (44, 160, 44), (214, 39, 40)  # Matplotlib's tab:green and tab:red


@pytest.fixture(scope="module")
def preloaded_forkserver():
    """Speed only: SubprocVecEnv's forkserver children start with these modules imported."""
    envs = sorted({gym.spec(i).entry_point.split(":")[0] for i in archgym.list_envs()})
    mp.get_context("forkserver").set_forkserver_preload(["archgym", "stable_baselines3", *envs])


def _has(image: np.ndarray, colour: tuple[int, int, int]) -> bool:
    return bool(np.all(image == np.array(colour, dtype=np.uint8), axis=-1).sum() > 50)


def _evaluations(venv) -> int:
    """Simulator calls so far: Monitor (inside any wrapper) sees one episode per design."""
    return sum(len(r) for r in venv.env_method("get_episode_rewards"))


# --------------------------------------------------------------------- render
def test_every_env_declares_both_render_modes():
    for env_id in ENV_IDS:
        assert gym.make(env_id).metadata["render_modes"] == ["ansi", "rgb_array"]


def test_rgb_array_render_shows_the_design_against_its_targets():
    env = gym.make(TOY_ID, render_mode="rgb_array")
    env.reset(seed=0)
    space = env.unwrapped.design_space
    blank = env.render()
    assert blank.dtype == np.uint8 and blank.ndim == 3 and blank.shape[2] == 3
    assert not _has(blank, GREEN) and not _has(blank, RED)
    env.step(space.to_index(BEST_DESIGN))  # every target met: green bars only
    met = env.render()
    assert _has(met, GREEN) and not _has(met, RED)
    env.step(space.to_index({**BEST_DESIGN, "a": "x", "d": 64}))  # cost and area missed
    missed = env.render()
    assert _has(missed, RED)
    env.step(space.to_index({**BEST_DESIGN, "f": 7}))  # invalid: no bars, the reason
    invalid = env.render()
    assert not _has(invalid, GREEN) and not _has(invalid, RED)
    assert {blank.shape, met.shape, missed.shape, invalid.shape} == {blank.shape}
    assert not np.array_equal(met, missed)


def test_ansi_render_still_returns_text():
    env = gym.make(TOY_ID, render_mode="ansi")
    env.reset(seed=0)
    assert env.render() == "no evaluation since reset"
    env.step(env.unwrapped.design_space.to_index(BEST_DESIGN))
    assert env.render().startswith("step 1 reward=0")


def test_unknown_render_mode_is_a_config_error_naming_it():
    with pytest.raises(ConfigError, match="got 'text'"):
        gym.make(TOY_ID, render_mode="text")


# --------------------------------------------------------------- make_vec_env
@pytest.mark.parametrize("env_id", ENV_IDS)
def test_make_vec_env_dummy_gives_images(env_id):
    venv = make_vec_env(env_id, n_envs=2, seed=0)  # SB3 asks for render_mode="rgb_array"
    assert isinstance(venv, DummyVecEnv) and venv.render_mode == "rgb_array"
    venv.reset()
    _, rewards, dones, infos = venv.step(np.stack([venv.action_space.sample()] * 2))
    assert np.all(np.isfinite(rewards)) and dones.all() and "design" in infos[0]
    images = venv.get_images()
    assert len(images) == 2 and images[0].shape == images[1].shape and images[0].shape[2] == 3
    venv.close()


@pytest.mark.parametrize(
    ("env_id", "wrapper"),
    [*((i, None) for i in archgym.list_envs()), ("archgym/SoC-v1", SequentialDesign)],
)
def test_make_vec_env_subprocess(env_id, wrapper, preloaded_forkserver):
    venv = make_vec_env(env_id, n_envs=2, seed=0, vec_env_cls=SubprocVecEnv,
                        wrapper_class=wrapper)
    try:
        obs = venv.reset()
        assert obs.shape == (2, *venv.observation_space.shape)
        _, rewards, _, _ = venv.step(np.stack([venv.action_space.sample()] * 2))
        assert np.all(np.isfinite(rewards))
    finally:
        venv.close()


# ------------------------------------------------------------------- training
def _learn(algorithm, venv, timesteps: int, **kwargs):
    with torch_threads(1):
        model = algorithm("MlpPolicy", venv, seed=0, device="cpu", verbose=0,
                          policy_kwargs={"net_arch": [32, 32]}, **kwargs)
        model.learn(total_timesteps=timesteps)
    return model


@pytest.mark.parametrize("env_id", ENV_IDS)
def test_dqn_on_the_sequential_wrapper(env_id):
    venv = make_vec_env(env_id, n_envs=1, seed=0, wrapper_class=SequentialDesign)
    n = venv.get_attr("n_knobs")[0]
    designs = 6
    model = _learn(DQN, venv, designs * n, learning_starts=2 * n, batch_size=16,
                   buffer_size=1000, train_freq=2, target_update_interval=n,
                   exploration_fraction=0.5)
    assert model.num_timesteps == designs * n
    assert _evaluations(venv) == designs  # exactly one simulator call per episode
    obs = venv.reset()
    action, _ = model.predict(obs, deterministic=True)
    assert venv.action_space.contains(int(action[0]))


@pytest.mark.parametrize("env_id", ENV_IDS)
def test_ppo_on_the_sequential_wrapper(env_id):
    venv = make_vec_env(env_id, n_envs=2, seed=0, wrapper_class=SequentialDesign)
    n = venv.get_attr("n_knobs")[0]
    model = _learn(PPO, venv, 2 * 2 * n, n_steps=2 * n, batch_size=2 * n, n_epochs=1)
    assert model.num_timesteps == 4 * n
    assert _evaluations(venv) == 4


@pytest.mark.parametrize("env_id", ENV_IDS)
def test_ppo_on_the_plain_multidiscrete_env(env_id):
    venv = make_vec_env(env_id, n_envs=2, seed=0)
    model = _learn(PPO, venv, 16, n_steps=8, batch_size=16, n_epochs=1)
    assert _evaluations(venv) == model.num_timesteps == 16


@pytest.mark.parametrize("algorithm", [SAC, TD3])
@pytest.mark.parametrize("env_id", ENV_IDS)
def test_sac_and_td3_on_the_box_wrapper(env_id, algorithm):
    venv = make_vec_env(env_id, n_envs=1, seed=0, wrapper_class=BoxActions)
    model = _learn(algorithm, venv, 12, learning_starts=4, batch_size=8, buffer_size=100)
    assert _evaluations(venv) == model.num_timesteps == 12
    action, _ = model.predict(venv.reset(), deterministic=True)
    assert venv.action_space.contains(action[0])
