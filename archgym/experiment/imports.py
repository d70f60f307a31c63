"""The modules a sweep spec imports before it makes envs and agents.

A spec's ``imports`` name modules that register user envs (with Gymnasium) or
agents (with :func:`archgym.agents.register_agent`). They are imported in the
driver and in every worker, before anything is looked up.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterable

__all__ = ["import_modules"]


def import_modules(names: Iterable[str], base_dir: str = "") -> None:
    """Import ``archgym`` (its envs) and each module; already imported ones are kept.

    Args:
        names: Module names.
        base_dir: A folder searched for the modules too (the spec's folder);
            it is added to ``sys.path`` (once) so a user module next to the
            spec imports without setting ``PYTHONPATH``.
    """
    import archgym  # noqa: F401  (registers the built-in envs)

    names = list(names)
    if names and base_dir and base_dir not in sys.path:
        sys.path.append(base_dir)
    for name in names:
        importlib.import_module(name)
