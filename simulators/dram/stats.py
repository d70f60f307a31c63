"""`DRAMStats`: what one simulation run reports."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["DRAMStats"]


@dataclass(frozen=True)
class DRAMStats:
    """Results of :meth:`DRAMSimulator.run`. Times in ns, energy in pJ, power in mW.

    Attributes:
        total_time_ns: From clock 0 to the last response.
        avg_read_latency_ns: Mean over reads of (response - acceptance by the
            memory system); the response is sent when the last data beat has
            arrived (so an isolated read costs tRCD + CL + BL/2).
        max_read_latency_ns: Largest such read latency.
        avg_read_latency_from_trace_ns: Mean over reads of (response - trace
            timestamp): includes waiting under back-pressure.
        avg_write_latency_ns: Mean over writes of (response - acceptance).
        bandwidth_gbps: Bytes moved / total time, in GB/s (1e9 bytes/s).
        requests_completed: Requests whose response was returned.
        reads, writes: Requests of each kind.
        row_hits, row_misses, row_conflicts: Column accesses to an open row,
            to a closed bank, and to a bank open on another row.
        commands: Command mnemonic -> count.
        refreshes: REF commands issued.
        max_refreshes_owed: Largest number of due REFs outstanding at once.
        energy_pj: Total energy.
        energy_breakdown_pj: Energy per component (see :mod:`.energy`).
        avg_power_mw: Energy / total time.
        accept_cycle, response_cycle, complete_cycle: Per-request clocks
            (acceptance, response, end of data burst).
        command_log: ``(n, 5)`` int64 array of (clock, command code, flat bank
            or rank for PREA/REF, row, request) when recorded, else None.
    """

    total_time_ns: float
    avg_read_latency_ns: float
    max_read_latency_ns: float
    avg_read_latency_from_trace_ns: float
    avg_write_latency_ns: float
    bandwidth_gbps: float
    requests_completed: int
    reads: int
    writes: int
    row_hits: int
    row_misses: int
    row_conflicts: int
    commands: dict[str, int]
    refreshes: int
    max_refreshes_owed: int
    energy_pj: float
    energy_breakdown_pj: dict[str, float]
    avg_power_mw: float
    accept_cycle: np.ndarray = field(repr=False)
    response_cycle: np.ndarray = field(repr=False)
    complete_cycle: np.ndarray = field(repr=False)
    command_log: np.ndarray | None = field(default=None, repr=False)
