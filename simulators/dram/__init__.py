"""A command-level, cycle-accurate DDR memory-controller simulator (Numba).

Public API::

    from archgym.simulators.dram import DRAMSimulator, load_trace, generate_trace
    sim = DRAMSimulator(memspec="DDR4-3200-8Gb-x8", ranks=1, address_mapping="RoChRaBaBgCo")
    stats = sim.run(generate_trace("stream", 10_000), {"page_policy": "Closed"})

See :mod:`archgym.simulators.dram.simulator` for the model and
:mod:`archgym.simulators.dram.design` for the controller knobs.
"""

from archgym.simulators.dram.design import CHOICES, DEFAULT_DESIGN, KNOBS
from archgym.simulators.dram.generate import generate_trace
from archgym.simulators.dram.memspec import SHIPPED_MEMSPECS, MemSpec, load_memspec
from archgym.simulators.dram.simulator import DRAMSimulator
from archgym.simulators.dram.stats import DRAMStats
from archgym.simulators.dram.trace import Trace, load_trace, save_trace

__all__ = [
    "CHOICES",
    "DEFAULT_DESIGN",
    "KNOBS",
    "SHIPPED_MEMSPECS",
    "DRAMSimulator",
    "DRAMStats",
    "MemSpec",
    "Trace",
    "generate_trace",
    "load_memspec",
    "load_trace",
    "save_trace",
]
