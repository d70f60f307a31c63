"""Closed-form timing, energy, power and area of small designs (FARSI's model)."""

from __future__ import annotations

import pytest

from archgym.errors import InvalidDesign
from archgym.simulators.soc import SoCSimulator
from tests.simulators.soc.helpers import BUS4, CORE_RATE, EPI, LIB, graph, one_core

SIM = SoCSimulator()
SRAM = LIB.memories["sram"]
ACC = LIB.accelerator


def test_chain_on_one_core_is_sum_of_task_rooflines():
    # a: 1 ms of compute, reads 4 MB (10 ms), writes 100 kB (0.25 ms) -> 10 ms
    # b: 0.5 ms of compute, reads 100 kB (0.25 ms), writes 800 kB (2 ms) -> 2 ms
    g = graph({"source": 0, "a": 2e6, "b": 1e6, "sink": 0},
              [("source", "a", 4e6), ("a", "b", 1e5), ("b", "sink", 8e5)])
    r = SIM.simulate(one_core(g), g)
    assert r.latency_s == pytest.approx(4e6 / BUS4 + 8e5 / BUS4, rel=1e-12)  # 12 ms
    # memory: the input (4 MB) is held all along; a's output from a's start until b
    # ends; b's output from b's start: peak 4.9 MB -> 20 granules of 256,000 bytes
    cap = 20 * 256_000
    assert r.memory_bytes == (cap,)
    energy = 3e6 * EPI + (4e6 + 1e5) * SRAM.read_energy(cap) + (1e5 + 8e5) * SRAM.write_energy(cap)
    assert r.energy_j == pytest.approx(energy, rel=1e-12)
    assert r.power_avg_w == pytest.approx(energy / r.latency_s, rel=1e-12)
    assert r.area_mm2 == pytest.approx(0.65 + SRAM.area(cap), rel=1e-12)
    assert r.dram_area_mm2 == 0.0


def test_reads_and_writes_have_their_own_channels():
    # reading 40 kB and writing 40 kB at once take 100 us, not 200 us
    g = graph({"source": 0, "a": 1, "sink": 0}, [("source", "a", 40_000), ("a", "sink", 40_000)])
    assert SIM.simulate(one_core(g), g).latency_s == pytest.approx(40_000 / BUS4, rel=1e-9)


def _cores(g, pe_of, n_mems=1, mem_of=None):
    return {"pes": [{"type": "A53"}, {"type": "A53"}],
            "memories": [{"type": "sram", "width": 64}] * n_mems,
            "buses": [{"width": 4}], "pe_bus": [0, 0], "mem_bus": [0] * n_mems,
            "task_pe": pe_of, "task_mem": mem_of or [0] * g.n_tasks}


def test_two_independent_tasks_on_two_cores_overlap_fully():
    g = graph({"source": 0, "a": 4e6, "b": 6e6}, [("source", "a", 0), ("source", "b", 0)])
    parallel = SIM.simulate(_cores(g, [0, 0, 1]), g).latency_s
    serial = SIM.simulate(_cores(g, [0, 0, 0]), g).latency_s
    assert parallel == pytest.approx(6e6 / CORE_RATE, rel=1e-12)  # max(a, b) = 3 ms
    assert serial == pytest.approx(10e6 / CORE_RATE, rel=1e-12)  # a + b = 5 ms


def test_two_readers_of_one_channel_take_twice_as_long():
    nbytes = 40_000
    two = graph({"source": 0, "a": 1, "b": 1}, [("source", "a", nbytes), ("source", "b", nbytes)])
    one = graph({"source": 0, "a": 1}, [("source", "a", nbytes)])
    t_one = SIM.simulate(_cores(one, [0, 1]), one).latency_s
    t_two = SIM.simulate(_cores(two, [0, 0, 1]), two).latency_s
    assert t_one == pytest.approx(nbytes / BUS4, rel=1e-9)  # 100 us
    assert t_two == pytest.approx(2 * t_one, rel=1e-9)


def test_unequal_readers_share_equally_then_the_survivor_takes_all():
    # 10 kB and 30 kB over one 4e8 B/s channel: both at 2e8 B/s until the small one
    # ends (50 us), then the large one alone: 40 kB / 4e8 = 100 us in all.
    g = graph({"source": 0, "a": 1, "b": 1}, [("source", "a", 10_000), ("source", "b", 30_000)])
    r = SIM.simulate(_cores(g, [0, 0, 1]), g)
    assert r.latency_s == pytest.approx(40_000 / BUS4, rel=1e-9)
    assert r.utilisation["pe0:A53"] == pytest.approx(0.5, rel=1e-9)  # a runs 50 of 100 us


def test_a_memory_is_shared_in_proportion_to_piece_sizes():
    # FARSI's work units: a task cuts its transfers into as many pieces as its smallest
    # input holds 1,024-byte bursts. a moves 10 bursts in 10 pieces, b 40 bursts in 40
    # pieces: equal piece sizes, so equal shares of the 4e8 B/s memory although b moves
    # four times the bytes. a ends after 2 x 10,240 / 4e8 = 51.2 us; b then runs alone
    # and ends when the memory has moved everything: 51,200 / 4e8 = 128 us.
    g = graph({"source": 0, "a": 1000, "b": 1000, "sink": 0},
              [("source", "a", 10_240), ("source", "b", 40_960), ("a", "sink", 10_240),
               ("b", "sink", 40_960)])
    d = _cores(g, [0, 0, 1, 0])
    d["memories"] = [{"type": "sram", "width": 4}]
    d["buses"] = [{"width": 64}]
    r = SIM.simulate(d, g)
    assert r.latency_s == pytest.approx(51_200 / 4e8, rel=1e-9)
    assert r.utilisation["pe0:A53"] == pytest.approx(2 * 10_240 / 4e8 / r.latency_s, rel=1e-9)


def test_each_memory_has_its_own_bus_port():
    # two readers of two memories on one bus do not share: 100 us each, in parallel
    g = graph({"in0": 0, "in1": 0, "a": 1, "b": 1}, [("in0", "a", 40_000), ("in1", "b", 40_000)])
    d = _cores(g, [0, 0, 0, 1], n_mems=2, mem_of=[0, 1, 0, 0])
    assert SIM.simulate(d, g).latency_s == pytest.approx(40_000 / BUS4, rel=1e-9)


def test_transfer_over_two_buses_runs_at_the_slowest():
    g = graph({"source": 0, "a": 1}, [("source", "a", 8000)])
    d = {"pes": [{"type": "A53"}], "memories": [{"type": "sram", "width": 64}],
         "buses": [{"width": 64}, {"width": 8}], "links": [[0, 1]],
         "pe_bus": [0], "mem_bus": [1], "task_pe": [0, 0], "task_mem": [0, 0]}
    assert SIM.simulate(d, g).latency_s == pytest.approx(8000 / (8 * 1e8), rel=1e-9)


def test_clocks_scale_bandwidth():
    g = graph({"source": 0, "a": 1}, [("source", "a", 80_000)])
    d = one_core(g, mem_width=16, bus_width=8, bus_clock=600)  # bus 4.8e9, memory 1.6e9 B/s
    assert SIM.simulate(d, g).latency_s == pytest.approx(80_000 / 1.6e9, rel=1e-9)


@pytest.mark.parametrize(("unroll", "clock"), [(1, 100), (4, 100), (16, 800), (1024, 600)])
def test_accelerator_time_energy_and_area_scale_with_unrolling_and_clock(unroll, clock):
    g = graph({"source": 0, "a": 2e6}, [("source", "a", 0)], accel_cycles={"a": 50_000},
              accel_energy_nj={"a": 200.0}, accel_area_um2={"a": 40_000},
              loop_iterations={"a": 1024})
    d = {"pes": [{"type": "A53"},
                 {"type": "accelerator", "task": "a", "unroll": unroll, "clock_mhz": clock}],
         "memories": [{"type": "sram", "width": 4}], "buses": [{"width": 4}],
         "pe_bus": [0, 0], "mem_bus": [0], "task_pe": [0, 1], "task_mem": [0, 0]}
    r = SIM.simulate(d, g)
    assert r.latency_s == pytest.approx(50_000 / (clock * 1e6 * unroll), rel=1e-12)
    # energy: the figure read as nanojoules, FARSI's technology scaling 0.064, x unrolling
    assert r.energy_j == pytest.approx(200e-9 * 0.064 * unroll, rel=1e-12)
    # area: um^2, FARSI's technology scaling 0.0374, x unrolling; the core holds only
    # the source, so it counts zero (FARSI's host-core rule); the memory holds no data
    assert r.area_mm2 == pytest.approx(40_000e-6 * 0.0374 * unroll, rel=1e-12)
    farsi = SoCSimulator(farsi_energy_reading=True).simulate(d, g)
    assert farsi.energy_j == pytest.approx(200e-15 * 0.064 * unroll, rel=1e-12)


def test_unknown_unrolling_factor_is_refused():
    g = graph({"source": 0, "a": 2e6}, [("source", "a", 0)], loop_iterations={"a": 100})
    assert ACC.unroll_levels(100) == (1, 2, 4, 8, 16, 32, 64, 100)
    d = {"pes": [{"type": "A53"}, {"type": "accelerator", "task": "a", "unroll": 128}],
         "memories": [{"type": "sram", "width": 4}], "buses": [{"width": 4}],
         "pe_bus": [0, 0], "mem_bus": [0], "task_pe": [0, 1], "task_mem": [0, 0]}
    with pytest.raises(InvalidDesign, match=r"unrolls 'a' 128 times; allowed \[1, 2, 4"):
        SIM.simulate(d, g)


def test_default_accelerator_is_farsi_speedup_over_the_reference_core():
    g = graph({"source": 0, "a": 2e6}, [("source", "a", 0)])
    core = SIM.simulate(one_core(g), g)
    d = one_core(g)
    d["pes"].append({"type": "accelerator", "task": "a"})
    d["pe_bus"].append(0)
    d["task_pe"] = [0, 1]
    acc = SIM.simulate(d, g)
    assert core.latency_s / acc.latency_s == pytest.approx(20.0, rel=1e-12)
    assert core.energy_j / acc.energy_j == pytest.approx(15.0, rel=1e-12)
    assert acc.area_mm2 == pytest.approx(0.005, rel=1e-12)


def test_host_core_counts_only_when_it_runs_more_than_source_and_sink():
    g = graph({"source": 0, "a": 2e6, "b": 2e6, "join": 0, "sink": 0},
              [("source", "a", 0), ("source", "b", 0), ("a", "join", 0), ("b", "join", 0),
               ("join", "sink", 0)])
    d = {"pes": [{"type": "A53"}, {"type": "accelerator", "task": "a"},
                 {"type": "accelerator", "task": "b"}],
         "memories": [{"type": "sram", "width": 4}], "buses": [{"width": 4}],
         "pe_bus": [0, 0, 0], "mem_bus": [0],
         "task_pe": {"source": 0, "a": 1, "b": 2, "join": 1, "sink": 0},
         "task_mem": [0] * 5}
    assert SIM.simulate(d, g).area_mm2 == pytest.approx(2 * 0.005, rel=1e-12)
    d["task_pe"]["join"] = 0  # the join runs on the core: the core counts
    assert SIM.simulate(d, g).area_mm2 == pytest.approx(0.65 + 2 * 0.005, rel=1e-12)


def test_iterations_pipeline_across_pes():
    # a (1 ms) on core 0 feeds b (2 ms) on core 1, 3 iterations: b is the bottleneck,
    # so latency = a + 3 b = 7 ms; on one core it would be 3 (a + b) = 9 ms.
    g = graph({"a": 2e6, "b": 4e6}, [("a", "b", 0)], iterations=3)
    assert SIM.simulate(_cores(g, [0, 1]), g).latency_s == pytest.approx(7e-3, rel=1e-12)
    assert SIM.simulate(_cores(g, [0, 0]), g).latency_s == pytest.approx(9e-3, rel=1e-12)
    assert SIM.simulate(_cores(g, [0, 1]), g).energy_j == pytest.approx(3 * 6e6 * EPI)


def test_power_is_farsis_peak_over_10ms_windows():
    # a: 11 ms on the core (42.5 mW) -> the first window overruns 10 ms and closes;
    # b: reads 800 kB in 2 ms for 0.5 ms of compute -> a second window at ~11 mW.
    g = graph({"source": 0, "a": 22e6, "b": 1e6, "sink": 0},
              [("source", "a", 0), ("a", "b", 8e5), ("b", "sink", 0)])
    r = SIM.simulate(one_core(g), g)
    assert r.latency_s == pytest.approx(11e-3 + 2e-3, rel=1e-12)
    cap = r.memory_bytes[0]
    first = (22e6 * EPI + 8e5 * SRAM.write_energy(cap)) / 11e-3
    second = (1e6 * EPI + 8e5 * SRAM.read_energy(cap)) / 2e-3
    assert first > second
    assert r.power_peak_w == pytest.approx(first, rel=1e-12)
    assert r.power_avg_w == pytest.approx(r.energy_j / 13e-3, rel=1e-12)
    assert r.power_avg_w < r.power_peak_w


def test_a_run_shorter_than_a_window_has_peak_equal_to_average():
    g = graph({"source": 0, "a": 2e6, "b": 1e6, "sink": 0},
              [("source", "a", 1e5), ("a", "b", 1e5), ("b", "sink", 1e5)])
    r = SIM.simulate(one_core(g), g)
    assert r.latency_s < 0.01
    assert r.power_peak_w == pytest.approx(r.power_avg_w, rel=1e-12)


def test_dram_is_a_stacked_die():
    g = graph({"source": 0, "a": 2e6}, [("source", "a", 1e5)])
    r = SIM.simulate(one_core(g, mem="dram"), g)
    dram = LIB.memories["dram"]
    assert r.area_mm2 == pytest.approx(0.65, rel=1e-12)
    assert r.dram_area_mm2 == pytest.approx(dram.area(256_000), rel=1e-12)
