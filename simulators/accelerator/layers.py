"""DNN layers and their lowering to the GEMM a systolic array executes.

Every layer becomes ``count`` identical GEMMs ``(M x K) @ (K x N)``:

* **Convolution** with a (padded) ``H x W x C`` input, ``R x S`` filters, ``N``
  filters and stride ``s``: ``E = (H - R) // s + 1``, ``F = (W - S) // s + 1``,
  ``M = E * F`` output pixels, ``N`` filters, ``K = R * S * C`` (the filter
  volume). The ifmap operand is the im2col matrix (``M x K``); it holds each
  input pixel up to ``R * S / s**2`` times, so its *unique* size
  ``H * W * C`` is what DRAM moves (see :mod:`.tiling`). Input sizes include the
  padding, as in SCALE-Sim topology files.
* **Depthwise convolution** over ``C`` channels: ``C`` one-channel convolutions,
  i.e. ``count = C`` GEMMs with ``N = 1`` and ``K = R * S`` (SCALE-Sim splits a
  depthwise layer into one-channel layers the same way).
* **Fully connected** ``in -> out`` at batch ``b``: ``M = b``, ``N = out``, ``K = in``.
* **GEMM** ``(M, N, K)`` as given (attention products, transformer projections).

A network is a :class:`LayerTable`: the layers as parallel NumPy columns, so the
model evaluates all layers of all designs at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from archgym.errors import ConfigError

__all__ = ["KINDS", "Layer", "LayerTable", "conv_layer", "gemm_layer"]

#: Layer kinds the model knows.
KINDS = ("conv", "dwconv", "fc", "gemm")


#: Largest GEMM dimension or repetition count of a layer (a 32-bit index).
MAX_DIM = 2**31 - 1
#: Largest MAC count of one layer the float64 model counts exactly.
MAX_LAYER_MACS = 2**53

@dataclass(frozen=True)
class Layer:
    """One layer, already lowered to a GEMM.

    Attributes:
        name: Layer name.
        kind: One of :data:`KINDS`.
        M: Rows of the ifmap operand (output pixels, or tokens).
        N: Columns of the filter operand (filters / output features).
        K: Reduction length (filter volume / input features).
        count: How many identical GEMMs the layer is (repeated blocks,
            depthwise channels).
        ifmap_unique: Distinct ifmap elements of one GEMM (``H*W*C`` for a
            convolution, ``M*K`` otherwise).
    """

    name: str
    kind: str
    M: int
    N: int
    K: int
    count: int = 1
    ifmap_unique: int = 0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ConfigError(
                f"layer {self.name!r}: kind must be one of {KINDS}, got {self.kind!r}")
        for field in ("M", "N", "K", "count"):
            value = getattr(self, field)
            if int(value) < 1:
                raise ConfigError(f"layer {self.name!r}: {field} must be >= 1, got {value!r}")
        if self.ifmap_unique <= 0:
            object.__setattr__(self, "ifmap_unique", self.M * self.K)

    @property
    def macs(self) -> int:
        """Multiply-accumulates of the whole layer (all ``count`` GEMMs)."""
        return self.M * self.N * self.K * self.count


def conv_layer(
    name: str,
    ifmap_h: int,
    ifmap_w: int,
    filter_h: int,
    filter_w: int,
    channels: int,
    num_filters: int,
    stride: int = 1,
    *,
    depthwise: bool = False,
    count: int = 1,
) -> Layer:
    """Lower a convolution to its GEMM view (see the module docstring).

    Args:
        name: Layer name.
        ifmap_h: Input height including padding (pixels).
        ifmap_w: Input width including padding (pixels).
        filter_h: Filter height R (pixels).
        filter_w: Filter width S (pixels).
        channels: Input channels C.
        num_filters: Filters N (ignored for depthwise: one filter per channel).
        stride: Stride in both directions.
        depthwise: One filter per input channel (``count`` gains a factor C).
        count: Repetitions of the layer.

    Raises:
        ConfigError: a size is not positive or the filter is larger than the input.
    """
    for label, v in (("ifmap_h", ifmap_h), ("ifmap_w", ifmap_w), ("filter_h", filter_h),
                     ("filter_w", filter_w), ("channels", channels),
                     ("num_filters", num_filters), ("stride", stride), ("count", count)):
        if int(v) < 1:
            raise ConfigError(f"layer {name!r}: {label} must be >= 1, got {v!r}")
    if filter_h > ifmap_h or filter_w > ifmap_w:
        raise ConfigError(
            f"layer {name!r}: filter {filter_h}x{filter_w} is larger than the (padded) "
            f"input {ifmap_h}x{ifmap_w}"
        )
    e = (ifmap_h - filter_h) // stride + 1
    f = (ifmap_w - filter_w) // stride + 1
    if depthwise:
        return Layer(name, "dwconv", e * f, 1, filter_h * filter_w, count * channels,
                     ifmap_h * ifmap_w)
    return Layer(name, "conv", e * f, num_filters, filter_h * filter_w * channels, count,
                 ifmap_h * ifmap_w * channels)


def gemm_layer(name: str, m: int, n: int, k: int, *, kind: str = "gemm", count: int = 1) -> Layer:
    """A GEMM (or fully connected) layer ``(M x K) @ (K x N)``."""
    return Layer(name, kind, int(m), int(n), int(k), int(count))


class LayerTable:
    """A network as parallel columns (one entry per layer).

    Args:
        layers: The layers, in execution order.
        name: Network name.

    Attributes:
        M, N, K, count, ifmap_unique: ``float64`` arrays of shape ``(L,)``.
    """

    def __init__(self, layers: Sequence[Layer], name: str = ""):
        if not layers:
            raise ConfigError(f"network {name!r} has no layers")
        for layer in layers:
            if not all(1 <= v <= MAX_DIM for v in (layer.M, layer.N, layer.K, layer.count)):
                raise ConfigError(
                    f"network {name!r}: layer {layer.name!r} has a GEMM size outside "
                    f"[1, {MAX_DIM:,}] (M={layer.M}, N={layer.N}, K={layer.K}, "
                    f"count={layer.count})"
                )
            if layer.macs > MAX_LAYER_MACS:
                raise ConfigError(
                    f"network {name!r}: layer {layer.name!r} has {layer.macs:.3g} MACs, more "
                    f"than the {MAX_LAYER_MACS:.3g} the model counts exactly (2^53)"
                )
        self.layers: tuple[Layer, ...] = tuple(layers)
        self.name = name
        self.names = tuple(layer.name for layer in self.layers)
        self.M = np.array([x.M for x in self.layers], dtype=np.float64)
        self.N = np.array([x.N for x in self.layers], dtype=np.float64)
        self.K = np.array([x.K for x in self.layers], dtype=np.float64)
        self.count = np.array([x.count for x in self.layers], dtype=np.float64)
        self.ifmap_unique = np.array([x.ifmap_unique for x in self.layers], dtype=np.float64)
        #: Columns M, N, K, count, ifmap_unique as one ``(L, 5)`` matrix.
        self.matrix = np.ascontiguousarray(
            np.stack([self.M, self.N, self.K, self.count, self.ifmap_unique], axis=1))
        self._total_macs = int(sum(x.macs for x in self.layers))

    def __len__(self) -> int:
        return len(self.layers)

    def __repr__(self) -> str:
        return f"LayerTable({self.name!r}, {len(self)} layers, {self.total_macs:.4g} MACs)"

    @property
    def total_macs(self) -> int:
        """Multiply-accumulates of the whole network."""
        return self._total_macs
