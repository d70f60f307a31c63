"""ArchEnv behaviour on the toy simulator: actions, observations, rewards, episodes."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

from archgym.errors import ConfigError, InvalidAction
from tests.conftest import TOY_ID
from tests.toysim import BEST_DESIGN


def test_best_design_meets_target_and_observation_is_log_ratio(toy_env):
    toy_env.reset(seed=0)
    obs, reward, term, trunc, info = toy_env.step(toy_env.unwrapped.encode(BEST_DESIGN))
    assert reward == 0.0 and info["target_met"] and not info["invalid"]
    assert info["metrics"] == {"cost": 1.0, "area": 8.0, "speed": 100.0}
    assert info["units"] == {"cost": "a.u.", "area": "mm2", "speed": "ops/s"}
    assert info["design"] == BEST_DESIGN and info["backend"] == "simulator"
    # cost 1 / target 1.5, area 8 / target 16, speed 100 / scale 50, valid flag
    np.testing.assert_allclose(obs, [np.log2(1 / 1.5), -1.0, 1.0, 1.0], rtol=1e-6)
    assert term and not trunc  # a 1-step (bandit) episode terminates
    assert info["eval_seconds"] >= 0.0


def test_reward_is_distance_to_target(toy_env):
    toy_env.reset(seed=0)
    design = {**BEST_DESIGN, "b": "hi", "d": 64, "e": 16}  # cost 1+5+2+0.5 = 8.5, area 64
    _, reward, *_, info = toy_env.step(toy_env.unwrapped.encode(design))
    assert info["metrics"]["cost"] == 8.5
    assert reward == pytest.approx(-((8.5 - 1.5) / 1.5 + (64 - 16) / 16))


def test_invalid_design_gives_penalty_not_crash(toy_env):
    toy_env.reset(seed=0)
    obs, reward, term, _, info = toy_env.step(toy_env.unwrapped.encode({**BEST_DESIGN, "f": 7}))
    assert info["invalid"] and "f=7 is forbidden" in info["error"]
    assert reward == -1000.0 and not np.any(obs) and term
    assert info["metrics"] == {}  # no metrics (NaN would make same-seed infos differ)
    # a constraint of the design space is reported the same way
    idx = toy_env.unwrapped.design_space.to_index({**BEST_DESIGN, "d": 64})
    idx[0] = 3  # a = "c" with d = 64
    _, reward, *_, info = toy_env.step(idx)
    assert info["invalid"] and "forbids d=64" in info["error"] and reward == -1000.0


@pytest.mark.parametrize(
    "action", [[9, 0, 0, 0, 0, 0], [0, 0, 0], [0.5, 0, 0, 0, 0, 0], [-1, 0, 0, 0, 0, 0], "abc"]
)
def test_out_of_space_actions_raise(toy_env, action):
    toy_env.reset(seed=0)
    with pytest.raises(InvalidAction, match="nvec = \\[4, 3, 2, 7, 4, 10\\]"):
        toy_env.step(action)


def test_multi_step_episodes_truncate_and_terminate_on_target():
    env = gym.make(TOY_ID, max_steps=3)
    env.reset(seed=0)
    bad = env.unwrapped.encode({**BEST_DESIGN, "b": "hi"})
    flags = [env.step(bad)[2:4] for _ in range(3)]
    assert flags == [(False, False), (False, False), (False, True)]
    env = gym.make(TOY_ID, max_steps=5, terminate_on_target=True)
    env.reset(seed=0)
    assert env.step(env.unwrapped.encode(BEST_DESIGN))[2:4] == (True, False)


def test_kwargs_and_formulas():
    env = gym.make(TOY_ID, targets={"cost": 2.0}, replace_targets=True,
                   reward_formula="archgym")
    env.reset(seed=0)
    _, reward, *_ = env.step(env.unwrapped.encode(BEST_DESIGN))
    assert reward == pytest.approx(2.0 / 1.0)
    with pytest.raises(ConfigError, match="unexpected keyword"):
        gym.make(TOY_ID, targest={"cost": 1.0})
    with pytest.raises(ValueError, match="max_steps"):
        gym.make(TOY_ID, max_steps=0)
