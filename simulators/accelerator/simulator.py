"""`AcceleratorSimulator`: an analytical systolic-array DNN accelerator model.

See :mod:`.systolic` (compute, SCALE-Sim v3's model), :mod:`.tiling` (DRAM
tiling), :mod:`.engine` (the per-layer model and stalls), :mod:`.energy`
(energy and area), :mod:`.layers` (lowering of layers to GEMMs),
:mod:`.space` (the knobs) and :mod:`.workloads` (networks and topology files).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias

import numpy as np

from archgym.errors import InvalidDesign
from archgym.simulator import Metric, Simulator
from archgym.simulators.accelerator.columns import design_arrays
from archgym.simulators.accelerator.energy import load_energy_table
from archgym.simulators.accelerator.engine import BUFFERS, layer_model
from archgym.simulators.accelerator.layers import Layer, LayerTable
from archgym.simulators.accelerator.space import accelerator_space
from archgym.simulators.accelerator.workloads import NAMES, resolve_workload

__all__ = ["AcceleratorSimulator"]

Workload: TypeAlias = str | os.PathLike[str] | LayerTable

_LAYER_KEYS = ("compute_cycles", "stall_cycles", "cycles", "macs", "sram_ifmap_reads",
               "sram_filter_reads", "sram_ofmap_writes", "sram_ofmap_reads", "dram_ifmap_bytes",
               "dram_filter_bytes", "dram_ofmap_bytes", "dram_psum_read_bytes", "dram_bytes",
               "mapping_efficiency")


class AcceleratorSimulator(Simulator):
    """A ``pe_rows x pe_cols`` systolic array with ifmap/filter/ofmap SRAM and DRAM.

    Args:
        precision: Operand precision, ``"int8"`` (default; int32 accumulators)
            or ``"fp16"`` (fp32 accumulators).

    Metrics: ``latency_ms`` (ms), ``energy_mj`` (mJ, dynamic + leakage),
    ``area_mm2`` (mm²), ``power_w`` (W = energy / latency). :meth:`evaluate`
    also returns ``cycles``, ``compute_cycles``, ``stall_cycles``,
    ``utilization`` (MACs / (cycles x R x C)), ``dram_bytes`` and ``macs``.

    A design whose minimal tile does not fit its buffers for some layer raises
    :class:`~archgym.errors.InvalidDesign` naming the layer and the buffer.
    """

    metrics = (
        Metric("latency_ms", "ms", "min", "time to run the whole workload once"),
        Metric("energy_mj", "mJ", "min", "energy of one run, dynamic plus leakage"),
        Metric("area_mm2", "mm2", "min", "PE array plus SRAM area"),
        Metric("power_w", "W", "min", "average power: energy / latency"),
    )
    workloads = NAMES

    def __init__(self, precision: str = "int8"):
        self.precision = precision
        self.table = load_energy_table(precision)
        self.design_space = accelerator_space()
        self._networks: dict[str, LayerTable] = {}

    def __repr__(self) -> str:
        return f"AcceleratorSimulator(precision={self.precision!r})"

    # ------------------------------------------------------------------ API
    def resolve_workload(self, workload: Workload) -> LayerTable:
        """The :class:`LayerTable` of a network name or topology CSV path (cached), or a table.

        Raises:
            UnknownName: a string that is neither a network name nor a file.
            ConfigError: the topology file is malformed.
        """
        if isinstance(workload, LayerTable):
            return workload
        key = os.fspath(workload)
        if key not in self._networks:
            self._networks[key] = resolve_workload(key)
        return self._networks[key]

    def evaluate(self, design: Mapping[str, Any], workload: Workload) -> dict[str, float]:
        """Simulate one design on a whole network.

        Args:
            design: Design dict (keys in :mod:`.design`).
            workload: A network name of :data:`WORKLOADS`, a SCALE-Sim topology
                CSV path, or a :class:`LayerTable`.

        Returns:
            ``latency_ms``, ``energy_mj``, ``area_mm2``, ``power_w``, ``cycles``,
            ``compute_cycles``, ``stall_cycles``, ``utilization``,
            ``dram_bytes`` and ``macs``.

        Raises:
            InvalidDesign: a malformed parameter, or a layer whose minimal tile
                does not fit in a buffer.
        """
        out = self._network(design_arrays([design]), self.resolve_workload(workload), raise_=True)
        return {k: float(v[0]) for k, v in out.items()}

    def evaluate_batch(
        self, designs: Sequence[Mapping[str, Any]] | Mapping[str, Any], workload: Workload
    ) -> dict[str, np.ndarray]:
        """Simulate many designs at once (vectorised).

        Args:
            designs: A list of design dicts, or a dict of equal-length columns.
            workload: As in :meth:`evaluate`.

        Returns:
            The keys of :meth:`evaluate`, each an array of shape ``(n,)``; NaN
            in the rows of invalid designs. ``valid`` says which rows are valid.
        """
        return self._network(design_arrays(designs), self.resolve_workload(workload), raise_=False)

    def evaluate_layer(self, design: Mapping[str, Any], layer: Layer) -> dict[str, float]:
        """Simulate one layer on one design.

        Returns:
            ``compute_cycles``, ``stall_cycles``, ``cycles``, ``macs``,
            ``utilization``, ``mapping_efficiency``, SRAM accesses per operand
            in words (``sram_ifmap_reads``, ``sram_filter_reads``,
            ``sram_ofmap_writes``, ``sram_ofmap_reads``), DRAM traffic per
            operand in bytes (``dram_ifmap_bytes``, ``dram_filter_bytes``,
            ``dram_ofmap_bytes`` incl. spilled partial sums,
            ``dram_psum_read_bytes``, ``dram_bytes``), ``energy_pj`` (dynamic)
            and ``latency_ms``. All over the layer's ``count`` GEMMs.

        Raises:
            InvalidDesign: as in :meth:`evaluate`.
        """
        d = design_arrays([design])
        net = LayerTable([layer], name=layer.name)
        self._check(d, net, None, raise_=True)
        per = layer_model(d, net, self.table)
        out = {k: float(per[k][0, 0]) for k in _LAYER_KEYS}
        out["energy_pj"] = float(per["energy_pj"][0, 0])
        out["utilization"] = out["macs"] / (out["cycles"] * float(d.rows[0, 0] * d.cols[0, 0]))
        out["latency_ms"] = out["cycles"] / (float(d.clock_mhz[0, 0]) * 1e3)
        return out

    # ------------------------------------------------------------ internals
    def _check(self, d: Any, net: LayerTable, per: dict[str, np.ndarray] | None,
               raise_: bool) -> np.ndarray:
        """Valid mask ``(D,)``; raises the first reason when ``raise_``."""
        if raise_ and d.bad[0]:
            raise InvalidDesign(d.errors[0], parameter=d.bad_parameter[0])
        if per is None:
            per = layer_model(d, net, self.table)
        fits = per["fits"]
        valid = ~d.bad & fits.all(axis=1)
        if raise_ and not valid[0]:
            layer = int(np.argmin(fits[0]))
            for buf, param in BUFFERS:
                need = float(per[f"need_{buf}_kb"][0, layer])
                have = float(getattr(d, param.replace("_sram", ""))[0, 0])
                if need > have:
                    raise InvalidDesign(
                        f"layer {net.names[layer]!r} (#{layer}): the minimal {buf} tile needs a "
                        f"{need:.4g} KB double-buffered {buf} SRAM, but {param}={have:g}",
                        parameter=param, value=have)
        return valid

    def _network(self, d: Any, net: LayerTable, raise_: bool) -> dict[str, np.ndarray]:
        per = layer_model(d, net, self.table)
        valid = self._check(d, net, per, raise_)
        t = self.table
        cycles = per["cycles"].sum(axis=1)
        compute_cycles = per["compute_cycles"].sum(axis=1)
        seconds = cycles / (d.clock_mhz[:, 0] * 1e6)
        area = t.area_mm2(d.rows[:, 0], d.cols[:, 0],
                          d.ifmap_kb[:, 0] + d.filter_kb[:, 0] + d.ofmap_kb[:, 0])
        leak_j = t.leakage_w_per_mm2 * area * seconds
        energy_j = per["energy_pj"].sum(axis=1) * 1e-12 + leak_j
        macs = float(net.total_macs)
        out = {
            "latency_ms": seconds * 1e3,
            "energy_mj": energy_j * 1e3,
            "area_mm2": area,
            "power_w": energy_j / seconds,
            "cycles": cycles,
            "compute_cycles": compute_cycles,
            "stall_cycles": cycles - compute_cycles,
            "utilization": macs / (cycles * d.rows[:, 0] * d.cols[:, 0]),
            "dram_bytes": per["dram_bytes"].sum(axis=1),
            "macs": np.full(len(cycles), macs),
        }
        if not raise_:
            out = {k: np.where(valid, v, np.nan) for k, v in out.items()}
            out["valid"] = valid
        return out
