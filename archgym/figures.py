"""Figures without global state: Matplotlib's object-oriented API, saved atomically as PNG.

Nothing here selects a Matplotlib backend or touches ``pyplot``: a
:class:`matplotlib.figure.Figure` made directly renders with the Agg canvas
when saved, so a library call never changes the backend of a user's session
(a notebook keeps its inline backend) and importing ArchGym draws nothing.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from archgym.atomic import atomic_path

__all__ = ["colours", "new_figure", "save_png"]


def new_figure(width: float, height: float, **subplots: Any) -> tuple[Any, Any]:
    """A new ``(figure, axes)`` of ``width`` x ``height`` inches (``Figure.subplots`` kwargs)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height))
    return fig, fig.subplots(**subplots)


def colours(names: list[str]) -> dict[str, Any]:
    """A distinct colour per name (tab10, or tab20 beyond ten names)."""
    import matplotlib

    cmap = matplotlib.colormaps["tab10" if len(names) <= 10 else "tab20"]
    return {n: cmap(i % cmap.N) for i, n in enumerate(names)}


def save_png(fig: Any, path: str | os.PathLike[str], dpi: int = 110) -> Path:
    """Lay out and write ``fig`` to ``path`` as PNG (atomically); return the path."""
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=dpi)
    return Path(path)
