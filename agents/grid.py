"""``grid``: deterministic enumeration of a grid over the design space.

The grid takes ``points`` evenly spaced values of each parameter (every value
when ``points`` is ``None`` or at least the parameter's size; categorical
parameters always keep every value). Grid points are visited without
repetition in the order ``k -> (a * k + b) mod N`` over the mixed-radix grid
index, with ``a`` coprime to ``N`` and ``a``, ``b`` drawn from the seed: a
full-cycle permutation that needs no memory. (Optuna's ``GridSampler``
materialises the whole product — 1.8 million tuples for the DRAM space — so it
is not used here.) Points that break a constraint are skipped; after the whole
grid was visited the enumeration starts over.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from archgym.errors import InvalidDesign
from archgym.parameters import Categorical
from archgym.space import Design

from .base import Agent
from .hyperparameters import HyperParameter

__all__ = ["GridSearch"]


class GridSearch(Agent):
    """Grid search in a seeded, repetition-free order.

    Hyperparameters:
        points: Values per ordered parameter (evenly spaced indices, ends
            included); ``None`` keeps every value.
        shuffle: Visit grid points in a seeded permuted order (``False``:
            lexicographic order, last parameter fastest).
    """

    name = "grid"
    HYPERPARAMETERS = (
        HyperParameter("points", "int", None, "values per ordered parameter (None: all)",
                       low=2, high=1024, nullable=True),
        HyperParameter("shuffle", "bool", True, "visit grid points in a seeded order"),
    )

    def setup(self) -> None:
        points = self.hp["points"]
        self.axes: list[np.ndarray] = []
        for p in self.space.parameters.values():
            n = len(p)
            if points is None or points >= n or isinstance(p, Categorical):
                self.axes.append(np.arange(n))
            else:
                self.axes.append(np.unique(np.round(np.linspace(0, n - 1, points)).astype(int)))
        self.size = math.prod(len(a) for a in self.axes)
        if self.hp["shuffle"] and self.size > 1:
            a = 1 + self._randbelow(self.size - 1)
            while math.gcd(a, self.size) != 1:
                a = a % (self.size - 1) + 1
            self._a, self._b = a, self._randbelow(self.size)
        else:
            self._a, self._b = 1, 0
        self._k = 0

    def _randbelow(self, n: int) -> int:
        """A random Python int in ``[0, n)`` (grids can exceed 64 bits; slight modulo bias)."""
        nbytes = (n.bit_length() + 7) // 8 + 8
        return int.from_bytes(self.rng.bytes(nbytes), "little") % n

    def point(self, k: int) -> Design:
        """The ``k``-th grid point in visiting order (``k`` taken modulo the grid size)."""
        g = (self._a * (k % self.size) + self._b) % self.size
        idx = []
        for axis in reversed(self.axes):
            g, r = divmod(g, len(axis))
            idx.append(int(axis[r]))
        return self.space.from_index(idx[::-1])

    def ask(self) -> Design:
        for _ in range(self.size):
            design = self.point(self._k)
            self._k += 1
            try:
                return self.space.validate(design)
            except InvalidDesign:
                continue
        raise InvalidDesign("no grid point satisfies the design space's constraints")

    def tell(
        self, design: Design, reward: float, metrics: Mapping[str, float], info: Mapping[str, Any]
    ) -> None:
        """Grid search ignores feedback."""
