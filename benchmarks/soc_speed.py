"""Speed of the SoC simulator, next to FARSI's on the same designs when FARSI is given.

Part 1, always: for each shipped workload, draw uniformly random index vectors of the
flat encoding (``archgym/SoC-v1``'s action space), report the fraction that are valid
and time ``SoCSimulator.evaluate_index`` (decode + rule checks + simulation) on the
valid ones.

Part 2, side by side: the designs of ``tests/simulators/soc/farsi_golden.csv`` (FARSI's
DSE starting design, its variants and FARSI's DSE best) are simulated by ArchGym and,
when ``--farsi-dir``, ``--farsi-python`` and ``--cacti-dir`` are given, by FARSI in the
same run (through ``benchmarks/farsi_driver.py``; see ``benchmarks/farsi_golden.py``
for what the user must provide). FARSI's time per design is the wall time of its
``eval_design`` (its simulation, CACTI look-ups included, the driver's round trip
excluded); CACTI results are cached in ``--work-dir`` after the first run.

Usage::

    python benchmarks/soc_speed.py [--designs 2000] [--seed 0]
    python benchmarks/soc_speed.py --farsi-dir DIR --farsi-python PY --cacti-dir DIR
"""

from __future__ import annotations

import argparse
import csv
import json
import tempfile
import time
from pathlib import Path

import numpy as np

# run as a script, this file's directory is on sys.path: the sibling benchmark is importable
from farsi_golden import GOLDEN, Driver

from archgym.errors import InvalidDesign
from archgym.simulators.soc import WORKLOADS, SoCSimulator, load_task_graph


def random_designs(args: argparse.Namespace) -> None:
    print(f"{'workload':<16}{'params':>8}{'valid %':>10}{'ms/design':>12}{'designs/s':>12}")
    for workload in WORKLOADS:
        sim = SoCSimulator(workload)
        space = sim.design_space
        rng = np.random.default_rng(args.seed)
        indices = [rng.integers(0, space.nvec) for _ in range(args.designs)]
        valid = []
        for index in indices:
            try:
                sim.evaluate_index(index, workload)
            except InvalidDesign:
                continue
            valid.append(index)
        best = float("inf")
        for _ in range(args.repeats):
            start = time.perf_counter()
            for index in valid:
                sim.evaluate_index(index, workload)
            best = min(best, (time.perf_counter() - start) / max(len(valid), 1))
        print(f"{workload:<16}{len(space):>8}{100 * len(valid) / len(indices):>10.1f}"
              f"{1e3 * best:>12.3f}{1 / best:>12.0f}")


def side_by_side(args: argparse.Namespace) -> None:
    with GOLDEN.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    driver = None
    if args.farsi_dir:
        work = Path(args.work_dir or tempfile.mkdtemp(prefix="soc_speed_")).resolve()
        work.mkdir(parents=True, exist_ok=True)
        driver = Driver(args.farsi_dir.resolve(), args.farsi_python, args.cacti_dir.resolve(),
                        work)
    print(f"\n{'workload':<16}{'designs':>8}{'ArchGym ms':>12}{'FARSI ms':>12}{'speed-up':>10}")
    totals = [0.0, 0.0, 0]
    try:
        for workload in WORKLOADS:
            mine = [r for r in rows if r["workload"] == workload]
            if not mine:
                continue
            g = load_task_graph(workload)
            sim = SoCSimulator(workload)
            ours, theirs = [], []
            for r in mine:
                design = json.loads(r["design"])
                best = float("inf")
                for _ in range(args.repeats):
                    start = time.perf_counter()
                    sim.evaluate(design, workload)
                    best = min(best, time.perf_counter() - start)
                ours.append(best)
                if driver is not None:
                    theirs.append(driver.simulate(workload, g, design)["sim_s"])
            o = 1e3 * float(np.mean(ours))
            totals[0] += sum(ours)
            totals[2] += len(ours)
            if theirs:
                f = 1e3 * float(np.mean(theirs))
                totals[1] += sum(theirs)
                print(f"{workload:<16}{len(mine):>8}{o:>12.2f}{f:>12.1f}{f / o:>9.0f}x")
            else:
                print(f"{workload:<16}{len(mine):>8}{o:>12.2f}{'-':>12}{'-':>10}")
    finally:
        if driver is not None:
            driver.close()
    o = 1e3 * totals[0] / totals[2]
    if driver is not None:
        f = 1e3 * totals[1] / totals[2]
        print(f"{'all':<16}{totals[2]:>8}{o:>12.2f}{f:>12.1f}{f / o:>9.0f}x")
        print(f"\nArchGym simulates a design in {o:.2f} ms, FARSI in {f:.0f} ms "
              f"({f / o:.0f}x), measured side by side on the same {totals[2]} designs.")
    else:
        print(f"{'all':<16}{totals[2]:>8}{o:>12.2f}   (FARSI not given: --farsi-dir ...)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--designs", type=int, default=2000, help="random designs per workload")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=3, help="timing repeats (best is kept)")
    parser.add_argument("--farsi-dir", type=Path, help="FARSI checkout (user-provided)")
    parser.add_argument("--farsi-python", help="interpreter with FARSI's dependencies")
    parser.add_argument("--cacti-dir", type=Path, help="directory with FARSI's built CACTI")
    parser.add_argument("--work-dir", type=Path, help="scratch directory for FARSI")
    args = parser.parse_args()
    if args.farsi_dir and not (args.farsi_python and args.cacti_dir):
        parser.error("--farsi-dir needs --farsi-python and --cacti-dir")
    random_designs(args)
    side_by_side(args)


if __name__ == "__main__":
    main()
