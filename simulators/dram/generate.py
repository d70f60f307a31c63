"""Synthetic traces: ``stream``, ``random``, ``strided`` and ``cloud``.

Every generator is deterministic for a given ``seed``. Addresses are 64-byte
aligned and lie in ``[0, capacity_bytes)``; request ``i`` is offered at clock
``i * interval``.
"""

from __future__ import annotations

import numpy as np

from archgym.errors import TraceError, UnknownName
from archgym.simulators.dram.trace import Trace

__all__ = ["KINDS", "generate_trace"]

KINDS = ("stream", "random", "strided", "cloud")
_LINE = 64


def _random_lines(rng: np.random.Generator, n: int, lines: int) -> np.ndarray:
    return rng.integers(0, lines, size=n, dtype=np.int64)


def _cloud(rng: np.random.Generator, n: int, lines: int, start: str,
           phase: tuple[int, int]) -> np.ndarray:
    out = np.empty(n, dtype=np.int64)
    pos, sequential = 0, start == "sequential"
    while pos < n:
        length = min(int(rng.integers(phase[0], phase[1] + 1)), n - pos)
        if sequential:
            base = int(rng.integers(0, lines))
            out[pos : pos + length] = (base + np.arange(length)) % lines
        else:
            out[pos : pos + length] = _random_lines(rng, length, lines)
        pos += length
        sequential = not sequential
    return out


def generate_trace(
    kind: str,
    n: int,
    seed: int = 0,
    *,
    read_ratio: float = 1.0,
    interval: int = 1,
    stride: int = 4096,
    start_address: int = 0,
    capacity_bytes: int = 1 << 33,
    cloud_start: str = "sequential",
    phase_length: tuple[int, int] = (50, 300),
) -> Trace:
    """Generate a synthetic trace.

    Args:
        kind: ``"stream"`` (consecutive 64-byte lines from ``start_address``),
            ``"random"`` (uniform lines over the capacity), ``"strided"`` (every
            ``stride`` bytes from ``start_address``) or ``"cloud"`` (alternating
            sequential and random phases of ``phase_length`` requests).
        n: Number of requests (>= 1).
        seed: Seed of the generator's ``np.random.Generator``.
        read_ratio: Probability that a request is a read (0–1).
        interval: Clocks between consecutive requests (>= 0).
        stride: Byte stride of ``"strided"`` (a positive multiple of 64).
        start_address: First byte address of ``"stream"``/``"strided"``.
        capacity_bytes: Addresses wrap below this (default 8 GiB, one DDR4 8 Gb x8 rank).
        cloud_start: ``"sequential"`` or ``"random"``: the first phase of ``"cloud"``.
        phase_length: Inclusive range of a cloud phase's length in requests.

    Raises:
        UnknownName: an unknown ``kind``.
        TraceError: an argument out of range (named in the message).
    """
    if kind not in KINDS:
        raise UnknownName("trace kind", kind, KINDS)
    checks = [
        ("n", n >= 1, n), ("read_ratio", 0.0 <= read_ratio <= 1.0, read_ratio),
        ("interval", interval >= 0, interval),
        ("stride", stride > 0 and stride % _LINE == 0, stride),
        ("capacity_bytes", capacity_bytes >= _LINE and capacity_bytes % _LINE == 0,
         capacity_bytes),
        ("start_address", 0 <= start_address < capacity_bytes, start_address),
        ("cloud_start", cloud_start in ("sequential", "random"), cloud_start),
        ("phase_length", 1 <= phase_length[0] <= phase_length[1], phase_length),
    ]
    for name, ok, value in checks:
        if not ok:
            raise TraceError(f"generate_trace: {name} is out of range, got {value!r}")
    rng = np.random.default_rng(seed)
    lines = capacity_bytes // _LINE
    first = start_address // _LINE
    if kind == "stream":
        line = (first + np.arange(n, dtype=np.int64)) % lines
    elif kind == "strided":
        line = (first + np.arange(n, dtype=np.int64) * (stride // _LINE)) % lines
    elif kind == "random":
        line = _random_lines(rng, n, lines)
    else:
        line = _cloud(rng, n, lines, cloud_start, phase_length)
    is_write = rng.random(n) >= read_ratio if read_ratio < 1.0 else np.zeros(n, dtype=bool)
    cycles = np.arange(n, dtype=np.int64) * int(interval)
    return Trace(cycles, line * _LINE, is_write, name=f"{kind}-{n}-s{seed}")
