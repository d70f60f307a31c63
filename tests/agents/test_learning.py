"""The RL agents learn: on a 1-step env where one design is best, the policy's
probability of that design rises far above chance (1/64) within the budget."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

import archgym.agents as agents
from tests.agents.conftest import BANDIT_ID
from tests.agents.synthetic import BANDIT_BEST

CHANCE = 1 / 64


def _p_best(agent, space) -> float:
    probs = agent.action_probabilities()
    assert [len(p) for p in probs] == space.nvec.tolist()
    for p in probs:
        assert np.all(p >= 0) and p.sum() == pytest.approx(1.0, abs=1e-6)
    return float(np.prod([p[i] for p, i in zip(probs, space.to_index(BANDIT_BEST), strict=True)]))


@pytest.mark.parametrize(("name", "budget"), [("ppo", 300), ("sac", 300), ("marl", 300)])
def test_policy_probability_of_the_best_design_rises_far_above_chance(name, budget):
    env = gym.make(BANDIT_ID)
    space = env.unwrapped.design_space
    agent = agents.make(name, space, seed=0)
    with pytest.raises(Exception, match="call run"):
        agent.action_probabilities()
    result = agent.run(env, budget)
    p_best = _p_best(agent, space)
    assert p_best > 0.3 > 15 * CHANCE
    # the late evaluations pick the best design far more often than chance too
    late = [e.design == BANDIT_BEST for e in result.history[-50:]]
    assert np.mean(late) > 10 * CHANCE
