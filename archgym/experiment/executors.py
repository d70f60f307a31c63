"""Executors: where trials run. A local process pool (default) or Ray tasks.

An executor takes trials and yields their :class:`~archgym.experiment.runner.TrialOutcome`
as each finishes (in completion order). It never writes results itself; the
sweep driver commits each outcome as it arrives.

* :class:`LocalExecutor` — ``workers`` processes on this machine (spawned, one
  trial per process at a time; ``workers=1`` runs trials in the calling
  process). Worker processes die with the driver, so a killed sweep leaves no
  orphan still computing.
* :class:`RayExecutor` — one Ray task per trial (``num_cpus=1``), on a local
  Ray instance or a cluster (``address="ray://head:10001"`` or ``"auto"``).
  Install with ``pip install archgym[ray]``.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing as mp
import os
import sys
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from archgym.errors import ConfigError
from archgym.experiment.runner import TrialOutcome, run_trial, summary_row
from archgym.experiment.trials import Trial
from archgym.registry import Registry
from archgym.threads import one_thread_per_process

__all__ = ["EXECUTORS", "Executor", "LocalExecutor", "RayExecutor", "make_executor"]


def _die_with_parent() -> None:
    """Ask Linux to SIGKILL this worker when the sweep process dies (no-op elsewhere)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)
    except OSError:
        return
    if os.getppid() == 1:  # the parent is already gone
        os._exit(1)


def _init_worker() -> None:
    _die_with_parent()
    one_thread_per_process()


class LocalExecutor:
    """Run trials in a pool of local worker processes.

    Args:
        workers: Number of worker processes (default: the CPU count); 1 runs
            every trial in the calling process.
    """

    #: How often a pool whose worker died is replaced before the lost trials
    #: are left pending (a later run of the sweep picks them up).
    max_pool_restarts = 2

    def __init__(self, workers: int | None = None):
        n = (os.cpu_count() or 1) if workers is None else int(workers)
        if n < 1:
            raise ConfigError(f"--workers must be >= 1, got {workers!r}")
        self.workers = n

    def run(self, trials: Sequence[Trial]) -> Iterator[TrialOutcome]:
        """Yield each trial's outcome as it finishes."""
        if not trials:
            return
        if self.workers == 1:
            for trial in trials:
                yield run_trial(trial)
            return
        queue = list(trials)
        for _ in range(self.max_pool_restarts + 1):
            queue = yield from self._run_pool(queue)
            if not queue:
                return

    def _run_pool(self, trials: list[Trial]) -> Generator[TrialOutcome, None, list[Trial]]:
        """Run trials in one pool; return those lost when a worker process died."""
        ctx = mp.get_context("spawn")
        pool = cf.ProcessPoolExecutor(
            max_workers=min(self.workers, len(trials)), mp_context=ctx, initializer=_init_worker
        )
        lost: list[Trial] = []
        try:
            futures = {pool.submit(run_trial, t): t for t in trials}
            for fut in cf.as_completed(futures):
                try:
                    outcome = fut.result()
                except BrokenProcessPool:  # a worker died (killed, out of memory)
                    lost.append(futures[fut])
                    continue
                except Exception as exc:  # e.g. an outcome that does not pickle
                    outcome = _failed(futures[fut], exc)
                yield outcome
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        return sorted(lost, key=trials.index)


def _failed(trial: Trial, exc: BaseException) -> TrialOutcome:
    return TrialOutcome(summary_row(trial, status="failed", error=f"{type(exc).__name__}: {exc}"))


class RayExecutor:
    """Run each trial as a Ray task.

    Args:
        address: Ray cluster address (``None`` starts or reuses a local
            instance; ``"auto"`` joins a running cluster).
        workers: At most this many trials in flight (default: no limit
            beyond the cluster's CPUs).
    """

    def __init__(self, address: str | None = None, workers: int | None = None):
        try:
            import ray  # noqa: F401
        except ImportError as exc:
            raise ConfigError("the Ray executor needs Ray: pip install 'archgym[ray]'") from exc
        if workers is not None and int(workers) < 1:
            raise ConfigError(f"--workers must be >= 1, got {workers!r}")
        self.address = address
        self.workers = None if workers is None else int(workers)

    def run(self, trials: Sequence[Trial]) -> Iterator[TrialOutcome]:
        """Yield each trial's outcome as it finishes."""
        import ray

        if not trials:
            return
        if not ray.is_initialized():
            ray.init(address=self.address, include_dashboard=False, log_to_driver=False)
        task = ray.remote(num_cpus=1, max_retries=0)(run_trial)
        limit = self.workers or len(trials)
        queue = list(trials)
        pending: dict[Any, Trial] = {}
        while queue or pending:
            while queue and len(pending) < limit:
                trial = queue.pop(0)
                pending[task.remote(trial)] = trial
            done, _ = ray.wait(list(pending), num_returns=1)
            ref = done[0]
            trial = pending.pop(ref)
            try:
                outcome = ray.get(ref)
            except Exception as exc:  # a lost worker or node
                outcome = _failed(trial, exc)
            yield outcome


Executor = LocalExecutor | RayExecutor


def _local(workers: int | None, ray_address: str | None) -> LocalExecutor:
    if ray_address is not None:
        raise ConfigError("--ray-address needs --executor ray")
    return LocalExecutor(workers)


def _ray(workers: int | None, ray_address: str | None) -> RayExecutor:
    return RayExecutor(ray_address, workers)


#: Executor name -> ``factory(workers, ray_address)``.
EXECUTORS: Registry[Callable[[int | None, str | None], Executor]] = Registry("executor")
EXECUTORS.register("local", _local)
EXECUTORS.register("ray", _ray)


def make_executor(
    name: str = "local", *, workers: int | None = None, ray_address: str | None = None
) -> Executor:
    """An executor by name (``"local"`` or ``"ray"``)."""
    return EXECUTORS.get(name)(workers, ray_address)
