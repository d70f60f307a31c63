"""Trends the controller knobs must show (DRAMSys behaviour, FACTS.md)."""

from __future__ import annotations

import numpy as np
import pytest

from archgym.simulators.dram import DRAMSimulator, generate_trace
from tests.simulators.dram.helpers import addr, trace

PEAK = 25.6  # GB/s, DDR4-3200 x 64 bit


@pytest.fixture(scope="module")
def sim() -> DRAMSimulator:
    return DRAMSimulator()


@pytest.fixture(scope="module")
def stream():
    return generate_trace("stream", 20_000)


def test_peak_bandwidth_of_spec(sim):
    assert sim.spec.peak_bandwidth_gbps == pytest.approx(PEAK)


def test_stream_default_is_tccd_l_bound_at_half_peak(sim, stream):
    s = sim.run(stream)
    assert 0.45 * PEAK <= s.bandwidth_gbps <= 0.55 * PEAK
    assert s.row_hits >= 0.98 * len(stream)


@pytest.mark.parametrize("size", [64, 128])
def test_stream_large_buffer_overlaps_bank_groups(sim, stream, size):
    s = sim.run(stream, {"request_buffer_size": size})
    assert s.bandwidth_gbps >= 0.8 * PEAK
    assert s.bandwidth_gbps <= PEAK * 1.0001


def test_closed_page_slower_on_stream(sim, stream):
    open_ = sim.run(stream, {"page_policy": "Open"})
    closed = sim.run(stream, {"page_policy": "Closed"})
    assert closed.total_time_ns > 2 * open_.total_time_ns
    # one ACT + RDA per request, one row cycle tRC = 74 clocks each within a bank (a little
    # overlap where the stream moves to the next bank group)
    assert closed.commands["RDA"] == len(stream)
    trc_bound = 64 / (74 * 0.625)
    assert trc_bound <= closed.bandwidth_gbps <= 1.05 * trc_bound


def test_closed_page_no_slower_on_light_random(sim):
    light = generate_trace("random", 4000, seed=2, interval=200)
    open_ = sim.run(light, {"page_policy": "Open"})
    closed = sim.run(light, {"page_policy": "Closed"})
    assert closed.avg_read_latency_ns <= open_.avg_read_latency_ns
    # without refresh stalls every closed-page read is an isolated idle-bank access (30 ns),
    # while open page pays the conflict (43.75 ns) on almost every read
    closed = sim.run(light, {"page_policy": "Closed", "refresh_policy": "NoRefresh"})
    open_ = sim.run(light, {"page_policy": "Open", "refresh_policy": "NoRefresh"})
    assert closed.avg_read_latency_ns == pytest.approx(30.0)
    assert open_.avg_read_latency_ns == pytest.approx(43.75, rel=0.01)


def test_frfcfs_beats_fifo_on_interleaved_row_locality(sim):
    # each bank alternates between two rows; requests round-robin over the 16 banks
    reqs = [(i, addr(bg=i % 4, ba=(i // 4) % 4, row=(i // 16) % 2 + 2 * (i // 256),
                     col=(i // 32) % 128)) for i in range(8000)]
    tr = trace(reqs)
    fifo = sim.run(tr, {"scheduler": "Fifo"})
    frfcfs = sim.run(tr, {"scheduler": "FrFcfs"})
    assert frfcfs.total_time_ns < 0.7 * fifo.total_time_ns
    assert frfcfs.row_hits > 0.5 * len(tr) > fifo.row_hits


def test_fifo_arbiter_one_transaction_serialises(sim):
    rnd = generate_trace("random", 5000, seed=1)
    free = sim.run(rnd, {"arbiter": "Fifo", "max_active_transactions": 128})
    one = sim.run(rnd, {"arbiter": "Fifo", "max_active_transactions": 1})
    # close to the isolated latency (30 ns idle bank, 43.75 ns conflict) plus refresh stalls
    assert 30.0 <= one.avg_read_latency_ns <= 50.0
    assert one.bandwidth_gbps < 0.15 * free.bandwidth_gbps
    # responses never overlap: each request is accepted after the previous response
    assert np.all(one.accept_cycle[1:] >= one.response_cycle[:-1])


def test_simple_arbiter_ignores_the_limit(sim):
    rnd = generate_trace("random", 3000, seed=1)
    a = sim.run(rnd, {"arbiter": "Simple", "max_active_transactions": 1})
    b = sim.run(rnd, {"arbiter": "Simple", "max_active_transactions": 128})
    assert a.total_time_ns == b.total_time_ns


def test_grouping_reads_and_writes_doubles_rw_stream_bandwidth(sim):
    rw = generate_trace("stream", 20_000, seed=3, read_ratio=0.5)
    plain = sim.run(rw, {"scheduler": "FrFcfs", "request_buffer_size": 32})
    grouped = sim.run(rw, {"scheduler": "FrFcfsGrp", "request_buffer_size": 32})
    assert grouped.bandwidth_gbps > 1.5 * plain.bandwidth_gbps
