"""``sac``: Stable-Baselines3 SAC through a ``Box`` action wrapper (thin adapter).

SAC needs a continuous action space. :class:`BoxActions` gives the env the
action space ``Box(-1, 1, (n_parameters,))`` and maps coordinate ``i`` to an
index of parameter ``i`` with ``n_i`` equal-width bins::

    index = min(floor((a + 1) / 2 * n_i), n_i - 1)

so bin ``k`` is ``[-1 + 2k/n_i, -1 + 2(k+1)/n_i)`` and every value is
reachable. (The original ArchGym rounded the action before binning, which let
continuous agents reach only 3 values of each parameter.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from archgym.errors import ConfigError

from .base import Agent
from .hyperparameters import HyperParameter
from .result import Evaluation, RunResult
from .sb3_common import NETWORK_HYPERPARAMETERS, train_sb3

__all__ = ["BoxActions", "SACAgent", "box_to_index", "index_to_box"]


def box_to_index(action: np.ndarray, nvec: np.ndarray) -> np.ndarray:
    """Continuous actions in [-1, 1] -> parameter indices (equal-width bins).

    Args:
        action: Shape ``(..., n)``; values outside [-1, 1] are clipped.
        nvec: Number of values of each parameter, shape ``(n,)``.
    """
    a = np.clip(np.asarray(action, dtype=np.float64), -1.0, 1.0)
    idx = np.floor((a + 1.0) / 2.0 * nvec).astype(np.int64)
    return np.minimum(idx, nvec - 1)


def index_to_box(index: np.ndarray, nvec: np.ndarray) -> np.ndarray:
    """Parameter indices -> their bin centres in [-1, 1] (inverse of :func:`box_to_index`)."""
    return -1.0 + (2.0 * np.asarray(index, dtype=np.float64) + 1.0) / nvec


class BoxActions(gym.ActionWrapper):
    """Present a ``MultiDiscrete`` env with a ``Box(-1, 1, (n,))`` action space."""

    def __init__(self, env: gym.Env):
        super().__init__(env)
        if not isinstance(env.action_space, spaces.MultiDiscrete):
            raise ConfigError(
                f"BoxActions needs a MultiDiscrete action space, got {env.action_space}"
            )
        self.nvec = np.asarray(env.action_space.nvec, dtype=np.int64)
        self.action_space = spaces.Box(-1.0, 1.0, shape=self.nvec.shape, dtype=np.float32)

    def action(self, action: np.ndarray) -> np.ndarray:
        return box_to_index(action, self.nvec)


class SACAgent(Agent):
    """Soft actor-critic (SB3 ``SAC``) on :class:`BoxActions`.

    Hyperparameters:
        learning_rate: Adam step size.
        buffer_size: Replay buffer capacity (transitions).
        learning_starts: Random designs evaluated before learning starts.
        batch_size: Minibatch size.
        tau: Target network soft-update coefficient.
        gamma: Discount factor (irrelevant for 1-step episodes).
        gradient_steps: Gradient steps per env step.
        ent_coef: Entropy coefficient, or ``"auto"`` to tune it.
        hidden_units: Units per hidden layer.
        hidden_layers: Hidden layers of the actor and critics.

    After :meth:`run`, ``self.model`` is the trained SB3 model.
    """

    name = "sac"
    HYPERPARAMETERS = (
        HyperParameter(
            "learning_rate", "float", 3e-3, "Adam step size", low=1e-7, high=1.0, log=True
        ),
        HyperParameter(
            "buffer_size",
            "int",
            100_000,
            "replay buffer capacity",
            low=16,
            high=10_000_000,
            log=True,
        ),
        HyperParameter(
            "learning_starts", "int", 32, "random designs before learning", low=0, high=1_000_000
        ),
        HyperParameter("batch_size", "int", 64, "minibatch size", low=2, high=65_536, log=True),
        HyperParameter("tau", "float", 0.005, "target soft-update coefficient", low=0.0, high=1.0),
        HyperParameter("gamma", "float", 0.99, "discount factor", low=0.0, high=1.0),
        HyperParameter("gradient_steps", "int", 2, "gradient steps per env step", low=1, high=1000),
        HyperParameter(
            "ent_coef",
            "float",
            "auto",
            "entropy coefficient or 'auto'",
            low=0.0,
            high=10.0,
            choices=("auto",),
        ),
        *NETWORK_HYPERPARAMETERS,
    )

    def setup(self) -> None:
        self.model: Any = None

    def run(
        self,
        env: gym.Env,
        budget: int,
        callback: Callable[[Evaluation], Any] | None = None,
        progress: bool = False,
    ) -> RunResult:
        """Train SAC through ``env`` for exactly ``budget`` simulator evaluations."""
        from stable_baselines3 import SAC

        return train_sb3(
            self,
            env,
            budget,
            callback,
            progress,
            SAC,
            wrap=BoxActions,
            learning_rate=self.hp["learning_rate"],
            buffer_size=self.hp["buffer_size"],
            learning_starts=self.hp["learning_starts"],
            batch_size=self.hp["batch_size"],
            tau=self.hp["tau"],
            gamma=self.hp["gamma"],
            train_freq=1,
            gradient_steps=self.hp["gradient_steps"],
            ent_coef=self.hp["ent_coef"],
        )

    def action_probabilities(self, obs: np.ndarray | None = None) -> list[np.ndarray]:
        """The trained policy's probability of each value, one array per parameter.

        Exact: the actor's squashed Gaussian ``tanh(N(mu, sigma))`` puts mass
        ``Phi((atanh(hi) - mu) / sigma) - Phi((atanh(lo) - mu) / sigma)`` on the
        bin ``[lo, hi)`` of each coordinate.

        Args:
            obs: Observation (default: the all-zero reset observation).
        """
        import torch
        from scipy.special import ndtr

        if self.model is None:
            raise ConfigError("agent 'sac' has no policy yet: call run() first")
        actor = self.model.actor
        if obs is None:
            obs = np.zeros(self.model.observation_space.shape, dtype=np.float32)
        with torch.no_grad():
            tensor, _ = self.model.policy.obs_to_tensor(obs)
            mean, log_std, _ = actor.get_action_dist_params(tensor)
        mu, sigma = mean[0].numpy().astype(np.float64), np.exp(log_std[0].numpy())
        nvec = np.asarray(self.space.nvec)
        out = []
        for i, n in enumerate(nvec):
            edges = np.linspace(-1.0, 1.0, int(n) + 1)
            with np.errstate(divide="ignore"):
                z = (np.arctanh(edges) - mu[i]) / sigma[i]
            out.append(np.diff(ndtr(z)))
        return out
