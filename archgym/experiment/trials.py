"""Trials: one (env, agent, hyperparameter setting, seed) run of a sweep.

A trial's id is a digest of what determines its result (env id and kwargs,
agent, hyperparameters, seed, budget), so it is stable across runs, across
machines and across edits of the spec that do not touch it: adding seeds or
agents to a spec keeps the finished trials' ids, and a resumed sweep skips them.
A workload or other env keyword that names a file counts by the file's
content (SHA-256), not its path: moving the file keeps the ids, editing it
changes them.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archgym.errors import ConfigError
from archgym.experiment.spec import PATH_KWARGS, SweepSpec

__all__ = ["Trial", "canonical_json", "expand"]


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no whitespace: equal values give equal text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def _digest(value: Any, n: int = 12) -> str:
    return hashlib.sha256(canonical_json(value).encode()).hexdigest()[:n]


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.]+", "-", text).strip("-") or "x"


@dataclass(frozen=True)
class Trial:
    """One run of one agent with one setting and seed on one env.

    Attributes:
        trial_id: Stable id (``<agent label>-<12 hex digits>``); file names use it.
        setting_id: Digest of env + agent + hyperparameters (shared by the seeds).
        sweep: Sweep name.
        env_id: Registered env id.
        env_kwargs: Keyword arguments to make the env with.
        env_label: Display name of the env (``DRAMController-v0/stream``).
        agent: Registry name or ``"module:Class"`` entry point.
        agent_label: Display name of the agent.
        hyperparameters: The setting (only the values the spec gives).
        seed: Seed of the agent.
        budget: Simulator evaluations.
        imports: Modules to import before making the env and agent.
        base_dir: Folder the spec's modules are imported from (and its
            relative paths were resolved against).
    """

    trial_id: str
    setting_id: str
    sweep: str
    env_id: str
    env_kwargs: Mapping[str, Any]
    env_label: str
    agent: str
    agent_label: str
    hyperparameters: Mapping[str, Any]
    seed: int
    budget: int
    imports: tuple[str, ...] = field(default=())
    base_dir: str = ""

    @property
    def workload(self) -> str:
        """The workload kwarg as text (``""`` for the env's default)."""
        wl = self.env_kwargs.get("workload")
        return "" if wl is None else str(wl)


def expand(spec: SweepSpec) -> list[Trial]:
    """All trials of a spec: env x agent x setting x seed, in that nesting order.

    Raises:
        ConfigError: Two entries of the spec describe the same trial (naming
            both YAML paths).
    """
    trials: list[Trial] = []
    seen: dict[str, str] = {}
    for env in spec.envs:
        for agent in spec.agents:
            for setting, paths in zip(agent.settings, agent.setting_paths, strict=True):
                setting_key = {
                    "env_id": env.id,
                    "env_kwargs": _identity(env.kwargs),
                    "agent": agent.name,
                    "hyperparameters": dict(setting),
                    "budget": spec.budget,
                }
                setting_id = _digest(setting_key)
                where = next(iter(paths.values()), agent.path)
                for seed in spec.seeds:
                    tid = f"{_slug(agent.label)}-{_digest({**setting_key, 'seed': seed})}"
                    if tid in seen:
                        raise ConfigError(
                            f"invalid sweep spec {spec.source}: {where}: setting "
                            f"{canonical_json(setting)} of agent {agent.name!r} on {env.label} "
                            f"repeats {seen[tid]} (same trial twice)"
                        )
                    seen[tid] = where
                    trials.append(
                        Trial(
                            trial_id=tid,
                            setting_id=setting_id,
                            sweep=spec.name,
                            env_id=env.id,
                            env_kwargs=dict(env.kwargs),
                            env_label=env.label,
                            agent=agent.name,
                            agent_label=agent.label,
                            hyperparameters=dict(setting),
                            seed=seed,
                            budget=spec.budget,
                            imports=spec.imports,
                            base_dir=spec.base_dir,
                        )
                    )
    return trials


def _identity(kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """Env kwargs as they determine a result: file-valued keywords by their content."""
    out = dict(kwargs)
    for key in PATH_KWARGS:
        value = out.get(key)
        if isinstance(value, str) and os.path.isfile(value):
            digest = hashlib.sha256(Path(value).read_bytes()).hexdigest()
            out[key] = {"file_sha256": digest}
    return out
