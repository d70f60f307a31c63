"""Overhead of ``ArchEnv.step`` over a bare ``Simulator.evaluate`` call.

Runs the same sequence of designs through (a) ``simulator.evaluate`` directly,
(b) the bare ``ArchEnv.step`` and (c) the env as ``gym.make`` returns it (with
Gymnasium's checker/order wrappers and ArchGym's timing wrapper), and prints
microseconds per call and the overhead. The simulator is a constant-time stub,
so the difference is the env's own cost.

Usage: python benchmarks/env_overhead.py [--n 20000]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Mapping
from typing import Any

import gymnasium as gym
import numpy as np

import archgym
from archgym.env import ArchEnv
from archgym.parameters import Categorical, IntegerRange, PowerOfTwo
from archgym.simulator import Metric, Simulator
from archgym.space import DesignSpace


class StubSimulator(Simulator):
    """Ten parameters (the DRAM env's size), three metrics, constant work."""

    metrics = (
        Metric("latency_ns", "ns"),
        Metric("power_mw", "mW"),
        Metric("bandwidth_gbps", "GB/s", "max"),
    )
    workloads = ("w",)

    def __init__(self) -> None:
        params = {f"c{i}": Categorical(["a", "b", "c"]) for i in range(5)}
        params.update({f"p{i}": PowerOfTwo(1, 128) for i in range(4)})
        params["r"] = IntegerRange(0, 8)
        self.design_space = DesignSpace(params)

    def evaluate(self, design: Mapping[str, Any], workload: Any) -> dict[str, float]:
        return {"latency_ns": 100.0, "power_mw": 300.0, "bandwidth_gbps": 12.0}


class StubEnv(ArchEnv):
    def __init__(self, **kwargs: Any):
        super().__init__(
            StubSimulator(), "w", default_targets={"latency_ns": 120.0, "power_mw": 400.0}, **kwargs
        )


def _time(fn, items) -> float:
    start = time.perf_counter()
    for x in items:
        fn(x)
    return (time.perf_counter() - start) / len(items) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20000)
    args = parser.parse_args()
    archgym.register_env("archgym-bench/Stub-v0", f"{__name__}:StubEnv")
    env = gym.make("archgym-bench/Stub-v0")
    bare = env.unwrapped
    sim = bare.simulator
    rng = np.random.default_rng(0)
    actions = [rng.integers(0, bare.design_space.nvec) for _ in range(args.n)]
    designs = [bare.design_space.from_index(a) for a in actions]
    env.reset(seed=0)

    def wrapped_step(a):
        env.step(a)
        env.reset()

    for _ in range(2):  # warm up, then measure
        t_sim = _time(lambda d: sim.evaluate(d, "w"), designs)
        t_bare = _time(bare.step, actions)
        t_wrapped = _time(wrapped_step, actions)
    print(f"designs: {args.n}")
    print(f"simulator.evaluate:            {t_sim:8.2f} us/call")
    print(
        f"ArchEnv.step (bare):           {t_bare:8.2f} us/step  overhead {t_bare - t_sim:6.2f} us"
    )
    print(
        f"gym.make env step+reset:       {t_wrapped:8.2f} us/step  "
        f"overhead {t_wrapped - t_sim:6.2f} us"
    )
    print("target: overhead of ArchEnv.step under 50 us")


if __name__ == "__main__":
    main()
