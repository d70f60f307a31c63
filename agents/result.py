"""What a search run returns: every evaluation, and the best one.

:class:`RunRecorder` is the single place where evaluations become records;
black-box agents use it through :meth:`Agent.run`, RL agents through the
:class:`RecordingWrapper` around the env they train on, so every agent's
history has the same shape and the same budget meaning.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import gymnasium as gym
import numpy as np

from archgym.errors import ArchGymError

__all__ = ["BudgetExceeded", "Evaluation", "RecordingWrapper", "RunRecorder", "RunResult"]


class BudgetExceeded(ArchGymError, RuntimeError):
    """An agent tried to evaluate more designs than its budget allows."""


@dataclass(frozen=True)
class Evaluation:
    """One simulator evaluation.

    Attributes:
        step: 0-based evaluation number within the run.
        design: The evaluated design.
        reward: The env's reward.
        metrics: Raw metric values in the env's units (NaN when invalid).
        invalid: Whether the env rejected the design (penalty reward).
        eval_seconds: Wall time of the simulator call, in seconds.
    """

    step: int
    design: dict[str, Any]
    reward: float
    metrics: dict[str, float]
    invalid: bool
    eval_seconds: float = 0.0


@dataclass
class RunResult:
    """The outcome of ``Agent.run``.

    Attributes:
        agent: Registry name of the agent.
        seed: The agent's seed (``None`` when unseeded).
        budget: Number of simulator evaluations the run was allowed (and made).
        history: One :class:`Evaluation` per simulator call, in order.
        wall_seconds: Wall time of the whole run, in seconds.
    """

    agent: str
    seed: int | None
    budget: int
    history: list[Evaluation] = field(default_factory=list)
    wall_seconds: float = 0.0

    @property
    def best(self) -> Evaluation:
        """The best evaluation: highest reward among valid ones (earliest on ties).

        Invalid evaluations count only when no evaluation was valid.
        """
        if not self.history:
            raise ValueError("the run made no evaluation")
        return max(self.history, key=lambda e: (not e.invalid, e.reward, -e.step))

    @property
    def best_design(self) -> dict[str, Any]:
        return self.best.design

    @property
    def best_reward(self) -> float:
        return self.best.reward

    @property
    def best_metrics(self) -> dict[str, float]:
        return self.best.metrics

    @property
    def n_evaluations(self) -> int:
        return len(self.history)

    @property
    def n_invalid(self) -> int:
        return sum(e.invalid for e in self.history)

    @property
    def rewards(self) -> np.ndarray:
        """Reward of every evaluation, shape ``(n_evaluations,)``."""
        return np.array([e.reward for e in self.history], dtype=np.float64)

    def best_so_far(self) -> np.ndarray:
        """Running maximum of the reward over valid evaluations (-inf before the first)."""
        r = np.array([-math.inf if e.invalid else e.reward for e in self.history], dtype=np.float64)
        return np.maximum.accumulate(r) if len(r) else r

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able summary (history included)."""
        return {
            "agent": self.agent,
            "seed": self.seed,
            "budget": self.budget,
            "wall_seconds": self.wall_seconds,
            "best": _evaluation_dict(self.best) if self.history else None,
            "history": [_evaluation_dict(e) for e in self.history],
        }


def _evaluation_dict(e: Evaluation) -> dict[str, Any]:
    return {
        "step": e.step,
        "design": dict(e.design),
        "reward": e.reward,
        "metrics": dict(e.metrics),
        "invalid": e.invalid,
        "eval_seconds": e.eval_seconds,
    }


class RunRecorder:
    """Turns env steps into :class:`Evaluation` records and enforces the budget.

    Args:
        agent: Registry name of the agent.
        seed: The agent's seed.
        budget: Maximum number of evaluations.
        callback: Called with each new :class:`Evaluation`.
        progress: Show a progress bar (tqdm, on standard error; off when it is
            not a terminal).
    """

    def __init__(
        self,
        agent: str,
        seed: int | None,
        budget: int,
        callback: Callable[[Evaluation], Any] | None = None,
        progress: bool = False,
    ):
        self.result = RunResult(agent=agent, seed=seed, budget=budget)
        self.callback = callback
        self._start = time.perf_counter()
        self._bar: Any = None
        if progress:
            from tqdm import tqdm

            self._bar = tqdm(total=budget, desc=agent, unit="eval", disable=None,
                             dynamic_ncols=True, leave=False)

    @property
    def count(self) -> int:
        return len(self.result.history)

    @property
    def done(self) -> bool:
        return self.count >= self.result.budget

    @property
    def budget(self) -> int:
        """Simulator evaluations the run may make."""
        return self.result.budget

    def check_budget(self) -> None:
        """Raise :class:`BudgetExceeded` when the budget is used up."""
        if self.done:
            raise BudgetExceeded(
                f"agent {self.result.agent!r} tried evaluation {self.count + 1} "
                f"but its budget is {self.result.budget}"
            )

    def record(self, reward: float, info: Mapping[str, Any]) -> Evaluation:
        """Record one env step from its reward and ``info``."""
        evaluation = Evaluation(
            step=self.count,
            design=dict(info["design"]),
            reward=float(reward),
            metrics=dict(info.get("metrics", {})),
            invalid=bool(info.get("invalid", False)),
            eval_seconds=float(info.get("eval_seconds", 0.0)),
        )
        self.result.history.append(evaluation)
        if self._bar is not None:
            self._bar.update(1)
        if self.callback is not None:
            self.callback(evaluation)
        return evaluation

    def finish(self) -> RunResult:
        """The finished :class:`RunResult` (wall time filled in)."""
        self.result.wall_seconds = time.perf_counter() - self._start
        if self._bar is not None:
            self._bar.close()
        return self.result


class RecordingWrapper(gym.Wrapper):
    """Records every ``step`` of the wrapped env in a :class:`RunRecorder`.

    Used by agents that train through the env (PPO, SAC): a step beyond the
    budget raises :class:`BudgetExceeded` instead of calling the simulator.
    """

    def __init__(self, env: gym.Env, recorder: RunRecorder):
        super().__init__(env)
        self.recorder = recorder

    def step(self, action: Any) -> tuple[Any, float, bool, bool, dict[str, Any]]:
        self.recorder.check_budget()
        obs, reward, terminated, truncated, info = self.env.step(action)
        self.recorder.record(float(reward), info)
        return obs, float(reward), terminated, truncated, info
