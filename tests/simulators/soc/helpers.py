"""Small hand-built task graphs and designs for the SoC tests."""

from __future__ import annotations

from typing import Any

from archgym.simulators.soc import TaskGraph, default_library
from archgym.simulators.soc.taskgraph import task_graph_from_dict

LIB = default_library()
CORE = LIB.cores["A53"]
CORE_RATE = CORE.ipc * CORE.clock_hz  # 2e9 instructions/s
EPI = CORE.energy_per_instruction_j
BUS4 = 4 * LIB.bus.base_clock_hz  # a 4-byte bus at 100 MHz: 4e8 bytes/s


def graph(tasks: dict[str, float], edges: list[tuple[str, str, float]], iterations: int = 1,
          **per_task: dict[str, float]) -> TaskGraph:
    """A task graph from ``{name: instructions}`` and ``(src, dst, bytes)`` edges; further
    keywords map a task field (``accel_cycles``, ...) to ``{task: value}``."""
    items = []
    for name, work in tasks.items():
        item: dict[str, Any] = {"name": name, "instructions": work}
        for key, table in per_task.items():
            if name in table:
                item[key] = table[name]
        items.append(item)
    return task_graph_from_dict({
        "name": "test", "iterations": iterations, "tasks": items,
        "edges": [{"src": s, "dst": d, "bytes": b} for s, d, b in edges],
    })


def one_core(g: TaskGraph, *, mem: str = "sram", mem_width: int = 4, mem_clock: int = 100,
             bus_width: int = 4, bus_clock: int = 100) -> dict[str, Any]:
    """Every task on one A53, every output in one memory, one bus."""
    return {
        "pes": [{"type": "A53"}],
        "memories": [{"type": mem, "width": mem_width, "clock_mhz": mem_clock}],
        "buses": [{"width": bus_width, "clock_mhz": bus_clock}], "pe_bus": [0], "mem_bus": [0],
        "task_pe": [0] * g.n_tasks, "task_mem": [0] * g.n_tasks,
    }


def hand_latency_one_core(g: TaskGraph, design: dict[str, Any]) -> float:
    """Closed form for :func:`one_core`: per task with work, the longest of its compute
    time, its input bytes and its output bytes over the bottleneck bandwidth (reads and
    writes have their own channels); pseudo tasks take no time."""
    bw = min(design["buses"][0]["width"] * design["buses"][0]["clock_mhz"] * 1e6,
             design["memories"][0]["width"] * design["memories"][0]["clock_mhz"] * 1e6)
    total = 0.0
    for t in range(g.n_tasks):
        if g.instructions[t] == 0:
            continue
        reads = sum(b for s, d, b in g.edges if d == t)
        writes = sum(b for s, d, b in g.edges if s == t)
        total += max(g.instructions[t] / CORE_RATE, reads / bw, writes / bw)
    return total * g.iterations
