"""Training a proxy: logs -> :class:`Dataset` -> model -> :class:`ProxyModel`.

:func:`fit` is the Python equivalent of ``archgym proxy train``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from archgym.datalog import describe_data, descriptions
from archgym.proxy.artifact import ProxyModel
from archgym.proxy.dataset import (
    Dataset,
    build_dataset,
    choose_transforms,
    design_hashes,
    features,
    forward_transform,
)
from archgym.proxy.models import DEFAULT_KIND, make_model
from archgym.simulator import Metric
from archgym.space import DesignSpace

__all__ = ["env_description", "fit", "fit_dataset"]


def env_description(
    description: Mapping[str, Any],
) -> tuple[DesignSpace, tuple[Metric, ...], int]:
    """The design space (without constraints), metrics and version of a stored env description."""
    space = DesignSpace.from_signature(description["design_space"])
    metrics = tuple(
        Metric(m["name"], m["unit"], m["goal"], m.get("description", ""))
        for m in description["metrics"]
    )
    return space, metrics, int(description.get("env_version", 0))


def fit_dataset(
    data: Dataset,
    *,
    env_id: str,
    env_version: int,
    space: DesignSpace,
    metrics: Sequence[Metric],
    model: str = DEFAULT_KIND,
    seed: int = 0,
    log_metrics: str | Sequence[str] | None = "auto",
    hyperparameters: Mapping[str, Any] | None = None,
    transforms: Mapping[str, str] | None = None,
    description: Mapping[str, Any] | None = None,
    objectives: Mapping[str, Mapping[str, Any]] | None = None,
) -> ProxyModel:
    """Train one proxy on a ready :class:`Dataset` (see :func:`fit` for the arguments).

    ``objectives`` maps a workload to the objective its logs were written with
    (``targets``, ``weights``, ``goals``, ``reward_formula``); by default every
    workload gets the objective of ``description``.
    """
    from archgym import __version__

    data = data.merged()
    transforms = dict(transforms) if transforms else choose_transforms(data, log_metrics)
    t = forward_transform(data.y, data.metrics, transforms)
    t_mean = t.mean(axis=0)
    t_std = t.std(axis=0)
    t_std = np.where(t_std > 0, t_std, 1.0)
    x = features(space, data.index, data.workload, data.workloads)
    regressor = make_model(model, seed=seed, **dict(hyperparameters or {}))
    regressor.fit(x, (t - t_mean) / t_std)
    by_name = {m.name: m for m in metrics}
    feature_names = tuple(space.feature_names) + (
        tuple(f"workload={w}" for w in data.workloads) if len(data.workloads) > 1 else ()
    )
    return ProxyModel(
        model=regressor,
        env_id=env_id,
        env_version=env_version,
        space_signature=space.signature(),
        space_fingerprint=space.fingerprint(),
        metrics=tuple(by_name[name] for name in data.metrics),
        transforms=transforms,
        t_mean=t_mean,
        t_std=t_std,
        workloads=tuple(data.workloads),
        data_hash=data.content_hash(),
        n_rows=int(data.n_logged),
        n_designs=len(data),
        package_version=__version__,
        seed=seed,
        feature_names=feature_names,
        env_description=dict(description or {}),
        train_designs={
            w: np.unique(design_hashes(data.index[data.workload == w])) for w in data.workloads
        },
        objectives={
            w: dict((objectives or {}).get(w) or _objective_of(description or {}))
            for w in data.workloads
        },
    )


_OBJECTIVE_KEYS = ("targets", "weights", "goals", "reward_formula")


def _objective_of(description: Mapping[str, Any]) -> dict[str, Any]:
    return {k: description[k] for k in _OBJECTIVE_KEYS if k in description}


def log_objectives(df: pd.DataFrame, env_id: str) -> dict[str, dict[str, Any]]:
    """Workload -> objective (targets, weights, goals, formula) from a log's stored descriptions."""
    out: dict[str, dict[str, Any]] = {}
    for d in descriptions(df):
        if d.get("env_id") == env_id and d.get("workload") is not None:
            out.setdefault(str(d["workload"]), _objective_of(d))
    return out


def fit(
    df: pd.DataFrame,
    env_id: str,
    model: str = DEFAULT_KIND,
    *,
    workload: str | None = None,
    seed: int = 0,
    log_metrics: str | Sequence[str] | None = "auto",
    hyperparameters: Mapping[str, Any] | None = None,
    report_splits: Sequence[str] = ("random",),
    test_fraction: float = 0.2,
    top_k: int = 10,
    description: Mapping[str, Any] | None = None,
    source: str = "evaluation log",
    plot_dir: str | os.PathLike[str] | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> ProxyModel:
    """Train a proxy of ``env_id``'s simulator from logged evaluations.

    Args:
        df: Logged evaluations (:func:`archgym.datalog.load`).
        env_id: The registered env the rows belong to.
        model: ``"rf"``, ``"gbt"``, ``"mlp"`` or ``"ensemble"`` (default
            :data:`~archgym.proxy.models.DEFAULT_KIND`, ``"gbt"``).
        workload: Train on this workload only (default: every workload in the
            log, with a one-hot workload feature when there are several).
        seed: Seed of the model and of the random split.
        log_metrics: ``"auto"``, a list of metric names, or None (see
            :func:`archgym.proxy.dataset.choose_transforms`).
        hyperparameters: The model's keywords (see :mod:`archgym.proxy.models`).
        report_splits: Splits the fidelity report is computed on
            (``"random"``, ``"agent"``, ``"workload"``); empty for none. Each
            split trains one extra model.
        test_fraction: Held-out fraction of the random split.
        top_k: ``k`` of the top-k recall in the report.
        description: The env's :meth:`~archgym.env.ArchEnv.describe` dict
            (default: the one stored with the logs ``df`` was loaded from).
        source: How to name the data in error messages.
        plot_dir: Folder for the parity plots of the report (none when None).
        progress: Called as ``progress(done, total, label)`` before each model
            is trained (the final one, then one per report split) and once at
            the end with ``done == total`` (the CLI draws a progress bar).

    Returns:
        The trained :class:`ProxyModel`, fitted on all rows, with its
        fidelity report in ``.fidelity``.
    """
    from archgym.proxy.fidelity import evaluate_splits
    from archgym.proxy.splits import make_splits

    if description is None:
        description = describe_data(df, env_id, workload)
    space, metrics, version = env_description(description)
    names = [m.name for m in metrics]
    by_agent = "agent" in report_splits
    data = build_dataset(
        df, space, names, env_id=env_id, workload=workload, by_agent=by_agent, source=source
    )
    transforms = choose_transforms(data.merged(), log_metrics)
    common: dict[str, Any] = {
        "env_id": env_id,
        "env_version": version,
        "space": space,
        "metrics": metrics,
        "model": model,
        "seed": seed,
        "hyperparameters": hyperparameters,
        "transforms": transforms,
        "description": description,
        "objectives": log_objectives(df, env_id),
    }
    total = 1 + (len(make_splits(data, tuple(report_splits), test_fraction, seed))
                 if report_splits and progress is not None else 0)
    done = 0

    def step(label: str) -> None:
        nonlocal done
        if progress is not None:
            progress(done, total, label)
        done += 1

    def train_split(train: Dataset) -> ProxyModel:
        step(f"report split {done} of {total - 1}")
        return fit_dataset(train, **common)

    step(f"{model} on all {len(data.merged())} designs")
    proxy = fit_dataset(data, **common)
    if report_splits:
        proxy.fidelity = evaluate_splits(
            data,
            tuple(report_splits),
            train_split,
            space,
            test_fraction=test_fraction,
            seed=seed,
            top_k=top_k,
            plot_dir=plot_dir,
        )
    if progress is not None:
        progress(total, total, "done")
    return proxy
