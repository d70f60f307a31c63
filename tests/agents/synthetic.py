"""Test-only synthetic simulators for the agent suite.

``SepSimulator``: a separable cost over six categorical parameters with eight
values each (262,144 designs)::

    cost = 1 + sum_i PENALTY[i][value_i]

Every parameter has one zero-penalty value, so the optimum has cost 1.0 and
reward 0 (target cost <= 1). Penalties of the other values are 1..7 in a
per-parameter order, so random search at a budget of 200 stays far from the
optimum (its best-of-200 cost is about 7) while any agent that learns
per-parameter preferences gets close.

``BanditSimulator``: three categorical parameters with four values each (64
designs, chance 1/64); the design ``(v2, v1, v3)`` has reward 0, every other
design -1 per wrong parameter. With ``max_steps=1`` (the default) it is a
1-step env where one design is best.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from archgym.env import ArchEnv
from archgym.parameters import Categorical
from archgym.simulator import Metric, Simulator
from archgym.space import DesignSpace

SEP_VALUES = tuple(f"v{k}" for k in range(8))
# One row per parameter: penalty of value index k (a permutation of 0..7).
SEP_PENALTY = (
    (3, 1, 0, 2, 5, 4, 7, 6),
    (6, 4, 2, 1, 0, 3, 5, 7),
    (0, 2, 1, 4, 3, 6, 5, 7),
    (7, 5, 3, 1, 2, 4, 6, 0),
    (2, 0, 1, 3, 5, 7, 6, 4),
    (5, 6, 7, 4, 3, 2, 0, 1),
)
SEP_BEST = {f"p{i}": SEP_VALUES[row.index(0)] for i, row in enumerate(SEP_PENALTY)}

BANDIT_BEST = {"x": "v2", "y": "v1", "z": "v3"}


class SepSimulator(Simulator):
    """Separable cost over six 8-valued categorical parameters."""

    metrics = (Metric("cost", "a.u."),)
    workloads = ("default",)

    def __init__(self) -> None:
        self.design_space = DesignSpace(
            {f"p{i}": Categorical(SEP_VALUES) for i in range(len(SEP_PENALTY))}
        )

    def evaluate(self, design: Mapping[str, Any], workload: Any = "default") -> dict[str, float]:
        self.check_workload(workload)
        cost = 1.0 + sum(
            SEP_PENALTY[i][SEP_VALUES.index(design[f"p{i}"])] for i in range(len(SEP_PENALTY))
        )
        return {"cost": float(cost)}


class SepEnv(ArchEnv):
    """The separable simulator as an env; reward 0 at the optimum (cost 1)."""

    def __init__(self, workload: str = "default", **kwargs: Any):
        super().__init__(SepSimulator(), workload, default_targets={"cost": 1.0}, **kwargs)


class BanditSimulator(Simulator):
    """64 designs; ``cost`` = 1 + number of parameters that differ from BANDIT_BEST."""

    metrics = (Metric("cost", "a.u."),)
    workloads = ("default",)

    def __init__(self) -> None:
        self.design_space = DesignSpace(
            {n: Categorical(["v0", "v1", "v2", "v3"]) for n in BANDIT_BEST}
        )

    def evaluate(self, design: Mapping[str, Any], workload: Any = "default") -> dict[str, float]:
        self.check_workload(workload)
        wrong = sum(design[n] != v for n, v in BANDIT_BEST.items())
        return {"cost": 1.0 + wrong}


class BanditEnv(ArchEnv):
    """The bandit simulator as a 1-step env; reward = -(number of wrong parameters)."""

    def __init__(self, workload: str = "default", **kwargs: Any):
        super().__init__(BanditSimulator(), workload, default_targets={"cost": 1.0}, **kwargs)
