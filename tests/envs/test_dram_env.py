"""archgym/DRAMController-v0: DRAM-specific env behaviour."""

from __future__ import annotations

import pickle
import warnings

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from archgym.envs.dram import DEFAULT_TARGETS, env_space
from archgym.errors import TraceError, UnknownName
from archgym.simulators.dram import DRAMSimulator, dram_space, generate_trace, save_trace

DEFAULT_DESIGN = dram_space().default()

ENV_ID = "archgym/DRAMController-v0"
WORKLOADS = ["stream", "random", "cloud-1", "cloud-2"]


@pytest.mark.parametrize("workload", WORKLOADS)
def test_check_env_and_default_design_metrics(workload):
    env = gym.make(ENV_ID, workload=workload)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_env(env.unwrapped)
    env.reset(seed=0)
    action = env.unwrapped.encode(DEFAULT_DESIGN)
    _, reward, terminated, truncated, info = env.step(action)
    assert (terminated or truncated) and info["design"] == DEFAULT_DESIGN
    # the env reports exactly what the simulator measures on the 10,000-read workload
    sim = DRAMSimulator()
    trace = env.unwrapped.simulator.resolve_workload(workload)
    assert len(trace) == 10_000 and not trace.is_write.any()
    assert trace.cycles.tolist() == list(range(10_000))
    s = sim.run(trace, DEFAULT_DESIGN)
    m = info["metrics"]
    assert m["latency_ns"] == s.avg_read_latency_ns
    assert m["power_mw"] == s.avg_power_mw
    assert m["energy_nj"] == pytest.approx(s.energy_pj / 1000)
    assert m["bandwidth_gbps"] == s.bandwidth_gbps
    assert m["total_time_ns"] == s.total_time_ns
    goals = {"latency_ns": 1.0, "power_mw": 1.0, "bandwidth_gbps": -1.0}  # -1: maximise
    expected = -sum(max(0.0, goals[k] * (m[k] - t) / t) for k, t in DEFAULT_TARGETS.items())
    assert reward == pytest.approx(expected)


def test_default_targets_rule_out_admission_throttling():
    """The throttled design meets latency and power, but not the bandwidth floor."""
    env = gym.make(ENV_ID, workload="cloud-1")
    env.reset(seed=0)
    throttled = {**DEFAULT_DESIGN, "arbiter": "Fifo", "max_active_transactions": 1,
                 "refresh_policy": "NoRefresh"}
    *_, info = env.step(env.unwrapped.encode(throttled))
    m = info["metrics"]
    assert m["latency_ns"] < DEFAULT_TARGETS["latency_ns"]
    assert m["power_mw"] < DEFAULT_TARGETS["power_mw"]
    assert m["bandwidth_gbps"] < 0.3 * DEFAULT_TARGETS["bandwidth_gbps"]
    assert not info["target_met"]


def test_design_space_matches_original_ranges():
    space = env_space()
    assert gym.make(ENV_ID).unwrapped.design_space == space
    assert space.nvec.tolist() == [4, 3, 3, 8, 2, 2, 4, 4, 3, 8]
    assert space.default() == DEFAULT_DESIGN
    assert space["request_buffer_size"].values == (1, 2, 4, 8, 16, 32, 64, 128)
    assert space["refresh_max_postponed"].values == (1, 2, 4, 8)


def test_workloads_differ_as_expected():
    sim = DRAMSimulator()
    m = {w: sim.evaluate(DEFAULT_DESIGN, w) for w in WORKLOADS}
    assert m["stream"]["latency_ns"] < m["cloud-1"]["latency_ns"] < m["random"]["latency_ns"]
    assert m["stream"]["power_mw"] < m["random"]["power_mw"]
    # stream: 64 B x 10,000 at about half of the 25.6 GB/s peak
    assert 0.45 * 25.6 < m["stream"]["bandwidth_gbps"] < 0.6 * 25.6


def test_same_seed_same_rollout_and_pickle():
    def rollout(env):
        env.reset(seed=3)
        env.action_space.seed(3)
        return [env.step(env.action_space.sample())[1] for _ in range(5)]

    a = gym.make(ENV_ID, workload="cloud-2")
    b = gym.make(ENV_ID, workload="cloud-2")
    assert rollout(a) == rollout(b)
    c = pickle.loads(pickle.dumps(a.unwrapped))
    assert rollout(c) == rollout(a.unwrapped)


def test_make_vec():
    v = gym.make_vec(ENV_ID, num_envs=2, vectorization_mode="sync")
    v.reset(seed=0)
    actions = np.zeros((2, 10), dtype=np.int64)
    actions[:, 0] = 2  # Closed page: slower on the stream trace, misses the targets
    _, rewards, _, _, _ = v.step(actions)
    single = gym.make(ENV_ID)
    single.reset(seed=0)
    assert rewards[0] == rewards[1] == single.step(actions[0])[1] < 0
    v.close()


def test_user_trace_file(tmp_path):
    path = tmp_path / "mine.stl"
    save_trace(generate_trace("strided", 500, stride=8192, interval=4), path)
    env = gym.make(ENV_ID, trace=str(path), targets={"latency_ns": 200.0})
    env.reset(seed=0)
    _, _, _, _, info = env.step(env.unwrapped.encode(DEFAULT_DESIGN))
    assert info["workload"] == str(path)
    s = DRAMSimulator().run(generate_trace("strided", 500, stride=8192, interval=4))
    assert info["metrics"]["latency_ns"] == s.avg_read_latency_ns


def test_bad_workload_and_trace(tmp_path):
    with pytest.raises(UnknownName, match="stream"):
        gym.make(ENV_ID, workload="strem")
    big = tmp_path / "big.stl"
    big.write_text("0:\tread\t0x400000000\n")  # 16 GiB > 8 GiB
    with pytest.raises(TraceError, match="capacity"):
        gym.make(ENV_ID, trace=str(big))
