"""The accelerator catalogue (``accelerators.yaml``): vendor spec-sheet figures per GPU."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from archgym.errors import ConfigError, InvalidDesign, UnknownName

__all__ = ["ACCELERATORS", "PRECISIONS", "Accelerator", "load_accelerators"]

#: Weight/compute precisions the simulator models: bytes per weight and KV value.
PRECISIONS: dict[str, int] = {"bf16": 2, "fp16": 2, "fp8": 1}


@dataclass(frozen=True)
class Accelerator:
    """One GPU type.

    Attributes:
        key: Catalogue key, e.g. ``"h100-sxm"``.
        name: Marketing name.
        peak_flops: Precision -> dense tensor-core peak (FLOP/s).
        hbm_bytes: HBM capacity (bytes).
        hbm_bandwidth: HBM bandwidth (bytes/s).
        nvlink_bandwidth: NVLink bandwidth per direction per GPU (bytes/s),
            half the aggregate bidirectional figure NVIDIA quotes.
        tdp_w: Thermal design power (W).
        price_usd_per_hour: On-demand price of one GPU (US dollars per hour).
    """

    key: str
    name: str
    peak_flops: Mapping[str, float]
    hbm_bytes: float
    hbm_bandwidth: float
    nvlink_bandwidth: float
    tdp_w: float
    price_usd_per_hour: float

    def flops(self, precision: str) -> float:
        """Dense peak FLOP/s at ``precision``.

        Raises:
            InvalidDesign: the GPU has no tensor cores for that precision
                (e.g. FP8 on an A100).
        """
        if precision not in self.peak_flops:
            raise InvalidDesign(
                f"accelerator {self.key!r} has no {precision} tensor cores "
                f"(it supports {', '.join(sorted(self.peak_flops))})",
                parameter="accelerator", value=self.key)
        return float(self.peak_flops[precision])


def _accelerator(key: str, entry: Mapping[str, Any]) -> Accelerator:
    try:
        return Accelerator(
            key=key,
            name=str(entry["name"]),
            peak_flops={str(p): float(v) * 1e12 for p, v in entry["peak_tflops"].items()},
            hbm_bytes=float(entry["hbm_gb"]) * 1e9,
            hbm_bandwidth=float(entry["hbm_tbps"]) * 1e12,
            nvlink_bandwidth=float(entry["nvlink_gbps"]) * 1e9 / 2.0,
            tdp_w=float(entry["tdp_w"]),
            price_usd_per_hour=float(entry["price_usd_per_hour"]),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ConfigError(f"accelerators.yaml: entry {key!r} is malformed: {exc!r}") from exc


@functools.cache
def load_accelerators() -> dict[str, Accelerator]:
    """Every accelerator of ``accelerators.yaml``, by key (read once)."""
    text = resources.files("archgym.simulators.llm_serving").joinpath(
        "accelerators.yaml").read_text()
    data = yaml.safe_load(text)
    return {key: _accelerator(key, entry) for key, entry in data.items()}


class _Catalogue(Mapping[str, Accelerator]):
    """Read-only mapping key -> :class:`Accelerator`, loaded on first access."""

    def __getitem__(self, key: str) -> Accelerator:
        table = load_accelerators()
        if key not in table:
            raise UnknownName("accelerator", key, table)
        return table[key]

    def __iter__(self) -> Iterator[str]:
        return iter(load_accelerators())

    def __len__(self) -> int:
        return len(load_accelerators())


#: Accelerator key -> :class:`Accelerator` (``a100-80gb-sxm``, ``h100-sxm``, ``h200-sxm``).
ACCELERATORS: Mapping[str, Accelerator] = _Catalogue()
