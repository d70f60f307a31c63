"""Each agent's median best reward and wall time on archgym/DRAMController-v0.

Usage (from the repository root)::

    python benchmarks/agents_dram.py --workload cloud-1 --budget 500 --seeds 3 --jobs 2 \
        --out benchmarks/results/agents_dram.jsonl

``--formula weighted`` uses the env's scalarised reward
``-(latency / 100 ns + power / 1000 mW)``, which keeps improving after the
default targets are met (the default ``distance`` reward is 0 for every design
that meets them). Every (agent, seed) run is one line of JSON in ``--out`` (runs already there are
skipped, so an interrupted benchmark resumes); the table is printed at the end.
Wall time is the whole run: simulator calls plus the agent's own work.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

import archgym
import archgym.agents as agents

ENV_ID = "archgym/DRAMController-v0"


def run_one(agent: str, seed: int, workload: str, budget: int, formula: str) -> dict:
    """One run; returns its summary as a JSON-able dict."""
    env = archgym.make(ENV_ID, workload=workload, reward_formula=formula)
    result = agents.make(agent, env.unwrapped.design_space, seed=seed).run(env, budget)
    sim_seconds = sum(e.eval_seconds for e in result.history)
    curve = result.best_so_far()
    return {
        "agent": agent,
        "seed": seed,
        "workload": workload,
        "budget": budget,
        "formula": formula,
        "evals_to_best": int(np.argmax(curve >= result.best_reward)) + 1,
        "best_reward": result.best_reward,
        "best_design": result.best_design,
        "best_metrics": result.best_metrics,
        "n_invalid": result.n_invalid,
        "wall_seconds": result.wall_seconds,
        "sim_seconds": sim_seconds,
    }


def table(rows: list[dict], order: list[str]) -> str:
    """Markdown table: median best reward, evaluations to it, and wall time per agent."""
    lines = [
        "| agent | median best reward | min / max best reward | median evals to best "
        "| median wall time (s) | of which simulator (s) | runs |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in order:
        mine = [r for r in rows if r["agent"] == name]
        if not mine:
            continue
        best = [r["best_reward"] for r in mine]
        lines.append(
            f"| {name} | {statistics.median(best):.4f} | {min(best):.4f} / {max(best):.4f} "
            f"| {statistics.median(r['evals_to_best'] for r in mine):.0f} "
            f"| {statistics.median(r['wall_seconds'] for r in mine):.1f} "
            f"| {statistics.median(r['sim_seconds'] for r in mine):.1f} | {len(mine)} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workload", default="cloud-1")
    parser.add_argument("--budget", type=int, default=500)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--agents", nargs="*", default=agents.list_agents())
    parser.add_argument("--formula", default="distance", help="the env's reward_formula")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/agents_dram.jsonl"))
    args = parser.parse_args()

    args.out.parent.mkdir(parents=True, exist_ok=True)
    done: list[dict] = []
    if args.out.exists():
        done = [json.loads(line) for line in args.out.read_text().splitlines() if line.strip()]
    key = (args.workload, args.budget, args.formula)
    have = {(r["agent"], r["seed"], r["workload"], r["budget"], r["formula"]) for r in done}
    todo = [(a, s) for a in args.agents for s in range(args.seeds) if (a, s, *key) not in have]
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    with ProcessPoolExecutor(max_workers=args.jobs) as pool, args.out.open("a") as out:
        futures = [pool.submit(run_one, a, s, *key) for a, s in todo]
        for future in futures:
            row = future.result()
            out.write(json.dumps(row) + "\n")
            out.flush()
            done.append(row)
    rows = [r for r in done if (r["workload"], r["budget"], r["formula"]) == key]
    print(f"{ENV_ID}, workload {args.workload}, reward formula {args.formula}, "
          f"budget {args.budget}, seeds 0..{args.seeds - 1}")
    print(table(rows, args.agents))


if __name__ == "__main__":
    main()
