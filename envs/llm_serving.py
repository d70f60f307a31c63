"""``archgym/LLMServing-v0``: deploy an LLM serving cluster under latency SLOs and a cost target."""

from __future__ import annotations

import os
from typing import Any

from archgym.env import ArchEnv
from archgym.simulators.llm_serving import LLMServingSimulator

__all__ = ["COST_TARGETS", "DEFAULT_SLOS", "LLMServingEnv", "default_targets"]

#: Latency SLOs of Vidur's configuration search: TTFT p90 <= 2 s, TBT p99 <= 200 ms.
DEFAULT_SLOS = {"ttft_p90_s": 2.0, "tbt_p99_ms": 200.0}

#: Cost target (USD per million output tokens) per shipped workload, chosen so
#: that a small share of uniformly random designs meets it together with the
#: SLOs (measured shares in the env docstring).
COST_TARGETS: dict[str, float] = {
    "llama-3-8b/azure-conv": 0.4,
    "llama-3-8b/azure-code": 8.0,
    "llama-3-70b/azure-conv": 4.0,
    "llama-3-70b/sharegpt": 6.0,
    "llama-2-70b/arxiv-summarization": 35.0,
    "mixtral-8x7b/azure-conv": 1.0,
    "llama-2-7b/sharegpt": 1.0,
}
#: Cost target of a trace file, by the size of its model.
_FILE_COST_TARGETS = {"llama-3-8b": 1.0, "llama-2-7b": 1.0, "mixtral-8x7b": 2.0,
                      "llama-3-70b": 5.0, "llama-2-70b": 5.0}

#: Reference values of the metrics the default objective does not target.
_SCALES = {"ttft_p50_s": 1.0, "ttft_p99_s": 2.0, "tbt_p50_ms": 50.0, "e2e_p90_s": 20.0,
           "throughput_tok_s": 1000.0, "throughput_req_s": 5.0, "slo_attainment": 1.0,
           "gpus": 16.0, "energy_j_per_tok": 5.0, "preemptions": 10.0}


def default_targets(workload_name: str, model_key: str) -> dict[str, float]:
    """The SLOs of :data:`DEFAULT_SLOS` and the workload's cost target."""
    cost = COST_TARGETS.get(workload_name, _FILE_COST_TARGETS.get(model_key, 5.0))
    return {**DEFAULT_SLOS, "cost_usd_per_mtok": cost}


class LLMServingEnv(ArchEnv):
    """Deploy a model on a GPU cluster: GPU type, parallelism, replicas, batching, memory, routing.

    ## Description
    Each step proposes one serving deployment, which
    :class:`~archgym.simulators.llm_serving.LLMServingSimulator` evaluates by
    playing the workload's 1,000-request trace through a discrete-event
    simulation of the cluster (vLLM / Orca / Sarathi-Serve scheduling, paged
    KV cache with preemption, a router across replicas) with per-iteration
    times from an operator-level model of the GPUs (the Vidur class of
    simulator, without profiling).

    ## Action Space
    ``MultiDiscrete([3, 4, 3, 8, 7, 6, 3, 5, 3, 4, 2])``, one index per parameter:
    ``accelerator`` in {a100-80gb-sxm, h100-sxm, h200-sxm}; ``tensor_parallel``
    in {1, 2, 4, 8}; ``pipeline_parallel`` in {1, 2, 4}; ``replicas`` in
    {1, 2, 3, 4, 6, 8, 12, 16}; ``max_batch_size`` in {8, 16, ..., 512};
    ``max_batched_tokens`` in {512, ..., 16384}; ``scheduler`` in {vllm, orca,
    sarathi}; ``chunk_size`` in {256, ..., 4096}; ``kv_block_size`` in {8, 16,
    32}; ``gpu_memory_util_pct`` in {80, 85, 90, 95}; ``routing`` in
    {round_robin, least_outstanding}. Designs using more than 16 GPUs
    (``tensor_parallel x pipeline_parallel x replicas``) break the space's
    constraint and are invalid.

    ## Observation Space
    ``Box(-16, 16, (14,), float32)``: ``log2(metric / scale)`` of the 13
    metrics (``ttft_p50_s``, ``ttft_p90_s``, ``ttft_p99_s``, ``tbt_p50_ms``,
    ``tbt_p99_ms``, ``e2e_p90_s``, ``throughput_tok_s``, ``throughput_req_s``,
    ``slo_attainment``, ``gpus``, ``cost_usd_per_mtok``, ``energy_j_per_tok``,
    ``preemptions``); the scale is the target of a targeted metric, else a
    reference value (1 s, 2 s, 50 ms, 20 s, 1,000 tokens/s, 5 requests/s, 1,
    16 GPUs, 5 J/token, 10 preemptions); then a validity flag.

    ## Rewards
    The core objective, by default ``"distance"`` to the targets TTFT p90 <=
    2 s, TBT p99 <= 200 ms (Vidur's SLOs) and a cost target in USD per million
    output tokens per workload (:data:`COST_TARGETS`), chosen by the share of
    uniformly random designs of the space (seed 0; sampled within the GPU
    budget) that meet all three:

    ================================  =======  =====  =========  ======  =========
    workload                          designs  valid  meet SLOs  cost    meet all
    ================================  =======  =====  =========  ======  =========
    llama-3-70b/azure-conv (default)  600      64%    20%        4.0     0.67%
    llama-3-8b/azure-conv             400      100%   61%        0.4     1.5%
    llama-3-8b/azure-code             400      100%   44%        8.0     0.75%
    llama-3-70b/sharegpt              400      64%    18%        6.0     0.5%
    llama-2-70b/arxiv-summarization   400      64%    25%        35.0    2.0%
    mixtral-8x7b/azure-conv           400      88%    42%        1.0     1.75%
    llama-2-7b/sharegpt               --       --     --         1.0     not measured
    ================================  =======  =====  =========  ======  =========

    so a search must work for the targets but can reach them (a trace file
    gets a cost target by model size: 1 USD/Mtok for 7-8B models, 2 for
    Mixtral, 5 for 70B).
    An invalid design (the model or the longest request does not fit in the
    replica's memory, TP not dividing the heads, PP not dividing the layers,
    more than 16 GPUs) gets the core's ``invalid_reward`` with the reason in
    ``info["error"]``.

    ## Episode End
    As for every :class:`~archgym.env.ArchEnv`: with the default
    ``max_steps=1`` an episode terminates after its one step; with
    ``max_steps > 1`` it is truncated after ``max_steps`` steps; with
    ``terminate_on_target=True`` it terminates when every target is met.

    ## Arguments
    - ``workload``: a shipped ``MODEL/TRACE`` name
      (``llama-3-70b/azure-conv`` (default), ``llama-3-8b/azure-conv``,
      ``llama-3-8b/azure-code``, ``llama-3-70b/sharegpt``,
      ``llama-2-70b/arxiv-summarization``, ``mixtral-8x7b/azure-conv``,
      ``llama-2-7b/sharegpt``), ``MODEL:PATH`` of a trace file, or a trace
      file path (see :mod:`archgym.simulators.llm_serving.workloads`).
    - ``precision``: ``"bf16"`` (default), ``"fp16"`` or ``"fp8"`` (FP8 makes
      A100 designs invalid).
    - ``ttft_slo_s``, ``tbt_slo_s``: the SLOs of the ``slo_attainment``
      metric (2 s and 0.2 s).
    - ``**kwargs``: forwarded to :class:`~archgym.env.ArchEnv` (``targets``,
      ``weights``, ``reward_formula``, ``objective``, ``max_steps``,
      ``terminate_on_target``, ``invalid_reward``, ``render_mode``,
      ``backend``, ``backend_options``).

    ## Version History
    - v0: initial version.
    """

    def __init__(
        self,
        workload: str | os.PathLike[str] = "llama-3-70b/azure-conv",
        precision: str = "bf16",
        ttft_slo_s: float = 2.0,
        tbt_slo_s: float = 0.2,
        **kwargs: Any,
    ):
        simulator = LLMServingSimulator(precision, ttft_slo_s=ttft_slo_s, tbt_slo_s=tbt_slo_s)
        self.precision = precision

        def targets_of(w: Any) -> dict[str, float]:
            resolved = simulator.resolve_workload(w)
            return default_targets(resolved.name, resolved.model.key)

        defaults = {"default_targets": targets_of, "default_scales": _SCALES}
        super().__init__(simulator, workload, **{**defaults, **kwargs})
