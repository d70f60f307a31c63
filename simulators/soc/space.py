"""The SoC design space: a flat, fixed-length encoding (one `DesignSpace` per task graph).

Sizes: ``P = min(W + 1, 16)`` PE slots (``W`` = tasks with work: enough for every task
on its own accelerator next to one core), ``M = 4`` memory slots, ``B = 3`` bus slots;
``N`` = every task of the graph (pseudo tasks included). Parameters, in order:

* ``n_pes`` in 1..P, then per PE slot ``i``: ``pe{i}_kind`` (``gpp``/``accelerator``;
  only ``gpp`` for a graph without work), ``pe{i}_core`` (only when the library has
  several core types), ``pe{i}_task`` in 0..W-1 (the task an accelerator is built for,
  among tasks with work), ``pe{i}_unroll`` in 0..U-1 (index into that task's unrolling
  factors, ``U`` = the most any task has), ``pe{i}_clock`` (accelerator clock, MHz),
  ``pe{i}_bus`` in 0..B-1;
* ``n_mems`` in 1..M, then per memory slot: ``mem{j}_kind`` (library memory kinds),
  ``mem{j}_width`` (bytes/cycle), ``mem{j}_clock`` (MHz), ``mem{j}_bus`` in 0..B-1;
* ``n_buses`` in 1..B, then per bus slot ``bus{k}_width``, ``bus{k}_clock`` and, for
  ``k >= 1``, ``bus{k}_link`` in 0..B-2;
* per task ``t`` (graph order): ``task{t}_pe`` in 0..P-1 and ``task{t}_mem`` in 0..M-1.

Decoding is *relative to what is allocated*, so that most random vectors are valid:
only the first ``n_pes``/``n_mems``/``n_buses`` slots exist (no gaps); bus ``k >= 1``
links to bus ``bus{k}_link mod k`` (a tree, hence connected); a block's bus index is
taken modulo ``n_buses``; ``task{t}_mem`` modulo ``n_mems``; an accelerator's unrolling
index modulo the number of factors its task has; and ``task{t}_pe`` picks, modulo their
number, among the PEs *eligible* for task ``t``: every core plus the accelerators built
for ``t`` (every PE for a pseudo task). Only when a task with work has no eligible PE
(no core is allocated and no accelerator for it) does the decoded design break a rule
(``accelerator-task-mismatch``).

:meth:`SoCEncoding.encode` goes the other way: it finds a flat design that decodes to
a given structured one (every design of ``tests/simulators/soc/farsi_golden.csv``,
FARSI's own DSE results included, has one).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from archgym.errors import InvalidDesign
from archgym.parameters import Categorical, IntegerChoices, IntegerRange
from archgym.simulators.soc.blocks import BlockLibrary
from archgym.simulators.soc.taskgraph import TaskGraph
from archgym.space import DesignSpace

__all__ = ["MAX_PES", "N_BUSES", "N_MEMS", "SoCEncoding"]

MAX_PES = 16
N_MEMS = 4
N_BUSES = 3


class SoCEncoding:
    """Flat design space of one task graph and its decoder (see the module docstring).

    Args:
        graph: The task graph the space is sized for.
        library: The block library.
    """

    def __init__(self, graph: TaskGraph, library: BlockLibrary):
        self.graph = graph
        self.library = library
        self.work_tasks = graph.compute_tasks
        self.n_pe_slots = min(len(self.work_tasks) + 1, MAX_PES)
        self.core_types = tuple(library.cores)
        self.mem_types = tuple(library.memories)
        acc = library.accelerator
        self.unroll_levels = {t: acc.unroll_levels(graph.loop_iterations[t])
                              for t in self.work_tasks}
        n_unroll = max((len(v) for v in self.unroll_levels.values()), default=1)
        self.mem_clocks = {kind: library.memory_clocks_mhz(kind) for kind in self.mem_types}
        first_clocks = self.mem_clocks[self.mem_types[0]]
        kinds = ["gpp", "accelerator"] if self.work_tasks else ["gpp"]
        params: dict[str, Any] = {"n_pes": IntegerRange(1, self.n_pe_slots)}
        for i in range(self.n_pe_slots):
            params[f"pe{i}_kind"] = Categorical(kinds)
            if len(self.core_types) > 1:
                params[f"pe{i}_core"] = IntegerRange(0, len(self.core_types) - 1)
            if self.work_tasks:
                params[f"pe{i}_task"] = IntegerRange(0, len(self.work_tasks) - 1)
                params[f"pe{i}_unroll"] = IntegerRange(0, n_unroll - 1)
                params[f"pe{i}_clock"] = IntegerChoices(list(acc.clocks_mhz))
            params[f"pe{i}_bus"] = IntegerRange(0, N_BUSES - 1)
        params["n_mems"] = IntegerRange(1, N_MEMS)
        for j in range(N_MEMS):
            params[f"mem{j}_kind"] = Categorical(list(self.mem_types))
            params[f"mem{j}_width"] = IntegerChoices(list(library.widths_bytes))
            params[f"mem{j}_clock"] = IntegerChoices(list(first_clocks))
            params[f"mem{j}_bus"] = IntegerRange(0, N_BUSES - 1)
        params["n_buses"] = IntegerRange(1, N_BUSES)
        for k in range(N_BUSES):
            params[f"bus{k}_width"] = IntegerChoices(list(library.widths_bytes))
            params[f"bus{k}_clock"] = IntegerChoices(list(library.bus_clocks_mhz))
        for k in range(1, N_BUSES):
            params[f"bus{k}_link"] = IntegerRange(0, N_BUSES - 2)
        for t in range(graph.n_tasks):
            params[f"task{t}_pe"] = IntegerRange(0, self.n_pe_slots - 1)
            params[f"task{t}_mem"] = IntegerRange(0, N_MEMS - 1)
        self.space = DesignSpace(params)
        self._first_mem_clocks = first_clocks

    def decode(self, flat: Mapping[str, Any], *, check: bool = True) -> dict[str, Any]:
        """Flat design (a dict of :attr:`space`) -> structured design (see :mod:`.structure`).

        Args:
            flat: A flat design.
            check: Check it against :attr:`space` first (skip only for a design made by
                :meth:`~archgym.space.DesignSpace.from_index`).

        Raises:
            InvalidDesign: The flat design is not a design of :attr:`space` (a
                parameter is missing or unknown, or a value is not allowed).
        """
        try:
            return self._decode(self.space.validate(flat) if check else flat)
        except InvalidDesign as exc:
            raise InvalidDesign(
                f"not a flat SoC design of the {self.graph.name!r} encoding: {exc}",
                parameter=exc.parameter, value=exc.value,
            ) from None

    def encode(self, design: Mapping[str, Any]) -> dict[str, Any]:
        """Structured design -> a flat design of :attr:`space` that decodes to it.

        Unused slots take their first value. Use it to start a search from a known
        design (e.g. one found by FARSI).

        Raises:
            InvalidDesign: The design does not fit the encoding (too many blocks, a bus
                linked to no earlier bus, a block the encoding cannot name), or it is
                not a valid design (checked by :func:`~.structure.compile_design`
                first).
        """
        from archgym.simulators.soc.structure import compile_design

        compile_design(design, self.graph, self.library)  # raises on an invalid design
        g = self.graph
        flat = self.space.default()
        pes, mems, buses = design["pes"], design["memories"], design["buses"]
        for key, items, limit in (("PEs", pes, self.n_pe_slots), ("memories", mems, N_MEMS),
                                  ("buses", buses, N_BUSES)):
            if len(items) > limit:
                raise InvalidDesign(f"the {g.name!r} encoding has room for {limit} {key}, the "
                                    f"design has {len(items)}", parameter=key, value=len(items))
        flat.update(n_pes=len(pes), n_mems=len(mems), n_buses=len(buses))
        acc = self.library.accelerator
        cores: list[int] = []
        accel_for: dict[int, list[int]] = {}
        for i, pe in enumerate(pes):
            flat[f"pe{i}_bus"] = design["pe_bus"][i]
            if pe["type"] == "accelerator":
                t = g.index(pe["task"])
                flat[f"pe{i}_kind"] = "accelerator"
                flat[f"pe{i}_task"] = self.work_tasks.index(t)
                flat[f"pe{i}_unroll"] = self.unroll_levels[t].index(pe.get("unroll", 1))
                flat[f"pe{i}_clock"] = pe.get("clock_mhz", acc.clocks_mhz[0])
                accel_for.setdefault(t, []).append(i)
            else:
                flat[f"pe{i}_kind"] = "gpp"
                if len(self.core_types) > 1:
                    flat[f"pe{i}_core"] = self.core_types.index(pe["type"])
                cores.append(i)
        for j, m in enumerate(mems):
            clocks = self.mem_clocks[m["type"]]
            flat.update({f"mem{j}_kind": m["type"], f"mem{j}_width": m["width"],
                         f"mem{j}_bus": design["mem_bus"][j],
                         f"mem{j}_clock": self._first_mem_clocks[
                             clocks.index(m.get("clock_mhz", clocks[0]))]})
        parent: dict[int, int] = {}
        for a, b in design.get("links") or []:
            hi, lo = max(a, b), min(a, b)
            if hi != lo and hi not in parent:
                parent[hi] = lo
        for k, bus in enumerate(buses):
            flat[f"bus{k}_width"] = bus["width"]
            flat[f"bus{k}_clock"] = bus.get("clock_mhz", self.library.bus_clocks_mhz[0])
            if k >= 1:
                if k not in parent:
                    raise InvalidDesign(f"the encoding links each bus k >= 1 to an earlier bus; "
                                        f"bus {k} has no such link", parameter="links", value=k)
                flat[f"bus{k}_link"] = parent[k]
        task_pe = design["task_pe"]
        task_mem = design["task_mem"]
        if isinstance(task_pe, Mapping):
            task_pe = [task_pe[t] for t in g.tasks]
        if isinstance(task_mem, Mapping):
            task_mem = [task_mem[t] for t in g.tasks]
        for t in range(g.n_tasks):
            eligible = (list(range(len(pes))) if g.instructions[t] == 0
                        else cores + accel_for.get(t, []))
            flat[f"task{t}_pe"] = eligible.index(task_pe[t])
            flat[f"task{t}_mem"] = task_mem[t]
        if self.decode(flat)["links"] != [[k, parent[k]] for k in range(1, len(buses))]:
            raise InvalidDesign("the design's buses do not form a tree the encoding can name",
                                parameter="links")  # pragma: no cover - guarded above
        return self.space.validate(flat)

    def _decode(self, f: Mapping[str, Any]) -> dict[str, Any]:
        g = self.graph
        n_pes, n_mems, n_buses = int(f["n_pes"]), int(f["n_mems"]), int(f["n_buses"])
        pes: list[dict[str, Any]] = []
        cores: list[int] = []
        accel_for: dict[int, list[int]] = {}
        for i in range(n_pes):
            if f[f"pe{i}_kind"] == "gpp" or not self.work_tasks:
                core = int(f.get(f"pe{i}_core", 0)) % len(self.core_types)
                pes.append({"type": self.core_types[core]})
                cores.append(i)
            else:
                t = self.work_tasks[int(f[f"pe{i}_task"]) % len(self.work_tasks)]
                levels = self.unroll_levels[t]
                pes.append({"type": "accelerator", "task": g.tasks[t],
                            "unroll": levels[int(f[f"pe{i}_unroll"]) % len(levels)],
                            "clock_mhz": int(f[f"pe{i}_clock"])})
                accel_for.setdefault(t, []).append(i)
        everyone = list(range(n_pes))
        task_pe = []
        for t in range(g.n_tasks):
            v = int(f[f"task{t}_pe"])
            if g.instructions[t] == 0:
                eligible = everyone
            else:
                eligible = cores + accel_for.get(t, [])
                if not eligible:
                    eligible = everyone  # breaks accelerator-task-mismatch on purpose
            task_pe.append(eligible[v % len(eligible)])
        memories = []
        for j in range(n_mems):
            kind = f[f"mem{j}_kind"]
            clock = self.mem_clocks[kind][self._first_mem_clocks.index(int(f[f"mem{j}_clock"]))]
            memories.append({"type": kind, "width": int(f[f"mem{j}_width"]), "clock_mhz": clock})
        return {
            "pes": pes,
            "memories": memories,
            "buses": [{"width": int(f[f"bus{k}_width"]), "clock_mhz": int(f[f"bus{k}_clock"])}
                      for k in range(n_buses)],
            "links": [[k, int(f[f"bus{k}_link"]) % k] for k in range(1, n_buses)],
            "pe_bus": [int(f[f"pe{i}_bus"]) % n_buses for i in range(n_pes)],
            "mem_bus": [int(f[f"mem{j}_bus"]) % n_buses for j in range(n_mems)],
            "task_pe": task_pe,
            "task_mem": [int(f[f"task{t}_mem"]) % n_mems for t in range(g.n_tasks)],
        }
