"""Speed of the accelerator simulator, invalid-design fractions and SCALE-Sim agreement.

Prints:

* milliseconds per design for one design on all of ResNet-50
  (``AcceleratorSimulator.evaluate``; target <= 1 ms);
* designs per second for ``evaluate_batch`` over 1,000 random designs
  (target >= 10,000 designs/s);
* the fraction of uniformly random designs of the env's space that are
  invalid (a buffer too small for some layer's minimal tile), per workload;
* the max and median relative error of compute cycles against the SCALE-Sim
  v3 golden set (``tests/simulators/accelerator/scalesim_golden.csv``).

Usage::

    .venv/bin/python benchmarks/accelerator_speed.py [--repeat 2000] [--designs 1000]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from archgym.errors import InvalidDesign
from archgym.simulators.accelerator import (
    WORKLOADS,
    AcceleratorSimulator,
    conv_layer,
    gemm_layer,
)

GOLDEN = Path(__file__).resolve().parents[1] / "tests/simulators/accelerator/scalesim_golden.csv"


def single_design_ms(sim: AcceleratorSimulator, repeat: int) -> float:
    design = sim.design_space.default()
    sim.evaluate(design, "resnet50")  # compile / warm up
    start = time.perf_counter()
    for _ in range(repeat):
        sim.evaluate(design, "resnet50")
    return (time.perf_counter() - start) / repeat * 1e3


def batch_designs_per_s(sim: AcceleratorSimulator, n: int, rounds: int = 5) -> float:
    rng = np.random.default_rng(0)
    designs = [sim.design_space.sample(rng) for _ in range(n)]
    sim.evaluate_batch(designs, "resnet50")
    best = np.inf
    for _ in range(rounds):
        start = time.perf_counter()
        sim.evaluate_batch(designs, "resnet50")
        best = min(best, time.perf_counter() - start)
    return n / best


def invalid_fractions(sim: AcceleratorSimulator, n: int) -> dict[str, float]:
    rng = np.random.default_rng(1)
    designs = [sim.design_space.sample(rng) for _ in range(n)]
    return {w: 1.0 - float(sim.evaluate_batch(designs, w)["valid"].mean()) for w in WORKLOADS}


def scalesim_errors(sim: AcceleratorSimulator) -> np.ndarray:
    golden = pd.read_csv(GOLDEN, comment="#")
    errors = []
    for _, r in golden.iterrows():
        layer = (gemm_layer(r.case, r.M, r.N, r.K) if r.kind == "gemm" else
                 conv_layer(r.case, r.ifmap_h, r.ifmap_w, r.filter_h, r.filter_w, r.channels,
                            r.num_filters, r.stride))
        design = dict(pe_rows=int(r.rows), pe_cols=int(r.cols), dataflow=r.dataflow,
                      ifmap_sram_kb=int(r.ifmap_kb), filter_sram_kb=int(r.filter_kb),
                      ofmap_sram_kb=int(r.ofmap_kb), dram_bw_bytes_per_cycle=10**9,
                      clock_mhz=1000)
        try:
            out = sim.evaluate_layer(design, layer)
        except InvalidDesign:  # compute cycles do not depend on the buffer sizes
            out = sim.evaluate_layer(
                dict(design, ifmap_sram_kb=2048, filter_sram_kb=2048, ofmap_sram_kb=2048), layer)
        errors.append(abs(out["compute_cycles"] - r.compute_cycles) / r.compute_cycles)
    return np.array(errors)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2000)
    parser.add_argument("--designs", type=int, default=1000)
    args = parser.parse_args()
    sim = AcceleratorSimulator()
    ms = single_design_ms(sim, args.repeat)
    rate = batch_designs_per_s(sim, args.designs)
    print(f"ResNet-50, one design:       {ms:.3f} ms/design (target <= 1 ms)")
    print(f"ResNet-50, batch of {args.designs}: {rate:,.0f} designs/s (target >= 10,000)")
    print("invalid fraction of uniformly random designs (2,000 samples):")
    for w, frac in invalid_fractions(sim, 2000).items():
        print(f"  {w:<20} {frac:.3f}")
    err = scalesim_errors(sim)
    print(f"SCALE-Sim v3 compute cycles over {len(err)} golden cases: "
          f"max rel. error {err.max():.2e}, median {np.median(err):.2e}")


if __name__ == "__main__":
    main()
