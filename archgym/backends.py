"""Backend selection: which `Simulator` answers an env's evaluations.

An env is built around its real simulator; ``backend`` picks what actually
answers ``step``: the simulator itself, a trained proxy model standing in for
it, or a mix. Backends are found by name in :data:`BACKENDS` (string entry
points, imported lazily), so no env contains a switch between them.
"""

from __future__ import annotations

import importlib
from typing import Any

from archgym.errors import ConfigError, UnknownName
from archgym.simulator import Simulator

__all__ = ["BACKENDS", "register_backend", "resolve_backend"]

#: Backend name -> ``"module:factory"``. A factory takes
#: ``(simulator, *, workload, **options)`` and returns a :class:`Simulator`.
BACKENDS: dict[str, str] = {
    "proxy": "archgym.proxy.backend:proxy_backend",
    "auto": "archgym.proxy.backend:auto_backend",
}


def register_backend(name: str, entry_point: str) -> None:
    """Register a backend factory under ``name`` (``"module:function"``)."""
    BACKENDS[name] = entry_point


def resolve_backend(
    backend: str | Simulator, simulator: Simulator, *, workload: Any, **options: Any
) -> Simulator:
    """Return the :class:`Simulator` that should answer for ``simulator``.

    Args:
        backend: ``"simulator"``, a name in :data:`BACKENDS`, or a ready
            :class:`Simulator` with the same design space.
        simulator: The env's real simulator.
        workload: The env's workload (proxies are trained per workload).
        **options: The backend's own options (e.g. ``proxy_model``).
    """
    if isinstance(backend, Simulator):
        if backend.design_space != simulator.design_space:
            raise ConfigError("the backend's design space differs from the env's simulator's")
        if options:
            raise ConfigError(f"options {sorted(options)} need a named backend, not an instance")
        return backend
    if backend == "simulator":
        if options:
            raise ConfigError(
                f"unexpected keyword argument(s) {sorted(options)}: not a parameter of this env, "
                "and backend 'simulator' takes no options (proxy options need backend='proxy')"
            )
        return simulator
    if backend not in BACKENDS:
        raise UnknownName("backend", backend, ["simulator", *BACKENDS])
    module, _, attr = BACKENDS[backend].partition(":")
    factory = getattr(importlib.import_module(module), attr)
    return factory(simulator, workload=workload, **options)
