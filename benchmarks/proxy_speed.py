"""Proxy vs simulator speed on archgym/DRAMController-v0 (cloud-1), and the proxy's fidelity there.

1. Log ``--train`` uniformly random designs through the env with
   :class:`~archgym.datalog.RecordEvaluations` (reused if the log folder
   already holds them).
2. Draw ``--n`` other random designs (10,000 by default) and time the
   simulator's ``evaluate_batch`` on them; these answers are also the test set.
3. Train each ``--models`` kind from the log, time ``ProxySimulator.evaluate_batch``
   on the same designs (best of ``--repeats``), and score it (nRMSE = RMSE /
   range of the simulated values on the test set).

Usage::

    python benchmarks/proxy_speed.py --out runs/proxy_speed

Prints one row per model: evaluations per second of simulator and proxy, their
ratio, and the nRMSE of latency and power; writes ``proxy_speed.json``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import gymnasium as gym
import numpy as np

import archgym
from archgym import datalog
from archgym.datalog import RecordEvaluations
from archgym.proxy import ProxySimulator, fit
from archgym.proxy.fidelity import scores

ENV_ID = "archgym/DRAMController-v0"
WORKLOAD = "cloud-1"
#: Named variants: (model kind, hyperparameters).
VARIANTS = {"mlp_small": ("mlp", {"hidden": (64, 64)})}


def collect(folder: Path, n: int, seed: int) -> None:
    """Log ``n`` uniformly random valid designs (skipped if the folder already holds them)."""
    if folder.exists() and any(folder.glob("*.parquet")) and len(datalog.load(folder)) >= n:
        return
    env = RecordEvaluations(gym.make(ENV_ID, workload=WORKLOAD), folder,
                            run_info={"agent": "uniform", "seed": seed})
    rng = np.random.default_rng(seed)
    space = env.unwrapped.design_space
    env.reset(seed=seed)
    for _ in range(n):
        env.step(space.to_index(space.sample(rng)))
    env.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="runs/proxy_speed")
    parser.add_argument("--train", type=int, default=20_000, help="logged training designs")
    parser.add_argument("--n", type=int, default=10_000, help="timed designs")
    parser.add_argument("--models", default="mlp,mlp_small,rf",
                        help=f"model kinds, or a variant: {', '.join(VARIANTS)}")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    out = Path(args.out)

    t0 = time.perf_counter()
    collect(out / "logs", args.train, args.seed)
    print(f"training log: {out / 'logs'} ({time.perf_counter() - t0:.1f} s)")
    df = datalog.load(out / "logs")

    sim = archgym.make(ENV_ID, workload=WORKLOAD).unwrapped.simulator
    space = sim.design_space
    rng = np.random.default_rng(args.seed + 1)
    designs = [space.sample(rng) for _ in range(args.n)]
    sim.evaluate_batch(designs[:2], WORKLOAD)  # compile / build the trace outside the timing
    start = time.perf_counter()
    truth = sim.evaluate_batch(designs, WORKLOAD)
    sim_s = time.perf_counter() - start
    sim_rate = args.n / sim_s
    print(f"simulator: {args.n} designs in {sim_s:.2f} s = {sim_rate:,.0f} evals/s")

    results = []
    for kind in [k for k in args.models.split(",") if k]:
        t1 = time.perf_counter()
        base, hp = VARIANTS.get(kind, (kind, {}))
        model = fit(df, ENV_ID, base, workload=WORKLOAD, seed=args.seed, report_splits=(),
                    hyperparameters=hp)
        model.save(out / f"dram_{kind}.pkl")
        train_s = time.perf_counter() - t1
        proxy = ProxySimulator(model, design_space=space)
        proxy.evaluate_batch(designs[:10], WORKLOAD)
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            pred = proxy.evaluate_batch(designs, WORKLOAD)
            times.append(time.perf_counter() - start)
        index = np.stack([space.to_index(d) for d in designs])
        index_times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            proxy.predict(index, WORKLOAD)
            index_times.append(time.perf_counter() - start)
        index_s = min(index_times)
        row = {
            "model": kind,
            "train_rows": model.n_rows,
            "train_seconds": train_s,
            "sim_evals_per_s": sim_rate,
            "proxy_evals_per_s": args.n / min(times),
            "proxy_index_evals_per_s": args.n / index_s,
            "ratio": (args.n / min(times)) / sim_rate,
            "ratio_index": (args.n / index_s) / sim_rate,
        }
        for m in ("latency_ns", "power_mw", "energy_nj", "bandwidth_gbps", "total_time_ns"):
            ok = np.isfinite(truth[m])
            s = scores(truth[m][ok], pred[m][ok], sim.metric(m).goal)
            row[f"nrmse_{m}"] = s["nrmse"]
            row[f"r2_{m}"] = s["r2"]
        results.append(row)
        print(
            f"{kind:>8}: proxy {row['proxy_evals_per_s']:,.0f} evals/s (dicts), "
            f"{row['proxy_index_evals_per_s']:,.0f} evals/s (index matrix); ratio "
            f"{row['ratio']:,.0f}x (dicts), {row['ratio_index']:,.0f}x (index matrix); "
            f"nRMSE latency {100 * row['nrmse_latency_ns']:.2f}%, "
            f"power {100 * row['nrmse_power_mw']:.2f}% (trained on {model.n_rows} rows "
            f"in {train_s:.0f} s)"
        )
    (out / "proxy_speed.json").write_text(json.dumps(
        {"env": ENV_ID, "workload": WORKLOAD, "n": args.n, "sim_seconds": sim_s,
         "results": results}, indent=2))


if __name__ == "__main__":
    main()
