"""Golden values from FARSI itself: simulate designs in FARSI and in ArchGym, compare.

For each workload (``audio_decoder``, ``edge_detection``, ``hpvm_cava``) this script
simulates, with FARSI's own simulator, FARSI's DSE starting design and variants that
both simulators can express (one core vs several; a task, or every task, on its own
accelerator; accelerator clock and unrolling; bus and memory width and clock; SRAM vs
DRAM; one vs two buses; one vs two memories), plus the best design of a short run of
FARSI's own DSE. It writes one row per workload x design to
``tests/simulators/soc/farsi_golden.csv`` (the design in ArchGym's structured format as
JSON, FARSI's latency, power, energy, area, budget verdict and its wall time per
design) and prints the agreement between FARSI and ArchGym's ``SoCSimulator``.
``tests/simulators/soc/test_farsi_golden.py`` reads the CSV.

What the user must provide (nothing here builds or installs FARSI or CACTI):

* ``--farsi-dir``: a checkout of FARSI (facebookresearch/Project_FARSI; the committed
  values come from commit ce59c968);
* ``--farsi-python``: a Python interpreter with FARSI's dependencies (the versions of
  FARSI's ``environment.yml``; Python 3.7);
* ``--cacti-dir``: a directory holding FARSI's CACTI (zaddan/cacti_for_FARSI, built):
  the ``cacti`` binary and ``farsi_gen.cfg``.

FARSI's simulation runs in ``benchmarks/farsi_driver.py`` (ArchGym code importing
FARSI's modules) under ``--farsi-python``; this script only talks to it.

Usage::

    python benchmarks/farsi_golden.py --farsi-dir DIR --farsi-python PY --cacti-dir DIR \\
        [--dse-evaluations 1000] [--out tests/simulators/soc/farsi_golden.csv]
    python benchmarks/farsi_golden.py --report      # agreement of the committed CSV
"""

from __future__ import annotations

import argparse
import copy
import csv
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from archgym.simulators.soc import WORKLOADS, SoCSimulator, TaskGraph, load_task_graph

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "simulators" / "soc" / "farsi_golden.csv"
DRIVER = Path(__file__).resolve().parent / "farsi_driver.py"
#: FARSI's budgets (FACTS.md; farsi_inputs.csv lines 2-12).
BUDGETS = {
    "audio_decoder": {"latency_s": 0.021, "power_w": 8.737e-3, "area_mm2": 17.475},
    "edge_detection": {"latency_s": 0.034, "power_w": 8.737e-3, "area_mm2": 17.475},
    "hpvm_cava": {"latency_s": 0.034, "power_w": 8.737e-3, "area_mm2": 17.475},
}
#: FARSI's budget check: a metric meets its budget when within 0.1% above it.
BUDGET_SLACK = 1.001
COLUMNS = ("workload", "id", "base", "knob", "design", "farsi_latency_s", "farsi_power_w",
           "farsi_energy_j", "farsi_area_mm2", "farsi_dram_area_mm2", "farsi_fits_budget",
           "farsi_sim_s")


# ------------------------------------------------------------------------- designs
def _start(g: TaskGraph) -> dict[str, Any]:
    """FARSI's DSE starting design: one A53, one 4-byte bus and one 4-byte DRAM at
    100 MHz (its least capable blocks), every task on the core."""
    return {"pes": [{"type": "A53"}],
            "memories": [{"type": "dram", "width": 4, "clock_mhz": 100}],
            "buses": [{"width": 4, "clock_mhz": 100}], "pe_bus": [0], "mem_bus": [0],
            "task_pe": dict.fromkeys(g.tasks, 0), "task_mem": dict.fromkeys(g.tasks, 0)}


def _by_work(g: TaskGraph) -> list[str]:
    return sorted((g.tasks[t] for t in g.compute_tasks),
                  key=lambda n: -g.instructions[g.tasks.index(n)])


def _cores(g: TaskGraph, n: int) -> dict[str, Any]:
    """``n`` cores; tasks with work spread greedily (heaviest first, least loaded core)."""
    d = _start(g)
    d["pes"] = [{"type": "A53"} for _ in range(n)]
    d["pe_bus"] = [0] * n
    load = [0.0] * n
    for name in _by_work(g):
        k = int(np.argmin(load))
        d["task_pe"][name] = k
        load[k] += g.instructions[g.tasks.index(name)]
    return d


def _accel(d: dict[str, Any], g: TaskGraph, tasks: list[str], unroll_level: int = 0,
           clock_mhz: int = 100) -> dict[str, Any]:
    """``d`` with each task of ``tasks`` on an accelerator of its own."""
    from archgym.simulators.soc.blocks import default_library

    acc = default_library().accelerator
    d = copy.deepcopy(d)
    for name in tasks:
        levels = acc.unroll_levels(g.loop_iterations[g.tasks.index(name)])
        d["pes"].append({"type": "accelerator", "task": name,
                         "unroll": levels[min(unroll_level, len(levels) - 1)],
                         "clock_mhz": clock_mhz})
        d["pe_bus"].append(0)
        d["task_pe"][name] = len(d["pes"]) - 1
    return d


def _with(d: dict[str, Any], **changes: Any) -> dict[str, Any]:
    d = copy.deepcopy(d)
    for key, value in changes.items():
        block, _, field = key.partition("__")
        index, _, attr = field.partition("_")
        d[block][int(index)][attr] = value
    return d


def designs(g: TaskGraph) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """``(id, base id, knob, design)`` of the designs simulated for ``g``; a variant
    differs from its base in the one knob named (no base: several knobs)."""
    start = _start(g)
    work = _by_work(g)
    # the heaviest task whose loop can be unrolled (else the heaviest)
    heavy = next((n for n in work if g.loop_iterations[g.tasks.index(n)] > 1), work[0])
    yield "start", "", "", start
    two = _cores(g, 2)
    yield "cores2", "start", "cores", two
    yield "cores3", "start", "cores", _cores(g, 3)
    one = _accel(start, g, [heavy])
    yield "heavy_accel", "start", "task on accelerator", one
    yield "heavy_accel_800", "heavy_accel", "accelerator clock", _accel(start, g, [heavy],
                                                                       clock_mhz=800)
    yield "heavy_accel_unroll", "heavy_accel", "accelerator unrolling", _accel(start, g, [heavy],
                                                                            unroll_level=3)
    every = _accel(start, g, work)
    yield "all_accel", "start", "every task on accelerator", every
    yield "all_accel_800", "all_accel", "accelerator clock", _accel(start, g, work,
                                                                   clock_mhz=800)
    yield "all_accel_unroll", "all_accel", "accelerator unrolling", _accel(start, g, work,
                                                                          unroll_level=3)
    bus_wide = _with(start, buses__0_width=16)
    yield "bus_wide", "start", "bus width", bus_wide
    wide = _with(bus_wide, memories__0_width=16)
    yield "wide", "bus_wide", "memory width", wide
    bus_fast = _with(start, buses__0_clock_mhz=400)
    yield "bus_fast", "start", "bus clock", bus_fast
    yield "fast", "bus_fast", "memory clock", _with(bus_fast, memories__0_clock_mhz=400)
    yield "sram", "start", "SRAM vs DRAM", _with(start, memories__0_type="sram")
    yield "wide_sram", "wide", "SRAM vs DRAM", _with(wide, memories__0_type="sram")
    buses2 = copy.deepcopy(start)
    buses2["buses"].append({"width": 4, "clock_mhz": 100})
    buses2["links"] = [[0, 1]]
    buses2["mem_bus"] = [1]
    yield "buses2", "start", "two buses", buses2
    mems2 = copy.deepcopy(start)
    mems2["memories"].append({"type": "dram", "width": 4, "clock_mhz": 100})
    mems2["mem_bus"].append(0)
    for k, name in enumerate(work):
        mems2["task_mem"][name] = k % 2
    yield "mems2", "start", "two memories", mems2
    near = copy.deepcopy(buses2)
    near["memories"].append({"type": "dram", "width": 4, "clock_mhz": 100})
    near["mem_bus"].append(0)
    for k, name in enumerate(work):
        near["task_mem"][name] = 1 if k % 2 else 0
    yield "buses2_mems2", "buses2", "second memory", near
    cores2_buses2 = copy.deepcopy(two)
    cores2_buses2["buses"].append({"width": 4, "clock_mhz": 100})
    cores2_buses2["links"] = [[0, 1]]
    cores2_buses2["pe_bus"] = [0, 1]
    yield "cores2_buses2", "cores2", "two buses", cores2_buses2
    every_wide = _with(every, memories__0_width=64, buses__0_width=64)
    yield "all_accel_wide", "", "", every_wide
    yield "all_accel_wide_sram", "all_accel_wide", "SRAM vs DRAM", _with(
        every_wide, memories__0_type="sram")
    fast = _accel(start, g, work, clock_mhz=800, unroll_level=3)
    fast = _with(fast, memories__0_type="sram", memories__0_width=64, memories__0_clock_mhz=800,
                 buses__0_width=64, buses__0_clock_mhz=800)
    yield "all_accel_fast_memory", "", "", fast


# --------------------------------------------------------------------------- FARSI
class Driver:
    """``benchmarks/farsi_driver.py`` running under FARSI's interpreter."""

    def __init__(self, farsi_dir: Path, farsi_python: str, cacti_dir: Path, work_dir: Path):
        env = dict(os.environ, PYTHONPATH=str(farsi_dir))
        self.proc = subprocess.Popen(
            [farsi_python, str(DRIVER), "--farsi-dir", str(farsi_dir), "--cacti-dir",
             str(cacti_dir), "--work-dir", str(work_dir)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            text=True, env=env, cwd=str(work_dir),
        )

    def ask(self, request: dict[str, Any]) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit("the FARSI driver stopped; run it by hand to see its error")
        answer = json.loads(line)
        if "error" in answer:
            raise SystemExit(f"FARSI failed on {request.get('op')} {request.get('workload')}: "
                             f"{answer['error']}\n{answer.get('traceback', '')}")
        return answer

    def simulate(self, workload: str, g: TaskGraph, design: dict[str, Any]) -> dict[str, Any]:
        """FARSI's answer for a structured design (mappings task -> index)."""
        d = copy.deepcopy(design)
        d["tasks"] = list(g.tasks)
        d["task_pe"] = [design["task_pe"][t] for t in g.tasks]
        d["task_mem"] = [design["task_mem"][t] for t in g.tasks]
        return self.ask({"op": "simulate", "workload": workload, "design": d})

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(timeout=60)


def _row(workload: str, ident: str, base: str, knob: str, design: dict[str, Any],
         a: dict[str, Any]) -> dict[str, Any]:
    return {"workload": workload, "id": ident, "base": base, "knob": knob,
            "design": json.dumps(design, separators=(",", ":")),
            "farsi_latency_s": repr(a["latency_s"]), "farsi_power_w": repr(a["power_w"]),
            "farsi_energy_j": repr(a["energy_j"]), "farsi_area_mm2": repr(a["area_mm2"]),
            "farsi_dram_area_mm2": repr(a["dram_area_mm2"]),
            "farsi_fits_budget": str(a["fits_budget"]).lower(),
            "farsi_sim_s": f"{a['sim_s']:.4f}"}


def collect(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Simulate every design in FARSI; return the CSV rows."""
    work = Path(args.work_dir or tempfile.mkdtemp(prefix="farsi_golden_")).resolve()
    work.mkdir(parents=True, exist_ok=True)
    driver = Driver(args.farsi_dir.resolve(), args.farsi_python, args.cacti_dir.resolve(), work)
    rows = []
    try:
        for workload in args.workloads:
            g = load_task_graph(workload)
            start = driver.ask({"op": "start_design", "workload": workload})
            ours_start = _start(g)
            if start["design"]["pes"] != ours_start["pes"] or \
                    start["design"]["memories"] != ours_start["memories"] or \
                    start["design"]["buses"] != ours_start["buses"]:
                raise SystemExit(f"FARSI's starting design differs from ours: {start['design']}")
            for ident, base, knob, design in designs(g):
                a = driver.simulate(workload, g, design)
                rows.append(_row(workload, ident, base, knob, design, a))
                print(f"{workload:<16}{ident:<24}{a['latency_s']:>12.6g} s  {a['sim_s']:.2f} s",
                      flush=True)
            if args.dse_evaluations:
                best = driver.ask({"op": "dse", "workload": workload,
                                   "evaluations": args.dse_evaluations})
                design = best["design"]
                a = driver.simulate(workload, g, design)  # the design as we read it back
                if abs(a["latency_s"] / best["latency_s"] - 1) > 1e-6:
                    print(f"warning: FARSI's DSE design read back gives latency {a['latency_s']}"
                          f", its DSE reported {best['latency_s']}")
                rows.append(_row(workload, "farsi_dse_best", "", "farsi dse", design, a))
                print(f"{workload:<16}{'farsi_dse_best':<24}{a['latency_s']:>12.6g} s  "
                      f"(DSE: {best['evaluations']} evaluations, {best['dse_wall_s']:.0f} s, "
                      f"{best['reason']})", flush=True)
    finally:
        driver.close()
    return rows


# ----------------------------------------------------------------------- agreement
def ours_for(rows: list[dict[str, Any]], **simulator_args: Any) -> list[dict[str, float]]:
    """ArchGym's metrics for every row's design."""
    sims: dict[str, SoCSimulator] = {}
    out = []
    for r in rows:
        w = r["workload"]
        sim = sims.setdefault(w, SoCSimulator(w, **simulator_args))
        out.append(sim.evaluate(json.loads(r["design"]), w))
    return out


def meets_budget(workload: str, latency: float, power: float, area: float, dram: float) -> bool:
    """FARSI's verdict: every metric within 0.1% of its budget; stacked DRAM apart."""
    b = BUDGETS[workload]
    return (latency <= b["latency_s"] * BUDGET_SLACK and power <= b["power_w"] * BUDGET_SLACK
            and area <= b["area_mm2"] * BUDGET_SLACK and dram <= b["area_mm2"] * BUDGET_SLACK)


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman's rank correlation (average ranks for ties)."""
    from scipy.stats import spearmanr

    return float(spearmanr(a, b).statistic)


PAIRS = {"latency": ("latency_s", "farsi_latency_s"),
         "power": ("power_peak_w", "farsi_power_w"),
         "energy": ("energy_j", "farsi_energy_j"),
         "area": ("total_area_mm2", "farsi_area_mm2")}


def agreement(rows: list[dict[str, Any]], ours: list[dict[str, float]],
              farsi_reading: list[dict[str, float]]) -> list[dict[str, Any]]:
    """Per workload: Spearman, median and max relative error of each metric (power and
    energy also with FARSI's reading of the accelerator energy figures); budget verdicts
    with FARSI's reading."""
    pairs = dict(PAIRS)
    table = []
    for w in dict.fromkeys(r["workload"] for r in rows):
        idx = [i for i, r in enumerate(rows) if r["workload"] == w]
        entry: dict[str, Any] = {"workload": w, "designs": len(idx)}
        for name, (mine, theirs) in [*pairs.items(),
                                     ("power*", PAIRS["power"]), ("energy*", PAIRS["energy"])]:
            src = farsi_reading if name.endswith("*") else ours
            o = np.array([src[i]["area_mm2"] + src[i]["dram_area_mm2"] if mine ==
                          "total_area_mm2" else src[i][mine] for i in idx])
            f = np.array([float(rows[i][theirs]) for i in idx])
            err = np.abs(o / f - 1)
            entry[name] = (spearman(o, f), float(np.median(err)), float(err.max()))
        same = sum(
            meets_budget(w, farsi_reading[i]["latency_s"], farsi_reading[i]["power_peak_w"],
                         farsi_reading[i]["area_mm2"], farsi_reading[i]["dram_area_mm2"])
            == (rows[i]["farsi_fits_budget"] == "true") for i in idx)
        entry["budget_agree"] = f"{same}/{len(idx)}"
        entry["farsi_meets"] = sum(rows[i]["farsi_fits_budget"] == "true" for i in idx)
        table.append(entry)
    return table


def print_table(table: list[dict[str, Any]]) -> None:
    print(f"{'workload':<16}{'n':>3}  {'metric':<8}{'spearman':>9}{'median err':>12}"
          f"{'max err':>10}")
    for e in table:
        for k, name in enumerate(("latency", "power", "energy", "area", "power*", "energy*")):
            rho, med, mx = e[name]
            head = f"{e['workload']:<16}{e['designs']:>3}" if k == 0 else " " * 19
            print(f"{head}  {name:<8}{rho:>9.3f}{100 * med:>11.1f}%{100 * mx:>9.1f}%")
        print(f"{'':<19}  budgets met (FARSI's reading): same verdict for {e['budget_agree']}"
              f" designs (FARSI: {e['farsi_meets']} meet)")
    print("(* with FARSI's reading of the accelerator energy figures, femtojoules)")


def read_rows(path: Path) -> list[dict[str, Any]]:
    """The rows of a golden CSV."""
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--farsi-dir", type=Path, help="FARSI checkout (user-provided)")
    parser.add_argument("--farsi-python", help="interpreter with FARSI's dependencies")
    parser.add_argument("--cacti-dir", type=Path, help="directory with FARSI's built CACTI")
    parser.add_argument("--work-dir", type=Path, help="scratch directory (default: temporary)")
    parser.add_argument("--workloads", nargs="+", default=list(WORKLOADS), choices=WORKLOADS)
    parser.add_argument("--dse-evaluations", type=int, default=1000,
                        help="designs FARSI's own DSE may simulate (0: skip it)")
    parser.add_argument("--out", type=Path, default=GOLDEN, help="CSV to write")
    parser.add_argument("--report", action="store_true",
                        help="only compare ArchGym with the committed CSV")
    args = parser.parse_args()
    if args.report:
        rows = read_rows(args.out)
    else:
        if not (args.farsi_dir and args.farsi_python and args.cacti_dir):
            parser.error("--farsi-dir, --farsi-python and --cacti-dir are required "
                         "(or --report)")
        rows = collect(args)
        with args.out.open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=COLUMNS)
            writer.writeheader()
            writer.writerows(rows)
        print(f"wrote {len(rows)} rows to {args.out}")
    print_table(agreement(rows, ours_for(rows), ours_for(rows, farsi_energy_reading=True)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
