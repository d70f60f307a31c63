"""Shipped workloads: hand-computed all-on-one-core totals, the flat encoding."""

from __future__ import annotations

import numpy as np
import pytest

from archgym.errors import InvalidDesign
from archgym.simulators.soc import WORKLOADS, SoCSimulator, load_task_graph
from tests.simulators.soc.helpers import HOP_S, LIB, hand_latency_one_core, one_core

SIM = SoCSimulator()

# Independent arithmetic from the data files for A53 @ 1 GHz (2e9 instructions/s), one
# 4-byte bus and a 4-byte SRAM (both 4e8 bytes/s), 10 ns per hop:
#   audio_decoder:  6,304,373 instructions, 2,973,944 bytes over 16 consumer tasks
#   edge_detection: 2,955,677,184 instructions, 6,815,808 bytes over 7 consumer tasks
#   hpvm_cava:      28,442,624 instructions, 1,245,184 bytes over 8 consumer tasks
HAND = {
    "audio_decoder": 6_304_373 / 2e9 + 16 * HOP_S + 2_973_944 / 4e8,
    "edge_detection": 2_955_677_184 / 2e9 + 7 * HOP_S + 6_815_808 / 4e8,
    "hpvm_cava": 28_442_624 / 2e9 + 8 * HOP_S + 1_245_184 / 4e8,
}


@pytest.mark.parametrize("name", WORKLOADS)
def test_all_on_one_core_matches_hand_total(name):
    g = load_task_graph(name)
    d = one_core(g)
    latency = SIM.evaluate(d, name)["latency_s"]
    assert latency == pytest.approx(HAND[name], rel=1e-9)
    assert latency == pytest.approx(hand_latency_one_core(g, d), rel=1e-9)


@pytest.mark.parametrize("name", WORKLOADS)
@pytest.mark.parametrize(("mem", "mem_width", "bus_width"), [("dram", 64, 8), ("sram", 16, 32)])
def test_all_on_one_core_other_widths(name, mem, mem_width, bus_width):
    g = load_task_graph(name)
    d = one_core(g, core="A53_2GHz", mem=mem, mem_width=mem_width, bus_width=bus_width)
    assert SIM.evaluate(d, name)["latency_s"] == pytest.approx(hand_latency_one_core(g, d),
                                                               rel=1e-9)


@pytest.mark.parametrize("name", WORKLOADS)
def test_flat_encoding_size_and_valid_fraction(name):
    sim = SoCSimulator(name)
    g = sim.space_graph
    slots = min(len(g.compute_tasks) + 1, 6)
    assert len(sim.design_space) == 1 + 4 * slots + 1 + 3 * 3 + 1 + 3 + 2 + 2 * g.n_tasks
    rng = np.random.default_rng(0)
    valid = 0
    for _ in range(300):
        try:
            sim.evaluate(sim.design_space.from_index(rng.integers(0, sim.design_space.nvec)))
            valid += 1
        except InvalidDesign as exc:
            assert exc.parameter == "accelerator-task-mismatch"
    # the only invalid designs allocate neither a core nor the task's accelerator:
    # about E[2^-n_pes] = 1/6 * (1/2 + ... + 1/64) = 16% of random vectors
    assert 0.75 <= valid / 300 <= 0.92


def test_flat_decoding_is_relative_to_allocation():
    sim = SoCSimulator("hpvm_cava")
    flat = sim.design_space.default()  # every index 0: one gpp, one memory, one bus
    flat.update(n_pes=2, pe1_kind="accelerator", pe1_task=4, pe1_size=2, n_buses=3,
                bus2_link=1, pe1_bus=2, mem0_bus=1, task5_pe=5, task2_mem=2)
    d = sim.structured(flat, "hpvm_cava")
    g = sim.space_graph
    assert d["pes"][1] == {"type": "accelerator", "task": g.tasks[5], "lanes": 16}
    assert d["links"] == [[1, 0], [2, 1]]  # bus2 -> 1 mod 2
    assert d["pe_bus"] == [0, 2] and d["mem_bus"] == [1]
    # task 5 (gamut_map) may run on core 0 or its accelerator 1: index 5 mod 2 -> PE 1
    assert d["task_pe"][5] == 1 and d["task_mem"][2] == 0
    assert sim.evaluate(flat)["latency_s"] > 0


def test_flat_design_of_another_workload_is_rejected():
    sim = SoCSimulator("hpvm_cava")
    with pytest.raises(InvalidDesign, match="audio_decoder"):
        sim.evaluate(sim.design_space.default(), "audio_decoder")
    assert LIB.bus.freq_hz == 1e8
