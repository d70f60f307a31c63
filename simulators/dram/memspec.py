"""Memory specifications (organisation, JEDEC timings, IDD currents) loaded from JSON.

A memspec describes one DRAM device type and how eight x8 devices form a
64-bit rank. The shipped specs live next to this module as
``memspec_<name>.json``; each records its sources in a ``source`` field.

Timings are in memory-clock cycles (tCK); currents in mA per device; voltages
in V.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np

from archgym.errors import ConfigError, UnknownName

__all__ = ["SHIPPED_MEMSPECS", "TIMING_KEYS", "MemSpec", "load_memspec"]

#: Timing parameters every memspec defines, in the order of :meth:`MemSpec.timing_array`.
TIMING_KEYS = (
    "CL", "CWL", "tRCD", "tRP", "tRAS", "tRC", "tRTP", "tWR", "tCCD_S", "tCCD_L",
    "tRRD_S", "tRRD_L", "tWTR_S", "tWTR_L", "tFAW", "tRFC", "tREFI", "tRTRS",
)
_POWER_KEYS = ("vdd", "vpp", "idd0", "idd2n", "idd3n", "idd4r", "idd4w", "idd5",
               "ipp0", "ipp2n", "ipp3n")
SHIPPED_MEMSPECS = ("DDR4-3200-8Gb-x8", "DDR4-2400-8Gb-x8", "DDR3-1600-1Gb-x8")


@dataclass(frozen=True)
class MemSpec:
    """One DRAM device type and its rank organisation.

    Attributes:
        name: Spec name, e.g. ``"DDR4-3200-8Gb-x8"``.
        tck_ns: Clock period in ns.
        devices_per_rank: Devices forming one 64-bit rank.
        bank_groups: Bank groups per rank (1 for DDR3).
        banks_per_group: Banks per bank group.
        rows: Rows per bank.
        columns: Columns per device row.
        burst_length: Beats per burst (8: one burst moves 64 bytes on a 64-bit bus).
        timing: Timing name (:data:`TIMING_KEYS`) -> clocks.
        power: Currents in mA per device and voltages in V.
        source: Where the numbers come from.
    """

    name: str
    tck_ns: float
    devices_per_rank: int
    bank_groups: int
    banks_per_group: int
    rows: int
    columns: int
    burst_length: int
    timing: dict[str, int] = field(default_factory=dict)
    power: dict[str, float] = field(default_factory=dict)
    source: str = ""

    @property
    def banks(self) -> int:
        """Banks per rank."""
        return self.bank_groups * self.banks_per_group

    @property
    def bursts_per_row(self) -> int:
        """64-byte transactions per row (columns / burst length)."""
        return self.columns // self.burst_length

    @property
    def burst_cycles(self) -> int:
        """Clocks one burst occupies the data bus (BL/2, double data rate)."""
        return self.burst_length // 2

    @property
    def peak_bandwidth_gbps(self) -> float:
        """Peak channel bandwidth in GB/s: 64 bytes every BL/2 clocks."""
        return 64.0 / (self.burst_cycles * self.tck_ns)

    def timing_array(self) -> np.ndarray:
        """The timings as an int64 array in :data:`TIMING_KEYS` order."""
        return np.array([self.timing[k] for k in TIMING_KEYS], dtype=np.int64)


def _pow2(name: str, key: str, value: object) -> int:
    if not isinstance(value, int) or value <= 0 or value & (value - 1):
        raise ConfigError(f"memspec {name!r}: {key} must be a positive power of two, got {value!r}")
    return value


def _from_dict(raw: dict) -> MemSpec:
    name = str(raw.get("name", "<unnamed>"))
    try:
        timing = {k: int(raw["timing"][k]) for k in TIMING_KEYS}
        power = {k: float(raw["power"][k]) for k in _POWER_KEYS}
        spec = MemSpec(
            name=name,
            tck_ns=float(raw["tck_ns"]),
            devices_per_rank=int(raw["devices_per_rank"]),
            bank_groups=_pow2(name, "bank_groups", raw["bank_groups"]),
            banks_per_group=_pow2(name, "banks_per_group", raw["banks_per_group"]),
            rows=_pow2(name, "rows", raw["rows"]),
            columns=_pow2(name, "columns", raw["columns"]),
            burst_length=_pow2(name, "burst_length", raw["burst_length"]),
            timing=timing,
            power=power,
            source=str(raw.get("source", "")),
        )
    except KeyError as exc:
        raise ConfigError(f"memspec {name!r}: missing field {exc.args[0]!r}") from None
    for k, v in timing.items():
        if v < 0:
            raise ConfigError(f"memspec {name!r}: timing {k} must be >= 0, got {v}")
    if spec.burst_length != 8 or raw.get("device_width", 8) * spec.devices_per_rank != 64:
        raise ConfigError(
            f"memspec {name!r}: a rank must move 64 bytes per burst (BL8 on a 64-bit bus), got "
            f"burst_length={spec.burst_length}, devices_per_rank={spec.devices_per_rank}"
        )
    if timing["tRC"] < timing["tRAS"] + timing["tRP"]:
        raise ConfigError(f"memspec {name!r}: tRC ({timing['tRC']}) < tRAS + tRP")
    return spec


def load_memspec(spec: str | Path | MemSpec) -> MemSpec:
    """Load a shipped memspec by name, or a JSON memspec file by path.

    Args:
        spec: A name from :data:`SHIPPED_MEMSPECS`, a path to a JSON file, or a
            ready :class:`MemSpec`.

    Raises:
        UnknownName: ``spec`` is neither a shipped name nor an existing file.
        ConfigError: the JSON is malformed or misses a field.
    """
    if isinstance(spec, MemSpec):
        return spec
    if str(spec) in SHIPPED_MEMSPECS:
        text = resources.files(__package__).joinpath(f"memspec_{spec}.json").read_text()
        return _from_dict(json.loads(text))
    path = Path(spec)
    if not path.is_file():
        raise UnknownName("memspec", str(spec), SHIPPED_MEMSPECS)
    try:
        return _from_dict(json.loads(path.read_text()))
    except json.JSONDecodeError as exc:
        raise ConfigError(f"memspec file {path}: invalid JSON ({exc})") from None
