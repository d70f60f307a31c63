"""IDD-current energy model in the style of DRAMPower / the Micron power calculator.

With ``D`` devices per rank, ``tCK`` in ns, currents in mA and voltages in V
(mA x V x ns = pJ), the energy of a run is the sum of:

* Activation (one ACT-PRE pair, per ACT)::

      E_act = D * tCK * [VDD * (IDD0 * tRC - IDD3N * tRAS - IDD2N * (tRC - tRAS))
                        + VPP * (IPP0 * tRC - IPP3N * tRAS - IPP2N * (tRC - tRAS))]

* Read / write burst (per RD(A) / WR(A), BL/2 clocks of data)::

      E_rd = D * tCK * VDD * (IDD4R - IDD3N) * BL/2
      E_wr = D * tCK * VDD * (IDD4W - IDD3N) * BL/2

* Refresh (per REF)::

      E_ref = D * tCK * VDD * (IDD5 - IDD3N) * tRFC

* Background, per rank over the run of ``T`` clocks, of which ``A`` have at
  least one bank open (active standby) and ``T - A`` none (precharge standby)::

      E_bg = D * tCK * [VDD * (IDD3N * A + IDD2N * (T - A)) + VPP * (IPP3N * A + IPP2N * (T - A))]

Power-down and self-refresh are not modelled (the controller never enters
them, as with DRAMSys's default ``NoPowerDown``).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from archgym.simulators.dram.memspec import MemSpec

__all__ = ["active_cycles", "energy_pj"]


@njit(cache=True)
def _union_per_rank(start, end, rank, nranks, horizon):
    out = np.zeros(nranks, np.int64)
    cur = np.full(nranks, -1, np.int64)
    for k in range(start.shape[0]):
        r = rank[k]
        s = start[k]
        e = end[k] if 0 <= end[k] <= horizon else horizon
        s = min(s, horizon)
        if s >= cur[r]:
            out[r] += e - s
            cur[r] = e
        elif e > cur[r]:
            out[r] += e - cur[r]
            cur[r] = e
    return out


def active_cycles(start: np.ndarray, end: np.ndarray, rank: np.ndarray, nranks: int,
                  horizon: int) -> np.ndarray:
    """Clocks per rank with at least one bank open.

    Args:
        start: ACT clock of each open interval, non-decreasing.
        end: Precharge clock of each interval (-1 when still open at the end).
        rank: Rank of each interval.
        nranks: Number of ranks.
        horizon: Clock at which the run ends (closes still-open intervals).
    """
    return _union_per_rank(start, end, rank, nranks, horizon)


def energy_pj(spec: MemSpec, counts: dict[str, int], active: np.ndarray,
              total_cycles: int) -> dict[str, float]:
    """Energy components in pJ (keys ``act``, ``read``, ``write``, ``refresh``, ``background``).

    Args:
        spec: The memory spec (currents, voltages, timings).
        counts: Command mnemonic -> count.
        active: Active-standby clocks per rank (see :func:`active_cycles`).
        total_cycles: Length of the run in clocks (the same for every rank).
    """
    p, t = spec.power, spec.timing
    k = spec.devices_per_rank * spec.tck_ns
    tras, trc = t["tRAS"], t["tRC"]
    e_act = k * (
        p["vdd"] * (p["idd0"] * trc - p["idd3n"] * tras - p["idd2n"] * (trc - tras))
        + p["vpp"] * (p["ipp0"] * trc - p["ipp3n"] * tras - p["ipp2n"] * (trc - tras))
    )
    bl2 = spec.burst_cycles
    e_rd = k * p["vdd"] * (p["idd4r"] - p["idd3n"]) * bl2
    e_wr = k * p["vdd"] * (p["idd4w"] - p["idd3n"]) * bl2
    e_ref = k * p["vdd"] * (p["idd5"] - p["idd3n"]) * t["tRFC"]
    a = float(np.sum(active))
    pre = float(len(active) * total_cycles) - a
    e_bg = k * (p["vdd"] * (p["idd3n"] * a + p["idd2n"] * pre)
                + p["vpp"] * (p["ipp3n"] * a + p["ipp2n"] * pre))
    return {
        "act": e_act * counts["ACT"],
        "read": e_rd * (counts["RD"] + counts["RDA"]),
        "write": e_wr * (counts["WR"] + counts["WRA"]),
        "refresh": e_ref * counts["REF"],
        "background": e_bg,
    }
