"""Small builders shared by the DRAM simulator tests."""

from __future__ import annotations

import numpy as np

from archgym.simulators.dram import DRAMSimulator, Trace

SPEC_TCK = 0.625  # DDR4-3200, ns


def addr(bg: int = 0, ba: int = 0, row: int = 0, col: int = 0) -> int:
    """Byte address under RoChRaBaBgCo for one rank of DDR4 8 Gb x8 (independent arithmetic)."""
    return ((((row * 4 + ba) * 4 + bg) * 128) + col) * 64


def trace(reqs: list[tuple[int, int]], writes: list[bool] | None = None) -> Trace:
    """A trace from (clock, address) pairs."""
    c = np.array([r[0] for r in reqs], dtype=np.int64)
    a = np.array([r[1] for r in reqs], dtype=np.int64)
    w = np.array(writes if writes is not None else [False] * len(reqs))
    return Trace(c, a, w, name="test")


def expected_banks(sim: DRAMSimulator, tr: Trace) -> dict[int, tuple[int, int]]:
    """Request -> (flat bank, row) by plain integer arithmetic on the default mapping."""
    out = {}
    spec = sim.spec
    for i, a in enumerate(tr.addresses.tolist()):
        line = a // 64
        line //= spec.bursts_per_row
        bg = line % spec.bank_groups
        line //= spec.bank_groups
        ba = line % spec.banks_per_group
        line //= spec.banks_per_group
        rank = line % sim.ranks
        row = line // sim.ranks
        out[i] = (rank * spec.banks + bg * spec.banks_per_group + ba, row)
    return out


def run_isolated(code: str, *args: str, timeout: float = 120) -> str:
    """Run ``code`` in a fresh Python process and return its stdout.

    A crash (non-zero exit, e.g. a segmentation fault) or a hang (no result
    within ``timeout`` seconds) fails the calling test instead of killing or
    stalling the test run.
    """
    import os
    import subprocess
    import sys
    from pathlib import Path

    import pytest

    root = Path(__file__).resolve().parents[3]
    env = {**os.environ, "PYTHONPATH": str(root)}
    try:
        done = subprocess.run([sys.executable, "-c", code, *args], cwd=root, env=env,
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        pytest.fail(f"no result within {timeout} s (a hang?)")
    assert done.returncode == 0, f"exit {done.returncode} (a crash?):\n{done.stderr[-2000:]}"
    return done.stdout
