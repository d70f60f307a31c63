"""What "good" means: target specifications, reward formulas, Pareto helpers.

An :class:`Objective` holds a target per metric (e.g. latency <= 120 ns,
power <= 400 mW), a weight per metric and a reward formula:

``"distance"`` (default)
    ``-sum_i w_i * min(GAP_CAP, max(0, (x_i - t_i) / t_i))`` for metrics to
    minimise and the same with ``(t_i - x_i)`` for metrics to maximise: the
    weighted relative shortfall. It is 0 exactly when every target is met,
    negative otherwise, and does not reward overshooting a target. Each
    relative shortfall is capped at :data:`GAP_CAP` (a metric a million times
    its target) so the reward stays finite whatever the metric.
``"archgym"``
    The original ArchGym form, ``prod_i t_i / |x_i - t_i|``: largest when each
    metric sits *on* its target. Each ``|x_i - t_i|`` is floored at
    ``1e-3 * |t_i|`` (so a single factor is at most 1e3) and the product is
    capped at 1e3. Use it to reproduce the paper's results.
``"weighted"``
    ``-sum_i w_i * s_i * min(GAP_CAP, x_i / t_i)`` with ``s_i = +1`` for metrics
    to minimise and ``-1`` for metrics to maximise: a scalarised cost
    normalised by the targets.

Targets are positive, finite numbers in the metric's unit (every ArchGym metric
is a positive physical quantity: a time, a power, an area, a bandwidth, a
rate), and weights are finite and >= 0. An objective is checked when it is
made; a bad target raises :class:`~archgym.errors.ConfigError` naming it.

The Pareto helpers (:func:`pareto_mask`, :func:`hypervolume`) work on any
number of points and 2–3 objectives.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from archgym.checks import number_map
from archgym.errors import ConfigError, UnknownName
from archgym.registry import Registry
from archgym.simulator import Metric

__all__ = ["FORMULAS", "Objective", "RewardFormula", "hypervolume", "pareto_mask"]

ARCHGYM_CAP = 1e3
#: Largest relative shortfall one metric contributes (keeps rewards finite).
GAP_CAP = 1e6

Targets = Mapping[str, float]


@dataclass(frozen=True)
class RewardFormula:
    """A reward formula: ``reward(metrics, targets, weights, goals) -> float``.

    Attributes:
        name: Registry name.
        reward: The formula (higher is better).
        invalid_reward: The default reward of an invalid design: far below
            what valid designs get, so no agent prefers an invalid design.
    """

    name: str
    reward: Callable[[Mapping[str, float], Targets, Targets, Mapping[str, str]], float]
    invalid_reward: float


def _distance(metrics: Mapping[str, float], targets: Targets, weights: Targets,
              goals: Mapping[str, str]) -> float:
    total = 0.0
    for name, t in targets.items():
        gap = (metrics[name] - t) / abs(t)
        if goals[name] == "max":
            gap = -gap
        total += weights[name] * min(GAP_CAP, max(0.0, gap))
    return 0.0 - float(total)  # 0.0 - x: never -0.0


def _archgym(metrics: Mapping[str, float], targets: Targets, weights: Targets,
             goals: Mapping[str, str]) -> float:
    product = 1.0
    for name, t in targets.items():
        product *= abs(t) / max(abs(metrics[name] - t), 1e-3 * abs(t))
    return float(min(product, ARCHGYM_CAP))


def _weighted(metrics: Mapping[str, float], targets: Targets, weights: Targets,
              goals: Mapping[str, str]) -> float:
    total = 0.0
    for name, t in targets.items():
        sign = 1.0 if goals[name] == "min" else -1.0
        total += weights[name] * sign * min(GAP_CAP, metrics[name] / t)
    return -float(total)


#: Reward formula name -> :class:`RewardFormula`.
FORMULAS: Registry[RewardFormula] = Registry("reward formula")
FORMULAS.register("distance", RewardFormula("distance", _distance, -1000.0))
FORMULAS.register("archgym", RewardFormula("archgym", _archgym, 0.0))
FORMULAS.register("weighted", RewardFormula("weighted", _weighted, -1000.0))


@dataclass(frozen=True)
class Objective:
    """Targets, weights and a reward formula over named metrics.

    Args:
        targets: Metric name -> target value (in the metric's unit), a
            positive finite number.
        weights: Metric name -> weight (default 1 for every target), finite
            and >= 0.
        formula: A name in :data:`FORMULAS`.
        goals: Metric name -> ``"min"`` or ``"max"``. Filled in from the
            simulator's metric specs by :meth:`bind`; ``"min"`` otherwise.
    """

    targets: Mapping[str, float]
    weights: Mapping[str, float] = field(default_factory=dict)
    formula: str = "distance"
    goals: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.targets, Mapping) or not self.targets:
            raise ConfigError(
                f"an Objective needs targets: a non-empty mapping of metric -> target, "
                f"got {self.targets!r}"
            )
        if not isinstance(self.formula, str):
            raise ConfigError(f"reward_formula must be a name, got {self.formula!r}")
        FORMULAS.get(self.formula)  # UnknownName with a suggestion
        targets = number_map("targets", self.targets, self.targets, positive=True)
        if not isinstance(self.weights, Mapping):
            raise ConfigError(f"weights must be a mapping of metric -> weight, got "
                              f"{self.weights!r}")
        for name in self.weights:
            if name not in self.targets:
                raise UnknownName("weighted metric (no target)", name, self.targets)
        weights = number_map("weights", self.weights, self.targets, non_negative=True)
        if not isinstance(self.goals, Mapping):
            raise ConfigError(f"goals must be a mapping of metric -> 'min'/'max', got "
                              f"{self.goals!r}")
        for name, goal in self.goals.items():
            if goal not in ("min", "max"):
                raise ConfigError(f"goal for {name!r} must be 'min' or 'max', got {goal!r}")
        object.__setattr__(self, "targets", targets)
        object.__setattr__(self, "weights", {k: weights.get(k, 1.0) for k in targets})
        object.__setattr__(self, "goals", {k: self.goals.get(k, "min") for k in self.targets})

    def bind(self, metrics: Sequence[Metric]) -> Objective:
        """Check target names against a simulator's metrics and take their goals."""
        known = {m.name: m for m in metrics}
        for name in self.targets:
            if name not in known:
                raise UnknownName("metric", name, known)
        return replace(self, goals={n: known[n].goal for n in self.targets})

    @property
    def metric_names(self) -> tuple[str, ...]:
        return tuple(self.targets)

    def target_met(self, metrics: Mapping[str, float]) -> bool:
        """Whether every targeted metric meets its target."""
        for name, t in self.targets.items():
            x = metrics[name]
            if not np.isfinite(x):
                return False
            if (self.goals[name] == "min" and x > t) or (self.goals[name] == "max" and x < t):
                return False
        return True

    @property
    def invalid_reward(self) -> float:
        """The formula's default reward of an invalid design."""
        return FORMULAS.get(self.formula).invalid_reward

    def reward(self, metrics: Mapping[str, float]) -> float:
        """The reward of one evaluation (higher is better)."""
        return FORMULAS.get(self.formula).reward(metrics, self.targets, self.weights, self.goals)


# ------------------------------------------------------------------ Pareto
def _as_minimisation(points: np.ndarray, goals: Sequence[str] | None) -> np.ndarray:
    pts = np.asarray(points, dtype=np.float64)
    if pts.ndim != 2:
        raise ValueError(f"points must be a 2-D array (n, n_objectives), got shape {pts.shape}")
    if goals is None:
        return pts
    if len(goals) != pts.shape[1]:
        raise ValueError(f"got {len(goals)} goals for {pts.shape[1]} objectives")
    sign = np.array([1.0 if g == "min" else -1.0 for g in goals])
    return pts * sign


def pareto_mask(points: np.ndarray, goals: Sequence[str] | None = None) -> np.ndarray:
    """Boolean mask of the non-dominated rows of ``points``.

    Args:
        points: Array ``(n, k)`` of objective values.
        goals: ``"min"``/``"max"`` per column (all ``"min"`` when omitted).

    A row is dominated when another row is no worse in every objective and
    strictly better in one. Duplicate non-dominated rows are all kept.
    """
    pts = _as_minimisation(points, goals)
    n = len(pts)
    keep = np.ones(n, dtype=bool)
    for i in range(n):
        if not keep[i]:
            continue
        dominated_by = np.all(pts <= pts[i], axis=1) & np.any(pts < pts[i], axis=1)
        if dominated_by.any():
            keep[i] = False
    return keep


def hypervolume(
    points: np.ndarray,
    reference: Iterable[float],
    goals: Sequence[str] | None = None,
) -> float:
    """The hypervolume dominated by ``points`` and bounded by ``reference``.

    Args:
        points: Array ``(n, k)`` of objective values, ``k`` in {1, 2, 3}.
        reference: The reference point (worse than every point of interest);
            points that do not dominate it contribute nothing.
        goals: ``"min"``/``"max"`` per column (all ``"min"`` when omitted).
    """
    pts = _as_minimisation(points, goals)
    ref = _as_minimisation(np.asarray([list(reference)], dtype=np.float64), goals)[0]
    if pts.shape[1] != len(ref):
        raise ValueError(f"reference has {len(ref)} values for {pts.shape[1]} objectives")
    if pts.shape[1] > 3:
        raise ValueError("hypervolume supports 1 to 3 objectives")
    pts = pts[np.all(pts < ref, axis=1)]
    if len(pts) == 0:
        return 0.0
    return float(_hv(pts[pareto_mask(pts)], ref))


def _hv(pts: np.ndarray, ref: np.ndarray) -> float:
    """Hypervolume by slicing along the last objective (exact, O(n^2 log n) in 3-D)."""
    k = pts.shape[1]
    if k == 1:
        return float(ref[0] - pts[:, 0].min())
    order = np.argsort(pts[:, -1])
    pts = pts[order]
    volume = 0.0
    for i in range(len(pts)):
        upper = pts[i + 1, -1] if i + 1 < len(pts) else ref[-1]
        depth = upper - pts[i, -1]
        if depth <= 0:
            continue
        slab = pts[: i + 1, :-1]
        volume += _hv(slab[pareto_mask(slab)], ref[:-1]) * depth
    return volume if math.isfinite(volume) else float("nan")
