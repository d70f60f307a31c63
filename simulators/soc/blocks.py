"""The block library: characteristics of processing elements, memories and buses.

Loaded from ``blocks.yaml`` next to this module (its header cites the sources: FARSI's
published block characteristics plus our documented estimates). Units are SI (Hz, J,
bytes) except areas, which are in mm^2.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from archgym.errors import ConfigError

__all__ = ["AcceleratorModel", "BlockLibrary", "CoreType", "LinkType", "default_library"]


@dataclass(frozen=True)
class CoreType:
    """A general-purpose core type.

    Attributes:
        name: Catalogue name, e.g. ``"A53_1GHz"``.
        ipc: Instructions per cycle.
        freq_hz: Clock frequency (Hz).
        energy_per_instruction_j: Energy per instruction (J).
        area_mm2: Area (mm^2).
    """

    name: str
    ipc: float
    freq_hz: float
    energy_per_instruction_j: float
    area_mm2: float

    @property
    def instructions_per_s(self) -> float:
        """Throughput (instructions/s)."""
        return self.ipc * self.freq_hz


@dataclass(frozen=True)
class AcceleratorModel:
    """How per-task accelerators are characterised (see ``blocks.yaml``)."""

    freq_hz: float
    lanes: tuple[int, ...]
    default_speedup: float
    reference_gpp: str
    power_reduction: float
    default_fixed_area_mm2: float
    lane_area_mm2: float


@dataclass(frozen=True)
class LinkType:
    """A memory or bus kind; bandwidth = width (bytes/cycle) x ``freq_hz``.

    Attributes:
        name: ``"sram"``, ``"dram"`` or ``"bus"``.
        freq_hz: Clock (Hz).
        energy_per_byte_j: Energy per byte accessed (memory) or per byte per hop (bus) (J).
        area_mm2: Fixed area (mm^2).
        area_per_width_byte_mm2: Extra area per byte of width (mm^2).
        hop_latency_cycles: Latency a transfer pays per bus on its path (buses only).
    """

    name: str
    freq_hz: float
    energy_per_byte_j: float
    area_mm2: float
    area_per_width_byte_mm2: float
    hop_latency_cycles: float = 0.0

    def area(self, width: int) -> float:
        """Area (mm^2) at ``width`` bytes per cycle."""
        return self.area_mm2 + self.area_per_width_byte_mm2 * width


@dataclass(frozen=True)
class BlockLibrary:
    """Every block the design space can allocate."""

    gpp: dict[str, CoreType]
    accelerator: AcceleratorModel
    memory: dict[str, LinkType]
    bus: LinkType
    widths: tuple[int, ...]

    @property
    def reference_core(self) -> CoreType:
        """The core the accelerators' default speed-up is measured against."""
        return self.gpp[self.accelerator.reference_gpp]


def _get(where: str, d: Any, key: str) -> Any:
    if not isinstance(d, dict) or key not in d:
        raise ConfigError(f"block library {where}: missing field {key!r}")
    return d[key]


def load_library(path: str | Path) -> BlockLibrary:
    """Load a block library YAML file in the format of ``blocks.yaml``.

    Raises:
        ConfigError: A missing field (named) or an unknown reference core.
    """
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    gpp = {
        name: CoreType(name, float(_get(name, v, "ipc")), float(_get(name, v, "freq_hz")),
                       float(_get(name, v, "energy_per_instruction_j")),
                       float(_get(name, v, "area_mm2")))
        for name, v in _get("root", data, "gpp").items()
    }
    a = _get("root", data, "accelerator")
    acc = AcceleratorModel(
        freq_hz=float(_get("accelerator", a, "freq_hz")),
        lanes=tuple(int(x) for x in _get("accelerator", a, "lanes")),
        default_speedup=float(_get("accelerator", a, "default_speedup")),
        reference_gpp=str(_get("accelerator", a, "reference_gpp")),
        power_reduction=float(_get("accelerator", a, "power_reduction")),
        default_fixed_area_mm2=float(_get("accelerator", a, "default_fixed_area_mm2")),
        lane_area_mm2=float(_get("accelerator", a, "lane_area_mm2")),
    )
    if acc.reference_gpp not in gpp:
        raise ConfigError(f"block library: reference_gpp {acc.reference_gpp!r} is not a gpp type")

    def link(name: str, v: dict[str, Any]) -> LinkType:
        return LinkType(name, float(_get(name, v, "freq_hz")),
                        float(_get(name, v, "energy_per_byte_j")), float(_get(name, v, "area_mm2")),
                        float(_get(name, v, "area_per_width_byte_mm2")),
                        float(v.get("hop_latency_cycles", 0.0)))

    memory = {name: link(name, v) for name, v in _get("root", data, "memory").items()}
    return BlockLibrary(gpp=gpp, accelerator=acc, memory=memory,
                        bus=link("bus", _get("root", data, "bus")),
                        widths=tuple(int(w) for w in _get("root", data, "widths_bytes")))


_DEFAULT: list[BlockLibrary] = []


def default_library() -> BlockLibrary:
    """The shipped library (``blocks.yaml``), loaded once."""
    if not _DEFAULT:
        _DEFAULT.append(load_library(Path(__file__).resolve().parent / "blocks.yaml"))
    return _DEFAULT[0]
