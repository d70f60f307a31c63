"""Multi-objective views of a sweep: N-D Pareto fronts per agent and hypervolume vs evaluations.

**Objectives.** An env's objectives are *every* metric its objective targets,
in the objective's order, with their goals (min/max), units and targets, read
from the env description stored with each trial summary
(:func:`env_objectives`). Nothing is dropped: on the DRAM env the fronts and
the hypervolume use latency, power *and* the bandwidth floor.

**Pareto fronts** (:func:`pareto_fronts`). Per env and agent, the designs not
dominated in all ``k`` objectives among the valid designs the agent evaluated
(all its trials pooled). Each front design carries ``meets_targets``: whether
it meets every target. A design that meets every target can only be dominated
by another that meets every target, so the front designs flagged ``True`` are
exactly the Pareto front of the target-meeting designs.

**Target ratios** (:func:`target_ratio`). The Pareto figure puts every
objective on one axis scale: ``value / target`` for a metric to minimise and
``target / value`` for a metric to maximise, so on every axis 1 is the target
and below 1 meets it. Ratios are clipped to ``[RATIO_MIN, RATIO_MAX]`` (a
non-positive value or target falls back to ``exp(gap)``, with ``gap`` the
reward's signed relative shortfall ``(value - target) / |target|``).

**Hypervolume** (:func:`hypervolume_curves`), measured in a space normalised
per env so agents are compared on one scale (:func:`normalisation`):

1. each objective becomes a cost: ``log(value)`` when every valid value of it
   on that env is positive (hardware metrics span decades), else the value;
   negated for a metric to maximise;
2. each cost is mapped to ``[0, 1]``: 0 = the best and 1 = the worst value any
   valid design evaluated on that env (by any agent) reached;
3. the reference point is :data:`REFERENCE` (1.1) on every axis, and the
   hypervolume is reported as a *fraction of the reference box*
   ``[0, 1.1]^k``: 0 = nothing dominated, 1 = one design best on every
   objective at once. Values are dimensionless and comparable across envs
   with different numbers of objectives.

With ``k <= 3`` objectives the hypervolume is exact (a sorted sweep in 2-D,
slices of 2-D sweeps in 3-D). With ``k >= 4`` it is a Monte-Carlo estimate:
:data:`MC_SAMPLES` points drawn uniformly in the reference box from a
generator seeded with the report's seed (the same points for every trial of an
env), the hypervolume being the fraction of them some design dominates; its
standard error ``sqrt(p (1 - p) / MC_SAMPLES)`` (at most 0.002) is in the
``se`` column.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from archgym.experiment.stats import median_band
from archgym.objective import pareto_mask

__all__ = [
    "MC_SAMPLES",
    "RATIO_MAX",
    "RATIO_MIN",
    "REFERENCE",
    "Objectives",
    "env_objectives",
    "front_summary",
    "hypervolume_2d",
    "hypervolume_curves",
    "hypervolume_exact",
    "hypervolume_fraction",
    "meets_targets",
    "normalisation",
    "pareto_fronts",
    "target_ratio",
]

#: Reference point of the normalised hypervolume, on every axis.
REFERENCE = 1.1
#: Uniform samples of the Monte-Carlo hypervolume (``k >= 4`` objectives).
MC_SAMPLES = 2**16
#: Objectives up to which the hypervolume is computed exactly.
EXACT_MAX_OBJECTIVES = 3
#: Clip range of :func:`target_ratio`.
RATIO_MIN, RATIO_MAX = 1e-3, 1e3


@dataclass(frozen=True)
class Objectives:
    """The objectives of one env: every metric its objective targets.

    Attributes:
        names: Metric names, in the objective's order.
        goals: ``"min"``/``"max"`` per metric.
        units: Unit per metric.
        targets: Target per metric (in its unit).
    """

    names: tuple[str, ...]
    goals: tuple[str, ...]
    units: tuple[str, ...]
    targets: tuple[float, ...]

    @property
    def columns(self) -> list[str]:
        """The evaluation-log columns of the metrics (``metric.<name>``)."""
        return [f"metric.{n}" for n in self.names]

    def target_text(self, i: int) -> str:
        """``"<= 45 ns"``-style text of objective ``i``'s target."""
        sign = "\u2264" if self.goals[i] == "min" else "\u2265"
        return f"{sign} {self.targets[i]:.4g} {self.units[i]}".rstrip()


def env_objectives(description: Mapping[str, Any]) -> Objectives:
    """Every targeted metric of an env description, with its goal, unit and target.

    Args:
        description: An env's :meth:`~archgym.env.ArchEnv.describe` dict (as
            stored in a trial summary's ``env_description`` column).
    """
    units = {m["name"]: m["unit"] for m in description["metrics"]}
    targets = description["targets"]
    goals = description["goals"]
    names = tuple(targets)
    return Objectives(
        names=names,
        goals=tuple(goals[n] for n in names),
        units=tuple(units.get(n, "") for n in names),
        targets=tuple(float(targets[n]) for n in names),
    )


def meets_targets(values: np.ndarray, obj: Objectives) -> np.ndarray:
    """Per row of ``values`` (``(n, k)``, the objectives' metrics), whether every target is met.

    Same rule as :meth:`archgym.objective.Objective.target_met`: ``value <= target``
    for a metric to minimise, ``value >= target`` for one to maximise.
    """
    v = np.asarray(values, dtype=np.float64)
    t = np.asarray(obj.targets, dtype=np.float64)
    is_min = np.array([g == "min" for g in obj.goals])
    ok = np.where(is_min, v <= t, v >= t) & np.isfinite(v)
    return np.asarray(ok.all(axis=1), dtype=bool)


def target_ratio(values: np.ndarray, target: float, goal: str) -> np.ndarray:
    """Values relative to their target, oriented so that ``<= 1`` meets it (see the module doc).

    Args:
        values: Metric values (in the metric's unit).
        target: The metric's target (same unit).
        goal: ``"min"`` or ``"max"``.

    Returns:
        ``value / target`` (``goal == "min"``) or ``target / value`` (``"max"``),
        clipped to ``[RATIO_MIN, RATIO_MAX]``; dimensionless.
    """
    x = np.asarray(values, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        if target > 0 and np.all(x > 0):
            ratio = x / target if goal == "min" else target / x
        else:
            gap = (x - target) / abs(target)
            ratio = np.exp(np.clip(gap if goal == "min" else -gap, -50.0, 50.0))
    return np.clip(ratio, RATIO_MIN, RATIO_MAX)


def _valid_points(evals: pd.DataFrame, obj: Objectives) -> pd.DataFrame:
    cols = obj.columns
    missing = [c for c in cols if c not in evals]
    if missing:
        return evals.iloc[0:0].reindex(columns=["run_id", "step", *cols])
    ok = ~evals["invalid"].astype(bool) & evals[cols].notna().all(axis=1)
    ok &= np.isfinite(evals[cols].to_numpy(dtype=np.float64)).all(axis=1)
    return evals.loc[ok, ["run_id", "step", *cols]]


def pareto_fronts(
    trials: pd.DataFrame, evaluations: pd.DataFrame, objectives: Mapping[str, Objectives]
) -> pd.DataFrame:
    """Per env and agent, the N-D Pareto front (all targeted metrics) of its valid designs.

    Args:
        trials: The trials table (``trial_id``, ``env_label``, ``agent_label``).
        evaluations: The evaluation logs of those trials.
        objectives: Per env label, its :class:`Objectives` (envs with fewer
            than two are skipped).

    Returns:
        One row per front design: ``env_label``, ``agent_label``, ``run_id``
        and ``step`` of its first evaluation, ``metric.<name>`` for every
        objective of the env (NaN for other envs' metrics), and
        ``meets_targets``. Duplicate metric vectors are kept once. Sorted by
        env, agent and the first objective.
    """
    rows = []
    for (env, agent), group in trials.groupby(["env_label", "agent_label"], sort=True):
        obj = objectives.get(env)
        if obj is None or len(obj.names) < 2:
            continue
        ev = evaluations[evaluations["run_id"].isin(group["trial_id"])]
        pts = _valid_points(ev, obj).sort_values(["run_id", "step"], kind="stable")
        pts = pts.drop_duplicates(subset=obj.columns)
        if pts.empty:
            continue
        values = pts[obj.columns].to_numpy(dtype=np.float64)
        front = pts[pareto_mask(values, obj.goals)].copy()
        front["meets_targets"] = meets_targets(front[obj.columns].to_numpy(), obj)
        front.insert(0, "agent_label", agent)
        front.insert(0, "env_label", env)
        rows.append(front.sort_values(obj.columns[0], kind="stable"))
    if not rows:
        return pd.DataFrame(columns=["env_label", "agent_label", "run_id", "step", "meets_targets"])
    out = pd.concat(rows, ignore_index=True)
    metric_cols = [c for c in out.columns if c.startswith("metric.")]
    lead = ["env_label", "agent_label", "run_id", "step"]
    return out[[*lead, *metric_cols, "meets_targets"]]


# ------------------------------------------------------------------ hypervolume
def hypervolume_2d(front: np.ndarray, reference: np.ndarray) -> float:
    """Hypervolume of 2-D cost points below ``reference`` by one sorted sweep (O(n log n)).

    Equals :func:`archgym.objective.hypervolume` for two minimised objectives;
    dominated points may be passed (they add nothing).
    """
    pts = front[np.all(front < reference, axis=1)]
    if len(pts) == 0:
        return 0.0
    pts = pts[np.lexsort((pts[:, 1], pts[:, 0]))]
    best_y = np.minimum.accumulate(pts[:, 1])
    widths = np.diff(np.append(pts[:, 0], reference[0]))
    return float(np.sum(widths * (reference[1] - best_y)))


def hypervolume_exact(costs: np.ndarray, reference: np.ndarray) -> float:
    """Exact hypervolume of 2-D or 3-D cost points (all minimised) below ``reference``.

    3-D: slices along the last objective; each slice's 2-D staircase is kept
    incrementally (O(n^2) for n points); equals :func:`archgym.objective.hypervolume`.
    Dominated points may be passed (they add nothing).

    Raises:
        ValueError: For other than 2 or 3 objectives.
    """
    k = costs.shape[1]
    if k == 2:
        return hypervolume_2d(costs, reference)
    if k != 3:
        raise ValueError(f"hypervolume_exact supports 2 or 3 objectives, got {k}")
    pts = costs[np.all(costs < reference, axis=1)]
    if len(pts) == 0:
        return 0.0
    pts = pts[np.argsort(pts[:, 2], kind="stable")]
    rx, ry, rz = (float(r) for r in reference)
    stair: list[tuple[float, float]] = []  # 2-D non-dominated points, x ascending, y descending
    volume = 0.0
    zs = [float(z) for z in pts[:, 2]] + [rz]
    for i, (x, y) in enumerate(pts[:, :2].tolist()):
        if not any(sx <= x and sy <= y for sx, sy in stair):
            stair = sorted([(sx, sy) for sx, sy in stair if not (x <= sx and y <= sy)] + [(x, y)])
        depth = zs[i + 1] - zs[i]
        if depth > 0:
            xs = [sx for sx, _ in stair[1:]] + [rx]
            area = sum((nx - sx) * (ry - sy) for (sx, sy), nx in zip(stair, xs, strict=True))
            volume += area * depth
    return float(volume)


def hypervolume_fraction(costs: np.ndarray, *, samples: np.ndarray | None = None) -> float:
    """Hypervolume of normalised costs as a fraction of the reference box ``[0, REFERENCE]^k``.

    Args:
        costs: ``(n, k)`` costs in ``[0, 1]`` (see :func:`normalisation`).
        samples: For ``k >= 4``, the Monte-Carlo points (``(m, k)``, uniform in
            the box); required then.
    """
    k = costs.shape[1]
    if k <= EXACT_MAX_OBJECTIVES:
        return hypervolume_exact(costs, np.full(k, REFERENCE)) / REFERENCE**k
    if samples is None:
        raise ValueError(f"{k} objectives: pass Monte-Carlo samples")
    first = _first_dominated(costs, samples)
    return float(np.mean(first < len(costs)))


def _first_dominated(costs: np.ndarray, samples: np.ndarray) -> np.ndarray:
    """Per sample, the index of the first cost point that dominates it (``len(costs)``: none)."""
    first = np.full(len(samples), len(costs), dtype=np.int64)
    remaining = np.arange(len(samples))
    rem = samples
    for i, c in enumerate(costs):
        if len(rem) == 0:
            break
        hit = np.all(rem >= c, axis=1)
        if hit.any():
            first[remaining[hit]] = i
            remaining, rem = remaining[~hit], rem[~hit]
    return first


def normalisation(evaluations: pd.DataFrame, obj: Objectives) -> pd.DataFrame:
    """How each objective is turned into a ``[0, 1]`` cost on one env (see the module doc).

    Args:
        evaluations: The env's evaluation logs (every trial, every agent).
        obj: The env's objectives.

    Returns:
        One row per objective: ``metric``, ``unit``, ``goal``, ``log`` (whether
        the cost is the logarithm), ``best`` and ``worst`` (raw values, in the
        unit, mapped to cost 0 and 1); empty without a valid evaluation.
    """
    values = _valid_points(evaluations, obj)[obj.columns].to_numpy(dtype=np.float64)
    if len(values) == 0:
        return pd.DataFrame(columns=["metric", "unit", "goal", "log", "best", "worst"])
    rows = []
    for j, (name, unit, goal) in enumerate(zip(obj.names, obj.units, obj.goals, strict=True)):
        v = values[:, j]
        best, worst = (v.min(), v.max()) if goal == "min" else (v.max(), v.min())
        rows.append((name, unit, goal, bool((v > 0).all()), float(best), float(worst)))
    return pd.DataFrame(rows, columns=["metric", "unit", "goal", "log", "best", "worst"])


def _scaled_costs(values: np.ndarray, norm: pd.DataFrame) -> np.ndarray:
    """Raw metric values ``(n, k)`` -> costs in ``[0, 1]`` by a :func:`normalisation` table."""
    out = np.empty_like(values, dtype=np.float64)
    for j, r in enumerate(norm.itertuples()):
        f = np.log if r.log else (lambda a: a)
        sign = 1.0 if r.goal == "min" else -1.0
        lo, hi = sign * f(r.best), sign * f(r.worst)
        cost = sign * f(values[:, j])
        out[:, j] = (cost - lo) / (hi - lo) if hi > lo else 0.0
    return out


def _nondominated(costs: np.ndarray) -> np.ndarray:
    """Rows of ``costs`` (minimised) not dominated by another row (vectorised; small ``n``)."""
    if len(costs) < 2:
        return costs
    le = np.all(costs[:, None, :] <= costs[None, :, :], axis=2)
    lt = np.any(costs[:, None, :] < costs[None, :, :], axis=2)
    return costs[~np.any(le & lt, axis=0)]


def _running_hypervolume(
    costs: np.ndarray, cuts: np.ndarray, samples: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """Hypervolume fraction (and its standard error) of the first ``c`` points, per cut ``c``."""
    k = costs.shape[1]
    if k > EXACT_MAX_OBJECTIVES:
        if samples is None:
            raise ValueError(f"{k} objectives: pass Monte-Carlo samples")
        first = _first_dominated(costs, samples)
        p = np.array([np.mean(first < c) for c in cuts])
        return p, np.sqrt(p * (1.0 - p) / len(samples))
    ref = np.full(k, REFERENCE)
    out = np.zeros(len(cuts))
    front = costs[:0]
    start = 0
    for i, c in enumerate(cuts):
        if c > start:
            front = np.concatenate([front, costs[start:c]])
            front = _nondominated(front)
            start = c
        out[i] = hypervolume_exact(front, ref) / REFERENCE**k
    return out, np.zeros(len(cuts))


def hypervolume_curves(
    trials: pd.DataFrame,
    evaluations: pd.DataFrame,
    objectives: Mapping[str, Objectives],
    *,
    n_points: int = 25,
    n_boot: int = 1000,
    seed: int = 0,
) -> pd.DataFrame:
    """Median hypervolume fraction vs evaluations per env and agent, with a 95 % band.

    Over every objective of the env, normalised as in the module docstring.

    Args:
        trials: The trials table.
        evaluations: Their evaluation logs.
        objectives: Per env label, its :class:`Objectives`.
        n_points: Evaluation counts per curve.
        n_boot: Bootstrap resamples of the band.
        seed: Seed of the bootstrap and of the Monte-Carlo points.

    Returns:
        Columns ``env_label``, ``agent_label``, ``evaluations`` (count),
        ``median``, ``low``, ``high`` (fractions of the reference box),
        ``n_trials``, ``n_objectives``, ``method`` (``"exact"`` or
        ``"monte-carlo"``) and ``se`` (the largest Monte-Carlo standard error
        of a trial's value at that point; 0 when exact).
    """
    rows = []
    for env, env_trials in trials.groupby("env_label", sort=True):
        obj = objectives.get(env)
        if obj is None or len(obj.names) < 2:
            continue
        ev = evaluations[evaluations["run_id"].isin(env_trials["trial_id"])]
        pts = _valid_points(ev, obj)
        if pts.empty:
            continue
        k = len(obj.names)
        scaled = _scaled_costs(pts[obj.columns].to_numpy(dtype=np.float64), normalisation(ev, obj))
        samples = None
        if k > EXACT_MAX_OBJECTIVES:
            samples = np.random.default_rng(seed).uniform(0.0, REFERENCE, size=(MC_SAMPLES, k))
        budget = int(env_trials["budget"].max())
        checkpoints = np.unique(np.linspace(1, budget, min(n_points, budget)).round().astype(int))
        steps = pts["step"].to_numpy()
        run_ids = pts["run_id"].to_numpy()
        for agent, group in env_trials.groupby("agent_label", sort=True):
            curves, errors = [], []
            for tid in group["trial_id"]:
                mask = run_ids == tid
                order = np.argsort(steps[mask], kind="stable")
                # valid points evaluated before checkpoint c (0-based steps < c)
                cuts = np.searchsorted(steps[mask][order], checkpoints, side="left")
                hv, se = _running_hypervolume(scaled[mask][order], cuts, samples)
                curves.append(hv)
                errors.append(se)
            med, low, high = median_band(np.array(curves), n_boot=n_boot, seed=seed)
            rows.append(
                pd.DataFrame(
                    {
                        "env_label": env,
                        "agent_label": agent,
                        "evaluations": checkpoints,
                        "median": med,
                        "low": low,
                        "high": high,
                        "n_trials": len(curves),
                        "n_objectives": k,
                        "method": "exact" if samples is None else "monte-carlo",
                        "se": np.max(errors, axis=0),
                    }
                )
            )
    if not rows:
        return pd.DataFrame(columns=["env_label", "agent_label", "evaluations", "median"])
    return pd.concat(rows, ignore_index=True)


def front_summary(fronts: pd.DataFrame, objectives: Mapping[str, Objectives]) -> pd.DataFrame:
    """Per env and agent: front size and how many front designs meet every target.

    Returns:
        Columns ``env_label``, ``agent_label``, ``objectives`` (the metric
        names, comma-separated), ``front_designs``, ``meeting_every_target``.
    """
    rows = []
    for (env, agent), g in fronts.groupby(["env_label", "agent_label"], sort=True):
        names = ", ".join(objectives[env].names) if env in objectives else ""
        rows.append((env, agent, names, len(g), int(g["meets_targets"].sum())))
    cols = ["env_label", "agent_label", "objectives", "front_designs", "meeting_every_target"]
    return pd.DataFrame(rows, columns=cols)
