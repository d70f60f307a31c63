"""Simulation backends: which `Simulator` answers an env's evaluations.

An env is built around its real simulator; ``backend`` picks what actually
answers ``step``: the simulator itself, a trained proxy model standing in for
it, or a mix. Backends are a :class:`~archgym.registry.Registry` of factories
(string entry points, imported lazily), so no env contains a switch between
them. A factory takes ``(simulator, *, design_space, workload, **options)``
and returns a :class:`Simulator` whose design space is ``design_space``.
"""

from __future__ import annotations

from typing import Any

from archgym.errors import ConfigError
from archgym.registry import Registry
from archgym.simulator import Simulator
from archgym.space import DesignSpace

__all__ = ["BACKENDS", "register_backend", "resolve_backend"]


def _simulator_backend(
    simulator: Simulator, *, design_space: DesignSpace, workload: str, **options: Any
) -> Simulator:
    if options:
        raise ConfigError(
            f"unexpected keyword argument(s) {sorted(options)}: not a parameter of this env, "
            "and backend 'simulator' takes no options (proxy options need backend='proxy')"
        )
    return simulator


#: Backend name -> factory.
BACKENDS: Registry[Any] = Registry("backend")
BACKENDS.register("simulator", _simulator_backend)
BACKENDS.register("proxy", "archgym.proxy.backend:proxy_backend")
BACKENDS.register("auto", "archgym.proxy.backend:auto_backend")


def register_backend(name: str, entry_point: Any) -> None:
    """Register a backend factory under ``name`` (a callable or ``"module:function"``)."""
    BACKENDS.register(name, entry_point)


def resolve_backend(
    backend: str | Simulator,
    simulator: Simulator,
    *,
    design_space: DesignSpace,
    workload: str | tuple[str, ...],
    **options: Any,
) -> Simulator:
    """Return the :class:`Simulator` that should answer for ``simulator``.

    Args:
        backend: A name in :data:`BACKENDS` (``"simulator"``, ``"proxy"``,
            ``"auto"``, ...), or a ready :class:`Simulator` with the env's
            design space.
        simulator: The env's real simulator.
        design_space: The env's design space (the simulator's or a restriction).
        workload: The env's workload label (proxies are trained per workload).
        **options: The backend's own options (e.g. ``proxy_model``).
    """
    if isinstance(backend, Simulator):
        if backend.design_space != design_space:
            raise ConfigError("the backend's design space differs from the env's")
        if options:
            raise ConfigError(f"options {sorted(options)} need a named backend, not an instance")
        return backend
    if not isinstance(backend, str):
        raise ConfigError(
            f"backend must be a name ({', '.join(BACKENDS.names())}) or a Simulator, "
            f"got {backend!r}"
        )
    factory = BACKENDS.get(backend)
    return factory(simulator, design_space=design_space, workload=workload, **options)
