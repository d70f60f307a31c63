"""The checks a sweep spec passes before anything runs: every name and value is known.

:func:`check_spec` imports the spec's modules, then checks each env id against
Gymnasium's registry (and makes the env once with its kwargs), each agent
against :data:`archgym.agents.AGENTS` (a registry name or a ``"module:Class"``
entry point), and each hyperparameter value against the agent's declared range.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import gymnasium as gym

from archgym.env import unwrap
from archgym.errors import ArchGymError, UnknownName
from archgym.experiment.imports import import_modules
from archgym.experiment.spec import SpecErrors, SweepSpec

__all__ = ["check_spec"]


def _check_env(env_id: str, kwargs: Mapping[str, Any]) -> None:
    """Make the env once; a workload given by name must be one the simulator ships."""
    env = gym.make(env_id, **dict(kwargs))
    try:
        workload = kwargs.get("workload")
        shipped = tuple(unwrap(env).simulator.workloads)
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
    from archgym.agents import get_agent

    for agent in spec.agents:
        try:
            cls = get_agent(agent.name)
        except ArchGymError as exc:
            errs.add(f"{agent.path}.name", str(exc))
            continue
        except Exception as exc:  # a registered agent whose module does not import
            errs.add(f"{agent.path}.name", f"cannot load agent {agent.name!r}: {exc!r}")
            continue
        specs = cls.hyperparameters()
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
