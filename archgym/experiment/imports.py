"""The modules a sweep spec imports before it makes envs and agents.

A spec's ``imports`` name modules that register user envs (with Gymnasium) or
agents (with :func:`archgym.agents.register_agent`). They are imported in the
driver and in every worker, before anything is looked up.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable

__all__ = ["import_modules"]


def import_modules(names: Iterable[str]) -> None:
    """Import ``archgym`` (its envs) and each module; already imported ones are kept."""
    import archgym  # noqa: F401  (registers the built-in envs)

    for name in names:
        importlib.import_module(name)
