"""Run one trial: make the env, log its evaluations, make the agent, run it, summarise.

:func:`run_trial` is what an executor calls in a worker (a local process or a
Ray task). It writes nothing into the results folder: the evaluations are
logged by :class:`~archgym.datalog.RecordEvaluations` into a private
temporary folder and returned as bytes with the summary row in a
:class:`TrialOutcome`; the sweep driver then commits them to the results
folder (:mod:`archgym.experiment.store`). So only one process ever writes
the results, and a Ray worker on another machine needs no shared disk.

A trial that raises is returned as ``status = "failed"`` with the error and
its traceback; it never stops the sweep.
"""

from __future__ import annotations

import contextlib
import json
import math
import platform
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gymnasium as gym

from archgym.env import unwrap
from archgym.experiment.imports import import_modules
from archgym.experiment.trials import Trial, canonical_json
from archgym.threads import one_thread_per_process

__all__ = ["TrialOutcome", "run_trial", "summary_row"]


@dataclass
class TrialOutcome:
    """What a finished trial hands back to the driver.

    Attributes:
        summary: The trial's summary row (see :func:`summary_row`).
        evaluations: Part-file name -> Parquet bytes of the evaluation log.
    """

    summary: dict[str, Any]
    evaluations: dict[str, bytes] = field(default_factory=dict)


def summary_row(
    trial: Trial,
    *,
    status: str,
    result: Any = None,
    evaluations: int = 0,
    wall_time_s: float = 0.0,
    error: str = "",
    traceback_text: str = "",
    started_at: float = 0.0,
) -> dict[str, Any]:
    """The trial's row of the trials table.

    Columns: ids (``trial_id``, ``setting_id``, ``sweep``), env (``env_id``,
    ``env_label``, ``workload``, ``env_kwargs`` as JSON), agent (``agent``,
    ``agent_label``, ``hyperparameters`` as JSON and one ``hp.<name>`` column
    per given hyperparameter), ``seed``, ``budget``, ``status`` (``done`` or
    ``failed``), ``best_reward``, ``best_design`` (JSON), ``best.<metric>``
    (best design's metrics, in the env's units), ``target_met`` (whether any
    evaluation met every target), ``evaluations`` (rows logged),
    ``wall_time_s`` (s), ``error``, ``traceback``, ``started_at`` and
    ``finished_at`` (UNIX time, s), ``host``, and for finished trials
    ``env_description`` (the env's :meth:`~archgym.env.ArchEnv.describe` as JSON).
    """
    row: dict[str, Any] = {
        "trial_id": trial.trial_id,
        "setting_id": trial.setting_id,
        "sweep": trial.sweep,
        "env_id": trial.env_id,
        "env_label": trial.env_label,
        "workload": trial.workload,
        "env_kwargs": canonical_json(dict(trial.env_kwargs)),
        "agent": trial.agent,
        "agent_label": trial.agent_label,
        "hyperparameters": canonical_json(dict(trial.hyperparameters)),
        "seed": int(trial.seed),
        "budget": int(trial.budget),
        "status": status,
        "best_reward": math.nan,
        "best_design": "",
        "target_met": False,
        "evaluations": int(evaluations),
        "wall_time_s": float(wall_time_s),
        "error": error,
        "traceback": traceback_text,
        "started_at": float(started_at),
        "finished_at": time.time(),
        "host": platform.node(),
        "env_description": "",
    }
    for name, value in trial.hyperparameters.items():
        row[f"hp.{name}"] = value if isinstance(value, (int, float, bool)) else json.dumps(value)
    if result is not None:
        row["best_reward"] = float(result.best_reward)
        row["best_design"] = json.dumps(dict(result.best_design), sort_keys=True, default=str)
        for name, value in (result.best_metrics or {}).items():
            row[f"best.{name}"] = float(value)
    return row


def run_trial(trial: Trial) -> TrialOutcome:
    """Run one trial to completion (or failure) and return its outcome."""
    one_thread_per_process()
    started = time.time()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix=f"archgym-{trial.trial_id}-") as tmp:
        log_dir = Path(tmp) / "evaluations"
        env = None
        try:
            import_modules(trial.imports)
            from archgym.datalog import RecordEvaluations

            env = gym.make(trial.env_id, **dict(trial.env_kwargs))
            run_info = {
                "agent": trial.agent_label,
                "hyperparameters": dict(trial.hyperparameters),
                "seed": trial.seed,
                "run_id": trial.trial_id,
            }
            env = RecordEvaluations(env, log_dir, run_info=run_info, flush_every=trial.budget + 1)
            from archgym.agents import make as make_agent

            agent = make_agent(
                trial.agent, unwrap(env).design_space, seed=trial.seed,
                **dict(trial.hyperparameters)
            )
            result = agent.run(env, trial.budget)
            env.close()
            summary = summary_row(
                trial,
                status="done",
                result=result,
                evaluations=env.rows_written,
                wall_time_s=time.perf_counter() - start,
                started_at=started,
            )
            summary["target_met"] = env.targets_met > 0
            summary["env_description"] = json.dumps(env.description, default=str)
            env = None
            return TrialOutcome(summary, _read_parts(log_dir))
        except Exception as exc:
            if env is not None:
                with contextlib.suppress(Exception):  # the original error is the one to report
                    env.close()
            return TrialOutcome(
                summary_row(
                    trial,
                    status="failed",
                    wall_time_s=time.perf_counter() - start,
                    error=f"{type(exc).__name__}: {exc}",
                    traceback_text=traceback.format_exc(),
                    started_at=started,
                )
            )


def _read_parts(folder: Path) -> dict[str, bytes]:
    if not folder.is_dir():
        return {}
    return {
        p.name: p.read_bytes()
        for p in sorted(folder.glob("*.parquet"))
        if not p.name.startswith(".")
    }
