"""``archgym report DIR``: tables, figures and ``report.md`` for a sweep.

Writes into the results folder:

* ``report.md`` — the sweep's setup (with the backend and proxy model that
  answered each env's evaluations), final performance (IQM with 95 % CIs),
  probability of improvement between every pair of agents, hyperparameter
  lottery odds, the best designs of each env re-simulated with the real
  simulator (:mod:`archgym.experiment.verification`), failed trials, and links
  to the figures;
* ``figures/*.png`` — final IQMs and the lottery (one figure, a panel per
  env), and per env (``<kind>-<env slug>.png``) best-so-far curves, Pareto
  fronts over every targeted metric and hypervolume curves, each with one
  panel per agent;
* ``tables/*.csv`` — every table of the report, for further analysis.

Only the trials of the spec stored in the folder count (a spec edited since
an earlier run may leave trials of the old spec in the folder).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from archgym.atomic import write_text_atomic
from archgym.experiment import analysis, plots
from archgym.experiment.multiobjective import (
    Objectives,
    env_objectives,
    front_summary,
    hypervolume_curves,
    normalisation,
    pareto_fronts,
)
from archgym.experiment.spec import parse_spec
from archgym.experiment.store import ResultsStore, load_results
from archgym.experiment.trials import expand
from archgym.experiment.verification import backend_lines, env_backends, verification_section
from archgym.figures import colours

__all__ = ["lottery_headline", "markdown_table", "write_report"]


def markdown_table(df: pd.DataFrame, floatfmt: str = ".4g") -> str:
    """A GitHub-flavoured Markdown table of a DataFrame (floats formatted with ``floatfmt``)."""

    def fmt(v: Any) -> str:
        if isinstance(v, float):
            return format(v, floatfmt)
        return str(v).replace("|", "\\|").replace("\n", " ")

    header = "| " + " | ".join(str(c) for c in df.columns) + " |"
    rule = "|" + "|".join("---" for _ in df.columns) + "|"
    body = ["| " + " | ".join(fmt(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join([header, rule, *body])


def _objectives(trials: pd.DataFrame) -> tuple[dict[str, Objectives], list[str]]:
    """Objectives per env label from the stored env descriptions, and why any is missing."""
    out: dict[str, Objectives] = {}
    missing: list[str] = []
    for env, g in trials.groupby("env_label"):
        texts = [t for t in g.get("env_description", pd.Series(dtype=str)) if t]
        if not texts:
            missing.append(f"{env}: its trial summaries carry no env description "
                           "(written by an older ArchGym)")
            continue
        out[str(env)] = env_objectives(json.loads(texts[0]))
    return out, missing


def _poi_matrix(poi: pd.DataFrame, env: str) -> pd.DataFrame:
    p = poi[poi["env_label"] == env]
    agents = sorted(set(p["agent_x"]) | set(p["agent_y"]))
    cells = {
        (r.agent_x, r.agent_y): f"{r.p_x_beats_y:.2f} [{r.low:.2f}, {r.high:.2f}]"
        for r in p.itertuples()
    }
    rows = [[x, *[cells.get((x, y), "—") for y in agents]] for x in agents]
    return pd.DataFrame(rows, columns=["P(row beats column)", *agents])


def lottery_headline(odds: pd.DataFrame) -> list[str]:
    """One sentence per env: each agent's share of settings within 5 % of the best."""
    lines = []
    for env, g in odds.groupby("env_label", sort=True):
        g = g.sort_values(["win_odds", "best_score"], ascending=False)
        parts = [
            f"{r.agent_label} {r.win_odds:.0%} of {r.n_settings}"
            + (f" (target: {r.target_odds:.0%})" if r.target_odds > 0 else "")
            for r in g.itertuples()
        ]
        lines.append(f"**{env}**: " + ", ".join(parts))
    return lines


def write_report(root: str | os.PathLike[str], *, n_bootstrap: int = 2000, seed: int = 0) -> Path:
    """Compute every table and figure of a sweep and write ``report.md``.

    Args:
        root: The sweep's results folder.
        n_bootstrap: Bootstrap resamples of every confidence interval.
        seed: Seed of the bootstrap (the report is reproducible).

    Returns:
        The path of ``report.md``.
    """
    store = ResultsStore(root)
    res = load_results(root)
    spec = parse_spec(res.spec, source=str(store.spec_path))
    ids = {t.trial_id for t in expand(spec)}
    all_trials = res.trials[res.trials["trial_id"].isin(ids)].reset_index(drop=True)
    trials = analysis.done_trials(all_trials)
    evals = res.evaluations[res.evaluations["run_id"].isin(trials["trial_id"])]
    fig_dir, tab_dir = store.figures_dir, store.root / "tables"
    tab_dir.mkdir(parents=True, exist_ok=True)

    lines = [f"# Sweep report: {spec.name}", ""]
    n_failed = int((all_trials["status"] == "failed").sum()) if len(all_trials) else 0
    backends = env_backends(spec)
    unit, backend_text = backend_lines(backends)
    lines += [
        f"- envs: {', '.join(e.label for e in spec.envs)}",
        *backend_text,
        f"- agents: {', '.join(a.label for a in spec.agents)}",
        f"- seeds: {len(spec.seeds)}; budget: {spec.budget} {unit}",
        f"- trials: {len(ids)} in the spec, {len(trials)} done, {n_failed} failed, "
        f"{len(ids) - len(all_trials)} pending",
        f"- confidence intervals: percentile bootstrap, {n_bootstrap} resamples, seed {seed}",
        "",
    ]
    if trials.empty:
        lines.append("No finished trial yet.")
        return _write(store.root / "report.md", lines)

    figures: dict[str, Any] = {}
    agents = sorted(trials["agent_label"].unique())
    palette = colours(agents)
    envs = sorted(trials["env_label"].unique())
    # one colour per agent across every figure; per env, a panel per agent that ran on it
    style = {
        env: {"palette": palette,
              "agents": sorted(trials.loc[trials["env_label"] == env, "agent_label"].unique())}
        for env in envs
    }
    evaluator = dict(zip(backends["env_label"], backends["backend"], strict=True))
    curves = analysis.curve_table(trials, evals, n_boot=min(n_bootstrap, 1000), seed=seed)
    view = analysis.curve_view(curves)
    figures["curves"] = {
        env: plots.plot_curves(
            view[view["env_label"] == env], fig_dir / f"best_so_far-{plots.env_slug(env)}.png",
            **style[env], evaluator=evaluator.get(env, "simulator"),
        ).name
        for env in envs
        if (view["env_label"] == env).any()
    }
    final = analysis.final_performance(trials, n_boot=n_bootstrap, seed=seed)
    figures["final"] = plots.plot_final(final, fig_dir / "final_iqm.png").name
    poi = analysis.improvement_table(trials, n_boot=n_bootstrap, seed=seed)
    settings, odds = analysis.lottery(trials)
    if (odds["n_settings"] > 1).any():
        figures["lottery"] = plots.plot_lottery(settings, odds, fig_dir / "lottery.png").name
    objectives, no_objectives = _objectives(trials)
    fronts = pareto_fronts(trials, evals, objectives)
    hv = hypervolume_curves(trials, evals, objectives, n_boot=min(n_bootstrap, 1000), seed=seed)
    norms = []
    figures["pareto"], figures["hv"] = {}, {}
    for env in envs:
        f, h = fronts[fronts["env_label"] == env], hv[hv["env_label"] == env]
        if f.empty or h.empty:
            if env in objectives and len(objectives[env].names) >= 2:
                no_objectives.append(f"{env}: no trial evaluated a valid design")
            continue
        env_evals = evals[evals["run_id"].isin(trials.loc[trials["env_label"] == env, "trial_id"])]
        norm = normalisation(env_evals, objectives[env])
        norms.append(pd.concat([pd.Series(env, index=norm.index, name="env_label"), norm], axis=1))
        slug = plots.env_slug(env)
        figures["pareto"][env] = plots.plot_pareto(
            f, objectives[env], fig_dir / f"pareto-{slug}.png", **style[env]
        ).name
        figures["hv"][env] = plots.plot_hypervolume(
            h, norm, fig_dir / f"hypervolume-{slug}.png", **style[env],
            evaluator=evaluator.get(env, "simulator"),
        ).name
    summary = front_summary(fronts, objectives)
    for name, table in [
        ("curves", view),
        ("final_performance", final),
        ("probability_of_improvement", poi),
        ("lottery_settings", settings),
        ("lottery_odds", odds),
        ("pareto_fronts", fronts),
        ("pareto_summary", summary),
        ("hypervolume", hv),
        ("hypervolume_normalisation", pd.concat(norms) if norms else pd.DataFrame()),
    ]:
        table.to_csv(tab_dir / f"{name}.csv", index=False)

    workloads = analysis.per_workload(trials, evals)
    workloads.to_csv(tab_dir / "per_workload.csv", index=False)
    no_curves = [env for env in envs if env not in figures["curves"]]
    lines += _sections(figures, final, poi, settings, odds, summary, objectives, no_objectives,
                       no_curves)
    lines += _baseline_section(res.baselines, set(trials["env_label"]), evaluator)
    lines += verification_section(store.root, envs, backends, tab_dir)
    if not workloads.empty:
        lines += [
            "## Per workload",
            "",
            "Envs that sample a workload per episode: the median over trials of the best "
            "reward reached on each workload, and the share of trials that met every target "
            "on it.",
            "",
            markdown_table(workloads),
            "",
        ]
    failed = all_trials[all_trials["status"] == "failed"]
    if len(failed):
        lines += ["## Failed trials", ""]
        ft = failed[["trial_id", "env_label", "agent_label", "seed", "error"]].copy()
        ft["error"] = ft["error"].str.split("\n").str[0].str.slice(0, 160)
        lines += [markdown_table(ft), ""]
    return _write(store.root / "report.md", lines)


def _baseline_section(
    baselines: pd.DataFrame, envs: set[str], evaluator: Mapping[str, str]
) -> list[str]:
    """The baseline table: each env's default design, evaluated once per workload."""
    lines = ["## Baseline: the default design", ""]
    if baselines.empty or "env_label" not in baselines:
        return [*lines, "Not recorded (the sweep predates baselines).", ""]
    rows = baselines[baselines["env_label"].isin(envs)]
    metric_cols = [c for c in rows.columns if c.startswith("metric.")]
    shown = rows[["env_label", "workload", "reward", "target_met", "invalid",
                  *metric_cols]].copy()
    shown.columns = [c.removeprefix("metric.") for c in shown.columns]
    proxied = any(evaluator.get(str(e), "simulator") != "simulator" for e in shown["env_label"])
    if proxied:
        shown.insert(2, "backend", [evaluator.get(str(e), "simulator")
                                    for e in shown["env_label"]])
    return [
        *lines,
        "Each env's default design (its simulator's documented defaults), evaluated once per "
        "workload: the reward an agent has to beat"
        + (" (by the env's backend: a proxy's baseline is its prediction)." if proxied else "."),
        "",
        markdown_table(shown),
        "",
    ]


def _env_images(images: Mapping[str, str], alt: str) -> list[str]:
    """One image per env; under a ``### env`` heading when there are several envs."""
    lines: list[str] = []
    for env, name in images.items():
        if len(images) > 1:
            lines += [f"### {env}", ""]
        lines += [f"![{alt}: {env}](figures/{name})", ""]
    return lines


def _objective_text(obj: Objectives) -> str:
    return ", ".join(f"{n} {obj.target_text(i)}" for i, n in enumerate(obj.names))


def _sections(
    figures: Mapping[str, Any],
    final: pd.DataFrame,
    poi: pd.DataFrame,
    settings: pd.DataFrame,
    odds: pd.DataFrame,
    summary: pd.DataFrame,
    objectives: Mapping[str, Objectives],
    no_objectives: list[str],
    no_curves: list[str],
) -> list[str]:
    lines = ["## Best-so-far reward vs evaluations", ""]
    lines += [
        "Median over trials of the best valid reward found after each evaluation, with a "
        "bootstrap 95% confidence band (all hyperparameter settings of an agent pooled); one "
        "panel per agent, the other agents' medians in grey. When every reward is <= 0 (the "
        "distance reward) the y-axis is -reward on a log scale, so the region near the targets "
        "is as readable as the far one; a reward of 0 (every target met) is drawn at the "
        "axis floor, labelled '0 (met)'.",
        "",
        *_env_images(figures["curves"], "best-so-far curves"),
        *([f"Not drawn for {', '.join(no_curves)}: no trial evaluated a valid design.", ""]
          if no_curves else []),
        "## Final performance",
        "",
        "Interquartile mean (IQM) of the trials' best reward, with bootstrap 95% CIs."
        + (
            f" Rows '{analysis.ALL_ENVS}' use scores min-max normalised per env and a "
            "bootstrap stratified by env."
            if (final["env_label"] == analysis.ALL_ENVS).any()
            else ""
        ),
        "",
        markdown_table(final),
        "",
        f"![final performance](figures/{figures['final']})",
        "",
        "## Probability of improvement",
        "",
        "P(a trial of the row agent reaches a higher best reward than a trial of the column "
        "agent on the same env), with bootstrap 95% CIs; averaged over envs in the last table.",
        "",
    ]
    for env in dict.fromkeys(poi["env_label"]):
        lines += [f"### {env}", "", markdown_table(_poi_matrix(poi, env)), ""]
    lines += [
        "## Hyperparameter lottery",
        "",
        "For each agent, the distribution over its hyperparameter settings of the best reward "
        "reached (median over seeds). Odds: the share of an agent's settings within 5% of the "
        "best score any setting reached on that env, and the share that reach the target: "
        "more than half of the setting's seeds met every target (2 of 3 or 2 of 2; 1 of 2 "
        "does not count).",
        "",
        *[f"- {line}" for line in lottery_headline(odds)],
        "",
        markdown_table(odds),
        "",
    ]
    if "lottery" in figures:
        lines += [f"![hyperparameter lottery](figures/{figures['lottery']})", ""]
    else:
        lines += ["(Every agent ran a single setting: give agents a `grid` for a lottery.)", ""]
    lines += ["## Multi-objective view", ""]
    if not figures["pareto"]:
        single = [e for e, o in objectives.items() if len(o.names) < 2]
        reasons = [*no_objectives,
                   *(f"{e}: its objective targets a single metric" for e in single)]
        if not reasons:
            reasons = ["no trial evaluated a valid design"]
        lines += ["Not drawn: " + "; ".join(reasons) + ".", ""]
        return lines
    lines += [
        "Over every targeted metric of each env. Pareto fronts: per agent, the designs not "
        "dominated in all targeted metrics among the valid designs of all its trials, as "
        "parallel coordinates with every axis in units of its target (below 1 meets it); "
        "front designs that miss any target are drawn faint. Hypervolume: the share of a "
        "reference box dominated by the designs evaluated so far, in metrics scaled per env "
        "(the scaling and the reference point are stated under each figure and in "
        "`tables/hypervolume_normalisation.csv`); median and bootstrap 95% band over trials.",
        "",
    ]
    for env in figures["pareto"]:
        obj = objectives[env]
        lines += [
            f"### {env}",
            "",
            f"Objectives ({len(obj.names)}): {_objective_text(obj)}.",
            "",
            markdown_table(summary[summary["env_label"] == env].drop(columns=["objectives"])),
            "",
            f"![Pareto fronts: {env}](figures/{figures['pareto'][env]})",
            "",
            f"![hypervolume: {env}](figures/{figures['hv'][env]})",
            "",
        ]
    skipped = [*no_objectives,
               *(f"{e}: its objective targets a single metric"
                 for e, o in objectives.items() if len(o.names) < 2)]
    if skipped:
        lines += ["Not drawn for " + "; ".join(skipped) + ".", ""]
    return lines


def _write(path: Path, lines: list[str]) -> Path:
    return write_text_atomic(path, "\n".join(lines) + "\n")
