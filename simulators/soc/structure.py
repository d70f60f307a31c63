"""SoC designs: the structured form, its validity rules, and compilation for the engine.

A design is a mapping with exactly these keys (``links`` optional; indices are
0-based positions in the lists)::

    {
      "pes": [{"type": "A53"},                                       # a core type
              {"type": "accelerator", "task": "FIR_left",            # built for one task
               "unroll": 4, "clock_mhz": 400}],                      # optional: 1, base clock
      "memories": [{"type": "sram", "width": 16, "clock_mhz": 100}], # width: bytes/cycle
      "buses": [{"width": 8, "clock_mhz": 400}, {"width": 4}],       # clock_mhz optional
      "links": [[0, 1]],                                             # bus-bus links
      "pe_bus": [0, 1],                                              # bus of each PE
      "mem_bus": [0],                                                # bus of each memory
      "task_pe": {"FIR_left": 1, ...},   # every task -> PE (or a list in graph order)
      "task_mem": {"FIR_left": 0, ...},  # every task -> memory holding its output
    }

Allowed values come from the block library: core types, memory kinds, widths, the
clocks (``base clock x multiplier``, in MHz) and, per task, the unrolling factors
(:meth:`~.blocks.AcceleratorModel.unroll_levels` of its ``loop_iterations``).

Validity rules (an :class:`~archgym.errors.InvalidDesign` whose ``parameter`` is the
rule name, also quoted in the message, with the offending value):

* ``malformed`` — the design or a block is not a mapping, a key is unknown (the
  message suggests the closest known key), or a value has the wrong type;
* ``allocation-gap`` — an allocation list (``pes``, ``memories``, ``buses``) holds
  ``None`` or is empty;
* ``unknown-block`` — a block type, width, clock, unrolling factor or accelerator task
  is not in the library or the task graph;
* ``unconnected-block`` — a PE or memory is attached to no (existing) bus, or, with
  several buses, a bus is linked to no other bus;
* ``unmapped-task`` — a task has no PE or memory, or the index does not exist;
* ``accelerator-task-mismatch`` — a task with work is mapped to an accelerator built for
  another task (pseudo tasks, without work, may sit on any PE);
* ``memory-unreachable`` — a task with work cannot reach, over the buses, its own memory
  or the memory holding an input it reads.

Compilation applies FARSI's model (see :mod:`.engine` for the timing):

* a task with work reads each input (``bytes`` of an edge) from the memory of its
  producer and writes all its outputs to its own memory, over the buses on the shortest
  bus path; every (memory, direction) and every (bus, outgoing port, direction) is a
  resource with the block's bandwidth (FARSI gives each direction, and each port of a
  bus, its own channel);
* sharing weights: jobs share a bus channel equally; they share a memory channel in
  proportion to the size of the pieces they move (FARSI's "work units"): a task cuts
  its transfers into as many pieces as its smallest input holds bursts
  (``burst_bytes``), and its weight on a memory channel is the sum over its edges
  there of ``bytes / pieces``, at least 1 per edge;
* energy: instructions x energy per instruction on a core, the task's accelerator
  figure x unrolling on an accelerator, bytes x energy per byte of the memory's size
  for each read and write, bytes x hops x the bus figure (zero in FARSI's library);
* area: a PE counts unless it runs nothing but the workload's entry and exit pseudo
  tasks (FARSI's rule: a host core that holds only the source and sink counts zero; a
  pseudo task inside the graph, such as a join, makes its PE count), a memory only if
  it holds data, with the CACTI area of its size; a bus only if data crosses it.
  Stacked memories (DRAM) are reported apart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeGuard

from archgym.errors import InvalidDesign, did_you_mean
from archgym.simulators.soc.blocks import BlockLibrary, MemoryType
from archgym.simulators.soc.taskgraph import TaskGraph

__all__ = ["RULES", "CompiledDesign", "compile_design"]

RULES: tuple[str, ...] = (
    "malformed",
    "allocation-gap",
    "unknown-block",
    "unconnected-block",
    "unmapped-task",
    "accelerator-task-mismatch",
    "memory-unreachable",
)

_KEYS = ("pes", "memories", "buses", "links", "pe_bus", "mem_bus", "task_pe", "task_mem")
_REQUIRED = ("pes", "memories", "buses", "pe_bus", "mem_bus", "task_pe", "task_mem")
_CORE_KEYS = ("type",)
_ACCEL_KEYS = ("type", "task", "unroll", "clock_mhz")
_MEM_KEYS = ("type", "width", "clock_mhz")
_BUS_KEYS = ("width", "clock_mhz")


def _fail(rule: str, message: str, value: object = None) -> InvalidDesign:
    return InvalidDesign(f"rule {rule!r}: {message}", parameter=rule, value=value)


def _is_int(v: object) -> TypeGuard[int]:
    return isinstance(v, int) and not isinstance(v, bool)


@dataclass
class CompiledDesign:
    """A valid design reduced to what the engine and the accounting need (SI units).

    Attributes:
        n_pes: Number of PEs.
        task_pe: PE index of each task (graph order).
        task_mem: Memory index holding each task's output.
        compute_s: Time each task takes on its PE alone, without data movement (s);
            0 for pseudo tasks.
        demands: Per task, ``(resource, bytes, weight)`` triples: the bytes it moves through
            each resource and its weight in sharing it (empty for pseudo tasks).
        capacity: Bandwidth of each resource (bytes/s).
        resource_block: Block index (into :attr:`block_names`) of each resource.
        out_bytes: Bytes each task writes to its memory (all its out-edges).
        compute_energy_j: Compute energy of each task on its PE (J).
        mem_read_bytes: Per task, ``(memory, bytes)`` it reads.
        mem_write_bytes: Per task, ``(memory, bytes)`` it writes.
        bus_energy_j: Energy of each task's transfers on the buses (J).
        block_names: PEs, then buses, then memories.
        block_area_mm2: Area of each PE and bus in use (memories: filled by the simulator).
        memory_types: The memory kind of each memory.
        memory_used: Whether some task writes to each memory.
    """

    n_pes: int
    task_pe: list[int]
    task_mem: list[int]
    compute_s: list[float]
    demands: list[tuple[tuple[int, float, float], ...]]
    capacity: list[float]
    resource_block: list[int]
    out_bytes: list[float]
    compute_energy_j: list[float]
    mem_read_bytes: list[list[tuple[int, float]]]
    mem_write_bytes: list[list[tuple[int, float]]]
    bus_energy_j: list[float]
    block_names: list[str]
    block_area_mm2: list[float]
    memory_types: list[MemoryType]
    memory_used: list[bool]


# --------------------------------------------------------------------------- checks
def _alloc(design: Mapping[str, Any], key: str) -> list[Any]:
    items = design[key]
    if not isinstance(items, Sequence) or isinstance(items, str) or len(items) == 0:
        raise _fail("allocation-gap", f"{key!r} must be a non-empty list, got {items!r}", key)
    for i, item in enumerate(items):
        if item is None:
            raise _fail("allocation-gap", f"{key}[{i}] is empty (None) in {list(items)!r}", i)
        if not isinstance(item, Mapping):
            raise _fail("malformed", f"{key}[{i}] must be a mapping, got {item!r}", item)
    return list(items)


def _keys(where: str, item: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    for k in item:
        if k not in allowed:
            raise _fail("malformed", f"{where} has unknown key {k!r}."
                        f"{did_you_mean(str(k), allowed)} Keys: {', '.join(allowed)}", k)


def _clock(where: str, item: Mapping[str, Any], allowed: tuple[int, ...]) -> int:
    clock = item.get("clock_mhz", allowed[0])
    if not _is_int(clock) or clock not in allowed:
        raise _fail("unknown-block", f"{where} has clock_mhz {clock!r}; allowed {list(allowed)}",
                    clock)
    return int(clock)


def _mapping(design: Mapping[str, Any], key: str, graph: TaskGraph, n: int, kind: str
             ) -> list[int]:
    m = design[key]
    if isinstance(m, Mapping):
        unknown = [t for t in m if t not in graph.tasks]
        if unknown:
            raise _fail("unmapped-task", f"{key} names unknown task {unknown[0]!r}."
                        f"{did_you_mean(str(unknown[0]), graph.tasks)}", unknown[0])
        values = [m.get(t) for t in graph.tasks]
    elif isinstance(m, Sequence) and not isinstance(m, str):
        values = list(m)
        if len(values) != graph.n_tasks:
            raise _fail("unmapped-task", f"{key} has {len(values)} entries for "
                        f"{graph.n_tasks} tasks", len(values))
    else:
        raise _fail("malformed", f"{key} must be a mapping task -> index or a list, got {m!r}",
                    m)
    checked: list[int] = []
    for t, v in enumerate(values):
        if not _is_int(v) or not 0 <= v < n:
            raise _fail("unmapped-task", f"task {graph.tasks[t]!r} maps to {kind} {v!r}, "
                        f"but the design has {kind}s 0..{n - 1}", v)
        checked.append(int(v))
    return checked


def _components(n_buses: int, links: Any) -> tuple[list[list[int]], list[int]]:
    if not isinstance(links, Sequence) or isinstance(links, str):
        raise _fail("malformed", f"links must be a list of [bus, bus] pairs, got {links!r}", links)
    adj: list[list[int]] = [[] for _ in range(n_buses)]
    for link in links:
        if (not isinstance(link, Sequence) or isinstance(link, str) or len(link) != 2
                or not all(_is_int(b) and 0 <= b < n_buses for b in link)):
            raise _fail("unconnected-block", f"link {link!r} must join two of buses "
                        f"0..{n_buses - 1}", link)
        a, b = link
        if a != b and b not in adj[a]:
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


def _pieces(reads: list[tuple[int, float]], writes: list[float], work: float, burst: int
            ) -> int:
    """FARSI's dice factor: into how many pieces a task's transfers are cut, so that its
    smallest input is about one burst; 1 when that would leave an output or its work
    under one unit per piece."""
    if not reads:
        return 1
    pieces = int(min(b for _, b in reads) // burst)
    if pieces == 0 or (writes and min(writes) // pieces == 0) or work // pieces == 0:
        return 1
    return pieces


# ------------------------------------------------------------------------- compile
def compile_design(design: Mapping[str, Any], graph: TaskGraph, lib: BlockLibrary, *,
                   accelerator_energy_unit_j: float | None = None) -> CompiledDesign:
    """Check ``design`` against the rules of the module docstring and compile it.

    Args:
        design: A structured design (module docstring).
        graph: The task graph it runs.
        lib: The block library.
        accelerator_energy_unit_j: Joules per unit of the tasks' ``accel_energy_nj``
            figures (default: the library's ``task_energy_unit_j``).

    Raises:
        InvalidDesign: The first rule broken (rule name in ``parameter`` and the message).
    """
    if not isinstance(design, Mapping):
        raise _fail("malformed", f"an SoC design must be a mapping, got {type(design).__name__}",
                    design)
    _keys("the design", design, _KEYS)
    missing = [k for k in _REQUIRED if k not in design]
    if missing:
        raise _fail("malformed", f"the design is missing key(s) {', '.join(missing)}",
                    missing[0])
    pes, mems, buses = (_alloc(design, k) for k in ("pes", "memories", "buses"))
    acc = lib.accelerator
    unit = acc.task_energy_unit_j if accelerator_energy_unit_j is None \
        else accelerator_energy_unit_j
    ref = lib.reference_core
    names: list[str] = []
    areas: list[float] = []
    pe_task: list[int] = []  # accelerator's task index, -1 for a core
    pe_rate: list[tuple[float, float]] = []  # core: (instr/s, J/instr); accel: (clock Hz, unroll)
    for i, pe in enumerate(pes):
        kind = pe.get("type")
        where = f"pes[{i}]"
        if kind == "accelerator":
            _keys(where, pe, _ACCEL_KEYS)
            task = pe.get("task")
            if not isinstance(task, str) or task not in graph.tasks \
                    or graph.instructions[graph.tasks.index(task)] <= 0:
                with_work = [graph.tasks[t] for t in graph.compute_tasks]
                raise _fail("unknown-block", f"{where} is an accelerator for {task!r}, which is "
                            f"not a task with work of {graph.name!r}."
                            f"{did_you_mean(str(task), with_work)}", task)
            t = graph.tasks.index(task)
            levels = acc.unroll_levels(graph.loop_iterations[t])
            unroll = pe.get("unroll", 1)
            if not _is_int(unroll) or unroll not in levels:
                raise _fail("unknown-block", f"{where} unrolls {task!r} {unroll!r} times; "
                            f"allowed {list(levels)}", unroll)
            clock = _clock(where, pe, acc.clocks_mhz)
            area_um2 = graph.accel_area_um2[t]
            one = acc.default_area_mm2 if area_um2 is None else area_um2 * 1e-6 * acc.area_scale
            pe_task.append(t)
            pe_rate.append((clock * 1e6, float(unroll)))
            names.append(f"pe{i}:accel[{task}]x{unroll}@{clock}MHz")
            areas.append(one * unroll)
        elif isinstance(kind, str) and kind in lib.cores:
            _keys(where, pe, _CORE_KEYS)
            core = lib.cores[kind]
            pe_task.append(-1)
            pe_rate.append((core.instructions_per_s, core.energy_per_instruction_j))
            names.append(f"pe{i}:{kind}")
            areas.append(core.area_mm2)
        else:
            raise _fail("unknown-block", f"{where} has type {kind!r}; allowed "
                        f"{[*lib.cores, 'accelerator']}.{did_you_mean(str(kind), lib.cores)}",
                        kind)
    bus_bw = []
    for k, bus in enumerate(buses):
        where = f"buses[{k}]"
        _keys(where, bus, _BUS_KEYS)
        width = bus.get("width")
        if not _is_int(width) or width not in lib.widths_bytes:
            raise _fail("unknown-block", f"{where} has width {width!r}; allowed "
                        f"{list(lib.widths_bytes)}", width)
        clock = _clock(where, bus, lib.bus_clocks_mhz)
        bus_bw.append(width * clock * 1e6)
        names.append(f"bus{k}:{width}B@{clock}MHz")
        areas.append(lib.bus.area_mm2)
    mem_types: list[MemoryType] = []
    mem_bw = []
    for j, mem in enumerate(mems):
        where = f"memories[{j}]"
        _keys(where, mem, _MEM_KEYS)
        kind, width = mem.get("type"), mem.get("width")
        if not isinstance(kind, str) or kind not in lib.memories:
            raise _fail("unknown-block", f"{where} has type {kind!r}; allowed "
                        f"{list(lib.memories)}.{did_you_mean(str(kind), lib.memories)}", kind)
        if not _is_int(width) or width not in lib.widths_bytes:
            raise _fail("unknown-block", f"{where} has width {width!r}; allowed "
                        f"{list(lib.widths_bytes)}", width)
        clock = _clock(where, mem, lib.memory_clocks_mhz(kind))
        mem_types.append(lib.memories[kind])
        mem_bw.append(width * clock * 1e6)
        names.append(f"mem{j}:{kind}{width}B@{clock}MHz")
        areas.append(0.0)

    n_pes, n_buses, n_mems = len(pes), len(buses), len(mems)
    attach = {}
    for key, n in (("pe_bus", n_pes), ("mem_bus", n_mems)):
        values = design[key]
        if not isinstance(values, Sequence) or isinstance(values, str) or len(values) != n:
            raise _fail("unconnected-block", f"{key} must list one bus per block ({n}), "
                        f"got {values!r}", key)
        for i, b in enumerate(values):
            if not _is_int(b) or not 0 <= b < n_buses:
                raise _fail("unconnected-block", f"{key}[{i}] = {b!r} is not one of buses "
                            f"0..{n_buses - 1}", b)
        attach[key] = [int(b) for b in values]
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
    resources: dict[tuple, int] = {}
    capacity: list[float] = []
    resource_block: list[int] = []

    def resource(key: tuple, bw: float, block: int) -> int:
        if key not in resources:
            resources[key] = len(capacity)
            capacity.append(bw)
            resource_block.append(block)
        return resources[key]

    paths: dict[tuple[int, int], tuple[int, ...]] = {}

    def route(t: int, m: int, direction: str, nbytes: float, units: float,
              acc_: dict[int, list[float]]) -> int:
        """Add the resources of moving ``nbytes`` (``units`` pieces' worth) between task
        ``t``'s PE and memory ``m``; return the number of buses crossed."""
        p = task_pe[t]
        if comp[pe_bus[p]] != comp[mem_bus[m]]:
            raise _fail("memory-unreachable", f"task {graph.tasks[t]!r} on PE {p} cannot reach "
                        f"memory {m} to {direction}", graph.tasks[t])
        key = (pe_bus[p], mem_bus[m])
        if key not in paths:
            paths[key] = _path(adj, *key)
        path = paths[key]
        for h, bus in enumerate(path):
            port = ("bus", path[h + 1]) if h + 1 < len(path) else ("mem", m)
            r = resource(("bus", bus, port, direction), bus_bw[bus], n_pes + bus)
            acc_.setdefault(r, [0.0, 1.0])[0] += nbytes  # buses: equal shares
        r = resource(("mem", m, direction), mem_bw[m], n_pes + n_buses + m)
        entry = acc_.setdefault(r, [0.0, 0.0])
        entry[0] += nbytes
        entry[1] += units
        return len(path)

    n_t = graph.n_tasks
    out_bytes = [0.0] * n_t
    in_edges: list[list[tuple[int, float]]] = [[] for _ in range(n_t)]
    out_sizes: list[list[float]] = [[] for _ in range(n_t)]
    has_producer = [False] * n_t
    out_edges = [0] * n_t
    for s, d, b in graph.edges:
        out_bytes[s] += b
        has_producer[d] = True
        out_edges[s] += 1
        if b > 0:
            out_sizes[s].append(b)
        if b > 0:
            in_edges[d].append((s, b))
    compute_s, compute_e, bus_e = [0.0] * n_t, [0.0] * n_t, [0.0] * n_t
    demands: list[tuple[tuple[int, float, float], ...]] = [()] * n_t
    reads: list[list[tuple[int, float]]] = [[] for _ in range(n_t)]
    writes: list[list[tuple[int, float]]] = [[] for _ in range(n_t)]
    pe_used = [False] * n_pes
    memory_used = [False] * n_mems
    for t in range(n_t):
        if out_bytes[t] > 0:
            memory_used[task_mem[t]] = True
        work = graph.instructions[t]
        p = task_pe[t]
        if work <= 0:
            # a pseudo task inside the graph (a join) runs on its PE; the workload's
            # entry and exit pseudo tasks (source, sink) stand for the outside world
            if has_producer[t] and out_edges[t]:
                pe_used[p] = True
            continue
        pe_used[p] = True
        if pe_task[p] < 0:
            rate, epi = pe_rate[p]
            compute_s[t] = work / rate
            compute_e[t] = work * epi
        else:
            clock_hz, unroll = pe_rate[p]
            known = graph.accel_cycles[t]
            base_cycles = (work / ref.instructions_per_s / acc.default_speedup * acc.base_clock_hz
                           if known is None else known)
            compute_s[t] = base_cycles / (clock_hz * unroll)
            figure = graph.accel_energy_nj[t]
            one = (work * ref.energy_per_instruction_j / acc.default_energy_reduction
                   if figure is None else figure * unit * acc.energy_scale)
            compute_e[t] = one * unroll
        dem: dict[int, list[float]] = {}
        hops = 0.0
        piece = _pieces(in_edges[t], out_sizes[t], work, lib.burst_bytes)
        for s, b in in_edges[t]:
            hops += b * route(t, task_mem[s], "read", b, max(1, int(b / piece)), dem)
            reads[t].append((task_mem[s], b))
        if out_bytes[t] > 0:
            units = sum(max(1, int(b / piece)) for b in out_sizes[t])
            hops += out_bytes[t] * route(t, task_mem[t], "write", out_bytes[t], units, dem)
            writes[t].append((task_mem[t], out_bytes[t]))
        bus_e[t] = hops * lib.bus.energy_per_byte_j
        demands[t] = tuple((r, b, w) for r, (b, w) in sorted(dem.items()))
    bus_used = [False] * n_buses
    for block in resource_block:
        if n_pes <= block < n_pes + n_buses:
            bus_used[block - n_pes] = True
    for p in range(n_pes):
        if not pe_used[p]:
            areas[p] = 0.0
    for k in range(n_buses):
        if not bus_used[k]:
            areas[n_pes + k] = 0.0
    return CompiledDesign(
        n_pes=n_pes, task_pe=task_pe, task_mem=task_mem, compute_s=compute_s,
        demands=demands, capacity=capacity, resource_block=resource_block,
        out_bytes=out_bytes, compute_energy_j=compute_e, mem_read_bytes=reads,
        mem_write_bytes=writes, bus_energy_j=bus_e, block_names=names,
        block_area_mm2=areas, memory_types=mem_types, memory_used=memory_used,
    )
