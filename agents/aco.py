"""``aco``: ant colony optimisation over a categorical design space (hand-written).

No maintained library implements ACO for a mixed categorical/ordinal design
space, so it is written here. It keeps the original ArchGym's four
hyperparameters (ant count, evaporation rate, greediness, depth) with these
meanings:

* The colony keeps a pheromone level ``tau[p][v] > 0`` on every (parameter,
  value) edge, 1 at the start.
* Each generation sends out ``ants`` ants. An ant starts at the nest — the
  best design found so far (a uniformly random design before the first
  evaluation) — and walks ``depth`` edges: at each step it picks a parameter
  it has not yet visited (uniformly) and sets its value. With probability
  ``greediness`` it takes the value with the most pheromone (ties broken at
  random); otherwise it draws a value with probability proportional to
  pheromone. ``depth >= number of parameters`` rebuilds whole designs;
  smaller depths search a neighbourhood of the best design.
* After the generation is evaluated, pheromone evaporates
  (``tau <- (1 - evaporation) * tau``) and every ant deposits on its design's
  edges ``q = (r - r_min) / (r_max - r_min)`` of the generation's rewards (1
  for the generation's best, 0 for its worst); the best design so far also
  deposits 1. Invalid designs deposit nothing. Pheromone is kept above
  ``1e-3`` so no value becomes unreachable.

An ant whose design breaks a constraint, or repeats a design the colony has
already proposed, walks again; after 100 such walks (a converged colony) it
explores a uniformly random valid design instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from archgym.space import Design

from .base import Agent
from .hyperparameters import HyperParameter

__all__ = ["AntColony"]

TAU_MIN = 1e-3
_MAX_WALKS = 100


class AntColony(Agent):
    """Ant colony optimisation (see the module docstring).

    Hyperparameters:
        ants: Ants (designs) per generation.
        evaporation: Fraction of pheromone lost per generation.
        greediness: Probability that an ant takes the value with most pheromone.
        depth: Edges (parameters set) per ant walk from the best design.
    """

    name = "aco"
    HYPERPARAMETERS = (
        HyperParameter("ants", "int", 8, "ants (designs evaluated) per generation",
                       low=1, high=256),
        HyperParameter("evaporation", "float", 0.25, "fraction of pheromone lost per generation",
                       low=0.0, high=1.0),
        HyperParameter("greediness", "float", 0.5,
                       "probability of taking the value with the most pheromone",
                       low=0.0, high=1.0),
        HyperParameter("depth", "int", 4, "parameters set per ant walk from the best design",
                       low=1, high=64),
    )

    def setup(self) -> None:
        self.pheromone = [np.ones(n, dtype=np.float64) for n in self.space.nvec]
        self.best_index: np.ndarray | None = None
        self.best_reward = -np.inf
        self._queue: list[np.ndarray] = []
        self._told: list[tuple[np.ndarray, float]] = []
        self._seen: set[tuple[int, ...]] = set()
        self._outstanding = 0  # ants of the current generation not yet told

    # ------------------------------------------------------------ proposing
    def _walk(self) -> np.ndarray:
        if self.best_index is None:
            return self.space.to_index(self.space.sample(self.rng))
        idx = self.best_index.copy()
        depth = min(self.hp["depth"], len(self.space))
        for p in self.rng.permutation(len(self.space))[:depth]:
            tau = self.pheromone[p]
            if self.rng.random() < self.hp["greediness"]:
                choices = np.flatnonzero(tau == tau.max())
                idx[p] = choices[self.rng.integers(len(choices))]
            else:
                idx[p] = self.rng.choice(len(tau), p=tau / tau.sum())
        return idx

    def _ant(self) -> np.ndarray:
        for _ in range(_MAX_WALKS):
            idx = self._walk()
            if tuple(idx) not in self._seen and self.space.is_valid(self.space.from_index(idx)):
                return idx
        return self.space.to_index(self.space.sample(self.rng))

    def ask(self) -> Design:
        if not self._queue:
            for _ in range(self.hp["ants"]):
                idx = self._ant()
                self._seen.add(tuple(idx))
                self._queue.append(idx)
            self._outstanding += self.hp["ants"]
        return self.space.from_index(self._queue.pop(0))

    # ------------------------------------------------------------- learning
    def tell(
        self, design: Design, reward: float, metrics: Mapping[str, float], info: Mapping[str, Any]
    ) -> None:
        idx = self.space.to_index(design)
        valid = not info.get("invalid", False) and np.isfinite(reward)
        if valid:
            self._told.append((idx, float(reward)))
            if reward > self.best_reward:
                self.best_reward, self.best_index = float(reward), idx
        self._outstanding -= 1
        if self._outstanding <= 0:
            self._outstanding = 0
            self._update(self._told)
            self._told = []

    def _update(self, generation: list[tuple[np.ndarray, float]]) -> None:
        keep = 1.0 - self.hp["evaporation"]
        for tau in self.pheromone:
            tau *= keep
        if generation:
            rewards = np.array([r for _, r in generation])
            span = rewards.max() - rewards.min()
            quality = (rewards - rewards.min()) / span if span > 0 else np.ones_like(rewards)
            for (idx, _), q in zip(generation, quality, strict=True):
                self._deposit(idx, q)
        if self.best_index is not None:
            self._deposit(self.best_index, 1.0)
        for tau in self.pheromone:
            np.maximum(tau, TAU_MIN, out=tau)

    def _deposit(self, idx: np.ndarray, amount: float) -> None:
        for p, v in enumerate(idx):
            self.pheromone[p][v] += amount
