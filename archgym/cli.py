"""The ``archgym`` command.

``archgym envs``                      table of registered envs
``archgym info ENV_ID``               design space, metrics, workloads, targets
``archgym run ENV_ID --agent NAME``   one search run, optionally logged to Parquet
``archgym sweep SPEC --out DIR``      an agent-comparison sweep (see ``archgym.experiment``)
``archgym report DIR``                statistics, figures and ``report.md`` for a sweep
``archgym proxy train|eval``          proxy cost models (see ``archgym.proxy``)

The CLI owns all output; the library never prints.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from typing import Any

import gymnasium as gym

import archgym
from archgym.env import unwrap
from archgym.errors import ArchGymError, ConfigError

__all__ = ["main", "parse_kv"]


def parse_kv(items: Sequence[str] | None) -> dict[str, Any]:
    """Parse ``["a=1", "b=x"]`` into ``{"a": 1, "b": "x"}`` (values read as JSON when they can)."""
    out: dict[str, Any] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ConfigError(f"expected KEY=VALUE, got {item!r}")
        try:
            out[key] = json.loads(value)
        except json.JSONDecodeError:
            out[key] = value
    return out


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
    env = archgym.make(args.env_id, **parse_kv(args.env_kwarg))
    base = unwrap(env)
    print(f"{args.env_id}  ({type(base).__module__}.{type(base).__name__})")
    print(f"workloads: {', '.join(base.simulator.workloads)} (this env: {base.workload_name})")
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

    env_kwargs = parse_kv(args.env_kwarg)
    if args.workload is not None:
        env_kwargs["workload"] = args.workload
    env = archgym.make(args.env_id, **env_kwargs)
    hp = parse_kv(args.hp)
    agent = agents.make(args.agent, unwrap(env).design_space, seed=args.seed, **hp)
    if args.log:
        run_info = {"agent": args.agent, "hyperparameters": hp, "seed": args.seed}
        env = RecordEvaluations(env, args.log, run_info=run_info)
    start = time.perf_counter()
    result = agent.run(env, budget=args.budget)
    elapsed = time.perf_counter() - start
    env.close()
    units = unwrap(env).units
    print(
        f"{args.agent} on {args.env_id} ({unwrap(env).workload_name}): "
        f"{args.budget} evaluations in {elapsed:.2f} s"
    )
    print(f"best reward: {result.best_reward:.6g}")
    print("best design:")
    for k, v in (result.best_design or {}).items():
        print(f"  {k} = {v}")
    print("its metrics:")
    for k, v in (result.best_metrics or {}).items():
        print(f"  {k} = {v:.6g} {units.get(k, '')}")
    if args.log:
        print(f"evaluations logged to {args.log}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="archgym", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=archgym.__version__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("envs", help="list registered environments")
    p.set_defaults(func=_cmd_envs)

    p = sub.add_parser("info", help="describe one environment")
    p.add_argument("env_id")
    p.add_argument("--env-kwarg", "-e", action="append", metavar="KEY=VALUE")
    p.set_defaults(func=_cmd_info)

    p = sub.add_parser("run", help="run one search agent on one environment")
    p.add_argument("env_id")
    p.add_argument("--workload", "-w")
    p.add_argument("--agent", "-a", default="random_walk")
    p.add_argument("--budget", "-n", type=int, default=100, help="simulator evaluations")
    p.add_argument("--seed", "-s", type=int, default=0)
    p.add_argument("--hp", action="append", metavar="KEY=VALUE", help="agent hyperparameter")
    p.add_argument("--env-kwarg", "-e", action="append", metavar="KEY=VALUE")
    p.add_argument("--log", metavar="DIR", help="log every evaluation to this Parquet folder")
    p.set_defaults(func=_cmd_run)

    for module in ("archgym.experiment.cli", "archgym.proxy.cli"):
        try:
            register = __import__(module, fromlist=["register"]).register
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            continue
        register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``archgym`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ArchGymError as exc:
        print(f"archgym: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
