"""What the report's figures draw (their data and axes, not their pixels)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from archgym.experiment import analysis, plots
from archgym.experiment import multiobjective as mo
from tests.experiment.test_multiobjective import DRAM, _tables

AGENTS = [f"agent{i}" for i in range(8)]


def _curves(values_by_agent, env="E"):
    rows = []
    for agent, values in values_by_agent.items():
        for i, v in enumerate(values):
            rows.append((env, agent, i + 1, v, v - 0.01, min(v + 0.01, 0.0) if v <= 0 else v + 0.01,
                         3))
    cols = ["env_label", "agent_label", "evaluations", "median", "low", "high", "n_trials"]
    return pd.DataFrame(rows, columns=cols)


def test_curve_view_plots_the_distance_to_the_targets_on_a_log_axis():
    curves = _curves({"a": [-2.0, -0.5, -0.0025, 0.0], "b": [-1.0, -0.1, -0.02, -0.02]})
    view = analysis.curve_view(curves)
    assert set(view["scale"]) == {"log-distance"}
    a = view[view["agent_label"] == "a"]
    # smallest positive distance 0.0025: the power of ten below (1e-3) is within x3 -> 1e-4
    floor = view["floor"].iloc[0]
    assert floor == pytest.approx(1e-4)
    # -reward; the band flips (a higher reward is a smaller distance); 0 sits on the floor
    np.testing.assert_allclose(a["y"], [2.0, 0.5, 0.0025, floor])
    np.testing.assert_allclose(a["y_low"], [1.99, 0.49, floor, floor], rtol=1e-9)
    np.testing.assert_allclose(a["y_high"], [2.01, 0.51, 0.0125, 0.01], rtol=1e-9)
    assert (view["y_low"] <= view["y"]).all() and (view["y"] <= view["y_high"]).all()
    assert (view["y"] > 0).all()  # no axis room for impossible positive rewards


def test_curve_view_other_reward_signs():
    positive = analysis.curve_view(_curves({"a": [1.0, 5.0, 50.0]}))
    assert set(positive["scale"]) == {"log"}
    np.testing.assert_allclose(positive["y"], [1.0, 5.0, 50.0])
    mixed = analysis.curve_view(_curves({"a": [-1.0, 0.5]}))
    assert set(mixed["scale"]) == {"linear"}
    # one scale per env
    both = pd.concat([_curves({"a": [-1.0, -0.1]}, "E"), _curves({"a": [2.0, 3.0]}, "F")])
    view = analysis.curve_view(both.reset_index(drop=True))
    assert view.groupby("env_label")["scale"].first().to_dict() == {"E": "log-distance",
                                                                     "F": "log"}


def test_best_so_far_figure_small_multiples_with_a_labelled_zero():
    curves = _curves({a: [-1.0 / (i + 1), -0.01 * (i + 1), 0.0] for i, a in enumerate(AGENTS)})
    fig = plots.draw_curves(analysis.curve_view(curves))
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert len(axes) == 8  # one panel per agent, no 8-band overlay
    assert [ax.get_title() for ax in axes] == [f"{a} (n=3 trials)" for a in AGENTS]
    ax = axes[0]
    assert ax.get_yscale() == "log"
    ticks = ax.get_yticks()
    labels = [ax.yaxis.get_major_formatter()(t, i) for i, t in enumerate(ticks)]
    assert labels[0] == "0 (met)"
    assert np.all(np.diff(np.log10(ticks)) >= 0.4)  # ticks at least ~half a decade apart
    assert ax.get_ylim()[0] > 0  # nothing spent on positive rewards
    assert all(a.get_legend() is None for a in axes)  # the legend is the figure's, below


def test_final_iqm_figure_has_no_legend_over_the_bars():
    final = pd.DataFrame(
        {
            "env_label": "E",
            "agent_label": AGENTS,
            "iqm": np.linspace(-0.14, 0.0, 8),
            "iqm_low": np.linspace(-0.2, -0.05, 8),
            "iqm_high": 0.0,
        }
    )
    fig = plots.draw_final(final)
    ax = fig.axes[0]
    assert ax.get_legend() is None and not fig.legends
    assert [t.get_text() for t in ax.get_yticklabels()] == AGENTS  # sorted by IQM


def test_pareto_figure_draws_each_front_design_once_marked_by_targets():
    trials, ev = _tables()
    obj = mo.env_objectives(DRAM)
    fronts = mo.pareto_fronts(trials, ev, {"dram": obj})
    fig = plots.draw_pareto(fronts, obj)
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in panels] == [
        "A: 3 on the front, 1 meets all",
        "B: 1 on the front, 1 meets all",
    ]
    lines = [ln for ln in panels[0].get_lines() if ln.get_gid() in ("meets", "misses")]
    assert sorted(ln.get_gid() for ln in lines) == ["meets", "misses", "misses"]
    # every axis is a targeted metric, in units of its target
    assert [t.get_text() for t in panels[0].get_xticklabels()] == [
        "latency_ns\n\u2264 45 ns", "power_mw\n\u2264 1400 mW", "bandwidth_gbps\n\u2265 10 GB/s"
    ]
    meets = next(ln for ln in lines if ln.get_gid() == "meets")
    np.testing.assert_allclose(meets.get_ydata(), [40 / 45, 1300 / 1400, 10 / 12])
    assert panels[0].get_yscale() == "log"


def test_hypervolume_figure_states_reference_point_and_normalisation():
    trials, ev = _tables()
    obj = mo.env_objectives(DRAM)
    hv = mo.hypervolume_curves(trials, ev, {"dram": obj}, n_boot=10)
    norm = mo.normalisation(ev, obj)
    note = plots.hypervolume_note(norm, 3, "exact", 0.0)
    assert "Reference point: 1.1 on every scaled axis" in note
    assert "[0, 1.1]^3 (volume 1.331)" in note
    assert "latency_ns 31 \u2192 60 ns (min, log)" in note
    assert "bandwidth_gbps 18 \u2192 4 GB/s (max, log)" in note
    fig = plots.draw_hypervolume(hv, norm)
    title = fig.legends[0].get_title().get_text().replace("\n", " ")
    assert "Reference point: 1.1" in title and "latency_ns 31" in title
    # one row of panels: the label is the first panel's (a figure-wide one ran into the note)
    ylabel = (fig.get_supylabel() or fig.axes[0].get_ylabel()).replace("\n", " ")
    assert ylabel == "hypervolume (fraction of the reference box)"
    mc = plots.hypervolume_note(norm, 4, "monte-carlo", 0.0019)
    assert f"Monte-Carlo estimate, {mo.MC_SAMPLES:,} uniform points" in mc
    assert "standard error \u2264 0.002" in mc


def test_env_slug():
    assert plots.env_slug("DRAMController-v0/cloud-1") == "dramcontroller-v0-cloud-1"
    assert plots.env_slug("SoC-v0/edge_detection") == "soc-v0-edge-detection"
