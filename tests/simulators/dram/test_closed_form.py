"""Closed-form timings of DDR4-3200 (FACTS.md numbers) on hand-built traces."""

from __future__ import annotations

import numpy as np
import pytest

from archgym.simulators.dram import DRAMSimulator
from archgym.simulators.dram.commands import ACT, PRE, RD
from tests.simulators.dram.helpers import addr, trace

NOREF = {"refresh_policy": "NoRefresh"}


@pytest.fixture(scope="module")
def sim() -> DRAMSimulator:
    return DRAMSimulator()


def _cmd_times(stats, code):
    log = stats.command_log
    return log[log[:, 1] == code, 0].tolist()


def test_isolated_read_is_trcd_cl_burst(sim):
    s = sim.run(trace([(0, addr(row=5))]), NOREF)
    assert s.avg_read_latency_ns == pytest.approx(48 * 0.625)  # 30 ns
    assert s.avg_read_latency_ns == pytest.approx(30.0)
    assert s.total_time_ns == pytest.approx(30.0)
    assert (s.row_hits, s.row_misses, s.row_conflicts) == (0, 1, 0)


def test_isolated_read_other_memspecs():
    # DDR3-1600: tRCD 11 + CL 11 + 4 = 26 clocks of 1.25 ns
    s = DRAMSimulator("DDR3-1600-1Gb-x8").run(trace([(0, 0)]), NOREF)
    assert s.avg_read_latency_ns == pytest.approx(26 * 1.25)
    s = DRAMSimulator("DDR4-2400-8Gb-x8").run(trace([(0, 0)]), NOREF)
    assert s.avg_read_latency_ns == pytest.approx(36 * 0.833)


def test_row_hit_is_cl_burst(sim):
    s = sim.run(trace([(0, addr(row=3)), (200, addr(row=3, col=7))]), NOREF)
    lat = (s.response_cycle - s.accept_cycle).tolist()
    assert lat == [48, 26]
    assert s.row_hits == 1


def test_row_conflict_adds_trp(sim):
    s = sim.run(trace([(0, addr(row=3)), (200, addr(row=4))]), NOREF)
    lat = (s.response_cycle - s.accept_cycle).tolist()
    assert lat == [48, 70]  # tRP + tRCD + CL + BL/2
    assert s.row_conflicts == 1


def test_row_conflict_respects_tras(sim):
    s = sim.run(trace([(0, addr(row=3)), (1, addr(row=4))]), NOREF, record_log=True)
    assert _cmd_times(s, ACT) == [0, 52 + 22]
    assert _cmd_times(s, PRE) == [52]  # ACT + tRAS
    assert s.response_cycle[1] == 52 + 22 + 22 + 22 + 4


def test_back_to_back_hits_same_group_tccd_l(sim):
    warm = [(0, addr(bg=0, row=1))]
    s = sim.run(trace([*warm, (300, addr(bg=0, row=1, col=1)), (300, addr(bg=0, row=1, col=2))]),
                NOREF, record_log=True)
    rd = _cmd_times(s, RD)
    assert rd[2] - rd[1] == 8


def test_back_to_back_hits_other_group_tccd_s(sim):
    warm = [(0, addr(bg=0, row=1)), (0, addr(bg=1, row=1))]
    s = sim.run(trace([*warm, (300, addr(bg=0, row=1, col=1)), (300, addr(bg=1, row=1, col=1))]),
                NOREF, record_log=True)
    rd = _cmd_times(s, RD)
    assert rd[3] - rd[2] == 4


def test_four_activate_window(sim):
    # five banks alternating bank groups: tRRD_S = 4 apart, the fifth waits for tFAW = 34;
    # clock 34 itself carries the older request 3's RD (its ACT at 12 + tRCD 22), so 35.
    reqs = [(0, addr(bg=k % 4, ba=k // 4, row=9)) for k in range(5)]
    s = sim.run(trace(reqs), NOREF, record_log=True)
    assert _cmd_times(s, ACT) == [0, 4, 8, 12, 35]
    assert _cmd_times(s, RD) == [22, 26, 30, 34, 57]


def test_same_group_activates_trrd_l(sim):
    s = sim.run(trace([(0, addr(bg=2, ba=0)), (0, addr(bg=2, ba=1))]), NOREF, record_log=True)
    acts = _cmd_times(s, ACT)
    assert acts[1] - acts[0] in (8, 9)  # tRRD_L (9 if the second request arrives a clock later)


def test_write_then_read_turnaround(sim):
    reqs = [(0, addr(row=1)), (300, addr(row=1, col=1)), (300, addr(row=1, col=2))]
    s = sim.run(trace(reqs, writes=[False, True, False]), NOREF, record_log=True)
    log = s.command_log
    wr_t = int(log[log[:, 1] == 4, 0][0])
    rd_t = int(log[log[:, 1] == 3, 0][-1])
    assert rd_t - wr_t == 16 + 4 + 12  # CWL + BL/2 + tWTR_L (same bank group)


def test_reads_to_two_idle_banks_far_apart_are_both_isolated(sim):
    s = sim.run(trace([(0, addr(row=1)), (500, addr(row=2, bg=3))]), NOREF)
    assert np.all(s.response_cycle - s.accept_cycle == 48)
