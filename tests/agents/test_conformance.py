"""Conformance suite every agent passes (parametrised over the registry).

Budgets are counted with :class:`CountingWrapper` (env steps = simulator
evaluations); runs are compared value for value.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys

import gymnasium as gym
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import archgym.agents as agents
from archgym.errors import InvalidDesign
from tests.agents.conftest import SEP_ID
from tests.agents.helpers import RL_AGENTS, CountingWrapper, budget_for, run_agent
from tests.conftest import TOY_ID

ALL = agents.list_agents()
BLACK_BOX = [n for n in ALL if n not in RL_AGENTS]


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("budget", [1, 37])
def test_exactly_budget_evaluations(name, budget):
    budget = budget_for(name, budget)
    result, counter, _ = run_agent(name, TOY_ID, budget, seed=1)
    assert counter.steps == budget
    assert result.n_evaluations == budget == result.budget
    assert [e.step for e in result.history] == list(range(budget))
    space = counter.unwrapped.design_space
    assert [_indices(space, e.design) for e in result.history] == counter.actions


def _indices(space, design):
    """Index vector of a design (constraints not checked)."""
    return tuple(p.index(design[n]) for n, p in space.parameters.items())


@pytest.mark.parametrize("name", ALL)
def test_multi_step_episodes_reset_and_keep_the_budget(name):
    budget = budget_for(name, 23)
    result, counter, _ = run_agent(name, TOY_ID, budget, seed=2, env_kwargs={"max_steps": 4})
    assert counter.steps == budget and result.n_evaluations == budget


@pytest.mark.parametrize("name", BLACK_BOX)
@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, 2**31 - 1), env_id=st.sampled_from([TOY_ID, SEP_ID]))
def test_black_box_agents_propose_only_valid_designs(name, seed, env_id):
    env = gym.make(env_id).unwrapped  # a bandit: ArchEnv.step needs no reset between designs
    env.reset(seed=0)
    space = env.design_space
    agent = agents.make(name, space, seed=seed)
    for _ in range(budget_for(name, 30)):
        design = agent.ask()
        assert space.validate(design) == design  # raises InvalidDesign otherwise
        _, reward, _, _, info = env.step(space.to_index(design))
        agent.tell(design, reward, info["metrics"], info)


@pytest.mark.parametrize("name", RL_AGENTS)
def test_rl_agents_act_inside_the_space_and_violations_get_the_penalty(name):
    result, counter, _ = run_agent(name, TOY_ID, 64, seed=5)
    space = counter.unwrapped.design_space
    for e in result.history:
        _indices(space, e.design)  # every value is one of its parameter's (KeyError otherwise)
        broken = not space.is_valid(e.design) or e.design["f"] == 7
        assert e.invalid == broken
        if broken:
            assert e.reward == counter.unwrapped.invalid_reward == -1000.0
            assert e.metrics == {}


@pytest.mark.parametrize("name", ALL)
def test_same_seed_same_run_different_seed_different_run(name):
    budget = budget_for(name, 40)
    a, _, _ = run_agent(name, TOY_ID, budget, seed=7)
    b, _, _ = run_agent(name, TOY_ID, budget, seed=7)
    c, _, _ = run_agent(name, TOY_ID, budget, seed=8)
    assert [e.design for e in a.history] == [e.design for e in b.history]
    np.testing.assert_array_equal(a.rewards, b.rewards)
    assert [e.design for e in a.history] != [e.design for e in c.history]


_CHILD = """
import json, sys
sys.path.insert(0, {root!r})
import gymnasium as gym
import tests.conftest, tests.agents.conftest
import archgym.agents as agents
env = gym.make({env_id!r})
agent = agents.make({name!r}, env.unwrapped.design_space, seed=11)
result = agent.run(env, {budget})
print(json.dumps([e.design for e in result.history]))
"""


@pytest.mark.slow
@pytest.mark.parametrize("name", ALL)
def test_same_seed_same_run_in_a_separate_process(name):
    import pathlib

    root = str(pathlib.Path(__file__).resolve().parents[2])
    budget = budget_for(name, 30)
    code = _CHILD.format(root=root, env_id=TOY_ID, name=name, budget=budget)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=root)
    child = json.loads(out.stdout.strip().splitlines()[-1])
    here, _, _ = run_agent(name, TOY_ID, budget, seed=11)
    assert child == [e.design for e in here.history]


class HalfInvalid(gym.Wrapper):
    """Turns every second evaluation into an invalid-design penalty (reward -10, NaN metrics)."""

    def __init__(self, env):
        super().__init__(env)
        self.n = 0

    def step(self, action):
        obs, reward, term, trunc, info = self.env.step(action)
        self.n += 1
        if self.n % 2 == 0:
            info = {**info, "invalid": True, "error": "test penalty",
                    "metrics": dict.fromkeys(info["metrics"], math.nan)}
            reward = -1000.0
            obs = np.zeros_like(obs)
        return obs, reward, term, trunc, info


@pytest.mark.parametrize("name", ALL)
def test_invalid_design_penalties_do_not_break_the_agent(name):
    env = CountingWrapper(HalfInvalid(gym.make(SEP_ID)))
    agent = agents.make(name, env.unwrapped.design_space, seed=3)
    budget = budget_for(name, 40)
    result = agent.run(env, budget)
    assert env.steps == budget and result.n_invalid == budget // 2
    assert not result.best.invalid
    valid = [e.reward for e in result.history if not e.invalid]
    assert result.best_reward == max(valid)


@pytest.mark.parametrize("name", ALL)
def test_result_best_and_callback_are_consistent(name):
    env = gym.make(TOY_ID)
    seen = []
    agent = agents.make(name, env.unwrapped.design_space, seed=4)
    result = agent.run(env, budget_for(name, 25), callback=seen.append)
    assert seen == result.history
    valid = [e for e in result.history if not e.invalid]
    best = max(valid, key=lambda e: e.reward)
    assert result.best_reward == best.reward and result.best_design == best.design
    curve = result.best_so_far()
    assert curve[-1] == best.reward and np.all(np.diff(curve) >= 0)
    json.dumps(result.to_dict(), allow_nan=True)


def test_a_space_whose_constraints_admit_nothing_raises_for_ask():
    from archgym.parameters import Categorical
    from archgym.space import Constraint, DesignSpace

    space = DesignSpace({"a": Categorical(["x", "y"])}, [Constraint(lambda d: False, "never")])
    for name in ("random_walk", "grid", "aco"):
        with pytest.raises(InvalidDesign):
            agents.make(name, space, seed=0).ask()
