"""Run one trial: make the env, log its evaluations, make the agent, run it, summarise.

:func:`run_trial` is what an executor calls in a worker (a local worker
process or a Ray task). It never writes the results folder itself: the sweep
driver commits each outcome (:mod:`archgym.experiment.store`), so only one
process ever writes the results. The evaluations are logged by
:class:`~archgym.datalog.RecordEvaluations`, flushed every
:data:`FLUSH_ROWS` rows, either

* into a scratch folder the driver names (local workers): if the worker dies
  (a segmentation fault, a kill, a timeout) the rows flushed so far are kept
  as the trial's partial evaluations; or
* into a private temporary folder returned as bytes in the
  :class:`TrialOutcome` (Ray: a worker on another machine needs no shared disk).

A trial that raises is returned as ``status = "failed"`` with the error and
its traceback, and with the evaluations it made; it never stops the sweep.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
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

__all__ = ["FLUSH_ROWS", "TrialOutcome", "run_trial", "summary_row"]

#: Evaluation rows a trial buffers before writing a part file (lost if its worker dies).
FLUSH_ROWS = 100


@dataclass
class TrialOutcome:
    """What a finished trial hands back to the driver.

    Attributes:
        summary: The trial's summary row (see :func:`summary_row`).
        evaluations: Part-file name -> Parquet bytes of the evaluation log
            (empty when the parts were written to a scratch folder).
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
        "partial": status == "failed" and evaluations > 0,
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


def run_trial(trial: Trial, log_dir: str | os.PathLike[str] | None = None) -> TrialOutcome:
    """Run one trial to completion (or failure) and return its outcome.

    Args:
        trial: The trial.
        log_dir: Scratch folder for the evaluation parts (created); None to log
            into a temporary folder and return the parts as bytes.
    """
    one_thread_per_process()
    if log_dir is not None:
        return _run(trial, Path(log_dir), as_bytes=False)
    with tempfile.TemporaryDirectory(prefix=f"archgym-{trial.trial_id}-") as tmp:
        return _run(trial, Path(tmp) / "evaluations", as_bytes=True)


def _run(trial: Trial, log_dir: Path, as_bytes: bool) -> TrialOutcome:
    started = time.time()
    start = time.perf_counter()
    env = None
    try:
        import_modules(trial.imports, trial.base_dir)
        from archgym.agents import make as make_agent
        from archgym.datalog import RecordEvaluations

        run_info = {
            "agent": trial.agent_label,
            "hyperparameters": dict(trial.hyperparameters),
            "seed": trial.seed,
            "run_id": trial.trial_id,
        }
        env = RecordEvaluations(
            gym.make(trial.env_id, **dict(trial.env_kwargs)), log_dir, run_info=run_info,
            flush_every=FLUSH_ROWS,
        )
        agent = make_agent(
            trial.agent, unwrap(env).design_space, seed=trial.seed, **dict(trial.hyperparameters)
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
    except Exception as exc:
        logged = 0
        if env is not None:
            with contextlib.suppress(Exception):  # the original error is the one to report
                env.close()  # writes the rows buffered so far
            logged = env.rows_written
        summary = summary_row(
            trial,
            status="failed",
            evaluations=logged,
            wall_time_s=time.perf_counter() - start,
            error=f"{type(exc).__name__}: {exc}",
            traceback_text=traceback.format_exc(),
            started_at=started,
        )
    if env is not None:
        summary["target_met"] = env.targets_met > 0
        summary["env_description"] = json.dumps(env.description, default=str)
    return TrialOutcome(summary, _read_parts(log_dir) if as_bytes else {})


def _read_parts(folder: Path) -> dict[str, bytes]:
    if not folder.is_dir():
        return {}
    return {
        p.name: p.read_bytes()
        for p in sorted(folder.glob("*.parquet"))
        if not p.name.startswith(".")
    }
