"""Run a sweep: check the spec, skip finished trials, execute the rest, commit each result.

Running the same sweep again resumes it: trials with a summary in the results
folder are skipped (failed ones too, unless ``retry_failed``), leftovers of
trials that were in flight when a previous run died are deleted, and only the
missing trials run. A results folder holding a *different* spec is refused
unless ``force`` (finished trials whose ids are still in the new spec are
kept; the report counts only the trials of the stored spec).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from archgym.errors import ConfigError, DatasetError
from archgym.experiment.check import check_spec
from archgym.experiment.executors import make_executor
from archgym.experiment.runner import TrialOutcome
from archgym.experiment.spec import SweepSpec, parse_spec
from archgym.experiment.store import ResultsStore
from archgym.experiment.trials import Trial, expand

__all__ = ["SweepStatus", "run_sweep", "sweep_status"]


@dataclass
class SweepStatus:
    """Counts of a sweep's trials.

    Attributes:
        total: Trials in the spec.
        done: Finished successfully.
        failed: Finished with an error.
        pending: Not finished (never started, or in flight when a run died).
        failures: ``trial_id -> error`` of the failed trials.
    """

    total: int
    done: int
    failed: int
    pending: int
    failures: dict[str, str] = field(default_factory=dict)


def _statuses(store: ResultsStore) -> dict[str, tuple[str, str]]:
    trials = store.load_trials()
    if trials.empty:
        return {}
    errors = trials["error"] if "error" in trials else [""] * len(trials)
    return {
        tid: (status, err)
        for tid, status, err in zip(trials["trial_id"], trials["status"], errors, strict=True)
    }


def _count(trials: list[Trial], statuses: dict[str, tuple[str, str]]) -> SweepStatus:
    done = failed = 0
    failures = {}
    for t in trials:
        status, err = statuses.get(t.trial_id, ("pending", ""))
        if status == "done":
            done += 1
        elif status == "failed":
            failed += 1
            failures[t.trial_id] = err
    return SweepStatus(len(trials), done, failed, len(trials) - done - failed, failures)


def sweep_status(out: str | os.PathLike[str]) -> SweepStatus:
    """Done / failed / pending counts of the sweep stored in ``out``.

    Raises:
        DatasetError: ``out`` holds no sweep.
    """
    store = ResultsStore(out)
    spec = parse_spec(store.load_spec_data(), source=str(store.spec_path))  # has its base_dir
    return _count(expand(spec), _statuses(store))


def run_sweep(
    spec: SweepSpec,
    out: str | os.PathLike[str],
    *,
    executor: str = "local",
    workers: int | None = None,
    ray_address: str | None = None,
    trial_timeout: float | None = None,
    retry_failed: bool = False,
    force: bool = False,
    on_start: Callable[[SweepStatus], Any] | None = None,
    on_result: Callable[[TrialOutcome], Any] | None = None,
) -> SweepStatus:
    """Run (or resume) a sweep and return the final counts.

    Args:
        spec: The sweep spec (checked against the registries before anything runs).
        out: Results folder (see :mod:`archgym.experiment.store`).
        executor: Where trials run: ``"local"`` (process pool) or ``"ray"``
            (see :data:`~archgym.experiment.executors.EXECUTORS`).
        workers: Parallel trials (local: processes, default the CPU count;
            Ray: trials in flight).
        ray_address: Ray cluster address (Ray executor only).
        trial_timeout: Seconds one trial may run before it is stopped and
            failed (default: :data:`~archgym.experiment.executors.DEFAULT_TRIAL_TIMEOUT`).
        retry_failed: Run failed trials again instead of skipping them.
        force: Replace the spec stored in ``out`` when it differs from ``spec``.
        on_start: Called once with the counts before the first trial runs.
        on_result: Called with each trial's outcome after it is committed.

    Raises:
        ConfigError: The spec names an unknown env, agent or hyperparameter,
            a value is out of range or an agent cannot be built; another sweep
            is writing to ``out``; or ``out`` holds a different spec (without
            ``force``).
    """
    check_spec(spec)
    trials = expand(spec)
    runner = make_executor(executor, workers=workers, ray_address=ray_address,
                           trial_timeout=trial_timeout)
    store = ResultsStore(out)
    stored_spec = {**spec.raw, "name": spec.name}
    if spec.base_dir:
        stored_spec["base_dir"] = spec.base_dir
    with store.lock():
        if not force:
            _check_same_spec(store, stored_spec)
        store.save_spec(stored_spec)
        store.clean_unfinished()
        _record_baselines(store, spec)
        statuses = _statuses(store)
        skip = {
            tid
            for tid, (status, _) in statuses.items()
            if status == "done" or (status == "failed" and not retry_failed)
        }
        pending = [t for t in trials if t.trial_id not in skip]
        if on_start is not None:
            start = _count(trials, statuses)
            if retry_failed:
                start.pending += start.failed
                start.failed = 0
            on_start(start)
        scratch = store.scratch_dir if executor == "local" else (lambda trial_id: None)
        for outcome in runner.run(pending, lambda trial: scratch(trial.trial_id)):
            store.commit(outcome)
            if on_result is not None:
                on_result(outcome)
        return _count(trials, _statuses(store))


def _check_same_spec(store: ResultsStore, spec: dict[str, Any]) -> None:
    """Refuse a results folder that holds another spec (ConfigError naming the differences)."""
    if not store.spec_path.is_file():
        return
    try:
        old = store.load_spec_data()
    except DatasetError:
        return  # an unreadable spec.yaml is replaced (its trials are still checked by id)
    if old == spec:
        return
    keys = sorted(k for k in set(old) | set(spec) if old.get(k) != spec.get(k))
    raise ConfigError(
        f"{str(store.root)!r} holds the results of a different sweep spec (differs in: "
        f"{', '.join(keys)}); choose another --out folder, or pass --force to replace its "
        "spec (finished trials that the new spec still contains are kept)"
    )


def _record_baselines(store: ResultsStore, spec: SweepSpec) -> None:
    """Evaluate each env's default design once per workload (kept across resumes)."""
    import gymnasium as gym

    from archgym.env import unwrap

    old = store.load_baselines()
    done = set(old["env_label"]) if len(old) else set()
    rows = old.to_dict("records") if len(old) else []
    added = False
    for entry in spec.envs:
        if entry.label in done:
            continue
        env = gym.make(entry.id, **dict(entry.kwargs))
        base = unwrap(env)
        try:
            for workload in base.workload_names:
                env.reset(seed=0, options={"workload": workload})
                design = base.design_space.default()
                _, reward, _, _, info = env.step(base.encode(design))
                rows.append({
                    "env_label": entry.label, "env_id": entry.id, "workload": workload,
                    "design": json.dumps(design, sort_keys=True, default=str),
                    "reward": float(reward), "target_met": bool(info["target_met"]),
                    "invalid": bool(info["invalid"]), "error": str(info["error"]),
                    **{f"metric.{k}": float(v) for k, v in info["metrics"].items()},
                })
                added = True
        finally:
            env.close()
    if added:
        store.save_baselines(rows)
