"""Random search on archgym/DRAMController-v0: default design vs best of N samples per workload.

Usage::

    python benchmarks/dram_random_search.py [--evaluations 500] [--seed 0]

For each shipped workload, evaluates the default design, then ``--evaluations``
designs drawn with ``env.action_space.sample()`` (seeded), and prints the
metrics of the default design and of the best sample: highest reward under
the env's default objective (latency_ns <= 100, power_mw <= 1000, distance
formula), ties broken by lower latency, then lower power.
"""

from __future__ import annotations

import argparse
import time

import gymnasium as gym

import archgym  # noqa: F401  (registers the envs)
from archgym.simulators.dram import dram_space

DEFAULT_DESIGN = dram_space().default()

METRICS = ("latency_ns", "power_mw", "energy_nj", "bandwidth_gbps", "total_time_ns")


def _fmt(info: dict, reward: float) -> str:
    m = info["metrics"]
    return f"reward {reward:8.4f} | " + "  ".join(f"{k}={m[k]:.2f}" for k in METRICS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evaluations", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    for workload in ("stream", "random", "cloud-1", "cloud-2"):
        env = gym.make("archgym/DRAMController-v0", workload=workload)
        env.reset(seed=args.seed)
        env.action_space.seed(args.seed)
        _, r0, _, _, info0 = env.step(env.unwrapped.encode(DEFAULT_DESIGN))
        best = None
        t0 = time.perf_counter()
        for _ in range(args.evaluations):
            env.reset()
            _, r, _, _, info = env.step(env.action_space.sample())
            key = (r, -info["metrics"]["latency_ns"], -info["metrics"]["power_mw"])
            if best is None or key > best[0]:
                best = (key, r, info)
        elapsed = time.perf_counter() - t0
        print(f"== {workload}: {args.evaluations} evaluations in {elapsed:.1f} s")
        print(f"default  {_fmt(info0, r0)}")
        print(f"best     {_fmt(best[2], best[1])}")
        print(f"best design: {best[2]['design']}")
        env.close()


if __name__ == "__main__":
    main()
