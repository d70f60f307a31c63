"""Figures without global state: Matplotlib's object-oriented API, saved atomically as PNG.

Nothing here selects a Matplotlib backend or touches ``pyplot``: a
:class:`matplotlib.figure.Figure` made directly renders with the Agg canvas
when saved, so a library call never changes the backend of a user's session
(a notebook keeps its inline backend) and importing ArchGym draws nothing.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from archgym.atomic import atomic_path

__all__ = ["colours", "new_figure", "save_png"]


def new_figure(
    width: float,
    height: float,
    *,
    layout: Literal["constrained", "compressed", "tight"] | None = None,
    **subplots: Any,
) -> tuple[Any, Any]:
    """A new ``(figure, axes)`` of ``width`` x ``height`` inches.

    Args:
        width: Figure width (inches).
        height: Figure height (inches).
        layout: Matplotlib layout engine, e.g. ``"constrained"`` (which also
            makes room for ``fig.legend(loc="outside ...")``, ``suptitle``,
            ``supxlabel``); ``None``: :func:`save_png` applies ``tight_layout``.
        **subplots: Keyword arguments of ``Figure.subplots``.
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout=layout)
    return fig, fig.subplots(**subplots)


#: Grey entries of tab10 / tab20, left out of :func:`colours` (figures draw context in grey).
_GREYS = {"tab10": (7,), "tab20": (14, 15)}


def colours(names: list[str]) -> dict[str, Any]:
    """A distinct, non-grey colour per name (tab10 up to nine names, else tab20).

    Grey is left for context (e.g. other agents' curves); beyond 18 names colours repeat.
    """
    import matplotlib

    name = "tab10" if len(names) <= 9 else "tab20"
    cmap = matplotlib.colormaps[name]
    palette = [cmap(i) for i in range(cmap.N) if i not in _GREYS[name]]
    return {n: palette[i % len(palette)] for i, n in enumerate(names)}


def save_png(fig: Any, path: str | os.PathLike[str], dpi: int = 110) -> Path:
    """Lay out and write ``fig`` to ``path`` as PNG (atomically); return the path.

    ``tight_layout`` is applied unless the figure has a layout engine already.
    """
    if fig.get_layout_engine() is None:
        fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=dpi)
    return Path(path)
