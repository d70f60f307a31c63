"""Names in a sweep spec -> envs and agents, and the checks made before a sweep runs.

Agents are found by registry name (``ga``, through :mod:`archgym.agents`) or,
for agents that live in user code, by an entry point ``"module:Class"``. A
spec's ``imports`` are imported first (in the driver and in every worker), so
a user's module can register its own envs with Gymnasium or agents with the
registry before they are looked up.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from typing import Any

import gymnasium as gym

from archgym.errors import ArchGymError, ConfigError, UnknownName
from archgym.experiment.spec import SpecErrors, SweepSpec

__all__ = [
    "agent_class",
    "check_spec",
    "hyperparameter_specs",
    "import_modules",
    "list_agent_names",
    "make_agent",
]


def import_modules(names: Iterable[str]) -> None:
    """Import each module (e.g. one that registers user envs); already imported ones are kept."""
    import archgym  # noqa: F401  (registers the built-in envs)

    for name in names:
        importlib.import_module(name)


def _agents_module() -> Any:
    from archgym import agents

    return agents


def list_agent_names() -> list[str]:
    """Names in the agent registry (empty when the agents package is not installed)."""
    try:
        return sorted(_agents_module().list_agents())
    except (ImportError, AttributeError):
        return []


def agent_class(name: str) -> type:
    """The class behind an agent name or ``"module:Class"`` entry point.

    Raises:
        UnknownName: The name is not registered.
        ConfigError: An entry point does not import.
    """
    if ":" in name:
        module, _, attr = name.partition(":")
        try:
            return getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError) as exc:
            raise ConfigError(
                f"cannot load agent entry point {name!r} ('module:Class'): {exc}"
            ) from exc
    known = list_agent_names()
    if name not in known:
        raise UnknownName("agent", name, known)
    return _agents_module().get_agent(name)


def hyperparameter_specs(cls: type) -> dict[str, Any]:
    """Name -> hyperparameter specification (with ``validate(value, agent)``) of an agent class."""
    specs = cls.hyperparameters() if hasattr(cls, "hyperparameters") else ()
    if isinstance(specs, Mapping):
        return dict(specs)
    return {s.name: s for s in specs}


def make_agent(name: str, space: Any, seed: int, hyperparameters: Mapping[str, Any]) -> Any:
    """Build an agent by registry name or entry point."""
    if ":" in name:
        return agent_class(name)(space, seed=seed, **dict(hyperparameters))
    return _agents_module().make(name, space, seed=seed, **dict(hyperparameters))


def _check_env(env_id: str, kwargs: Mapping[str, Any]) -> None:
    """Make the env once; a workload given by name must be one the simulator ships."""
    env = gym.make(env_id, **dict(kwargs))
    try:
        workload = kwargs.get("workload")
        shipped = tuple(getattr(env.unwrapped.simulator, "workloads", ()) or ())
        if isinstance(workload, str) and shipped and workload not in shipped:
            raise UnknownName("workload", workload, shipped)
    finally:
        env.close()


def check_spec(spec: SweepSpec, *, make_envs: bool = True) -> None:
    """Check every env, agent, hyperparameter and value of a spec against the registries.

    Args:
        spec: A structurally valid spec (from :func:`~archgym.experiment.spec.load_spec`).
        make_envs: Also make each env once with its kwargs, so a bad workload
            or target is caught before anything runs.

    Raises:
        ConfigError: Listing every problem with the YAML path of the bad entry.
    """
    errs = SpecErrors(spec.source)
    for i, mod in enumerate(spec.imports):
        try:
            import_modules([mod])
        except Exception as exc:
            errs.add(f"imports[{i}]", f"cannot import module {mod!r}: {exc}")
    import_modules([])
    for env in spec.envs:
        if env.id not in gym.registry:
            path = env.path.replace(".kwargs", "").split(".workloads")[0] + ".id"
            errs.add(path, str(UnknownName("env id", env.id, sorted(gym.registry))))
            continue
        if make_envs:
            try:
                _check_env(env.id, env.kwargs)
            except Exception as exc:
                errs.add(env.path, f"cannot make {env.id} with {dict(env.kwargs)}: {exc}")
    for agent in spec.agents:
        try:
            cls = agent_class(agent.name)
        except ArchGymError as exc:
            errs.add(f"{agent.path}.name", str(exc))
            continue
        except Exception as exc:  # a registered agent whose module does not import
            errs.add(f"{agent.path}.name", f"cannot load agent {agent.name!r}: {exc!r}")
            continue
        specs = hyperparameter_specs(cls)
        reported: set[str] = set()
        for setting, paths in zip(agent.settings, agent.setting_paths, strict=True):
            for hp, value in setting.items():
                path = paths.get(hp, agent.path)
                if hp not in specs:
                    key = path.rsplit("[", 1)[0] if path.endswith("]") else path
                    if key not in reported:
                        reported.add(key)
                        errs.add(key, str(UnknownName(f"{agent.name} hyperparameter", hp, specs)))
                    continue
                if path in reported:
                    continue
                try:
                    specs[hp].validate(value, agent.name)
                except ArchGymError as exc:
                    reported.add(path)
                    errs.add(path, str(exc))
    errs.raise_if_any()
