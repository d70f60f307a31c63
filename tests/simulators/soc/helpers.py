"""Small hand-built task graphs and designs for the SoC tests."""

from __future__ import annotations

from typing import Any

from archgym.simulators.soc import TaskGraph, default_library
from archgym.simulators.soc.taskgraph import task_graph_from_dict

LIB = default_library()
CORE = LIB.gpp["A53_1GHz"]
CORE_RATE = CORE.ipc * CORE.freq_hz  # 2e9 instructions/s
EPI = CORE.energy_per_instruction_j
HOP_S = LIB.bus.hop_latency_cycles / LIB.bus.freq_hz  # 10 ns


def graph(tasks: dict[str, float], edges: list[tuple[str, str, float]], iterations: int = 1,
          **accel: dict[str, float]) -> TaskGraph:
    """A task graph from ``{name: instructions}`` and ``(src, dst, bytes)`` edges."""
    items = []
    for name, work in tasks.items():
        item: dict[str, Any] = {"name": name, "instructions": work}
        for key, table in accel.items():
            if name in table:
                item[key] = table[name]
        items.append(item)
    return task_graph_from_dict({
        "name": "test", "iterations": iterations, "tasks": items,
        "edges": [{"src": s, "dst": d, "bytes": b} for s, d, b in edges],
    })


def one_core(g: TaskGraph, *, core: str = "A53_1GHz", mem: str = "sram", mem_width: int = 4,
             bus_width: int = 4) -> dict[str, Any]:
    """Every task on one core, every output in one memory, one bus."""
    return {
        "pes": [{"type": core}], "memories": [{"type": mem, "width": mem_width}],
        "buses": [{"width": bus_width}], "pe_bus": [0], "mem_bus": [0],
        "task_pe": [0] * g.n_tasks, "task_mem": [0] * g.n_tasks,
    }


def hand_latency_one_core(g: TaskGraph, design: dict[str, Any]) -> float:
    """Closed form for :func:`one_core`: sum of compute plus, per task with inputs, one hop
    latency plus its input bytes over the bottleneck bandwidth (bus or memory)."""
    core = LIB.gpp[design["pes"][0]["type"]]
    mem = LIB.memory[design["memories"][0]["type"]]
    bw = min(design["buses"][0]["width"] * LIB.bus.freq_hz,
             design["memories"][0]["width"] * mem.freq_hz)
    total = sum(w / (core.ipc * core.freq_hz) for w in g.instructions)
    for t in range(g.n_tasks):
        nbytes = [b for s, d, b in g.edges if d == t and b > 0]
        if nbytes:
            total += HOP_S + sum(nbytes) / bw
    return total * g.iterations
