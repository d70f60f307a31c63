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

from typing import Any

from archgym.errors import ConfigError
from archgym.registry import Registry
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


def _is_agent(entry: Any) -> str:
    """"" for an agent class: an :class:`Agent` subclass, or any class with the same
    constructor ``(space, *, seed, **hyperparameters)``, ``hyperparameters()`` and ``run``."""
    if isinstance(entry, type) and (
        issubclass(entry, Agent)
        or (callable(getattr(entry, "run", None))
            and callable(getattr(entry, "hyperparameters", None)))
    ):
        return ""
    return f"must be an Agent subclass (or a class with run() and hyperparameters()), got {entry!r}"


#: Agent name -> :class:`Agent` subclass (``"module:Class"`` entries are imported lazily).
AGENTS: Registry[type[Agent]] = Registry("agent", check=_is_agent)
for _name, _entry in {
    "random_walk": "archgym.agents.random_walk:RandomWalk",
    "grid": "archgym.agents.grid:GridSearch",
    "ga": "archgym.agents.ga:GeneticAlgorithm",
    "aco": "archgym.agents.aco:AntColony",
    "bo": "archgym.agents.optuna_agents:BayesianOptimization",
    "tpe": "archgym.agents.optuna_agents:TPE",
    "cmaes": "archgym.agents.optuna_agents:CMAES",
    "qmc": "archgym.agents.optuna_agents:QuasiMonteCarlo",
    "ppo": "archgym.agents.ppo:PPOAgent",
    "sac": "archgym.agents.sac:SACAgent",
    "marl": "archgym.agents.marl:MultiAgentPPO",
}.items():
    AGENTS.register(_name, _entry)


def register_agent(name: str, entry_point: str | type[Agent]) -> None:
    """Register an agent class (or a ``"module:Class"`` string) under ``name``."""
    if not isinstance(entry_point, str) and _is_agent(entry_point):
        raise ConfigError(
            f"agent {name!r}: entry point must be 'module:Class' or an Agent subclass, "
            f"got {entry_point!r}"
        )
    AGENTS.register(name, entry_point)


def list_agents() -> list[str]:
    """Names of every registered agent, in registry order."""
    return AGENTS.names()


def get_agent(name: str) -> type[Agent]:
    """The agent class registered under ``name`` (imports its module).

    ``name`` may also be an entry point ``"module:Class"`` of an agent in user code.

    Raises:
        UnknownName: ``name`` is not registered (the message suggests close names).
        ConfigError: the entry point does not import or is not an Agent subclass.
    """
    return AGENTS.get(name)


def make(
    name: str, space: DesignSpace, *, seed: int | None = None, **hyperparameters: Any
) -> Agent:
    """Build the agent ``name`` for ``space``.

    Args:
        name: A name from :func:`list_agents` (or ``"module:Class"``).
        space: The design space to search (``env.unwrapped.design_space``).
        seed: Makes the run reproducible.
        **hyperparameters: The agent's hyperparameters (see ``get_agent(name).hyperparameters()``).

    Raises:
        UnknownName: unknown agent or hyperparameter.
        ConfigError: a hyperparameter value outside its allowed range.
    """
    return get_agent(name)(space, seed=seed, **hyperparameters)
