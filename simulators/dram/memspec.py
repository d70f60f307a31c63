"""Memory specifications (organisation, JEDEC timings, IDD currents) loaded from JSON.

A memspec describes one DRAM device type and how x4/x8/x16 devices form a
64-bit rank. The shipped specs live next to this module as
``memspec_<name>.json``; each records its sources in a ``source`` field.

Timings are in memory-clock cycles (tCK); currents in mA per device; voltages
in V.

Validation
----------
Every memspec is checked when it is built (from JSON or as a :class:`MemSpec`),
so that the simulator's compiled kernel only ever sees values it can run
(an out-of-range timing could otherwise crash or hang it). A violation raises
:class:`~archgym.errors.ConfigError` naming the memspec, the field, the rule and
the value; an unknown key is rejected with the closest known keys.

=====================  ======================================================
field                  rule
=====================  ======================================================
``name``, ``source``,  strings (``name`` defaults to ``"<unnamed>"``)
``standard``
``tck_ns``             a finite number, 0.1 ns <= tck_ns <= 20 ns (DDR5-8800 has
                       0.227 ns, DDR-200 10 ns)
``device_width``       4, 8 or 16 (default 8)
``devices_per_rank``   an integer with device_width x devices_per_rank = 64
``bank_groups``        a power of two, 1–8 (DDR3 1, DDR4 4, DDR5 8)
``banks_per_group``    a power of two, 1–16
``rows``               a power of two, 2^8–2^20 (DDR4 8 Gb x8: 2^16)
``columns``            a power of two, 2^6–2^14 (DDR4: 2^10)
``burst_length``       8 (a rank moves 64 bytes per burst)
``timing``             exactly the keys of :data:`TIMING_KEYS`, each an integer
                       number of clocks (an integral float such as ``22.0`` is
                       accepted; booleans, strings and fractions are not):
                       every timing 0–:data:`MAX_TIMING` (4,096) clocks,
                       except tRFC 1–:data:`MAX_TRFC` (16,384) and tREFI
                       <= :data:`MAX_TREFI` (131,072); CL, CWL, tRCD, tRP,
                       tRAS, tRC and tCCD_S/L at least 1; tRC >= tRAS + tRP;
                       tREFI >= 2 x (tRFC + the sum of the other timings)
``power``              exactly the keys vdd, vpp (V, 0–5) and idd0, idd2n,
                       idd3n, idd4r, idd4w, idd5, ipp0, ipp2n, ipp3n (mA per
                       device, 0–10,000), finite numbers, with
                       idd2n <= idd3n <= idd0, idd4r, idd4w, idd5 and
                       ipp2n <= ipp3n <= ipp0 (so no energy term is negative)
=====================  ======================================================

Why these bounds: JEDEC DDR3/DDR4/DDR5 timings are tens of clocks (the
largest ordinary one, tFAW or tRC, stays below a few hundred even at DDR5's
fastest clock), so 4,096 clocks leaves an order of magnitude of headroom;
tRFC reaches ~1,800 clocks (DDR5 32 Gb, 410 ns at 0.227 ns) and tREFI
~70,000 (15.6 us at DDR5's clock). The rule on tREFI (it holds for every
JEDEC refresh mode, e.g. DDR4 16 Gb in 4x fine-granularity mode at high
temperature: tREFI 1,560 >= 2 x (416 + 320) at DDR4-3200) guarantees that
between two forced refreshes a rank always has time to serve a request, so
every simulation finishes; the bounds keep every clock the kernel computes far
from int64 overflow.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from archgym.errors import ConfigError, UnknownName, did_you_mean

__all__ = ["MAX_TIMING", "MAX_TREFI", "MAX_TRFC", "SHIPPED_MEMSPECS", "TIMING_KEYS", "MemSpec",
           "load_memspec"]

#: Timing parameters every memspec defines, in the order of :meth:`MemSpec.timing_array`.
TIMING_KEYS = (
    "CL", "CWL", "tRCD", "tRP", "tRAS", "tRC", "tRTP", "tWR", "tCCD_S", "tCCD_L",
    "tRRD_S", "tRRD_L", "tWTR_S", "tWTR_L", "tFAW", "tRFC", "tREFI", "tRTRS",
)
_POWER_KEYS = ("vdd", "vpp", "idd0", "idd2n", "idd3n", "idd4r", "idd4w", "idd5",
               "ipp0", "ipp2n", "ipp3n")
SHIPPED_MEMSPECS = ("DDR4-3200-8Gb-x8", "DDR4-2400-8Gb-x8", "DDR3-1600-1Gb-x8")
#: Largest value (clocks) of every timing but tRFC and tREFI.
MAX_TIMING = 4096
#: Largest tRFC (clocks).
MAX_TRFC = 16_384
#: Largest tREFI (clocks).
MAX_TREFI = 131_072
_MIN_ONE = frozenset({"CL", "CWL", "tRCD", "tRP", "tRAS", "tRC", "tCCD_S", "tCCD_L", "tRFC"})
_TOP_KEYS = ("name", "standard", "source", "tck_ns", "devices_per_rank", "device_width",
             "bank_groups", "banks_per_group", "rows", "columns", "burst_length", "timing",
             "power")
_POW2_RANGES = {"bank_groups": (1, 8), "banks_per_group": (1, 16), "rows": (2**8, 2**20),
                "columns": (2**6, 2**14)}


def _fail(name: str, where: str, rule: str, value: object) -> ConfigError:
    return ConfigError(f"memspec {name!r}: {where} {rule}, got {value!r}")


def _integer(name: str, where: str, value: object) -> int:
    """``value`` as an int: an int (not a bool) or an integral finite float."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(name, where, "must be an integer", value)
    if isinstance(value, float):
        if not math.isfinite(value) or value != int(value):
            raise _fail(name, where, "must be an integer", value)
        return int(value)
    return value


def _number(name: str, where: str, value: object, lo: float, hi: float) -> float:
    """``value`` as a float: a finite int or float (not a bool) in ``[lo, hi]``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(name, where, "must be a number", value)
    if not math.isfinite(value) or not lo <= value <= hi:
        raise _fail(name, where, f"must be a finite number in [{lo:g}, {hi:g}]", value)
    return float(value)


def _in_range(name: str, where: str, value: object, lo: int, hi: int) -> int:
    v = _integer(name, where, value)
    if not lo <= v <= hi:
        raise _fail(name, where, f"must be in [{lo}, {hi}]", value)
    return v


def _pow2(name: str, key: str, value: object, lo: int, hi: int) -> int:
    v = _integer(name, key, value)
    if v <= 0 or v & (v - 1) or not lo <= v <= hi:
        raise _fail(name, key, f"must be a power of two in [{lo}, {hi}]", value)
    return v


def _exact_keys(name: str, where: str, raw: object, keys: tuple[str, ...]) -> dict[str, Any]:
    """Check that ``raw`` is a dict with exactly ``keys`` (unknown ones suggest known ones)."""
    if not isinstance(raw, dict):
        raise _fail(name, where, f"must be a mapping of {', '.join(keys)}", raw)
    for k in raw:
        if k not in keys:
            raise ConfigError(f"memspec {name!r}: unknown {where} key {k!r}."
                              f"{did_you_mean(str(k), keys)} Known keys: {', '.join(keys)}.")
    missing = [k for k in keys if k not in raw]
    if missing:
        raise ConfigError(f"memspec {name!r}: {where} misses {', '.join(map(repr, missing))}")
    return raw


def _check_timing(name: str, raw: object) -> dict[str, int]:
    raw = _exact_keys(name, "timing", raw, TIMING_KEYS)
    t: dict[str, int] = {}
    for k in TIMING_KEYS:
        hi = MAX_TRFC if k == "tRFC" else MAX_TREFI if k == "tREFI" else MAX_TIMING
        t[k] = _in_range(name, f"timing {k}", raw[k], 1 if k in _MIN_ONE else 0, hi)
    if t["tRC"] < t["tRAS"] + t["tRP"]:
        raise _fail(name, "timing tRC", f"must be >= tRAS + tRP = {t['tRAS'] + t['tRP']}",
                    t["tRC"])
    floor = 2 * sum(v for k, v in t.items() if k != "tREFI")
    if t["tREFI"] < floor:
        raise _fail(name, "timing tREFI",
                    f"must be >= 2 x (tRFC + the sum of the other timings) = {floor} (so that a "
                    "rank has time to serve requests between refreshes)", t["tREFI"])
    return t


def _check_power(name: str, raw: object) -> dict[str, float]:
    raw = _exact_keys(name, "power", raw, _POWER_KEYS)
    p = {k: _number(name, f"power {k}", raw[k], 0.0, 5.0 if k.startswith("v") else 10_000.0)
         for k in _POWER_KEYS}
    for low, highs in (("idd2n", ("idd3n",)), ("idd3n", ("idd0", "idd4r", "idd4w", "idd5")),
                       ("ipp2n", ("ipp3n",)), ("ipp3n", ("ipp0",))):
        for high in highs:
            if p[high] < p[low]:
                raise _fail(name, f"power {high}", f"must be >= {low} ({p[low]:g})", p[high])
    return p


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

    def __post_init__(self) -> None:
        """Check every field (see the module docstring) and normalise the numbers.

        Raises:
            ConfigError: naming the memspec, the field, the rule and the value.
        """
        if not isinstance(self.name, str):
            raise ConfigError(f"memspec name must be a string, got {self.name!r}")
        name = self.name
        if not isinstance(self.source, str):
            raise _fail(name, "source", "must be a string", self.source)
        fields = {
            "tck_ns": _number(name, "tck_ns", self.tck_ns, 0.1, 20.0),
            "devices_per_rank": _integer(name, "devices_per_rank", self.devices_per_rank),
            **{k: _pow2(name, k, getattr(self, k), lo, hi) for k, (lo, hi) in _POW2_RANGES.items()},
            "burst_length": _integer(name, "burst_length", self.burst_length),
            "timing": _check_timing(name, self.timing),
            "power": _check_power(name, self.power),
        }
        if fields["devices_per_rank"] not in (4, 8, 16):
            raise _fail(name, "devices_per_rank", "must be 4, 8 or 16 (x16, x8 or x4 devices "
                        "forming a 64-bit rank)", self.devices_per_rank)
        if fields["burst_length"] != 8:
            raise _fail(name, "burst_length", "must be 8 (a rank moves 64 bytes per burst: BL8 "
                        "on a 64-bit bus)", self.burst_length)
        for k, v in fields.items():
            object.__setattr__(self, k, v)

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


def _from_dict(raw: object) -> MemSpec:
    if not isinstance(raw, dict):
        raise ConfigError(f"memspec: the JSON must be an object of {', '.join(_TOP_KEYS)}, "
                          f"got {type(raw).__name__}")
    name = raw.get("name", "<unnamed>")
    if not isinstance(name, str):
        raise ConfigError(f"memspec name must be a string, got {name!r}")
    for k in raw:
        if k not in _TOP_KEYS:
            raise ConfigError(f"memspec {name!r}: unknown key {k!r}."
                              f"{did_you_mean(str(k), _TOP_KEYS)} "
                              f"Known keys: {', '.join(_TOP_KEYS)}.")
    missing = [k for k in _TOP_KEYS
               if k not in raw and k not in ("name", "standard", "source", "device_width")]
    if missing:
        raise ConfigError(f"memspec {name!r}: missing field {', '.join(map(repr, missing))}")
    for k in ("standard", "source"):
        if not isinstance(raw.get(k, ""), str):
            raise _fail(name, k, "must be a string", raw[k])
    width = raw.get("device_width", 8)
    if isinstance(width, bool) or width not in (4, 8, 16):
        raise _fail(name, "device_width", "must be 4, 8 or 16", width)
    devices = raw["devices_per_rank"]
    if isinstance(devices, bool) or not isinstance(devices, int | float) or width * devices != 64:
        raise _fail(name, "devices_per_rank", f"must make a 64-bit rank of x{width} devices "
                    f"(device_width x devices_per_rank = 64, so {64 // width})", devices)
    return MemSpec(
        name=name,
        tck_ns=raw["tck_ns"],
        devices_per_rank=_integer(name, "devices_per_rank", devices),
        bank_groups=raw["bank_groups"],
        banks_per_group=raw["banks_per_group"],
        rows=raw["rows"],
        columns=raw["columns"],
        burst_length=raw["burst_length"],
        timing=raw["timing"],
        power=raw["power"],
        source=raw.get("source", ""),
    )


def load_memspec(spec: str | Path | MemSpec) -> MemSpec:
    """Load a shipped memspec by name, or a JSON memspec file by path.

    Args:
        spec: A name from :data:`SHIPPED_MEMSPECS`, a path to a JSON file, or a
            ready :class:`MemSpec`.

    Raises:
        UnknownName: ``spec`` is neither a shipped name nor an existing file.
        ConfigError: the JSON is malformed, has an unknown key, misses a
            field, or a value breaks its rule (see the module docstring).
    """
    if isinstance(spec, MemSpec):
        return spec  # checked when it was built
    if str(spec) in SHIPPED_MEMSPECS:
        text = resources.files(__package__).joinpath(f"memspec_{spec}.json").read_text()
        return _from_dict(json.loads(text))
    path = Path(spec)
    if not path.is_file():
        raise UnknownName("memspec", str(spec), SHIPPED_MEMSPECS)
    try:
        raw = json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"memspec file {path}: not UTF-8 text ({exc})") from None
    except (json.JSONDecodeError, RecursionError) as exc:
        raise ConfigError(f"memspec file {path}: invalid JSON ({exc})") from None
    except OSError as exc:
        raise ConfigError(f"memspec file {path}: cannot read it ({exc})") from None
    return _from_dict(raw)
