"""The block library: cores, accelerator rules, memories and buses, with their figures.

Loaded from ``blocks.yaml`` next to this module (generated from FARSI's published
figures by ``benchmarks/farsi_inputs.py``; its header cites every source and lists
what is ours). A user library is a YAML file of the same shape, checked field by
field when loaded: every field must be known, of the right type, finite and in range;
an error names the file, the field and the value.

Units are SI (Hz, J, bytes) except areas, in mm^2.

The rules the figures feed (FARSI's model, see :mod:`.engine` for timing):

* a core runs ``ipc x clock_hz`` instructions per second at
  ``energy_per_instruction_j`` each;
* an accelerator built for one task runs at ``base_clock_hz x clock multiplier`` and
  unrolls the task's loop ``u`` times: it takes ``accel_cycles / (clock x u)`` seconds,
  and its energy (the task's figure x ``task_energy_unit_j`` x ``energy_scale``) and
  area (the task's figure x ``area_scale``) grow ``u``-fold. The unrolling factors of
  a task are ``1, f, f^2, ...`` (``f = unroll_factor``) up to its ``loop_iterations``
  (only the first ``unroll_options - 1`` when there are more than ``unroll_options``),
  then ``loop_iterations`` itself when it is not a power of ``f``;
* a memory or bus moves ``width x base_clock_hz x multiplier`` bytes per second in
  each direction; a memory's energy per byte and area follow its size (CACTI rows).
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from archgym.errors import ConfigError, did_you_mean

__all__ = [
    "FARSI_TASK_ENERGY_UNIT_J",
    "AcceleratorModel",
    "BlockLibrary",
    "BusType",
    "CoreType",
    "MemoryType",
    "default_library",
    "load_library",
]


#: How FARSI reads the tasks' accelerator energy figures: femtojoules (its parser
#: multiplies them by 1e-15); ``blocks.yaml`` explains why we read nanojoules.
FARSI_TASK_ENERGY_UNIT_J = 1e-15


@dataclass(frozen=True)
class CoreType:
    """A general-purpose core type.

    Attributes:
        name: Catalogue name, e.g. ``"A53"``.
        ipc: Instructions per cycle.
        clock_hz: Clock frequency (Hz).
        energy_per_instruction_j: Energy per instruction (J).
        area_mm2: Area (mm^2).
    """

    name: str
    ipc: float
    clock_hz: float
    energy_per_instruction_j: float
    area_mm2: float

    @property
    def instructions_per_s(self) -> float:
        """Throughput (instructions/s)."""
        return self.ipc * self.clock_hz


@dataclass(frozen=True)
class AcceleratorModel:
    """How per-task accelerators are characterised (see the module docstring).

    Attributes:
        base_clock_hz: Clock at multiplier 1 (Hz).
        clock_multipliers: Allowed multiples of the base clock.
        unroll_factor: Ratio between successive unrolling factors.
        unroll_options: Most unrolling factors a task offers.
        energy_scale: Technology scaling of the tasks' energy figures.
        area_scale: Technology scaling of the tasks' area figures.
        task_energy_unit_j: Joules per unit of a task's ``accel_energy_nj`` figure.
        default_speedup: Without ``accel_cycles``: speed-up of an accelerator at base
            clock over the reference core.
        default_energy_reduction: Without ``accel_energy_nj``: the reference core's
            energy for the task divided by this.
        default_area_mm2: Without ``accel_area_um2``: area at unrolling 1 (mm^2).
        reference_core: Core type the defaults are measured against.
    """

    base_clock_hz: float
    clock_multipliers: tuple[int, ...]
    unroll_factor: int
    unroll_options: int
    energy_scale: float
    area_scale: float
    task_energy_unit_j: float
    default_speedup: float
    default_energy_reduction: float
    default_area_mm2: float
    reference_core: str

    @property
    def clocks_mhz(self) -> tuple[int, ...]:
        """The allowed accelerator clocks (MHz)."""
        return tuple(round(self.base_clock_hz * m / 1e6) for m in self.clock_multipliers)

    def unroll_levels(self, loop_iterations: int) -> tuple[int, ...]:
        """The unrolling factors of a task whose loop runs ``loop_iterations`` times."""
        top = max(int(loop_iterations), 1)
        levels = [1]
        while levels[-1] * self.unroll_factor <= top:
            levels.append(levels[-1] * self.unroll_factor)
        if len(levels) > self.unroll_options:
            levels = levels[: max(self.unroll_options - 1, 1)]
        if top not in levels:
            levels.append(top)
        return tuple(levels)


@dataclass(frozen=True)
class MemoryType:
    """A memory kind: clock and the CACTI table of energy and area by size.

    Attributes:
        name: ``"sram"`` or ``"dram"`` (or a user kind).
        stacked: Whether the memory is a die of its own (FARSI's stacked DRAM): its area
            is reported apart from the SoC die's (``dram_area_mm2``).
        base_clock_hz: Clock at multiplier 1 (Hz).
        size_granule_bytes: Capacities are whole multiples of this (bytes).
        sizes_bytes: Table sizes, increasing (bytes).
        read_j_per_byte: Read energy per byte at each size (J).
        write_j_per_byte: Write energy per byte at each size (J).
        area_mm2: Area at each size (mm^2).
    """

    name: str
    stacked: bool
    base_clock_hz: float
    size_granule_bytes: int
    sizes_bytes: tuple[int, ...]
    read_j_per_byte: tuple[float, ...]
    write_j_per_byte: tuple[float, ...]
    area_mm2: tuple[float, ...]

    def capacity(self, live_bytes: float) -> int:
        """The capacity (bytes) allocated for a peak of ``live_bytes``: whole granules,
        at least one."""
        granules = max(1, math.ceil(max(live_bytes, 0.0) / self.size_granule_bytes - 1e-9))
        return granules * self.size_granule_bytes

    def _lookup(self, column: tuple[float, ...], capacity: int) -> float:
        sizes = self.sizes_bytes
        if len(sizes) == 1:
            return column[0]
        if capacity <= sizes[0]:
            i = 0
        elif capacity >= sizes[-1]:
            i = len(sizes) - 2
        else:
            i = bisect_left(sizes, capacity) - 1
        x0, x1 = math.log(sizes[i]), math.log(sizes[i + 1])
        y0, y1 = math.log(column[i]), math.log(column[i + 1])
        x = math.log(max(capacity, 1))
        return math.exp(y0 + (y1 - y0) * (x - x0) / (x1 - x0))

    def read_energy(self, capacity: int) -> float:
        """Read energy per byte (J) of a memory of ``capacity`` bytes."""
        return self._lookup(self.read_j_per_byte, capacity)

    def write_energy(self, capacity: int) -> float:
        """Write energy per byte (J) of a memory of ``capacity`` bytes."""
        return self._lookup(self.write_j_per_byte, capacity)

    def area(self, capacity: int) -> float:
        """Area (mm^2) of a memory of ``capacity`` bytes."""
        return self._lookup(self.area_mm2, capacity)


@dataclass(frozen=True)
class BusType:
    """The bus: clock, energy per byte carried and area per bus (FARSI: both zero)."""

    base_clock_hz: float
    energy_per_byte_j: float
    area_mm2: float


@dataclass(frozen=True)
class BlockLibrary:
    """Every block the design space can allocate.

    Attributes:
        cores: Core types by name.
        accelerator: The accelerator rules.
        memories: Memory kinds by name.
        bus: The bus.
        widths_bytes: Allowed memory and bus widths (bytes per cycle).
        clock_multipliers: Allowed memory and bus clock multipliers.
        burst_bytes: FARSI's burst size: a task's smallest input is moved in pieces of
            about this many bytes (see :mod:`.structure`, memory sharing).
        source: Where the library was loaded from (for messages).
    """

    cores: dict[str, CoreType]
    accelerator: AcceleratorModel
    memories: dict[str, MemoryType]
    bus: BusType
    widths_bytes: tuple[int, ...]
    clock_multipliers: tuple[int, ...]
    burst_bytes: int = 1024
    source: str = "block library"

    @property
    def reference_core(self) -> CoreType:
        """The core the accelerator defaults are measured against."""
        return self.cores[self.accelerator.reference_core]

    def memory_clocks_mhz(self, kind: str) -> tuple[int, ...]:
        """The allowed clocks (MHz) of memory kind ``kind``."""
        base = self.memories[kind].base_clock_hz
        return tuple(round(base * m / 1e6) for m in self.clock_multipliers)

    @property
    def bus_clocks_mhz(self) -> tuple[int, ...]:
        """The allowed bus clocks (MHz)."""
        return tuple(round(self.bus.base_clock_hz * m / 1e6) for m in self.clock_multipliers)


# ----------------------------------------------------------------------------- loading
class _Reader:
    """Typed, range-checked access to a parsed YAML mapping; errors name file and field."""

    def __init__(self, where: str):
        self.where = where

    def fail(self, field: str, rule: str, value: Any) -> ConfigError:
        return ConfigError(f"{self.where}: field {field!r} must be {rule}, got {value!r}")

    def mapping(self, data: Any, field: str, allowed: Sequence[str],
                required: Sequence[str] = ()) -> Mapping[str, Any]:
        if not isinstance(data, Mapping):
            raise self.fail(field or "(top level)", "a mapping", data)
        for key in data:
            if key not in allowed:
                name = f"{field}.{key}" if field else str(key)
                raise ConfigError(f"{self.where}: unknown field {name!r}."
                                  f"{did_you_mean(str(key), allowed)} Known fields"
                                  f"{' of ' + repr(field) if field else ''}: "
                                  f"{', '.join(allowed)}.")
        for key in required:
            if key not in data:
                name = f"{field}.{key}" if field else key
                raise ConfigError(f"{self.where}: missing field {name!r}")
        return data

    def number(self, data: Mapping[str, Any], field: str, key: str, *, low: float = 0.0,
               strict: bool = True, high: float = math.inf) -> float:
        value = data[key]
        name = f"{field}.{key}" if field else key
        ok = (not isinstance(value, bool) and isinstance(value, (int, float))
              and math.isfinite(value) and (value > low if strict else value >= low)
              and value <= high)
        if not ok:
            rule = f"a finite number {'>' if strict else '>='} {low:g}"
            if high < math.inf:
                rule += f" and <= {high:g}"
            raise self.fail(name, rule, value)
        return float(value)

    def integer(self, data: Mapping[str, Any], field: str, key: str, *, low: int = 1,
                high: int = 2**31) -> int:
        value = data[key]
        name = f"{field}.{key}" if field else key
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.fail(name, f"an integer in {low}..{high}", value)
        return int(value)

    def int_list(self, data: Mapping[str, Any], field: str, key: str, *, low: int = 1,
                 high: int = 2**20) -> tuple[int, ...]:
        value = data[key]
        name = f"{field}.{key}" if field else key
        if (not isinstance(value, list) or not value
                or any(isinstance(v, bool) or not isinstance(v, int) or not low <= v <= high
                       for v in value)
                or len(set(value)) != len(value)):
            raise self.fail(name, f"a non-empty list of distinct integers in {low}..{high}",
                            value)
        return tuple(int(v) for v in value)

    def name(self, value: Any, field: str) -> str:
        if not isinstance(value, str) or not value or not value.replace("_", "").isalnum():
            raise self.fail(field, "a name of letters, digits and '_'", value)
        return value


_CORE_KEYS = ("ipc", "clock_hz", "energy_per_instruction_j", "area_mm2")
_ACCEL_KEYS = ("base_clock_hz", "clock_multipliers", "unroll_factor", "unroll_options",
               "energy_scale", "area_scale", "task_energy_unit_j", "default_speedup",
               "default_energy_reduction", "default_area_mm2", "reference_core")
_MEMORY_KEYS = ("base_clock_hz", "size_granule_bytes", "stacked", "cacti")
_BUS_KEYS = ("base_clock_hz", "energy_per_byte_j", "area_mm2")
_TOP_KEYS = ("cores", "accelerator", "memories", "bus", "widths_bytes", "clock_multipliers",
             "burst_bytes")

#: Largest clock accepted (Hz); far above any block of the library.
MAX_CLOCK_HZ = 1e11
#: Smallest base clock of an accelerator, memory or bus (Hz): their clock choices are whole
#: MHz (``base_clock_hz x multiplier``, rounded), which must be >= 1 and distinct.
MIN_BASE_CLOCK_HZ = 1e6


def _memory(r: _Reader, name: str, data: Any) -> MemoryType:
    field = f"memories.{name}"
    m = r.mapping(data, field, _MEMORY_KEYS, _MEMORY_KEYS)
    rows = m["cacti"]
    if not isinstance(rows, list) or not rows:
        raise r.fail(f"{field}.cacti", "a non-empty list of [size_bytes, read_j_per_byte, "
                     "write_j_per_byte, area_mm2] rows", rows)
    parsed = []
    for i, row in enumerate(rows):
        where = f"{field}.cacti[{i}]"
        if not isinstance(row, list) or len(row) != 4:
            raise r.fail(where, "a row [size_bytes, read_j_per_byte, write_j_per_byte, "
                         "area_mm2]", row)
        size, *rest = row
        if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
            raise r.fail(f"{where}[0]", "a size in bytes (an integer > 0)", size)
        for k, v in enumerate(rest, start=1):
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not (
                    math.isfinite(v) and v > 0):
                raise r.fail(f"{where}[{k}]", "a finite number > 0", v)
        parsed.append((size, float(rest[0]), float(rest[1]), float(rest[2])))
    parsed.sort()
    sizes = [p[0] for p in parsed]
    if len(set(sizes)) != len(sizes):
        raise r.fail(f"{field}.cacti", "rows of distinct sizes", sizes)
    if not isinstance(m["stacked"], bool):
        raise r.fail(f"{field}.stacked", "true or false", m["stacked"])
    return MemoryType(
        name=name,
        stacked=m["stacked"],
        base_clock_hz=r.number(m, field, "base_clock_hz", low=MIN_BASE_CLOCK_HZ, strict=False,
                               high=MAX_CLOCK_HZ),
        size_granule_bytes=r.integer(m, field, "size_granule_bytes", high=2**40),
        sizes_bytes=tuple(sizes),
        read_j_per_byte=tuple(p[1] for p in parsed),
        write_j_per_byte=tuple(p[2] for p in parsed),
        area_mm2=tuple(p[3] for p in parsed),
    )


def library_from_dict(data: Any, where: str = "block library") -> BlockLibrary:
    """Build and check a :class:`BlockLibrary` from the mapping format of ``blocks.yaml``.

    Raises:
        ConfigError: An unknown or missing field, a value of the wrong type, not finite
            or out of range; the message names ``where``, the field and the value.
    """
    r = _Reader(where)
    top = r.mapping(data, "", _TOP_KEYS, _TOP_KEYS[:-1])
    cores_data = r.mapping(top["cores"], "cores", [str(k) for k in top["cores"]]
                           if isinstance(top["cores"], Mapping) else ())
    if not cores_data:
        raise r.fail("cores", "a non-empty mapping of core types", cores_data)
    cores = {}
    for name, v in cores_data.items():
        field = f"cores.{r.name(name, 'cores')}"
        c = r.mapping(v, field, _CORE_KEYS, _CORE_KEYS)
        cores[name] = CoreType(name, r.number(c, field, "ipc", high=64),
                               r.number(c, field, "clock_hz", high=MAX_CLOCK_HZ),
                               r.number(c, field, "energy_per_instruction_j", high=1.0),
                               r.number(c, field, "area_mm2", strict=False, high=1e4))
    a = r.mapping(top["accelerator"], "accelerator", _ACCEL_KEYS, _ACCEL_KEYS)
    acc = AcceleratorModel(
        base_clock_hz=r.number(a, "accelerator", "base_clock_hz", low=MIN_BASE_CLOCK_HZ,
                               strict=False, high=MAX_CLOCK_HZ),
        clock_multipliers=r.int_list(a, "accelerator", "clock_multipliers", high=1000),
        unroll_factor=r.integer(a, "accelerator", "unroll_factor", low=2, high=1024),
        unroll_options=r.integer(a, "accelerator", "unroll_options", low=1, high=64),
        energy_scale=r.number(a, "accelerator", "energy_scale", high=1e6),
        area_scale=r.number(a, "accelerator", "area_scale", high=1e6),
        task_energy_unit_j=r.number(a, "accelerator", "task_energy_unit_j", high=1.0),
        default_speedup=r.number(a, "accelerator", "default_speedup", high=1e9),
        default_energy_reduction=r.number(a, "accelerator", "default_energy_reduction",
                                          high=1e9),
        default_area_mm2=r.number(a, "accelerator", "default_area_mm2", strict=False,
                                  high=1e4),
        reference_core=str(a["reference_core"]),
    )
    if acc.reference_core not in cores:
        raise ConfigError(f"{where}: field 'accelerator.reference_core' must name a core "
                          f"type, got {acc.reference_core!r}."
                          f"{did_you_mean(acc.reference_core, cores)} Core types: "
                          f"{', '.join(cores)}.")
    mem_data = top["memories"]
    if not isinstance(mem_data, Mapping) or not mem_data:
        raise r.fail("memories", "a non-empty mapping of memory kinds", mem_data)
    memories = {r.name(name, "memories"): _memory(r, name, v) for name, v in mem_data.items()}
    b = r.mapping(top["bus"], "bus", _BUS_KEYS, _BUS_KEYS)
    bus = BusType(r.number(b, "bus", "base_clock_hz", low=MIN_BASE_CLOCK_HZ, strict=False,
                           high=MAX_CLOCK_HZ),
                  r.number(b, "bus", "energy_per_byte_j", strict=False, high=1.0),
                  r.number(b, "bus", "area_mm2", strict=False, high=1e4))
    return BlockLibrary(
        cores=cores, accelerator=acc, memories=memories, bus=bus,
        widths_bytes=r.int_list(top, "", "widths_bytes", high=2**16),
        clock_multipliers=r.int_list(top, "", "clock_multipliers", high=1000),
        burst_bytes=r.integer(top, "", "burst_bytes", high=2**30) if "burst_bytes" in top
        else 1024,
        source=where,
    )


def load_library(path: str | Path) -> BlockLibrary:
    """Load a block-library YAML file in the format of ``blocks.yaml``.

    Raises:
        ConfigError: The file is missing, not UTF-8 or not YAML, or a field is unknown,
            missing, mistyped, not finite or out of range (the message names the file,
            the field and the value).
    """
    path = Path(path)
    where = f"block library {str(path)!r}"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{where}: no such file") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{where}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise ConfigError(f"{where}: cannot be read ({exc.strerror})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{where}: not valid YAML: {exc}") from None
    return library_from_dict(data, where)


_DEFAULT: list[BlockLibrary] = []


def default_library() -> BlockLibrary:
    """The shipped library (``blocks.yaml``), loaded once."""
    if not _DEFAULT:
        _DEFAULT.append(load_library(Path(__file__).resolve().parent / "blocks.yaml"))
    return _DEFAULT[0]
