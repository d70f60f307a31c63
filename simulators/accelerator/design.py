"""The accelerator's design parameters: the design space and designs as arrays.

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
(e.g. to compare with other simulators); the env restricts designs to this space.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from archgym.errors import InvalidDesign
from archgym.parameters import Categorical, IntegerChoices, PowerOfTwo
from archgym.simulators.accelerator.systolic import DATAFLOWS
from archgym.space import DesignSpace

__all__ = ["DESIGN_KEYS", "DesignArrays", "accelerator_space", "design_arrays"]

DESIGN_KEYS = ("pe_rows", "pe_cols", "dataflow", "ifmap_sram_kb", "filter_sram_kb",
               "ofmap_sram_kb", "dram_bw_bytes_per_cycle", "clock_mhz")
_NUMERIC = tuple(k for k in DESIGN_KEYS if k != "dataflow")


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


class DesignArrays:
    """Designs as columns of shape ``(D, 1)`` (float64; ``dataflow`` as an index).

    Attributes:
        rows, cols, dataflow, ifmap_kb, filter_kb, ofmap_kb, bw, clock_mhz: Columns.
        bad: ``(D,)`` bool, rows with a malformed parameter.
        errors: Reason per bad row (``""`` for good rows).
    """

    def __init__(self, columns: Mapping[str, np.ndarray], bad: np.ndarray, errors: list[str]):
        self.rows = columns["pe_rows"][:, None]
        self.cols = columns["pe_cols"][:, None]
        self.dataflow = columns["dataflow"][:, None]
        self.ifmap_kb = columns["ifmap_sram_kb"][:, None]
        self.filter_kb = columns["filter_sram_kb"][:, None]
        self.ofmap_kb = columns["ofmap_sram_kb"][:, None]
        self.bw = columns["dram_bw_bytes_per_cycle"][:, None]
        self.clock_mhz = columns["clock_mhz"][:, None]
        self.bad = bad
        self.errors = errors

    def __len__(self) -> int:
        return len(self.bad)


def design_arrays(designs: Sequence[Mapping[str, Any]] | Mapping[str, Any]) -> DesignArrays:
    """Convert designs (a list of dicts, or a dict of equal-length columns) to columns.

    A row with a missing key, an unknown dataflow or a non-positive size is
    marked bad (its reason in :attr:`DesignArrays.errors`); the caller raises
    or returns NaN for it.
    """
    if isinstance(designs, Mapping):
        missing = [k for k in DESIGN_KEYS if k not in designs]
        if missing:
            raise InvalidDesign(f"design columns missing parameter(s) {', '.join(missing)}",
                                parameter=missing[0])
        n = len(np.atleast_1d(designs["pe_rows"]))
        raw = {k: np.broadcast_to(np.atleast_1d(np.asarray(designs[k])), (n,)) for k in DESIGN_KEYS}
    else:
        n = len(designs)
        raw = {k: [d.get(k) for d in designs] for k in DESIGN_KEYS}
    df_index = {name: float(i) for i, name in enumerate(DATAFLOWS)}
    df = np.array([df_index.get(v, np.nan) if isinstance(v, str) else np.nan
                   for v in raw["dataflow"]], dtype=np.float64)
    cols: dict[str, np.ndarray] = {"dataflow": df}
    for k in _NUMERIC:
        try:
            cols[k] = np.asarray(raw[k], dtype=np.float64)
        except (TypeError, ValueError):
            cols[k] = np.array([_to_float(v) for v in raw[k]], dtype=np.float64)
    numeric = np.stack([cols[k] for k in _NUMERIC])
    wrong = ~(numeric > 0) | ~np.isfinite(numeric)
    bad = np.isnan(df) | wrong.any(axis=0)
    errors = [""] * n
    if bad.any():
        for i in np.flatnonzero(bad):
            errors[i] = _reason(raw, i, df[i], wrong[:, i])
        for k in _NUMERIC:
            cols[k] = np.where(bad, 1.0, cols[k])
        cols["dataflow"] = np.where(bad, 0.0, df)
    return DesignArrays(cols, bad, errors)


def _reason(raw: Mapping[str, Any], i: int, df: float, wrong: np.ndarray) -> str:
    if np.isnan(df):
        return (f"parameter 'dataflow': value {raw['dataflow'][i]!r} is not allowed; "
                f"allowed values: {', '.join(DATAFLOWS)}")
    k = _NUMERIC[int(np.argmax(wrong))]
    return f"parameter {k!r}: value {raw[k][i]!r} must be a positive number"


def _to_float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")
