"""A small test-only simulator with a known optimum.

``ToySimulator`` is a separable function over six parameters (three
categorical, two powers of two, one integer range). Its ``cost`` metric is the
sum of per-parameter penalties, so the single best design is known:
:data:`BEST_DESIGN` with cost 1.0. A constraint (``a == "c"`` and ``d == 64``
together are forbidden) gives invalid designs, and the simulator itself
rejects ``f == 7`` with ``InvalidDesign`` to exercise the env's penalty path.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from archgym.env import ArchEnv
from archgym.errors import InvalidDesign
from archgym.parameters import Categorical, IntegerChoices, IntegerRange, PowerOfTwo
from archgym.simulator import Metric, Simulator
from archgym.space import Constraint, DesignSpace

PENALTY = {
    "a": {"x": 4.0, "y": 2.0, "z": 0.0, "c": 3.0},
    "b": {"lo": 3.0, "mid": 0.0, "hi": 5.0},
    "c": {"p": 0.0, "q": 6.0},
}
BEST_DESIGN = {"a": "z", "b": "mid", "c": "p", "d": 16, "e": 8, "f": 3}


def _a_c_forbids_d_64(design: Mapping[str, Any]) -> bool:
    return not (design["a"] == "c" and design["d"] == 64)


def toy_space() -> DesignSpace:
    return DesignSpace(
        {
            "a": Categorical(["x", "y", "z", "c"]),
            "b": Categorical(["lo", "mid", "hi"]),
            "c": Categorical(["p", "q"]),
            "d": PowerOfTwo(1, 64),
            "e": IntegerChoices([2, 4, 8, 16]),
            "f": IntegerRange(0, 9),
        },
        constraints=[Constraint(_a_c_forbids_d_64, "a='c' forbids d=64")],
    )


def toy_cost(design: Mapping[str, Any]) -> float:
    return (
        1.0
        + PENALTY["a"][design["a"]]
        + PENALTY["b"][design["b"]]
        + PENALTY["c"][design["c"]]
        + abs(np.log2(design["d"]) - 4.0)
        + 0.5 * abs(np.log2(design["e"]) - 3.0)
        + abs(design["f"] - 3) ** 2 / 4.0
    )


class ToySimulator(Simulator):
    """Separable toy cost; ``area`` grows with ``d * e``."""

    metrics = (Metric("cost", "a.u."), Metric("area", "mm2"), Metric("speed", "ops/s", "max"))
    workloads = ("default", "shifted")

    def __init__(self) -> None:
        self.design_space = toy_space()
        self.calls = 0

    def evaluate(self, design: Mapping[str, Any], workload: Any = "default") -> dict[str, float]:
        self.check_workload(workload)
        self.calls += 1
        if design["f"] == 7:
            raise InvalidDesign("f=7 is forbidden by the toy hardware", parameter="f", value=7)
        cost = toy_cost(design) * (1.5 if workload == "shifted" else 1.0)
        area = float(design["d"] * design["e"]) / 16.0
        return {"cost": float(cost), "area": area, "speed": 100.0 / cost}


class ToyEnv(ArchEnv):
    """The toy simulator as an env; default target cost <= 1.5, area <= 16."""

    def __init__(self, workload: str = "default", **kwargs: Any):
        super().__init__(
            ToySimulator(),
            workload,
            default_targets={"cost": 1.5, "area": 16.0},
            default_scales={"speed": 50.0},
            **kwargs,
        )
