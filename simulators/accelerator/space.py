"""The accelerator's knobs: the one declaration of ``archgym/DNNAccelerator-v0``'s space.

======================== =========================== ===========================
parameter                values                      meaning
======================== =========================== ===========================
``pe_rows``              4, 8, 16, ..., 256           PE array rows R
``pe_cols``              4, 8, 16, ..., 256           PE array columns C
``dataflow``             ws, os, is                   weight / output / input stationary
``ifmap_sram_kb``        8, 16, ..., 2048             ifmap buffer (KB, double-buffered)
``filter_sram_kb``       8, 16, ..., 2048             filter buffer (KB, double-buffered)
``ofmap_sram_kb``        8, 16, ..., 2048             ofmap buffer (KB, double-buffered)
``dram_bw_bytes_per_cycle`` 4, 8, ..., 128            off-chip bandwidth (bytes/cycle)
``clock_mhz``            200, 400, 700, 1000          clock frequency (MHz)
======================== =========================== ===========================

The sizes are powers of two. The simulator itself accepts any positive sizes
(e.g. to compare with other simulators); the env searches this space.
"""

from __future__ import annotations

from archgym.parameters import Categorical, IntegerChoices, PowerOfTwo
from archgym.simulators.accelerator.systolic import DATAFLOWS
from archgym.space import DesignSpace

__all__ = ["DESIGN_KEYS", "accelerator_space"]

#: Parameter names, in the order of the space.
DESIGN_KEYS = ("pe_rows", "pe_cols", "dataflow", "ifmap_sram_kb", "filter_sram_kb",
               "ofmap_sram_kb", "dram_bw_bytes_per_cycle", "clock_mhz")


def accelerator_space() -> DesignSpace:
    """The design space of ``archgym/DNNAccelerator-v0`` (table in the module docstring).

    The defaults (16x16, ws, 64/64/32 KB, 16 B/cycle, 700 MHz) are a small edge design.
    """
    return DesignSpace({
        "pe_rows": PowerOfTwo(4, 256, default=16),
        "pe_cols": PowerOfTwo(4, 256, default=16),
        "dataflow": Categorical(list(DATAFLOWS), default="ws"),
        "ifmap_sram_kb": PowerOfTwo(8, 2048, default=64),
        "filter_sram_kb": PowerOfTwo(8, 2048, default=64),
        "ofmap_sram_kb": PowerOfTwo(8, 2048, default=32),
        "dram_bw_bytes_per_cycle": PowerOfTwo(4, 128, default=16),
        "clock_mhz": IntegerChoices([200, 400, 700, 1000], default=700),
    })
