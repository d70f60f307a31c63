"""Trace bounds: timestamps below 2^62, UTF-8 files, and a cost bound on a trace's span.

A sparse trace used to run for hours (the engine refreshes through the whole
span); those examples run in a subprocess with a timeout, so a hang fails the
test instead of stalling the run.
"""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest

import archgym  # noqa: F401  (registers the envs)
from archgym.errors import TraceError
from archgym.simulators.dram import DRAMSimulator, Trace, load_trace
from archgym.simulators.dram.simulator import (
    SPAN_REFRESH_INTERVALS_BASE,
    SPAN_REFRESH_INTERVALS_PER_REQUEST,
)
from archgym.simulators.dram.trace import MAX_CYCLE
from archgym.simulators.dram.workloads import WORKLOADS
from tests.simulators.dram.helpers import run_isolated

ROOT = Path(__file__).resolve().parents[3]
ENV_ID = "archgym/DRAMController-v0"


# ----------------------------------------------------------- timestamps
@pytest.mark.parametrize("big", [2**62, 2**63, 2**64 + 5])
@pytest.mark.parametrize("fmt", ["stl", "dramsim3"])
def test_huge_timestamp_in_file_names_file_and_line(tmp_path, big, fmt):
    p = tmp_path / "t.trace"
    p.write_text("0:\tread\t0x0\n" f"{big}:\tread\t0x40\n" if fmt == "stl"
                 else f"0x0 READ 0\n0x40 READ {big}\n")
    with pytest.raises(TraceError, match=r"t\.trace:2: timestamp \d+ is too large"):
        load_trace(p)


def test_timestamp_with_thousands_of_digits(tmp_path):
    p = tmp_path / "t.stl"
    p.write_text("0:\tread\t0x0\n" + "9" * 5000 + ":\tread\t0x40\n")
    with pytest.raises(TraceError, match=r"t\.stl:2: timestamp 9+ is too large"):
        load_trace(p)


def test_largest_timestamp_loads(tmp_path):
    p = tmp_path / "t.stl"
    p.write_text(f"0:\tread\t0x0\n{MAX_CYCLE}:\tread\t0x40\n")
    assert load_trace(p).cycles.tolist() == [0, MAX_CYCLE]


@pytest.mark.parametrize("cycles", [
    np.array([2**62, 2**63 + 1], dtype=np.uint64),  # wrapped negative; np.diff overflowed
    np.array([0, 2**63], dtype=np.uint64),
    [0, 2**62],
    [0, 2**70],
    np.array([0.0, 2.0**62]),
    np.array([0.0, 1e30]),
])
def test_trace_cycles_beyond_2_62_rejected(cycles):
    with pytest.raises(TraceError, match=r"cycles must be in \[0, 4611686018427387903\]"):
        Trace(cycles, [0, 64], [False, False], name="big")


@pytest.mark.parametrize("cycles", [np.array([0.0, 1.5]), np.array([0.0, np.nan]), ["0", "1"],
                                    np.array([0, None], dtype=object)])
def test_trace_cycles_must_be_integers(cycles):
    with pytest.raises(TraceError, match="cycles must be integers"):
        Trace(cycles, [0, 64], [False, False], name="frac")


def test_trace_addresses_beyond_2_62_rejected():
    with pytest.raises(TraceError, match=r"addresses must be in \[0, "):
        Trace([0, 1], np.array([0, 2**63 + 64], dtype=np.uint64), [False, False])


def test_decreasing_cycles_name_the_request():
    with pytest.raises(TraceError, match="non-decreasing, got 3 at request 2 after 5"):
        Trace([0, 5, 3], [0, 64, 128], [False] * 3, name="down")


# -------------------------------------------------------------- encoding
@pytest.mark.parametrize("data", [b"\xff\xfe0\x00:\x00 \x00r\x00", b"0:\tread\t0x0\n\x80\x81\n"])
def test_non_utf8_trace_file(tmp_path, data):
    p = tmp_path / "bin.stl"
    p.write_bytes(data)
    with pytest.raises(TraceError, match=r"bin\.stl: not a UTF-8 text trace"):
        load_trace(p)
    with pytest.raises(TraceError, match="UTF-8"):
        gym.make(ENV_ID, workload=str(p))


# ------------------------------------------------------------ cost bound
_SPARSE = textwrap.dedent("""
    import sys, time
    import gymnasium as gym
    import archgym
    from archgym.errors import TraceError
    from archgym.simulators.dram import DRAMSimulator, load_trace

    path, how = sys.argv[1], sys.argv[2]
    t0 = time.perf_counter()
    try:
        if how == "env":
            env = gym.make("archgym/DRAMController-v0", workload=path)
            env.reset(seed=0)
            env.step(env.action_space.sample())
        else:
            DRAMSimulator().run(load_trace(path))
    except TraceError as exc:
        print("TraceError:", exc)
    else:
        print("accepted")
    print(time.perf_counter() - t0)
""")


@pytest.mark.parametrize("how", ["env", "simulator"])
def test_sparse_trace_rejected_fast(tmp_path, how):
    p = tmp_path / "sparse.stl"
    p.write_text("0: read 0x0\n10000000000000: read 0x40\n")
    out, seconds = run_isolated(_SPARSE, str(p), how, timeout=120).rsplit("\n", 2)[:2]
    assert out.startswith("TraceError: trace 'sparse'"), out
    assert "10,000,000,000,000" in out and "cost bound" in out
    assert float(seconds) < 10


def test_cost_bound_edge():
    sim = DRAMSimulator()
    n = 3
    bound = 12480 * (SPAN_REFRESH_INTERVALS_PER_REQUEST * n + SPAN_REFRESH_INTERVALS_BASE)
    assert sim.max_span_cycles(n) == bound
    ok = Trace([0, 1, bound], [0, 64, 128], [False] * 3, name="edge")
    t0 = time.perf_counter()
    assert sim.run(ok).requests_completed == n
    assert time.perf_counter() - t0 < 5
    over = Trace([0, 1, bound + 1], [0, 64, 128], [False] * 3, name="over")
    with pytest.raises(TraceError, match=rf"'over': .*clock {bound + 1:,}, beyond the cost bound "
                                         rf"of {bound:,} clocks for 3 requests"):
        sim.run(over)
    with pytest.raises(TraceError, match="cost bound"):
        sim.check_trace(over)


def test_bound_follows_the_memspec_trefi():
    ddr3 = DRAMSimulator("DDR3-1600-1Gb-x8")
    assert ddr3.max_span_cycles(1) == 6240 * (SPAN_REFRESH_INTERVALS_PER_REQUEST
                                             + SPAN_REFRESH_INTERVALS_BASE)


def test_long_idle_trace_records_its_whole_command_log():
    """The command log grows past its first capacity (it used to report an engine bug)."""
    sim = DRAMSimulator()
    tr = Trace([0, 12480 * 100_000], [0, 64], [False, False], name="idle")
    stats = sim.run(tr, record_log=True)
    assert stats.refreshes >= 100_000
    assert stats.command_log is not None and len(stats.command_log) == sum(stats.commands.values())


# ------------------------------------------------- shipped inputs still load
@pytest.mark.parametrize("workload", [*WORKLOADS, *sorted(
    str(p) for p in (ROOT / "examples" / "dram").iterdir() if p.suffix in (".trace", ".stl"))])
def test_shipped_workloads_and_examples_load_and_run(workload):
    sim = DRAMSimulator()
    assert sim.evaluate(sim.design_space.default(), workload)["bandwidth_gbps"] > 0


# ------------------------------------------------------- engine capacities
def _engine_args(sim: DRAMSimulator, trace: Trace) -> tuple:
    from archgym.simulators.dram.space import design_vector

    design = sim.design_space.validate(sim.design_space.default())
    return (*sim._decode(trace, False), sim._timing, sim.ranks, sim.spec.bank_groups,
            sim.spec.banks, design_vector(design))


@pytest.mark.parametrize("which", ["log", "intervals"])
def test_engine_stops_at_its_capacities_instead_of_overflowing(which):
    from archgym.simulators.dram.engine import (
        ERROR_INTERVALS_FULL,
        ERROR_LOG_FULL,
        SLOT_ERROR,
        simulate,
    )

    sim = DRAMSimulator()
    tr = Trace(np.arange(200), np.arange(200) * 8192 * 16, np.zeros(200, bool), name="misses")
    log_cap, int_cap = (3, 10_000) if which == "log" else (10_000, 3)
    *_, counts, _, _, _, log = simulate(*_engine_args(sim, tr), log_cap, int_cap)
    code = ERROR_LOG_FULL if which == "log" else ERROR_INTERVALS_FULL
    assert counts[SLOT_ERROR] == code
    assert len(log) <= log_cap


@pytest.mark.parametrize("which", ["log", "intervals"])
def test_simulator_reruns_with_larger_capacities(monkeypatch, which):
    """A run that fills a capacity is run again with a larger one; the results come out whole."""
    import archgym.simulators.dram.simulator as simulator_module
    from archgym.simulators.dram.engine import simulate

    sim = DRAMSimulator()
    tr = Trace(np.arange(200), np.arange(200) * 8192 * 16, np.zeros(200, bool), name="misses")
    *_, i_start, _, _, log = simulate(*_engine_args(sim, tr), 10_000, 10_000)
    calls = []

    def tight_first(*args):
        *rest, log_cap, int_cap = args
        if not calls:
            log_cap, int_cap = (min(log_cap, 3), int_cap) if which == "log" else (log_cap, 3)
        calls.append((log_cap, int_cap))
        return simulate(*rest, log_cap, int_cap)

    monkeypatch.setattr(simulator_module, "simulate", tight_first)
    stats = sim.run(tr, record_log=True)
    assert len(calls) == 2
    assert stats.commands["ACT"] == len(i_start) == 200
    assert stats.command_log is not None and np.array_equal(stats.command_log, log)
