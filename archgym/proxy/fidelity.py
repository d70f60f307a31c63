"""Fidelity of a proxy: how well it reproduces the simulator on held-out designs.

Per metric and split (scores are computed on raw values, in the metric's unit):

* ``rmse`` — root-mean-square error;
* ``nrmse`` — RMSE divided by the range (max - min) of the simulated values
  on that test set, as a fraction (0.0061 is the original ArchGym's 0.61%);
* ``mae`` — mean absolute error;
* ``r2`` — coefficient of determination (1 - SS_res / SS_tot);
* ``spearman``, ``kendall`` — rank correlations of predicted and simulated;
* ``topk_recall`` — the fraction of the simulator's ``k`` best designs
  (lowest for ``goal == "min"``, highest for ``"max"``) that the proxy also
  ranks among its ``k`` best, with ``k = min(top_k, n_test)``. Ties are
  counted fairly: a design among the proxy's ``k`` best counts when its
  simulated value is at least as good as the simulator's ``k``-th best value
  (without ties this is the plain set overlap).

Reward level (one row per split with ``metric == "reward"``), from the
objective the logs were written with (targets, weights and formula per
workload, stored in the artifact): the same scores on the reward computed from
simulated and from predicted metrics — ``spearman`` there is the reward rank
correlation and ``topk_recall`` the share of the simulator's ``k`` best
designs by reward that are among the proxy's ``k`` best — plus
``target_met_accuracy`` (share of designs whose target-met verdict the proxy
gets right) and ``target_met_f1`` (F1 of the proxy's "meets the target"
verdicts; NaN when neither the simulator nor the proxy finds any design that
meets it). Metric rows carry NaN in these two columns.

Parity plots (predicted vs simulated, :func:`parity_plot`) are PNG files
(:mod:`archgym.figures`) naming the split, with each fold's nRMSE and Spearman
on the figure, the target when the env description has one, and log axes
when the metric spans decades.
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from archgym.errors import DatasetError
from archgym.proxy.artifact import ProxyModel
from archgym.proxy.dataset import Dataset
from archgym.proxy.splits import make_splits
from archgym.space import DesignSpace

__all__ = [
    "REWARD_SCORE_NAMES",
    "SCORE_NAMES",
    "draw_parity",
    "evaluate_model",
    "evaluate_splits",
    "format_table",
    "held_out_rows",
    "parity_plot",
    "reward_scores",
    "scores",
]

SCORE_NAMES = ("rmse", "nrmse", "mae", "r2", "spearman", "kendall", "topk_recall")
#: Scores of the reward row only.
REWARD_SCORE_NAMES = ("target_met_accuracy", "target_met_f1")


def scores(
    y_true: np.ndarray, y_pred: np.ndarray, goal: str = "min", top_k: int = 10
) -> dict[str, float]:
    """The fidelity scores of one metric (see the module docstring)."""
    from scipy.stats import kendalltau, spearmanr

    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    err = y_pred - y_true
    rmse = float(np.sqrt(np.mean(err**2)))
    span = float(y_true.max() - y_true.min())
    ss_tot = float(np.sum((y_true - y_true.mean()) ** 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rho = float(spearmanr(y_true, y_pred).statistic) if len(y_true) > 1 else math.nan
        tau = float(kendalltau(y_true, y_pred).statistic) if len(y_true) > 1 else math.nan
    k = min(int(top_k), len(y_true))
    sign = 1.0 if goal == "min" else -1.0
    # Tie-aware: a proxy pick counts when its simulated value is as good as the k-th best.
    kth_best = np.sort(sign * y_true)[k - 1] if k else math.nan
    picks = np.argsort(sign * y_pred, kind="stable")[:k]
    hits = int(np.sum(sign * y_true[picks] <= kth_best))
    return {
        "rmse": rmse,
        "nrmse": rmse / span if span > 0 else math.nan,
        "mae": float(np.mean(np.abs(err))),
        "r2": 1.0 - float(np.sum(err**2)) / ss_tot if ss_tot > 0 else math.nan,
        "spearman": rho,
        "kendall": tau,
        "topk_recall": hits / k if k else math.nan,
    }


def reward_scores(
    r_true: np.ndarray,
    r_pred: np.ndarray,
    met_true: np.ndarray,
    met_pred: np.ndarray,
    top_k: int = 10,
) -> dict[str, float]:
    """Reward-level scores: :func:`scores` of the reward (higher is better) and target-met ones."""
    out = scores(r_true, r_pred, "max", top_k)
    met_true = np.asarray(met_true, dtype=bool)
    met_pred = np.asarray(met_pred, dtype=bool)
    tp = int(np.sum(met_true & met_pred))
    denominator = int(met_true.sum() + met_pred.sum())
    out["target_met_accuracy"] = float(np.mean(met_true == met_pred)) if len(met_true) else math.nan
    out["target_met_f1"] = 2.0 * tp / denominator if denominator else math.nan
    return out


def _reward_row(
    proxy: ProxyModel, test: Dataset, y_pred: np.ndarray, top_k: int
) -> dict[str, Any] | None:
    """Rewards and target-met verdicts of simulated and predicted metrics (None: no objective)."""
    n = len(test)
    r_true, r_pred = np.full(n, np.nan), np.full(n, np.nan)
    m_true, m_pred = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    cols = [test.metrics.index(name) for name in proxy.metric_names]
    for name in sorted(set(test.workload.tolist())):
        objective = proxy.objective(name)
        if objective is None:
            return None
        for i in np.flatnonzero(test.workload == name):
            true = dict(zip(proxy.metric_names, test.y[i, cols].tolist(), strict=True))
            pred = dict(zip(proxy.metric_names, y_pred[i].tolist(), strict=True))
            r_true[i], r_pred[i] = objective.reward(true), objective.reward(pred)
            m_true[i], m_pred[i] = objective.target_met(true), objective.target_met(pred)
    return reward_scores(r_true, r_pred, m_true, m_pred, top_k)


def held_out_rows(
    proxy: ProxyModel, data: Dataset, *, include_train: bool = False
) -> tuple[Dataset, dict[str, int]]:
    """The rows of ``data`` an honest evaluation of ``proxy`` may score.

    Rows of a workload the model was not trained on are always left out (the
    model cannot answer for it); rows whose design (with its workload) trained
    the model are left out unless ``include_train``.

    Returns:
        The kept rows (merged across agents) and the counts
        ``{"kept", "other_workload", "seen_in_training"}``.
    """
    merged = data.merged()
    known = np.isin(merged.workload.astype(str), list(proxy.workloads))
    seen = np.zeros(len(merged), dtype=bool)
    if known.any():
        seen[known] = proxy.seen_in_training(merged.index[known], merged.workload[known])
    keep = known & (include_train | ~seen)
    counts = {
        "kept": int(keep.sum()),
        "other_workload": int((~known).sum()),
        "seen_in_training": int((known & seen).sum()),
    }
    return merged.subset(np.flatnonzero(keep)), counts


def _rows(
    proxy: ProxyModel,
    test: Dataset,
    space: DesignSpace,
    split: str,
    held_out: str,
    n_train: int,
    top_k: int,
) -> tuple[list[dict[str, Any]], np.ndarray]:
    y_pred, _ = proxy.predict_index(test.index, test.workload, space)
    out = []
    for j, metric in enumerate(proxy.metrics):
        col = test.metrics.index(metric.name)
        out.append(
            {
                "split": split,
                "held_out": held_out,
                "metric": metric.name,
                "unit": metric.unit,
                "n_train": n_train,
                "n_test": len(test),
                "k": min(top_k, len(test)),
                **scores(test.y[:, col], y_pred[:, j], metric.goal, top_k),
                **dict.fromkeys(REWARD_SCORE_NAMES, math.nan),
            }
        )
    reward = _reward_row(proxy, test, y_pred, top_k)
    if reward is not None:
        out.append(
            {
                "split": split,
                "held_out": held_out,
                "metric": "reward",
                "unit": "",
                "n_train": n_train,
                "n_test": len(test),
                "k": min(top_k, len(test)),
                **reward,
            }
        )
    return out, y_pred


def evaluate_model(
    proxy: ProxyModel,
    data: Dataset,
    space: DesignSpace,
    *,
    top_k: int = 10,
    split: str = "given",
    plot_dir: str | os.PathLike[str] | None = None,
    include_train: bool = False,
) -> list[dict[str, Any]]:
    """Scores of a trained proxy on logged evaluations (e.g. new ones).

    Only honest rows are scored (:func:`held_out_rows`): designs the model was
    trained on are left out unless ``include_train``, and rows of workloads it
    was not trained on are always left out.

    Returns:
        One row per metric and a ``"reward"`` row (see the module docstring).

    Raises:
        DatasetError: no row is left to score.
    """
    test, counts = held_out_rows(proxy, data, include_train=include_train)
    if not len(test):
        raise DatasetError(
            f"nothing to score: of {len(data.merged())} logged designs, "
            f"{counts['seen_in_training']} trained the model and {counts['other_workload']} "
            f"are of workloads it was not trained on ({list(proxy.workloads)}); score "
            "training designs only with include_train=True (--include-train)"
        )
    rows, y_pred = _rows(proxy, test, space, split, "-", proxy.n_designs, top_k)
    if plot_dir is not None:
        for j, metric in enumerate(proxy.metrics):
            col = test.metrics.index(metric.name)
            parity_plot(
                {"all": (test.y[:, col], y_pred[:, j])},
                metric.name,
                metric.unit,
                Path(plot_dir) / f"parity_{split}_{metric.name}.png",
                split=split,
                target=proxy.env_description.get("targets", {}).get(metric.name),
            )
    return rows


def evaluate_splits(
    data: Dataset,
    names: Sequence[str],
    trainer: Callable[[Dataset], ProxyModel],
    space: DesignSpace,
    *,
    test_fraction: float = 0.2,
    seed: int = 0,
    top_k: int = 10,
    plot_dir: str | os.PathLike[str] | None = None,
) -> list[dict[str, Any]]:
    """Train with ``trainer`` on each split's training set and score its test set.

    Returns:
        One dict per (split, held-out group, metric) with the keys ``split``,
        ``held_out``, ``metric``, ``unit``, ``n_train``, ``n_test``, ``k`` and
        :data:`SCORE_NAMES`. With ``plot_dir``, one parity plot per split kind
        and metric (``parity_<split>_<metric>.png``, every fold in one plot).
    """
    rows: list[dict[str, Any]] = []
    points: dict[tuple[str, str], dict[str, tuple[np.ndarray, np.ndarray]]] = {}
    units: dict[str, str] = {}
    targets: dict[str, float] = {}
    for split in make_splits(data, tuple(names), test_fraction, seed):
        proxy = trainer(split.train)
        new, y_pred = _rows(
            proxy, split.test, space, split.name, split.held_out, len(split.train), top_k
        )
        rows.extend(new)
        for j, metric in enumerate(proxy.metrics):
            col = split.test.metrics.index(metric.name)
            units[metric.name] = metric.unit
            if metric.name in proxy.env_description.get("targets", {}):
                targets[metric.name] = proxy.env_description["targets"][metric.name]
            points.setdefault((split.name, metric.name), {})[split.held_out] = (
                split.test.y[:, col],
                y_pred[:, j],
            )
    if plot_dir is not None:
        for (split_name, name), series in points.items():
            parity_plot(
                series,
                name,
                units[name],
                Path(plot_dir) / f"parity_{split_name}_{name}.png",
                split=split_name,
                target=targets.get(name),
            )
    return rows


#: Parity plots use log axes when every value is positive and ``max / min`` exceeds this.
LOG_SPAN = 30.0


def parity_plot(
    series: dict[str, tuple[np.ndarray, np.ndarray]],
    metric: str,
    unit: str,
    path: str | os.PathLike[str],
    *,
    split: str | None = None,
    target: float | None = None,
) -> Path:
    """Write :func:`draw_parity` to ``path`` as PNG and return ``path``."""
    from archgym.figures import save_png

    return save_png(draw_parity(series, metric, unit, split=split, target=target), path)


def draw_parity(
    series: dict[str, tuple[np.ndarray, np.ndarray]],
    metric: str,
    unit: str,
    *,
    split: str | None = None,
    target: float | None = None,
) -> Any:
    """Scatter proxy-predicted vs simulated values with the y = x line, the scores and the target.

    Args:
        series: Label (e.g. the held-out fold) -> ``(simulated, predicted)``
            values in ``unit``; one colour each, and each legend entry gives
            that series' nRMSE (% of its simulated range) and Spearman rank
            correlation (:func:`scores`).
        metric: Metric name.
        unit: Its unit.
        split: The split the values come from (named in the title).
        target: The metric's target (drawn dotted on both axes when given).

    Axes are logarithmic when every value is positive and they span more than
    :data:`LOG_SPAN` (x30), so the region near a small target is not
    squeezed into a corner by a few slow designs.

    Returns:
        The :class:`matplotlib.figure.Figure`.
    """
    from archgym.figures import new_figure

    fig, ax = new_figure(5.0, 5.6, layout="constrained")
    values = np.concatenate([np.concatenate([t, p]) for t, p in series.values()]).astype(float)
    if target is not None:
        values = np.append(values, target)  # the target is always in view
    finite = values[np.isfinite(values)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    log = finite.size > 0 and lo > 0 and hi / lo > LOG_SPAN
    for label, (y_true, y_pred) in series.items():
        s = scores(y_true, y_pred)
        text = f"{label}: nRMSE {100 * s['nrmse']:.2f}%, Spearman {s['spearman']:.3f}"
        ax.scatter(y_true, y_pred, s=6, alpha=0.5, label=f"{text} (n={len(y_true)})")
    ax.plot([lo, hi], [lo, hi], color="black", linewidth=0.8, label="y = x")
    if target is not None:
        ax.axvline(target, color="tab:red", ls=":", lw=1.2, label=f"target {target:g} {unit}")
        ax.axhline(target, color="tab:red", ls=":", lw=1.2)
    if log:
        ax.set_xscale("log")
        ax.set_yscale("log")
        limits = (lo / 1.25, hi * 1.25)
    else:
        pad = 0.04 * (hi - lo) or 1.0
        limits = (lo - pad, hi + pad)
    ax.set_xlim(limits)  # the same range on both axes: y = x is the diagonal
    ax.set_ylim(limits)
    scale = ", log scale" if log else ""
    ax.set_xlabel(f"simulated {metric} [{unit}{scale}]")
    ax.set_ylabel(f"proxy-predicted {metric} [{unit}{scale}]")
    ax.grid(alpha=0.3, which="major")
    title = f"Proxy vs simulator: {metric}"
    if split is not None:
        title += f"\nsplit: {split}"
    if len(series) > 1:
        t = np.concatenate([a for a, _ in series.values()])
        p = np.concatenate([b for _, b in series.values()])
        s = scores(t, p)
        title += f" (all: nRMSE {100 * s['nrmse']:.2f}%, Spearman {s['spearman']:.3f})"
    ax.set_title(title, fontsize="medium")
    fig.legend(loc="outside lower center", fontsize="x-small", markerscale=2, frameon=False,
               title="test set: scores", title_fontsize="x-small")
    return fig


def _optional(value: Any, fmt: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return format(value, fmt)


def format_table(rows: Sequence[dict[str, Any]]) -> str:
    """A Markdown table of fidelity rows (nRMSE as a percentage; the reward row's unit is empty)."""
    head = (
        "split",
        "held out",
        "metric",
        "n test",
        "RMSE",
        "nRMSE %",
        "MAE",
        "R²",
        "Spearman",
        "Kendall",
        "top-k recall",
        "target-met acc",
        "target-met F1",
    )
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        lines.append(
            "| "
            + " | ".join(
                [
                    str(r["split"]),
                    str(r["held_out"]),
                    f"{r['metric']} [{r['unit']}]" if r["unit"] else str(r["metric"]),
                    str(r["n_test"]),
                    f"{r['rmse']:.4g}",
                    f"{100 * r['nrmse']:.3f}",
                    f"{r['mae']:.4g}",
                    f"{r['r2']:.4f}",
                    f"{r['spearman']:.4f}",
                    f"{r['kendall']:.4f}",
                    f"{r['topk_recall']:.2f} (k={r['k']})",
                    _optional(r.get("target_met_accuracy"), ".3f"),
                    _optional(r.get("target_met_f1"), ".3f"),
                ]
            )
            + " |"
        )
    return "\n".join(lines)
