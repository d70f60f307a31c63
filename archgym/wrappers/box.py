"""A continuous (``Box``) action space over a ``MultiDiscrete`` design space, for SAC/TD3.

Continuous-action learners (Stable-Baselines3's ``SAC``, ``TD3``, ``DDPG``)
need ``Box`` actions. :class:`BoxActions` gives an env the action space
``Box(-1, 1, (n_parameters,), float32)`` and maps coordinate ``i`` to an index
of parameter ``i`` with ``n_i`` equal-width bins::

    index = min(floor((a + 1) / 2 * n_i), n_i - 1)

so bin ``k`` is ``[-1 + 2k/n_i, -1 + 2(k+1)/n_i)`` and every value is reachable
with the same share of the interval. (The original ArchGym rounded the action
before binning, which let continuous agents reach only 3 values of each
parameter.) :func:`index_to_box` gives the bin centres, e.g. to seed a replay
buffer with known designs.
"""

from __future__ import annotations

import numpy as np
from gymnasium import ActionWrapper, Env, spaces
from gymnasium.utils import RecordConstructorArgs

from archgym.errors import ConfigError

__all__ = ["BoxActions", "box_to_index", "index_to_box"]


def box_to_index(action: np.ndarray, nvec: np.ndarray) -> np.ndarray:
    """Continuous actions in [-1, 1] -> parameter indices (equal-width bins).

    Args:
        action: Shape ``(..., n)``; values outside [-1, 1] are clipped.
        nvec: Number of values of each parameter, shape ``(n,)``.

    Returns:
        ``int64`` indices of shape ``(..., n)``, each in ``[0, nvec[i])``.
    """
    a = np.clip(np.asarray(action, dtype=np.float64), -1.0, 1.0)
    idx = np.floor((a + 1.0) / 2.0 * nvec).astype(np.int64)
    return np.minimum(idx, nvec - 1)


def index_to_box(index: np.ndarray, nvec: np.ndarray) -> np.ndarray:
    """Parameter indices -> their bin centres in (-1, 1) (inverse of :func:`box_to_index`).

    Args:
        index: Shape ``(..., n)``, each in ``[0, nvec[i])``.
        nvec: Number of values of each parameter, shape ``(n,)``.
    """
    return -1.0 + (2.0 * np.asarray(index, dtype=np.float64) + 1.0) / nvec


class BoxActions(ActionWrapper, RecordConstructorArgs):
    """Present a ``MultiDiscrete`` env with a ``Box(-1, 1, (n,))`` action space (SAC, TD3).

    ## Action Space
    ``Box(-1.0, 1.0, (n,), float32)`` with ``n`` the number of design
    parameters. Coordinate ``i`` selects value ``min(floor((a_i + 1) / 2 *
    n_i), n_i - 1)`` of parameter ``i`` (equal-width bins, see the module
    docstring); values outside [-1, 1] are clipped.

    ## Observation Space, Rewards, Episode End, Info
    Those of the wrapped env, unchanged: one step is one full design, one
    simulator call.

    ## Arguments
    * ``env``: an env with a ``MultiDiscrete`` action space (any ArchGym env).

    Example:
        >>> import gymnasium as gym, archgym
        >>> from archgym.wrappers import BoxActions
        >>> env = BoxActions(gym.make("archgym/DRAMController-v0"))
        >>> env.action_space
        Box(-1.0, 1.0, (10,), float32)

    Raises:
        ConfigError: ``env``'s action space is not ``MultiDiscrete``.

    Attributes:
        nvec: Number of values of each parameter, ``int64`` of shape ``(n,)``.
    """

    def __init__(self, env: Env):
        if not isinstance(env.action_space, spaces.MultiDiscrete):
            raise ConfigError(
                f"BoxActions needs a MultiDiscrete action space, got {env.action_space}"
            )
        RecordConstructorArgs.__init__(self)
        ActionWrapper.__init__(self, env)
        self.nvec = np.asarray(env.action_space.nvec, dtype=np.int64)
        self.action_space = spaces.Box(-1.0, 1.0, shape=self.nvec.shape, dtype=np.float32)

    def action(self, action: np.ndarray) -> np.ndarray:
        """The wrapped env's index vector for a ``Box`` action."""
        return box_to_index(action, self.nvec)
