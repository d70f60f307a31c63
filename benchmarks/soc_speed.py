"""Speed of the SoC simulator and the valid fraction of uniformly random designs.

For each shipped workload: draw uniformly random index vectors of the flat encoding
(``archgym/SoC-v0``'s action space), report the fraction that are valid, then time
``SoCSimulator.evaluate`` (decode + rule checks + discrete-event simulation) on the
valid ones and print milliseconds per design.

Usage::

    python benchmarks/soc_speed.py [--designs 2000] [--seed 0]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from archgym.errors import InvalidDesign
from archgym.simulators.soc import WORKLOADS, SoCSimulator


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--designs", type=int, default=2000, help="random designs per workload")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=3, help="timing repeats (best is kept)")
    args = parser.parse_args()
    print(f"{'workload':<16}{'params':>8}{'valid %':>10}{'ms/design':>12}{'designs/s':>12}")
    for workload in WORKLOADS:
        sim = SoCSimulator(workload)
        space = sim.design_space
        rng = np.random.default_rng(args.seed)
        flats = [space.from_index(rng.integers(0, space.nvec)) for _ in range(args.designs)]
        valid = []
        for f in flats:
            try:
                sim.evaluate(f, workload)
            except InvalidDesign:
                continue
            valid.append(f)
        best = float("inf")
        for _ in range(args.repeats):
            start = time.perf_counter()
            for f in valid:
                sim.evaluate(f, workload)
            best = min(best, (time.perf_counter() - start) / max(len(valid), 1))
        print(f"{workload:<16}{len(space):>8}{100 * len(valid) / len(flats):>10.1f}"
              f"{1e3 * best:>12.3f}{1 / best:>12.0f}")


if __name__ == "__main__":
    main()
