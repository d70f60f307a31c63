"""Read SCALE-Sim topology CSV files into a :class:`~.layers.LayerTable`.

Two forms are accepted, told apart by the header row:

* **conv form** — ``Layer name, IFMAP Height, IFMAP Width, Filter Height,
  Filter Width, Channels, Num Filter, Strides,`` (input sizes include padding;
  a layer whose name contains ``DP`` is depthwise, as in SCALE-Sim);
* **GEMM form** — ``Layer, M, N, K,``.

As in SCALE-Sim, rows may end with a comma and may carry a trailing ``N:M``
sparsity column (ignored here). Blank lines and lines starting with ``#`` are
skipped. Every error names the file and line.
"""

from __future__ import annotations

import os
from pathlib import Path

from archgym.errors import ConfigError
from archgym.simulators.accelerator.layers import Layer, LayerTable, conv_layer, gemm_layer

__all__ = ["load_topology", "parse_topology"]

_CONV_COLUMNS = ("ifmap height", "ifmap width", "filter height", "filter width", "channels",
                 "num filter", "strides")


def load_topology(path: str | os.PathLike[str]) -> LayerTable:
    """Read a SCALE-Sim topology CSV (conv or GEMM form).

    Args:
        path: The CSV file.

    Returns:
        The network, named after the file stem.

    Raises:
        ConfigError: the file is missing, empty or malformed (the message
            gives ``file:line`` and the offending value).
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"topology file {str(p)!r} is not UTF-8 text ({exc.reason})") from exc
    except OSError as exc:
        raise ConfigError(f"cannot read topology file {str(p)!r}: {exc.strerror}") from exc
    return parse_topology(text, source=str(p), name=p.stem)


def _cells(line: str) -> list[str]:
    cells = [c.strip() for c in line.split(",")]
    while cells and cells[-1] == "":
        cells.pop()
    return cells


#: Largest layer dimension a topology may give (a 32-bit index; larger is a typo).
MAX_DIM = 2**31 - 1


def _int(cell: str, column: str, where: str) -> int:
    try:
        value = int(cell)
    except ValueError:
        raise ConfigError(f"{where}: column {column!r} must be an integer, got {cell!r}") from None
    if not 1 <= value <= MAX_DIM:
        raise ConfigError(
            f"{where}: column {column!r} must be in [1, {MAX_DIM:,}], got {value}"
        )
    return value


def parse_topology(text: str, *, source: str = "<string>", name: str = "") -> LayerTable:
    """Parse the text of a SCALE-Sim topology CSV (see :func:`load_topology`)."""
    rows = [
        (i, _cells(line)) for i, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not rows:
        raise ConfigError(f"{source}: topology file has no header and no layers")
    header_line, header = rows[0]
    labels = [h.lower() for h in header]
    gemm = labels[1:4] == ["m", "n", "k"]
    if not gemm and tuple(labels[1:8]) != _CONV_COLUMNS:
        raise ConfigError(
            f"{source}:{header_line}: unrecognised header {', '.join(header)!r}; expected "
            "'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, "
            "Num Filter, Strides' (conv form) or 'Layer, M, N, K' (GEMM form)"
        )
    need = 4 if gemm else 8
    layers: list[Layer] = []
    for line_no, cells in rows[1:]:
        where = f"{source}:{line_no}"
        if len(cells) < need:
            raise ConfigError(
                f"{where}: expected at least {need} columns ({', '.join(header[:need])}), "
                f"got {len(cells)}: {','.join(cells)!r}"
            )
        layer_name = cells[0] or f"layer{len(layers)}"
        nums = [_int(c, header[j + 1], where) for j, c in enumerate(cells[1:need])]
        try:
            if gemm:
                layers.append(gemm_layer(layer_name, *nums))
            else:
                h, w, r, s, c, n, st = nums
                layers.append(conv_layer(layer_name, h, w, r, s, c, n, st,
                                         depthwise="DP" in layer_name))
        except ConfigError as exc:
            raise ConfigError(f"{where}: {exc}") from None
    if not layers:
        raise ConfigError(f"{source}: topology file has a header but no layers")
    return LayerTable(layers, name=name)
