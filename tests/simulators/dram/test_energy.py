"""IDD energy model: hand-computed components for DDR4-3200."""

from __future__ import annotations

import pytest

from archgym.simulators.dram import DRAMSimulator
from tests.simulators.dram.helpers import trace


def test_single_read_energy_by_hand():
    sim = DRAMSimulator()
    s = sim.run(trace([(0, 0)]), {"refresh_policy": "NoRefresh", "page_policy": "Closed"})
    k = 8 * 0.625  # devices x tCK (ns)
    e_act = k * (1.2 * (57 * 74 - 52 * 52 - 37 * 22) + 2.5 * (3 * 74 - 3 * 52 - 3 * 22))
    e_rd = k * 1.2 * (168 - 52) * 4
    # 48 clocks: bank open from ACT (0) until the auto-precharge at ACT + tRAS = 52 > 48
    e_bg = k * (1.2 * 52 * 48 + 2.5 * 3 * 48)
    parts = s.energy_breakdown_pj
    assert parts["act"] == pytest.approx(e_act)
    assert parts["read"] == pytest.approx(e_rd)
    assert parts["refresh"] == 0
    assert parts["background"] == pytest.approx(e_bg)
    assert s.energy_pj == pytest.approx(e_act + e_rd + e_bg)
    assert s.avg_power_mw == pytest.approx(s.energy_pj / 30.0)


def test_refresh_energy_per_ref():
    sim = DRAMSimulator()
    from archgym.simulators.dram import generate_trace

    s = sim.run(generate_trace("random", 20_000, seed=1))
    assert s.refreshes > 0
    per_ref = 8 * 0.625 * 1.2 * (250 - 52) * 560
    assert s.energy_breakdown_pj["refresh"] == pytest.approx(per_ref * s.refreshes)
    # idle background power: 8 x 1.2 V x 37 mA + 8 x 2.5 V x 3 mA = 415.2 mW is a floor
    assert s.avg_power_mw > 415.2
