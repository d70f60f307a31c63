"""A PettingZoo ``ParallelEnv`` view of any :class:`~archgym.env.ArchEnv`.

The multi-agent formulation of Krishnan et al. (2022): one agent per design
parameter, each choosing its own parameter's value.

* Agents: the design space's parameter names, in order.
* Action space of agent ``p``: ``Discrete(len(parameter p))`` (a value index).
* Observation: the ArchEnv's observation, the same for every agent.
* Reward: the ArchEnv's reward, the same for every agent (team reward).
* One joint step = one ``ArchEnv.step`` = one simulator call.
* When the ArchEnv's episode ends (``max_steps`` reached, or a target met
  with ``terminate_on_target``) every agent is done and ``agents`` becomes empty.
* Info of each agent: ``design``, ``metrics`` (empty when the design was
  invalid), ``invalid``, ``error`` and ``target_met``. The ArchEnv's full info
  (with wall times, which differ between runs) is :attr:`ArchParallelEnv.last_info`.

>>> import archgym.multiagent                                         # doctest: +SKIP
>>> par = archgym.multiagent.parallel_env("archgym/DRAMController-v0")  # doctest: +SKIP
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, ClassVar

import gymnasium as gym
import numpy as np
from gymnasium import spaces
from pettingzoo import ParallelEnv

from archgym.errors import ConfigError, InvalidAction, UnknownName
from archgym.registration import make

__all__ = ["ArchParallelEnv", "parallel_env"]


class ArchParallelEnv(ParallelEnv):
    """One agent per design parameter over a single-agent ArchEnv (see module docstring).

    Args:
        env: An :class:`~archgym.env.ArchEnv`, possibly wrapped.
    """

    metadata: ClassVar[dict[str, Any]] = {
        "name": "archgym_parallel_v0",
        "render_modes": ["ansi"],
        "is_parallelizable": True,
    }

    def __init__(self, env: gym.Env):
        space = getattr(env.unwrapped, "design_space", None)
        if space is None:
            raise ConfigError(
                f"parallel_env needs an ArchEnv (with a design_space), got {type(env.unwrapped)}"
            )
        self.env = env
        self.design_space = space
        self.possible_agents: list[str] = list(space.names)
        self.agents: list[str] = []
        self.render_mode = getattr(env.unwrapped, "render_mode", None)
        self._action_spaces = {
            name: spaces.Discrete(len(p)) for name, p in space.parameters.items()
        }
        self._observation_spaces = {
            name: copy.deepcopy(env.observation_space) for name in self.possible_agents
        }
        self.last_info: dict[str, Any] = {}

    def observation_space(self, agent: str) -> spaces.Space:
        return self._observation_spaces[self._check_agent(agent)]

    def action_space(self, agent: str) -> spaces.Space:
        return self._action_spaces[self._check_agent(agent)]

    def _check_agent(self, agent: str) -> str:
        if agent not in self._action_spaces:
            raise UnknownName("agent", agent, self.possible_agents)
        return agent

    def reset(
        self, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, np.ndarray], dict[str, dict[str, Any]]]:
        obs, info = self.env.reset(seed=seed, options=options)
        self.agents = list(self.possible_agents)
        self.last_info = dict(info)
        return {a: obs.copy() for a in self.agents}, {a: {} for a in self.agents}

    def step(self, actions: Mapping[str, Any]) -> tuple[
        dict[str, np.ndarray], dict[str, float], dict[str, bool], dict[str, bool],
        dict[str, dict[str, Any]],
    ]:
        """Evaluate the joint design made of every live agent's action (one simulator call).

        Raises:
            InvalidAction: the episode is over (call ``reset``), an agent's
                action is missing, or an unknown agent acted.
        """
        if not self.agents:
            raise InvalidAction("the episode is over: call reset() before step()")
        unknown = [a for a in actions if a not in self._action_spaces]
        if unknown:
            raise UnknownName("agent", unknown[0], self.possible_agents)
        missing = [a for a in self.agents if a not in actions]
        if missing:
            raise InvalidAction(f"no action for agent(s) {', '.join(missing)}")
        joint = np.array([int(np.asarray(actions[a]).item()) for a in self.possible_agents],
                         dtype=np.int64)
        obs, reward, terminated, truncated, info = self.env.step(joint)
        self.last_info = dict(info)
        shared = {
            "design": dict(info["design"]),
            "metrics": {} if info.get("invalid") else dict(info["metrics"]),
            "invalid": bool(info.get("invalid", False)),
            "error": str(info.get("error", "")),
            "target_met": bool(info.get("target_met", False)),
        }
        agents = self.agents
        out = (
            {a: obs.copy() for a in agents},
            {a: float(reward) for a in agents},
            {a: bool(terminated) for a in agents},
            {a: bool(truncated) for a in agents},
            {a: copy.deepcopy(shared) for a in agents},
        )
        if terminated or truncated:
            self.agents = []
        return out

    def render(self) -> Any:
        return self.env.render()

    def close(self) -> None:
        self.env.close()


def parallel_env(env: gym.Env | str, **kwargs: Any) -> ArchParallelEnv:
    """The multi-agent view of ``env``.

    Args:
        env: An ArchEnv (possibly wrapped) or a registered env id.
        **kwargs: Env keyword arguments, when ``env`` is an id.
    """
    if isinstance(env, str):
        env = make(env, **kwargs)
    elif kwargs:
        raise ConfigError(f"keyword arguments {sorted(kwargs)} need an env id, not an env")
    return ArchParallelEnv(env)
