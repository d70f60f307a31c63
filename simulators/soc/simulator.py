"""`SoCSimulator`: AR/VR task graphs on heterogeneous SoC designs (FARSI's model)."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from archgym.errors import InvalidDesign, UnknownName
from archgym.simulator import Metric, Simulator
from archgym.simulators.soc.blocks import FARSI_TASK_ENERGY_UNIT_J, BlockLibrary, default_library
from archgym.simulators.soc.engine import run
from archgym.simulators.soc.space import SoCEncoding
from archgym.simulators.soc.structure import compile_design
from archgym.simulators.soc.taskgraph import TaskGraph
from archgym.simulators.soc.workloads import WORKLOADS, resolve_workload

__all__ = ["SoCResult", "SoCSimulator"]


@dataclass(frozen=True)
class SoCResult:
    """Everything one simulation reports.

    Attributes:
        latency_s: Time to run every iteration of the task graph (s).
        power_peak_w: FARSI's power: the peak over its 10 ms power windows (W).
        power_avg_w: Average power, ``energy_j / latency_s`` (W).
        energy_j: Compute plus memory (plus bus) energy (J).
        area_mm2: Area of the SoC die: cores, accelerators, buses and on-die
            memories in use (mm^2).
        dram_area_mm2: Area of the stacked memory dies (FARSI's stacked DRAM) (mm^2).
        memory_bytes: Capacity allocated to each memory (bytes; 0 when it holds no data).
        utilisation: Block name -> busy fraction of ``latency_s`` (0..1).
    """

    latency_s: float
    power_peak_w: float
    power_avg_w: float
    energy_j: float
    area_mm2: float
    dram_area_mm2: float
    memory_bytes: tuple[int, ...]
    utilisation: dict[str, float]


class SoCSimulator(Simulator):
    """AR/VR SoC model in the manner of FARSI (see the sub-package docstring).

    Args:
        workload: The workload whose flat encoding is :attr:`design_space` (a name from
            :data:`WORKLOADS`, a task-graph file path or a :class:`TaskGraph`).
            :meth:`evaluate` accepts any workload; a flat design must come from that
            workload's own encoding.
        library: The block library (default: the shipped ``blocks.yaml``).
        farsi_energy_reading: Read the tasks' accelerator energy figures as FARSI does
            (femtojoules) instead of nanojoules (see ``blocks.yaml``).
    """

    metrics = (
        Metric("latency_s", "s", "min", "time to run the task graph"),
        Metric("power_peak_w", "W", "min", "FARSI's power: peak over 10 ms windows"),
        Metric("area_mm2", "mm2", "min", "SoC die area of the blocks in use (no stacked DRAM)"),
        Metric("energy_j", "J", "min", "compute plus memory energy"),
        Metric("power_avg_w", "W", "min", "average power, energy / latency"),
        Metric("dram_area_mm2", "mm2", "min", "area of the stacked DRAM die"),
    )
    workloads = WORKLOADS

    def __init__(self, workload: str | os.PathLike[str] | TaskGraph = "edge_detection",
                 library: BlockLibrary | None = None, *, farsi_energy_reading: bool = False):
        if not isinstance(farsi_energy_reading, bool):
            raise TypeError(f"farsi_energy_reading must be True or False, got "
                            f"{farsi_energy_reading!r}")
        self.library = library if library is not None else default_library()
        self.farsi_energy_reading = farsi_energy_reading
        self._energy_unit = (FARSI_TASK_ENERGY_UNIT_J if farsi_energy_reading
                             else self.library.accelerator.task_energy_unit_j)
        self._graphs: dict[str, TaskGraph] = {}
        self._encodings: dict[TaskGraph, SoCEncoding] = {}
        self.space_graph = self.graph(workload)
        self.design_space = self.encoding(self.space_graph).space

    def resolve_workload(self, workload: Any) -> TaskGraph:
        """The :class:`TaskGraph` of a workload name or file path (cached), or the graph itself.

        Raises:
            UnknownName: neither a shipped name nor an existing file.
            ConfigError: a malformed task-graph file.
        """
        if isinstance(workload, TaskGraph):
            return workload
        if not isinstance(workload, (str, os.PathLike)):
            raise UnknownName("workload (a shipped name, a task-graph file path or a "
                              "TaskGraph)", workload, WORKLOADS)
        key = os.fspath(workload)
        if key not in self._graphs:
            self._graphs[key] = resolve_workload(key)
        return self._graphs[key]

    def graph(self, workload: Any) -> TaskGraph:
        """The :class:`TaskGraph` of a workload (see :meth:`resolve_workload`)."""
        return self.resolve_workload(workload)

    def encoding(self, workload: str | TaskGraph) -> SoCEncoding:
        """The flat encoding sized for ``workload`` (cached)."""
        graph = self.graph(workload)
        if graph not in self._encodings:
            self._encodings[graph] = SoCEncoding(graph, self.library)
        return self._encodings[graph]

    def structured(self, design: Mapping[str, Any], workload: str | TaskGraph, *,
                   trusted: bool = False) -> dict[str, Any]:
        """A design in structured form: flat designs are checked and decoded, structured
        ones returned as they are (:func:`compile_design` checks them).

        Args:
            design: A structured design or a flat one of ``workload``'s encoding.
            workload: The workload.
            trusted: Skip checking a flat design (it comes from the encoding's index).

        Raises:
            InvalidDesign: A flat design with an unknown or missing parameter or a value
                outside the encoding (the message names them).
        """
        if not isinstance(design, Mapping):
            raise InvalidDesign(f"an SoC design must be a mapping, got {type(design).__name__}")
        if "pes" in design:
            return dict(design)
        return self.encoding(workload).decode(design, check=not trusted)

    def simulate(self, design: Mapping[str, Any], workload: str | TaskGraph | None = None,
                 *, trusted: bool = False) -> SoCResult:
        """Simulate one design (structured, or flat from :meth:`encoding`) on a workload.

        Raises:
            InvalidDesign: The design breaks a rule; ``parameter`` names the rule.
        """
        graph = self.graph(self.space_graph if workload is None else workload)
        c = compile_design(self.structured(design, graph, trusted=trusted), graph, self.library,
                           accelerator_energy_unit_j=self._energy_unit)
        sched = run(graph, c)
        caps = tuple(mt.capacity(peak) if used else 0
                     for mt, peak, used in zip(c.memory_types, sched.peak_live_bytes,
                                               c.memory_used, strict=True))
        read_j = [mt.read_energy(cp) if cp else 0.0 for mt, cp in zip(c.memory_types, caps,
                                                                      strict=True)]
        write_j = [mt.write_energy(cp) if cp else 0.0 for mt, cp in zip(c.memory_types, caps,
                                                                       strict=True)]
        energy = sum(c.compute_energy_j) + sum(c.bus_energy_j)
        for reads, writes in zip(c.mem_read_bytes, c.mem_write_bytes, strict=True):
            energy += sum(b * read_j[m] for m, b in reads) + sum(b * write_j[m] for m, b in writes)
        energy *= graph.iterations
        peak = 0.0
        for w in sched.windows:
            e = w.compute_energy_j + sum(b * r for b, r in zip(w.read_bytes, read_j, strict=True))
            e += sum(b * r for b, r in zip(w.write_bytes, write_j, strict=True))
            peak = max(peak, e / w.duration_s)
        n_die = c.n_pes + (len(c.block_names) - c.n_pes - len(c.memory_types))
        area = sum(c.block_area_mm2[:n_die])
        dram_area = 0.0
        for mt, cp in zip(c.memory_types, caps, strict=True):
            if cp:
                if mt.stacked:
                    dram_area += mt.area(cp)
                else:
                    area += mt.area(cp)
        latency = sched.latency_s
        util = {name: (b / latency if latency > 0 else 0.0)
                for name, b in zip(c.block_names, sched.block_busy_s, strict=True)}
        return SoCResult(
            latency_s=latency,
            power_peak_w=peak,
            power_avg_w=energy / latency if latency > 0 else 0.0,
            energy_j=energy,
            area_mm2=area,
            dram_area_mm2=dram_area,
            memory_bytes=caps,
            utilisation=util,
        )

    def _metrics(self, r: SoCResult) -> dict[str, float]:
        out = {"latency_s": r.latency_s, "power_peak_w": r.power_peak_w, "area_mm2": r.area_mm2,
               "energy_j": r.energy_j, "power_avg_w": r.power_avg_w,
               "dram_area_mm2": r.dram_area_mm2}
        out.update({f"util:{k}": v for k, v in r.utilisation.items()})
        return out

    def evaluate(self, design: Mapping[str, Any], workload: str | TaskGraph | None = None
                 ) -> dict[str, float]:
        """Metrics of one design (see :attr:`metrics`); per-block utilisations are added
        as ``"util:<block name>"`` entries.

        A flat design is checked against the workload's encoding (every parameter
        known, present and allowed), a structured one against the rules of
        :mod:`.structure`.

        Raises:
            InvalidDesign: The design is malformed or breaks a rule; ``parameter`` names
                the parameter or the rule.
        """
        return self._metrics(self.simulate(design, workload))

    def evaluate_index(self, index: Sequence[int] | np.ndarray, workload: Any,
                       design: Mapping[str, Any] | None = None) -> dict[str, float]:
        """Metrics of the design at ``index`` of :attr:`design_space` (no re-check)."""
        if design is None:
            design = self.design_space.from_index(index)
        return self._metrics(self.simulate(design, workload, trusted=True))
