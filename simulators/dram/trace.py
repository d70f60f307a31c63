"""Memory traces: the :class:`Trace` container and readers/writers of three formats.

Formats (timestamps in memory-clock cycles; ``#`` starts a comment line):

``stl`` — DRAMSys
    ``<cycle>:<TAB>read|write<TAB>0x<hex address>``, optionally followed by a
    data field (ignored).
``dramsim3``
    ``0x<hex address> READ|WRITE <cycle>``.
``ramulator``
    ``LD|ST 0x<hex address>``; untimed, so request ``i`` is offered at cycle ``i``.

:func:`load_trace` detects the format from the first data line. Files must be
UTF-8 (ASCII) text. Timestamps and addresses must be below :data:`MAX_CYCLE`
+ 1 = 2^62 (so that no clock the simulator computes from them can overflow
int64); a simulator may bound a trace's span further (see
:class:`~archgym.simulators.dram.DRAMSimulator`).
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from archgym.errors import TraceError, UnknownName

__all__ = ["FORMATS", "MAX_ADDRESS", "MAX_CYCLE", "Trace", "load_trace", "save_trace"]

#: Largest timestamp (clock) a trace may hold: 2^62 - 1.
MAX_CYCLE = (1 << 62) - 1
#: Largest byte address a trace may hold: 2^62 - 1.
MAX_ADDRESS = (1 << 62) - 1

_PATTERNS = {
    "stl": re.compile(r"^\s*(\d+)\s*:\s*(read|write)\s+0x([0-9a-fA-F]+)(?:\s+\S+)?\s*$",
                      re.I | re.A),
    "dramsim3": re.compile(r"^\s*0x([0-9a-fA-F]+)\s+(READ|WRITE)\s+(\d+)\s*$", re.I | re.A),
    "ramulator": re.compile(r"^\s*(LD|ST)\s+0x([0-9a-fA-F]+)\s*$", re.I | re.A),
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
        c = _int64(self.name, "cycles", self.cycles, MAX_CYCLE)
        a = _int64(self.name, "addresses", self.addresses, MAX_ADDRESS)
        w = np.ascontiguousarray(self.is_write, dtype=np.bool_)
        if not (c.ndim == a.ndim == w.ndim == 1 and len(c) == len(a) == len(w)):
            raise TraceError(
                f"trace {self.name!r}: cycles, addresses and is_write must be 1-D of one length, "
                f"got shapes {c.shape}, {a.shape}, {w.shape}"
            )
        if len(c) > 1:  # every value is in [0, 2^62), so the differences cannot overflow
            down = np.diff(c) < 0
            if down.any():
                i = int(np.argmax(down)) + 1
                raise TraceError(f"trace {self.name!r}: cycles must be non-decreasing, got "
                                 f"{int(c[i])} at request {i} after {int(c[i - 1])}")
        for attr, arr in (("cycles", c), ("addresses", a), ("is_write", w)):
            arr.setflags(write=False)
            object.__setattr__(self, attr, arr)

    def __len__(self) -> int:
        return len(self.cycles)


def _int64(name: str, attr: str, values: object, hi: int) -> np.ndarray:
    """``values`` as a contiguous int64 array, each in ``[0, hi]`` (checked before any cast)."""
    arr = np.asarray(values)
    kind = arr.dtype.kind
    if kind == "f":
        if arr.size and not (np.isfinite(arr).all() and (arr == np.floor(arr)).all()):
            raise TraceError(f"trace {name!r}: {attr} must be integers, got non-integral values")
    elif kind == "O":
        try:
            ints = [operator.index(v) for v in arr.reshape(-1).tolist()]
        except TypeError:
            raise TraceError(f"trace {name!r}: {attr} must be integers") from None
        lo_v, hi_v = (min(ints), max(ints)) if ints else (0, 0)
        if lo_v < 0 or hi_v > hi:
            bad = lo_v if lo_v < 0 else hi_v
            raise TraceError(f"trace {name!r}: {attr} must be in [0, {hi}] (2^62 - 1), got {bad}")
        return np.array(ints, dtype=np.int64).reshape(arr.shape)
    elif kind not in "iub":
        raise TraceError(f"trace {name!r}: {attr} must be integers, got dtype {arr.dtype}")
    if arr.size:
        lo_v, hi_v = arr.min(), arr.max()
        if lo_v < 0 or hi_v > hi or (kind == "f" and hi_v >= float(hi + 1)):
            bad = lo_v if lo_v < 0 else hi_v
            shown = int(bad) if kind != "f" else float(bad)
            raise TraceError(
                f"trace {name!r}: {attr} must be in [0, {hi}] (2^62 - 1), got {shown}"
            )
    return np.ascontiguousarray(arr, dtype=np.int64)


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
        TraceError: a file that is not UTF-8 text, a malformed line (the
            message names ``file:line``), an empty file, timestamps that
            decrease, or a timestamp or address above 2^62 - 1.
        UnknownName: an unknown ``format``.
    """
    path = Path(path)
    try:
        lines = path.read_bytes().decode("utf-8").splitlines()
    except OSError as exc:
        raise TraceError(f"cannot read trace file {path}: {exc}") from None
    except UnicodeDecodeError as exc:
        raise TraceError(f"{path}: not a UTF-8 text trace (byte 0x{exc.object[exc.start]:02x} "
                         f"at offset {exc.start})") from None
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
            ts, op, a = m[1], m[2].lower() == "write", int(m[3], 16)
        elif fmt == "dramsim3":
            ts, op, a = m[3], m[2].upper() == "WRITE", int(m[1], 16)
        else:
            ts, op, a = str(len(cyc)), m[1].upper() == "ST", int(m[2], 16)
        if len(ts.lstrip("0")) > 19 or int(ts) > MAX_CYCLE:  # 19 digits: int() stays cheap
            raise TraceError(f"{path}:{no}: timestamp {ts[:40]} is too large (the largest is "
                             f"{MAX_CYCLE} = 2^62 - 1)")
        t = int(ts)
        if cyc and t < cyc[-1]:
            raise TraceError(f"{path}:{no}: timestamp {t} is earlier than the previous {cyc[-1]}")
        if a > MAX_ADDRESS:
            raise TraceError(f"{path}:{no}: address 0x{a:x} is too large (the largest is "
                             f"0x{MAX_ADDRESS:x} = 2^62 - 1)")
        cyc.append(t)
        addr.append(a)
        wr.append(op)
    if not cyc:
        raise TraceError(f"{path}: the trace has no requests")
    return Trace(np.array(cyc, dtype=np.int64), np.array(addr, dtype=np.int64),
                 np.array(wr, dtype=np.bool_), name=path.stem)


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
