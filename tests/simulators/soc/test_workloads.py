"""Shipped workloads: hand-computed all-on-one-core totals, the flat encoding."""

from __future__ import annotations

import numpy as np
import pytest

from archgym.errors import InvalidDesign
from archgym.simulators.soc import WORKLOADS, SoCSimulator, load_task_graph
from tests.simulators.soc.helpers import hand_latency_one_core, one_core

SIM = SoCSimulator()

# Independent arithmetic from the data files for one A53 (2e9 instructions/s), a 4-byte
# bus and a 4-byte memory at 100 MHz (4e8 bytes/s): per task the longest of compute,
# reads and writes. These are FARSI's own latencies for its DSE starting design
# (tests/simulators/soc/farsi_golden.csv, row "start").
#   audio_decoder: 0.13964 (rotatorSet, reads) + 1.322969 (psychoFilter) + 0.17036
#     (rotateOrder1, reads) + 0.331748 + 0.805804 + 0.00062 (zoomSet) + 1.459196
#     (zoomProcess) + 8 x 0.82338 (setAndFFT, FIR, IFFT, overlap: 329,352 bytes) ms
#   edge_detection: compute except computeMaxGradientLeaf (6,553,600 bytes read)
#   hpvm_cava: compute only, 169,764,663,508 instructions
HAND = {
    "audio_decoder": 1e-3 * (0.13964 + 1.322969 + 0.17036 + 0.331748 + 0.805804 + 0.00062
                             + 1.459196 + 8 * 0.82338),
    "edge_detection": (3234201600 + 842137600 + 874905600 + 855244800 + 753664000) / 2e9
    + 6553600 / 4e8,
    "hpvm_cava": 169764663508 / 2e9,
}


@pytest.mark.parametrize("name", WORKLOADS)
def test_all_on_one_core_matches_hand_total(name):
    g = load_task_graph(name)
    d = one_core(g, mem="dram")
    latency = SIM.evaluate(d, name)["latency_s"]
    assert latency == pytest.approx(HAND[name], rel=1e-9)
    assert latency == pytest.approx(hand_latency_one_core(g, d), rel=1e-9)


@pytest.mark.parametrize("name", WORKLOADS)
@pytest.mark.parametrize(("mem", "mem_width", "mem_clock", "bus_width", "bus_clock"),
                         [("dram", 64, 100, 8, 400), ("sram", 16, 800, 32, 600)])
def test_all_on_one_core_other_widths(name, mem, mem_width, mem_clock, bus_width, bus_clock):
    g = load_task_graph(name)
    d = one_core(g, mem=mem, mem_width=mem_width, mem_clock=mem_clock, bus_width=bus_width,
                 bus_clock=bus_clock)
    assert SIM.evaluate(d, name)["latency_s"] == pytest.approx(hand_latency_one_core(g, d),
                                                               rel=1e-9)


@pytest.mark.parametrize("name", WORKLOADS)
def test_flat_encoding_size_and_valid_fraction(name):
    sim = SoCSimulator(name)
    g = sim.space_graph
    slots = min(len(g.compute_tasks) + 1, 16)
    assert len(sim.design_space) == 1 + 5 * slots + 1 + 4 * 4 + 1 + 2 * 3 + 2 + 2 * g.n_tasks
    rng = np.random.default_rng(0)
    valid = 0
    for _ in range(200):
        index = rng.integers(0, sim.design_space.nvec)
        try:
            sim.evaluate_index(index, name)
            valid += 1
        except InvalidDesign as exc:
            assert exc.parameter == "accelerator-task-mismatch"
    # the only invalid designs allocate neither a core nor the task's accelerator
    assert 0.75 <= valid / 200 <= 0.97


def test_flat_decoding_is_relative_to_allocation():
    sim = SoCSimulator("hpvm_cava")
    flat = sim.design_space.default()  # every index 0: one core, one memory, one bus
    flat.update(n_pes=2, pe1_kind="accelerator", pe1_task=4, pe1_unroll=8, pe1_clock=600,
                n_buses=3, bus2_link=1, pe1_bus=2, mem0_bus=1, task5_pe=5, task2_mem=2)
    d = sim.structured(flat, "hpvm_cava")
    g = sim.space_graph
    # gamut_map's unrolling factors are 1, 2, ..., 128, 151: index 8 -> 151
    assert d["pes"][1] == {"type": "accelerator", "task": g.tasks[5], "unroll": 151,
                           "clock_mhz": 600}
    assert d["links"] == [[1, 0], [2, 1]]  # bus2 -> 1 mod 2
    assert d["pe_bus"] == [0, 2] and d["mem_bus"] == [1]
    # task 5 (gamut_map) may run on core 0 or its accelerator 1: index 5 mod 2 -> PE 1
    assert d["task_pe"][5] == 1 and d["task_mem"][2] == 0
    assert sim.evaluate(flat)["latency_s"] > 0


def test_unrolling_index_wraps_per_task():
    sim = SoCSimulator("audio_decoder")
    flat = sim.design_space.default()
    g = sim.space_graph
    t = sim.encoding("audio_decoder").work_tasks.index(g.index("rotatorSet"))
    flat.update(n_pes=2, pe1_kind="accelerator", pe1_task=t, pe1_unroll=15)
    assert sim.structured(flat, "audio_decoder")["pes"][1]["unroll"] == 1  # 1 factor only


def test_flat_design_of_another_workload_is_rejected():
    sim = SoCSimulator("hpvm_cava")
    with pytest.raises(InvalidDesign, match="audio_decoder"):
        sim.evaluate(sim.design_space.default(), "audio_decoder")
