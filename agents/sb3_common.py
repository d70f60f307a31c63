"""Glue shared by the Stable-Baselines3 agents (``ppo``, ``sac``).

SB3 trains through the env; the env is wrapped in a
:class:`~archgym.agents.result.RecordingWrapper` so every simulator call is
recorded, and :func:`budget_callback` stops ``learn`` right after the
``budget``-th call, so a run makes exactly ``budget`` evaluations whatever
``n_steps`` is (a last partial rollout is not trained on); ``learn`` is
called with ``total_timesteps=budget``.

Seeding: SB3's ``seed=`` seeds Python's, NumPy's and torch's global RNGs
(SB3's own behaviour; an adapter cannot avoid it) and the env's
``reset(seed=...)``; torch runs on one CPU thread, which makes runs
bit-for-bit reproducible.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gymnasium as gym

from archgym.threads import torch_threads

from .hyperparameters import HyperParameter
from .result import Evaluation, RecordingWrapper, RunRecorder, RunResult

__all__ = ["NETWORK_HYPERPARAMETERS", "budget_callback", "net_arch", "train_sb3"]

NETWORK_HYPERPARAMETERS = (
    HyperParameter("hidden_units", "int", 64, "units per hidden layer", low=4, high=1024, log=True),
    HyperParameter(
        "hidden_layers", "int", 2, "hidden layers of the policy and value nets", low=1, high=4
    ),
)


def net_arch(hp: Any) -> list[int]:
    """The ``net_arch`` list of SB3's ``policy_kwargs`` from the network hyperparameters."""
    return [int(hp["hidden_units"])] * int(hp["hidden_layers"])


def budget_callback(recorder: RunRecorder) -> Any:
    """An SB3 callback that stops training once ``recorder`` has used the budget."""
    from stable_baselines3.common.callbacks import BaseCallback

    class _StopAtBudget(BaseCallback):
        def _on_step(self) -> bool:
            if not recorder.done:
                return True
            # On-policy: a rollout that is complete exactly at the budget is still
            # trained on (``learn`` then ends by itself); a partial one is dropped.
            # Off-policy algorithms have no rollout length: stop at once.
            n_steps = getattr(self.model, "n_steps", None)
            if n_steps is None:
                return False
            return self.num_timesteps % (int(n_steps) * self.model.n_envs) == 0

    return _StopAtBudget()


def train_sb3(
    agent: Any,
    env: gym.Env,
    budget: int,
    callback: Callable[[Evaluation], Any] | None,
    progress: bool,
    algorithm: type,
    wrap: Callable[[gym.Env], gym.Env] = lambda e: e,
    **algorithm_kwargs: Any,
) -> RunResult:
    """Train an SB3 ``algorithm`` through ``env`` for exactly ``budget`` evaluations.

    Sets ``agent.model`` to the trained model. The env is recorded, then
    wrapped by ``wrap`` (e.g. a Box action mapping) before SB3 sees it; the
    policy network comes from the agent's network hyperparameters.
    """
    recorder = agent.start_run(env, budget, callback, progress)
    with torch_threads(1):
        agent.model = algorithm(
            "MlpPolicy",
            wrap(RecordingWrapper(env, recorder)),
            policy_kwargs={"net_arch": net_arch(agent.hp)},
            seed=agent.int_seed(3),
            device="cpu",
            verbose=0,
            **algorithm_kwargs,
        )
        agent.model.learn(total_timesteps=recorder.budget, callback=budget_callback(recorder))
    return recorder.finish()
