"""SoC designs: the structured form, its validity rules, and compilation for the engine.

A design is a mapping with these keys (indices are 0-based positions in the lists)::

    {
      "pes": [{"type": "A53_1GHz"},                                 # a core from the library
              {"type": "accelerator", "task": "FIR_left", "lanes": 4}],
      "memories": [{"type": "sram", "width": 16}],                  # width in bytes/cycle
      "buses": [{"width": 8}, {"width": 4}],
      "links": [[0, 1]],                                            # bus-bus links
      "pe_bus": [0, 1],                                             # bus of each PE
      "mem_bus": [0],                                               # bus of each memory
      "task_pe": {"FIR_left": 1, ...},   # every task -> PE (or a list in graph order)
      "task_mem": {"FIR_left": 0, ...},  # every task -> memory holding its output data
    }

Validity rules (an :class:`~archgym.errors.InvalidDesign` whose ``parameter`` is the
rule name, also quoted in the message):

* ``allocation-gap`` — an allocation list (``pes``, ``memories``, ``buses``) holds
  ``None`` or is empty;
* ``unknown-block`` — a block type, width, lane count or accelerator task is not in the
  library or the task graph;
* ``unconnected-block`` — a PE or memory is attached to no (existing) bus, or, with
  several buses, a bus is linked to no other bus;
* ``unmapped-task`` — a task has no PE or memory, or the index does not exist;
* ``accelerator-task-mismatch`` — a task with work is mapped to an accelerator built for
  another task (zero-work tasks, e.g. source and sink, may sit on any PE);
* ``memory-unreachable`` — no bus path joins a task's PE to its own memory or to the
  memory of one of its producers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from archgym.errors import InvalidDesign
from archgym.simulators.soc.blocks import BlockLibrary
from archgym.simulators.soc.taskgraph import TaskGraph

__all__ = ["RULES", "CompiledDesign", "compile_design"]

RULES: tuple[str, ...] = (
    "allocation-gap",
    "unknown-block",
    "unconnected-block",
    "unmapped-task",
    "accelerator-task-mismatch",
    "memory-unreachable",
)

_KEYS = ("pes", "memories", "buses", "pe_bus", "mem_bus", "task_pe", "task_mem")


def _fail(rule: str, message: str, value: object = None) -> InvalidDesign:
    return InvalidDesign(f"rule {rule!r}: {message}", parameter=rule, value=value)


@dataclass
class CompiledDesign:
    """A valid design reduced to what the engine needs (all units SI).

    Attributes:
        n_pes: Number of PEs.
        task_pe: PE index of each task (graph order).
        task_time_s: Compute time of each task on its PE, per iteration (s).
        task_energy_j: Compute energy of each task, per iteration (J).
        edge_resources: Per graph edge, the resource ids its transfer occupies
            (buses on the path, then the producer's memory).
        edge_latency_s: Per graph edge, the hop latency of its transfer (s).
        edge_energy_j: Per graph edge, the energy of its transfer (J).
        capacity: Bandwidth of each resource (bytes/s): buses first, then memories.
        block_names: Name of each block: PEs, then buses, then memories.
        block_area_mm2: Area of each block, same order (mm^2).
    """

    n_pes: int
    task_pe: list[int]
    task_time_s: list[float]
    task_energy_j: list[float]
    edge_resources: list[tuple[int, ...]]
    edge_latency_s: list[float]
    edge_energy_j: list[float]
    capacity: list[float]
    block_names: list[str]
    block_area_mm2: list[float]


def _alloc(design: Mapping[str, Any], key: str) -> list[Any]:
    items = design[key]
    if not isinstance(items, Sequence) or isinstance(items, str) or len(items) == 0:
        raise _fail("allocation-gap", f"{key!r} must be a non-empty list, got {items!r}", key)
    for i, item in enumerate(items):
        if item is None:
            raise _fail("allocation-gap", f"{key}[{i}] is empty (None) in {list(items)!r}", i)
    return list(items)


def _mapping(design: Mapping[str, Any], key: str, graph: TaskGraph, n: int, kind: str
             ) -> list[int]:
    m = design[key]
    if isinstance(m, Mapping):
        unknown = [t for t in m if t not in graph.tasks]
        if unknown:
            raise _fail("unmapped-task", f"{key} names unknown task {unknown[0]!r}", unknown[0])
        values = [m.get(t) for t in graph.tasks]
    else:
        values = list(m)
        if len(values) != graph.n_tasks:
            raise _fail("unmapped-task", f"{key} has {len(values)} entries for "
                        f"{graph.n_tasks} tasks", len(values))
    for t, v in enumerate(values):
        if v is None or isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < n:
            raise _fail("unmapped-task", f"task {graph.tasks[t]!r} maps to {kind} {v!r}, "
                        f"but the design has {kind}s 0..{n - 1}", v)
    return values


def _components(n_buses: int, links: Sequence[Sequence[int]]) -> tuple[list[list[int]], list[int]]:
    adj: list[list[int]] = [[] for _ in range(n_buses)]
    for link in links:
        if len(link) != 2 or not all(isinstance(b, int) and 0 <= b < n_buses for b in link):
            raise _fail("unconnected-block", f"link {link!r} must join two of buses "
                        f"0..{n_buses - 1}", link)
        a, b = link
        if a != b:
            adj[a].append(b)
            adj[b].append(a)
    comp = [-1] * n_buses
    for start in range(n_buses):
        if comp[start] < 0:
            comp[start] = start
            stack = [start]
            while stack:
                u = stack.pop()
                for v in adj[u]:
                    if comp[v] < 0:
                        comp[v] = start
                        stack.append(v)
    return adj, comp


def _path(adj: list[list[int]], src: int, dst: int) -> tuple[int, ...]:
    """Buses on the shortest path from ``src`` to ``dst`` (both included; BFS)."""
    if src == dst:
        return (src,)
    prev = {src: src}
    frontier = [src]
    while frontier:
        nxt = []
        for u in frontier:
            for v in adj[u]:
                if v not in prev:
                    prev[v] = u
                    if v == dst:
                        out = [v]
                        while out[-1] != src:
                            out.append(prev[out[-1]])
                        return tuple(reversed(out))
                    nxt.append(v)
        frontier = nxt
    raise AssertionError("unreachable: callers check connectivity first")  # pragma: no cover


def compile_design(design: Mapping[str, Any], graph: TaskGraph, lib: BlockLibrary
                   ) -> CompiledDesign:
    """Check ``design`` against the rules of the module docstring and compile it.

    Raises:
        InvalidDesign: The first rule broken (rule name in ``parameter`` and the message).
    """
    if not isinstance(design, Mapping):
        raise InvalidDesign(f"an SoC design must be a mapping, got {type(design).__name__}")
    missing = [k for k in _KEYS if k not in design]
    if missing:
        raise InvalidDesign(f"SoC design is missing key(s) {', '.join(missing)}",
                            parameter=missing[0])
    pes, mems, buses = (_alloc(design, k) for k in ("pes", "memories", "buses"))
    acc = lib.accelerator
    ref = lib.reference_core
    names: list[str] = []
    areas: list[float] = []
    pe_task: list[int] = []  # accelerator's task index, -1 for a core
    pe_core = []
    for i, pe in enumerate(pes):
        kind = pe.get("type") if isinstance(pe, Mapping) else None
        if kind == "accelerator":
            task, lanes = pe.get("task"), pe.get("lanes", 1)
            if task not in graph.tasks or graph.instructions[graph.tasks.index(task)] <= 0:
                raise _fail("unknown-block", f"pes[{i}] is an accelerator for {task!r}, which is "
                            f"not a task with work of {graph.name!r}", task)
            if lanes not in acc.lanes:
                raise _fail("unknown-block", f"pes[{i}] has {lanes!r} lanes; allowed "
                            f"{list(acc.lanes)}", lanes)
            t = graph.tasks.index(task)
            fixed = graph.accel_area_um2[t]
            fixed_mm2 = acc.default_fixed_area_mm2 if fixed is None else fixed * 1e-6
            pe_task.append(t)
            pe_core.append((lanes, None))
            names.append(f"pe{i}:accel[{task}]x{lanes}")
            areas.append(fixed_mm2 + acc.lane_area_mm2 * lanes)
        elif kind in lib.gpp:
            core = lib.gpp[kind]
            pe_task.append(-1)
            pe_core.append((0, core))
            names.append(f"pe{i}:{kind}")
            areas.append(core.area_mm2)
        else:
            raise _fail("unknown-block", f"pes[{i}] has type {kind!r}; allowed "
                        f"{[*lib.gpp, 'accelerator']}", kind)
    for k, bus in enumerate(buses):
        width = bus.get("width") if isinstance(bus, Mapping) else None
        if width not in lib.widths:
            raise _fail("unknown-block", f"buses[{k}] has width {width!r}; allowed "
                        f"{list(lib.widths)}", width)
        names.append(f"bus{k}:{width}B")
        areas.append(lib.bus.area(width))
    mem_types = []
    for j, mem in enumerate(mems):
        kind = mem.get("type") if isinstance(mem, Mapping) else None
        width = mem.get("width") if isinstance(mem, Mapping) else None
        if kind not in lib.memory or width not in lib.widths:
            raise _fail("unknown-block", f"memories[{j}] = {mem!r}; types {list(lib.memory)}, "
                        f"widths {list(lib.widths)}", mem)
        mem_types.append((lib.memory[kind], width))
        names.append(f"mem{j}:{kind}{width}B")
        areas.append(lib.memory[kind].area(width))

    n_pes, n_buses, n_mems = len(pes), len(buses), len(mems)
    attach = {}
    for key, n in (("pe_bus", n_pes), ("mem_bus", n_mems)):
        values = design[key]
        if not isinstance(values, Sequence) or len(values) != n:
            raise _fail("unconnected-block", f"{key} must list one bus per block ({n}), "
                        f"got {values!r}", key)
        for i, b in enumerate(values):
            if b is None or isinstance(b, bool) or not isinstance(b, int) or not 0 <= b < n_buses:
                raise _fail("unconnected-block", f"{key}[{i}] = {b!r} is not one of buses "
                            f"0..{n_buses - 1}", b)
        attach[key] = list(values)
    adj, comp = _components(n_buses, design.get("links") or [])
    if n_buses > 1:
        for k in range(n_buses):
            if not adj[k]:
                raise _fail("unconnected-block", f"bus {k} is linked to no other bus", k)

    task_pe = _mapping(design, "task_pe", graph, n_pes, "PE")
    task_mem = _mapping(design, "task_mem", graph, n_mems, "memory")
    for t, p in enumerate(task_pe):
        if pe_task[p] >= 0 and pe_task[p] != t and graph.instructions[t] > 0:
            raise _fail("accelerator-task-mismatch", f"task {graph.tasks[t]!r} is mapped to "
                        f"PE {p}, an accelerator built for task {graph.tasks[pe_task[p]]!r}",
                        graph.tasks[t])

    pe_bus, mem_bus = attach["pe_bus"], attach["mem_bus"]
    for t in range(graph.n_tasks):
        if comp[pe_bus[task_pe[t]]] != comp[mem_bus[task_mem[t]]]:
            raise _fail("memory-unreachable", f"task {graph.tasks[t]!r}: memory "
                        f"{task_mem[t]} is unreachable from its PE {task_pe[t]}", graph.tasks[t])
    paths: dict[tuple[int, int], tuple[int, ...]] = {}
    edge_res, edge_lat, edge_en = [], [], []
    for s, d, _nbytes in graph.edges:
        m, p = task_mem[s], task_pe[d]
        if comp[pe_bus[p]] != comp[mem_bus[m]]:
            raise _fail("memory-unreachable", f"task {graph.tasks[d]!r} on PE {p} cannot reach "
                        f"memory {m} holding the data of {graph.tasks[s]!r}", graph.tasks[d])
        key = (pe_bus[p], mem_bus[m])
        if key not in paths:
            paths[key] = _path(adj, *key)
        path = paths[key]
        mem_kind, _ = mem_types[m]
        edge_res.append((*path, n_buses + m))
        edge_lat.append(len(path) * lib.bus.hop_latency_cycles / lib.bus.freq_hz)
        edge_en.append(_nbytes * (mem_kind.energy_per_byte_j
                                  + len(path) * lib.bus.energy_per_byte_j))

    times, energies = [], []
    for t, p in enumerate(task_pe):
        work = graph.instructions[t]
        lanes, core = pe_core[p]
        if core is not None:
            times.append(work / core.instructions_per_s)
            energies.append(work * core.energy_per_instruction_j)
        elif work == 0:
            times.append(0.0)
            energies.append(0.0)
        else:
            cycles = graph.accel_cycles[t]
            if cycles is None:
                cycles = work / ref.instructions_per_s / acc.default_speedup * acc.freq_hz
            times.append(cycles / (acc.freq_hz * lanes))
            energies.append(work * ref.energy_per_instruction_j / acc.power_reduction)
    capacity = [b["width"] * lib.bus.freq_hz for b in buses]
    capacity += [w * kind.freq_hz for kind, w in mem_types]
    return CompiledDesign(
        n_pes=n_pes, task_pe=task_pe, task_time_s=times, task_energy_j=energies,
        edge_resources=edge_res, edge_latency_s=edge_lat, edge_energy_j=edge_en,
        capacity=capacity, block_names=names, block_area_mm2=areas,
    )
