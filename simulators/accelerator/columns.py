"""Designs as columns: the vectorised engine's view of a batch of designs.

:func:`design_arrays` turns design dicts (or a dict of equal-length columns)
into float64 columns of shape ``(D, 1)``; rows with a malformed value are
marked bad, with the parameter and the reason, instead of raising, so a batch
evaluates the good rows.

The simulator accepts designs beyond the env's space (e.g. to compare with
other simulators), within :data:`BOUNDS`: ``pe_rows`` and ``pe_cols`` are
integers, the other sizes positive real numbers, all finite and within the
bound (a value outside it is a typo, not a design: 10^308 MHz would give an
infinite power). Strings and booleans are never numbers.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from archgym.errors import InvalidDesign, did_you_mean
from archgym.simulators.accelerator.space import DESIGN_KEYS
from archgym.simulators.accelerator.systolic import DATAFLOWS

__all__ = ["DesignArrays", "design_arrays"]

_NUMERIC = tuple(k for k in DESIGN_KEYS if k != "dataflow")
#: Parameter -> (lowest, highest) value the simulator accepts, in the parameter's unit.
BOUNDS: dict[str, tuple[float, float]] = {
    "pe_rows": (1, 4096),
    "pe_cols": (1, 4096),
    "ifmap_sram_kb": (1 / 1024, 2**30),
    "filter_sram_kb": (1 / 1024, 2**30),
    "ofmap_sram_kb": (1 / 1024, 2**30),
    "dram_bw_bytes_per_cycle": (1 / 64, 1e12),  # huge values model compute-bound runs
    "clock_mhz": (1, 100_000),
}
_INTEGER = ("pe_rows", "pe_cols")


class DesignArrays:
    """Designs as columns of shape ``(D, 1)`` (float64; ``dataflow`` as an index).

    Attributes:
        rows, cols, dataflow, ifmap_kb, filter_kb, ofmap_kb, bw, clock_mhz: Columns.
        bad: ``(D,)`` bool, rows with a malformed parameter.
        errors: Reason per bad row (``""`` for good rows).
        bad_parameter: The malformed parameter per bad row (``""`` for good rows).
    """

    def __init__(self, columns: Mapping[str, np.ndarray], bad: np.ndarray, errors: list[str],
                 bad_parameter: list[str] | None = None):
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
        self.bad_parameter = bad_parameter if bad_parameter is not None else [""] * len(bad)

    def __len__(self) -> int:
        return len(self.bad)


def design_arrays(designs: Sequence[Mapping[str, Any]] | Mapping[str, Any]) -> DesignArrays:
    """Convert designs (a list of dicts, or a dict of equal-length columns) to columns.

    A row with a missing key, an unknown dataflow or a non-positive size is
    marked bad (its reason in :attr:`DesignArrays.errors`); the caller raises
    or returns NaN for it.
    """
    raw: dict[str, Any]
    if isinstance(designs, Mapping):
        missing = [k for k in DESIGN_KEYS if k not in designs]
        if missing:
            raise InvalidDesign(f"design columns missing parameter(s) {', '.join(missing)}",
                                parameter=missing[0])
        for key in designs:
            if key not in DESIGN_KEYS:
                raise InvalidDesign(_unknown(key), parameter=str(key))
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
        cols[k] = np.array([_to_float(v, k in _INTEGER) for v in raw[k]], dtype=np.float64)
    numeric = np.stack([cols[k] for k in _NUMERIC])
    low = np.array([BOUNDS[k][0] for k in _NUMERIC])[:, None]
    high = np.array([BOUNDS[k][1] for k in _NUMERIC])[:, None]
    with np.errstate(invalid="ignore"):
        wrong = ~((numeric >= low) & (numeric <= high))
    bad = np.isnan(df) | wrong.any(axis=0)
    errors = [""] * n
    params = [""] * n
    if not isinstance(designs, Mapping):
        for i, d in enumerate(designs):
            extra = [k for k in (d if isinstance(d, Mapping) else ()) if k not in DESIGN_KEYS]
            if extra:
                bad[i] = True
                params[i], errors[i] = str(extra[0]), _unknown(extra[0])
    if bad.any():
        for j in np.flatnonzero(bad):
            if not errors[j]:
                params[j], errors[j] = _reason(raw, int(j), df[j], wrong[:, j])
        for k in _NUMERIC:
            cols[k] = np.where(bad, 1.0, cols[k])
        cols["dataflow"] = np.where(bad, 0.0, df)
    return DesignArrays(cols, bad, errors, params)


def _unknown(key: object) -> str:
    return (f"unknown parameter {key!r}.{did_you_mean(str(key), DESIGN_KEYS)} "
            f"Parameters: {', '.join(DESIGN_KEYS)}.")


def _reason(raw: Mapping[str, Any], i: int, df: float, wrong: np.ndarray) -> tuple[str, str]:
    """(parameter, message) of a bad row."""
    if np.isnan(df):
        return "dataflow", (f"parameter 'dataflow': value {raw['dataflow'][i]!r} is not "
                            f"allowed; allowed values: {', '.join(DATAFLOWS)}")
    k = _NUMERIC[int(np.argmax(wrong))]
    kind = "an integer" if k in _INTEGER else "a number"
    lo, hi = BOUNDS[k]
    return k, f"parameter {k!r}: value {raw[k][i]!r} must be {kind} in [{lo:g}, {hi:g}]"


def _to_float(value: Any, integer: bool) -> float:
    """A design value as a float, or NaN when it is not a (real or integer) number."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (numbers.Real)):
        return float("nan")
    x = float(value)
    if integer and not (math.isfinite(x) and x.is_integer()):
        return float("nan")
    return x
