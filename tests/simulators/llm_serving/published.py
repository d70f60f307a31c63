"""The published-figures comparison: simulate each row of ``published_figures.csv``.

Each row is one published measurement (source and URL in the row) and the
serving scenario it was measured in:

``ttft_b1``
    One request of ``isl`` prompt tokens alone on one replica: the time to
    its first token (TensorRT-LLM's "1st token latency" at batch 1).
``static``
    ``requests`` requests of ``isl``/``osl`` tokens all arriving at t=0, at
    most ``batch`` running, each batch prefilled at once (``vllm`` scheduler
    with ``max_batched_tokens = batch x isl``): output tokens/s per GPU, as
    TensorRT-LLM's static-batching benchmark (gptSessionBenchmark) reports.
``offline``
    ``requests`` requests all arriving at t=0, in-flight batching (``orca``
    scheduler; ``sarathi`` chunks of 8,192 when the prompt exceeds the token
    budget) with TensorRT-LLM's defaults: up to 2,048 running requests, 8,192
    tokens per iteration, 32-token KV blocks, 95% of memory
    (``kv_cache_free_gpu_mem_fraction 0.95`` as the perf-overview page says):
    total output tokens/s (trtllm-bench's throughput scenario).

Run ``python -m tests.simulators.llm_serving.published`` to recompute the
``simulated`` and ``error_pct`` columns (and print the error table).
"""

from __future__ import annotations

import csv
import functools
import statistics
import sys
from pathlib import Path

import numpy as np

from archgym.simulators.llm_serving import MODELS, LLMServingSimulator, ServingWorkload, Trace

CSV_PATH = Path(__file__).with_name("published_figures.csv")
COLUMNS = ("id", "source", "url", "model", "accelerator", "precision", "tp", "scenario", "batch",
           "isl", "osl", "requests", "metric", "unit", "published", "simulated", "error_pct")


@functools.cache
def _simulator(precision: str) -> LLMServingSimulator:
    return LLMServingSimulator(precision=precision)


def _design(row: dict[str, str]) -> dict:
    isl, batch = int(row["isl"]), int(row["batch"])
    design = {"accelerator": row["accelerator"], "tensor_parallel": int(row["tp"]),
              "pipeline_parallel": 1, "replicas": 1, "chunk_size": 512, "kv_block_size": 16,
              "gpu_memory_util_pct": 90, "routing": "round_robin"}
    scenario = row["scenario"]
    if scenario == "ttft_b1":
        design.update(max_batch_size=8, max_batched_tokens=max(isl, 512), scheduler="vllm")
    elif scenario == "static":
        design.update(max_batch_size=batch, max_batched_tokens=batch * isl, scheduler="vllm")
    elif scenario == "offline":
        design.update(max_batch_size=batch, max_batched_tokens=8192, kv_block_size=32,
                      gpu_memory_util_pct=95,
                      scheduler="orca" if isl <= 8192 else "sarathi", chunk_size=8192)
    else:
        raise ValueError(f"unknown scenario {scenario!r} in row {row['id']!r}")
    return design


def simulate_row(row: dict[str, str]) -> float:
    """The simulator's value of the row's metric (in the row's unit)."""
    n = int(row["requests"])
    trace = Trace(np.zeros(n), np.full(n, int(row["isl"])), np.full(n, int(row["osl"])),
                  name=row["id"])
    workload = ServingWorkload(MODELS[row["model"]], trace, row["id"])
    sim = _simulator(row["precision"])
    design = _design(row)
    result = sim.run(design, workload)
    metrics = sim.summarise(result, design)
    metric = row["metric"]
    if metric == "ttft_ms":
        return metrics["ttft_p50_s"] * 1e3
    if metric == "output_tok_s":
        return metrics["throughput_tok_s"]
    if metric == "output_tok_s_per_gpu":
        return metrics["throughput_tok_s"] / metrics["gpus"]
    raise ValueError(f"unknown metric {metric!r} in row {row['id']!r}")


def read_rows(path: Path = CSV_PATH) -> list[dict[str, str]]:
    """The rows of the CSV (``#`` lines are comments)."""
    with open(path, newline="") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


def error_pct(simulated: float, published: float) -> float:
    """Signed relative error of the simulator, in percent."""
    return (simulated - published) / published * 100.0


def main() -> None:
    """Recompute the simulated column and print the error table."""
    header = [line for line in CSV_PATH.read_text().splitlines() if line.startswith("#")]
    rows = read_rows()
    for row in rows:
        sim = simulate_row(row)
        row["simulated"] = f"{sim:.6g}"
        row["error_pct"] = f"{error_pct(sim, float(row['published'])):.2f}"
    with open(CSV_PATH, "w", newline="") as fh:
        fh.write("".join(line + "\n" for line in header))
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    errors = [abs(float(r["error_pct"])) for r in rows]
    for r in rows:
        sys.stdout.write(f"{r['id']:32s} {float(r['published']):>10.6g} "
                         f"{float(r['simulated']):>10.6g} {float(r['error_pct']):>8.1f}%\n")
    sys.stdout.write(f"rows {len(rows)}  median |error| {statistics.median(errors):.1f}%  "
                     f"max {max(errors):.1f}%\n")


if __name__ == "__main__":
    main()
