"""The networks shipped with the simulator, read from ``workloads.csv``.

``WORKLOADS`` maps a network name to its :class:`~.layers.LayerTable`; the
table file is read on first access. ``workloads.csv`` names the publication
each layer shape comes from.

=====================  =========================================================
name                   network
=====================  =========================================================
``alexnet``            AlexNet (single tower, ungrouped), 227x227
``vgg16``              VGG-16 (configuration D), 224x224
``resnet18``           ResNet-18, 224x224
``resnet50``           ResNet-50, 224x224
``mobilenetv2``        MobileNetV2 (width 1.0), 224x224
``bert_base_layer``    one BERT-base encoder layer, sequence 128
``gpt2_small_decode``  one GPT-2-small decode step at context 1024
=====================  =========================================================
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator, Mapping
from importlib import resources
from pathlib import Path

from archgym.errors import ConfigError, UnknownName
from archgym.simulators.accelerator.layers import Layer, LayerTable, conv_layer, gemm_layer
from archgym.simulators.accelerator.topology import load_topology

__all__ = ["NAMES", "WORKLOADS", "resolve_workload"]

#: Names of the shipped networks, in a fixed order.
NAMES = ("alexnet", "vgg16", "resnet18", "resnet50", "mobilenetv2", "bert_base_layer",
         "gpt2_small_decode")

_CONV = ("ifmap_h", "ifmap_w", "filter_h", "filter_w", "channels", "num_filters", "stride")


def _row_layer(row: dict[str, str], where: str) -> Layer:
    def num(key: str) -> int:
        try:
            return int(row[key])
        except (TypeError, ValueError):
            raise ConfigError(f"{where}: column {key!r} must be an integer, "
                              f"got {row[key]!r}") from None

    kind = row["kind"]
    count = num("count")
    if kind in ("conv", "dwconv"):
        h, w, r, s, c, n, st = (num(k) for k in _CONV)
        return conv_layer(row["layer"], h, w, r, s, c, n, st, depthwise=kind == "dwconv",
                          count=count)
    if kind in ("fc", "gemm"):
        return gemm_layer(row["layer"], num("M"), num("N"), num("K"), kind=kind, count=count)
    raise ConfigError(f"{where}: kind must be conv, dwconv, fc or gemm, got {kind!r}")


@functools.cache
def _load_all() -> dict[str, LayerTable]:
    source = "workloads.csv"
    text = resources.files("archgym.simulators.accelerator").joinpath(source).read_text()
    header: list[str] | None = None
    layers: dict[str, list[Layer]] = {}
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = [c.strip() for c in line.split(",")]
        if header is None:
            header = cells
            continue
        where = f"{source}:{line_no}"
        if len(cells) != len(header):
            raise ConfigError(f"{where}: expected {len(header)} columns, got {len(cells)}")
        row = dict(zip(header, cells, strict=True))
        try:
            layer = _row_layer(row, where)
        except ConfigError as exc:
            raise ConfigError(f"{where}: {exc}") from None
        layers.setdefault(row["network"], []).append(layer)
    return {name: LayerTable(ls, name=name) for name, ls in layers.items()}


class _Workloads(Mapping[str, LayerTable]):
    """Read-only mapping of network name -> LayerTable, loaded on first access."""

    def __getitem__(self, name: str) -> LayerTable:
        if name not in NAMES:
            raise UnknownName("workload", name, NAMES)
        return _load_all()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(NAMES)

    def __len__(self) -> int:
        return len(NAMES)

    def __contains__(self, name: object) -> bool:
        return name in NAMES

    def __repr__(self) -> str:
        return f"WORKLOADS({', '.join(NAMES)})"


#: Network name -> :class:`LayerTable` of the shipped networks.
WORKLOADS: Mapping[str, LayerTable] = _Workloads()


def resolve_workload(workload: str | os.PathLike[str] | LayerTable) -> LayerTable:
    """A workload as a :class:`LayerTable`.

    Args:
        workload: A shipped network name, a path to a SCALE-Sim topology CSV,
            or a ready :class:`LayerTable`.

    Raises:
        UnknownName: a string that is neither a network name nor a file.
        ConfigError: the topology file is malformed.
    """
    if isinstance(workload, LayerTable):
        return workload
    if isinstance(workload, str) and workload in NAMES:
        return WORKLOADS[workload]
    if isinstance(workload, os.PathLike) or (
        isinstance(workload, str) and (workload.endswith(".csv") or Path(workload).is_file())
    ):
        return load_topology(workload)
    raise UnknownName("workload", workload, NAMES)
