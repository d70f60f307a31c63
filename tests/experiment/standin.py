"""Test-only stand-ins: a toy-env registration module and small agents.

Sweep specs in the tests name ``imports: [tests.experiment.standin]`` (so that
worker processes register ``archgym-test/Toy-v0`` too) and agents by entry
point, e.g. ``tests.experiment.standin:RandomAgent``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, ClassVar

import gymnasium as gym
import numpy as np

from archgym.agents.hyperparameters import HyperParameter, resolve_hyperparameters

TOY_ID = "archgym-test/Toy-v0"
if TOY_ID not in gym.registry:
    gym.register(id=TOY_ID, entry_point="tests.toysim:ToyEnv")


@dataclass
class StandInResult:
    best_design: dict[str, Any] | None = None
    best_reward: float = -np.inf
    best_metrics: dict[str, float] = field(default_factory=dict)


class _StandIn:
    """Asks for designs in a loop and keeps the best; subclasses choose designs."""

    name: ClassVar[str] = "standin"
    HYPERPARAMETERS: ClassVar[tuple[HyperParameter, ...]] = ()

    def __init__(self, space, *, seed: int | None = None, **hp: Any):
        self.space = space
        self.seed = seed
        self.hp = resolve_hyperparameters(self.name, self.HYPERPARAMETERS, hp)
        self.rng = np.random.default_rng(seed)

    @classmethod
    def hyperparameters(cls) -> dict[str, HyperParameter]:
        return {h.name: h for h in cls.HYPERPARAMETERS}

    def propose(self, best: StandInResult) -> dict[str, Any]:
        raise NotImplementedError

    def run(self, env: gym.Env, budget: int, callback=None) -> StandInResult:
        best = StandInResult()
        env.reset(seed=self.seed)
        for step in range(budget):
            if step == self.hp.get("fail_at", -1):
                raise RuntimeError(f"stand-in failure at evaluation {step}")
            if step == self.hp.get("crash_at", -1):
                import ctypes

                ctypes.string_at(0)  # a segmentation fault, as a broken native kernel makes
            if step == self.hp.get("hang_at", -1):
                time.sleep(3600)
            design = self.propose(best)
            _, reward, term, trunc, info = env.step(self.space.to_index(design))
            if not info["invalid"] and reward > best.best_reward:
                best = StandInResult(dict(info["design"]), float(reward), dict(info["metrics"]))
            if self.hp.get("sleep", 0.0):
                time.sleep(self.hp["sleep"])
            if term or trunc:
                env.reset()
        return best


class RandomAgent(_StandIn):
    """Uniform samples; with probability ``reuse`` a one-parameter change of the best."""

    name = "standin-random"
    HYPERPARAMETERS = (
        HyperParameter("reuse", "float", 0.0, "probability of mutating the best", 0.0, 1.0),
        HyperParameter("sleep", "float", 0.0, "pause per evaluation (s)", 0.0, 1.0),
        HyperParameter("fail_at", "int", -1, "raise at this evaluation", -1, 10_000),
        HyperParameter("crash_at", "int", -1, "segfault at this evaluation", -1, 10_000),
        HyperParameter("hang_at", "int", -1, "hang at this evaluation", -1, 10_000),
    )

    def propose(self, best: StandInResult) -> dict[str, Any]:
        if best.best_design is not None and self.rng.random() < self.hp["reuse"]:
            return _mutate(self.space, best.best_design, 1, self.rng)
        return self.space.sample(self.rng)


class LocalSearch(_StandIn):
    """Changes ``step`` random parameters of the best design so far."""

    name = "standin-local"
    HYPERPARAMETERS = (
        HyperParameter("step", "int", 1, "parameters changed per proposal", 1, 6),
        HyperParameter("sleep", "float", 0.0, "pause per evaluation (s)", 0.0, 1.0),
    )

    def propose(self, best: StandInResult) -> dict[str, Any]:
        if best.best_design is None:
            return self.space.sample(self.rng)
        return _mutate(self.space, best.best_design, self.hp["step"], self.rng)


def _mutate(space, design, n: int, rng: np.random.Generator) -> dict[str, Any]:
    for _ in range(100):
        idx = space.to_index(design).copy()
        for i in rng.choice(len(idx), size=n, replace=False):
            idx[i] = rng.integers(0, space.nvec[i])
        new = space.from_index(idx)
        if space.is_valid(new):
            return new
    return space.sample(rng)


class BrokenAgent(RandomAgent):
    """An agent whose constructor raises (a bug in user code, not a bad hyperparameter)."""

    name = "standin-broken"

    def __init__(self, space, *, seed: int | None = None, **hp: Any):
        raise RuntimeError("stand-in failure in the constructor")
