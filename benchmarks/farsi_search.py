"""How hard FARSI's budgets are in ``archgym/SoC-v1``: random designs and short searches.

For each workload and each reading of the accelerators' energy figures (ours, nJ; and
FARSI's, fJ; see ``simulators/soc/blocks.yaml``) this script reports

* the share of uniformly random actions (designs of the env's flat encoding) that meet
  all of FARSI's budgets (latency, power_peak_w, area_mm2);
* the best design that 1,000-evaluation searches find (``random_walk`` and ``ga``
  through ``archgym.agents.make``, seed 0): its metrics, whether it meets the budgets,
  and its kind (cores, accelerators, memories, buses);
* for comparison, the best design of FARSI's own short DSE (the ``farsi_dse_best``
  rows of ``tests/simulators/soc/farsi_golden.csv``) as ArchGym simulates it.

Usage::

    python benchmarks/farsi_search.py [--random 2000] [--budget 1000]
        [--agents random_walk ga] [--workloads ...] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np

import archgym
import archgym.agents
from archgym.envs.soc import FARSI_BUDGETS
from archgym.errors import InvalidDesign
from archgym.simulators.soc import WORKLOADS, SoCSimulator

GOLDEN = Path(__file__).resolve().parents[1] / "tests" / "simulators" / "soc" / "farsi_golden.csv"
SLACK = 1.001  # FARSI's budget check allows 0.1% above a budget


def meets(workload: str, m: dict[str, float]) -> bool:
    """Whether metrics ``m`` meet FARSI's budgets for ``workload`` (its own tolerance)."""
    return all(m[k] <= v * SLACK for k, v in FARSI_BUDGETS[workload].items())


def kind(design: dict[str, Any]) -> str:
    """A structured design summarised: cores, accelerators, memories, buses."""
    cores = sum(pe["type"] != "accelerator" for pe in design["pes"])
    accels = len(design["pes"]) - cores
    mems = ",".join(f"{m['type']}{m['width']}B@{m['clock_mhz']}" for m in design["memories"])
    return (f"{cores} core(s) + {accels} accelerator(s), memories [{mems}], "
            f"{len(design['buses'])} bus(es)")


def random_share(workload: str, n: int, seed: int, farsi: bool) -> tuple[float, float]:
    """Share of ``n`` uniformly random actions that are valid and that meet the budgets."""
    sim = SoCSimulator(workload, farsi_energy_reading=farsi)
    space = sim.design_space
    rng = np.random.default_rng(seed)
    valid = ok = 0
    for _ in range(n):
        index = rng.integers(0, space.nvec)
        try:
            m = sim.evaluate_index(index, workload)
        except InvalidDesign:
            continue
        valid += 1
        ok += meets(workload, m)
    return valid / n, ok / n


def search(workload: str, agent: str, budget: int, seed: int, farsi: bool) -> dict[str, Any]:
    """One ``budget``-evaluation run of ``agent``; its best design."""
    env = gym.make("archgym/SoC-v1", workload=workload, farsi_energy_reading=farsi)
    space = env.unwrapped.design_space
    start = time.perf_counter()
    result = archgym.agents.make(agent, space, seed=seed).run(env, budget=budget)
    wall = time.perf_counter() - start
    hits = [e for e in result.history if not e.invalid and meets(workload, e.metrics)]
    best = result.best
    sim: SoCSimulator = env.unwrapped.simulator
    design = sim.structured(best.design, workload)
    return {"agent": agent, "wall_s": wall, "best": best.metrics, "meets": bool(hits),
            "first_hit": hits[0].step + 1 if hits else None, "kind": kind(design)}


def farsi_dse_rows() -> dict[str, dict[str, Any]]:
    import csv

    if not GOLDEN.is_file():
        return {}
    with GOLDEN.open(encoding="utf-8", newline="") as f:
        return {r["workload"]: r for r in csv.DictReader(f) if r["id"] == "farsi_dse_best"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--random", type=int, default=2000, help="random designs per workload")
    parser.add_argument("--budget", type=int, default=1000, help="evaluations per search")
    parser.add_argument("--agents", nargs="+", default=["random_walk", "ga"])
    parser.add_argument("--workloads", nargs="+", default=list(WORKLOADS), choices=WORKLOADS)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    dse = farsi_dse_rows()
    for workload in args.workloads:
        print(f"== {workload}: budgets {FARSI_BUDGETS[workload]}")
        if workload in dse:
            r = dse[workload]
            design = json.loads(r["design"])
            for farsi in (False, True):
                m = SoCSimulator(workload, farsi_energy_reading=farsi).evaluate(design, workload)
                print(f"   FARSI's DSE best ({kind(design)}), ArchGym with "
                      f"{'FARSI' if farsi else 'our'} reading: latency {m['latency_s']:.4g} s, "
                      f"power {1e3 * m['power_peak_w']:.4g} mW, area {m['area_mm2']:.4g} mm2, "
                      f"meets: {meets(workload, m)} (FARSI: {r['farsi_fits_budget']})")
        for farsi in (False, True):
            label = "FARSI's fJ" if farsi else "our nJ"
            valid, ok = random_share(workload, args.random, args.seed, farsi)
            print(f"  [{label} reading] random designs: {100 * valid:.1f}% valid, "
                  f"{100 * ok:.2f}% meet the budgets ({args.random} drawn)")
            for agent in args.agents:
                s = search(workload, agent, args.budget, args.seed, farsi)
                m = s["best"]
                print(f"  [{label} reading] {agent:<12} {args.budget} evaluations in "
                      f"{s['wall_s']:.0f} s: best latency {m['latency_s']:.4g} s, power "
                      f"{1e3 * m['power_peak_w']:.4g} mW, area {m['area_mm2']:.4g} mm2; meets "
                      f"budgets: {s['meets']}"
                      + (f" (first at evaluation {s['first_hit']})" if s["meets"] else "")
                      + f"; best is {s['kind']}")


if __name__ == "__main__":
    main()
