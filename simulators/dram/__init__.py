"""A command-level, cycle-accurate DDR memory-controller simulator (Numba).

Public API::

    from archgym.simulators.dram import DRAMSimulator, load_trace, generate_trace
    sim = DRAMSimulator(memspec="DDR4-3200-8Gb-x8", ranks=1, address_mapping="RoChRaBaBgCo")
    stats = sim.run(generate_trace("stream", 10_000), {"page_policy": "Closed"})

It is also the ``Simulator`` of ``archgym/DRAMController-v0``:
``DRAMSimulator().evaluate(design, "cloud-1")`` returns its five metrics.

See :mod:`archgym.simulators.dram.simulator` for the model,
:mod:`archgym.simulators.dram.space` for the controller knobs,
:mod:`archgym.simulators.dram.workloads` for the workloads and
:mod:`archgym.simulators.dram.engine` for the compiled core.
"""

from archgym.simulators.dram.generate import generate_trace
from archgym.simulators.dram.memspec import SHIPPED_MEMSPECS, MemSpec, load_memspec
from archgym.simulators.dram.simulator import DRAMSimulator
from archgym.simulators.dram.space import KNOBS, dram_space
from archgym.simulators.dram.stats import DRAMStats
from archgym.simulators.dram.trace import Trace, load_trace, save_trace
from archgym.simulators.dram.workloads import WORKLOADS, resolve_workload

__all__ = [
    "KNOBS",
    "SHIPPED_MEMSPECS",
    "WORKLOADS",
    "DRAMSimulator",
    "DRAMStats",
    "MemSpec",
    "Trace",
    "dram_space",
    "generate_trace",
    "load_memspec",
    "load_trace",
    "resolve_workload",
    "save_trace",
]
