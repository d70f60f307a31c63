"""`SoCSimulator`: AR/VR task graphs on heterogeneous SoC designs."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from archgym.simulator import Metric, Simulator
from archgym.simulators.soc.blocks import BlockLibrary, default_library
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
        energy_j: Compute plus data-movement energy (J).
        power_w: Average power, ``energy_j / latency_s`` (W).
        area_mm2: Sum of the allocated blocks' areas (mm^2).
        utilisation: Block name -> busy fraction of ``latency_s`` (0..1).
    """

    latency_s: float
    energy_j: float
    power_w: float
    area_mm2: float
    utilisation: dict[str, float]


class SoCSimulator(Simulator):
    """AR/VR SoC model in the manner of FARSI (see the sub-package docstring).

    Args:
        workload: The workload whose flat encoding is :attr:`design_space` (a name from
            :data:`WORKLOADS`, a task-graph file path or a :class:`TaskGraph`).
            :meth:`evaluate` accepts any workload; a flat design must come from that
            workload's own encoding.
        library: The block library (default: the shipped ``blocks.yaml``).
    """

    metrics = (
        Metric("latency_s", "s", "min", "time to run the task graph"),
        Metric("power_w", "W", "min", "average power over the run"),
        Metric("area_mm2", "mm2", "min", "total area of the allocated blocks"),
        Metric("energy_j", "J", "min", "compute plus data-movement energy"),
    )
    workloads = WORKLOADS

    def __init__(self, workload: str | os.PathLike[str] | TaskGraph = "edge_detection",
                 library: BlockLibrary | None = None):
        self.library = library if library is not None else default_library()
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

    def structured(self, design: Mapping[str, Any], workload: str | TaskGraph) -> dict[str, Any]:
        """A design in structured form: flat designs are decoded, structured ones kept."""
        if "pes" in design:
            return dict(design)
        return self.encoding(workload).decode(design)

    def simulate(self, design: Mapping[str, Any], workload: str | TaskGraph | None = None
                 ) -> SoCResult:
        """Simulate one design (structured, or flat from :meth:`encoding`) on a workload.

        Raises:
            InvalidDesign: The design breaks a rule; ``parameter`` names the rule.
        """
        graph = self.graph(self.space_graph if workload is None else workload)
        compiled = compile_design(self.structured(design, graph), graph, self.library)
        sched = run(graph, compiled)
        energy = sum(compiled.task_energy_j) + sum(compiled.edge_energy_j)
        energy *= graph.iterations
        latency = sched.latency_s
        busy = sched.pe_busy_s + sched.resource_busy_s
        util = {
            name: (b / latency if latency > 0 else 0.0)
            for name, b in zip(compiled.block_names, busy, strict=True)
        }
        return SoCResult(
            latency_s=latency,
            energy_j=energy,
            power_w=energy / latency if latency > 0 else 0.0,
            area_mm2=sum(compiled.block_area_mm2),
            utilisation=util,
        )

    def evaluate(self, design: Mapping[str, Any], workload: str | TaskGraph | None = None
                 ) -> dict[str, float]:
        """Metrics of one design: ``latency_s``, ``power_w``, ``area_mm2``, ``energy_j``.

        Per-block utilisations are added as ``"util:<block name>"`` entries.

        Raises:
            InvalidDesign: The design breaks a rule; ``parameter`` names the rule.
        """
        r = self.simulate(design, workload)
        out = {"latency_s": r.latency_s, "power_w": r.power_w, "area_mm2": r.area_mm2,
               "energy_j": r.energy_j}
        out.update({f"util:{k}": v for k, v in r.utilisation.items()})
        return out
