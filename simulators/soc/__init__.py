"""AR/VR SoC simulator: task graphs on heterogeneous blocks, following FARSI's model.

A workload is a task graph (:mod:`.taskgraph`; shipped: :data:`WORKLOADS`, FARSI's
audio decoder, edge detection and HPVM CAVA, plus the seeded
:func:`synthetic_task_graph`). A design allocates processing elements (cores,
per-task accelerators with a clock and a loop unrolling), memories and buses (with a
width and a clock) from a block library (:mod:`.blocks`, ``blocks.yaml``), connects
them and maps every task to a PE and its output data to a memory (:mod:`.structure`,
which also states the validity rules). The engine (:mod:`.engine`) runs the graph
event by event with FARSI's roofline-per-task model, and the simulator reports
latency (s), FARSI's windowed peak power and the average power (W), energy (J), the
SoC die area and the stacked DRAM's area (mm^2), and per-block utilisation.
:mod:`.space` gives the flat fixed-length design space used by ``archgym/SoC-v1``;
:mod:`.workloads` the shipped task graphs and user files.

The data files are built from FARSI's published figures by
``benchmarks/farsi_inputs.py``; ``benchmarks/farsi_golden.py`` checks the simulator
against FARSI itself (golden values in ``tests/simulators/soc/farsi_golden.csv``).

Example:
    >>> from archgym.simulators.soc import SoCSimulator
    >>> sim = SoCSimulator()
    >>> design = {"pes": [{"type": "A53"}], "memories": [{"type": "dram", "width": 4}],
    ...           "buses": [{"width": 4}], "pe_bus": [0], "mem_bus": [0],
    ...           "task_pe": [0] * 8, "task_mem": [0] * 8}
    >>> round(sim.evaluate(design, "edge_detection")["latency_s"], 3)
    3.296
"""

from archgym.simulators.soc.blocks import BlockLibrary, default_library, load_library
from archgym.simulators.soc.simulator import SoCResult, SoCSimulator
from archgym.simulators.soc.space import SoCEncoding
from archgym.simulators.soc.structure import RULES, compile_design
from archgym.simulators.soc.synthetic import synthetic_task_graph
from archgym.simulators.soc.taskgraph import TaskGraph, load_task_graph
from archgym.simulators.soc.workloads import WORKLOADS, resolve_workload

__all__ = [
    "RULES",
    "WORKLOADS",
    "BlockLibrary",
    "SoCEncoding",
    "SoCResult",
    "SoCSimulator",
    "TaskGraph",
    "compile_design",
    "default_library",
    "load_library",
    "load_task_graph",
    "resolve_workload",
    "synthetic_task_graph",
]
