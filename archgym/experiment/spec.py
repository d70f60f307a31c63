"""Sweep specs: the YAML file that describes an agent-comparison experiment.

A spec names the envs, the agents with their hyperparameter grids, the seeds
and the simulation budget of every trial::

    name: demo                       # optional (default: the file's stem)
    imports: [my_envs]               # optional: modules that register user envs/agents
                                     # (found in the spec's folder too)
    budget: 200                      # simulator evaluations per trial
    seeds: 3                         # 0, 1, 2 (or an explicit list: [0, 7, 11])
    envs:
      - id: archgym/DRAMController-v0
        workloads: [stream, random, traces/mine.stl]  # optional: one env entry per
                                     # workload; a file path is relative to the spec's folder
        kwargs: {reward_formula: archgym}   # forwarded to gymnasium.make
    agents:
      - random_walk                  # the defaults
      - name: ga
        grid: {population: [8, 16], mutation: 0.05}   # lists are crossed
      - name: bo
        label: bo-small              # optional display name
        settings: [{n_initial: 5}, {n_initial: 10}]   # explicit settings

:func:`load_spec` checks the structure; :func:`archgym.experiment.check.check_spec`
then checks every name and value against the env and agent registries. Every
problem is reported at once, each prefixed with the YAML path of the bad
entry (``agents[1].grid.population[2]: ...``), before anything runs.

Relative paths — modules of ``imports``, workload files, and the file-valued
env keywords in :data:`PATH_KWARGS` — are resolved against the spec's folder
(``base_dir``: the folder of the spec file; a sweep stores it with its copy of
the spec so that ``archgym sweep --status`` and ``archgym report`` resolve the
same files). A spec has at most :data:`MAX_SEEDS` seeds and
:data:`MAX_TRIALS` trials.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archgym.errors import ConfigError, did_you_mean
from archgym.yamlio import YamlError, load_yaml

__all__ = ["AgentEntry", "EnvEntry", "SpecErrors", "SweepSpec", "load_spec", "parse_spec"]

TOP_KEYS = ("name", "imports", "budget", "seeds", "envs", "agents", "description", "base_dir")
#: Env keywords whose string values name files (resolved against the spec's folder).
PATH_KWARGS = ("workload", "trace", "memspec", "proxy_model", "library")
#: Bounds that keep a typo (``seeds: 1000000000000``) from exhausting memory.
MAX_SEEDS = 100_000
MAX_TRIALS = 1_000_000
MAX_BUDGET = 1_000_000_000
ENV_KEYS = ("id", "workloads", "kwargs", "label")
AGENT_KEYS = ("name", "label", "grid", "settings")


class SpecErrors:
    """Collects ``path: message`` problems and raises them as one :class:`ConfigError`."""

    def __init__(self, source: str):
        self.source = source
        self.items: list[str] = []

    def add(self, path: str, message: str) -> None:
        """Record one problem at a YAML path such as ``agents[0].grid.population``."""
        self.items.append(f"{path or '<top level>'}: {message}")

    def raise_if_any(self) -> None:
        """Raise :class:`ConfigError` listing every recorded problem."""
        if not self.items:
            return
        n = len(self.items)
        head = f"invalid sweep spec {self.source} ({n} error{'s' if n > 1 else ''}):"
        raise ConfigError("\n  ".join([head, *self.items]))


@dataclass(frozen=True)
class EnvEntry:
    """One env of a sweep: a registered id and the keyword arguments to make it with.

    Attributes:
        id: Registered Gymnasium id, e.g. ``archgym/DRAMController-v0``.
        kwargs: Keyword arguments for ``gymnasium.make`` (``workload`` included).
        label: Display name, unique within the spec.
        path: YAML path of the entry (for error messages).
    """

    id: str
    kwargs: Mapping[str, Any]
    label: str
    path: str


@dataclass(frozen=True)
class AgentEntry:
    """One agent of a sweep with the hyperparameter settings to try.

    Attributes:
        name: Registry name (``ga``) or an entry point ``"module:Class"``.
        label: Display name (default: ``name``), unique within the spec.
        settings: Hyperparameter settings (each a dict; ``{}`` = the defaults).
        setting_paths: YAML path of each value, per setting and hyperparameter,
            used to point at the bad entry when a value is rejected.
        path: YAML path of the entry.
    """

    name: str
    label: str
    settings: tuple[Mapping[str, Any], ...]
    setting_paths: tuple[Mapping[str, str], ...]
    path: str


@dataclass(frozen=True)
class SweepSpec:
    """A parsed sweep spec (see the module docstring).

    Attributes:
        name: Sweep name.
        budget: Simulator evaluations per trial.
        seeds: Seeds; every (env, agent, setting) runs once per seed.
        envs: The envs.
        agents: The agents.
        imports: Modules to import (in every worker) before making envs/agents.
        base_dir: Folder that relative paths and ``imports`` are resolved
            against (``""``: the working directory).
        source: Where the spec came from (file path or ``<dict>``).
        raw: The spec as loaded from YAML (stored next to the results).
    """

    name: str
    budget: int
    seeds: tuple[int, ...]
    envs: tuple[EnvEntry, ...]
    agents: tuple[AgentEntry, ...]
    imports: tuple[str, ...] = ()
    base_dir: str = ""
    source: str = "<dict>"
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)


def load_spec(path: str | os.PathLike[str]) -> SweepSpec:
    """Read and structurally check a YAML sweep spec.

    Raises:
        ConfigError: The file is missing, is not YAML, or has structural
            problems (each listed with its YAML path).
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"sweep spec {str(p)!r} is not UTF-8 text ({exc.reason})") from exc
    except OSError as exc:
        raise ConfigError(f"cannot read sweep spec {str(p)!r}: {exc.strerror}") from exc
    try:
        data = load_yaml(text)
    except YamlError as exc:
        raise ConfigError(f"sweep spec {str(p)!r} is not valid YAML: {exc}") from exc
    return parse_spec(data, source=str(p), default_name=p.stem,
                      base_dir=str(p.resolve().parent))


def _is_int(x: object) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _check_keys(data: Mapping[str, Any], allowed: Sequence[str], path: str, errs: SpecErrors):
    for key in data:
        if key not in allowed:
            hint = did_you_mean(str(key), allowed)
            errs.add(
                f"{path}.{key}" if path else str(key),
                f"unknown key {key!r}.{hint} Allowed keys: {', '.join(allowed)}.",
            )


def parse_spec(
    data: Any, source: str = "<dict>", default_name: str = "sweep", base_dir: str = ""
) -> SweepSpec:
    """Build a :class:`SweepSpec` from loaded YAML data, checking its structure.

    Args:
        data: The mapping loaded from YAML.
        source: Where it came from (named in error messages).
        default_name: Sweep name when the spec gives none.
        base_dir: Folder relative paths are resolved against, unless the spec
            gives ``base_dir`` itself (the spec file's folder, for a file).

    Raises:
        ConfigError: Listing every structural problem with its YAML path.
    """
    errs = SpecErrors(source)
    if not isinstance(data, Mapping):
        errs.add("", f"a sweep spec must be a mapping, got {type(data).__name__}")
        errs.raise_if_any()
    _check_keys(data, TOP_KEYS, "", errs)
    name = data.get("name", default_name)
    if not isinstance(name, str) or not name.strip():
        errs.add("name", f"must be a non-empty string, got {name!r}")
    budget = data.get("budget")
    if budget is None:
        errs.add("budget", "missing: give the number of simulator evaluations per trial")
    elif not _is_int(budget) or not 1 <= budget <= MAX_BUDGET:
        errs.add("budget", f"must be an integer in [1, {MAX_BUDGET:,}] (simulator evaluations), "
                           f"got {budget!r}")
    base = data.get("base_dir", base_dir)
    if not isinstance(base, str):
        errs.add("base_dir", f"must be a folder path, got {base!r}")
        base = ""
    seeds = _parse_seeds(data.get("seeds", 1), errs)
    imports = _parse_imports(data.get("imports", []), errs)
    envs = _parse_envs(data.get("envs"), errs, base)
    agents = _parse_agents(data.get("agents"), errs)
    n_trials = len(envs) * sum(len(a.settings) for a in agents) * len(seeds)
    if n_trials > MAX_TRIALS:
        errs.add("", f"the spec expands to {n_trials:,} trials, more than the {MAX_TRIALS:,} "
                     "a sweep may hold; split it into several sweeps")
    errs.raise_if_any()
    return SweepSpec(
        name=str(name),
        budget=int(budget),
        seeds=seeds,
        envs=envs,
        agents=agents,
        imports=imports,
        base_dir=base,
        source=source,
        raw=dict(data),
    )


def _parse_seeds(value: Any, errs: SpecErrors) -> tuple[int, ...]:
    if _is_int(value):
        if not 1 <= value <= MAX_SEEDS:
            errs.add("seeds", f"a number of seeds must be in [1, {MAX_SEEDS:,}], got {value!r}")
            return ()
        return tuple(range(value))
    if not isinstance(value, list) or not value:
        errs.add("seeds", f"must be a count (int >= 1) or a non-empty list of ints, got {value!r}")
        return ()
    if len(value) > MAX_SEEDS:
        errs.add("seeds", f"at most {MAX_SEEDS:,} seeds, got {len(value):,}")
        return ()
    out = []
    for i, s in enumerate(value):
        if not _is_int(s) or not 0 <= s < 2**63:
            errs.add(f"seeds[{i}]", f"a seed must be an integer in [0, 2**63), got {s!r}")
        else:
            out.append(int(s))
    if len(set(out)) != len(out):
        dup = sorted({s for s in out if out.count(s) > 1})
        errs.add("seeds", f"seeds must be distinct, got {dup} more than once")
    return tuple(out)


def _parse_imports(value: Any, errs: SpecErrors) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        errs.add("imports", f"must be a list of module names, got {value!r}")
        return ()
    out = []
    for i, mod in enumerate(value):
        if not isinstance(mod, str) or not mod:
            errs.add(f"imports[{i}]", f"must be a module name, got {mod!r}")
        else:
            out.append(mod)
    return tuple(out)


def _entry_list(value: Any, key: str, errs: SpecErrors) -> list[Any]:
    if value is None:
        errs.add(key, f"missing: give a list of {key}")
        return []
    if not isinstance(value, list) or not value:
        errs.add(key, f"must be a non-empty list, got {value!r}")
        return []
    return value


def _resolve_paths(kwargs: Mapping[str, Any], base_dir: str) -> dict[str, Any]:
    """Kwargs with relative file paths (existing in ``base_dir``) made absolute."""
    out = dict(kwargs)
    if not base_dir:
        return out
    for key in PATH_KWARGS:
        value = out.get(key)
        if isinstance(value, str) and value and not os.path.isabs(value):
            candidate = Path(base_dir) / value
            if candidate.exists():
                out[key] = str(candidate)
    return out


def _parse_envs(value: Any, errs: SpecErrors, base_dir: str = "") -> tuple[EnvEntry, ...]:
    out: list[EnvEntry] = []
    for i, item in enumerate(_entry_list(value, "envs", errs)):
        path = f"envs[{i}]"
        if isinstance(item, str):
            item = {"id": item}
        if not isinstance(item, Mapping):
            errs.add(path, f"must be an env id or a mapping with 'id', got {item!r}")
            continue
        _check_keys(item, ENV_KEYS, path, errs)
        env_id = item.get("id")
        if not isinstance(env_id, str) or not env_id:
            errs.add(f"{path}.id", f"missing or not a string: {env_id!r}")
            continue
        kwargs = item.get("kwargs", {}) or {}
        if not isinstance(kwargs, Mapping):
            errs.add(f"{path}.kwargs", f"must be a mapping of keyword arguments, got {kwargs!r}")
            continue
        workloads = item.get("workloads")
        if workloads is None:
            variants = [(dict(kwargs), f"{path}.kwargs")]
        elif not isinstance(workloads, list) or not workloads:
            errs.add(f"{path}.workloads", f"must be a non-empty list, got {workloads!r}")
            continue
        else:
            if "workload" in kwargs:
                errs.add(f"{path}.kwargs.workload", "give either 'workloads' or kwargs.workload")
            variants = [
                ({**kwargs, "workload": w}, f"{path}.workloads[{j}]")
                for j, w in enumerate(workloads)
            ]
        base_label = item.get("label") or env_id.split("/")[-1]
        for kw, kpath in variants:
            wl = kw.get("workload")
            label = str(base_label) if wl is None else f"{base_label}/{wl}"
            out.append(EnvEntry(id=env_id, kwargs=_resolve_paths(kw, base_dir), label=label,
                                path=kpath))
    _check_unique([e.label for e in out], [e.path for e in out], "env label", errs)
    return tuple(out)


def _parse_agents(value: Any, errs: SpecErrors) -> tuple[AgentEntry, ...]:
    out: list[AgentEntry] = []
    for i, item in enumerate(_entry_list(value, "agents", errs)):
        path = f"agents[{i}]"
        if isinstance(item, str):
            item = {"name": item}
        if not isinstance(item, Mapping):
            errs.add(path, f"must be an agent name or a mapping with 'name', got {item!r}")
            continue
        _check_keys(item, AGENT_KEYS, path, errs)
        name = item.get("name")
        if not isinstance(name, str) or not name:
            errs.add(f"{path}.name", f"missing or not a string: {name!r}")
            continue
        if "grid" in item and "settings" in item:
            errs.add(path, "give either 'grid' or 'settings', not both")
            continue
        if "settings" in item:
            settings, spaths = _parse_settings(item["settings"], f"{path}.settings", errs)
        else:
            settings, spaths = _parse_grid(item.get("grid", {}) or {}, f"{path}.grid", errs)
        label = item.get("label", name)
        if not isinstance(label, str) or not label:
            errs.add(f"{path}.label", f"must be a non-empty string, got {label!r}")
            label = name
        out.append(AgentEntry(name, label, tuple(settings), tuple(spaths), path))
    _check_unique([a.label for a in out], [a.path for a in out], "agent label", errs)
    return tuple(out)


def _parse_grid(
    grid: Any, path: str, errs: SpecErrors
) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    if not isinstance(grid, Mapping):
        errs.add(path, f"must be a mapping of hyperparameter -> value or list, got {grid!r}")
        return [], []
    names, axes = [], []
    for hp, values in grid.items():
        hpath = f"{path}.{hp}"
        if isinstance(values, list):
            if not values:
                errs.add(hpath, "an empty list gives no settings; remove it or give values")
                return [], []
            axes.append([(v, f"{hpath}[{j}]") for j, v in enumerate(values)])
        else:
            axes.append([(values, hpath)])
        names.append(str(hp))
    settings, spaths = [], []
    for combo in itertools.product(*axes):
        settings.append({n: v for n, (v, _) in zip(names, combo, strict=True)})
        spaths.append({n: p for n, (_, p) in zip(names, combo, strict=True)})
    return settings, spaths


def _parse_settings(
    value: Any, path: str, errs: SpecErrors
) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    if not isinstance(value, list) or not value:
        errs.add(path, f"must be a non-empty list of hyperparameter mappings, got {value!r}")
        return [], []
    settings, spaths = [], []
    for j, s in enumerate(value):
        if s is None:
            s = {}
        if not isinstance(s, Mapping):
            errs.add(f"{path}[{j}]", f"must be a mapping of hyperparameter -> value, got {s!r}")
            continue
        settings.append({str(k): v for k, v in s.items()})
        spaths.append({str(k): f"{path}[{j}].{k}" for k in s})
    return settings, spaths


def _check_unique(labels: list[str], paths: list[str], kind: str, errs: SpecErrors) -> None:
    seen: dict[str, str] = {}
    for label, path in zip(labels, paths, strict=True):
        if label in seen:
            errs.add(path, f"{kind} {label!r} is already used by {seen[label]}; set 'label'")
        else:
            seen[label] = path
