"""DRAM tiling: the tile sizes and loop order that minimise DRAM traffic.

The GEMM ``(M x K) @ (K x N)`` is cut into tiles ``(tm, tn, tk)`` that live in
the on-chip buffers. Every buffer is double-buffered, so a tile may use half
of its buffer: ``tm*tk`` words of ifmap, ``tk*tn`` words of filter and
``tm*tn`` partial sums of ofmap.

Only the innermost of the three tile loops matters for traffic: the operand
that does not depend on it stays in its buffer while the loop runs, and the
other two are fetched again for every iteration of their missing dimension.
With ``I``, ``F``, ``O`` the bytes of one full pass over ifmap (unique input
pixels, i.e. the im2col matrix divided by its duplication), filter and
ofmap, and ``P = 2 * M * N * psum_bytes`` the bytes of one partial-sum spill
and refill:

* innermost ``n`` (ifmap resident): ``I + F*ceil(M/tm) + O + P*(ceil(K/tk)-1)``;
* innermost ``m`` (filter resident): ``I*ceil(N/tn) + F + O + P*(ceil(K/tk)-1)``;
* innermost ``k`` (output resident): ``I*ceil(N/tn) + F*ceil(M/tm) + O``.

For each order the search tries tile sizes ``t0 * 2**j`` (and the full
dimension) for one free dimension and gives the other free dimension the
largest size that fits; the remaining dimension stays at its minimum. The
smallest traffic over orders and candidates wins. The candidate set does not
depend on the buffer sizes, so a larger buffer never increases traffic.

The **minimal tile** is one fold of the array in the two spatial GEMM
dimensions (``min(Sr, R)`` x ``min(Sc, C)``, see :mod:`.systolic`) and
``min(T, max(R, C))`` steps of the temporal one (enough to cover the array's
fill and drain). A layer whose minimal tile does not fit is an invalid design.
"""

from __future__ import annotations

import math

from numba import njit

from archgym.simulators.accelerator.systolic import IS, OS

__all__ = ["N_CANDIDATES", "minimal_tile", "search_tiles"]

#: Candidate sizes per searched dimension: t0 * 2**j for j < 15, and the full dimension.
N_CANDIDATES = 16


@njit(cache=True)
def minimal_tile(
    rows: float, cols: float, dataflow: int, m: float, n: float, k: float
) -> tuple[float, float, float]:
    """The minimal tile ``(tm0, tn0, tk0)`` (see the module docstring)."""
    span = max(rows, cols)
    if dataflow == OS:
        return min(m, rows), min(n, cols), min(k, span)
    if dataflow == IS:
        return min(m, cols), min(n, span), min(k, rows)
    return min(m, span), min(n, cols), min(k, rows)


@njit(cache=True)
def _candidate(t0: float, full: float, j: int) -> float:
    if j == N_CANDIDATES - 1:
        return full
    return min(full, t0 * 2.0**j)


@njit(cache=True)
def search_tiles(
    tm0: float, tn0: float, tk0: float, cap_i: float, cap_f: float, cap_o: float,
    m: float, n: float, k: float, ifmap_unique: float, word_bytes: float, psum_bytes: float,
) -> tuple[float, float, float, float, float, float, int]:
    """The DRAM traffic of the best tiling of one GEMM (see the module docstring).

    Args:
        tm0, tn0, tk0: Minimal tile (words per dimension); it must fit.
        cap_i, cap_f: Usable ifmap / filter capacity of one buffer half (words).
        cap_o: Usable ofmap capacity of one buffer half (partial sums).
        m, n, k: GEMM dimensions.
        ifmap_unique: Distinct ifmap elements.
        word_bytes: Bytes per operand word.
        psum_bytes: Bytes per partial sum.

    Returns:
        ``(ifmap_bytes, filter_bytes, ofmap_bytes, psum_read_bytes,
        first_bytes, last_bytes, order)``: DRAM reads of ifmap and filter,
        DRAM writes of outputs plus spilled partial sums, DRAM reads of
        spilled partial sums, the bytes loaded before compute starts (first
        tiles), the bytes written after it ends (last output tile) and the
        order (0 innermost n, 1 innermost m, 2 innermost k).
    """
    i_full = ifmap_unique * word_bytes
    f_full = k * n * word_bytes
    o_full = m * n * word_bytes
    spill = 2.0 * m * n * psum_bytes
    best = math.inf
    b_tm, b_tn, b_tk, b_order = tm0, tn0, tk0, 0
    b_nm, b_nn, b_nk = 1.0, 1.0, 1.0
    # innermost n (ifmap resident): tn = tn0, search tk, largest tm that fits
    for j in range(N_CANDIDATES):
        tk = _candidate(tk0, k, j)
        tm = min(m, math.floor(cap_i / tk), math.floor(cap_o / tn0))
        if tm < tm0 or tk * tn0 > cap_f:
            continue
        nm, nk = math.ceil(m / tm), math.ceil(k / tk)
        total = i_full + f_full * nm + o_full + spill * (nk - 1.0)
        if total < best:
            best, b_tm, b_tn, b_tk, b_order = total, tm, tn0, tk, 0
            b_nm, b_nn, b_nk = nm, 1.0, nk
    # innermost m (filter resident): tm = tm0, search tk, largest tn that fits
    for j in range(N_CANDIDATES):
        tk = _candidate(tk0, k, j)
        tn = min(n, math.floor(cap_f / tk), math.floor(cap_o / tm0))
        if tn < tn0 or tm0 * tk > cap_i:
            continue
        nn, nk = math.ceil(n / tn), math.ceil(k / tk)
        total = i_full * nn + f_full + o_full + spill * (nk - 1.0)
        if total < best:
            best, b_tm, b_tn, b_tk, b_order = total, tm0, tn, tk, 1
            b_nm, b_nn, b_nk = 1.0, nn, nk
    # innermost k (output resident): tk = tk0, search tm, largest tn that fits
    for j in range(N_CANDIDATES):
        tm = _candidate(tm0, m, j)
        tn = min(n, math.floor(cap_f / tk0), math.floor(cap_o / tm))
        if tn < tn0 or tm * tk0 > cap_i:
            continue
        nm, nn = math.ceil(m / tm), math.ceil(n / tn)
        total = i_full * nn + f_full * nm + o_full
        if total < best:
            best, b_tm, b_tn, b_tk, b_order = total, tm, tn, tk0, 2
            b_nm, b_nn, b_nk = nm, nn, 1.0
    psum = m * n * psum_bytes * (b_nk - 1.0)
    rho = ifmap_unique / (m * k)
    return (
        i_full * b_nn,
        f_full * b_nm,
        o_full + psum,
        psum,
        (b_tm * b_tk * rho + b_tk * b_tn) * word_bytes,
        b_tm * b_tn * word_bytes,
        b_order,
    )
