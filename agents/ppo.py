"""``ppo``: Stable-Baselines3 PPO on the env's ``MultiDiscrete`` action space (thin adapter).

The policy is a factorised categorical distribution, one categorical per
design parameter. With the default ``max_steps=1`` each episode is one
design (a contextual bandit whose context is the all-zero reset
observation); with longer episodes the observation is the last design's
normalised metrics.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gymnasium as gym
import numpy as np

from archgym.errors import ConfigError

from .base import Agent
from .hyperparameters import HyperParameter
from .result import Evaluation, RunResult
from .sb3_common import NETWORK_HYPERPARAMETERS, train_sb3

__all__ = ["PPOAgent"]


#: The PPO hyperparameters shared by ``ppo`` and the multi-agent ``marl`` learners.
PPO_HYPERPARAMETERS = (
    HyperParameter("learning_rate", "float", 3e-3, "Adam step size", low=1e-7, high=1.0, log=True),
    HyperParameter(
        "n_steps", "int", 32, "steps (simulator calls) per rollout", low=2, high=65_536, log=True
    ),
    HyperParameter("batch_size", "int", 32, "minibatch size", low=2, high=65_536, log=True),
    HyperParameter("n_epochs", "int", 10, "passes over each rollout", low=1, high=100),
    HyperParameter("ent_coef", "float", 0.01, "entropy bonus coefficient", low=0.0, high=1.0),
    HyperParameter("clip_range", "float", 0.2, "PPO clipping parameter", low=0.01, high=1.0),
    HyperParameter("gamma", "float", 0.99, "discount factor", low=0.0, high=1.0),
    HyperParameter("gae_lambda", "float", 0.95, "GAE lambda", low=0.0, high=1.0),
)


class PPOAgent(Agent):
    """Proximal policy optimisation (SB3 ``PPO`` with an MLP policy).

    Hyperparameters:
        learning_rate: Adam step size.
        n_steps: Env steps (simulator evaluations) per rollout.
        batch_size: Minibatch size (must divide into ``n_steps``).
        n_epochs: Passes over each rollout.
        ent_coef: Entropy bonus coefficient.
        clip_range: PPO clipping parameter.
        gamma: Discount factor (irrelevant for 1-step episodes).
        gae_lambda: GAE lambda.
        hidden_units: Units per hidden layer.
        hidden_layers: Hidden layers of the policy and value networks.

    After :meth:`run`, ``self.model`` is the trained SB3 model.
    """

    name = "ppo"
    HYPERPARAMETERS = (*PPO_HYPERPARAMETERS, *NETWORK_HYPERPARAMETERS)

    def setup(self) -> None:
        if self.hp["batch_size"] > self.hp["n_steps"]:
            raise ConfigError(
                f"agent 'ppo': batch_size ({self.hp['batch_size']}) must be <= n_steps "
                f"({self.hp['n_steps']})"
            )
        self.model: Any = None

    def run(
        self,
        env: gym.Env,
        budget: int,
        callback: Callable[[Evaluation], Any] | None = None,
        progress: bool = False,
    ) -> RunResult:
        """Train PPO through ``env`` for exactly ``budget`` simulator evaluations."""
        from stable_baselines3 import PPO

        return train_sb3(
            self,
            env,
            budget,
            callback,
            progress,
            PPO,
            learning_rate=self.hp["learning_rate"],
            n_steps=self.hp["n_steps"],
            batch_size=self.hp["batch_size"],
            n_epochs=self.hp["n_epochs"],
            ent_coef=self.hp["ent_coef"],
            clip_range=self.hp["clip_range"],
            gamma=self.hp["gamma"],
            gae_lambda=self.hp["gae_lambda"],
        )

    def action_probabilities(self, obs: np.ndarray | None = None) -> list[np.ndarray]:
        """The trained policy's probability of each value, one array per parameter.

        Args:
            obs: Observation (default: the all-zero reset observation).
        """
        import torch

        if self.model is None:
            raise ConfigError("agent 'ppo' has no policy yet: call run() first")
        policy = self.model.policy
        if obs is None:
            obs = np.zeros(self.model.observation_space.shape, dtype=np.float32)
        with torch.no_grad():
            tensor, _ = policy.obs_to_tensor(obs)
            dist = policy.get_distribution(tensor)
            return [d.probs[0].numpy().astype(np.float64) for d in dist.distribution]
