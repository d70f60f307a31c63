"""The public wrappers (archgym.wrappers): SequentialDesign, BoxActions, EvaluationTime."""

from __future__ import annotations

import pickle
import warnings

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env as gym_check_env
from stable_baselines3.common.env_checker import check_env as sb3_check_env

import archgym
import archgym.wrappers
from archgym.errors import ConfigError, InvalidAction
from archgym.wrappers import (
    BoxActions,
    EvaluationTime,
    SequentialDesign,
    box_to_index,
    index_to_box,
)
from tests.conftest import TOY_ID
from tests.toysim import BEST_DESIGN

ENV_IDS = [*archgym.list_envs(), TOY_ID]
TOY_NVEC = [4, 3, 2, 7, 4, 10]


def _best_index() -> list[int]:
    return gym.make(TOY_ID).unwrapped.design_space.to_index(BEST_DESIGN).tolist()


def test_package_exports_every_wrapper_and_the_old_names_still_work():
    assert set(archgym.wrappers.__all__) == {
        "BoxActions", "EvaluationTime", "SequentialDesign", "box_to_index", "index_to_box",
    }
    from archgym.agents import sac
    from archgym.wrappers.timing import EvaluationTime as Timing

    assert EvaluationTime is Timing  # archgym.registration's entry point
    assert sac.BoxActions is BoxActions
    assert sac.box_to_index is box_to_index and sac.index_to_box is index_to_box
    assert isinstance(gym.make(TOY_ID), EvaluationTime)


# ------------------------------------------------------------ SequentialDesign
def test_sequential_spaces_follow_the_design_space():
    env = SequentialDesign(gym.make(TOY_ID))
    assert env.action_space == gym.spaces.Discrete(10)  # the largest parameter, f: 0..9
    assert env.n_knobs == 6 and env.nvec.tolist() == TOY_NVEC
    assert env.knob_names == ("a", "b", "c", "d", "e", "f")
    # one-hot per knob (30) + next-knob one-hot (6) + the env's observation (3 metrics + valid)
    assert env.observation_space.shape == (30 + 6 + 4,)
    assert env.observation_space.dtype == np.float32


def test_sequential_episode_sets_one_knob_per_step_then_evaluates_once():
    env = SequentialDesign(gym.make(TOY_ID))
    sim = env.unwrapped.simulator
    obs, _ = env.reset(seed=0)
    np.testing.assert_array_equal(obs[:30], 0.0)  # nothing set
    np.testing.assert_array_equal(obs[30:36], [1, 0, 0, 0, 0, 0])  # knob a is next
    calls = sim.calls
    best = _best_index()
    offsets = np.concatenate(([0], np.cumsum(TOY_NVEC)))
    for t, k in enumerate(best[:-1]):
        obs, reward, terminated, truncated, info = env.step(k)
        assert (reward, terminated, truncated) == (0.0, False, False)
        assert info == {"knob": "abcdef"[t], "index": k}
        assert sim.calls == calls  # no simulator call before the design is complete
        chosen = np.flatnonzero(obs[:30])
        assert chosen.tolist() == [int(offsets[i] + best[i]) for i in range(t + 1)]
        assert obs[30 + t + 1] == 1.0 and obs[30:36].sum() == 1.0
        np.testing.assert_array_equal(obs[36:], 0.0)  # no metrics yet
    obs, reward, terminated, truncated, info = env.step(best[-1])
    assert sim.calls == calls + 1
    assert terminated and not truncated
    assert info["design"] == BEST_DESIGN and reward == 0.0 and info["target_met"]
    np.testing.assert_array_equal(obs[30:36], 0.0)
    # the metrics part is the wrapped env's observation of that design
    np.testing.assert_allclose(obs[36:], [np.log2(1 / 1.5), -1.0, 1.0, 1.0], rtol=1e-6)
    assert env.observation_space.contains(obs)
    with pytest.raises(InvalidAction, match="call reset"):
        env.step(0)


def test_sequential_reward_is_the_env_reward_of_the_same_design():
    rng = np.random.default_rng(0)
    plain, seq = gym.make(TOY_ID), SequentialDesign(gym.make(TOY_ID))
    for _ in range(10):
        index = [int(rng.integers(n)) for n in TOY_NVEC]
        plain.reset(seed=1)
        _, expected, *_, plain_info = plain.step(np.array(index))
        seq.reset(seed=1)
        for k in index:
            _, reward, terminated, _, info = seq.step(k)
        assert terminated and reward == expected
        assert info["design"] == plain_info["design"]
        assert info["invalid"] == plain_info["invalid"]


def test_sequential_indices_beyond_a_knob_wrap_around_and_masks_mark_them():
    env = SequentialDesign(gym.make(TOY_ID))
    env.reset(seed=0)
    assert env.action_masks().tolist() == [True] * 4 + [False] * 6  # knob a has 4 values
    _, _, _, _, info = env.step(9)  # 9 % 4 == 1
    assert info["index"] == 1
    assert env.action_masks().tolist() == [True] * 3 + [False] * 7  # knob b has 3
    for action in (3, 5, 3, 4, 9):  # -> b 3 % 3 = 0, c 5 % 2 = 1, d 3, e 4 % 4 = 0, f 9
        *_, info = env.step(action)
    assert info["design"] == {"a": "y", "b": "lo", "c": "q", "d": 8, "e": 2, "f": 9}
    assert env.action_masks().all()


@pytest.mark.parametrize("bad", [10, -1, 2.5, "a", np.array([1, 2])])
def test_sequential_rejects_actions_outside_the_space_naming_them(bad):
    env = SequentialDesign(gym.make(TOY_ID))
    env.reset(seed=0)
    with pytest.raises(InvalidAction, match="not in the action space Discrete"):
        env.step(bad)


def test_sequential_accepts_numpy_integers():
    env = SequentialDesign(gym.make(TOY_ID))
    env.reset(seed=0)
    *_, info = env.step(np.int64(2))
    assert info["index"] == 2
    *_, info = env.step(np.array(1))
    assert info["index"] == 1


def test_sequential_logs_one_row_per_design_with_the_logger_inside(tmp_path):
    from archgym import datalog

    env = SequentialDesign(datalog.RecordEvaluations(gym.make(TOY_ID), tmp_path / "log"))
    env.reset(seed=0)
    for _ in range(2):
        for k in _best_index():
            *_, terminated, _, _ = env.step(k)
        assert terminated
        env.reset()
    env.close()
    rows = datalog.load(tmp_path / "log")
    assert len(rows) == 2 and rows["reward"].tolist() == [0.0, 0.0]


def test_sequential_reset_starts_a_new_design():
    env = SequentialDesign(gym.make(TOY_ID))
    env.reset(seed=0)
    env.step(1)
    env.step(1)
    obs, _ = env.reset()
    np.testing.assert_array_equal(obs[:30], 0.0)
    assert obs[30] == 1.0


@pytest.mark.parametrize("bad_env", ["CartPole-v1", "Pendulum-v1"])
def test_wrappers_need_a_multidiscrete_env(bad_env):
    with pytest.raises(ConfigError, match="MultiDiscrete action space, got"):
        SequentialDesign(gym.make(bad_env))
    with pytest.raises(ConfigError, match="MultiDiscrete action space, got"):
        BoxActions(gym.make(bad_env))


def test_wrapped_envs_are_remade_from_their_spec_and_pickle():
    for wrapper in (SequentialDesign, BoxActions):
        env = wrapper(gym.make(TOY_ID, max_steps=2))
        clone = env.spec.make()
        assert isinstance(clone, wrapper) and clone.spec.kwargs["max_steps"] == 2
        again = pickle.loads(pickle.dumps(env))
        assert again.action_space == env.action_space


@pytest.mark.parametrize("env_id", ENV_IDS)
@pytest.mark.parametrize("wrapper", [SequentialDesign, BoxActions])
def test_gymnasium_check_env_passes_on_wrapped_envs(env_id, wrapper):
    # On the bare env (as the conformance suite does): info["eval_seconds"] of
    # gym.make's EvaluationTime differs between two same-seed steps.
    env = wrapper(gym.make(env_id).unwrapped)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", message=".*different from the unwrapped version")
        gym_check_env(env, skip_render_check=False)


@pytest.mark.parametrize("env_id", ENV_IDS)
@pytest.mark.parametrize("wrapper", [SequentialDesign, BoxActions])
def test_sb3_check_env_passes_on_wrapped_envs(env_id, wrapper):
    env = wrapper(gym.make(env_id))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sb3_check_env(env, warn=True)


# ------------------------------------------------------------------ BoxActions
def test_box_actions_reach_every_value_and_evaluate_the_binned_design():
    env = BoxActions(gym.make(TOY_ID))
    assert env.action_space == gym.spaces.Box(-1.0, 1.0, (6,), np.float32)
    best = np.array(_best_index())
    centres = index_to_box(best, env.nvec).astype(np.float32)
    env.reset(seed=0)
    *_, terminated, _, info = env.step(centres)
    assert info["design"] == BEST_DESIGN and terminated
    np.testing.assert_array_equal(env.action(np.full(6, -1.0)), 0)
    np.testing.assert_array_equal(env.action(np.full(6, 1.0)), env.nvec - 1)
