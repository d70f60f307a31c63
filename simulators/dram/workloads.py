"""DRAM workloads: the shipped synthetic traces and user trace files.

=============  ===============================================================
name           trace (10,000 reads offered one per clock, fixed seed)
=============  ===============================================================
``stream``     sequential 64-byte lines
``random``     uniformly random lines
``cloud-1``    alternating sequential and random phases, starting sequential
``cloud-2``    the same mix, starting random
=============  ===============================================================

These follow the original DRAMGym's four traces (stream, random, cloud-1,
cloud-2 of 10,000 reads each, one per cycle). Any other workload is a trace
file in DRAMSys STL, DRAMsim3 or Ramulator format (:mod:`.trace`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from archgym.errors import UnknownName
from archgym.simulators.dram.generate import generate_trace
from archgym.simulators.dram.trace import Trace, load_trace

__all__ = ["WORKLOADS", "WORKLOAD_REQUESTS", "resolve_workload"]

#: Workload name -> :func:`generate_trace` arguments.
WORKLOADS: dict[str, dict[str, Any]] = {
    "stream": {"kind": "stream", "seed": 0},
    "random": {"kind": "random", "seed": 1},
    "cloud-1": {"kind": "cloud", "seed": 2, "cloud_start": "sequential"},
    "cloud-2": {"kind": "cloud", "seed": 3, "cloud_start": "random"},
}
#: Requests in every shipped workload.
WORKLOAD_REQUESTS = 10_000


def resolve_workload(workload: str | os.PathLike[str] | Trace, capacity_bytes: int) -> Trace:
    """The :class:`Trace` of a shipped workload name, a trace file path, or a trace.

    Args:
        workload: A name of :data:`WORKLOADS`, the path of a trace file, or a
            :class:`Trace` (returned as is).
        capacity_bytes: Addressable bytes of the channel the shipped traces are
            generated for.

    Raises:
        UnknownName: neither a shipped name nor an existing file.
        TraceError: the file is malformed (the message names ``file:line``).
    """
    if isinstance(workload, Trace):
        return workload
    text = os.fspath(workload)
    if text in WORKLOADS:
        args = dict(WORKLOADS[text])
        kind = args.pop("kind")
        trace = generate_trace(kind, WORKLOAD_REQUESTS, capacity_bytes=capacity_bytes, **args)
        return Trace(trace.cycles, trace.addresses, trace.is_write, name=text)
    if Path(text).is_file():
        return load_trace(text)
    raise UnknownName("workload (a shipped name or a trace file path)", text, WORKLOADS)
