"""Every command of random and stream runs obeys every JEDEC constraint (independent checker)."""

from __future__ import annotations

import numpy as np
import pytest

from archgym.simulators.dram import DRAMSimulator, generate_trace
from tests.simulators.dram.checker import check_log
from tests.simulators.dram.helpers import expected_banks

DESIGNS = [
    {},
    {"page_policy": "Closed", "scheduler": "Fifo"},
    {"page_policy": "OpenAdaptive", "scheduler": "FrFcfsGrp", "scheduler_buffer": "ReadWrite",
     "request_buffer_size": 32, "resp_queue": "Reorder"},
    {"page_policy": "ClosedAdaptive", "scheduler_buffer": "Shared", "request_buffer_size": 64,
     "arbiter": "Fifo", "max_active_transactions": 16, "refresh_max_postponed": 0},
    {"arbiter": "Reorder", "max_active_transactions": 4, "refresh_max_pulledin": 0,
     "request_buffer_size": 1},
]


@pytest.mark.parametrize("kind", ["random", "stream", "cloud"])
@pytest.mark.parametrize("design", DESIGNS, ids=[f"d{i}" for i in range(len(DESIGNS))])
def test_no_violations(kind, design):
    sim = DRAMSimulator()
    tr = generate_trace(kind, 3000, seed=7, read_ratio=0.7, interval=2)
    s = sim.run(tr, design, record_log=True)
    assert check_log(s.command_log, sim.spec, 1, expected_banks(sim, tr)) == []
    assert s.requests_completed == 3000
    # every request has exactly one column command in the log
    cols = s.command_log[np.isin(s.command_log[:, 1], [3, 4, 5, 6]), 4]
    assert sorted(cols.tolist()) == list(range(3000))


@pytest.mark.parametrize("memspec", ["DDR4-2400-8Gb-x8", "DDR3-1600-1Gb-x8"])
def test_no_violations_other_specs_two_ranks(memspec):
    sim = DRAMSimulator(memspec, ranks=2)
    tr = generate_trace("random", 3000, seed=3, read_ratio=0.5, interval=1,
                        capacity_bytes=sim.capacity_bytes)
    s = sim.run(tr, {"page_policy": "ClosedAdaptive"}, record_log=True)
    assert check_log(s.command_log, sim.spec, 2, expected_banks(sim, tr)) == []


def test_checker_catches_a_tampered_log():
    sim = DRAMSimulator()
    s = sim.run(generate_trace("random", 200, seed=1), {}, record_log=True)
    log = s.command_log.copy()
    rd = np.flatnonzero(log[:, 1] == 3)[5]
    log[rd, 0] -= 3  # pull a RD before its tRCD/tCCD
    assert check_log(log, sim.spec, 1) != []
