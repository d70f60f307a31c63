"""Registration of ArchGym environments with Gymnasium.

Environments are registered under the ``archgym/`` namespace with string entry
points, so registering imports no simulator. ``import archgym`` registers every
env listed in :mod:`archgym.envs`.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym

from archgym.errors import UnknownName

__all__ = ["NAMESPACE", "list_envs", "make", "register_env"]

NAMESPACE = "archgym"


def register_env(name: str, entry_point: str, **kwargs: Any) -> None:
    """Register ``archgym/<name>`` (e.g. ``"DRAMController-v0"``) with Gymnasium.

    Args:
        name: Versioned env name without the namespace.
        entry_point: ``"module:Class"``; imported only when the env is made.
        **kwargs: Further :func:`gymnasium.register` arguments (default kwargs).
    """
    env_id = f"{NAMESPACE}/{name}"
    if env_id in gym.registry:
        return
    gym.register(id=env_id, entry_point=entry_point, **kwargs)


def list_envs() -> list[str]:
    """The ids of every registered ArchGym env, sorted."""
    return sorted(k for k in gym.registry if k.startswith(f"{NAMESPACE}/"))


def make(env_id: str, **kwargs: Any) -> gym.Env:
    """:func:`gymnasium.make` with an :class:`UnknownName` error for unknown ids."""
    if env_id not in gym.registry:
        raise UnknownName("env id", env_id, list_envs())
    return gym.make(env_id, **kwargs)
