"""Memory traces: the :class:`Trace` container and readers/writers of three formats.

Formats (timestamps in memory-clock cycles; ``#`` starts a comment line):

``stl`` — DRAMSys
    ``<cycle>:<TAB>read|write<TAB>0x<hex address>``, optionally followed by a
    data field (ignored).
``dramsim3``
    ``0x<hex address> READ|WRITE <cycle>``.
``ramulator``
    ``LD|ST 0x<hex address>``; untimed, so request ``i`` is offered at cycle ``i``.

:func:`load_trace` detects the format from the first data line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from archgym.errors import TraceError, UnknownName

__all__ = ["FORMATS", "Trace", "load_trace", "save_trace"]

_PATTERNS = {
    "stl": re.compile(r"^\s*(\d+)\s*:\s*(read|write)\s+0x([0-9a-fA-F]+)(?:\s+\S+)?\s*$", re.I),
    "dramsim3": re.compile(r"^\s*0x([0-9a-fA-F]+)\s+(READ|WRITE)\s+(\d+)\s*$", re.I),
    "ramulator": re.compile(r"^\s*(LD|ST)\s+0x([0-9a-fA-F]+)\s*$", re.I),
}
FORMATS = tuple(_PATTERNS)


@dataclass(frozen=True, eq=False)
class Trace:
    """A sequence of 64-byte memory requests.

    Attributes:
        cycles: Clock at which each request is offered (int64, non-decreasing).
        addresses: Byte address of each request (int64, >= 0).
        is_write: True for a write (bool).
        name: A label for reports.
    """

    cycles: np.ndarray
    addresses: np.ndarray
    is_write: np.ndarray
    name: str = "trace"

    def __post_init__(self) -> None:
        c = np.ascontiguousarray(self.cycles, dtype=np.int64)
        a = np.ascontiguousarray(self.addresses, dtype=np.int64)
        w = np.ascontiguousarray(self.is_write, dtype=np.bool_)
        if not (c.ndim == a.ndim == w.ndim == 1 and len(c) == len(a) == len(w)):
            raise TraceError(
                f"trace {self.name!r}: cycles, addresses and is_write must be 1-D of one length, "
                f"got shapes {c.shape}, {a.shape}, {w.shape}"
            )
        if len(c) and (c[0] < 0 or np.any(np.diff(c) < 0)):
            raise TraceError(f"trace {self.name!r}: cycles must be >= 0 and non-decreasing")
        if len(a) and a.min() < 0:
            raise TraceError(f"trace {self.name!r}: addresses must be >= 0, got {int(a.min())}")
        for attr, arr in (("cycles", c), ("addresses", a), ("is_write", w)):
            arr.setflags(write=False)
            object.__setattr__(self, attr, arr)

    def __len__(self) -> int:
        return len(self.cycles)


def _detect(path: Path, lines: list[str]) -> str:
    for no, line in enumerate(lines, 1):
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        for fmt, pat in _PATTERNS.items():
            if pat.match(s):
                return fmt
        raise TraceError(
            f"{path}:{no}: cannot recognise the trace format of {s[:60]!r} "
            f"(expected one of {', '.join(FORMATS)})"
        )
    raise TraceError(f"{path}: the trace has no requests")


def load_trace(path: str | Path, *, format: str | None = None) -> Trace:
    """Read a trace file.

    Args:
        path: The trace file.
        format: ``"stl"``, ``"dramsim3"`` or ``"ramulator"``; detected from the
            first data line when omitted.

    Raises:
        TraceError: a malformed line (the message names ``file:line``), an
            empty file, or timestamps that decrease.
        UnknownName: an unknown ``format``.
    """
    path = Path(path)
    try:
        lines = path.read_text().splitlines()
    except OSError as exc:
        raise TraceError(f"cannot read trace file {path}: {exc}") from None
    fmt = _detect(path, lines) if format is None else format
    if fmt not in _PATTERNS:
        raise UnknownName("trace format", fmt, FORMATS)
    pat = _PATTERNS[fmt]
    cyc: list[int] = []
    addr: list[int] = []
    wr: list[bool] = []
    for no, line in enumerate(lines, 1):
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        m = pat.match(s)
        if m is None:
            raise TraceError(f"{path}:{no}: malformed {fmt} line {s[:60]!r}")
        if fmt == "stl":
            t, op, a = int(m[1]), m[2].lower() == "write", int(m[3], 16)
        elif fmt == "dramsim3":
            t, op, a = int(m[3]), m[2].upper() == "WRITE", int(m[1], 16)
        else:
            t, op, a = len(cyc), m[1].upper() == "ST", int(m[2], 16)
        if cyc and t < cyc[-1]:
            raise TraceError(f"{path}:{no}: timestamp {t} is earlier than the previous {cyc[-1]}")
        if a >= 1 << 62:
            raise TraceError(f"{path}:{no}: address 0x{a:x} is too large")
        cyc.append(t)
        addr.append(a)
        wr.append(op)
    if not cyc:
        raise TraceError(f"{path}: the trace has no requests")
    return Trace(np.array(cyc), np.array(addr), np.array(wr), name=path.stem)


def save_trace(trace: Trace, path: str | Path, format: str = "stl") -> None:
    """Write a trace in one of :data:`FORMATS` (``ramulator`` drops the timestamps)."""
    if format not in _PATTERNS:
        raise UnknownName("trace format", format, FORMATS)
    rows = zip(trace.cycles.tolist(), trace.addresses.tolist(), trace.is_write.tolist(),
               strict=True)
    if format == "stl":
        text = "".join(f"{t}:\t{'write' if w else 'read'}\t0x{a:x}\n" for t, a, w in rows)
    elif format == "dramsim3":
        text = "".join(f"0x{a:x} {'WRITE' if w else 'READ'} {t}\n" for t, a, w in rows)
    else:
        text = "".join(f"{'ST' if w else 'LD'} 0x{a:x}\n" for _, a, w in rows)
    Path(path).write_text(text)
