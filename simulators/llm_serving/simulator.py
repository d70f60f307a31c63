"""`LLMServingSimulator`: a Vidur-class LLM inference serving cluster.

A design (:mod:`.space`) places ``replicas`` copies of a model on GPUs, each
``tensor_parallel x pipeline_parallel`` GPUs, with a scheduler, a paged KV
cache and a router. A workload (:mod:`.workloads`) is a model and a request
trace. :meth:`LLMServingSimulator.evaluate` checks the design against the
hardware (TP divides the heads, PP divides the layers, the model and the
longest request fit in memory), plays the trace through the discrete-event
loop (:mod:`.engine`) with per-iteration times from the operator model
(:mod:`.operators`), and reports latency percentiles, throughput, SLO
attainment, cost and energy.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from archgym import checks
from archgym.errors import ArchGymError, InvalidDesign, UnknownName
from archgym.simulator import Metric, Simulator
from archgym.simulators.llm_serving.engine import (
    ERROR_STALLED,
    histogram_percentiles,
    simulate,
)
from archgym.simulators.llm_serving.hardware import ACCELERATORS, PRECISIONS, Accelerator
from archgym.simulators.llm_serving.memory import MemoryPlan, plan_memory
from archgym.simulators.llm_serving.operators import iteration_params, load_efficiency
from archgym.simulators.llm_serving.scheduler import POLICIES, ROUTINGS
from archgym.simulators.llm_serving.space import llm_serving_space
from archgym.simulators.llm_serving.workloads import NAMES, ServingWorkload, resolve_workload

__all__ = ["LLMServingSimulator", "ServingResult"]

#: Largest tensor-parallel degree: one NVLink node of 8 GPUs.
MAX_TP = 8


@dataclass(frozen=True)
class ServingResult:
    """Everything one simulation produced (per-request arrays in trace order).

    Attributes:
        arrival_s: Arrival time per request (s).
        first_token_s: Time the first output token was emitted (s).
        completion_s: Time the last output token was emitted (s).
        output_tokens: Output tokens per request.
        tbt_values_s: Times between consecutive tokens of a request (s), run-length
            coded with ``tbt_counts`` (see :attr:`tbt_s`).
        tbt_counts: How many gaps each entry of ``tbt_values_s`` stands for.
        tbt_histogram: The gaps binned in 0.05%-wide log bins (:mod:`.engine`).
        preemptions: Requests preempted (recomputed) for lack of KV blocks.
        gpu_busy_s: GPU-seconds spent executing iterations.
        iterations: Iterations run over all replicas.
        gpus: GPUs of the design.
        memory: The per-GPU memory plan.
    """

    arrival_s: np.ndarray
    first_token_s: np.ndarray
    completion_s: np.ndarray
    output_tokens: np.ndarray
    tbt_values_s: np.ndarray
    tbt_counts: np.ndarray
    tbt_histogram: np.ndarray
    preemptions: int
    gpu_busy_s: float
    iterations: int
    gpus: int
    memory: MemoryPlan

    @property
    def tbt_s(self) -> np.ndarray:
        """Every time between consecutive tokens of a request, in emission order (s)."""
        return np.repeat(self.tbt_values_s, self.tbt_counts)

    def tbt_percentiles(self, q: list[float]) -> np.ndarray:
        """Percentiles ``q`` of :attr:`tbt_s` (as ``np.percentile``, linear), not expanding it."""
        return weighted_percentiles(self.tbt_values_s, self.tbt_counts, q)

    @property
    def ttft_s(self) -> np.ndarray:
        """Time to first token per request (s)."""
        return self.first_token_s - self.arrival_s

    @property
    def e2e_s(self) -> np.ndarray:
        """End-to-end latency per request (s)."""
        return self.completion_s - self.arrival_s

    @property
    def tpot_s(self) -> np.ndarray:
        """Mean time per output token after the first, per request (s; 0 for 1-token outputs)."""
        steps = np.maximum(self.output_tokens - 1, 1)
        return np.where(self.output_tokens > 1,
                        (self.completion_s - self.first_token_s) / steps, 0.0)

    @property
    def makespan_s(self) -> float:
        """From the first arrival to the last completion (s)."""
        return float(self.completion_s.max() - self.arrival_s.min())


def weighted_percentiles(values: np.ndarray, counts: np.ndarray, q: list[float]) -> np.ndarray:
    """``np.percentile(np.repeat(values, counts), q)`` (linear method) without the repeat."""
    total = int(counts.sum())
    if total == 0:
        return np.zeros(len(q))
    order = np.argsort(values, kind="stable")
    v, ends = values[order], np.cumsum(counts[order])
    pos = np.asarray(q, dtype=np.float64) / 100.0 * (total - 1)
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, total - 1)
    v_lo = v[np.searchsorted(ends, lo, side="right")]
    v_hi = v[np.searchsorted(ends, hi, side="right")]
    return v_lo + (pos - lo) * (v_hi - v_lo)


class LLMServingSimulator(Simulator):
    """An LLM inference serving cluster (see the module docstring).

    Args:
        precision: Weight and KV-cache precision, ``"bf16"`` (default),
            ``"fp16"`` or ``"fp8"`` (FP8 needs H100/H200).
        ttft_slo_s: Time-to-first-token SLO of ``slo_attainment`` (s).
        tbt_slo_s: Time-between-tokens SLO of ``slo_attainment`` (s), applied
            to each request's mean time per output token (as DistServe's TPOT).

    Raises:
        UnknownName: an unknown ``precision``.
        ConfigError: an SLO that is not a finite number > 0.

    The SLO defaults are the ones of Vidur's configuration search (TTFT p90
    <= 2 s, TBT p99 <= 200 ms). :meth:`evaluate` returns the metrics below
    plus ``makespan_s``, ``iterations``, ``kv_cache_tokens`` (per replica)
    and ``ttft_mean_s``.
    """

    metrics = (
        Metric("ttft_p50_s", "s", "min", "median time to first token"),
        Metric("ttft_p90_s", "s", "min", "90th-percentile time to first token"),
        Metric("ttft_p99_s", "s", "min", "99th-percentile time to first token"),
        Metric("tbt_p50_ms", "ms", "min", "median time between output tokens"),
        Metric("tbt_p99_ms", "ms", "min", "99th-percentile time between output tokens"),
        Metric("e2e_p90_s", "s", "min", "90th-percentile end-to-end request latency"),
        Metric("throughput_tok_s", "tokens/s", "max", "output tokens / makespan"),
        Metric("throughput_req_s", "requests/s", "max", "requests / makespan"),
        Metric("slo_attainment", "fraction", "max",
               "share of requests meeting both the TTFT and the per-request TBT SLO"),
        Metric("gpus", "GPUs", "min", "GPUs of the deployment"),
        Metric("cost_usd_per_mtok", "USD/1M tokens", "min",
               "GPU rental over the makespan per million output tokens"),
        Metric("energy_j_per_tok", "J/token", "min", "GPU energy per output token"),
        Metric("preemptions", "requests", "min", "requests preempted for KV-cache memory"),
    )
    workloads = NAMES

    def __init__(self, precision: str = "bf16", ttft_slo_s: float = 2.0,
                 tbt_slo_s: float = 0.2):
        if not isinstance(precision, str) or precision not in PRECISIONS:
            raise UnknownName("precision", precision, PRECISIONS)
        self.precision = precision
        self.ttft_slo_s = checks.number("ttft_slo_s", ttft_slo_s, positive=True)
        self.tbt_slo_s = checks.number("tbt_slo_s", tbt_slo_s, positive=True)
        self.design_space = llm_serving_space()
        self._workloads: dict[str, ServingWorkload] = {}
        self._params: dict[tuple, np.ndarray] = {}

    def __repr__(self) -> str:
        return (f"LLMServingSimulator(precision={self.precision!r}, "
                f"ttft_slo_s={self.ttft_slo_s}, tbt_slo_s={self.tbt_slo_s})")

    # ------------------------------------------------------------------ API
    def resolve_workload(self, workload: Any) -> ServingWorkload:
        """The :class:`ServingWorkload` of a shipped name, ``MODEL:PATH`` or path (cached).

        Raises:
            UnknownName: neither a shipped name nor an existing trace file.
            TraceError: a malformed trace file.
        """
        if isinstance(workload, ServingWorkload):
            return workload
        key = os.fspath(workload)
        if key not in self._workloads:
            self._workloads[key] = resolve_workload(key)
        return self._workloads[key]

    def evaluate(self, design: Mapping[str, Any], workload: Any) -> dict[str, float]:
        """Simulate one design of the design space on one workload.

        Args:
            design: A design of :attr:`design_space` (keys of :mod:`.space`).
            workload: A shipped name, ``MODEL:PATH``, a trace path or a
                :class:`ServingWorkload`.

        Returns:
            The metrics of :attr:`metrics` (units there) and the extras of the class docstring.

        Raises:
            InvalidDesign: a value outside the space, the GPU budget exceeded,
                TP not dividing the heads, PP not dividing the layers, the
                model not fitting, or a KV cache smaller than the longest request.
        """
        checked = self.design_space.validate(design)
        return self.summarise(self.run(checked, workload), checked)

    def run(self, design: Mapping[str, Any], workload: Any) -> ServingResult:
        """Simulate any design (values need not be in the design space) and keep every detail.

        ``design`` takes the keys of :mod:`.space`, with any positive integers
        (e.g. ``max_batch_size=2048`` to reproduce a published setup).

        Raises:
            InvalidDesign: as in :meth:`evaluate` (except the space's value lists).
        """
        w = self.resolve_workload(workload)
        acc, cfg = self._config(design)
        tp, pp = int(design["tensor_parallel"]), int(design["pipeline_parallel"])
        key = (w.model.key, acc.key, tp, pp)
        if key not in self._params:
            self._params[key] = iteration_params(w.model, acc, self.precision, tp, pp)
        mem = plan_memory(w.model, acc, self.precision, tp, pp, int(design["kv_block_size"]),
                          int(design["gpu_memory_util_pct"]) / 100.0,
                          max(int(design["max_batched_tokens"]), int(design["chunk_size"])))
        if mem.kv_tokens < w.trace.max_tokens:
            raise InvalidDesign(
                f"the KV cache of a replica holds {mem.kv_tokens} tokens, fewer than the "
                f"longest request of {w.name!r} ({w.trace.max_tokens} tokens): use more "
                f"GPUs per replica, a larger GPU or a higher gpu_memory_util_pct",
                parameter="accelerator", value=acc.key)
        trace = w.trace
        first, done, gaps, counts, hist, status, preempted, busy, iterations = simulate(
            self._params[key], cfg, trace.arrival_s, trace.prompt_tokens, trace.output_tokens,
            mem.blocks)
        if status == ERROR_STALLED:  # pragma: no cover - a scheduler bug, never a design
            raise ArchGymError(f"the serving loop stalled on {w.name!r} with design {design}")
        return ServingResult(trace.arrival_s, first, done, trace.output_tokens, gaps, counts,
                             hist, preempted, busy, iterations, int(cfg[7] * cfg[8]), mem)

    def summarise(self, result: ServingResult, design: Mapping[str, Any]) -> dict[str, float]:
        """The metric dict of a :class:`ServingResult` of ``design``."""
        acc = ACCELERATORS[str(design["accelerator"])]
        ttft = result.ttft_s
        out_tokens = float(result.output_tokens.sum())
        makespan = result.makespan_s
        tbt = histogram_percentiles(result.tbt_histogram, [50, 99])
        q_ttft = np.percentile(ttft, [50, 90, 99])
        met = (ttft <= self.ttft_slo_s) & (result.tpot_s <= self.tbt_slo_s)
        idle = load_efficiency()["power"]["idle_fraction_of_tdp"]
        gpu_seconds = result.gpus * makespan
        energy = acc.tdp_w * (result.gpu_busy_s + idle * max(0.0, gpu_seconds - result.gpu_busy_s))
        return {
            "ttft_p50_s": float(q_ttft[0]),
            "ttft_p90_s": float(q_ttft[1]),
            "ttft_p99_s": float(q_ttft[2]),
            "tbt_p50_ms": float(tbt[0]) * 1e3,
            "tbt_p99_ms": float(tbt[1]) * 1e3,
            "e2e_p90_s": float(np.percentile(result.e2e_s, 90)),
            "throughput_tok_s": out_tokens / makespan,
            "throughput_req_s": len(ttft) / makespan,
            "slo_attainment": float(met.mean()),
            "gpus": float(result.gpus),
            "cost_usd_per_mtok": gpu_seconds / 3600.0 * acc.price_usd_per_hour / out_tokens * 1e6,
            "energy_j_per_tok": energy / out_tokens,
            "preemptions": float(result.preemptions),
            "makespan_s": makespan,
            "iterations": float(result.iterations),
            "kv_cache_tokens": float(result.memory.kv_tokens),
            "ttft_mean_s": float(ttft.mean()),
        }

    # ------------------------------------------------------------ internals
    def _config(self, design: Mapping[str, Any]) -> tuple[Accelerator, np.ndarray]:
        missing = [k for k in self.design_space.names if k not in design]
        if missing:
            raise InvalidDesign(f"design is missing parameter(s) {', '.join(missing)}",
                                parameter=missing[0])
        name = str(design["accelerator"])
        if name not in ACCELERATORS:
            raise InvalidDesign(f"unknown accelerator {name!r}; known: "
                                f"{', '.join(ACCELERATORS)}", parameter="accelerator", value=name)
        for key, table in (("scheduler", POLICIES), ("routing", ROUTINGS)):
            if design[key] not in table:
                raise InvalidDesign(f"{key} must be one of {', '.join(table)}, got "
                                    f"{design[key]!r}", parameter=key, value=design[key])
        ints = {}
        for key in ("tensor_parallel", "pipeline_parallel", "replicas", "max_batch_size",
                    "max_batched_tokens", "chunk_size", "kv_block_size", "gpu_memory_util_pct"):
            value = design[key]
            if isinstance(value, bool) or not float(value).is_integer() or value < 1:
                raise InvalidDesign(f"{key} must be a positive integer, got {value!r}",
                                    parameter=key, value=value)
            ints[key] = int(value)
        if ints["tensor_parallel"] > MAX_TP:
            raise InvalidDesign(
                f"tensor_parallel={ints['tensor_parallel']} spans more than one {MAX_TP}-GPU "
                "NVLink node, which this simulator does not model",
                parameter="tensor_parallel", value=ints["tensor_parallel"])
        cfg = np.array([
            POLICIES[design["scheduler"]], ints["max_batch_size"], ints["max_batched_tokens"],
            ints["chunk_size"], ints["kv_block_size"], ints["pipeline_parallel"],
            ROUTINGS[design["routing"]], ints["tensor_parallel"] * ints["pipeline_parallel"],
            ints["replicas"],
        ], dtype=np.int64)
        return ACCELERATORS[name], cfg
