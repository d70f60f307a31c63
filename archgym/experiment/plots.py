"""Figures of a sweep (PNG, via :mod:`archgym.figures`): one panel per env, one colour per agent.

Every function takes a table from :mod:`~archgym.experiment.analysis` or
:mod:`~archgym.experiment.multiobjective` and a path, writes the figure and
returns the path. Figures carry a title, axis labels with units and a legend.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from archgym.experiment.multiobjective import Objectives
from archgym.figures import colours, new_figure, save_png

__all__ = ["plot_curves", "plot_final", "plot_hypervolume", "plot_lottery", "plot_pareto"]

REWARD_LABEL = "reward (dimensionless, higher is better)"


def _panels(envs: list[str], width: float = 5.5, height: float = 4.0) -> tuple[Any, Any]:
    n = max(1, len(envs))
    ncols = min(2, n)
    nrows = math.ceil(n / ncols)
    fig, axes = new_figure(width * ncols, height * nrows, nrows=nrows, ncols=ncols, squeeze=False)
    flat = axes.ravel()
    for ax in flat[n:]:
        ax.set_visible(False)
    return fig, flat[:n]


def _save(fig: Any, path: str | os.PathLike[str], title: str) -> Path:
    fig.suptitle(title)
    return save_png(fig, path)


def _band_plot(
    table: pd.DataFrame,
    path,
    title: str,
    ylabel: str,
    log_x: bool = False,
    symlog_y: bool = False,
) -> Path:
    envs = sorted(table["env_label"].unique())
    palette = colours(sorted(table["agent_label"].unique()))
    fig, axes = _panels(envs)
    for ax, env in zip(axes, envs, strict=True):
        for agent, g in table[table["env_label"] == env].groupby("agent_label", sort=True):
            c = palette[agent]
            n = int(g["n_trials"].iloc[0])
            ax.plot(g["evaluations"], g["median"], color=c, label=f"{agent} (n={n})")
            ax.fill_between(g["evaluations"], g["low"], g["high"], color=c, alpha=0.2, lw=0)
        ax.set_title(env)
        ax.set_xlabel("simulator evaluations (count)")
        ax.set_ylabel(ylabel)
        if log_x:
            ax.set_xscale("log")
        values = table.loc[table["env_label"] == env, ["median", "low", "high"]].to_numpy()
        span = float(np.nanmax(np.abs(values))) if values.size else 0.0
        if symlog_y and span > 0:
            # linear within 1% of the largest magnitude, logarithmic beyond: the early
            # (very bad) designs no longer squash the differences near the targets
            ax.set_yscale("symlog", linthresh=max(span * 1e-2, 1e-9))
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small", title="median, 95% CI band", title_fontsize="small")
    return _save(fig, path, title)


def plot_curves(curves: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Best-so-far reward vs evaluations: median over trials and bootstrap 95 % band."""
    return _band_plot(
        curves,
        path,
        "Best-so-far reward vs simulation budget",
        "best-so-far reward (higher is better; symlog)",
        log_x=True,
        symlog_y=True,
    )


def plot_hypervolume(table: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Normalised hypervolume vs evaluations: median over trials and bootstrap 95 % band."""
    return _band_plot(
        table,
        path,
        "Hypervolume of evaluated designs vs simulation budget",
        "hypervolume (normalised objectives, dimensionless)",
    )


def plot_final(final: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """IQM of the best reward per agent with 95 % CIs, one panel per env."""
    envs = list(dict.fromkeys(final["env_label"]))
    palette = colours(sorted(final["agent_label"].unique()))
    fig, axes = _panels(envs, height=0.5 + 0.45 * final["agent_label"].nunique())
    for ax, env in zip(axes, envs, strict=True):
        g = final[final["env_label"] == env].sort_values("iqm")
        y = np.arange(len(g))
        for yi, (_, row) in zip(y, g.iterrows(), strict=True):
            c = palette[row["agent_label"]]
            err = [[row["iqm"] - row["iqm_low"]], [row["iqm_high"] - row["iqm"]]]
            ax.errorbar(
                row["iqm"], yi, xerr=err, fmt="o", color=c, capsize=3, label=row["agent_label"]
            )
        ax.set_yticks(y, g["agent_label"])
        ax.set_title(env)
        unit = "normalised score (0-1)" if env.startswith("all envs") else REWARD_LABEL
        ax.set_xlabel(f"IQM of best {unit}")
        ax.set_ylabel("agent")
        ax.grid(alpha=0.3, axis="x")
        ax.legend(fontsize="x-small", title="IQM, 95% CI", title_fontsize="x-small")
    return _save(fig, path, "Final performance: interquartile mean over trials")


def plot_lottery(
    settings: pd.DataFrame, odds: pd.DataFrame, path: str | os.PathLike[str], *, seed: int = 0
) -> Path:
    """Per agent, the distribution over hyperparameter settings of the best reward reached."""
    envs = sorted(settings["env_label"].unique())
    palette = colours(sorted(settings["agent_label"].unique()))
    fig, axes = _panels(
        envs, width=max(6.5, 1.2 + 0.9 * settings["agent_label"].nunique()), height=4.5
    )
    rng = np.random.default_rng(seed)
    for ax, env in zip(axes, envs, strict=True):
        s = settings[settings["env_label"] == env]
        agents = sorted(s["agent_label"].unique())
        data = [s.loc[s["agent_label"] == a, "score"].to_numpy() for a in agents]
        ax.boxplot(data, widths=0.6, showfliers=False)
        for i, (a, d) in enumerate(zip(agents, data, strict=True), start=1):
            ax.scatter(
                i + rng.uniform(-0.15, 0.15, len(d)),
                d,
                s=12,
                color=palette[a],
                alpha=0.8,
                zorder=3,
                label=a,
            )
        o = odds[odds["env_label"] == env].set_index("agent_label")
        ax.set_xticks(
            range(1, len(agents) + 1),
            [f"{a}\n{o.loc[a, 'win_odds']:.0%} of {int(o.loc[a, 'n_settings'])}" for a in agents],
            fontsize="small",
        )
        threshold = s["threshold"].iloc[0]
        ax.axhline(threshold, color="k", ls="--", lw=1, label="within 5% of best")
        ax.set_title(env)
        ax.set_xlabel("agent (share of settings within 5% of the best)")
        ax.set_ylabel(f"median best {REWARD_LABEL}")
        ax.grid(alpha=0.3, axis="y")
        ax.legend(
            fontsize="x-small",
            loc="best",
            title="one dot = one setting",
            title_fontsize="x-small",
        )
    return _save(fig, path, "Hyperparameter lottery: best reward per hyperparameter setting")


def _objective_label(obj: Objectives, i: int) -> str:
    better = "lower" if obj.goals[i] == "min" else "higher"
    return f"{obj.names[i]} ({obj.units[i]}, {better} is better)"


def plot_pareto(
    fronts: pd.DataFrame, objectives: Mapping[str, Objectives], path: str | os.PathLike[str]
) -> Path:
    """Pareto fronts of evaluated designs per agent (first two objectives), one panel per env."""
    envs = sorted(fronts["env_label"].unique())
    palette = colours(sorted(fronts["agent_label"].unique()))
    fig, axes = _panels(envs)
    for ax, env in zip(axes, envs, strict=True):
        obj = objectives[env]
        xcol, ycol = (f"metric.{n}" for n in obj.names[:2])
        for agent, g in fronts[fronts["env_label"] == env].groupby("agent_label", sort=True):
            where = "post" if obj.goals[1] == "min" else "pre"
            ax.step(g[xcol], g[ycol], where=where, color=palette[agent], alpha=0.7)
            ax.scatter(g[xcol], g[ycol], s=14, color=palette[agent], label=agent)
        ax.axvline(obj.targets[0], color="grey", ls=":", lw=1)
        ax.axhline(obj.targets[1], color="grey", ls=":", lw=1, label="targets")
        ax.set_title(env)
        ax.set_xlabel(_objective_label(obj, 0))
        ax.set_ylabel(_objective_label(obj, 1))
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small")
    return _save(fig, path, "Pareto fronts of the evaluated designs per agent")
