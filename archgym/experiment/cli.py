"""The ``archgym sweep`` and ``archgym report`` commands (registered by :mod:`archgym.cli`).

``archgym sweep SPEC.yaml --out DIR [--workers N] [--executor local|ray] [--ray-address A]
[--trial-timeout S] [--retry-failed] [--force] [--quiet]``
    runs (or resumes) a sweep with a progress bar; exits 1 when any trial failed.
``archgym sweep --status DIR``
    prints done / failed / pending counts of a sweep.
``archgym report DIR``
    writes ``DIR/report.md`` and ``DIR/figures/*.png``.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from archgym.errors import ConfigError

__all__ = ["register"]


def _cmd_sweep(args: argparse.Namespace) -> int:
    from archgym.experiment.sweep import sweep_status

    if args.status:
        if args.spec:
            raise ConfigError("give either SPEC (to run) or --status DIR (to inspect), not both")
        st = sweep_status(args.status)
        print(
            f"{args.status}: {st.total} trials: {st.done} done, {st.failed} failed, "
            f"{st.pending} pending"
        )
        for tid, err in sorted(st.failures.items()):
            print(f"  failed {tid}: {err}")
        return 0
    if not args.spec or not args.out:
        raise ConfigError("archgym sweep needs SPEC and --out DIR (or --status DIR)")
    return _run(args)


def _run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from archgym.experiment.spec import load_spec
    from archgym.experiment.sweep import run_sweep

    spec = load_spec(args.spec)
    bar: Any = None
    failed: dict[str, str] = {}

    def on_start(st: Any) -> None:
        nonlocal bar
        failed.update(st.failures)
        print(
            f"sweep {spec.name!r}: {st.total} trials ({st.done} done, {st.failed} failed, "
            f"{st.pending} to run) -> {args.out}"
        )
        bar = tqdm(
            total=st.total,
            initial=st.done + st.failed,
            unit="trial",
            disable=True if args.quiet else None,  # None: off when not a terminal
            dynamic_ncols=True,
        )
        bar.set_postfix(failed=len(failed))

    def on_result(outcome: Any) -> None:
        summary = outcome.summary
        if summary["status"] == "failed":
            failed[summary["trial_id"]] = summary["error"]
            bar.write(f"trial {summary['trial_id']} failed: {summary['error']}")
        bar.set_postfix(failed=len(failed))
        bar.update(1)

    start = time.perf_counter()
    try:
        st = run_sweep(
            spec,
            args.out,
            executor=args.executor,
            workers=args.workers,
            ray_address=args.ray_address,
            trial_timeout=args.trial_timeout,
            retry_failed=args.retry_failed,
            force=args.force,
            on_start=on_start,
            on_result=on_result,
        )
    finally:
        if bar is not None:
            bar.close()
    print(
        f"{st.done} done, {st.failed} failed, {st.pending} pending "
        f"({time.perf_counter() - start:.1f} s); results in {args.out}"
    )
    if st.failed:
        print(f"failed trials ({st.failed}; rerun them with --retry-failed):")
        for tid, err in sorted(st.failures.items()):
            print(f"  {tid}: {err.splitlines()[0][:200] if err else ''}")
    return 0 if st.pending == 0 and st.failed == 0 else 1


def _cmd_report(args: argparse.Namespace) -> int:
    from archgym.experiment.report import write_report

    start = time.perf_counter()
    path = write_report(args.dir, n_bootstrap=args.bootstrap, seed=args.seed)
    print(f"wrote {path} and its figures in {time.perf_counter() - start:.1f} s")
    return 0


def register(sub: Any) -> None:
    """Add the ``sweep`` and ``report`` subcommands to the ``archgym`` parser."""
    from archgym.experiment.executors import DEFAULT_TRIAL_TIMEOUT, EXECUTORS

    p = sub.add_parser(
        "sweep",
        help="run or resume an agent-comparison sweep",
        description="Run every trial of a sweep spec (resuming a previous run in the same "
        "folder), or show a sweep's progress with --status. Exits 1 when any trial failed.",
    )
    p.add_argument("spec", nargs="?", help="sweep spec (YAML; see experiments/README.md)")
    p.add_argument("--out", "-o", metavar="DIR", help="results folder (created; resumable)")
    p.add_argument("--status", metavar="DIR", help="show done/failed/pending counts and exit")
    p.add_argument("--workers", "-j", type=int,
                   help="parallel trials (default: the CPU count)")
    p.add_argument(
        "--executor",
        choices=EXECUTORS.names(),
        default="local",
        help="where trials run: local worker processes or Ray tasks (default: local)",
    )
    p.add_argument(
        "--ray-address", metavar="ADDR", help="Ray cluster address (with --executor ray)"
    )
    p.add_argument(
        "--trial-timeout", type=float, metavar="SECONDS",
        help=f"stop and fail a trial that runs longer (default {DEFAULT_TRIAL_TIMEOUT:g} s)",
    )
    p.add_argument("--retry-failed", action="store_true", help="run failed trials again")
    p.add_argument("--force", action="store_true",
                   help="replace the spec stored in --out when it differs from SPEC")
    p.add_argument("--quiet", "-q", "--no-progress", dest="quiet", action="store_true",
                   help="no progress bar")
    p.set_defaults(func=_cmd_sweep)

    p = sub.add_parser(
        "report",
        help="statistics, figures and report.md for a sweep",
        description="Write DIR/report.md, DIR/figures/*.png and DIR/tables/*.csv.",
    )
    p.add_argument("dir", metavar="DIR", help="results folder of a sweep")
    p.add_argument("--bootstrap", type=int, default=2000,
                   help="bootstrap resamples of every confidence interval (default 2000)")
    p.add_argument("--seed", type=int, default=0, help="seed of the bootstrap (default 0)")
    p.set_defaults(func=_cmd_report)
