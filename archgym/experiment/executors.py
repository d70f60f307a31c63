"""Executors: where trials run. Supervised local worker processes (default) or Ray tasks.

An executor takes trials and yields their :class:`~archgym.experiment.runner.TrialOutcome`
as each finishes (in completion order). It never writes results itself; the
sweep driver commits each outcome as it arrives.

* :class:`LocalExecutor` — ``workers`` long-lived worker processes on this
  machine (spawned; each runs one trial at a time, ``workers=1`` included).
  The driver watches every worker: a worker that dies (a segmentation fault in
  a simulator, a kill, running out of memory) fails its trial with the signal
  and is replaced, and a trial that runs longer than ``trial_timeout`` seconds
  is stopped and failed; the sweep goes on either way, and the evaluations the
  trial logged before are kept (see :mod:`archgym.experiment.runner`). Workers
  die with the driver, so a killed sweep leaves no orphan still computing.
* :class:`RayExecutor` — one Ray task per trial (``num_cpus=1``), on a local
  Ray instance or a cluster (``address="ray://head:10001"`` or ``"auto"``),
  with the same timeout. Install with ``pip install archgym[ray]``.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from archgym import checks
from archgym.errors import ConfigError
from archgym.experiment.runner import TrialOutcome, run_trial, summary_row
from archgym.experiment.trials import Trial
from archgym.registry import Registry
from archgym.threads import one_thread_per_process

__all__ = [
    "DEFAULT_TRIAL_TIMEOUT",
    "EXECUTORS",
    "Executor",
    "LocalExecutor",
    "RayExecutor",
    "ScratchDir",
    "make_executor",
]

#: Default limit on one trial's wall time (s): generous, so that only a hung trial hits it.
DEFAULT_TRIAL_TIMEOUT = 4 * 3600.0

#: Where a trial's evaluation parts go while it runs (None: returned as bytes).
ScratchDir = Callable[[Trial], Path | None]


def _die_with_parent() -> None:
    """Ask Linux to SIGKILL this worker when the sweep process dies (no-op elsewhere)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)
    except OSError:
        return
    if os.getppid() == 1:  # the parent is already gone
        os._exit(1)


def _worker_main(conn: Connection) -> None:
    """A worker process: run the trials sent on ``conn`` until told to stop (``None``)."""
    _die_with_parent()
    one_thread_per_process()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the driver decides when workers stop
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message is None:
            return
        trial, log_dir = message
        conn.send(run_trial(trial, log_dir))


def _death(exitcode: int | None) -> str:
    """Why a worker process ended, for the failed trial's error."""
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        return f"the worker process running the trial died from {name} (exit code {exitcode})"
    return f"the worker process running the trial exited unexpectedly (exit code {exitcode})"


def _failed(trial: Trial, error: str, started: float = 0.0) -> TrialOutcome:
    wall = time.time() - started if started else 0.0
    return TrialOutcome(summary_row(trial, status="failed", error=error, wall_time_s=wall,
                                    started_at=started))


class _Worker:
    """One worker process and the trial it is running."""

    def __init__(self, ctx: Any):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker_main, args=(child,), daemon=True)
        self.process.start()
        child.close()
        self.trial: Trial | None = None
        self.started = 0.0
        self.deadline = 0.0

    def submit(self, trial: Trial, log_dir: Path | None, timeout: float) -> None:
        self.trial, self.started = trial, time.time()
        self.deadline = time.monotonic() + timeout
        self.conn.send((trial, log_dir))

    def stop(self, graceful: bool = True) -> None:
        if graceful and self.process.is_alive():
            with contextlib.suppress(BrokenPipeError, OSError):
                self.conn.send(None)
            self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


class LocalExecutor:
    """Run trials in supervised worker processes on this machine.

    Args:
        workers: Number of worker processes (default: the CPU count).
        trial_timeout: Seconds one trial may run before it is stopped and
            failed (default :data:`DEFAULT_TRIAL_TIMEOUT`).
    """

    def __init__(self, workers: int | None = None, trial_timeout: float | None = None):
        self.workers = (os.cpu_count() or 1) if workers is None else checks.integer(
            "--workers", workers, low=1, high=4096)
        self.trial_timeout = DEFAULT_TRIAL_TIMEOUT if trial_timeout is None else checks.number(
            "--trial-timeout", trial_timeout, positive=True)

    def run(
        self, trials: Sequence[Trial], scratch: ScratchDir = lambda t: None
    ) -> Iterator[TrialOutcome]:
        """Yield each trial's outcome as it finishes (failed ones included)."""
        if not trials:
            return
        ctx = mp.get_context("spawn")
        queue = list(trials)
        pool = [_Worker(ctx) for _ in range(min(self.workers, len(queue)))]
        try:
            while queue or any(w.trial is not None for w in pool):
                for w in pool:
                    if w.trial is None and queue:
                        trial = queue.pop(0)
                        w.submit(trial, scratch(trial), self.trial_timeout)
                busy = [w for w in pool if w.trial is not None]
                soonest = min(w.deadline for w in busy) - time.monotonic()
                ready = wait([w.conn for w in busy] + [w.process.sentinel for w in busy],
                             timeout=max(0.0, soonest))
                for i, w in enumerate(pool):
                    outcome = self._check(w, ready)
                    if outcome is None:
                        continue
                    if w.trial is not None or not w.process.is_alive():
                        w.stop(graceful=False)
                        pool[i] = _Worker(ctx)
                    yield outcome
        finally:
            for w in pool:
                w.stop(graceful=w.trial is None)

    def _check(self, w: _Worker, ready: list[Any]) -> TrialOutcome | None:
        """The outcome of worker ``w``'s trial if it finished, died or timed out.

        Leaves ``w.trial`` set when the worker must be replaced.
        """
        trial = w.trial
        if trial is None:
            return None
        if w.conn in ready:
            try:
                outcome: TrialOutcome = w.conn.recv()
            except (EOFError, OSError):
                w.process.join(timeout=5)
                return _failed(trial, _death(w.process.exitcode), w.started)
            except Exception as exc:  # an outcome that does not unpickle
                return _failed(trial, f"{type(exc).__name__}: {exc}", w.started)
            w.trial = None
            return outcome
        if w.process.sentinel in ready or not w.process.is_alive():
            w.process.join(timeout=5)
            return _failed(trial, _death(w.process.exitcode), w.started)
        if time.monotonic() >= w.deadline:
            return _failed(
                trial,
                f"TrialTimeout: the trial ran longer than --trial-timeout "
                f"{self.trial_timeout:g} s and was stopped",
                w.started,
            )
        return None


class RayExecutor:
    """Run each trial as a Ray task.

    Args:
        address: Ray cluster address (``None`` starts or reuses a local
            instance; ``"auto"`` joins a running cluster).
        workers: At most this many trials in flight (default: no limit
            beyond the cluster's CPUs).
        trial_timeout: Seconds one trial may run before its task is cancelled
            and the trial failed.
    """

    def __init__(self, address: str | None = None, workers: int | None = None,
                 trial_timeout: float | None = None):
        try:
            import ray  # noqa: F401
        except ImportError as exc:
            raise ConfigError("the Ray executor needs Ray: pip install 'archgym[ray]'") from exc
        self.address = address
        self.workers = None if workers is None else checks.integer(
            "--workers", workers, low=1, high=1_000_000)
        self.trial_timeout = DEFAULT_TRIAL_TIMEOUT if trial_timeout is None else checks.number(
            "--trial-timeout", trial_timeout, positive=True)

    def run(
        self, trials: Sequence[Trial], scratch: ScratchDir = lambda t: None
    ) -> Iterator[TrialOutcome]:
        """Yield each trial's outcome as it finishes (evaluations returned as bytes)."""
        import ray

        if not trials:
            return
        if not ray.is_initialized():
            ray.init(address=self.address, include_dashboard=False, log_to_driver=False)
        task = ray.remote(num_cpus=1, max_retries=0)(run_trial)
        limit = self.workers or len(trials)
        queue = list(trials)
        pending: dict[Any, tuple[Trial, float, float]] = {}
        while queue or pending:
            while queue and len(pending) < limit:
                trial = queue.pop(0)
                pending[task.remote(trial)] = (trial, time.time(),
                                               time.monotonic() + self.trial_timeout)
            soonest = min(deadline for _, _, deadline in pending.values()) - time.monotonic()
            done, _ = ray.wait(list(pending), num_returns=1, timeout=max(0.0, soonest))
            if not done:
                for ref, (trial, started, deadline) in list(pending.items()):
                    if time.monotonic() >= deadline:
                        ray.cancel(ref, force=True)
                        del pending[ref]
                        yield _failed(trial, f"TrialTimeout: the trial ran longer than "
                                      f"--trial-timeout {self.trial_timeout:g} s", started)
                continue
            ref = done[0]
            trial, started, _ = pending.pop(ref)
            try:
                outcome = ray.get(ref)
            except Exception as exc:  # a lost worker or node
                outcome = _failed(trial, f"{type(exc).__name__}: {exc}", started)
            yield outcome


Executor = LocalExecutor | RayExecutor


def _local(workers: int | None, ray_address: str | None,
           trial_timeout: float | None) -> LocalExecutor:
    if ray_address is not None:
        raise ConfigError("--ray-address needs --executor ray")
    return LocalExecutor(workers, trial_timeout)


def _ray(workers: int | None, ray_address: str | None,
         trial_timeout: float | None) -> RayExecutor:
    return RayExecutor(ray_address, workers, trial_timeout)


#: Executor name -> ``factory(workers, ray_address, trial_timeout)``.
EXECUTORS: Registry[Callable[[int | None, str | None, float | None], Executor]] = Registry(
    "executor")
EXECUTORS.register("local", _local)
EXECUTORS.register("ray", _ray)


def make_executor(
    name: str = "local",
    *,
    workers: int | None = None,
    ray_address: str | None = None,
    trial_timeout: float | None = None,
) -> Executor:
    """An executor by name (``"local"`` or ``"ray"``)."""
    return EXECUTORS.get(name)(workers, ray_address, trial_timeout)
