"""A test simulator with known smooth metrics, for proxy tests.

``latency`` is a smooth function of every parameter; ``power`` grows as
``size ** 1.2`` and spans three orders of magnitude (so it is log-transformed).
The ``"hot"`` workload multiplies power by 1.3. ``SmoothSimulator.calls``
counts evaluations.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from archgym.env import ArchEnv
from archgym.parameters import Categorical, IntegerRange, PowerOfTwo
from archgym.simulator import Metric, Simulator
from archgym.space import DesignSpace

MODE_OFFSET = {"a": 0.0, "b": 2.0, "c": 5.0}


def smooth_space(x_high: int = 15) -> DesignSpace:
    return DesignSpace(
        {
            "x": IntegerRange(0, x_high),
            "y": IntegerRange(0, 15),
            "size": PowerOfTwo(1, 256),
            "mode": Categorical(["a", "b", "c"]),
        }
    )


def latency(d: Mapping[str, Any]) -> float:
    return (
        20.0
        + 5.0 * math.sin(d["x"] / 5.0)
        + (d["y"] - 7) ** 2 / 10.0
        + 3.0 * math.log2(d["size"])
        + MODE_OFFSET[d["mode"]]
    )


def power(d: Mapping[str, Any], workload: str) -> float:
    return 0.5 * d["size"] ** 1.2 * (1.0 + d["x"] / 30.0) * (1.3 if workload == "hot" else 1.0)


class SmoothSimulator(Simulator):
    metrics = (Metric("latency", "ns"), Metric("power", "mW"))
    workloads = ("base", "hot")

    def __init__(self, x_high: int = 15) -> None:
        self.design_space = smooth_space(x_high)
        self.calls = 0

    def evaluate(self, design: Mapping[str, Any], workload: Any = "base") -> dict[str, float]:
        self.check_workload(workload)
        self.calls += 1
        return {"latency": latency(design), "power": power(design, workload)}


class SmoothEnv(ArchEnv):
    """The smooth simulator as an env; targets latency <= 25 ns, power <= 10 mW."""

    def __init__(self, workload: str = "base", x_high: int = 15, **kwargs: Any):
        super().__init__(
            SmoothSimulator(x_high),
            workload,
            default_targets={"latency": 25.0, "power": 10.0},
            **kwargs,
        )
