"""SoC workloads: FARSI's AR/VR task graphs and user task-graph files.

=====================  ==========================================================
name                   task graph
=====================  ==========================================================
``audio_decoder``      FARSI's ambisonic audio decoder (15 tasks with work)
``edge_detection``     FARSI's edge-detection pipeline (6 tasks with work)
``hpvm_cava``          FARSI's HPVM CAVA camera pipeline (7 tasks with work)
=====================  ==========================================================

Each shipped graph is a YAML file next to this module, generated from FARSI's
published figures by ``benchmarks/farsi_inputs.py``; every number cites its line of
``farsi_inputs.csv``. Any other workload is a task-graph file (YAML or JSON) in the
format of :mod:`.taskgraph`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from archgym.errors import UnknownName
from archgym.simulators.soc.taskgraph import TaskGraph, load_task_graph

__all__ = ["WORKLOADS", "resolve_workload"]

#: Names of the shipped workloads (YAML files in this package).
WORKLOADS: tuple[str, ...] = ("audio_decoder", "edge_detection", "hpvm_cava")

_DATA_DIR = Path(__file__).resolve().parent


def resolve_workload(workload: str | os.PathLike[str] | TaskGraph | Any) -> TaskGraph:
    """The :class:`TaskGraph` of a shipped name, a task-graph file path, or a graph.

    Raises:
        UnknownName: neither a shipped name nor an existing file.
        ConfigError: the file is malformed (the message names it and the item).
    """
    if isinstance(workload, TaskGraph):
        return workload
    text = os.fspath(workload)
    if text in WORKLOADS:
        return load_task_graph(_DATA_DIR / f"{text}.yaml")
    if Path(text).is_file():
        return load_task_graph(text)
    raise UnknownName("workload (a shipped name or a task-graph file path)", text, WORKLOADS)
