"""archgym/SoC-v1: every shipped workload through Gymnasium's checks, targets, penalties."""

from __future__ import annotations

import pickle
import warnings

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import archgym
from archgym.errors import UnknownName
from archgym.simulators.soc import WORKLOADS, load_task_graph

ENV_ID = "archgym/SoC-v1"
SIZES = {"audio_decoder": 143, "edge_detection": 78, "hpvm_cava": 85}


@pytest.mark.parametrize("workload", WORKLOADS)
def test_check_env_with_warnings_as_errors(workload):
    env = gym.make(ENV_ID, workload=workload)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_env(env.unwrapped)
    assert env.action_space.shape == (SIZES[workload],)
    assert env.observation_space.shape == (7,)


def test_default_workload_and_farsi_targets():
    env = gym.make(ENV_ID).unwrapped
    assert env.workload == "edge_detection"
    assert env.objective.targets == {"latency_s": 0.034, "power_peak_w": 0.008737,
                                     "area_mm2": 17.475}
    audio = gym.make(ENV_ID, workload="audio_decoder").unwrapped
    assert audio.objective.targets["latency_s"] == 0.021


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_v0_is_gone_and_its_error_names_v1():
    with pytest.raises(gym.error.DeprecatedEnv, match="archgym/SoC-v1"):
        gym.make("archgym/SoC-v0")
    with pytest.raises(UnknownName, match="Did you mean 'archgym/SoC-v1'"):
        archgym.make("archgym/SoC-v0")
    assert "archgym/SoC-v0" not in archgym.list_envs()


@pytest.mark.parametrize("workload", WORKLOADS)
def test_same_seed_same_rollout_and_pickle(workload):
    def rollout(env):
        env.action_space.seed(7)
        env.reset(seed=7)
        return [env.step(env.action_space.sample())[:2] for _ in range(10)]

    a = rollout(gym.make(ENV_ID, workload=workload))
    b = rollout(gym.make(ENV_ID, workload=workload))
    for (oa, ra), (ob, rb) in zip(a, b, strict=True):
        assert np.array_equal(oa, ob) and ra == rb
    env = gym.make(ENV_ID, workload=workload).unwrapped
    clone = pickle.loads(pickle.dumps(env))
    action = env.action_space.sample()
    env.reset(seed=1)
    clone.reset(seed=1)
    assert env.step(action)[1] == clone.step(action)[1]


def test_make_vec_sync():
    envs = gym.make_vec(ENV_ID, num_envs=2, vectorization_mode="sync", workload="hpvm_cava")
    envs.reset(seed=0)
    obs, reward, *_ = envs.step(np.zeros((2, SIZES["hpvm_cava"]), dtype=np.int64))
    assert obs.shape == (2, 7) and reward[0] == reward[1]
    envs.close()


@pytest.mark.parametrize("workload", WORKLOADS)
def test_all_zero_action_is_all_on_one_core(workload):
    # index 0 everywhere: one A53 (2e9 instructions/s), one 4-byte SRAM and one 4-byte bus
    # at 100 MHz (4e8 bytes/s each way); each task takes the longest of its compute, its
    # reads and its writes
    env = gym.make(ENV_ID, workload=workload)
    env.reset(seed=0)
    _, reward, terminated, truncated, info = env.step(np.zeros(SIZES[workload], dtype=np.int64))
    g = load_task_graph(workload)
    hand = sum(max(g.instructions[t] / 2e9, sum(b for _, d, b in g.edges if d == t) / 4e8,
                   sum(b for s, _, b in g.edges if s == t) / 4e8) for t in g.compute_tasks)
    assert info["metrics"]["latency_s"] == pytest.approx(hand, rel=1e-9)
    assert info["metrics"]["area_mm2"] > 0.65
    assert not info["invalid"] and (terminated or truncated) and reward < 0


def test_invalid_design_gets_penalty_and_rule():
    env = gym.make(ENV_ID)
    env.reset(seed=0)
    action = np.zeros(SIZES["edge_detection"], dtype=np.int64)
    names = env.unwrapped.design_space.names
    action[names.index("pe0_kind")] = 1  # the only PE is an accelerator for one task
    obs, reward, _, _, info = env.step(action)
    assert info["invalid"] and "accelerator-task-mismatch" in info["error"]
    assert reward == -1000.0 and obs[-1] == 0.0


def test_unknown_workload_suggests_names():
    with pytest.raises(UnknownName, match="edge_detection"):
        gym.make(ENV_ID, workload="edge_detect")


def test_farsi_energy_reading_lowers_accelerator_energy():
    env = gym.make(ENV_ID, workload="audio_decoder")
    farsi = gym.make(ENV_ID, workload="audio_decoder", farsi_energy_reading=True)
    names = env.unwrapped.design_space.names
    action = np.zeros(SIZES["audio_decoder"], dtype=np.int64)
    action[names.index("n_pes")] = 1  # two PEs: a core and an accelerator for task 0
    action[names.index("pe1_kind")] = 1
    action[names.index("task1_pe")] = 1  # rotatorSet (task 1) on its accelerator
    for e in (env, farsi):
        e.reset(seed=0)
    ours = env.step(action)[4]["metrics"]["energy_j"]
    theirs = farsi.step(action)[4]["metrics"]["energy_j"]
    # rotatorSet's figure, 103.026, read as nJ (ours) or fJ (FARSI), x 0.064
    assert ours - theirs == pytest.approx(103.026 * 0.064 * (1e-9 - 1e-15), rel=1e-6)


def test_custom_task_graph_with_targets():
    from archgym.simulators.soc import synthetic_task_graph

    g = synthetic_task_graph(5, seed=1)
    env = gym.make(ENV_ID, workload=g, targets={"latency_s": 1e-3})
    env.reset(seed=0)
    _, _, _, _, info = env.step(np.zeros(env.action_space.shape, dtype=np.int64))
    assert info["workload"] == "synthetic_5_1"
    hand = sum(max(g.instructions[t] / 2e9, sum(b for _, d, b in g.edges if d == t) / 4e8,
                   sum(b for s, _, b in g.edges if s == t) / 4e8) for t in g.compute_tasks)
    assert info["metrics"]["latency_s"] == pytest.approx(hand, rel=1e-9)
