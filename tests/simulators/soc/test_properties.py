"""Properties over random designs of random task graphs (Hypothesis)."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archgym.errors import InvalidDesign
from archgym.simulators.soc import SoCSimulator, compile_design, synthetic_task_graph
from tests.simulators.soc.helpers import LIB

SIM = SoCSimulator()


def _random_design(seed: int, n_tasks: int, iterations: int = 1):
    g = synthetic_task_graph(n_tasks, seed=seed, iterations=iterations)
    enc = SIM.encoding(g)
    rng = np.random.default_rng(seed)
    for _ in range(100):
        d = enc.decode(enc.space.from_index(rng.integers(0, enc.space.nvec)))
        try:
            SIM.simulate(d, g)
        except InvalidDesign:
            continue
        return g, d
    raise AssertionError("no valid design in 100 draws")  # pragma: no cover


def _one_pe(d):
    d["task_pe"] = [0] * len(d["task_pe"])
    if d["pes"][0]["type"] == "accelerator":
        d["pes"][0] = {"type": "A53"}
    return d


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), n_tasks=st.integers(1, 10), iterations=st.integers(1, 3),
       which=st.integers(0, 7), field=st.sampled_from(["width", "clock_mhz"]))
def test_more_bandwidth_on_one_pe_lowers_latency_only(seed, n_tasks, iterations, which, field):
    # With one PE the order of the jobs does not depend on timing, so a wider or faster
    # bus or memory can only shorten each job, and energy and area do not move (the
    # memories hold the same data): FARSI's one-knob trends.
    g, d = _random_design(seed, n_tasks, iterations)
    d = _one_pe(d)
    base = SIM.simulate(d, g)
    widened = copy.deepcopy(d)
    blocks = widened["buses"] + widened["memories"]
    block = blocks[which % len(blocks)]
    options = LIB.widths_bytes if field == "width" else LIB.bus_clocks_mhz
    for value in options:
        if value > block.get(field, 100):
            block[field] = value
            r = SIM.simulate(widened, g)
            assert r.latency_s <= base.latency_s * (1 + 1e-12)
            assert r.energy_j == pytest.approx(base.energy_j, rel=1e-12)
            assert r.area_mm2 == pytest.approx(base.area_mm2, rel=1e-12)
            base = r


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), n_tasks=st.integers(2, 10))
def test_merging_two_busy_cores_saves_one_core(seed, n_tasks):
    g, d = _random_design(seed, n_tasks)
    busy = sorted({p for t, p in enumerate(d["task_pe"])
                   if g.instructions[t] > 0 and d["pes"][p]["type"] == "A53"})
    if len(busy) < 2:
        return
    keep, gone = busy[0], busy[-1]
    merged = copy.deepcopy(d)
    merged["task_pe"] = [keep if p == gone else p for p in d["task_pe"]]
    before = compile_design(d, g, LIB).block_area_mm2
    after = compile_design(merged, g, LIB).block_area_mm2
    assert before[gone] == LIB.cores["A53"].area_mm2 and after[gone] == 0.0
    assert sum(before) - sum(after) == pytest.approx(LIB.cores["A53"].area_mm2, rel=1e-12)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), n_tasks=st.integers(1, 12), iterations=st.integers(1, 4))
def test_metrics_are_finite_positive_and_energy_adds_up(seed, n_tasks, iterations):
    g, d = _random_design(seed, n_tasks, iterations)
    r = SIM.simulate(d, g)
    assert np.isfinite([r.latency_s, r.energy_j, r.power_peak_w, r.area_mm2]).all()
    assert r.latency_s > 0 and r.energy_j > 0
    assert r.power_peak_w >= r.power_avg_w * (1 - 1e-9)
    assert all(0 <= u <= 1 + 1e-9 for u in r.utilisation.values())
