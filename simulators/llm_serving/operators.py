"""Per-iteration execution time from an operator-level analytical model.

One serving iteration runs a batch of ``T`` tokens through the model: prefill
chunks (``c`` new tokens of a request that already has ``p`` tokens cached)
and decode tokens (one per request, attending to its whole context). Per GPU
of a ``tp``-way tensor-parallel, ``pp``-stage pipeline-parallel replica, each
decoder layer runs these operators (sharded by TP):

=================  ===========================================================
operator           cost
=================  ===========================================================
input RMSNorm      memory: read + write ``T x hidden`` activations
QKV projection     GEMM ``M=T, N=(heads + 2 kv_heads) x head_dim / tp, K=hidden``
RoPE + KV write    memory: the Q/K/V activations and the new KV entries
attention prefill  FLOPs ``4 x sum c (p + (c + 1) / 2) x heads/tp x head_dim`` (causal),
                   bytes: the cached KV it reads plus Q and O
attention decode   bytes: each request's KV cache (context x 2 x kv_heads/tp x head_dim)
O projection       GEMM ``M=T, N=hidden, K=heads x head_dim / tp``
TP all-reduce      ring: ``2 (tp-1) alpha + 2 (tp-1)/tp x S / (B_link x eff)``
post-attn norm     memory: residual add + RMSNorm
gate/up, down      GEMMs ``N=2 ffn/tp, K=hidden`` and ``N=hidden, K=ffn/tp``; MoE:
                   top-k experts per token, the weights of every expert some
                   token of the batch uses (expected ``E (1 - (1 - k/E)^T)``)
SiLU x mul         memory
TP all-reduce      as above
residual add       memory
=================  ===========================================================

Each operator takes ``max(FLOPs / (peak x eff_c), bytes / (HBM bandwidth x
eff_m)) + kernel overhead``. A GEMM's compute efficiency is the large-GEMM
ceiling scaled by tile quantisation, ``M / roundup(M, 64)``, which makes small
batches weight-bandwidth-bound. The embedding gather, the final norm and the
LM head (for the tokens that sample: decode tokens and prefills that finish
their prompt) complete the model; a pipeline adds a point-to-point hand-off of
the activations between stages. All constants are in ``efficiency.yaml``.

:func:`iteration_time` (Numba) is what the event loop calls;
:class:`IterationModel` wraps it for analysis and tests.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numba as nb
import numpy as np
import yaml

from archgym.errors import ConfigError, InvalidDesign
from archgym.simulators.llm_serving.hardware import PRECISIONS, Accelerator
from archgym.simulators.llm_serving.models import ModelSpec

__all__ = ["IterationModel", "check_parallelism", "decode_attention_time",
           "iteration_params", "iteration_time",
           "kv_heads_per_gpu", "load_efficiency", "ring_allreduce_time"]

# Slots of the parameter vector passed to the Numba kernels.
P_PEAK, P_HBM_BW, P_WBYTES, P_KVBYTES, P_ABYTES = 0, 1, 2, 3, 4
P_HIDDEN, P_HQ, P_HKV, P_HEAD_DIM, P_FFN, P_VOCAB = 5, 6, 7, 8, 9, 10
P_EXPERTS, P_TOPK, P_LAYERS, P_TP, P_PP, P_LINK_BW = 11, 12, 13, 14, 15, 16
P_GEMM_EFF, P_TILE_M, P_MEM_EFF, P_ATTN_EFF, P_DEC_ATTN_EFF = 17, 18, 19, 20, 21
P_KERNEL_S, P_ITER_S, P_LINK_EFF, P_ALPHA_S, P_P2P_S, P_VOCAB_FULL = 22, 23, 24, 25, 26, 27
N_PARAMS = 28

#: Bytes per activation value (bf16/fp16 activations in every precision mode).
ACTIVATION_BYTES = 2


@functools.cache
def load_efficiency() -> dict[str, Any]:
    """The efficiency constants of ``efficiency.yaml`` (read once)."""
    text = resources.files("archgym.simulators.llm_serving").joinpath(
        "efficiency.yaml").read_text()
    data = yaml.safe_load(text)
    for section in ("gemm", "memory", "attention", "launch", "interconnect", "memory_reserve",
                    "power"):
        if section not in data:
            raise ConfigError(f"efficiency.yaml: missing section {section!r}")
    return data


def kv_heads_per_gpu(model: ModelSpec, tp: int) -> int:
    """KV heads each GPU holds: ``kv_heads / tp``, or 1 (replicated) when ``tp > kv_heads``."""
    return max(1, model.kv_heads // tp)


def check_parallelism(model: ModelSpec, tp: int, pp: int) -> None:
    """Raise :class:`InvalidDesign` unless TP divides the heads and PP divides the layers."""
    if model.heads % tp:
        raise InvalidDesign(
            f"tensor_parallel={tp} does not divide the {model.heads} attention heads of "
            f"{model.key}", parameter="tensor_parallel", value=tp)
    if max(model.kv_heads, tp) % min(model.kv_heads, tp):
        raise InvalidDesign(
            f"tensor_parallel={tp} neither divides nor is a multiple of the {model.kv_heads} "
            f"KV heads of {model.key}", parameter="tensor_parallel", value=tp)
    if model.ffn % tp or model.vocab % tp:
        raise InvalidDesign(
            f"tensor_parallel={tp} does not divide the FFN size {model.ffn} or vocabulary "
            f"{model.vocab} of {model.key}", parameter="tensor_parallel", value=tp)
    if model.layers % pp:
        raise InvalidDesign(
            f"pipeline_parallel={pp} does not divide the {model.layers} layers of {model.key}",
            parameter="pipeline_parallel", value=pp)


def iteration_params(model: ModelSpec, acc: Accelerator, precision: str, tp: int,
                     pp: int) -> np.ndarray:
    """The parameter vector of :func:`iteration_time` for one replica configuration.

    Raises:
        InvalidDesign: an unknown precision, a precision the GPU lacks, or a
            TP/PP degree that does not divide the model.
    """
    if precision not in PRECISIONS:
        raise InvalidDesign(f"precision must be one of {', '.join(PRECISIONS)}, got "
                            f"{precision!r}", parameter="precision", value=precision)
    check_parallelism(model, tp, pp)
    eff = load_efficiency()
    p = np.zeros(N_PARAMS)
    p[P_PEAK] = acc.flops(precision)
    p[P_HBM_BW] = acc.hbm_bandwidth
    p[P_WBYTES] = p[P_KVBYTES] = PRECISIONS[precision]
    p[P_ABYTES] = ACTIVATION_BYTES
    p[P_HIDDEN] = model.hidden
    p[P_HQ] = model.heads // tp
    p[P_HKV] = kv_heads_per_gpu(model, tp)
    p[P_HEAD_DIM] = model.head_dim
    p[P_FFN] = model.ffn // tp
    p[P_VOCAB] = model.vocab // tp
    p[P_VOCAB_FULL] = model.vocab
    p[P_EXPERTS] = model.experts
    p[P_TOPK] = model.experts_per_token
    p[P_LAYERS] = model.layers
    p[P_TP] = tp
    p[P_PP] = pp
    p[P_LINK_BW] = acc.nvlink_bandwidth
    p[P_GEMM_EFF] = eff["gemm"]["peak_efficiency"]
    p[P_TILE_M] = eff["gemm"]["tile_m"]
    p[P_MEM_EFF] = eff["memory"]["bandwidth_efficiency"]
    p[P_ATTN_EFF] = eff["attention"]["prefill_efficiency"]
    p[P_DEC_ATTN_EFF] = eff["attention"]["decode_bandwidth_efficiency"]
    p[P_KERNEL_S] = eff["launch"]["kernel_overhead_us"] * 1e-6
    p[P_ITER_S] = eff["launch"]["iteration_overhead_us"] * 1e-6
    p[P_LINK_EFF] = eff["interconnect"]["link_efficiency"]
    p[P_ALPHA_S] = eff["interconnect"]["alpha_us"] * 1e-6
    p[P_P2P_S] = eff["interconnect"]["p2p_latency_us"] * 1e-6
    return p


@nb.njit(cache=True)
def _mem_op(p: np.ndarray, nbytes: float) -> float:
    return nbytes / (p[P_HBM_BW] * p[P_MEM_EFF]) + p[P_KERNEL_S]


@nb.njit(cache=True)
def _gemm(p: np.ndarray, m_total: float, m_per: float, n: float, k: float,
          copies: float) -> float:
    """A GEMM (or a grouped GEMM over ``copies`` weight matrices) of ``m_total`` rows in all."""
    tile = p[P_TILE_M]
    padded = math.ceil(m_per / tile) * tile
    eff = p[P_GEMM_EFF] * m_per / padded
    flops = 2.0 * m_total * n * k
    nbytes = copies * n * k * p[P_WBYTES] + (m_total * k + m_total * n) * p[P_ABYTES]
    return max(flops / (p[P_PEAK] * eff), nbytes / (p[P_HBM_BW] * p[P_MEM_EFF])) + p[P_KERNEL_S]


@nb.njit(cache=True)
def _allreduce(p: np.ndarray, nbytes: float) -> float:
    tp = p[P_TP]
    if tp <= 1.0:
        return 0.0
    return 2.0 * (tp - 1.0) * p[P_ALPHA_S] + 2.0 * (tp - 1.0) / tp * nbytes / (
        p[P_LINK_BW] * p[P_LINK_EFF])


@nb.njit(cache=True)
def decode_attention_time(p: np.ndarray, n_decode: float, decode_ctx: float) -> float:
    """One layer's decode attention of ``n_decode`` requests attending to ``decode_ctx`` tokens."""
    hq, hkv, d = p[P_HQ], p[P_HKV], p[P_HEAD_DIM]
    flops = 4.0 * decode_ctx * hq * d
    nbytes = decode_ctx * 2.0 * hkv * d * p[P_KVBYTES] + 2.0 * n_decode * hq * d * p[P_ABYTES]
    return max(flops / (p[P_PEAK] * p[P_ATTN_EFF]),
               nbytes / (p[P_HBM_BW] * p[P_DEC_ATTN_EFF])) + p[P_KERNEL_S]


@nb.njit(cache=True)
def _layer_time(p: np.ndarray, tokens: float, n_decode: float, decode_ctx: float,
                prefill_pairs: float, prefill_kv: float, prefill_tokens: float) -> float:
    h, hq, hkv, d, f = p[P_HIDDEN], p[P_HQ], p[P_HKV], p[P_HEAD_DIM], p[P_FFN]
    ab, kvb = p[P_ABYTES], p[P_KVBYTES]
    t = _mem_op(p, 2.0 * tokens * h * ab)                          # input RMSNorm
    t += _gemm(p, tokens, tokens, (hq + 2.0 * hkv) * d, h, 1.0)     # QKV
    t += _mem_op(p, tokens * (hq + 2.0 * hkv) * d * ab + tokens * 2.0 * hkv * d * kvb)  # RoPE, KV
    if prefill_tokens > 0.0:
        flops = 4.0 * prefill_pairs * hq * d
        nbytes = prefill_kv * 2.0 * hkv * d * kvb + 2.0 * prefill_tokens * hq * d * ab
        t += max(flops / (p[P_PEAK] * p[P_ATTN_EFF]),
                 nbytes / (p[P_HBM_BW] * p[P_MEM_EFF])) + p[P_KERNEL_S]
    if n_decode > 0.0:
        t += decode_attention_time(p, n_decode, decode_ctx)
    t += _gemm(p, tokens, tokens, h, hq * d, 1.0)                   # O projection
    t += _allreduce(p, tokens * h * ab)
    t += _mem_op(p, 3.0 * tokens * h * ab)                          # residual + RMSNorm
    experts, k = p[P_EXPERTS], p[P_TOPK]
    if experts > 1.0:
        active = experts * (1.0 - (1.0 - k / experts) ** tokens)
        routed = tokens * k
        t += _gemm(p, tokens, tokens, experts, h, 1.0)              # router
        t += _gemm(p, routed, routed / active, 2.0 * f, h, active)  # gate/up (grouped)
        t += _mem_op(p, 3.0 * routed * f * ab)                      # SiLU x mul
        t += _gemm(p, routed, routed / active, h, f, active)        # down (grouped)
    else:
        t += _gemm(p, tokens, tokens, 2.0 * f, h, 1.0)              # gate/up
        t += _mem_op(p, 3.0 * tokens * f * ab)                      # SiLU x mul
        t += _gemm(p, tokens, tokens, h, f, 1.0)                    # down
    t += _allreduce(p, tokens * h * ab)
    t += _mem_op(p, 2.0 * tokens * h * ab)                          # residual add
    return t


@nb.njit(cache=True)
def iteration_time(p: np.ndarray, tokens: float, n_decode: float, decode_ctx: float,
                   prefill_pairs: float, prefill_kv: float, prefill_tokens: float,
                   n_sample: float) -> tuple[float, float]:
    """Latency and stage occupancy of one iteration on one replica (seconds).

    Args:
        p: Parameters from :func:`iteration_params`.
        tokens: Tokens in the batch (prefill chunk tokens + decode tokens).
        n_decode: Decode requests in the batch.
        decode_ctx: Sum over decode requests of the context each attends to (tokens).
        prefill_pairs: Sum over prefill chunks of ``c x (p + (c + 1) / 2)``: the
            causal query-key pairs of a chunk of ``c`` tokens after ``p`` cached ones.
        prefill_kv: Sum over prefill chunks of ``p + c`` (KV tokens they read).
        prefill_tokens: Tokens of prefill chunks.
        n_sample: Tokens that go through the LM head (decodes and finishing prefills).

    Returns:
        ``(latency, stage_busy)``: from the start of the iteration until its
        tokens are sampled, and how long the first pipeline stage is occupied
        (the time before the replica can start another iteration; equal to the
        latency without pipeline parallelism).
    """
    h, ab = p[P_HIDDEN], p[P_ABYTES]
    layer = _layer_time(p, tokens, n_decode, decode_ctx, prefill_pairs, prefill_kv,
                        prefill_tokens)
    embed = _mem_op(p, tokens * h * ab)
    head = 0.0
    if n_sample > 0.0:
        head = _mem_op(p, 2.0 * n_sample * h * ab)                   # final RMSNorm
        head += _gemm(p, n_sample, n_sample, p[P_VOCAB], h, 1.0)     # LM head
        tp = p[P_TP]
        if tp > 1.0:                                                 # all-gather the logits
            head += (tp - 1.0) * p[P_ALPHA_S] + (tp - 1.0) / tp * n_sample * p[P_VOCAB_FULL] \
                * 4.0 / (p[P_LINK_BW] * p[P_LINK_EFF])
    compute = p[P_LAYERS] * layer + embed + head
    pp = p[P_PP]
    handoff = 0.0
    if pp > 1.0:
        handoff = p[P_P2P_S] + tokens * h * ab / (p[P_LINK_BW] * p[P_LINK_EFF])
    latency = compute + (pp - 1.0) * handoff + p[P_ITER_S]
    stage = compute / pp + handoff + p[P_ITER_S] if pp > 1.0 else latency
    return latency, stage


@nb.njit(cache=True)
def ring_allreduce_time(p: np.ndarray, nbytes: float) -> float:
    """Time of one ring all-reduce of ``nbytes`` over the replica's ``tp`` GPUs (seconds)."""
    return _allreduce(p, nbytes)


@dataclass(frozen=True)
class IterationModel:
    """The operator model of one replica configuration, for analysis and tests.

    Args:
        model: The served model.
        accelerator: The GPU type.
        precision: ``"bf16"``, ``"fp16"`` or ``"fp8"`` (weights and KV cache).
        tp: Tensor-parallel degree.
        pp: Pipeline-parallel degree.
    """

    model: ModelSpec
    accelerator: Accelerator
    precision: str = "bf16"
    tp: int = 1
    pp: int = 1

    @functools.cached_property
    def params(self) -> np.ndarray:
        """The parameter vector of :func:`iteration_time`."""
        return iteration_params(self.model, self.accelerator, self.precision, self.tp, self.pp)

    def decode_step(self, batch: int, context: int) -> float:
        """Latency (s) of one decode iteration: ``batch`` requests of ``context`` tokens each."""
        ctx = float(batch) * (context + 1)
        return iteration_time(self.params, float(batch), float(batch), ctx, 0.0, 0.0, 0.0,
                              float(batch))[0]

    def prefill(self, tokens: int, batch: int = 1) -> float:
        """Latency (s) of one iteration prefilling ``batch`` prompts of ``tokens`` tokens."""
        c = float(tokens)
        pairs = batch * c * (c + 1.0) / 2.0
        return iteration_time(self.params, batch * c, 0.0, 0.0, pairs, batch * c, batch * c,
                              float(batch))[0]

    def allreduce(self, nbytes: float) -> float:
        """Ring all-reduce time (s) of ``nbytes`` over the ``tp`` GPUs."""
        return ring_allreduce_time(self.params, float(nbytes))
