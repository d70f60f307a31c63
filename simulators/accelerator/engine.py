"""The whole per-layer model, vectorised over designs and layers.

For every (design, layer) pair: compute cycles and SRAM accesses
(:mod:`.systolic`), the minimal tile and its fit in the buffers, the DRAM
tiling (:mod:`.tiling`), the memory stalls and the energy (:mod:`.energy`).

**Stalls.** Buffers are double-buffered: while the array works on one tile
the next is loaded and the previous results are written back. The first
tiles must arrive before compute starts and the last output tile leaves after
it ends; everything else overlaps with compute. One GEMM therefore takes

    cycles = first / bw + max(compute, (dram - first - last) / bw) + last / bw

and ``stall = cycles - compute`` (bytes and bytes per cycle). A layer of
``count`` GEMMs takes ``count`` times as long.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from archgym.simulators.accelerator.columns import DesignArrays
from archgym.simulators.accelerator.energy import EnergyTable
from archgym.simulators.accelerator.layers import LayerTable
from archgym.simulators.accelerator.systolic import gemm_compute
from archgym.simulators.accelerator.tiling import minimal_tile, search_tiles

__all__ = ["BUFFERS", "FIELDS", "layer_model"]

#: (buffer name, design parameter) in the order the fit check reports them.
BUFFERS = (("ifmap", "ifmap_sram_kb"), ("filter", "filter_sram_kb"), ("ofmap", "ofmap_sram_kb"))

#: Per-layer outputs of :func:`layer_model`, in the order of the kernel's last axis.
FIELDS = (
    "compute_cycles", "stall_cycles", "cycles", "macs",
    "sram_ifmap_reads", "sram_filter_reads", "sram_ofmap_writes", "sram_ofmap_reads",
    "dram_ifmap_bytes", "dram_filter_bytes", "dram_ofmap_bytes", "dram_psum_read_bytes",
    "dram_bytes", "energy_pj", "mapping_efficiency",
    "need_ifmap_kb", "need_filter_kb", "need_ofmap_kb", "fits",
)
_HALF = 512.0  # bytes per KB of buffer that one tile may use (double buffering)


@njit(cache=True)
def _kernel(design: np.ndarray, e_sram: np.ndarray, layers: np.ndarray, word_bytes: float,
            psum_bytes: float, e_mac: float, e_dram: float) -> np.ndarray:
    n_d, n_l = design.shape[0], layers.shape[0]
    out = np.empty((n_d, n_l, 19))
    for i in range(n_d):
        rows, cols, df = design[i, 0], design[i, 1], int(design[i, 2])
        ikb, fkb, okb, bw = design[i, 3], design[i, 4], design[i, 5], design[i, 6]
        cap_i = np.floor(ikb * _HALF / word_bytes)
        cap_f = np.floor(fkb * _HALF / word_bytes)
        cap_o = np.floor(okb * _HALF / psum_bytes)
        e_i, e_f, e_o = e_sram[i, 0], e_sram[i, 1], e_sram[i, 2]
        for j in range(n_l):
            m, n, k, count, uniq = (layers[j, 0], layers[j, 1], layers[j, 2], layers[j, 3],
                                    layers[j, 4])
            cyc, ifr, flr, ofw, ofr, meff = gemm_compute(rows, cols, df, m, n, k)
            tm0, tn0, tk0 = minimal_tile(rows, cols, df, m, n, k)
            need_i, need_f, need_o = tm0 * tk0, tk0 * tn0, tm0 * tn0
            fits = need_i <= cap_i and need_f <= cap_f and need_o <= cap_o
            o = out[i, j]
            o[15] = need_i * word_bytes / _HALF
            o[16] = need_f * word_bytes / _HALF
            o[17] = need_o * psum_bytes / _HALF
            o[18] = 1.0 if fits else 0.0
            macs = m * n * k * count
            o[0], o[3] = count * cyc, macs
            o[4], o[5], o[6], o[7] = count * ifr, count * flr, count * ofw, count * ofr
            o[14] = meff
            if not fits:
                o[1] = o[2] = o[8] = o[9] = o[10] = o[11] = o[12] = o[13] = np.nan
                continue
            ib, fb, ob, pr, first, last, _ = search_tiles(
                tm0, tn0, tk0, cap_i, cap_f, cap_o, m, n, k, uniq, word_bytes, psum_bytes)
            dram = ib + fb + ob + pr
            steady = max(dram - first - last, 0.0)
            gemm_cycles = (first + last) / bw + max(cyc, steady / bw)
            sram_pj = (e_i * (ifr * word_bytes + ib) + e_f * (flr * word_bytes + fb)
                       + e_o * ((ofw + ofr) * psum_bytes + ob + pr))
            o[2] = count * gemm_cycles
            o[1] = o[2] - o[0]
            o[8], o[9], o[10], o[11], o[12] = count * ib, count * fb, count * ob, count * pr, \
                count * dram
            o[13] = count * (sram_pj + dram * e_dram) + macs * e_mac
    return out


def layer_model(d: DesignArrays, net: LayerTable, table: EnergyTable) -> dict[str, np.ndarray]:
    """Evaluate every layer of ``net`` on every design of ``d``.

    Returns:
        :data:`FIELDS` -> array of shape ``(D, L)``, whole layers (all
        ``count`` GEMMs): cycles, ``macs``, SRAM accesses (words), DRAM
        traffic (bytes; ``dram_ofmap_bytes`` includes spilled partial sums),
        dynamic ``energy_pj``, ``mapping_efficiency``; and the fit check:
        ``need_*_kb`` (the buffer size in KB, both halves, that the minimal
        tile needs) and ``fits`` (bool). Pairs that do not fit have NaN
        cycles, traffic and energy.
    """
    design = np.concatenate(
        [d.rows, d.cols, d.dataflow, d.ifmap_kb, d.filter_kb, d.ofmap_kb, d.bw], axis=1)
    e_sram = table.sram_pj_per_byte(design[:, 3:6])
    out = _kernel(design, e_sram, net.matrix, float(table.word_bytes), float(table.psum_bytes),
                  table.mac_pj + table.array_pj_per_mac, table.dram_pj_per_byte)
    result = {name: out[:, :, i] for i, name in enumerate(FIELDS)}
    result["fits"] = result["fits"] > 0.5
    return result
