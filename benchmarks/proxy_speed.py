"""Proxy vs simulator, per env step: every model kind's cost and fidelity next to the simulator's.

For each env (DRAMController-v0 on cloud-1, DNNAccelerator-v0 on resnet50,
SoC-v1 and LLMServing-v0 on their default workloads):

1. Log ``--train`` uniformly random actions through the env with
   :class:`~archgym.datalog.RecordEvaluations` (reused when the log folder
   already holds them).
2. Step ``--n`` other random actions through the plain env (the simulator
   backend): its per-step cost, and the true metrics, rewards and target-met
   verdicts.
3. Train each ``--models`` kind from the log, save it, make the env with
   ``backend="proxy"`` from the file, and step the same actions: per-step
   cost and fidelity on the test designs the model was not trained on —
   the worst metric's nRMSE (RMSE / range of the simulated values), reward
   Spearman, target-met F1 and top-10 recall by reward. The ensemble is also
   run as ``backend="auto"`` (simulator when its uncertainty is >=
   ``--threshold``).

Per-step costs are the best of ``--repeats`` rollouts (the machine may be
shared). A kind meets the fidelity bar (:data:`BAR`: reward Spearman >= 0.9
and worst-metric nRMSE <= 5% on the held-out designs) on every env where at
least one kind meets it (an env where none does is one the proxies cannot
learn from ``--train`` random designs; it is named). ArchGym's default kind
(:data:`archgym.proxy.DEFAULT_KIND`) is the fastest kind that meets it.

Usage::

    python benchmarks/proxy_speed.py --out runs/proxy_speed

Prints one table per env and writes ``proxy_speed.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np

import archgym
import archgym.proxy
from archgym import datalog
from archgym.datalog import RecordEvaluations
from archgym.proxy import fit, load_model
from archgym.proxy.fidelity import reward_scores, scores

#: env id -> keyword arguments of gym.make.
ENVS: dict[str, dict[str, Any]] = {
    "archgym/DRAMController-v0": {"workload": "cloud-1"},
    "archgym/DNNAccelerator-v0": {"workload": "resnet50"},
    "archgym/SoC-v1": {},
    "archgym/LLMServing-v0": {},
}
#: The fidelity bar on held-out random designs: reward Spearman at least, worst nRMSE at most.
BAR = {"reward_spearman": 0.9, "nrmse_max": 0.05}


def collect(env_id: str, kwargs: dict[str, Any], folder: Path, n: int, seed: int) -> float:
    """Log ``n`` random actions (skipped if the folder holds them); return seconds per step."""
    if folder.exists() and any(folder.glob("*.parquet")) and len(datalog.load(folder)) >= n:
        return math.nan
    env = RecordEvaluations(gym.make(env_id, **kwargs), folder,
                            run_info={"agent": "uniform", "seed": seed}, flush_every=1000)
    env.reset(seed=seed)
    env.action_space.seed(seed)
    start = time.perf_counter()
    for _ in range(n):
        env.step(env.action_space.sample())
    env.close()
    return (time.perf_counter() - start) / n


def rollout(
    env: gym.Env, actions: list[np.ndarray], repeats: int
) -> tuple[float, list[dict[str, Any]]]:
    """Step every action (after one untimed warm-up step); best seconds per step and the infos."""
    env.reset(seed=0)
    env.step(actions[0])
    best = math.inf
    for _ in range(repeats):
        out = []
        start = time.perf_counter()
        for a in actions:
            _, reward, *_, info = env.step(a)
            out.append({"reward": reward, "metrics": info["metrics"], "met": info["target_met"],
                        "invalid": info["invalid"], "backend": info["backend"]})
        best = min(best, (time.perf_counter() - start) / len(actions))
    return best, out


def fidelity(truth: list[dict], pred: list[dict], names: tuple[str, ...], goals: dict,
             keep: np.ndarray) -> dict[str, float]:
    rows = [i for i in np.flatnonzero(keep) if not truth[i]["invalid"] and not pred[i]["invalid"]]
    t = np.array([[truth[i]["metrics"][m] for m in names] for i in rows])
    p = np.array([[pred[i]["metrics"][m] for m in names] for i in rows])
    nrmse = [scores(t[:, j], p[:, j], goals[m])["nrmse"] for j, m in enumerate(names)]
    r = reward_scores(np.array([truth[i]["reward"] for i in rows]),
                      np.array([pred[i]["reward"] for i in rows]),
                      np.array([truth[i]["met"] for i in rows]),
                      np.array([pred[i]["met"] for i in rows]), top_k=10)
    return {"n_test": len(rows), "nrmse_max": float(np.nanmax(nrmse)),
            "worst_metric": names[int(np.nanargmax(nrmse))],
            "reward_spearman": r["spearman"], "target_met_f1": r["target_met_f1"],
            "topk_recall": r["topk_recall"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="runs/proxy_speed")
    parser.add_argument("--envs", default=",".join(ENVS), help="comma-separated env ids")
    parser.add_argument("--train", type=int, default=1000, help="logged training designs per env")
    parser.add_argument("--n", type=int, default=150, help="timed test designs per env")
    parser.add_argument("--repeats", type=int, default=2, help="rollouts timed per backend")
    parser.add_argument("--models", default="rf,gbt,mlp,ensemble", help="model kinds")
    parser.add_argument("--threshold", type=float, default=0.1,
                        help="uncertainty threshold of the auto backend")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    out = Path(args.out)
    kinds = [k for k in args.models.split(",") if k]
    results: list[dict[str, Any]] = []
    t_all = time.perf_counter()
    for env_id in [e for e in args.envs.split(",") if e]:
        kwargs = ENVS.get(env_id, {})
        tag = env_id.split("/")[-1]
        logs = out / "logs" / tag
        collect(env_id, kwargs, logs, args.train, args.seed)
        df = datalog.load(logs).iloc[: args.train]
        t_env = time.perf_counter()
        env = archgym.make(env_id, **kwargs)
        space = env.unwrapped.design_space
        names = env.unwrapped.metric_names
        goals = {m.name: m.goal for m in env.unwrapped.simulator.metrics}
        workload = env.unwrapped.workload_name
        rng = np.random.default_rng(args.seed + 1)
        actions = [rng.integers(0, space.nvec) for _ in range(args.n)]
        sim_s, truth = rollout(env, actions, args.repeats)
        env.close()
        index = np.stack(actions)
        print(f"\n{env_id} ({workload}): simulator {1e3 * sim_s:.3f} ms/step; "
              f"{len(df)} logged training designs")
        print(f"| {'backend':<14} | {'ms/step':>8} | {'x sim':>7} | {'worst nRMSE %':>18} | "
              f"{'reward Spearman':>15} | {'target-met F1':>13} | {'top-10 recall':>13} |")
        print("|" + "---|" * 7)
        print(f"| {'simulator':<14} | {1e3 * sim_s:8.3f} | {1.0:7.2f} | {'-':>18} | "
              f"{'-':>15} | {'-':>13} | {'-':>13} |")
        for kind in kinds:
            t1 = time.perf_counter()
            model = fit(df, env_id, kind, workload=workload, seed=args.seed, report_splits=())
            train_s = time.perf_counter() - t1
            path = model.save(out / f"{tag}_{kind}.proxy")
            keep = ~load_model(path).seen_in_training(index, workload)
            backends: list[tuple[str, dict[str, Any]]] = [("proxy", {})]
            model_ms = math.nan
            if model.has_uncertainty:
                backends.append(("auto", {"uncertainty_threshold": args.threshold}))
            for backend, extra in backends:
                penv = archgym.make(env_id, **kwargs, backend=backend, proxy_model=str(path),
                                    **extra)
                step_s, pred = rollout(penv, actions, args.repeats)
                penv.close()
                row = {"env": env_id, "workload": workload, "model": kind, "backend": backend,
                       "ms_per_step": 1e3 * step_s, "sim_ms_per_step": 1e3 * sim_s,
                       "train_seconds": train_s, "n_train": model.n_designs,
                       "simulated_share": float(np.mean([p["backend"] == "simulator"
                                                         for p in pred])),
                       **fidelity(truth, pred, names, goals, keep)}
                results.append(row)
                label = f"{kind} ({backend})" if backend != "proxy" else kind
                worst = f"{100 * row['nrmse_max']:.2f} ({row['worst_metric']})"
                if backend == "proxy":
                    model_ms = row["ms_per_step"]
                extra_text = (f"  [{100 * row['simulated_share']:.0f}% simulated; simulator + "
                              f"model = {1e3 * sim_s + model_ms:.3f} ms]"
                              if backend == "auto" else "")
                print(f"| {label:<14} | {row['ms_per_step']:8.3f} | "
                      f"{row['ms_per_step'] / row['sim_ms_per_step']:7.3f} | {worst[:18]:>18} | "
                      f"{row['reward_spearman']:15.3f} | {row['target_met_f1']:13.3f} | "
                      f"{row['topk_recall']:13.2f} |{extra_text}")
        print(f"({time.perf_counter() - t_env:.0f} s: training {len(kinds)} kinds and stepping)")
    def passes(r: dict[str, Any]) -> bool:
        return r["reward_spearman"] >= BAR["reward_spearman"] and r["nrmse_max"] <= BAR["nrmse_max"]

    proxied = [r for r in results if r["backend"] == "proxy"]
    learnable = {r["env"] for r in proxied if passes(r)}
    hard = sorted({r["env"] for r in proxied} - learnable)
    print(f"\nfidelity bar: reward Spearman >= {BAR['reward_spearman']} and worst nRMSE <= "
          f"{BAR['nrmse_max']:.0%} on every env where some kind meets both"
          + (f" (no kind does on {', '.join(hard)})" if hard else ""))
    meets = {}
    for kind in kinds:
        rows = [r for r in proxied if r["model"] == kind]
        ok = all(passes(r) for r in rows if r["env"] in learnable)
        cost = float(np.mean([r["ms_per_step"] for r in rows]))
        meets[kind] = (ok, cost)
        print(f"  {kind:<9} mean {cost:7.3f} ms/step  {'meets' if ok else 'misses'} the bar")
    passing = [k for k, (ok, _) in meets.items() if ok]
    if passing:
        print(f"fastest kind meeting the bar: {min(passing, key=lambda k: meets[k][1])}")
    print(f"total {time.perf_counter() - t_all:.0f} s (ArchGym's default kind: "
          f"{archgym.proxy.DEFAULT_KIND})")
    out.mkdir(parents=True, exist_ok=True)
    (out / "proxy_speed.json").write_text(json.dumps({"bar": BAR, "results": results}, indent=2))


if __name__ == "__main__":
    main()
