"""Task graphs of AR/VR workloads: loading, checking and the shipped workloads.

A task graph is a DAG of tasks. Each task has an amount of work (``instructions`` on
the reference general-purpose core and, optionally, ``accel_cycles`` on a dedicated
single-lane accelerator and the accelerator's fixed area ``accel_area_um2``); each edge
``src -> dst`` moves ``bytes`` of data from the producer to the consumer. The whole
graph is executed ``iterations`` times (successive iterations pipeline; see
:mod:`archgym.simulators.soc.engine`).

File format (YAML or JSON, by file suffix)::

    name: my_workload            # optional, defaults to the file stem
    iterations: 1                # optional, >= 1
    tasks:                       # required, non-empty
      - {name: a, instructions: 1000}                     # instructions >= 0
      - {name: b, instructions: 500, accel_cycles: 40}    # accel_* optional, > 0
    edges:                       # optional
      - {src: a, dst: b, bytes: 4096}                     # bytes >= 0

The shipped workloads are YAML files next to this module (see :mod:`.workloads`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from archgym.errors import ConfigError

__all__ = ["TaskGraph", "load_task_graph", "task_graph_from_dict"]


@dataclass(frozen=True)
class TaskGraph:
    """A checked task graph, tasks in topological order.

    Attributes:
        name: Workload name.
        tasks: Task names, in a topological order (producers before consumers).
        instructions: Instructions per task on the reference core (per iteration).
        accel_cycles: Single-lane accelerator cycles per task, ``None`` when unknown.
        accel_area_um2: Fixed accelerator area per task (um^2), ``None`` when unknown.
        edges: ``(src_index, dst_index, bytes)`` triples, indices into :attr:`tasks`.
        iterations: How many times the graph runs (>= 1).
    """

    name: str
    tasks: tuple[str, ...]
    instructions: tuple[float, ...]
    accel_cycles: tuple[float | None, ...]
    accel_area_um2: tuple[float | None, ...]
    edges: tuple[tuple[int, int, float], ...]
    iterations: int = 1

    @property
    def n_tasks(self) -> int:
        """Number of tasks (including zero-work source and sink tasks)."""
        return len(self.tasks)

    @property
    def compute_tasks(self) -> tuple[int, ...]:
        """Indices of tasks with work (``instructions > 0``): accelerator candidates."""
        return tuple(i for i, w in enumerate(self.instructions) if w > 0)

    def index(self, task: str) -> int:
        """Position of ``task`` in :attr:`tasks` (raises ConfigError when unknown)."""
        try:
            return self.tasks.index(task)
        except ValueError:
            raise ConfigError(
                f"task graph {self.name!r}: unknown task {task!r}; tasks: {', '.join(self.tasks)}"
            ) from None


def _number(where: str, entry: Mapping[str, Any], key: str, *, required: bool,
            positive: bool = False) -> float | None:
    if key not in entry or entry[key] is None:
        if required:
            raise ConfigError(f"{where}: missing field {key!r} in {dict(entry)!r}")
        return None
    value = entry[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigError(f"{where}: field {key!r} must be a finite number, got {value!r}")
    if value < 0 or (positive and value == 0):
        rule = "> 0" if positive else ">= 0"
        raise ConfigError(f"{where}: field {key!r} must be {rule}, got {value!r}")
    return float(value)


def _topological_order(where: str, names: list[str], edges: list[tuple[int, int, float]]
                       ) -> list[int]:
    """Kahn's algorithm keeping file order among ready tasks; a cycle is a ConfigError."""
    indeg = [0] * len(names)
    succ: list[list[int]] = [[] for _ in names]
    for s, d, _ in edges:
        succ[s].append(d)
        indeg[d] += 1
    ready = [i for i, k in enumerate(indeg) if k == 0]
    order: list[int] = []
    while ready:
        ready.sort()
        i = ready.pop(0)
        order.append(i)
        for j in succ[i]:
            indeg[j] -= 1
            if indeg[j] == 0:
                ready.append(j)
    if len(order) != len(names):
        stuck = [names[i] for i, k in enumerate(indeg) if k > 0]
        raise ConfigError(f"{where}: the task graph has a cycle through tasks {', '.join(stuck)}")
    return order


def task_graph_from_dict(data: Mapping[str, Any], *, default_name: str = "task_graph",
                         where: str | None = None) -> TaskGraph:
    """Build and check a :class:`TaskGraph` from the documented mapping format.

    Raises:
        ConfigError: A missing field, a bad number, an unknown or duplicate task, a
            self-edge or a cycle; the message names the file (``where``) and the item.
    """
    where = where or default_name
    if not isinstance(data, Mapping):
        raise ConfigError(f"{where}: a task graph must be a mapping, got {type(data).__name__}")
    name = str(data.get("name", default_name))
    tasks = data.get("tasks")
    if not isinstance(tasks, list) or not tasks:
        raise ConfigError(f"{where}: missing field 'tasks' (a non-empty list of tasks)")
    iterations = data.get("iterations", 1)
    if isinstance(iterations, bool) or not isinstance(iterations, int) or iterations < 1:
        raise ConfigError(
            f"{where}: field 'iterations' must be an integer >= 1, got {iterations!r}"
        )
    names: list[str] = []
    work: list[float] = []
    cycles: list[float | None] = []
    areas: list[float | None] = []
    for k, entry in enumerate(tasks):
        if not isinstance(entry, Mapping) or "name" not in entry:
            raise ConfigError(f"{where}: tasks[{k}] is missing field 'name': {entry!r}")
        tname = str(entry["name"])
        if tname in names:
            raise ConfigError(f"{where}: duplicate task {tname!r}")
        names.append(tname)
        item = f"{where}: task {tname!r}"
        work.append(_number(item, entry, "instructions", required=True))  # type: ignore[arg-type]
        cycles.append(_number(item, entry, "accel_cycles", required=False, positive=True))
        areas.append(_number(item, entry, "accel_area_um2", required=False, positive=True))
    index = {n: i for i, n in enumerate(names)}
    edges: list[tuple[int, int, float]] = []
    seen: set[tuple[int, int]] = set()
    for k, entry in enumerate(data.get("edges") or []):
        if not isinstance(entry, Mapping):
            raise ConfigError(f"{where}: edges[{k}] must be a mapping, got {entry!r}")
        for key in ("src", "dst"):
            if key not in entry:
                raise ConfigError(f"{where}: edges[{k}] is missing field {key!r}: {dict(entry)!r}")
            if str(entry[key]) not in index:
                raise ConfigError(
                    f"{where}: edges[{k}] names unknown task {entry[key]!r} in field {key!r}"
                )
        s, d = index[str(entry["src"])], index[str(entry["dst"])]
        if s == d:
            raise ConfigError(f"{where}: edges[{k}] is a self-edge on task {names[s]!r}")
        if (s, d) in seen:
            raise ConfigError(f"{where}: duplicate edge {names[s]!r} -> {names[d]!r}")
        seen.add((s, d))
        nbytes = _number(f"{where}: edges[{k}]", entry, "bytes", required=True)
        edges.append((s, d, nbytes))  # type: ignore[arg-type]
    order = _topological_order(where, names, edges)
    pos = {old: new for new, old in enumerate(order)}
    return TaskGraph(
        name=name,
        tasks=tuple(names[i] for i in order),
        instructions=tuple(work[i] for i in order),
        accel_cycles=tuple(cycles[i] for i in order),
        accel_area_um2=tuple(areas[i] for i in order),
        edges=tuple(sorted((pos[s], pos[d], b) for s, d, b in edges)),
        iterations=int(iterations),
    )


def load_task_graph(source: str | Path | Mapping[str, Any]) -> TaskGraph:
    """Load a task graph: a shipped workload name, a YAML/JSON file, or a mapping.

    Args:
        source: A shipped workload name (see :mod:`.workloads`), a path to a
            ``.yaml``/``.yml``/``.json`` file in the format of the module docstring,
            or an already parsed mapping.

    Raises:
        ConfigError: The file is missing, unreadable or malformed (the message names it).
    """
    if isinstance(source, Mapping):
        return task_graph_from_dict(source)
    path = Path(source)
    if not path.is_file():
        from archgym.simulators.soc.workloads import WORKLOADS, resolve_workload

        if isinstance(source, str) and source in WORKLOADS:
            return resolve_workload(source)
        raise ConfigError(
            f"task graph {str(source)!r} is neither a shipped workload "
            f"({', '.join(WORKLOADS)}) nor an existing file"
        )
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(text)
        elif path.suffix.lower() in (".yaml", ".yml"):
            data = yaml.safe_load(text)
        else:
            raise ConfigError(f"task graph file {str(path)!r}: suffix must be .yaml, .yml or .json")
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"task graph file {str(path)!r} cannot be parsed: {exc}") from exc
    return task_graph_from_dict(
        data, default_name=path.stem, where=f"task graph file {str(path)!r}"
    )
