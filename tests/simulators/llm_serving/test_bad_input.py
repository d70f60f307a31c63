"""Bad LLM-serving input is a clear ArchGymError, never a bare exception or an infinite metric.

Each case came from issue 13's fuzz of archgym/LLMServing-v0: ``metric_scales=``
and ``default_targets=`` raised TypeError (given twice to ArchEnv), a list of
workloads or a non-string workload raised TypeError from ``os.fspath``, bad
SLOs raised ValueError or TypeError (or were accepted: ``True``, ``inf``), a
non-UTF-8 trace raised UnicodeDecodeError, and an arrival time of 1e308 s gave
an infinite cost and energy per token.
"""

from __future__ import annotations

import math
import re

import gymnasium as gym
import pytest

import archgym  # noqa: F401  (registers the envs)
from archgym.errors import ConfigError, TraceError, UnknownName
from archgym.simulators.llm_serving import LLMServingSimulator
from archgym.simulators.llm_serving.traces import MAX_ARRIVAL_S, load_trace

ENV_ID = "archgym/LLMServing-v0"
HEADER = "arrival_s,prompt_tokens,output_tokens\n"


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"metric_scales": {"ttft_p90_s": 0.0}}, ConfigError, r"metric_scales\['ttft_p90_s'\] must "
                                                          "be > 0"),
    ({"metric_scales": {"nope": 1.0}}, UnknownName, "nope"),
    ({"default_targets": {"x": 1.0}}, UnknownName, "unknown metric 'x'"),
    ({"workload": 7}, ConfigError, "workload must be a workload name"),
    ({"workload": None}, ConfigError, "workload must be a workload name"),
    ({"workload": ["llama-3-70b/azure-conv", "llama-3-70b/azure-cod"]}, UnknownName,
     "llama-3-70b/azure-cod"),
    ({"precision": ["bf16"]}, UnknownName, r"unknown precision \['bf16'\]"),
    ({"ttft_slo_s": math.nan}, ConfigError, "ttft_slo_s must be finite, got nan"),
    ({"ttft_slo_s": "2"}, ConfigError, "ttft_slo_s must be a number, got '2'"),
    ({"ttft_slo_s": True}, ConfigError, "ttft_slo_s must be a number, got True"),
    ({"tbt_slo_s": 0}, ConfigError, "tbt_slo_s must be > 0, got 0"),
    ({"tbt_slo_s": math.inf}, ConfigError, "tbt_slo_s must be finite"),
])
def test_bad_env_keywords_are_clear_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        gym.make(ENV_ID, **kwargs)


def test_metric_scales_merge_and_several_workloads_get_their_own_targets():
    env = gym.make(ENV_ID, metric_scales={"gpus": 8.0},
                   workload=["llama-3-8b/azure-conv", "llama-3-70b/azure-conv"])
    base = env.unwrapped
    cost = {}
    for name in base.workload_names:
        env.reset(options={"workload": name})
        cost[name] = base.objective.targets["cost_usd_per_mtok"]
    assert cost == {"llama-3-8b/azure-conv": 0.4, "llama-3-70b/azure-conv": 4.0}


@pytest.mark.parametrize(("data", "match"), [
    ((HEADER + "0,10,5 # caf\xe9\n").encode("latin-1"), "not UTF-8"),
    (b"\x00\xff\xfe\x00garbage", "not UTF-8"),
    ((HEADER + "1e308,10,5\n0,10,5\n").encode(), re.escape(f"<= {MAX_ARRIVAL_S:g} s")),
    ((HEADER + "0,1000000000000,5\n").encode(), r"prompt_tokens=1000000000000; token counts "
                                                r"must be in \[1, 100,000,000\]"),
    ((HEADER + "0,10,100000000000000000000000000\n").encode(), "beyond 64-bit integers"),
])
def test_bad_trace_files_are_trace_errors(tmp_path, data, match):
    path = tmp_path / "t.csv"
    path.write_bytes(data)
    with pytest.raises(TraceError, match=match):
        load_trace(path)
    with pytest.raises(TraceError, match=match):
        gym.make(ENV_ID, workload=str(path))


def test_the_latest_allowed_arrival_gives_finite_metrics(tmp_path):
    path = tmp_path / "late.csv"
    path.write_text(HEADER + f"{MAX_ARRIVAL_S},10,5\n0,10,5\n")
    sim = LLMServingSimulator()
    metrics = sim.evaluate(sim.design_space.default(), str(path))
    assert all(math.isfinite(v) for v in metrics.values())
