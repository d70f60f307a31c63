"""Speed of the LLM-serving simulator: one design, a 1,000-request trace.

Prints, for every shipped workload (1,000 requests each) and the default
design of ``archgym/LLMServing-v0``, the best wall time and the best process
CPU time of ``LLMServingSimulator.evaluate`` over ``--repeat`` runs (target
<= 50 ms per 1,000-request trace; on a shared machine the CPU time is the
better measure), the simulated requests per wall-clock second, and the
iterations the serving loop simulated. Then the same over ``--designs`` uniformly
random designs of the space on the default workload (median and 90th
percentile; overloaded designs queue long and run more iterations).

Usage::

    .venv/bin/python benchmarks/llm_serving_speed.py [--repeat 5] [--designs 100]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from archgym.errors import InvalidDesign
from archgym.simulators.llm_serving import WORKLOADS, LLMServingSimulator

DEFAULT_WORKLOAD = "llama-3-70b/azure-conv"


def best_seconds(sim: LLMServingSimulator, design: dict, workload: str,
                 repeat: int) -> tuple[float, float, dict]:
    """Best wall time and best process CPU time of ``repeat`` evaluations (s), and the metrics."""
    out = sim.evaluate(design, workload)  # compile / load the trace
    best_wall = best_cpu = np.inf
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        sim.evaluate(design, workload)
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    return best_wall, best_cpu, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--designs", type=int, default=100)
    args = parser.parse_args()
    sim = LLMServingSimulator()
    design = sim.design_space.default()
    print(f"default design: {design}")
    print(f"{'workload':34s} {'requests':>8s} {'wall ms':>8s} {'CPU ms':>8s} "
          f"{'sim req/s':>10s} {'iterations':>10s}")
    for w in WORKLOADS:
        wall, cpu, out = best_seconds(sim, design, w, args.repeat)
        n = len(sim.resolve_workload(w).trace)
        print(f"{w:34s} {n:8d} {wall * 1e3:8.1f} {cpu * 1e3:8.1f} {n / wall:10.0f} "
              f"{out['iterations']:10.0f}")
    rng = np.random.default_rng(0)
    times = []
    for _ in range(args.designs):
        d = sim.design_space.sample(rng)
        start = time.perf_counter()
        try:
            sim.evaluate(d, DEFAULT_WORKLOAD)
        except InvalidDesign:
            continue
        times.append(time.perf_counter() - start)
    t = np.array(times) * 1e3
    print(f"{len(t)} valid random designs on {DEFAULT_WORKLOAD}: median {np.median(t):.1f} ms, "
          f"p90 {np.percentile(t, 90):.1f} ms, max {t.max():.1f} ms per 1,000-request trace")


if __name__ == "__main__":
    main()
