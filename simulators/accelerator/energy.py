"""Energy (pJ) and area (mm²) model, from the table in ``energy_45nm.yaml``.

Energy of one layer is the sum of

* MACs x ``E_mac`` (the precision's multiply plus accumulate);
* array data movement: per MAC, ``rf_accesses_per_mac`` register-file accesses
  and ``array_hops_per_mac`` PE-to-PE transfers, priced at Eyeriss's
  normalised costs (1x and 2x the MAC energy);
* SRAM accesses x the per-byte energy of a buffer of that capacity
  (Horowitz's 8 KB / 32 KB / 1 MB figures, interpolated in log-log);
* DRAM bytes x the DRAM energy per byte;
* leakage: ``leakage_w_per_mm2`` x area x time.

Area is the PE array (multiplier, adder and registers per PE) plus the three
SRAM buffers at the 6T-cell area divided by an array efficiency.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

import numpy as np
import yaml

from archgym.errors import ConfigError

__all__ = ["PRECISIONS", "EnergyTable", "load_energy_table"]

PRECISIONS = ("int8", "fp16")


@dataclass(frozen=True)
class EnergyTable:
    """The per-unit energies and areas of one operand precision.

    Attributes:
        precision: ``"int8"`` or ``"fp16"``.
        word_bytes: Bytes per operand word.
        psum_bytes: Bytes per partial sum (accumulator word).
        mac_pj: Energy of one MAC (pJ).
        array_pj_per_mac: Register-file and PE-to-PE energy per MAC (pJ).
        sram_log2_kb: log2 of the tabulated SRAM capacities (KB).
        sram_log2_pj_per_byte: log2 of their energy per byte (pJ).
        dram_pj_per_byte: DRAM energy per byte (pJ).
        pe_area_mm2: Area of one PE (mm²).
        sram_mm2_per_kb: SRAM area per KB (mm²).
        leakage_w_per_mm2: Leakage power density (W/mm²).
    """

    precision: str
    word_bytes: int
    psum_bytes: int
    mac_pj: float
    array_pj_per_mac: float
    sram_log2_kb: tuple[float, ...]
    sram_log2_pj_per_byte: tuple[float, ...]
    dram_pj_per_byte: float
    pe_area_mm2: float
    sram_mm2_per_kb: float
    leakage_w_per_mm2: float

    def sram_pj_per_byte(self, kb: np.ndarray) -> np.ndarray:
        """Energy per byte accessed (pJ) of an SRAM of ``kb`` KB (log-log interpolation)."""
        x = np.log2(np.asarray(kb, dtype=np.float64))
        xs = np.asarray(self.sram_log2_kb)
        ys = np.asarray(self.sram_log2_pj_per_byte)
        lo_slope = (ys[1] - ys[0]) / (xs[1] - xs[0])
        hi_slope = (ys[-1] - ys[-2]) / (xs[-1] - xs[-2])
        y = np.interp(x, xs, ys)
        y = np.where(x < xs[0], ys[0] + lo_slope * (x - xs[0]), y)
        y = np.where(x > xs[-1], ys[-1] + hi_slope * (x - xs[-1]), y)
        return np.exp2(y)

    def area_mm2(self, rows: np.ndarray, cols: np.ndarray, total_sram_kb: np.ndarray) -> np.ndarray:
        """Chip area (mm²): PE array plus SRAM."""
        return rows * cols * self.pe_area_mm2 + total_sram_kb * self.sram_mm2_per_kb


@functools.cache
def _raw_table() -> dict:
    text = resources.files("archgym.simulators.accelerator").joinpath(
        "energy_45nm.yaml").read_text()
    return yaml.safe_load(text)


@functools.cache
def load_energy_table(precision: str = "int8") -> EnergyTable:
    """The :class:`EnergyTable` of ``precision`` from ``energy_45nm.yaml``.

    Raises:
        ConfigError: ``precision`` is not one of :data:`PRECISIONS`.
    """
    if precision not in PRECISIONS:
        raise ConfigError(f"precision must be one of {PRECISIONS}, got {precision!r}")
    t = _raw_table()
    mac = float(t["mac_pj"][precision])
    array_pj = mac * (t["rf_accesses_per_mac"] * t["rf_energy_ratio"]
                      + t["array_hops_per_mac"] * t["array_hop_energy_ratio"])
    sram = sorted((float(kb), float(pj) / 8.0) for kb, pj in t["sram_pj_per_8_bytes"].items())
    pe = t["pe_area_um2"][precision]
    pe_um2 = pe["mult"] + pe["add"] + pe["register_bits"] * t["dff_um2_per_bit"]
    sram_um2_per_bit = t["sram_cell_um2"] / t["sram_array_efficiency"]
    return EnergyTable(
        precision=precision,
        word_bytes=int(t["word_bytes"][precision]),
        psum_bytes=int(t["psum_bytes"][precision]),
        mac_pj=mac,
        array_pj_per_mac=float(array_pj),
        sram_log2_kb=tuple(float(np.log2(kb)) for kb, _ in sram),
        sram_log2_pj_per_byte=tuple(float(np.log2(pj)) for _, pj in sram),
        dram_pj_per_byte=float(t["dram_pj_per_byte"]),
        pe_area_mm2=float(pe_um2) * 1e-6,
        sram_mm2_per_kb=float(sram_um2_per_bit * 8192) * 1e-6,
        leakage_w_per_mm2=float(t["leakage_w_per_mm2"]),
    )
