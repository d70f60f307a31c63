"""`DRAMSimulator`: one DDR channel — front end, arbiter, controller, devices.

It implements the :class:`~archgym.simulator.Simulator` protocol
(:meth:`DRAMSimulator.evaluate`: a design of :func:`~.space.dram_space` on a
workload of :mod:`.workloads`, five metrics) and gives the full statistics of
one run with :meth:`DRAMSimulator.run`.

The model, clock by clock (memory clocks of the memspec's tCK):

Front end
    A trace player offers request ``i`` at its timestamp, in trace order, and
    holds it (and every later request) until the memory system accepts it, so
    a saturating trace measures the controller. At most one request is
    accepted per clock.
Arbiter
    ``Simple`` hands the request straight to the controller when its
    scheduler buffer has room (that moment is the acceptance). ``Fifo`` and
    ``Reorder`` accept a request into their own queue while fewer than
    ``max_active_transactions`` are in flight (accepted, response not yet
    returned) and forward the queue head to the controller when a buffer
    entry is free (one per clock); ``Reorder`` also returns responses in
    request order.
Controller
    Requests wait in per-bank queues (arrival order) whose capacity is set by
    ``scheduler_buffer`` / ``request_buffer_size``. Every clock each bank with
    work picks a request with its ``scheduler`` and derives the next command
    (ACT on a closed bank, PRE on a conflict, RD/WR on a hit); among the
    commands whose timing constraints are met, the one serving the oldest
    request is issued (one command per clock on the command bus). The
    ``page_policy`` decides at each column command whether it auto-precharges
    (RDA/WRA). The refresh manager (``refresh_policy`` and its postpone /
    pull-in limits) issues PREA + REF per rank and blocks the rank's other
    commands while a refresh is forced. Response order follows ``resp_queue``.
Device
    Per-bank state (closed / open row) and every JEDEC constraint: tRCD, tRP,
    tRAS, tRC, CL, CWL, BL/2 data-bus occupancy, tCCD_S/L, tRRD_S/L, tFAW,
    tWR, tWTR_S/L, tRTP, read-to-write turnaround (CL + BL/2 + 2 - CWL),
    rank-to-rank switch (tRTRS between bursts of different ranks), tRFC and
    tREFI.

Latency is measured from acceptance to the response, which is sent when the
last data beat has arrived (then reordered per ``resp_queue``/arbiter): an
isolated read to an idle bank costs tRCD + CL + BL/2.

Cost bound
    The engine simulates from clock 0, and refreshes fall due every tREFI
    even while no request is pending, so the work of one evaluation grows
    with the span of the trace, not only with its length. A trace is
    therefore accepted only if its last request arrives no later than
    ``tREFI x (SPAN_REFRESH_INTERVALS_PER_REQUEST x requests +
    SPAN_REFRESH_INTERVALS_BASE)`` clocks, i.e. 64 refresh intervals
    (0.5 ms of DDR4 time) per request plus 131,072 (about 1 s); checked
    before the engine runs (:class:`~archgym.errors.TraceError`). Together
    with the memspec bounds (:mod:`.memspec`) this keeps every accepted
    evaluation to at most a few microseconds of compute per request per
    rank plus a few tens of milliseconds.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from archgym.errors import ArchGymError, ConfigError, TraceError
from archgym.simulator import Metric, Simulator
from archgym.simulators.dram.commands import COMMAND_NAMES
from archgym.simulators.dram.energy import active_cycles, energy_pj
from archgym.simulators.dram.engine import (
    ERROR_INTERVALS_FULL,
    ERROR_LOG_FULL,
    SLOT_ERROR,
    SLOT_MAX_OWED,
    simulate,
)
from archgym.simulators.dram.mapping import AddressMapping
from archgym.simulators.dram.memspec import MemSpec, load_memspec
from archgym.simulators.dram.space import (
    ARB_REORDER,
    K_ARBITER,
    K_RESP_QUEUE,
    RESP_FIFO,
    design_vector,
    dram_space,
)
from archgym.simulators.dram.stats import DRAMStats
from archgym.simulators.dram.trace import Trace
from archgym.simulators.dram.workloads import WORKLOADS, resolve_workload

__all__ = ["SPAN_REFRESH_INTERVALS_BASE", "SPAN_REFRESH_INTERVALS_PER_REQUEST", "DRAMSimulator"]

#: Refresh intervals of trace span allowed per request (see "Cost bound" above).
SPAN_REFRESH_INTERVALS_PER_REQUEST = 64
#: Refresh intervals of trace span allowed on top of the per-request allowance.
SPAN_REFRESH_INTERVALS_BASE = 131_072


class DRAMSimulator(Simulator):
    """A cycle-accurate DDR channel simulator.

    Args:
        memspec: A shipped memspec name (see ``SHIPPED_MEMSPECS``), a JSON
            memspec path, or a :class:`MemSpec`.
        ranks: Ranks on the channel (a power of two, 1–4).
        address_mapping: Field order above the 64-byte offset (see
            :mod:`archgym.simulators.dram.mapping`).

    Metrics of :meth:`evaluate`: ``latency_ns`` (mean read latency from
    acceptance to response, ns), ``power_mw`` (average DRAM power, mW),
    ``energy_nj`` (nJ), ``bandwidth_gbps`` (GB/s, higher is better) and
    ``total_time_ns`` (ns). Shipped workloads and trace files are resolved
    once and cached on the instance, so repeated evaluations only run the
    engine.

    Raises:
        ConfigError: a bad address mapping or rank count.
    """

    metrics = (
        Metric("latency_ns", "ns", "min", "mean read latency (acceptance to response)"),
        Metric("power_mw", "mW", "min", "average DRAM power of the rank(s)"),
        Metric("energy_nj", "nJ", "min", "DRAM energy of the whole trace"),
        Metric("bandwidth_gbps", "GB/s", "max", "bytes moved / total time"),
        Metric("total_time_ns", "ns", "min", "time to the last response"),
    )
    workloads = tuple(WORKLOADS)

    def __init__(self, memspec: str | Path | MemSpec = "DDR4-3200-8Gb-x8", ranks: int = 1,
                 address_mapping: str = "RoChRaBaBgCo"):
        if ranks not in (1, 2, 4):
            raise ConfigError(f"ranks must be 1, 2 or 4, got {ranks!r}")
        self.design_space = dram_space()
        self.spec = load_memspec(memspec)
        self.ranks = int(ranks)
        self.mapping = AddressMapping.parse(address_mapping, self.spec, self.ranks)
        self._timing = self.spec.timing_array()
        self._cached: tuple[Trace, bool, tuple[np.ndarray, ...]] | None = None
        self._traces: dict[str, Trace] = {}

    # ------------------------------------------------------- Simulator protocol
    def resolve_workload(self, workload: Any) -> Trace:
        """The checked :class:`Trace` of a shipped name, a trace file path, or a trace.

        Names and paths are resolved once and cached.

        Raises:
            UnknownName: neither a shipped name nor an existing file.
            TraceError: a malformed file, or a trace this channel cannot play
                (empty, or an address beyond its capacity).
        """
        if isinstance(workload, Trace):
            self.check_trace(workload)
            return workload
        key = os.fspath(workload)
        if key not in self._traces:
            trace = resolve_workload(key, self.capacity_bytes)
            self.check_trace(trace)
            self._traces[key] = trace
        return self._traces[key]

    def evaluate(self, design: Mapping[str, Any], workload: Any) -> dict[str, float]:
        """The five metrics of one controller design on one workload (see the class)."""
        s = self.run(self.resolve_workload(workload), self.design_space.validate(design))
        return {
            "latency_ns": s.avg_read_latency_ns,
            "power_mw": s.avg_power_mw,
            "energy_nj": s.energy_pj / 1000.0,
            "bandwidth_gbps": s.bandwidth_gbps,
            "total_time_ns": s.total_time_ns,
        }

    # ------------------------------------------------------------ the channel

    @property
    def capacity_bytes(self) -> int:
        """Bytes addressable on the channel."""
        return self.mapping.capacity_bytes

    def max_span_cycles(self, requests: int) -> int:
        """The latest clock the last of ``requests`` requests may arrive at (the cost bound)."""
        return self.spec.timing["tREFI"] * (SPAN_REFRESH_INTERVALS_PER_REQUEST * requests
                                            + SPAN_REFRESH_INTERVALS_BASE)

    def check_trace(self, trace: Trace, *, wrap_addresses: bool = False) -> None:
        """Validate ``trace`` against this channel (and cache its decoded fields).

        Raises:
            TraceError: an empty trace, an address beyond the capacity, or a
                span beyond the cost bound (see the module docstring).
        """
        self._decode(trace, wrap_addresses)

    def _decode(self, trace: Trace, wrap: bool) -> tuple[np.ndarray, ...]:
        if self._cached is not None and self._cached[0] is trace and self._cached[1] == wrap:
            return self._cached[2]
        if len(trace) == 0:
            raise TraceError(f"trace {trace.name!r} has no requests")
        span, bound = int(trace.cycles[-1]), self.max_span_cycles(len(trace))
        if span > bound:
            tref = self.spec.timing["tREFI"]
            raise TraceError(
                f"trace {trace.name!r}: its last request arrives at clock {span:,}, beyond the "
                f"cost bound of {bound:,} clocks for {len(trace):,} requests (tREFI = {tref} "
                f"clocks x ({SPAN_REFRESH_INTERVALS_PER_REQUEST} x requests + "
                f"{SPAN_REFRESH_INTERVALS_BASE:,})); the simulator would refresh through the whole "
                "span. Compress the idle gaps of the trace or split it"
            )
        addr = trace.addresses
        too_big = addr >= self.capacity_bytes
        if too_big.any():
            if not wrap:
                i = int(np.argmax(too_big))
                raise TraceError(
                    f"trace {trace.name!r}: request {i} address 0x{int(addr[i]):x} is beyond the "
                    f"memory capacity of {self.capacity_bytes} bytes (0x{self.capacity_bytes:x}); "
                    "pass wrap_addresses=True to wrap addresses modulo the capacity"
                )
            addr = addr % self.capacity_bytes
        f = self.mapping.decode(addr)
        bpr = self.spec.banks
        flat = f["Ra"] * bpr + f["Bg"] * self.spec.banks_per_group + f["Ba"]
        decoded = (
            np.ascontiguousarray(trace.cycles, dtype=np.int64),
            trace.is_write.astype(np.int8),
            np.ascontiguousarray(f["Ra"]),
            np.ascontiguousarray(f["Bg"]),
            np.ascontiguousarray(flat),
            np.ascontiguousarray(f["Ro"]),
        )
        self._cached = (trace, wrap, decoded)
        return decoded

    def run(self, trace: Trace, design: Mapping[str, Any] | None = None, *,
            record_log: bool = False, wrap_addresses: bool = False) -> DRAMStats:
        """Simulate ``trace`` under the controller ``design``.

        Args:
            trace: The requests (see :func:`load_trace`, :func:`generate_trace`).
            design: Knob -> value (snake_case names; missing knobs take their
                defaults, see :mod:`archgym.simulators.dram.space`).
            record_log: Also return the command log in ``DRAMStats.command_log``.
            wrap_addresses: Wrap addresses beyond the capacity instead of raising.

        Raises:
            InvalidDesign: an unknown knob or a value out of range.
            TraceError: an empty trace, an address beyond the capacity, or a
                span beyond the cost bound (see the module docstring).
        """
        full = self.design_space.validate({**self.design_space.default(), **(design or {})})
        dvec = design_vector(full)
        ts, is_wr, rank, bg, bank, row = self._decode(trace, wrap_addresses)
        n = len(ts)
        # First capacities fit ordinary runs; refresh-heavy ones (long idle spans) run again
        # with larger ones, which the cost bound keeps finite.
        log_cap = 4 * n + 10_000 if record_log else 0
        int_cap = 2 * n + 64 * self.ranks * self.spec.banks + 64
        while True:
            accept, complete, klass, counts, i_start, i_end, i_rank, log = simulate(
                ts, is_wr, rank, bg, bank, row, self._timing, self.ranks, self.spec.bank_groups,
                self.spec.banks, dvec, log_cap, int_cap,
            )
            if counts[SLOT_ERROR] == ERROR_LOG_FULL:
                log_cap *= 4
            elif counts[SLOT_ERROR] == ERROR_INTERVALS_FULL:
                int_cap *= 4
            elif counts[SLOT_ERROR] != 0:
                raise ArchGymError(
                    f"DRAM engine failed (code {int(counts[SLOT_ERROR])}); this is a bug"
                )
            else:
                break
        in_order = dvec[K_RESP_QUEUE] == RESP_FIFO or dvec[K_ARBITER] == ARB_REORDER
        response = np.maximum.accumulate(complete) if in_order else complete
        total = int(response.max())
        tck = self.spec.tck_ns
        reads = is_wr == 0
        lat = (response - accept) * tck
        cmd_counts = {name: int(counts[k]) for k, name in enumerate(COMMAND_NAMES)}
        active = active_cycles(i_start, i_end, i_rank, self.ranks, total)
        parts = energy_pj(self.spec, cmd_counts, active, total)
        energy = float(sum(parts.values()))
        total_ns = total * tck

        def _mean(x: np.ndarray) -> float:
            return float(x.mean()) if x.size else 0.0

        return DRAMStats(
            total_time_ns=total_ns,
            avg_read_latency_ns=_mean(lat[reads]),
            max_read_latency_ns=float(lat[reads].max()) if reads.any() else 0.0,
            avg_read_latency_from_trace_ns=_mean((response - ts)[reads] * tck),
            avg_write_latency_ns=_mean(lat[~reads]),
            bandwidth_gbps=64.0 * n / total_ns,
            requests_completed=int(np.count_nonzero(complete >= 0)),
            reads=int(reads.sum()),
            writes=int(n - reads.sum()),
            row_hits=int(np.count_nonzero(klass == 0)),
            row_misses=int(np.count_nonzero(klass == 1)),
            row_conflicts=int(np.count_nonzero(klass == 2)),
            commands=cmd_counts,
            refreshes=cmd_counts["REF"],
            max_refreshes_owed=int(counts[SLOT_MAX_OWED]),
            energy_pj=energy,
            energy_breakdown_pj=parts,
            avg_power_mw=energy / total_ns,
            accept_cycle=accept,
            response_cycle=response,
            complete_cycle=complete,
            command_log=log if record_log else None,
        )
