"""Registration of ArchGym environments with Gymnasium.

Environments are registered under the ``archgym/`` namespace with string entry
points, so registering imports no simulator. ``import archgym`` registers every
env listed in :mod:`archgym.envs`.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
from gymnasium.envs.registration import WrapperSpec, load_env_creator

from archgym.errors import ConfigError, UnknownName

__all__ = ["NAMESPACE", "list_envs", "make", "register_env"]

NAMESPACE = "archgym"


_TIMING = WrapperSpec(
    name="EvaluationTime", entry_point="archgym.wrappers:EvaluationTime", kwargs={}
)


def register_env(name: str, entry_point: str, **kwargs: Any) -> None:
    """Register an :class:`~archgym.env.ArchEnv` subclass with Gymnasium.

    ``gym.make`` then wraps it in :class:`~archgym.wrappers.EvaluationTime`
    (``info["eval_seconds"]``).

    Args:
        name: Versioned env name, e.g. ``"DRAMController-v0"`` (registered as
            ``archgym/DRAMController-v0``), or a full id with its own
            namespace (``"mylab/MyTarget-v0"``) for user envs.
        entry_point: ``"module:Class"``; imported only when the env is made.
        **kwargs: Further :func:`gymnasium.register` arguments (default kwargs).
    """
    env_id = name if "/" in name else f"{NAMESPACE}/{name}"
    if env_id in gym.registry:
        return
    gym.register(id=env_id, entry_point=entry_point, additional_wrappers=(_TIMING,), **kwargs)


def list_envs() -> list[str]:
    """The ids of every registered ArchGym env, sorted."""
    return sorted(k for k in gym.registry if k.startswith(f"{NAMESPACE}/"))


def make(env_id: str, **kwargs: Any) -> gym.Env:
    """:func:`gymnasium.make` with clear errors for unknown ids and malformed ``render_mode``.

    (``gymnasium.make`` itself calls string methods on ``render_mode`` before the
    env sees it, so a non-string fails there with an ``AttributeError``, and it
    warns about an unknown mode with ``msg % args``, so a mode holding ``%``
    fails with a ``TypeError``; here an unknown mode is refused first.)
    """
    if not isinstance(env_id, str) or env_id not in gym.registry:
        raise UnknownName("env id", env_id, list_envs())
    mode = kwargs.get("render_mode")
    if mode is not None:
        if not isinstance(mode, str):
            raise ConfigError(f"render_mode must be a string or None, got {mode!r}")
        entry = gym.spec(env_id).entry_point
        creator = load_env_creator(entry) if isinstance(entry, str) else entry
        modes = list(getattr(creator, "metadata", {}).get("render_modes", []))
        if mode not in modes:
            raise ConfigError(f"render_mode must be one of {modes} or None, got {mode!r}")
    return gym.make(env_id, **kwargs)
