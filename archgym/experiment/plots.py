"""Figures of a sweep (PNG, via :mod:`archgym.figures`).

Every ``plot_*`` function takes a table from :mod:`~archgym.experiment.analysis`
or :mod:`~archgym.experiment.multiobjective` and a path, writes the figure and
returns the path; the matching ``draw_*`` returns the Matplotlib figure instead
(for notebooks and tests). Figures carry a title, axis labels with units, and a legend
outside the data.

The per-env figures (best-so-far curves, hypervolume, Pareto fronts) are
*small multiples*: one figure per env, one panel per agent (at most
:data:`MAX_COLS` per row), each agent in its own colour, so eight or more
agents stay readable. In the curve panels the other agents' medians are drawn
in grey behind the panel's agent for comparison.

The Pareto view is a *parallel-coordinates* plot of each agent's N-D front,
one vertical axis per targeted metric, every axis in units of its target
(:func:`~archgym.experiment.multiobjective.target_ratio`: below 1 meets it).
Chosen over pairwise projections because (a) it shows every objective of a
design at once for any number of objectives in one panel, and (b) a design
that meets every target is simply a line below 1 on every axis, whereas in a
projection a design inside two target lines can still miss a third target.
Front designs that miss any target are drawn faint, those that meet every
target solid.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from archgym.experiment.analysis import ALL_ENVS
from archgym.experiment.multiobjective import (
    MC_SAMPLES,
    REFERENCE,
    Objectives,
    target_ratio,
)
from archgym.figures import colours, new_figure, save_png

__all__ = [
    "MAX_COLS",
    "draw_curves",
    "draw_final",
    "draw_hypervolume",
    "draw_pareto",
    "env_slug",
    "hypervolume_note",
    "plot_curves",
    "plot_final",
    "plot_hypervolume",
    "plot_lottery",
    "plot_pareto",
]

REWARD_LABEL = "reward (dimensionless, higher is better)"
#: Panels per row of the small-multiple figures.
MAX_COLS = 4
_OTHER = "0.72"  # grey of the other agents' curves


def env_slug(env: str) -> str:
    """A file-name-safe form of an env label (``"DRAMController-v0/cloud-1"`` ->
    ``"dramcontroller-v0-cloud-1"``)."""
    return re.sub(r"[^a-z0-9]+", "-", env.lower()).strip("-") or "env"


def _one_env(table: pd.DataFrame, what: str) -> str:
    envs = list(dict.fromkeys(table["env_label"]))
    if len(envs) != 1:
        raise ValueError(f"{what} draws one env per figure, got {len(envs)}: {envs}")
    return str(envs[0])


def _agent_grid(
    n: int, panel_w: float, panel_h: float, *, sharey: bool = True, extra_h: float = 1.0
) -> tuple[Any, list[Any]]:
    """A constrained-layout figure with ``n`` panels, at most :data:`MAX_COLS` per row."""
    ncols = min(MAX_COLS, max(1, n))
    nrows = math.ceil(max(1, n) / ncols)
    fig, axes = new_figure(
        panel_w * ncols + 0.6,
        panel_h * nrows + extra_h,
        layout="constrained",
        nrows=nrows,
        ncols=ncols,
        squeeze=False,
        sharex=True,
        sharey=sharey,
    )
    flat = list(axes.ravel())
    for i in range(n, len(flat)):
        flat[i].set_visible(False)
        # the panel above a missing one is the bottom of its column: give it tick labels
        flat[i - ncols].xaxis.set_tick_params(which="both", labelbottom=True)
    return fig, flat[:n]


def _bottom_panels(axes: Sequence[Any]) -> list[Any]:
    """The lowest visible panel of each column of an :func:`_agent_grid`."""
    ncols = min(MAX_COLS, len(axes))
    return [axes[max(i for i in range(len(axes)) if i % ncols == c)] for c in range(ncols)]


def _bottom_legend(fig: Any, handles: list[Any], title: str, ncol: int | None = None) -> None:
    fig.legend(
        handles=handles,
        loc="outside lower center",
        ncol=ncol or len(handles),
        fontsize="small",
        title=title,
        title_fontsize="small",
        frameon=False,
    )


def _line(**kw: Any) -> Any:
    from matplotlib.lines import Line2D

    return Line2D([], [], **kw)


def _patch(**kw: Any) -> Any:
    from matplotlib.patches import Patch

    return Patch(**kw)


# ------------------------------------------------------------------ curves
def _small_multiple_bands(
    table: pd.DataFrame,
    *,
    ycol: str,
    low: str,
    high: str,
    palette: Mapping[str, Any] | None,
    agents: Sequence[str] | None,
    log_x: bool,
) -> tuple[Any, list[Any], list[str], dict[str, Any]]:
    """One panel per agent: its median (colour) and band over the others' medians (grey)."""
    agents = list(agents) if agents is not None else sorted(table["agent_label"].unique())
    palette = dict(palette) if palette is not None else colours(agents)
    fig, axes = _agent_grid(len(agents), 3.0, 2.4, extra_h=1.3)
    groups = {a: g.sort_values("evaluations") for a, g in table.groupby("agent_label")}
    for ax, agent in zip(axes, agents, strict=True):
        for other, g in groups.items():
            if other != agent:
                ax.plot(g["evaluations"], g[ycol], color=_OTHER, lw=0.8, ds="steps-post", zorder=1)
        g = groups.get(agent)
        if g is None or g[ycol].isna().all():
            ax.set_title(f"{agent} (no valid design)", fontsize="medium")
        else:
            c = palette[agent]
            ax.fill_between(g["evaluations"], g[low], g[high], color=c, alpha=0.25, lw=0,
                            step="post", zorder=2)
            ax.plot(g["evaluations"], g[ycol], color=c, lw=1.8, ds="steps-post", zorder=3)
            ax.set_title(f"{agent} (n={int(g['n_trials'].iloc[0])} trials)", fontsize="medium")
        if log_x:
            ax.set_xscale("log")
        ax.grid(alpha=0.3, which="major")
    return fig, axes, agents, palette


def plot_curves(view: pd.DataFrame, path: str | os.PathLike[str], **style: Any) -> Path:
    """Write :func:`draw_curves` (``style``: ``palette``, ``agents``, ``evaluator``) as PNG."""
    return save_png(draw_curves(view, **style), path)


def draw_curves(
    view: pd.DataFrame,
    *,
    palette: Mapping[str, Any] | None = None,
    agents: Sequence[str] | None = None,
    evaluator: str = "simulator",
) -> Any:
    """Best-so-far curves of one env: one panel per agent, median over trials and 95 % band.

    Args:
        view: The env's rows of :func:`~archgym.experiment.analysis.curve_view`
            (its ``scale`` picks the y-axis; ``y``, ``y_low``, ``y_high`` are drawn).
        palette: Agent label -> colour (default: :func:`~archgym.figures.colours`).
        agents: Panel order (default: sorted labels).
        evaluator: What answered the evaluations (the env's backend), named on
            the x-axis: ``"simulator"``, ``"proxy"``, ...

    Returns:
        The :class:`matplotlib.figure.Figure`.
    """
    env = _one_env(view, "plot_curves")
    scale = str(view["scale"].iloc[0])
    fig, axes, _, _ = _small_multiple_bands(
        view, ycol="y", low="y_low", high="y_high", palette=palette, agents=agents,
        log_x=True,
    )
    ax0 = axes[0]
    note = "Coloured: the panel's agent, median over its trials (all settings pooled)."
    handles = [
        _line(color="k", lw=1.8, label="median best-so-far"),
        _patch(color="k", alpha=0.25, lw=0, label="bootstrap 95% CI of the median"),
        _line(color=_OTHER, lw=0.8, label="other agents' medians"),
    ]
    if scale == "log-distance":
        floor = float(view["floor"].iloc[0])
        top = max(float(np.nanmax(view[["y", "y_high"]].to_numpy())), floor * 10)
        ax0.set_yscale("log")
        ax0.set_ylim(floor / 1.8, top * 1.8)
        ticks = [floor, *(t for t in _log_ticks(floor * 3, top * 1.8) if t > floor * 2.5)]
        _fixed_log_ticks(ax0, ticks, {floor: "0 (met)"})
        for ax in axes:
            ax.axhline(floor, color="k", ls="--", lw=0.8, zorder=0)
        handles.append(_line(color="k", ls="--", lw=0.8, label="reward 0: every target met"))
        ylabel = "\u2212(best-so-far reward)\nlog scale, lower is better"
        note += (" With the distance reward, \u2212reward is the summed relative shortfall from"
                 f" the targets; a reward of 0 is drawn at {floor:g}.")
    elif scale == "log":
        ax0.set_yscale("log")
        ylabel = "best-so-far reward\nlog scale, higher is better"
    else:
        ylabel = "best-so-far reward\nhigher is better"
    for ax in _bottom_panels(axes):
        ax.set_xlabel(f"{evaluator} evaluations (count, log scale)", fontsize="small")
    fig.supylabel(ylabel, fontsize="medium")
    # four entries fit one row under three or more panels; under one or two, two rows
    _bottom_legend(fig, handles, _wrap(note, 110), ncol=len(handles) if len(axes) > 2 else 2)
    what = ("reward vs simulation budget" if evaluator == "simulator"
            else f"{evaluator}-predicted reward vs {evaluator} evaluations")
    fig.suptitle(f"Best-so-far {what} \u2014 {env}")
    return fig


def _log_ticks(lo: float, hi: float) -> list[float]:
    """Tick values for a log axis over ``[lo, hi]``: decades, plus 2x and 5x when few decades."""
    first, last = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    decades = [10.0**d for d in range(first, last + 1)]
    ticks = [t for t in decades if lo <= t <= hi]
    if len(ticks) < 3:
        ticks = [m * t for t in decades for m in (1, 2, 5) if lo <= m * t <= hi]
    return ticks


def _fixed_log_ticks(ax: Any, ticks: Sequence[float], names: Mapping[float, str]) -> None:
    """Major ticks at ``ticks`` labelled ``%g`` (or by ``names``), no minor labels."""
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter

    def label(v: float, _: Any) -> str:
        for value, text in names.items():
            if math.isclose(v, value):
                return text
        return f"{v:g}"

    ax.yaxis.set_major_locator(FixedLocator(list(ticks)))
    ax.yaxis.set_major_formatter(FuncFormatter(label))
    ax.yaxis.set_minor_formatter(NullFormatter())


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width, break_on_hyphens=False))


# ------------------------------------------------------------------ hypervolume
def hypervolume_note(norm: pd.DataFrame, k: int, method: str, se: float) -> str:
    """The hypervolume figure's statement of its reference point, normalisation and method.

    Args:
        norm: The env's :func:`~archgym.experiment.multiobjective.normalisation`.
        k: Number of objectives.
        method: ``"exact"`` or ``"monte-carlo"``.
        se: Largest Monte-Carlo standard error (fraction of the box).
    """
    parts = []
    for r in norm.itertuples():
        scale = "log" if r.log else "linear"
        goal = "max" if r.goal == "max" else "min"
        parts.append(f"{r.metric} {r.best:.4g} \u2192 {r.worst:.4g} {r.unit} ({goal}, {scale})")
    box = REFERENCE**k
    how = (
        "Computed exactly"
        if method == "exact"
        else f"Monte-Carlo estimate, {MC_SAMPLES:,} uniform points, standard error \u2264 {se:.1g}"
    )
    return (
        f"Hypervolume = share of the reference box [0, {REFERENCE:g}]^{k} (volume {box:.4g}) "
        f"dominated by the valid designs evaluated so far, over all {k} targeted metrics; "
        "1 = one design best on every metric at once. Each metric is scaled to [0, 1] from the "
        "best to the worst value any valid design on this env reached: "
        + "; ".join(parts)
        + f". Reference point: {REFERENCE:g} on every scaled axis. {how}."
    )


def plot_hypervolume(
    table: pd.DataFrame, norm: pd.DataFrame, path: str | os.PathLike[str], **style: Any
) -> Path:
    """Write :func:`draw_hypervolume` (``style``: ``palette``, ``agents``, ``evaluator``) as PNG."""
    return save_png(draw_hypervolume(table, norm, **style), path)


def draw_hypervolume(
    table: pd.DataFrame,
    norm: pd.DataFrame,
    *,
    palette: Mapping[str, Any] | None = None,
    agents: Sequence[str] | None = None,
    evaluator: str = "simulator",
) -> Any:
    """Hypervolume fraction vs evaluations of one env: one panel per agent, median and band.

    Args:
        table: The env's rows of
            :func:`~archgym.experiment.multiobjective.hypervolume_curves`.
        norm: The env's :func:`~archgym.experiment.multiobjective.normalisation`
            (stated on the figure with the reference point: :func:`hypervolume_note`).
        palette: Agent label -> colour.
        agents: Panel order.
        evaluator: What answered the evaluations (the env's backend), named on
            the x-axis.

    Returns:
        The :class:`matplotlib.figure.Figure`.
    """
    env = _one_env(table, "plot_hypervolume")
    fig, axes, _, _ = _small_multiple_bands(
        table, ycol="median", low="low", high="high", palette=palette, agents=agents,
        log_x=False,
    )
    values = table[["median", "low", "high"]].to_numpy(dtype=np.float64)
    lo, hi = float(np.nanmin(values)), float(np.nanmax(values))
    pad = max(0.02, 0.05 * (hi - lo))
    axes[0].set_ylim(max(0.0, lo - pad), min(1.0, hi + pad))
    k = int(table["n_objectives"].iloc[0])
    note = hypervolume_note(
        norm, k, str(table["method"].iloc[0]), float(table["se"].max())
    )
    handles = [
        _line(color="k", lw=1.8, label="median over the agent's trials"),
        _patch(color="k", alpha=0.25, lw=0, label="bootstrap 95% CI of the median"),
        _line(color=_OTHER, lw=0.8, label="other agents' medians"),
    ]
    for ax in _bottom_panels(axes):
        ax.set_xlabel(f"{evaluator} evaluations (count)", fontsize="small")
    ylabel = "hypervolume\n(fraction of the reference box)"
    if len(axes) <= MAX_COLS:  # one row: a figure-wide label would run into the note below
        axes[0].set_ylabel(ylabel, fontsize="medium")
    else:
        fig.supylabel(ylabel, fontsize="medium")
    # under one or two panels the note and legend get narrower, so that nothing is cut off
    narrow = len(axes) <= 2
    _bottom_legend(fig, handles, _wrap(note, 100 if narrow else 120),
                   ncol=2 if narrow else len(handles))
    budget = "simulation budget" if evaluator == "simulator" else f"{evaluator} evaluations"
    title = f"Hypervolume of the evaluated designs vs {budget} \u2014 {env}"
    fig.suptitle(_wrap(title, 70) if narrow else title)
    return fig


# ------------------------------------------------------------------ Pareto
def plot_pareto(
    fronts: pd.DataFrame, obj: Objectives, path: str | os.PathLike[str], **style: Any
) -> Path:
    """Write :func:`draw_pareto` (``style``: ``palette``, ``agents``) to ``path`` as PNG."""
    return save_png(draw_pareto(fronts, obj, **style), path)


def draw_pareto(
    fronts: pd.DataFrame,
    obj: Objectives,
    *,
    palette: Mapping[str, Any] | None = None,
    agents: Sequence[str] | None = None,
) -> Any:
    """Each agent's N-D Pareto front on one env as parallel coordinates (see the module doc).

    Args:
        fronts: The env's rows of :func:`~archgym.experiment.multiobjective.pareto_fronts`.
        obj: The env's objectives (every targeted metric).
        palette: Agent label -> colour.
        agents: Panel order (agents without a front get an empty panel).

    Returns:
        The :class:`matplotlib.figure.Figure`; each design is one ``Line2D``
        whose ``gid`` is ``"meets"`` or ``"misses"`` (every target met or not).
    """
    from matplotlib.patheffects import Normal, Stroke

    env = _one_env(fronts, "plot_pareto")
    agents = list(agents) if agents is not None else sorted(fronts["agent_label"].unique())
    palette = dict(palette) if palette is not None else colours(agents)
    k = len(obj.names)
    ratios = np.column_stack(
        [
            target_ratio(fronts[col].to_numpy(dtype=np.float64), t, g)
            for col, t, g in zip(obj.columns, obj.targets, obj.goals, strict=True)
        ]
    )
    meets = fronts["meets_targets"].to_numpy(dtype=bool)
    labels = fronts["agent_label"].to_numpy()
    fig, axes = _agent_grid(len(agents), max(2.6, 0.7 * k + 0.9), 2.6, extra_h=1.4)
    x = np.arange(k)
    lo = min(float(ratios.min()), 1.0) / 1.6
    hi = max(float(ratios.max()), 1.0) * 1.6
    for ax, agent in zip(axes, agents, strict=True):
        mine = labels == agent
        c = palette[agent]
        ax.axhspan(1.0, hi, color="#d62728", alpha=0.06, lw=0, zorder=0)
        ax.axhline(1.0, color="k", ls="--", lw=0.9, zorder=1)
        for r in ratios[mine & ~meets]:
            ax.plot(x, r, color=c, alpha=0.25, lw=0.8, zorder=2, gid="misses")
        for r in ratios[mine & meets]:
            ax.plot(x, r, color=c, lw=2.2, marker="o", ms=4, mec="k", mew=0.6, zorder=3,
                    gid="meets", path_effects=[Stroke(linewidth=3.6, foreground="k"), Normal()])
        n, m = int(mine.sum()), int((mine & meets).sum())
        verb = "meets" if m == 1 else "meet"
        title = f"{agent}: {n} on the front, {m} {verb} all" if n else f"{agent}: no valid design"
        ax.set_title(title, fontsize="small")
        for xi in x:
            ax.axvline(xi, color="0.5", lw=0.6, zorder=0)
        ax.grid(alpha=0.3, axis="y", which="major")
    ax0 = axes[0]
    ax0.set_yscale("log")
    ax0.set_ylim(lo, hi)
    ax0.set_xlim(-0.4, k - 0.6)
    ax0.set_xticks(x, [f"{n}\n{obj.target_text(i)}" for i, n in enumerate(obj.names)])
    _fixed_log_ticks(ax0, _log_ticks(lo, hi), {})
    for ax in axes:
        ax.tick_params(axis="x", labelsize="x-small")
    fig.supylabel("value \u00f7 target, log scale\n(\u2265 targets: target \u00f7 value)",
                  fontsize="medium")
    handles = [
        _line(color="0.5", lw=2.2, marker="o", ms=4, mec="k", mew=0.6,
              label="front design meeting every target (outlined)"),
        _line(color="0.5", lw=0.8, alpha=0.5, label="front design missing a target (faint)"),
        _line(color="k", ls="--", lw=0.9, label="target (ratio 1)"),
        _patch(color="#d62728", alpha=0.15, lw=0, label="misses that target"),
    ]
    note = (
        f"One line = one design on the agent's Pareto front over all {k} targeted metrics "
        "(non-dominated among the valid designs of all its trials). On every axis, below 1 "
        "meets the target, so a design meeting every target lies below the dashed line "
        "on every axis."
    )
    _bottom_legend(fig, handles, _wrap(note, 110), ncol=2)
    fig.suptitle(f"Pareto fronts over all {k} targeted metrics \u2014 {env}")
    return fig


# ------------------------------------------------------------------ across envs
def _panels(envs: list[str], width: float = 5.5, height: float = 4.0) -> tuple[Any, Any]:
    n = max(1, len(envs))
    ncols = min(2, n)
    nrows = math.ceil(n / ncols)
    fig, axes = new_figure(
        width * ncols, height * nrows + 0.6, layout="constrained", nrows=nrows, ncols=ncols,
        squeeze=False,
    )
    flat = axes.ravel()
    for ax in flat[n:]:
        ax.set_visible(False)
    return fig, flat[:n]


def plot_final(final: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write :func:`draw_final` to ``path`` as PNG."""
    return save_png(draw_final(final), path)


def draw_final(final: pd.DataFrame) -> Any:
    """IQM of the best reward per agent with 95 % CIs, one panel per env.

    No legend: the y tick labels name the agents (the dot is the IQM, the bar
    its CI, as the x label says), so nothing covers the bars or the labels.

    Returns:
        The :class:`matplotlib.figure.Figure`.
    """
    envs = list(dict.fromkeys(final["env_label"]))
    palette = colours(sorted(final["agent_label"].unique()))
    fig, axes = _panels(envs, height=0.9 + 0.4 * final["agent_label"].nunique())
    for ax, env in zip(axes, envs, strict=True):
        g = final[final["env_label"] == env].sort_values("iqm")
        y = np.arange(len(g))
        for yi, (_, row) in zip(y, g.iterrows(), strict=True):
            c = palette[row["agent_label"]]
            err = [[row["iqm"] - row["iqm_low"]], [row["iqm_high"] - row["iqm"]]]
            ax.errorbar(row["iqm"], yi, xerr=err, fmt="o", color=c, capsize=3)
        ax.set_yticks(y, g["agent_label"])
        ax.set_ylim(-0.6, len(g) - 0.4)
        ax.set_title(env)
        unit = "normalised score (0 = worst trial, 1 = best)" if env == ALL_ENVS else (
            "reward (higher is better)"
        )
        ax.set_xlabel(f"IQM of the trials' best {unit}\ndot: IQM; bar: bootstrap 95% CI",
                      fontsize="small")
        ax.grid(alpha=0.3, axis="x")
    fig.suptitle("Final performance: interquartile mean over trials")
    return fig


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
        ax.boxplot(data, widths=0.6, showfliers=False, medianprops={"color": "k"})
        for i, (a, d) in enumerate(zip(agents, data, strict=True), start=1):
            ax.scatter(i + rng.uniform(-0.15, 0.15, len(d)), d, s=14, color=palette[a],
                       alpha=0.8, zorder=3)
        o = odds[odds["env_label"] == env].set_index("agent_label")
        ax.set_xticks(
            range(1, len(agents) + 1),
            [f"{a}\n{o.loc[a, 'win_odds']:.0%} of {int(o.loc[a, 'n_settings'])}" for a in agents],
            fontsize="small",
        )
        ax.axhline(s["threshold"].iloc[0], color="k", ls="--", lw=1)
        ax.set_title(env)
        ax.set_xlabel("agent (share of its settings within 5% of the best)", fontsize="small")
        ax.set_ylabel(f"median best {REWARD_LABEL}", fontsize="small")
        ax.grid(alpha=0.3, axis="y")
    handles = [
        _line(color="0.3", marker="o", ls="", ms=4, label="one hyperparameter setting "
              "(median over its seeds)"),
        _line(color="k", ls="--", lw=1, label="within 5% of the best setting on the env"),
    ]
    _bottom_legend(fig, handles, "")
    fig.suptitle("Hyperparameter lottery: best reward per hyperparameter setting")
    return save_png(fig, path)
