"""Proxy case study on archgym/DRAMController-v0 (cloud-1).

1. Collect: each agent of ``--agents`` searches the simulator env for
   ``--collect-budget`` evaluations, logged to Parquet
   (:class:`~archgym.datalog.RecordEvaluations`, one ``agent`` per run).
2. Train every model kind (rf, gbt, mlp, ensemble) on the log and write the
   fidelity report: random split and leave-one-agent-out, per metric
   (``fidelity.md``, ``fidelity.csv``, parity plots).
3. Agent comparison: each agent runs ``--budget`` evaluations per seed once on
   the simulator and once on the proxy (``backend="proxy"``, model
   ``--proxy-kind``; objective ``--targets``); report each agent's best reward on both, whether the
   agents' ranking agrees (Spearman), whether the best designs agree, and the
   simulator's reward of the proxy's best design.

Usage::

    python experiments/proxy_case_study.py --out runs/proxy_case_study

Writes ``report.md`` (and the files above) to ``--out``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import gymnasium as gym
import pandas as pd
from scipy.stats import spearmanr

import archgym
from archgym import agents, datalog
from archgym.datalog import RecordEvaluations
from archgym.proxy import fit
from archgym.proxy.fidelity import format_table

ENV_ID = "archgym/DRAMController-v0"
WORKLOAD = "cloud-1"
KINDS = ("rf", "gbt", "mlp", "ensemble")
#: Comparison targets: tighter than the env's defaults (which about half of all designs
#: meet, giving many ties at reward 0) and with a bandwidth floor.
TARGETS = {"latency_ns": 50.0, "power_mw": 900.0, "bandwidth_gbps": 10.0}
HYPERPARAMETERS = {"ensemble": {"n_members": 5, "member_hyperparameters": {"max_iter": 200}}}


def collect(folder: Path, names: list[str], budget: int, seed: int) -> None:
    """One logged run per agent (skipped if the folder already holds logs)."""
    if folder.exists() and any(folder.glob("*.parquet")):
        return
    for name in names:
        env = gym.make(ENV_ID, workload=WORKLOAD)
        env = RecordEvaluations(env, folder, run_info={"agent": name, "seed": seed})
        agents.make(name, env.unwrapped.design_space, seed=seed).run(env, budget)
        env.close()


def _markdown(table: pd.DataFrame) -> str:
    head = ["agent", *table.columns]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, row in table.iterrows():
        lines.append("| " + " | ".join([str(name), *(f"{v:.4g}" for v in row)]) + " |")
    return "\n".join(lines)


def compare(names: list[str], seeds: list[int], budget: int, model: Path,
            targets: dict[str, float]) -> pd.DataFrame:
    """Best reward and design of each agent and seed, on the simulator and on the proxy."""
    real = archgym.make(ENV_ID, workload=WORKLOAD, targets=targets).unwrapped
    rows = []
    for backend in ("simulator", "proxy"):
        for name in names:
            for seed in seeds:
                kw = {"backend": "proxy", "proxy_model": str(model)} if backend == "proxy" else {}
                env = archgym.make(ENV_ID, workload=WORKLOAD, targets=targets, **kw)
                start = time.perf_counter()
                result = agents.make(name, env.unwrapped.design_space, seed=seed).run(env, budget)
                best = result.best
                sim_metrics = real.simulator.evaluate(best.design, WORKLOAD)
                rows.append({
                    "backend": backend, "agent": name, "seed": seed,
                    "best_reward": best.reward,
                    "true_reward_of_best": real.objective.reward(sim_metrics),
                    "best_design": json.dumps(best.design, sort_keys=True),
                    "wall_s": time.perf_counter() - start,
                })
                env.close()
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="runs/proxy_case_study")
    parser.add_argument("--agents", default="random_walk,ga,aco,tpe")
    parser.add_argument("--collect-budget", type=int, default=1000)
    parser.add_argument("--budget", type=int, default=300, help="per run in the comparison")
    parser.add_argument("--seeds", default="0,1")
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--proxy-kind", default="rf", help="model used in the comparison")
    parser.add_argument("--proxy-model", help="use this model file in the comparison instead")
    parser.add_argument("--targets", default=json.dumps(TARGETS),
                        help="JSON targets of the comparison's objective")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    names = [a for a in args.agents.split(",") if a]
    lines = [f"# Proxy case study: {ENV_ID} ({WORKLOAD})", ""]

    t0 = time.perf_counter()
    collect(out / "logs", names, args.collect_budget, seed=100)
    df = datalog.load(out / "logs")
    lines += [f"Collected {len(df)} evaluations with {', '.join(names)} "
              f"({args.collect_budget} each; {time.perf_counter() - t0:.0f} s).", ""]

    all_rows = []
    for kind in [k for k in args.kinds.split(",") if k]:
        t1 = time.perf_counter()
        model = fit(df, ENV_ID, kind, workload=WORKLOAD, seed=0,
                    hyperparameters=HYPERPARAMETERS.get(kind), report_splits=("random", "agent"),
                    plot_dir=out / f"parity_{kind}")
        model.save(out / f"dram_{kind}.proxy")
        for r in model.fidelity:
            all_rows.append({"model": kind, **r})
        lines += [f"## {kind} ({model.n_designs} designs, {time.perf_counter() - t1:.0f} s)", "",
                  "nRMSE = RMSE / (max - min of the simulated values on the test set).", "",
                  format_table(model.fidelity), ""]
    pd.DataFrame(all_rows).to_csv(out / "fidelity.csv", index=False)

    seeds = [int(s) for s in args.seeds.split(",") if s]
    targets = json.loads(args.targets)
    model_path = Path(args.proxy_model or out / f"dram_{args.proxy_kind}.proxy")
    runs = compare(names, seeds, args.budget, model_path, targets)
    runs.to_csv(out / "comparison.csv", index=False)
    table = runs.pivot_table(index="agent", columns="backend",
                             values=["best_reward", "true_reward_of_best"], aggfunc="mean")
    table.columns = [f"{v} ({b})" for v, b in table.columns]
    sim_best = table["best_reward (simulator)"]
    prox_true = table["true_reward_of_best (proxy)"]
    rho = spearmanr(sim_best, table["best_reward (proxy)"]).statistic
    rho_true = spearmanr(sim_best, prox_true).statistic
    same = []
    for _, grp in runs.groupby(["agent", "seed"]):
        designs = dict(zip(grp["backend"], grp["best_design"], strict=True))
        same.append(designs["simulator"] == designs["proxy"])
    lines += [
        f"## Agent comparison ({args.budget} evaluations per run, seeds {seeds}, "
        f"proxy = {model_path}, targets {targets}, reward: distance)", "",
        _markdown(table), "",
        f"Spearman rank correlation of the agents' mean best reward, simulator vs proxy: "
        f"{rho:.3f}; simulator vs the simulator's reward of the proxy's best designs: "
        f"{rho_true:.3f}.",
        f"Same best design on simulator and proxy: {sum(same)} of {len(same)} runs.",
        f"Ranking on the simulator: {', '.join(sim_best.sort_values(ascending=False).index)}; "
        f"on the proxy: "
        f"{', '.join(table['best_reward (proxy)'].sort_values(ascending=False).index)}.",
        "",
    ]
    (out / "report.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
