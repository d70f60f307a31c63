"""Tables from a sweep's results: curves, final performance, improvement, lottery odds.

Every function takes the DataFrames of :func:`archgym.experiment.load_results`
and returns a tidy DataFrame; :mod:`~archgym.experiment.plots` draws them and
:mod:`~archgym.experiment.report` writes them out. Agents are grouped by their
label (all hyperparameter settings of an agent together) and envs by their
label (id + workload). Only finished (``done``) trials count.

Definitions:

* Best-so-far curve of a trial: running maximum of the reward over its valid
  evaluations (NaN before the first valid one).
* Final score of a trial: its best reward. Per env the table gives the IQM
  over the agent's trials with a bootstrap 95 % CI; across envs the scores
  are first min-max normalised per env (0 = worst trial on that env,
  1 = best) and the bootstrap is stratified by env.
* Lottery (per env and agent): a setting's score is the median over seeds of
  its trials' best rewards. A setting *wins* when its score is within 5 % of
  the best score any setting of any agent reached on that env
  (``score >= best - 0.05 * |best|``); it *reaches the target* when a
  majority of its seeds, i.e. more than half (2 of 3, 2 of 2, not 1 of 2),
  met every target. The odds are the fractions of the agent's settings that
  win / reach the target.
* Curve view (:func:`curve_view`): the y-values the best-so-far figure plots.
  When every reward of an env is ``<= 0`` (the distance and weighted
  formulas) it plots ``-reward`` (the distance to the targets) on a log axis,
  so the near-target region gets as much room as the far one; a reward of
  exactly 0 (every target met) is drawn at a floor: the power of ten below the
  smallest positive ``-reward``, or one more decade down when that value is
  within a factor 3 of it. All rewards ``> 0``: the reward on a log
  axis. Mixed signs: the reward on a linear axis.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from archgym.experiment.stats import (
    iqm,
    median_band,
    probability_of_improvement,
    stratified_bootstrap,
)

__all__ = [
    "ALL_ENVS",
    "best_so_far",
    "curve_table",
    "curve_view",
    "done_trials",
    "final_performance",
    "improvement_table",
    "lottery",
    "normalised_scores",
    "per_workload",
]

ALL_ENVS = "all envs (normalised)"


def done_trials(trials: pd.DataFrame) -> pd.DataFrame:
    """The trials that finished successfully."""
    if trials.empty or "status" not in trials:
        return trials.iloc[0:0]
    return trials[trials["status"] == "done"].reset_index(drop=True)


def best_so_far(evaluations: pd.DataFrame) -> pd.DataFrame:
    """Columns ``run_id``, ``step``, ``best``: the running best valid reward of each trial."""
    ev = evaluations[["run_id", "step", "reward", "invalid"]].sort_values(["run_id", "step"])
    reward = ev["reward"].where(~ev["invalid"].astype(bool), -np.inf)
    best = reward.groupby(ev["run_id"]).cummax().replace(-np.inf, np.nan)
    return pd.DataFrame({"run_id": ev["run_id"], "step": ev["step"], "best": best.to_numpy()})


def curve_table(
    trials: pd.DataFrame,
    evaluations: pd.DataFrame,
    *,
    n_points: int = 100,
    n_boot: int = 1000,
    seed: int = 0,
) -> pd.DataFrame:
    """Median best-so-far reward vs evaluations per env and agent, with a bootstrap 95 % band.

    Returns:
        Columns ``env_label``, ``agent_label``, ``evaluations`` (count, 1-based),
        ``median``, ``low``, ``high``, ``n_trials``; at most ``n_points``
        evaluation counts per curve.
    """
    trials = done_trials(trials)
    if trials.empty or evaluations.empty:
        return pd.DataFrame(
            columns=["env_label", "agent_label", "evaluations", "median", "low", "high", "n_trials"]
        )
    curves = best_so_far(evaluations[evaluations["run_id"].isin(trials["trial_id"])])
    wide = curves.pivot(index="run_id", columns="step", values="best")
    rows = []
    for (env, agent), group in trials.groupby(["env_label", "agent_label"], sort=True):
        m = wide.loc[wide.index.intersection(group["trial_id"])].to_numpy(dtype=np.float64)
        if m.size == 0:
            continue
        cols = np.unique(np.linspace(0, m.shape[1] - 1, min(n_points, m.shape[1])).round())
        cols = cols.astype(int)
        med, low, high = median_band(m[:, cols], n_boot=n_boot, seed=seed)
        rows.append(
            pd.DataFrame(
                {
                    "env_label": env,
                    "agent_label": agent,
                    "evaluations": cols + 1,
                    "median": med,
                    "low": low,
                    "high": high,
                    "n_trials": m.shape[0],
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def curve_view(curves: pd.DataFrame) -> pd.DataFrame:
    """The values the best-so-far figure plots, per env (see the module docstring).

    Args:
        curves: A :func:`curve_table`.

    Returns:
        ``curves`` with ``scale`` (``"log-distance"``: ``-reward`` on a log
        axis; ``"log"``: the reward on a log axis; ``"linear"``: the reward),
        ``y``, ``y_low``, ``y_high`` (the median and its band in plotted
        units; ``y_low <= y <= y_high``) and ``floor`` (the value a reward of
        0 is drawn at under ``"log-distance"``, NaN otherwise). Rows whose
        median is NaN (no valid design yet) keep NaN.
    """
    out = []
    for _, g in curves.groupby("env_label", sort=False):
        g = g.copy()
        values = g[["median", "low", "high"]].to_numpy(dtype=np.float64)
        finite = values[np.isfinite(values)]
        floor = np.nan
        if finite.size and (finite <= 0).all():
            scale = "log-distance"
            positive = -finite[finite < 0]
            smallest = positive.min() if positive.size else 1e-2
            floor = 10.0 ** np.floor(np.log10(smallest))
            if smallest < 3.0 * floor:  # keep half a decade between the floor and any value
                floor /= 10.0
            dist = np.maximum(-values, floor)
            y, y_low, y_high = dist[:, 0], dist[:, 2], dist[:, 1]  # high reward = low distance
        else:
            scale = "log" if finite.size and (finite > 0).all() else "linear"
            y, y_low, y_high = values[:, 0], values[:, 1], values[:, 2]
        g["scale"], g["y"], g["y_low"], g["y_high"], g["floor"] = scale, y, y_low, y_high, floor
        out.append(g)
    if not out:
        return curves.assign(scale=pd.Series(dtype=str), y=np.nan, y_low=np.nan, y_high=np.nan,
                             floor=np.nan)
    return pd.concat(out).loc[curves.index]


def normalised_scores(trials: pd.DataFrame) -> pd.Series:
    """Best reward min-max normalised per env (0 = worst trial, 1 = best; 1 if all equal)."""
    g = trials.groupby("env_label")["best_reward"]
    lo, hi = g.transform("min"), g.transform("max")
    span = (hi - lo).replace(0.0, np.nan)
    return ((trials["best_reward"] - lo) / span).fillna(1.0)


def final_performance(trials: pd.DataFrame, *, n_boot: int = 2000, seed: int = 0) -> pd.DataFrame:
    """IQM of the best reward per env and agent with bootstrap 95 % CIs.

    When the sweep has several envs, rows with ``env_label == ALL_ENVS`` give
    the IQM of the per-env normalised scores, with a bootstrap stratified by env.

    Returns:
        Columns ``env_label``, ``agent_label``, ``n_trials``, ``iqm``,
        ``iqm_low``, ``iqm_high``, ``median``, ``best``.
    """
    trials = done_trials(trials)
    rows = []
    for (env, agent), group in trials.groupby(["env_label", "agent_label"], sort=True):
        x = group["best_reward"].to_numpy(dtype=np.float64)
        est, low, high = stratified_bootstrap([x], iqm, n_boot=n_boot, seed=seed)
        rows.append((env, agent, len(x), est, low, high, float(np.median(x)), float(x.max())))
    if trials["env_label"].nunique() > 1:
        scored = trials.assign(score=normalised_scores(trials))
        for agent, group in scored.groupby("agent_label", sort=True):
            strata = [g["score"].to_numpy() for _, g in group.groupby("env_label")]
            est, low, high = stratified_bootstrap(strata, iqm, n_boot=n_boot, seed=seed)
            s = group["score"].to_numpy()
            rows.append((ALL_ENVS, agent, len(s), est, low, high, float(np.median(s)), s.max()))
    cols = ["env_label", "agent_label", "n_trials", "iqm", "iqm_low", "iqm_high", "median", "best"]
    return pd.DataFrame(rows, columns=cols)


def improvement_table(trials: pd.DataFrame, *, n_boot: int = 2000, seed: int = 0) -> pd.DataFrame:
    """Probability of improvement between every ordered pair of agents, with 95 % CIs.

    Per env, and (with several envs) averaged over envs as ``ALL_ENVS``.

    Returns:
        Columns ``env_label``, ``agent_x``, ``agent_y``, ``p_x_beats_y``, ``low``, ``high``.
    """
    trials = done_trials(trials)
    scores = {
        key: g["best_reward"].to_numpy(dtype=np.float64)
        for key, g in trials.groupby(["env_label", "agent_label"])
    }
    envs = sorted(trials["env_label"].unique())
    agents = sorted(trials["agent_label"].unique())
    rows = []
    for x, y in itertools.permutations(agents, 2):
        both = [e for e in envs if (e, x) in scores and (e, y) in scores]
        for env in both:
            p = probability_of_improvement(
                [scores[env, x]], [scores[env, y]], n_boot=n_boot, seed=seed
            )
            rows.append((env, x, y, *p))
        if len(both) > 1:
            p = probability_of_improvement(
                [scores[e, x] for e in both],
                [scores[e, y] for e in both],
                n_boot=n_boot,
                seed=seed,
            )
            rows.append((ALL_ENVS, x, y, *p))
    return pd.DataFrame(
        rows, columns=["env_label", "agent_x", "agent_y", "p_x_beats_y", "low", "high"]
    )


def lottery(trials: pd.DataFrame, tolerance: float = 0.05) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Hyperparameter-lottery tables (see the module docstring).

    Args:
        trials: The trials table.
        tolerance: "Within 5 % of the best" is ``score >= best - tolerance * |best|``.

    Returns:
        ``(settings, odds)``. ``settings``: one row per env, agent and setting
        with ``score`` (median best reward over seeds), ``target_rate``
        (fraction of seeds that met every target), ``wins`` and
        ``reaches_target`` (``target_rate > 0.5``: more than half the
        seeds). ``odds``: per env and agent, ``n_settings``, ``win_odds``,
        ``target_odds``, ``best_score``, ``env_best`` and the best setting's
        ``best_hyperparameters``.
    """
    trials = done_trials(trials)
    settings = (
        trials.groupby(["env_label", "agent_label", "setting_id"], sort=True)
        .agg(
            hyperparameters=("hyperparameters", "first"),
            score=("best_reward", "median"),
            target_rate=("target_met", "mean"),
            n_seeds=("seed", "nunique"),
        )
        .reset_index()
    )
    env_best = settings.groupby("env_label")["score"].transform("max")
    settings["threshold"] = env_best - tolerance * env_best.abs()
    settings["wins"] = settings["score"] >= settings["threshold"]
    settings["reaches_target"] = settings["target_rate"] > 0.5  # a majority: more than half
    rows = []
    for (env, agent), g in settings.groupby(["env_label", "agent_label"], sort=True):
        best = g.loc[g["score"].idxmax()]
        rows.append(
            {
                "env_label": env,
                "agent_label": agent,
                "n_settings": len(g),
                "win_odds": float(g["wins"].mean()),
                "target_odds": float(g["reaches_target"].mean()),
                "best_score": float(best["score"]),
                "env_best": float(settings.loc[settings["env_label"] == env, "score"].max()),
                "best_hyperparameters": best["hyperparameters"],
            }
        )
    return settings, pd.DataFrame(rows)


def per_workload(trials: pd.DataFrame, evaluations: pd.DataFrame) -> pd.DataFrame:
    """Best valid reward per env, agent and workload, for envs that sample several workloads.

    Returns:
        Columns ``env_label``, ``agent_label``, ``workload``, ``n_trials``,
        ``median_best`` (median over trials of the best reward reached on that
        workload) and ``target_rate`` (share of trials that met every target
        on it); empty when every env has one workload.
    """
    trials = done_trials(trials)
    cols = ["env_label", "agent_label", "workload", "n_trials", "median_best", "target_rate"]
    ev = evaluations[evaluations["run_id"].isin(trials["trial_id"])]
    if ev.empty or "workload" not in ev:
        return pd.DataFrame(columns=cols)
    ev = ev.merge(trials[["trial_id", "env_label", "agent_label"]], left_on="run_id",
                  right_on="trial_id")
    several = ev.groupby("env_label")["workload"].nunique()
    ev = ev[ev["env_label"].isin(several[several > 1].index)]
    if ev.empty:
        return pd.DataFrame(columns=cols)
    valid = ev[~ev["invalid"].astype(bool)]
    best = valid.groupby(["env_label", "agent_label", "workload", "run_id"]).agg(
        best=("reward", "max"), met=("target_met", "any")).reset_index()
    out = best.groupby(["env_label", "agent_label", "workload"]).agg(
        n_trials=("run_id", "nunique"), median_best=("best", "median"),
        target_rate=("met", "mean")).reset_index()
    return out[cols]
