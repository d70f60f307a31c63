"""Fidelity scores (closed-form cases), splits and parity plots."""

from __future__ import annotations

import math

import numpy as np
import pytest

from archgym.proxy.dataset import build_dataset
from archgym.proxy.fidelity import draw_parity, parity_plot, scores
from archgym.proxy.splits import leave_one_out, random_split
from tests.proxy.smoothsim import smooth_space


def test_scores_of_a_single_error():
    s = scores(np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.0, 2.0, 3.0, 5.0]), "min", top_k=2)
    assert s["rmse"] == pytest.approx(0.5)
    assert s["nrmse"] == pytest.approx(0.5 / 3.0)
    assert s["mae"] == pytest.approx(0.25)
    assert s["r2"] == pytest.approx(1.0 - 1.0 / 5.0)
    assert s["spearman"] == pytest.approx(1.0) and s["kendall"] == pytest.approx(1.0)
    assert s["topk_recall"] == 1.0


def test_scores_of_a_reversed_ranking_and_of_a_max_goal():
    y = np.array([1.0, 2.0, 3.0, 4.0])
    s = scores(y, y[::-1].copy(), "min", top_k=2)
    assert s["spearman"] == pytest.approx(-1.0) and s["kendall"] == pytest.approx(-1.0)
    assert s["topk_recall"] == 0.0
    assert s["r2"] == pytest.approx(1.0 - 20.0 / 5.0)
    m = scores(y, np.array([1.0, 2.0, 4.5, 4.0]), "max", top_k=1)
    assert m["topk_recall"] == 0.0  # simulator's best is index 3, proxy's is index 2
    assert math.isnan(scores(np.ones(3), np.ones(3))["nrmse"])


def test_topk_recall_counts_ties_with_the_kth_best_as_hits():
    y_true = np.array([1.0, 1.0, 1.0, 5.0])
    s = scores(y_true, np.array([3.0, 2.0, 1.0, 0.0]), "min", top_k=2)
    assert s["topk_recall"] == 0.5  # picks: index 3 (simulated 5, a miss), index 2 (1, a hit)


def test_splits_hold_out_whole_groups_without_leaking_designs(df):
    data = build_dataset(df, smooth_space(), ["latency", "power"], by_agent=True)
    merged = data.merged()
    rs = random_split(data, 0.25, seed=1)
    assert len(rs.test) == round(0.25 * len(merged))
    assert len(rs.train) + len(rs.test) == len(merged)
    for by in ("agent", "workload"):
        folds = list(leave_one_out(data, by))
        assert sorted(f.held_out for f in folds) == (
            ["low_x", "uniform"] if by == "agent" else ["base", "hot"]
        )
        for f in folds:
            assert not set(f.train.keys()) & set(f.test.keys())
    low_x = next(f for f in leave_one_out(data, "agent") if f.held_out == "low_x")
    assert low_x.test.index[:, 0].max() <= 7  # that agent only tried x <= 7
    assert set(low_x.train.workload) == {"base", "hot"}


def test_parity_plot_writes_a_png(tmp_path):
    path = parity_plot(
        {"a": (np.arange(5.0), np.arange(5.0) + 0.1)}, "lat", "ns", tmp_path / "p.png"
    )
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
    assert (width, height) == (550, 616)  # 5 x 5.6 in at 110 dpi


def test_parity_plot_of_a_metric_spanning_decades_has_log_axes_target_split_and_scores():
    y_true = np.array([31.0, 40.0, 45.0, 60.0, 400.0, 4000.0])
    y_pred = y_true * np.array([1.0, 1.1, 0.9, 1.0, 1.2, 1.0])
    fig = draw_parity({"cloud-2": (y_true, y_pred)}, "latency_ns", "ns", split="workload",
                      target=45.0)
    ax = fig.axes[0]
    # 31..4800 ns spans over two decades: log axes, so 45 ns is not squeezed into a corner
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert ax.get_xlim() == ax.get_ylim()
    assert ax.get_title().splitlines()[1] == "split: workload"
    s = scores(y_true, y_pred)
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels[0] == (
        f"cloud-2: nRMSE {100 * s['nrmse']:.2f}%, Spearman {s['spearman']:.3f} (n=6)"
    )
    assert "target 45 ns" in labels
    target_lines = [ln for ln in ax.get_lines() if ln.get_label() == "target 45 ns"]
    assert target_lines and target_lines[0].get_xdata()[0] == 45.0


def test_parity_plot_writes_the_split_and_target_it_is_given(tmp_path):
    y = np.geomspace(30.0, 4000.0, 20)
    path = parity_plot({"20%": (y, y * 1.05)}, "latency_ns", "ns", tmp_path / "p.png",
                       split="random", target=45.0)
    assert path.stat().st_size > 10_000


def test_parity_plot_of_a_narrow_metric_stays_linear():
    y = np.array([2.0, 5.0, 10.0, 17.9])
    fig = draw_parity({"a": (y, y + 0.1), "b": (y, y - 0.1)}, "bandwidth_gbps", "GB/s",
                      split="agent")
    ax = fig.axes[0]
    assert ax.get_xscale() == "linear"
    assert "(all: nRMSE" in ax.get_title()  # several folds: the pooled scores too
