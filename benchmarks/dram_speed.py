"""Speed of the DRAM simulator: simulated requests per second, compile time, env step time.

Usage::

    python benchmarks/dram_speed.py            # cold: compiles into a fresh Numba cache
    python benchmarks/dram_speed.py --warm     # use the normal Numba cache

Prints the first-call time (JIT compilation of the kernel and the energy
helper; with ``--warm`` and a populated cache it is the cache load), then the
best of ``--repeat`` runs of ``DRAMSimulator.run`` with the default design on
100,000-request ``stream`` and ``random`` traces (one request offered per
clock) — as wall time and as process CPU time, the latter being robust to
other load on the machine — and the mean time of one ``DRAMController-v0`` evaluation (10,000 reads)
per workload.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warm", action="store_true", help="keep the normal Numba cache")
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if not args.warm:
        os.environ["NUMBA_CACHE_DIR"] = tempfile.mkdtemp(prefix="archgym-numba-")

    from archgym.simulators.dram import WORKLOADS, DRAMSimulator, dram_space, generate_trace

    default = dram_space().default()

    sim = DRAMSimulator()
    t0 = time.perf_counter()
    sim.run(generate_trace("random", 100, seed=0))
    first = time.perf_counter() - t0
    mode = "warm cache" if args.warm else "cold, fresh cache"
    print(f"first call (compile, {mode}): {first:.2f} s")

    for kind in ("stream", "random"):
        trace = generate_trace(kind, args.requests, seed=0)
        best_wall = best_cpu = float("inf")
        for _ in range(args.repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            stats = sim.run(trace, default)
            best_cpu = min(best_cpu, time.process_time() - c0)
            best_wall = min(best_wall, time.perf_counter() - t0)
        for label, best in (("wall", best_wall), ("cpu", best_cpu)):
            rate = args.requests / best
            print(f"{kind:6s} {args.requests} requests ({label:4s}): {best * 1e3:7.1f} ms "
                  f"{rate:12,.0f} requests/s ({rate / 1e6:.2f}x the 1,000,000 requests/s target)")
        print(f"       [{stats.bandwidth_gbps:.2f} GB/s, mean read latency "
              f"{stats.avg_read_latency_ns:.1f} ns]")

    for workload in WORKLOADS:
        sim.evaluate(default, workload)  # builds and caches the trace
        t0 = time.perf_counter()
        for _ in range(args.repeat * 4):
            sim.evaluate(default, workload)
        per = (time.perf_counter() - t0) / (args.repeat * 4)
        print(f"env evaluation {workload:8s} (10,000 reads): {per * 1e3:6.2f} ms")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
