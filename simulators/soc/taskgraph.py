"""Task graphs of AR/VR workloads: the file format, loading and checking.

A task graph is a DAG of tasks. Each task has an amount of work (``instructions`` on
a general-purpose core) and, optionally, the figures of an accelerator built for it;
each edge ``src -> dst`` moves ``bytes`` of data from the producer to the consumer.
The whole graph runs ``iterations`` times (see :mod:`.engine`).

File format (YAML or JSON, by file suffix; UTF-8)::

    name: my_workload            # optional, defaults to the file stem
    description: ...             # optional
    iterations: 1                # optional, an integer >= 1
    tasks:                       # required, non-empty
      - {name: a, instructions: 1000}          # instructions >= 0
      - name: b
        instructions: 500
        accel_cycles: 40         # optional, > 0: accelerator cycles at its base clock
        accel_energy_nj: 2.5     # optional, > 0: accelerator energy per run (nJ)
        accel_area_um2: 900      # optional, > 0: accelerator area (um^2)
        loop_iterations: 64      # optional, integer >= 1: the largest loop unrolling
    edges:                       # optional
      - {src: a, dst: b, bytes: 4096}          # bytes >= 0

Every field is checked: an unknown field is an error naming it (with the closest
known name), and numbers must be finite, in range and below :data:`MAX_VALUE`.

**Cost bound.** One evaluation simulates ``iterations x tasks`` jobs; a graph with
more than :data:`MAX_JOBS` of them is refused when loaded (a :class:`ConfigError`
naming both numbers), so an evaluation takes at most a few seconds.

A task with no instructions is a *pseudo task* (FARSI's source, sink and join
tasks): it takes no time, occupies no processing element and moves no data itself;
its producers still write their outputs and its consumers still read theirs.

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

from archgym.errors import ConfigError, did_you_mean

__all__ = ["MAX_JOBS", "MAX_VALUE", "TaskGraph", "load_task_graph", "task_graph_from_dict"]

#: Most jobs (``iterations x tasks``) one evaluation simulates.
MAX_JOBS = 100_000
#: Largest instruction, cycle, byte or energy figure accepted (keeps sums exact in floats).
MAX_VALUE = 1e18

_TOP_KEYS = ("name", "description", "iterations", "tasks", "edges")
_TASK_KEYS = ("name", "instructions", "accel_cycles", "accel_energy_nj", "accel_area_um2",
              "loop_iterations")
_EDGE_KEYS = ("src", "dst", "bytes")


@dataclass(frozen=True)
class TaskGraph:
    """A checked task graph, tasks in topological order.

    Attributes:
        name: Workload name.
        tasks: Task names, in a topological order (producers before consumers).
        instructions: Instructions per task on a core (per iteration).
        accel_cycles: Accelerator cycles per task at its base clock, ``None`` if unknown.
        accel_energy_nj: Accelerator energy per task run (nJ), ``None`` if unknown.
        accel_area_um2: Accelerator area per task (um^2), ``None`` if unknown.
        loop_iterations: Largest loop-unrolling factor of each task (1 if not given).
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
    accel_energy_nj: tuple[float | None, ...] = ()
    loop_iterations: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        n = len(self.tasks)
        if not self.accel_energy_nj:
            object.__setattr__(self, "accel_energy_nj", (None,) * n)
        if not self.loop_iterations:
            object.__setattr__(self, "loop_iterations", (1,) * n)

    @property
    def n_tasks(self) -> int:
        """Number of tasks (pseudo tasks included)."""
        return len(self.tasks)

    @property
    def compute_tasks(self) -> tuple[int, ...]:
        """Indices of tasks with work (``instructions > 0``): accelerator candidates."""
        return tuple(i for i, w in enumerate(self.instructions) if w > 0)

    @property
    def n_jobs(self) -> int:
        """Jobs one evaluation simulates (``iterations x tasks``)."""
        return self.iterations * self.n_tasks

    def index(self, task: str) -> int:
        """Position of ``task`` in :attr:`tasks` (raises ConfigError when unknown)."""
        try:
            return self.tasks.index(task)
        except ValueError:
            raise ConfigError(
                f"task graph {self.name!r}: unknown task {task!r}.{did_you_mean(task, self.tasks)}"
                f" Tasks: {', '.join(self.tasks)}"
            ) from None


def _check_keys(where: str, entry: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    for key in entry:
        if key not in allowed:
            raise ConfigError(f"{where}: unknown field {key!r}.{did_you_mean(str(key), allowed)}"
                              f" Known fields: {', '.join(allowed)}.")


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
    if value > MAX_VALUE:
        raise ConfigError(f"{where}: field {key!r} must be <= {MAX_VALUE:g}, got {value!r}")
    return float(value)


def _integer(where: str, entry: Mapping[str, Any], key: str, default: int) -> int:
    value = entry.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_VALUE:
        raise ConfigError(f"{where}: field {key!r} must be an integer >= 1, got {value!r}")
    return int(value)


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
        ConfigError: An unknown or missing field, a bad number, an unknown or duplicate
            task, a self-edge, a cycle, or more than :data:`MAX_JOBS` jobs; the message
            names the file (``where``) and the item.
    """
    where = where or default_name
    if not isinstance(data, Mapping):
        raise ConfigError(f"{where}: a task graph must be a mapping, got {type(data).__name__}")
    _check_keys(where, data, _TOP_KEYS)
    name = data.get("name", default_name)
    if not isinstance(name, str) or not name:
        raise ConfigError(f"{where}: field 'name' must be a non-empty string, got {name!r}")
    tasks = data.get("tasks")
    if not isinstance(tasks, list) or not tasks:
        raise ConfigError(f"{where}: missing field 'tasks' (a non-empty list of tasks)")
    iterations = _integer(where, data, "iterations", 1)
    if iterations * len(tasks) > MAX_JOBS:
        raise ConfigError(
            f"{where}: {iterations} iterations x {len(tasks)} tasks = "
            f"{iterations * len(tasks)} jobs exceeds the bound of {MAX_JOBS} jobs per "
            f"evaluation; use at most {max(MAX_JOBS // len(tasks), 1)} iterations"
        )
    names: list[str] = []
    work: list[float] = []
    cycles: list[float | None] = []
    energy: list[float | None] = []
    areas: list[float | None] = []
    loops: list[int] = []
    for k, entry in enumerate(tasks):
        if not isinstance(entry, Mapping) or "name" not in entry:
            raise ConfigError(f"{where}: tasks[{k}] is missing field 'name': {entry!r}")
        tname = entry["name"]
        if not isinstance(tname, (str, int)) or isinstance(tname, bool) or str(tname) == "":
            raise ConfigError(f"{where}: tasks[{k}] field 'name' must be a non-empty string, "
                              f"got {tname!r}")
        tname = str(tname)
        if tname in names:
            raise ConfigError(f"{where}: duplicate task {tname!r}")
        item = f"{where}: task {tname!r}"
        _check_keys(item, entry, _TASK_KEYS)
        names.append(tname)
        work.append(_number(item, entry, "instructions", required=True))  # type: ignore[arg-type]
        cycles.append(_number(item, entry, "accel_cycles", required=False, positive=True))
        energy.append(_number(item, entry, "accel_energy_nj", required=False, positive=True))
        areas.append(_number(item, entry, "accel_area_um2", required=False, positive=True))
        loops.append(_integer(item, entry, "loop_iterations", 1))
    index = {n: i for i, n in enumerate(names)}
    edges: list[tuple[int, int, float]] = []
    seen: set[tuple[int, int]] = set()
    raw_edges = data.get("edges") or []
    if not isinstance(raw_edges, list):
        raise ConfigError(f"{where}: field 'edges' must be a list, got {raw_edges!r}")
    for k, entry in enumerate(raw_edges):
        if not isinstance(entry, Mapping):
            raise ConfigError(f"{where}: edges[{k}] must be a mapping, got {entry!r}")
        _check_keys(f"{where}: edges[{k}]", entry, _EDGE_KEYS)
        for key in ("src", "dst"):
            if key not in entry:
                raise ConfigError(f"{where}: edges[{k}] is missing field {key!r}: {dict(entry)!r}")
            if str(entry[key]) not in index:
                raise ConfigError(
                    f"{where}: edges[{k}] names unknown task {entry[key]!r} in field {key!r}."
                    f"{did_you_mean(str(entry[key]), names)}"
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
        accel_energy_nj=tuple(energy[i] for i in order),
        accel_area_um2=tuple(areas[i] for i in order),
        loop_iterations=tuple(loops[i] for i in order),
        edges=tuple(sorted((pos[s], pos[d], b) for s, d, b in edges)),
        iterations=iterations,
    )


def load_task_graph(source: str | Path | Mapping[str, Any]) -> TaskGraph:
    """Load a task graph: a shipped workload name, a YAML/JSON file, or a mapping.

    Args:
        source: A shipped workload name (see :mod:`.workloads`), a path to a UTF-8
            ``.yaml``/``.yml``/``.json`` file in the format of the module docstring,
            or an already parsed mapping.

    Raises:
        ConfigError: The file is missing, unreadable, not UTF-8 or malformed (the
            message names it).
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
    where = f"task graph file {str(path)!r}"
    suffix = path.suffix.lower()
    if suffix not in (".json", ".yaml", ".yml"):
        raise ConfigError(f"{where}: suffix must be .yaml, .yml or .json")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{where}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise ConfigError(f"{where}: cannot be read ({exc.strerror})") from None
    try:
        data = json.loads(text) if suffix == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError, RecursionError) as exc:
        raise ConfigError(f"{where} cannot be parsed: {exc}") from None
    return task_graph_from_dict(data, default_name=path.stem, where=where)
