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
from archgym.space import DesignSpace

__all__ = ["check_spec"]


def _env_space(env_id: str, kwargs: Mapping[str, Any]) -> DesignSpace:
    """Make the env once (so a bad workload, target or keyword fails now) and return its space."""
    env = gym.make(env_id, **dict(kwargs))
    try:
        return unwrap(env).design_space
    finally:
        env.close()


def check_spec(spec: SweepSpec, *, make_envs: bool = True) -> None:
    """Check every env, agent, hyperparameter and value of a spec; build each once.

    A dry run of construction, no evaluation: each env is made with its kwargs
    and each agent setting is built for each env's design space, so a
    combination that fails at construction (e.g. PPO's ``batch_size`` above its
    ``n_steps``) is reported before anything runs.

    Args:
        spec: A structurally valid spec (from :func:`~archgym.experiment.spec.load_spec`).
        make_envs: Also make each env and build each agent once.

    Raises:
        ConfigError: Listing every problem with the YAML path of the bad entry.
    """
    errs = SpecErrors(spec.source)
    for i, mod in enumerate(spec.imports):
        try:
            import_modules([mod], spec.base_dir)
        except Exception as exc:
            errs.add(f"imports[{i}]", f"cannot import module {mod!r}: {exc}")
    import_modules([])
    spaces: list[DesignSpace] = []
    for env in spec.envs:
        if env.id not in gym.registry:
            path = env.path.replace(".kwargs", "").split(".workloads")[0] + ".id"
            errs.add(path, str(UnknownName("env id", env.id, sorted(gym.registry))))
            continue
        if make_envs:
            try:
                spaces.append(_env_space(env.id, env.kwargs))
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
        for k, (setting, paths) in enumerate(
            zip(agent.settings, agent.setting_paths, strict=True)
        ):
            ok = True
            for hp, value in setting.items():
                path = paths.get(hp, agent.path)
                if hp not in specs:
                    ok = False
                    key = path.rsplit("[", 1)[0] if path.endswith("]") else path
                    if key not in reported:
                        reported.add(key)
                        errs.add(key, str(UnknownName(f"{agent.name} hyperparameter", hp, specs)))
                    continue
                if path in reported:
                    ok = False
                    continue
                try:
                    specs[hp].validate(value, agent.name)
                except ArchGymError as exc:
                    ok = False
                    reported.add(path)
                    errs.add(path, str(exc))
            if ok:
                where = _setting_path(agent.path, paths, k)
                problem = _build(cls, spaces, setting)
                if problem and where not in reported:
                    reported.add(where)
                    errs.add(where, problem)
    errs.raise_if_any()


def _setting_path(agent_path: str, paths: Mapping[str, str], k: int) -> str:
    """The YAML path of one hyperparameter setting of an agent entry."""
    first = next(iter(paths.values()), "")
    if ".settings[" in first:
        return first.split("]", 1)[0] + "]"
    return agent_path if not paths else f"{agent_path} (setting {k})"


def _build(cls: type, spaces: list[DesignSpace], setting: Mapping[str, Any]) -> str:
    """Build the agent for each design space; the first error's text, or ``""``."""
    for space in spaces:
        try:
            cls(space, seed=0, **dict(setting))
        except Exception as exc:
            return f"cannot build the agent with {dict(setting)}: {type(exc).__name__}: {exc}"
    return ""
