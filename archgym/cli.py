"""The ``archgym`` command.

``archgym envs``                      table of registered envs
``archgym info ENV_ID``               design space, metrics, workloads, targets
``archgym run ENV_ID --agent NAME``   one search run, optionally logged to Parquet
``archgym sweep SPEC --out DIR``      an agent-comparison sweep (see ``archgym.experiment``)
``archgym report DIR``                statistics, figures and ``report.md`` for a sweep
``archgym proxy train|eval``          proxy cost models (see ``archgym.proxy``)
``archgym verify RUN_OR_SWEEP``       re-simulate the best designs a run or sweep found

The CLI owns all output; the library never prints. A user or storage error
(a bad value, an unknown name, a malformed file, a full disk) is one line
``archgym: error: ...`` and a non-zero exit; a traceback is shown only for a
genuine bug, with a line saying so.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import gymnasium as gym

import archgym
from archgym.env import unwrap
from archgym.errors import ArchGymError, ConfigError
from archgym.yamlio import YamlError, load_yaml

__all__ = ["EXIT_BUG", "EXIT_STORAGE_ERROR", "EXIT_USER_ERROR", "main", "parse_kv"]

#: Exit status of a user error (bad value, unknown name, malformed file).
EXIT_USER_ERROR = 2
#: Exit status of a storage error (disk full, permission denied, ...).
EXIT_STORAGE_ERROR = 1
#: Exit status of an internal error (a bug in ArchGym).
EXIT_BUG = 70

KV_HELP = (
    "KEY=VALUE, the value read as YAML (so 5, 1e-3, true, [a, b] and {latency_ns: 45} "
    "work; quote a string that would read as something else); repeatable"
)


def parse_kv(items: Sequence[str] | None) -> dict[str, Any]:
    """Parse ``["a=1", "b=x", "t={x: 5}"]`` into ``{"a": 1, "b": "x", "t": {"x": 5}}``.

    Values are read as YAML (JSON is YAML too; ``1e-3`` is a number, as in YAML 1.2).

    Raises:
        ConfigError: an item without ``=``, or a value that is not valid YAML.
    """
    out: dict[str, Any] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ConfigError(f"expected KEY=VALUE, got {item!r}")
        try:
            out[key] = load_yaml(value) if value.strip() else ""
        except YamlError as exc:
            problem = str(exc).splitlines()[0]
            raise ConfigError(f"{key}: cannot read {value!r} as a YAML value ({problem})") from None
    return out


def _env_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    kwargs = parse_kv(getattr(args, "env_kwarg", None))
    if getattr(args, "workload", None) is not None:
        kwargs["workload"] = args.workload
    return kwargs


def _cmd_envs(args: argparse.Namespace) -> int:
    rows = []
    for env_id in archgym.list_envs():
        env = gym.make(env_id)
        base = unwrap(env)
        workloads = ", ".join(base.simulator.workloads)
        rows.append((env_id, workloads, f"{base.design_space.size:.3g}", len(base.design_space)))
        env.close()
    header = ("id", "workloads", "designs", "parameters")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(4)]
    for r in [header, *rows]:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)))
    return 0


def _cmd_info(args: argparse.Namespace) -> int:
    env = archgym.make(args.env_id, **_env_kwargs(args))
    base = unwrap(env)
    print(f"{args.env_id}  ({type(base).__module__}.{type(base).__name__})")
    print(f"workloads: {', '.join(base.simulator.workloads)} (this env: "
          f"{', '.join(base.workload_names)}; or a workload file path)")
    print(f"design space: {len(base.design_space)} parameters, {base.design_space.size:,} designs")
    for line in base.design_space.describe().splitlines():
        print(f"  {line}")
    print("metrics:")
    for m in base.simulator.metrics:
        target = base.objective.targets.get(m.name)
        tgt = "" if target is None else f"  target {'<=' if m.goal == 'min' else '>='} {target:g}"
        print(f"  {m.name} [{m.unit}] ({m.goal}){tgt}")
    print(f"reward formula: {base.objective.formula}; max_steps: {base.max_steps}")
    env.close()
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from archgym import agents
    from archgym.datalog import RecordEvaluations

    if args.log and not args.append:
        folder = Path(args.log)
        if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
            raise ConfigError(
                f"--log {args.log!r} is not an empty folder: pass --append to add this run's "
                "evaluations to it, or choose a new folder"
            )
    env_kwargs = _env_kwargs(args)
    env = archgym.make(args.env_id, **env_kwargs)
    hp = parse_kv(args.hp)
    agent = agents.make(args.agent, unwrap(env).design_space, seed=args.seed, **hp)
    if args.log:
        run_info = {"agent": args.agent, "hyperparameters": hp, "seed": args.seed,
                    # so that ``archgym verify`` can make the same env with the simulator
                    "env_kwargs": json.dumps(env_kwargs, sort_keys=True, default=str)}
        env = RecordEvaluations(env, args.log, run_info=run_info)
    start = time.perf_counter()
    try:
        result = agent.run(env, budget=args.budget, progress=not args.quiet)
    finally:
        env.close()  # the evaluations logged so far are written even after an error
    elapsed = time.perf_counter() - start
    base = unwrap(env)
    print(
        f"{args.agent} on {args.env_id} ({base.workload_name}): "
        f"{args.budget} evaluations in {elapsed:.2f} s"
    )
    print(f"best reward: {result.best_reward:.6g}")
    print("best design:")
    for k, v in (result.best_design or {}).items():
        print(f"  {k} = {v}")
    print("its metrics:")
    for k, v in (result.best_metrics or {}).items():
        print(f"  {k} = {v:.6g} {base.units.get(k, '')}")
    if args.log:
        print(f"evaluations logged to {args.log}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The ``archgym`` argument parser (every option has help text)."""
    parser = argparse.ArgumentParser(
        prog="archgym",
        description="Gymnasium environments, search agents and proxy cost models for "
        "ML-assisted computer-architecture design.",
        epilog="Run 'archgym COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=archgym.__version__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("envs", help="list the registered environments",
                       description="List the registered environments with their workloads.")
    p.set_defaults(func=_cmd_envs)

    p = sub.add_parser("info", help="describe one environment",
                       description="Show an env's design space, metrics, units and targets.")
    p.add_argument("env_id", help="registered env id, e.g. archgym/DRAMController-v0")
    p.add_argument("--workload", "-w",
                   help="a shipped workload name or a workload file (trace, topology CSV, "
                        "task graph)")
    p.add_argument("--env-kwarg", "-e", action="append", metavar="KEY=VALUE",
                   help=f"env keyword argument: {KV_HELP}")
    p.set_defaults(func=_cmd_info)

    p = sub.add_parser("run", help="run one search agent on one environment",
                       description="Run one agent for a budget of simulator evaluations and "
                                   "print the best design found.")
    p.add_argument("env_id", help="registered env id, e.g. archgym/DRAMController-v0")
    p.add_argument("--workload", "-w",
                   help="a shipped workload name or a workload file (trace, topology CSV, "
                        "task graph)")
    p.add_argument("--agent", "-a", default="random_walk",
                   help="agent name (see archgym.agents.list_agents()); default random_walk")
    p.add_argument("--budget", "-n", type=int, default=100,
                   help="simulator evaluations (default 100)")
    p.add_argument("--seed", "-s", type=int, default=0, help="seed of the agent (default 0)")
    p.add_argument("--hp", action="append", metavar="KEY=VALUE",
                   help=f"agent hyperparameter: {KV_HELP}")
    p.add_argument("--env-kwarg", "-e", action="append", metavar="KEY=VALUE",
                   help=f"env keyword argument: {KV_HELP}")
    p.add_argument("--log", metavar="DIR",
                   help="log every evaluation to this Parquet folder (must be new or empty)")
    p.add_argument("--append", action="store_true",
                   help="with --log: add to a folder that already holds logs")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_run)

    for module in ("archgym.experiment.cli", "archgym.proxy.cli", "archgym.verify"):
        try:
            register = __import__(module, fromlist=["register"]).register
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            continue
        register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``archgym`` console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        status = int(args.func(args) or 0)
        sys.stdout.flush()  # inside the try: a reader that went away shows here
        return status
    except BrokenPipeError:  # the reader went away (``archgym info ... | head``): not an error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except ArchGymError as exc:
        print(f"archgym: error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except OSError as exc:  # disk full, read-only folder, a file where a folder should be
        print(f"archgym: error: {exc}", file=sys.stderr)
        return EXIT_STORAGE_ERROR
    except MemoryError:
        print("archgym: error: out of memory", file=sys.stderr)
        return EXIT_STORAGE_ERROR
    except KeyboardInterrupt:
        print("archgym: interrupted", file=sys.stderr)
        return 130
    except Exception:
        traceback.print_exc()
        print(
            "archgym: internal error: this is a bug in ArchGym, not in your input; please "
            "report it with the traceback above",
            file=sys.stderr,
        )
        return EXIT_BUG


if __name__ == "__main__":
    sys.exit(main())
