"""Multi-objective views of a sweep: Pareto fronts per agent and hypervolume vs evaluations.

The objectives of an env are the metrics its objective targets (at most
three, in the objective's order), with their goals (min/max) and units, read
from the env description stored with each trial summary (:func:`env_objectives`).

Hypervolume is measured on the first two objectives (those of the Pareto
figure) in a normalised space per env, so agents are
compared on one scale: each objective is turned into a cost (its logarithm
when all its values are positive, as hardware metrics span decades; maximised
metrics negated), then mapped to ``[0, 1]`` by the best and worst values any
valid evaluation of any trial on that env reached; the reference point is
``1.1`` in both objectives. A hypervolume of ``1.21`` would dominate the
whole box; the values are dimensionless.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from archgym.experiment.stats import median_band
from archgym.objective import pareto_mask

__all__ = [
    "Objectives",
    "env_objectives",
    "hypervolume_2d",
    "hypervolume_curves",
    "pareto_fronts",
]

REFERENCE = 1.1


@dataclass(frozen=True)
class Objectives:
    """The objectives of one env.

    Attributes:
        names: Metric names (1 to 3).
        goals: ``"min"``/``"max"`` per metric.
        units: Unit per metric.
        targets: Target per metric.
    """

    names: tuple[str, ...]
    goals: tuple[str, ...]
    units: tuple[str, ...]
    targets: tuple[float, ...]


def env_objectives(description: Mapping[str, Any]) -> Objectives:
    """The targeted metrics, goals, units and targets of an env description.

    Args:
        description: An env's :meth:`~archgym.env.ArchEnv.describe` dict (as
            stored in a trial summary's ``env_description`` column).
    """
    units = {m["name"]: m["unit"] for m in description["metrics"]}
    targets = description["targets"]
    goals = description["goals"]
    names = tuple(targets)[:3]
    return Objectives(
        names=names,
        goals=tuple(goals[n] for n in names),
        units=tuple(units.get(n, "") for n in names),
        targets=tuple(float(targets[n]) for n in names),
    )


def _valid_points(evals: pd.DataFrame, obj: Objectives) -> pd.DataFrame:
    cols = [f"metric.{n}" for n in obj.names]
    ok = ~evals["invalid"].astype(bool) & evals[cols].notna().all(axis=1)
    return evals.loc[ok, ["run_id", "step", *cols]]


def pareto_fronts(
    trials: pd.DataFrame, evaluations: pd.DataFrame, objectives: Mapping[str, Objectives]
) -> pd.DataFrame:
    """Per env and agent, the Pareto front (first two objectives) of all valid evaluated designs.

    Returns:
        Columns ``env_label``, ``agent_label`` and ``metric.<name>`` for the
        first two objectives, one row per front point, sorted by the first.
    """
    rows = []
    for (env, agent), group in trials.groupby(["env_label", "agent_label"], sort=True):
        obj = objectives.get(env)
        if obj is None or len(obj.names) < 2:
            continue
        pts = _valid_points(evaluations[evaluations["run_id"].isin(group["trial_id"])], obj)
        cols = [f"metric.{n}" for n in obj.names[:2]]
        xy = pts[cols].drop_duplicates().to_numpy(dtype=np.float64)
        if len(xy) == 0:
            continue
        front = xy[pareto_mask(xy, obj.goals[:2])]
        front = front[np.argsort(front[:, 0])]
        rows.append(pd.DataFrame(front, columns=cols).assign(env_label=env, agent_label=agent))
    if not rows:
        return pd.DataFrame(columns=["env_label", "agent_label"])
    return pd.concat(rows, ignore_index=True)


def hypervolume_2d(front: np.ndarray, reference: np.ndarray) -> float:
    """Hypervolume of 2-D cost points below ``reference`` by one sorted sweep (O(n log n)).

    Equals :func:`archgym.objective.hypervolume` for two minimised objectives.
    """
    pts = front[np.all(front < reference, axis=1)]
    if len(pts) == 0:
        return 0.0
    pts = pts[np.lexsort((pts[:, 1], pts[:, 0]))]
    best_y = np.minimum.accumulate(pts[:, 1])
    widths = np.diff(np.append(pts[:, 0], reference[0]))
    return float(np.sum(widths * (reference[1] - best_y)))


def _running_hypervolume(costs: np.ndarray, checkpoints: Sequence[int] | np.ndarray) -> np.ndarray:
    """Hypervolume of the first ``c`` points for each checkpoint ``c`` (incremental fronts)."""
    ref = np.full(costs.shape[1], REFERENCE)
    out = np.zeros(len(checkpoints))
    front = costs[:0]
    start = 0
    for i, c in enumerate(checkpoints):
        if c > start:
            front = np.concatenate([front, costs[start:c]])
            front = front[pareto_mask(front)]
            start = c
        out[i] = hypervolume_2d(front, ref)
    return out


def hypervolume_curves(
    trials: pd.DataFrame,
    evaluations: pd.DataFrame,
    objectives: Mapping[str, Objectives],
    *,
    n_points: int = 25,
    n_boot: int = 1000,
    seed: int = 0,
) -> pd.DataFrame:
    """Median normalised hypervolume vs evaluations per env and agent, with a 95 % band.

    Returns:
        Columns ``env_label``, ``agent_label``, ``evaluations``, ``median``,
        ``low``, ``high``, ``n_trials``.
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
        # the first two objectives, as in the Pareto figure (3-D hypervolumes of
        # hundreds of trials take minutes)
        sign = np.array([1.0 if g == "min" else -1.0 for g in obj.goals[:2]])
        cols = [f"metric.{n}" for n in obj.names[:2]]
        values = pts[cols].to_numpy(dtype=np.float64, copy=True)
        positive = (values > 0).all(axis=0)
        values[:, positive] = np.log(values[:, positive])  # metrics spanning decades
        costs = values * sign
        lo, hi = costs.min(axis=0), costs.max(axis=0)
        scaled = (costs - lo) / np.where(hi > lo, hi - lo, 1.0)
        budget = int(env_trials["budget"].max())
        checkpoints = np.unique(np.linspace(1, budget, min(n_points, budget)).round().astype(int))
        steps = pts["step"].to_numpy()
        run_ids = pts["run_id"].to_numpy()
        for agent, group in env_trials.groupby("agent_label", sort=True):
            curves = []
            for tid in group["trial_id"]:
                mask = run_ids == tid
                # valid points evaluated before checkpoint c: step < c
                cut = np.searchsorted(np.sort(steps[mask]), checkpoints, side="left")
                order = np.argsort(steps[mask], kind="stable")
                curves.append(_running_hypervolume(scaled[mask][order], cut))
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
                    }
                )
            )
    if not rows:
        return pd.DataFrame(columns=["env_label", "agent_label", "evaluations", "median"])
    return pd.concat(rows, ignore_index=True)
