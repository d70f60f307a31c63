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

Parity plots (predicted vs simulated) are PNG files (:mod:`archgym.figures`).
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from archgym.proxy.artifact import ProxyModel
from archgym.proxy.dataset import Dataset
from archgym.proxy.splits import make_splits
from archgym.space import DesignSpace

__all__ = [
    "SCORE_NAMES",
    "evaluate_model",
    "evaluate_splits",
    "format_table",
    "parity_plot",
    "scores",
]

SCORE_NAMES = ("rmse", "nrmse", "mae", "r2", "spearman", "kendall", "topk_recall")


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
) -> list[dict[str, Any]]:
    """Scores of a trained proxy on a whole dataset (e.g. new logs); one row per metric."""
    test = data.merged()
    rows, y_pred = _rows(proxy, test, space, split, "-", proxy.n_designs, top_k)
    if plot_dir is not None:
        for j, metric in enumerate(proxy.metrics):
            col = test.metrics.index(metric.name)
            parity_plot(
                {"all": (test.y[:, col], y_pred[:, j])},
                metric.name,
                metric.unit,
                Path(plot_dir) / f"parity_{split}_{metric.name}.png",
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
    for split in make_splits(data, tuple(names), test_fraction, seed):
        proxy = trainer(split.train)
        new, y_pred = _rows(
            proxy, split.test, space, split.name, split.held_out, len(split.train), top_k
        )
        rows.extend(new)
        for j, metric in enumerate(proxy.metrics):
            col = split.test.metrics.index(metric.name)
            units[metric.name] = metric.unit
            points.setdefault((split.name, metric.name), {})[split.held_out] = (
                split.test.y[:, col],
                y_pred[:, j],
            )
    if plot_dir is not None:
        for (split_name, name), series in points.items():
            parity_plot(
                series, name, units[name], Path(plot_dir) / f"parity_{split_name}_{name}.png"
            )
    return rows


def parity_plot(
    series: dict[str, tuple[np.ndarray, np.ndarray]],
    metric: str,
    unit: str,
    path: str | os.PathLike[str],
) -> Path:
    """Scatter predicted vs simulated values (one colour per series) with the y = x line."""
    from archgym.figures import new_figure, save_png

    fig, ax = new_figure(4.5, 4.5)
    lo, hi = math.inf, -math.inf
    for label, (y_true, y_pred) in series.items():
        ax.scatter(y_true, y_pred, s=6, alpha=0.5, label=label)
        lo = min(lo, float(np.min(y_true)), float(np.min(y_pred)))
        hi = max(hi, float(np.max(y_true)), float(np.max(y_pred)))
    ax.plot([lo, hi], [lo, hi], color="black", linewidth=0.8)
    ax.set_xlabel(f"simulated {metric} [{unit}]")
    ax.set_ylabel(f"proxy {metric} [{unit}]")
    if len(series) > 1:
        ax.legend(fontsize=7, markerscale=2)
    return save_png(fig, path)


def format_table(rows: Sequence[dict[str, Any]]) -> str:
    """A Markdown table of fidelity rows (nRMSE as a percentage)."""
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
    )
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        lines.append(
            "| "
            + " | ".join(
                [
                    str(r["split"]),
                    str(r["held_out"]),
                    f"{r['metric']} [{r['unit']}]",
                    str(r["n_test"]),
                    f"{r['rmse']:.4g}",
                    f"{100 * r['nrmse']:.3f}",
                    f"{r['mae']:.4g}",
                    f"{r['r2']:.4f}",
                    f"{r['spearman']:.4f}",
                    f"{r['kendall']:.4f}",
                    f"{r['topk_recall']:.2f} (k={r['k']})",
                ]
            )
            + " |"
        )
    return "\n".join(lines)
