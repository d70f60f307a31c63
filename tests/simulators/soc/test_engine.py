"""Closed-form timing, energy and area of small designs."""

from __future__ import annotations

import pytest

from archgym.simulators.soc import SoCSimulator
from tests.simulators.soc.helpers import CORE_RATE, EPI, HOP_S, LIB, graph, one_core

SIM = SoCSimulator()
BUS4 = 4 * LIB.bus.freq_hz  # 4e8 bytes/s


def test_chain_on_one_core_is_sum_of_compute_and_transfers():
    g = graph({"source": 0, "a": 3e6, "b": 5e6, "sink": 0},
              [("source", "a", 1000), ("a", "b", 2000), ("b", "sink", 500)])
    r = SIM.simulate(one_core(g), g)
    expected = 8e6 / CORE_RATE + 3 * HOP_S + 3500 / BUS4
    assert expected == pytest.approx(4.00878e-3, rel=1e-12)  # 4 ms + 30 ns + 8.75 us
    assert r.latency_s == pytest.approx(expected, rel=1e-12)
    sram = LIB.memory["sram"]
    energy = 8e6 * EPI + 3500 * (sram.energy_per_byte_j + LIB.bus.energy_per_byte_j)
    assert r.energy_j == pytest.approx(energy, rel=1e-12)
    assert r.power_w == pytest.approx(energy / expected, rel=1e-12)
    # A53 0.65 + bus 0.02 + 4 x 0.001 + SRAM 1.0 + 4 x 0.002
    assert r.area_mm2 == pytest.approx(1.682, rel=1e-12)
    assert r.utilisation["pe0:A53_1GHz"] == pytest.approx(1.0)
    assert r.utilisation["bus0:4B"] == pytest.approx((3500 / BUS4) / expected, rel=1e-12)


def _two_cores(g, pe_of):
    return {"pes": [{"type": "A53_1GHz"}, {"type": "A53_1GHz"}],
            "memories": [{"type": "sram", "width": 64}], "buses": [{"width": 4}],
            "pe_bus": [0, 0], "mem_bus": [0], "task_pe": pe_of,
            "task_mem": [0] * g.n_tasks}


def test_two_independent_tasks_on_two_cores_overlap_fully():
    g = graph({"source": 0, "a": 4e6, "b": 6e6}, [("source", "a", 0), ("source", "b", 0)])
    parallel = SIM.simulate(_two_cores(g, [0, 0, 1]), g).latency_s
    serial = SIM.simulate(_two_cores(g, [0, 0, 0]), g).latency_s
    assert parallel == pytest.approx(6e6 / CORE_RATE, rel=1e-12)  # max(a, b) = 3 ms
    assert serial == pytest.approx(10e6 / CORE_RATE, rel=1e-12)  # a + b = 5 ms


def test_two_transfers_on_one_bus_take_twice_one():
    nbytes = 40_000
    two = graph({"source": 0, "a": 0, "b": 0}, [("source", "a", nbytes), ("source", "b", nbytes)])
    one = graph({"source": 0, "a": 0}, [("source", "a", nbytes)])
    t_two = SIM.simulate(_two_cores(two, [0, 0, 1]), two).latency_s - HOP_S
    t_one = SIM.simulate(_two_cores(one, [0, 1]), one).latency_s - HOP_S
    assert t_one == pytest.approx(nbytes / BUS4, rel=1e-12)  # 100 us
    assert t_two == pytest.approx(2 * t_one, rel=1e-12)


def test_unequal_concurrent_transfers_share_fairly():
    # 10 kB and 30 kB on one 4e8 B/s bus: both at 2e8 B/s until the small one ends
    # (50 us), then the large one alone: 40 kB / 4e8 = 100 us in all.
    g = graph({"source": 0, "a": 0, "b": 0}, [("source", "a", 10_000), ("source", "b", 30_000)])
    r = SIM.simulate(_two_cores(g, [0, 0, 1]), g)
    assert r.latency_s == pytest.approx(HOP_S + 40_000 / BUS4, rel=1e-12)
    assert r.utilisation["pe0:A53_1GHz"] == pytest.approx((HOP_S + 2 * 10_000 / BUS4)
                                                          / r.latency_s, rel=1e-12)


@pytest.mark.parametrize("lanes", [1, 4, 16, 64, 256])
def test_accelerator_speedup_divides_compute_time(lanes):
    g = graph({"source": 0, "a": 2e6}, [("source", "a", 0)], accel_cycles={"a": 50_000})
    d = {"pes": [{"type": "A53_1GHz"}, {"type": "accelerator", "task": "a", "lanes": lanes}],
         "memories": [{"type": "sram", "width": 4}], "buses": [{"width": 4}],
         "pe_bus": [0, 0], "mem_bus": [0], "task_pe": [0, 1], "task_mem": [0, 0]}
    r = SIM.simulate(d, g)
    assert r.latency_s == pytest.approx(50_000 / (LIB.accelerator.freq_hz * lanes), rel=1e-12)
    # energy: the core's energy per instruction divided by FARSI's reduction factor 15
    assert r.energy_j == pytest.approx(2e6 * EPI / 15.0, rel=1e-12)
    # area: default fixed area 0.05 + 0.01 per lane, plus core, bus and SRAM
    assert r.area_mm2 == pytest.approx(1.682 + 0.05 + 0.01 * lanes, rel=1e-12)


def test_default_accelerator_is_farsi_speedup_over_reference_core():
    g = graph({"source": 0, "a": 2e6}, [("source", "a", 0)])
    core = SIM.simulate(one_core(g), g).latency_s
    d = one_core(g)
    d["pes"].append({"type": "accelerator", "task": "a", "lanes": 1})
    d["pe_bus"].append(0)
    d["task_pe"] = [0, 1]
    assert core / SIM.simulate(d, g).latency_s == pytest.approx(20.0, rel=1e-12)


def test_iterations_pipeline_across_pes():
    # a (1 ms) on core 0 feeds b (2 ms) on core 1, 3 iterations: b is the bottleneck,
    # so latency = a + 3 b = 7 ms; on one core it would be 3 (a + b) = 9 ms.
    g = graph({"a": 2e6, "b": 4e6}, [("a", "b", 0)], iterations=3)
    assert SIM.simulate(_two_cores(g, [0, 1]), g).latency_s == pytest.approx(7e-3, rel=1e-12)
    assert SIM.simulate(_two_cores(g, [0, 0]), g).latency_s == pytest.approx(9e-3, rel=1e-12)
    assert SIM.simulate(_two_cores(g, [0, 1]), g).energy_j == pytest.approx(3 * 6e6 * EPI)


def test_transfer_over_two_buses_pays_two_hops_and_slowest_bus():
    g = graph({"source": 0, "a": 0}, [("source", "a", 8000)])
    d = {"pes": [{"type": "A53_1GHz"}, {"type": "A53_1GHz"}],
         "memories": [{"type": "sram", "width": 64}],
         "buses": [{"width": 64}, {"width": 8}], "links": [[0, 1]],
         "pe_bus": [0, 1], "mem_bus": [0], "task_pe": [0, 1], "task_mem": [0, 0]}
    r = SIM.simulate(d, g)
    assert r.latency_s == pytest.approx(2 * HOP_S + 8000 / (8 * LIB.bus.freq_hz), rel=1e-12)
