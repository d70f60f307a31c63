"""``sac``: Stable-Baselines3 SAC through a ``Box`` action wrapper (thin adapter).

SAC needs a continuous action space; the agent trains through
:class:`archgym.wrappers.BoxActions`, which maps ``Box(-1, 1, (n_parameters,))``
actions to parameter indices with equal-width bins (every value reachable).
``BoxActions``, ``box_to_index`` and ``index_to_box`` are re-exported here for
code written when they lived in this module; new code imports them from
:mod:`archgym.wrappers`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gymnasium as gym
import numpy as np

from archgym.errors import ConfigError
from archgym.wrappers import BoxActions, box_to_index, index_to_box

from .base import Agent
from .hyperparameters import HyperParameter
from .result import Evaluation, RunResult
from .sb3_common import NETWORK_HYPERPARAMETERS, train_sb3

__all__ = ["BoxActions", "SACAgent", "box_to_index", "index_to_box"]


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
