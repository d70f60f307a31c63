"""The wrapper every registered ArchGym env gets from ``gym.make``.

:class:`EvaluationTime` adds the wall time of the last simulator call to
``info["eval_seconds"]``. It is a wrapper rather than part of
:class:`~archgym.env.ArchEnv` so that the bare env stays exactly deterministic
(Gymnasium's ``check_env`` compares the infos of two same-seed steps).
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
from gymnasium.utils import RecordConstructorArgs

from archgym.env import unwrap

__all__ = ["EvaluationTime"]


class EvaluationTime(gym.Wrapper, RecordConstructorArgs):
    """Add ``info["eval_seconds"]``: wall time (s) of the step's simulator call."""

    def __init__(self, env: gym.Env):
        RecordConstructorArgs.__init__(self)
        gym.Wrapper.__init__(self, env)

    def step(self, action: Any):
        obs, reward, terminated, truncated, info = self.env.step(action)
        info["eval_seconds"] = unwrap(self.env).last_eval_seconds
        return obs, reward, terminated, truncated, info
