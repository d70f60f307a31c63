"""Helpers of the LLM-serving simulator tests: small designs and hand-made traces."""

from __future__ import annotations

import numpy as np

from archgym.simulators.llm_serving import MODELS, ServingWorkload, Trace


def design(**overrides: object) -> dict:
    """A one-replica H100 design (vLLM scheduler), with ``overrides``."""
    d = {"accelerator": "h100-sxm", "tensor_parallel": 1, "pipeline_parallel": 1,
         "replicas": 1, "max_batch_size": 64, "max_batched_tokens": 4096, "scheduler": "vllm",
         "chunk_size": 512, "kv_block_size": 16, "gpu_memory_util_pct": 90,
         "routing": "round_robin"}
    d.update(overrides)
    return d


def workload(arrival, prompt, output, model: str = "llama-3-8b") -> ServingWorkload:
    """A workload of hand-made requests."""
    n = len(arrival)
    trace = Trace(np.asarray(arrival, dtype=float), np.broadcast_to(prompt, n),
                  np.broadcast_to(output, n), name="hand-made")
    return ServingWorkload(MODELS[model], trace, "hand-made")
