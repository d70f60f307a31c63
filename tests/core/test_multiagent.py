"""The PettingZoo ParallelEnv view of ArchEnvs (archgym.multiagent)."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from pettingzoo.test import parallel_api_test, parallel_seed_test

import archgym
from archgym.errors import ConfigError, InvalidAction, UnknownName
from archgym.multiagent import ArchParallelEnv, parallel_env
from tests.conftest import TOY_ID
from tests.toysim import BEST_DESIGN

REAL_ENVS = archgym.list_envs()


def test_one_agent_per_parameter_with_its_own_discrete_space():
    par = parallel_env(TOY_ID)
    assert par.possible_agents == ["a", "b", "c", "d", "e", "f"]
    assert [par.action_space(a).n for a in par.possible_agents] == [4, 3, 2, 7, 4, 10]
    assert par.observation_space("a") is par.observation_space("a")
    assert par.observation_space("a").shape == (4,)
    with pytest.raises(UnknownName, match="unknown agent 'g'"):
        par.action_space("g")


def test_joint_step_is_one_simulator_call_with_a_team_reward():
    env = gym.make(TOY_ID)
    par = parallel_env(env)
    obs, _ = par.reset(seed=0)
    assert set(obs) == set(par.agents) and np.all(obs["a"] == 0)
    calls = env.unwrapped.simulator.calls
    idx = env.unwrapped.design_space.to_index(BEST_DESIGN)
    obs, rew, term, trunc, info = par.step(dict(zip(par.possible_agents, idx, strict=True)))
    assert env.unwrapped.simulator.calls == calls + 1
    # best design: cost 1.0 <= 1.5 and area 16*8/16 = 8 <= 16 -> reward 0 for every agent
    assert rew == dict.fromkeys(par.possible_agents, 0.0)
    # a 1-step (bandit) episode terminates; every agent is done
    assert all(term.values()) and not any(trunc.values()) and par.agents == []
    assert info["d"]["design"] == BEST_DESIGN and info["d"]["metrics"]["cost"] == 1.0
    # observation: log2(cost / 1.5), log2(area / 16), log2(speed / 50), valid flag
    np.testing.assert_allclose(obs["f"], [np.log2(1 / 1.5), -1.0, 1.0, 1.0], rtol=1e-6)
    with pytest.raises(InvalidAction, match="call reset"):
        par.step(dict(zip(par.possible_agents, idx, strict=True)))


def test_invalid_joint_design_gets_the_penalty_and_empty_metrics():
    par = parallel_env(TOY_ID)
    par.reset(seed=0)
    actions = {"a": 0, "b": 0, "c": 0, "d": 0, "e": 0, "f": 7}  # the toy rejects f = 7
    _, rew, _, _, info = par.step(actions)
    assert rew["a"] == -1000.0 and info["a"]["invalid"] and info["a"]["metrics"] == {}
    assert "f=7" in info["a"]["error"] and par.last_info["invalid"]


def test_missing_or_unknown_actions_are_rejected():
    par = parallel_env(TOY_ID)
    par.reset(seed=0)
    with pytest.raises(InvalidAction, match="no action for agent"):
        par.step({"a": 0})
    with pytest.raises(UnknownName):
        par.step({**dict.fromkeys(par.possible_agents, 0), "zz": 1})


def test_multi_step_episodes_keep_agents_alive_until_truncation():
    par = parallel_env(TOY_ID, max_steps=3)
    par.reset(seed=0)
    for step in range(3):
        _, _, _, trunc, _ = par.step(dict.fromkeys(par.possible_agents, 1))
        assert all(trunc.values()) == (step == 2)
    assert par.agents == []


def test_parallel_env_argument_errors():
    with pytest.raises(ConfigError, match="need an env id"):
        parallel_env(gym.make(TOY_ID), max_steps=2)
    with pytest.raises(ConfigError, match="ArchEnv"):
        ArchParallelEnv(gym.make("CartPole-v1"))


@pytest.mark.parametrize("kwargs", [{}, {"max_steps": 5}])
def test_pettingzoo_api_and_seed_tests_on_the_toy_env(kwargs):
    parallel_api_test(parallel_env(TOY_ID, **kwargs), num_cycles=50)
    parallel_seed_test(lambda: parallel_env(TOY_ID, **kwargs), num_cycles=50)


@pytest.mark.parametrize("env_id", REAL_ENVS)
def test_pettingzoo_api_and_seed_tests_on_every_registered_env(env_id):
    parallel_api_test(parallel_env(env_id, max_steps=3), num_cycles=10)
    parallel_seed_test(lambda: parallel_env(env_id, max_steps=3), num_cycles=10)
