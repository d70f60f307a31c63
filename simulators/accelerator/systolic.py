"""The systolic array's compute model (SCALE-Sim v3's, in closed form).

An ``R x C`` array runs the GEMM ``(M x K) @ (K x N)``. The dataflow decides
which GEMM dimensions map onto the array rows (``Sr``), the array columns
(``Sc``) and time (``T``):

=========  ======  ======  ======
dataflow   Sr      Sc      T
=========  ======  ======  ======
``os``     M       N       K
``ws``     K       N       M
``is``     K       M       N
=========  ======  ======  ======

The operand matrices are folded over the array in
``folds = ceil(Sr / R) * ceil(Sc / C)`` pieces. Each fold of ``ws``/``is`` loads
the stationary operand (R cycles), streams T vectors with the skew of the
array (R + C - 2 cycles of fill and drain), so one GEMM takes
``folds * (2R + C + T - 2) - 1`` cycles; ``os`` needs no preload:
``folds * (T + R + C - 2) - 1``. These match SCALE-Sim v3's compute cycles
exactly (see ``tests/simulators/accelerator/scalesim_golden.csv``).

SRAM accesses (words), as SCALE-Sim counts them:

* ``ws`` — ifmap reads ``ceil(N/C) * M * K``, filter reads ``K * N``,
  ofmap writes ``ceil(K/R) * M * N``;
* ``is`` — ifmap reads ``M * K``, filter reads ``ceil(M/C) * K * N``,
  ofmap writes ``ceil(K/R) * M * N``;
* ``os`` — ifmap reads ``ceil(N/C) * M * K``, filter reads ``ceil(M/R) * K * N``,
  ofmap writes ``M * N``. (SCALE-Sim reports ``folds * (R + C)`` more ofmap
  writes for ``os``: it counts the invalid entries of the drain skew. We do not.)

We also count what SCALE-Sim leaves out: in ``ws`` and ``is`` every row fold
after the first reads back the partial sums it accumulates onto, so ofmap
reads are ``(ceil(K/R) - 1) * M * N`` (0 for ``os``).
"""

from __future__ import annotations

import math

from numba import njit

__all__ = ["DATAFLOWS", "IS", "OS", "WS", "gemm_compute"]

#: Dataflow names; a design's dataflow is stored as its index in this tuple.
DATAFLOWS = ("ws", "os", "is")
WS, OS, IS = 0, 1, 2


@njit(cache=True)
def gemm_compute(
    rows: float, cols: float, dataflow: int, m: float, n: float, k: float
) -> tuple[float, float, float, float, float, float]:
    """Compute cycles and SRAM accesses of one GEMM (see the module docstring).

    Args:
        rows: Array rows R.
        cols: Array columns C.
        dataflow: Index into :data:`DATAFLOWS`.
        m, n, k: GEMM dimensions.

    Returns:
        ``(cycles, ifmap_reads, filter_reads, ofmap_writes, ofmap_reads,
        mapping_efficiency)``; accesses in words.
    """
    if dataflow == OS:
        sr, sc, t = m, n, k
    elif dataflow == WS:
        sr, sc, t = k, n, m
    else:
        sr, sc, t = k, m, n
    folds = math.ceil(sr / rows) * math.ceil(sc / cols)
    if dataflow == OS:
        cycles = folds * (t + rows + cols - 2.0) - 1.0
    else:
        cycles = folds * (2.0 * rows + cols + t - 2.0) - 1.0
    mk = m * k
    kn = k * n
    mn = m * n
    if dataflow == WS:
        ifmap_reads = math.ceil(n / cols) * mk
        filter_reads = kn
    elif dataflow == IS:
        ifmap_reads = mk
        filter_reads = math.ceil(m / cols) * kn
    else:
        ifmap_reads = math.ceil(n / cols) * mk
        filter_reads = math.ceil(m / rows) * kn
    k_folds = 1.0 if dataflow == OS else math.ceil(k / rows)
    return (cycles, ifmap_reads, filter_reads, k_folds * mn, (k_folds - 1.0) * mn,
            sr * sc / (folds * rows * cols))
