"""Search agents behind one interface (installed as ``archgym.agents``).

Agents are found by name; entry points are strings, so listing agents or
reading their hyperparameters imports no heavy dependency (torch,
Stable-Baselines3 and Optuna are imported when an agent first runs).

>>> import archgym.agents as agents
>>> agent = agents.make("ga", space, seed=0, population=32)   # doctest: +SKIP
>>> result = agent.run(env, budget=500)                        # doctest: +SKIP

| name | algorithm | implementation |
|---|---|---|
| ``random_walk`` | uniform random sampling | hand-written (a few lines) |
| ``grid`` | deterministic grid enumeration in a seeded order | hand-written |
| ``ga`` | genetic algorithm with elitism | adapter over Optuna's ``NSGAIISampler`` |
| ``aco`` | ant colony optimisation | hand-written |
| ``bo`` | Gaussian-process Bayesian optimisation | adapter over Optuna's ``GPSampler`` |
| ``tpe`` | tree-structured Parzen estimator | adapter over Optuna's ``TPESampler`` |
| ``cmaes`` | CMA-ES with margin | adapter over Optuna's ``CmaEsSampler`` |
| ``qmc`` | scrambled Sobol quasi-random sampling | adapter over Optuna's ``QMCSampler`` |
| ``ppo`` | PPO on the ``MultiDiscrete`` action space | adapter over Stable-Baselines3 ``PPO`` |
| ``sac`` | SAC through a ``Box`` action wrapper | adapter over Stable-Baselines3 ``SAC`` |
| ``marl`` | independent PPO learners, one per parameter | hand-written in torch |
"""

from __future__ import annotations

import importlib
from typing import Any

from archgym.errors import ConfigError, UnknownName
from archgym.space import DesignSpace

from .base import Agent, check_budget
from .hyperparameters import HyperParameter
from .result import BudgetExceeded, Evaluation, RecordingWrapper, RunResult

__all__ = [
    "AGENTS",
    "Agent",
    "BudgetExceeded",
    "Evaluation",
    "HyperParameter",
    "RecordingWrapper",
    "RunResult",
    "check_budget",
    "get_agent",
    "list_agents",
    "make",
    "register_agent",
]

#: Agent name -> ``"module:Class"`` (imported lazily) or an :class:`Agent` subclass.
AGENTS: dict[str, str | type[Agent]] = {
    "random_walk": "archgym.agents.random_walk:RandomWalk",
    "grid": "archgym.agents.grid:GridSearch",
    "ga": "archgym.agents.ga:GeneticAlgorithm",
    "aco": "archgym.agents.aco:AntColony",
    "bo": "archgym.agents.optuna_samplers:BayesianOptimization",
    "tpe": "archgym.agents.optuna_samplers:TPE",
    "cmaes": "archgym.agents.optuna_samplers:CMAES",
    "qmc": "archgym.agents.optuna_samplers:QuasiMonteCarlo",
    "ppo": "archgym.agents.ppo:PPOAgent",
    "sac": "archgym.agents.sac:SACAgent",
    "marl": "archgym.agents.marl:MultiAgentPPO",
}


def register_agent(name: str, entry_point: str | type[Agent]) -> None:
    """Register an agent class (or a ``"module:Class"`` string) under ``name``."""
    if not isinstance(entry_point, str) and not (
        isinstance(entry_point, type) and issubclass(entry_point, Agent)
    ):
        raise ConfigError(
            f"agent {name!r}: entry point must be 'module:Class' or an Agent subclass, "
            f"got {entry_point!r}"
        )
    AGENTS[name] = entry_point


def list_agents() -> list[str]:
    """Names of every registered agent, in registry order."""
    return list(AGENTS)


def get_agent(name: str) -> type[Agent]:
    """The agent class registered under ``name`` (imports its module).

    Raises:
        UnknownName: ``name`` is not registered (the message suggests close names).
    """
    if name not in AGENTS:
        raise UnknownName("agent", name, AGENTS)
    entry = AGENTS[name]
    if isinstance(entry, str):
        module, _, attr = entry.partition(":")
        entry = getattr(importlib.import_module(module), attr)
    return entry


def make(
    name: str, space: DesignSpace, *, seed: int | None = None, **hyperparameters: Any
) -> Agent:
    """Build the agent ``name`` for ``space``.

    Args:
        name: A name from :func:`list_agents`.
        space: The design space to search (``env.unwrapped.design_space``).
        seed: Makes the run reproducible.
        **hyperparameters: The agent's hyperparameters (see ``get_agent(name).hyperparameters()``).

    Raises:
        UnknownName: unknown agent or hyperparameter.
        ConfigError: a hyperparameter value outside its allowed range.
    """
    return get_agent(name)(space, seed=seed, **hyperparameters)
