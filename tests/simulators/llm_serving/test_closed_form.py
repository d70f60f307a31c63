"""Closed-form bounds and hand-computed values of the operator and memory models."""

from __future__ import annotations

import pytest

from archgym.simulators.llm_serving import (
    ACCELERATORS,
    MODELS,
    IterationModel,
    kv_bytes_per_token_per_gpu,
    weight_bytes_per_gpu,
)
from archgym.simulators.llm_serving.operators import load_efficiency

# Hand-computed from the published configs (models.yaml):
# Llama-3-8B layer = attention 4096 x (32 + 2 x 8) x 128 + 4096 x 4096 = 41,943,040
#                  + MLP 3 x 4096 x 14,336 = 176,160,768 + two norms 8,192 = 218,112,000;
# x 32 layers + embedding and LM head 2 x 128,256 x 4,096 + final norm 4,096.
LLAMA3_8B_PARAMS = 32 * 218_112_000 + 2 * 128_256 * 4_096 + 4_096
# Llama-3-70B layer = 8192 x (64 + 16) x 128 + 8192^2 + 3 x 8192 x 28672 + 2 x 8192.
LLAMA3_70B_PARAMS = 80 * 855_654_400 + 2 * 128_256 * 8_192 + 8_192


def test_parameter_counts_match_hand_computation():
    assert LLAMA3_8B_PARAMS == 8_030_261_248  # Meta: "8B" (8.03e9)
    assert LLAMA3_70B_PARAMS == 70_553_706_496  # Meta: "70B" (70.6e9)
    assert MODELS["llama-3-8b"].params == LLAMA3_8B_PARAMS
    assert MODELS["llama-3-70b"].params == LLAMA3_70B_PARAMS


@pytest.mark.parametrize(("key", "params", "kv_per_token"), [
    # KV per token = 2 x layers x kv_heads x head_dim x 2 bytes
    ("llama-3-8b", LLAMA3_8B_PARAMS, 2 * 32 * 8 * 128 * 2),    # 131,072 B = 128 KiB
    ("llama-3-70b", LLAMA3_70B_PARAMS, 2 * 80 * 8 * 128 * 2),  # 327,680 B = 320 KiB
])
def test_memory_accounting_bf16(key, params, kv_per_token):
    model = MODELS[key]
    assert model.weight_bytes(2) == 2 * params
    assert model.kv_bytes_per_token(2) == kv_per_token
    # one GPU holds everything without parallelism
    assert weight_bytes_per_gpu(model, "bf16", 1, 1) == pytest.approx(2 * params)
    assert kv_bytes_per_token_per_gpu(model, "bf16", 1, 1) == kv_per_token
    # TP 8 shards the 8 KV heads one per GPU; PP 2 halves the layers
    assert kv_bytes_per_token_per_gpu(model, "bf16", 8, 2) == kv_per_token / 16
    emb = 2 * model.vocab * model.hidden
    per_gpu_tp4_pp2 = (model.layers // 2 * model.layer_params / 4 + model.vocab * model.hidden / 4
                       + model.hidden) * 2
    assert weight_bytes_per_gpu(model, "bf16", 4, 2) == pytest.approx(per_gpu_tp4_pp2)
    assert weight_bytes_per_gpu(model, "fp8", 1, 1) == pytest.approx(params)
    assert emb < params


@pytest.mark.parametrize("acc", ["a100-80gb-sxm", "h100-sxm", "h200-sxm"])
@pytest.mark.parametrize("key", ["llama-3-8b", "llama-2-7b", "mixtral-8x7b"])
def test_decode_step_of_batch_one_is_at_least_weights_over_bandwidth(acc, key):
    model, gpu = MODELS[key], ACCELERATORS[acc]
    if model.weight_bytes(2) > 0.95 * gpu.hbm_bytes:
        pytest.skip("does not fit on one GPU")
    it = IterationModel(model, gpu, "bf16")
    # A dense model reads every weight once per step; Mixtral reads the 2 experts one token uses.
    bound = model.active_params * 2 / gpu.hbm_bandwidth
    step = it.decode_step(batch=1, context=512)
    assert step >= bound
    # ...and is within the memory-efficiency factor plus kernel overheads of it
    eff = load_efficiency()
    overhead = model.layers * 14 * eff["launch"]["kernel_overhead_us"] * 1e-6 \
        + eff["launch"]["iteration_overhead_us"] * 1e-6 + 10e-6
    kv = 513 * model.kv_bytes_per_token(2) / (gpu.hbm_bandwidth
                                              * eff["attention"]["decode_bandwidth_efficiency"])
    assert step <= bound / eff["memory"]["bandwidth_efficiency"] + kv + overhead


@pytest.mark.parametrize("acc", ["a100-80gb-sxm", "h100-sxm", "h200-sxm"])
@pytest.mark.parametrize("tokens", [1024, 4096, 16384])
def test_prefill_is_at_least_two_flops_per_parameter_per_token(acc, tokens):
    model, gpu = MODELS["llama-3-8b"], ACCELERATORS[acc]
    it = IterationModel(model, gpu, "bf16")
    bound = 2 * model.params * tokens / gpu.flops("bf16")
    t = it.prefill(tokens)
    assert t >= bound
    # compute-bound: at most 1 / (GEMM efficiency) times the bound, plus attention's quadratic part
    eff = load_efficiency()
    attn = 4 * model.layers * tokens * (tokens + 1) / 2 * model.heads * model.head_dim
    upper = bound / eff["gemm"]["peak_efficiency"] + attn / (
        gpu.flops("bf16") * eff["attention"]["prefill_efficiency"]) + 0.01
    assert t <= upper


@pytest.mark.parametrize("tp", [2, 4, 8])
@pytest.mark.parametrize("nbytes", [1e3, 1e6, 64e6])
def test_allreduce_matches_the_ring_formula(tp, nbytes):
    gpu = ACCELERATORS["h100-sxm"]
    it = IterationModel(MODELS["llama-3-70b"], gpu, "bf16", tp=tp)
    net = load_efficiency()["interconnect"]
    alpha = net["alpha_us"] * 1e-6
    link = 900e9 / 2 * net["link_efficiency"]  # NVLink 4: 900 GB/s bidirectional, 450 per direction
    assert it.allreduce(nbytes) == pytest.approx(2 * (tp - 1) * alpha
                                                 + 2 * (tp - 1) / tp * nbytes / link)
    assert IterationModel(MODELS["llama-3-70b"], gpu, "bf16", tp=1).allreduce(nbytes) == 0.0


def test_tensor_parallel_speeds_up_decode_but_adds_allreduces():
    model, gpu = MODELS["llama-3-70b"], ACCELERATORS["h100-sxm"]
    steps = [IterationModel(model, gpu, "bf16", tp=tp).decode_step(32, 1024) for tp in (2, 4, 8)]
    assert steps[0] > steps[1] > steps[2]
    assert steps[1] / steps[2] < 2.0  # sub-linear: the all-reduces do not shrink


def test_vendor_figures_of_the_h200_are_untouched():
    h200, h100 = ACCELERATORS["h200-sxm"], ACCELERATORS["h100-sxm"]
    assert h200.hbm_bytes == 141e9 and h200.hbm_bandwidth == pytest.approx(4.8e12)
    assert h200.nvlink_bandwidth == 450e9 and h200.tdp_w == 700
    assert h200.peak_flops == h100.peak_flops
    assert h100.flops("bf16") == pytest.approx(989.4e12) and h100.flops("fp8") == 1978.9e12
    assert ACCELERATORS["a100-80gb-sxm"].hbm_bandwidth == pytest.approx(2.039e12)
