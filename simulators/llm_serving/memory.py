"""GPU memory accounting and the paged KV cache.

Per GPU of a replica with ``tp``-way tensor and ``pp``-way pipeline
parallelism:

* weights: ``layers/pp`` decoder layers sharded ``tp`` ways, plus the
  embedding and LM head (each sharded ``tp`` ways; the first stage holds the
  embedding and the last the LM head, so without pipelining one GPU holds
  both);
* a reserve that holds neither: a fixed part (CUDA context, workspaces) and
  the activations of the largest iteration, ``max_batched_tokens`` tokens;
* the KV cache: what is left of ``gpu_memory_util`` x HBM capacity, cut into
  blocks of ``block_size`` tokens. One token's KV cache on one GPU takes
  ``2 x layers/pp x kv_heads/tp x head_dim x bytes`` (KV heads are replicated
  when ``tp`` exceeds them).

As in vLLM, a request holds ``ceil(tokens / block_size)`` blocks; the
scheduler (:mod:`.scheduler`) admits a request only when its prompt's blocks
are free and preempts (and later recomputes) running requests when a decode
step needs a block and none is free.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from archgym.errors import InvalidDesign
from archgym.simulators.llm_serving.hardware import PRECISIONS, Accelerator
from archgym.simulators.llm_serving.models import ModelSpec
from archgym.simulators.llm_serving.operators import (
    ACTIVATION_BYTES,
    kv_heads_per_gpu,
    load_efficiency,
)

__all__ = ["MemoryPlan", "kv_bytes_per_token_per_gpu", "plan_memory", "weight_bytes_per_gpu"]


def weight_bytes_per_gpu(model: ModelSpec, precision: str, tp: int, pp: int) -> float:
    """Weight bytes on the most loaded GPU of a replica (bytes)."""
    wb = PRECISIONS[precision]
    layers = model.layers // pp * model.layer_params / tp
    ends = (2 if pp == 1 else 1) * model.embedding_params / tp + model.hidden
    return (layers + ends) * wb


def kv_bytes_per_token_per_gpu(model: ModelSpec, precision: str, tp: int, pp: int) -> float:
    """KV-cache bytes one token takes on one GPU of the replica (bytes)."""
    return 2.0 * (model.layers // pp) * kv_heads_per_gpu(model, tp) * model.head_dim \
        * PRECISIONS[precision]


def activation_bytes_per_token(model: ModelSpec, tp: int) -> float:
    """Peak activation bytes per batched token on one GPU (residual, QKV, FFN and logits)."""
    per_token = (4 * model.hidden + 2 * (model.heads + 2 * model.kv_heads) * model.head_dim / tp
                 + 3 * model.ffn * model.experts_per_token / tp)
    return per_token * ACTIVATION_BYTES


@dataclass(frozen=True)
class MemoryPlan:
    """How one GPU of a replica splits its memory (bytes) and the KV-cache size.

    Attributes:
        usable: ``gpu_memory_util`` x HBM capacity.
        weights: Weight bytes (:func:`weight_bytes_per_gpu`).
        reserve: Fixed reserve plus the activations of the largest iteration.
        kv_cache: Bytes left for the KV cache.
        kv_per_token: KV bytes of one token on this GPU.
        block_size: Tokens per KV block.
        blocks: KV blocks of the replica (every GPU holds its shard of each block).
    """

    usable: float
    weights: float
    reserve: float
    kv_cache: float
    kv_per_token: float
    block_size: int
    blocks: int

    @property
    def kv_tokens(self) -> int:
        """Tokens the KV cache holds."""
        return self.blocks * self.block_size


def plan_memory(model: ModelSpec, acc: Accelerator, precision: str, tp: int, pp: int,
                block_size: int, gpu_memory_util: float, max_batched_tokens: int) -> MemoryPlan:
    """Split one GPU's memory between weights, reserve and KV cache.

    Args:
        gpu_memory_util: Share of HBM the server may use, in (0, 1].
        max_batched_tokens: Largest number of tokens in one iteration (sizes
            the activation reserve).

    Raises:
        InvalidDesign: the weights and reserve leave no room for a KV cache
            (the model does not fit), naming the bytes needed and available.
    """
    if not 0.0 < gpu_memory_util <= 1.0:
        raise InvalidDesign(f"gpu_memory_util must be in (0, 1], got {gpu_memory_util!r}",
                            parameter="gpu_memory_util_pct", value=gpu_memory_util)
    if block_size < 1:
        raise InvalidDesign(f"kv_block_size must be >= 1, got {block_size!r}",
                            parameter="kv_block_size", value=block_size)
    usable = acc.hbm_bytes * gpu_memory_util
    weights = weight_bytes_per_gpu(model, precision, tp, pp)
    reserve = (load_efficiency()["memory_reserve"]["fixed_gb"] * 1e9
               + max_batched_tokens * activation_bytes_per_token(model, tp))
    kv_cache = usable - weights - reserve
    per_token = kv_bytes_per_token_per_gpu(model, precision, tp, pp)
    blocks = math.floor(kv_cache / (per_token * block_size)) if kv_cache > 0 else 0
    if blocks < 1:
        raise InvalidDesign(
            f"{model.key} ({precision}) does not fit on {acc.key} with tensor_parallel={tp}, "
            f"pipeline_parallel={pp}: each GPU needs {weights / 1e9:.1f} GB of weights and "
            f"{reserve / 1e9:.1f} GB of reserve, but {gpu_memory_util:.0%} of "
            f"{acc.hbm_bytes / 1e9:.0f} GB leaves {usable / 1e9:.1f} GB",
            parameter="accelerator", value=acc.key)
    return MemoryPlan(usable, weights, reserve, kv_cache, per_token, block_size, blocks)
