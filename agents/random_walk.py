"""``random_walk``: uniform random sampling of the design space.

The original ArchGym's "random walker" draws every design independently and
uniformly; with declared constraints it draws uniformly among valid designs
(rejection sampling, :meth:`DesignSpace.sample`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from archgym.space import Design

from .base import Agent

__all__ = ["RandomWalk"]


class RandomWalk(Agent):
    """Uniform random search. No hyperparameters."""

    name = "random_walk"

    def ask(self) -> Design:
        return self.space.sample(self.rng)

    def tell(
        self, design: Design, reward: float, metrics: Mapping[str, float], info: Mapping[str, Any]
    ) -> None:
        """Random search ignores feedback."""
