"""Helpers shared by the agent tests: an evaluation-counting wrapper and env factories."""

from __future__ import annotations

from typing import Any

import gymnasium as gym

import archgym.agents as agents
from archgym.agents import RunResult

#: Agents that propose designs through ask() (the rest learn through the env).
RL_AGENTS = ("ppo", "sac", "marl")
#: Agents that ignore feedback (space-filling baselines); excluded from "beats random".
BASELINES = ("random_walk", "grid", "qmc")


class CountingWrapper(gym.Wrapper):
    """Counts ``step`` calls (= simulator evaluations) and remembers each action."""

    def __init__(self, env: gym.Env):
        super().__init__(env)
        self.steps = 0
        self.actions: list[tuple[int, ...]] = []

    def step(self, action: Any) -> Any:
        self.steps += 1
        self.actions.append(tuple(int(a) for a in action))
        return self.env.step(action)


def run_agent(
    name: str, env_id: str, budget: int, seed: int = 0, env_kwargs: dict | None = None,
    **hp: Any,
) -> tuple[RunResult, CountingWrapper, Any]:
    """Run agent ``name`` on a fresh ``env_id``; return the result, counter and agent."""
    env = CountingWrapper(gym.make(env_id, **(env_kwargs or {})))
    agent = agents.make(name, env.unwrapped.design_space, seed=seed, **hp)
    result = agent.run(env, budget)
    env.close()
    return result, env, agent


#: ``bo`` fits a Gaussian process per proposal (0.3–2 s each on a loaded 2-core
#: machine); conformance tests cap its budget so it still makes a few GP-based
#: proposals (after its 10 random start-up designs) without dominating the run time.
BO_TEST_BUDGET = 14


def budget_for(name: str, budget: int) -> int:
    """The budget a conformance test uses for agent ``name``."""
    return min(budget, BO_TEST_BUDGET) if name == "bo" else budget
