"""Seeded random layered task graphs (for tests and for users)."""

from __future__ import annotations

import numpy as np

from archgym.errors import ConfigError
from archgym.simulators.soc.taskgraph import TaskGraph, task_graph_from_dict

__all__ = ["synthetic_task_graph"]


def synthetic_task_graph(
    n_tasks: int = 8,
    *,
    seed: int,
    n_layers: int | None = None,
    edge_probability: float = 0.5,
    instructions: tuple[float, float] = (1e5, 1e7),
    bytes_range: tuple[float, float] = (1e3, 1e5),
    iterations: int = 1,
) -> TaskGraph:
    """A random layered DAG with a zero-work ``source`` and ``sink``.

    Compute tasks are spread over ``n_layers`` layers; every task gets at least one
    producer in the previous layer (``source`` for the first layer) and each further
    earlier-layer task becomes a producer with ``edge_probability``; tasks without a
    consumer feed ``sink``. Work and edge sizes are log-uniform, rounded to integers.

    Args:
        n_tasks: Compute tasks (>= 1).
        seed: Seed of the random generator (the graph is a function of the arguments).
        n_layers: Layers (default ``ceil(sqrt(n_tasks))``).
        edge_probability: Probability of each extra edge (0..1).
        instructions: Range of instructions per task on the reference core.
        bytes_range: Range of bytes per edge.
        iterations: Iterations of the graph.

    Raises:
        ConfigError: An argument is out of range.
    """
    if n_tasks < 1:
        raise ConfigError(f"synthetic_task_graph: n_tasks must be >= 1, got {n_tasks}")
    if not 0.0 <= edge_probability <= 1.0:
        raise ConfigError(f"synthetic_task_graph: edge_probability must be in [0, 1], "
                          f"got {edge_probability}")
    rng = np.random.default_rng(seed)
    layers = n_layers or int(np.ceil(np.sqrt(n_tasks)))
    layers = max(1, min(layers, n_tasks))
    cuts = np.sort(rng.choice(np.arange(1, n_tasks), size=layers - 1, replace=False)) \
        if layers > 1 else np.array([], dtype=int)
    layer_of = np.searchsorted(cuts, np.arange(n_tasks), side="right")
    names = [f"t{i}" for i in range(n_tasks)]

    def logu(lo: float, hi: float) -> int:
        return round(float(np.exp(rng.uniform(np.log(lo), np.log(hi)))))

    tasks = [{"name": "source", "instructions": 0}]
    tasks += [{"name": n, "instructions": logu(*instructions)} for n in names]
    tasks.append({"name": "sink", "instructions": 0})
    edges = []
    has_consumer = [False] * n_tasks
    for i in range(n_tasks):
        lay = layer_of[i]
        if lay == 0:
            edges.append({"src": "source", "dst": names[i], "bytes": logu(*bytes_range)})
            continue
        prev = [j for j in range(n_tasks) if layer_of[j] == lay - 1]
        first = int(rng.choice(prev))
        for j in range(n_tasks):
            if layer_of[j] < lay and (j == first or rng.random() < edge_probability):
                edges.append({"src": names[j], "dst": names[i], "bytes": logu(*bytes_range)})
                has_consumer[j] = True
    for j in range(n_tasks):
        if not has_consumer[j]:
            edges.append({"src": names[j], "dst": "sink", "bytes": logu(*bytes_range)})
    return task_graph_from_dict(
        {"name": f"synthetic_{n_tasks}_{seed}", "iterations": iterations, "tasks": tasks,
         "edges": edges}
    )
