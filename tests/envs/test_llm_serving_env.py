"""archgym/LLMServing-v0: design space, default targets, invalid designs, workloads, conformance."""

from __future__ import annotations

import pickle
import warnings

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from archgym.envs.llm_serving import COST_TARGETS, DEFAULT_SLOS, LLMServingEnv
from archgym.simulators.llm_serving import WORKLOADS

ENV_ID = "archgym/LLMServing-v0"


def test_design_space_is_the_issue_s():
    env = LLMServingEnv()
    space = env.design_space
    assert space.names == ("accelerator", "tensor_parallel", "pipeline_parallel", "replicas",
                           "max_batch_size", "max_batched_tokens", "scheduler", "chunk_size",
                           "kv_block_size", "gpu_memory_util_pct", "routing")
    assert space["accelerator"].values == ("a100-80gb-sxm", "h100-sxm", "h200-sxm")
    assert space["tensor_parallel"].values == (1, 2, 4, 8)
    assert space["pipeline_parallel"].values == (1, 2, 4)
    assert space["scheduler"].values == ("vllm", "orca", "sarathi")
    assert space["routing"].values == ("round_robin", "least_outstanding")
    assert env.action_space.nvec.tolist() == [3, 4, 3, 8, 7, 6, 3, 5, 3, 4, 2]
    assert env.observation_space.shape == (14,)
    assert not space.is_valid({**space.default(), "tensor_parallel": 8, "replicas": 3})


def test_default_targets_are_vidur_slos_and_a_cost_per_workload():
    for w in WORKLOADS:
        env = LLMServingEnv(w)
        assert env.objective.targets == {**DEFAULT_SLOS, "cost_usd_per_mtok": COST_TARGETS[w]}
        assert env.objective.goals == {"ttft_p90_s": "min", "tbt_p99_ms": "min",
                                       "cost_usd_per_mtok": "min"}


@pytest.mark.slow
def test_default_targets_are_reachable_but_rare():
    env = LLMServingEnv()
    sim = env.simulator
    rng = np.random.default_rng(0)
    designs = [sim.design_space.sample(rng) for _ in range(300)]
    out = sim.evaluate_batch(designs, env.workload)
    valid = np.isfinite(out["ttft_p90_s"])
    met = valid.copy()
    for name, target in env.objective.targets.items():
        met &= out[name] <= target
    assert 0.4 < valid.mean() < 0.9
    assert 0 < met.sum() <= 0.05 * len(designs)


def test_invalid_design_gets_the_penalty_with_the_reason():
    env = LLMServingEnv()
    env.reset(seed=0)
    bad = {**env.design_space.default(), "accelerator": "a100-80gb-sxm", "tensor_parallel": 1,
           "replicas": 1}
    obs, reward, terminated, _, info = env.step(env.encode(bad))
    assert info["invalid"] and reward == -1000.0 and terminated
    assert "does not fit" in info["error"] and "a100-80gb-sxm" in info["error"]
    assert obs[-1] == 0.0
    over_budget = env.action_space.nvec - 1  # h200, TP 8, PP 4, 16 replicas: 512 GPUs
    _, reward, *_, info = env.step(over_budget)
    assert info["invalid"] and "16 GPUs" in info["error"]


def test_valid_step_reports_metrics_in_units():
    env = LLMServingEnv("llama-3-8b/azure-code")
    env.reset(seed=0)
    obs, reward, _, _, info = env.step(env.encode(env.design_space.default()))
    assert not info["invalid"] and obs[-1] == 1.0
    assert info["units"]["ttft_p90_s"] == "s" and info["units"]["cost_usd_per_mtok"] == \
        "USD/1M tokens"
    direct = env.simulator.evaluate(env.design_space.default(), "llama-3-8b/azure-code")
    assert info["metrics"]["cost_usd_per_mtok"] == pytest.approx(direct["cost_usd_per_mtok"])
    assert reward <= 0.0 and env.observation_space.contains(obs)


def test_workload_from_a_trace_file(tmp_path):
    path = tmp_path / "trace.csv"
    rows = "\n".join(f"{i * 0.1:.1f},{200 + i},{20}" for i in range(50))
    path.write_text("# model: llama-3-70b\narrival_s,prompt_tokens,output_tokens\n" + rows + "\n")
    env = gym.make(ENV_ID, workload=str(path))
    env.reset(seed=1)
    _, _, _, _, info = env.step(env.unwrapped.encode(env.unwrapped.design_space.default()))
    assert info["workload"] == str(path) and not info["invalid"]
    assert env.unwrapped.objective.targets["cost_usd_per_mtok"] == 5.0
    env.close()


def test_fp8_precision_makes_a100_designs_invalid():
    env = LLMServingEnv("llama-3-8b/azure-code", precision="fp8")
    env.reset(seed=0)
    design = {**env.design_space.default(), "accelerator": "a100-80gb-sxm"}
    _, _, _, _, info = env.step(env.encode(design))
    assert info["invalid"] and "fp8" in info["error"]


def test_env_checker_determinism_and_pickle():
    env = gym.make(ENV_ID, workload="llama-3-8b/azure-code")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_env(env.unwrapped, skip_render_check=True)

    def rollout(e):
        e.reset(seed=7)
        e.action_space.seed(7)
        return [e.step(e.action_space.sample())[:2] for _ in range(4)]

    first = rollout(env.unwrapped)
    clone = pickle.loads(pickle.dumps(env.unwrapped))
    second = rollout(clone)
    for (o1, r1), (o2, r2) in zip(first, second, strict=True):
        assert np.array_equal(o1, o2) and r1 == r2
    env.close()


def test_shipped_comparison_spec_validates():
    from pathlib import Path

    from archgym.experiment import check_spec, expand, load_spec

    root = Path(__file__).resolve().parents[2] / "experiments"
    spec = load_spec(root / "llm_serving_comparison.yaml")
    check_spec(spec, make_envs=False)
    assert len(expand(spec)) == 11 * 3  # every agent x 3 seeds on one workload
