"""The serving loop: single-request timing, conservation, scheduling, memory and routing effects."""

from __future__ import annotations

import numpy as np
import pytest

from archgym.errors import InvalidDesign
from archgym.simulators.llm_serving import ACCELERATORS, MODELS, IterationModel, LLMServingSimulator
from tests.simulators.llm_serving.helpers import design, workload


@pytest.fixture(scope="module")
def sim() -> LLMServingSimulator:
    return LLMServingSimulator()


def test_a_lone_request_takes_one_prefill_then_one_decode_per_token(sim):
    w = workload([0.0], 1000, 5)
    r = sim.run(design(), w)
    it = IterationModel(MODELS["llama-3-8b"], ACCELERATORS["h100-sxm"])
    assert r.ttft_s[0] == pytest.approx(it.prefill(1000))
    # decode k attends to 1000 + k tokens (the prompt and the tokens so far)
    steps = [it.decode_step(1, 1000 + k) for k in range(4)]
    assert r.tbt_s == pytest.approx(steps)
    assert r.e2e_s[0] == pytest.approx(it.prefill(1000) + sum(steps))


def test_every_request_finishes_and_every_token_is_timed(sim):
    rng = np.random.default_rng(0)
    n = 300
    w = workload(np.sort(rng.uniform(0, 5, n)), rng.integers(10, 3000, n),
                 rng.integers(1, 300, n))
    for sched in ("vllm", "orca", "sarathi"):
        r = sim.run(design(scheduler=sched, replicas=2, routing="least_outstanding"), w)
        assert np.all(np.isfinite(r.completion_s)) and np.all(r.first_token_s >= r.arrival_s)
        assert len(r.tbt_s) == int((w.trace.output_tokens - 1).sum())
        assert np.all(r.tbt_s > 0) and np.all(r.completion_s >= r.first_token_s)


def test_more_replicas_cut_queueing_under_load(sim):
    rng = np.random.default_rng(1)
    w = workload(np.sort(rng.uniform(0, 10, 400)), 1500, 200)
    one = sim.summarise(sim.run(design(), w), design())
    four = sim.summarise(sim.run(design(replicas=4), w), design(replicas=4))
    assert four["ttft_p90_s"] < 0.5 * one["ttft_p90_s"]
    assert four["cost_usd_per_mtok"] > one["cost_usd_per_mtok"]  # idle GPUs are paid for


def test_chunked_prefill_shortens_the_stalls_long_prompts_cause(sim):
    rng = np.random.default_rng(2)
    n = 200
    prompts = np.where(rng.random(n) < 0.3, 8000, 200)
    w = workload(np.sort(rng.uniform(0, 20, n)), prompts, 300)
    kw = {"max_batched_tokens": 16384}
    vllm = sim.summarise(sim.run(design(**kw), w), design(**kw))
    sarathi = sim.summarise(sim.run(design(scheduler="sarathi", **kw), w),
                            design(scheduler="sarathi", **kw))
    assert sarathi["tbt_p99_ms"] < 0.5 * vllm["tbt_p99_ms"]


def test_small_kv_cache_preempts_and_recomputes(sim):
    # Llama-3-70B bf16 on 2 H100s at 95%: ~3.8 GB/GPU of KV cache, ~23k tokens
    w = workload(np.zeros(64), 100, 400, model="llama-3-70b")
    d = design(tensor_parallel=2, gpu_memory_util_pct=95, max_batched_tokens=512)
    r = sim.run(d, w)
    assert r.memory.kv_tokens < 64 * 500
    assert r.preemptions > 0
    assert np.all(np.isfinite(r.completion_s))
    roomy = sim.run(design(tensor_parallel=4, max_batched_tokens=512),
                    workload(np.zeros(64), 100, 400, model="llama-3-70b"))
    assert roomy.preemptions == 0


def test_pipeline_lanes_overlap_iterations(sim):
    w = workload(np.zeros(256), 256, 64)
    d1 = design(tensor_parallel=2, max_batch_size=32)
    d2 = design(tensor_parallel=1, pipeline_parallel=2, max_batch_size=32)
    m1 = sim.summarise(sim.run(d1, w), d1)
    m2 = sim.summarise(sim.run(d2, w), d2)
    # same GPUs: PP keeps both stages busy with two batches, TP splits each batch
    assert m2["throughput_tok_s"] > 0.6 * m1["throughput_tok_s"]
    lone = workload([0.0], 256, 64)
    # a lone request cannot fill the pipeline: every token pays both stages
    assert sim.run(d2, lone).tbt_s.mean() > sim.run(d1, lone).tbt_s.mean()


def test_least_outstanding_routing_balances_skewed_requests(sim):
    n = 200
    prompts = np.tile([4000, 50], n // 2)  # round robin sends every long prompt to replica 0
    w = workload(np.arange(n) * 0.02, prompts, 50)
    rr = sim.summarise(sim.run(design(replicas=2), w), design(replicas=2))
    lor_design = design(replicas=2, routing="least_outstanding")
    lor = sim.summarise(sim.run(lor_design, w), lor_design)
    assert lor["ttft_p90_s"] < rr["ttft_p90_s"]


def test_same_input_same_output(sim):
    a = sim.evaluate(sim.design_space.default(), "llama-3-70b/azure-conv")
    b = LLMServingSimulator().evaluate(sim.design_space.default(), "llama-3-70b/azure-conv")
    assert a == b


@pytest.mark.parametrize(("overrides", "model", "needle"), [
    ({"accelerator": "a100-80gb-sxm", "tensor_parallel": 1}, "llama-3-70b", "does not fit"),
    ({"tensor_parallel": 3}, "llama-3-8b", "does not divide the 32 attention heads"),
    ({"pipeline_parallel": 3, "tensor_parallel": 4}, "llama-3-70b", "does not divide the 80"),
    ({"tensor_parallel": 16}, "llama-3-8b", "NVLink node"),
    ({"scheduler": "fifo"}, "llama-3-8b", "scheduler must be one of"),
    ({"accelerator": "tpu-v5"}, "llama-3-8b", "unknown accelerator 'tpu-v5'"),
])
def test_invalid_designs_name_the_reason(sim, overrides, model, needle):
    with pytest.raises(InvalidDesign, match=needle):
        sim.run(design(**overrides), workload([0.0], 100, 10, model=model))


def test_kv_cache_smaller_than_the_longest_request_is_invalid(sim):
    w = workload([0.0], 30_000, 10, model="llama-3-70b")
    with pytest.raises(InvalidDesign, match="longest request"):
        sim.run(design(tensor_parallel=2, gpu_memory_util_pct=95, max_batched_tokens=512), w)


def test_fp8_needs_an_fp8_gpu():
    sim = LLMServingSimulator(precision="fp8")
    with pytest.raises(InvalidDesign, match="no fp8 tensor cores"):
        sim.run(design(accelerator="a100-80gb-sxm"), workload([0.0], 100, 10))
    assert sim.run(design(), workload([0.0], 100, 10)).ttft_s[0] > 0


def test_evaluate_checks_the_space_and_the_gpu_budget(sim):
    with pytest.raises(InvalidDesign, match="16 GPUs"):
        sim.evaluate(design(tensor_parallel=8, replicas=3), "llama-3-8b/azure-conv")
    with pytest.raises(InvalidDesign, match="max_batch_size"):
        sim.evaluate(design(max_batch_size=100), "llama-3-8b/azure-conv")


def test_evaluate_batch_marks_invalid_rows_nan(sim):
    good = sim.design_space.default()
    bad = {**good, "accelerator": "a100-80gb-sxm", "tensor_parallel": 1}
    out = sim.evaluate_batch([good, bad], "llama-3-70b/azure-conv")
    assert np.isfinite(out["ttft_p90_s"][0]) and np.isnan(out["ttft_p90_s"][1])
