"""Env keyword arguments: each bad value is a clear ConfigError, targets merge, several workloads.

The bad values are the examples of the fuzz campaign in issue 13, each of which
used to be accepted silently or to fail with a bare exception.
"""

from __future__ import annotations

import math
import re

import gymnasium as gym
import numpy as np
import pytest

import archgym
from archgym.envs.dram import DEFAULT_TARGETS
from archgym.errors import ArchGymError, ConfigError, UnknownName
from tests.conftest import TOY_ID
from tests.toysim import BEST_DESIGN

DRAM = "archgym/DRAMController-v0"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"weights": {"cost": math.nan}}, r"weights\['cost'\] must be finite"),
        ({"weights": {"cost": -1.0}}, r"weights\['cost'\] must be >= 0"),
        ({"targets": {"cost": -45}}, r"targets\['cost'\] must be > 0, got -45"),
        ({"targets": {"cost": True}}, r"targets\['cost'\] must be a number, got True"),
        ({"targets": {"cost": "45"}}, r"targets\['cost'\] must be a number, got '45'"),
        ({"targets": [1, 2]}, "targets must be a mapping"),
        ({"invalid_reward": math.nan}, "invalid_reward must be finite"),
        ({"max_steps": 1.5}, "max_steps must be an integer, got 1.5"),
        ({"max_steps": "2"}, "max_steps must be an integer, got '2'"),
        ({"max_steps": 0}, "max_steps must be >= 1"),
        ({"max_steps": True}, "max_steps must be an integer, got True"),
        ({"terminate_on_target": "no"}, "terminate_on_target must be true or false"),
        ({"objective": "distance"}, "reward_formula='distance'"),
        ({"backend": []}, "backend must be a name"),
        ({"metric_scales": {"speed": 0.0}}, r"metric_scales\['speed'\] must be > 0"),
        ({"render_mode": "video"}, "render_mode must be one of"),
        ({"workload": 7}, "workload must be a workload name"),
        ({"workload": []}, "at least one workload"),
    ],
)
def test_bad_keyword_values_are_named(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        gym.make(TOY_ID, **kwargs)


def test_unknown_metric_in_targets_suggests_a_name():
    with pytest.raises(UnknownName, match="Did you mean 'cost'"):
        gym.make(TOY_ID, targets={"cots": 1.0})


def test_a_tiny_target_gives_a_finite_reward():
    env = gym.make(TOY_ID, targets={"cost": 5e-324})
    env.reset(seed=0)
    _, reward, *_ = env.step(env.unwrapped.encode(BEST_DESIGN))
    assert math.isfinite(reward) and reward < 0


def test_metric_scales_merge_with_the_env_defaults():
    for env_id in (DRAM, "archgym/SoC-v1", TOY_ID):
        env = gym.make(env_id, metric_scales={"energy_nj": 1.0} if env_id == DRAM else {})
        assert env.observation_space.shape[0] >= 2


def test_targets_merge_with_the_defaults_unless_replaced():
    merged = archgym.make(DRAM, targets={"latency_ns": 100.0}).unwrapped.objective.targets
    assert merged == {**DEFAULT_TARGETS, "latency_ns": 100.0}
    alone = archgym.make(DRAM, targets={"latency_ns": 100.0}, replace_targets=True)
    assert alone.unwrapped.objective.targets == {"latency_ns": 100.0}


def test_non_finite_metrics_make_a_design_invalid():
    from archgym.simulator import Simulator
    from tests.toysim import ToyEnv, ToySimulator

    class Broken(ToySimulator):
        def evaluate(self, design, workload="default"):
            return {**super().evaluate(design, workload), "area": math.nan}

    env = ToyEnv()
    env.simulator = Broken()
    assert isinstance(env.simulator, Simulator)
    env.reset(seed=0)
    _, reward, _, _, info = env.step(env.encode(BEST_DESIGN))
    assert info["invalid"] and "non-finite" in info["error"] and reward == env.invalid_reward


def test_several_workloads_sample_one_per_reset():
    env = gym.make(DRAM, workload=["stream", "random"])
    base = env.unwrapped
    assert base.workload_names == ("stream", "random")
    assert env.observation_space.shape == (5 + 1 + 2,)
    seen = []
    obs, info = env.reset(seed=3)
    for _ in range(12):
        assert obs[6:].tolist() == [float(info["workload"] == w) for w in ("stream", "random")]
        _, _, _, _, step_info = env.step(env.action_space.sample())
        assert step_info["workload"] == info["workload"]
        seen.append(info["workload"])
        obs, info = env.reset()
    assert set(seen) == {"stream", "random"}
    again = gym.make(DRAM, workload=["stream", "random"])
    _, first = again.reset(seed=3)
    assert first["workload"] == seen[0]  # the same seed picks the same workloads
    _, chosen = again.reset(options={"workload": "random"})
    assert chosen["workload"] == "random" and again.unwrapped.workload_name == "random"
    with pytest.raises(UnknownName, match="cloud-1"):
        again.reset(options={"workload": "cloud-1"})


def test_several_workloads_get_their_own_default_targets():
    env = archgym.make("archgym/DNNAccelerator-v0", workload=["resnet18", "resnet50"])
    base = env.unwrapped
    latency = {}
    for name in base.workload_names:
        env.reset(options={"workload": name})
        latency[name] = base.objective.targets["latency_ms"]
    assert latency["resnet50"] > 2 * latency["resnet18"]  # targets scale with the MACs
    assert base.describe()["workloads"] == ["resnet18", "resnet50"]


def test_soc_workloads_with_different_spaces_are_refused():
    with pytest.raises(ArchGymError, match="different SoC design spaces"):
        gym.make("archgym/SoC-v1", workload=["audio_decoder", "edge_detection"])


def test_bad_workload_names_suggest_the_shipped_ones():
    with pytest.raises(UnknownName, match="Did you mean 'cloud-1'"):
        gym.make(DRAM, workload="cloud1")
    assert np.isfinite(gym.make(DRAM, workload="cloud-1").reset(seed=0)[0]).all()


ISSUE_CASES = [
    ({"weights": {"latency_ns": math.nan}}, r"weights\['latency_ns'\] must be finite"),
    ({"targets": {"latency_ns": -45}}, r"targets\['latency_ns'\] must be > 0, got -45"),
    ({"targets": {"latency_ns": True}}, r"targets\['latency_ns'\] must be a number, got True"),
    ({"targets": {"latency_ns": "45"}}, r"targets\['latency_ns'\] must be a number, got '45'"),
    ({"invalid_reward": math.nan}, "invalid_reward must be finite"),
    ({"max_steps": 1.5}, "max_steps must be an integer, got 1.5"),
    ({"max_steps": "2"}, "max_steps must be an integer, got '2'"),
    ({"terminate_on_target": "no"}, "terminate_on_target must be true or false"),
    ({"objective": "distance"}, "reward_formula='distance'"),
    ({"metric_scales": {"energy_nj": math.nan}}, r"metric_scales\['energy_nj'\] must be finite"),
    ({"metric_scales": {"energy_nj": -1.0}}, r"metric_scales\['energy_nj'\] must be > 0"),
    ({"backend": []}, "backend must be a name"),
]


@pytest.mark.parametrize(("kwargs", "match"), ISSUE_CASES)
def test_issue_keyword_values_on_a_real_env_and_in_a_sweep_spec(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        gym.make(DRAM, **kwargs)
    from archgym.experiment import check_spec, parse_spec

    spec = parse_spec({"name": "k", "budget": 2, "seeds": 1, "agents": ["random_walk"],
                       "envs": [{"id": DRAM, "kwargs": kwargs}]})
    with pytest.raises(ConfigError, match=r"envs\[0\]") as err:
        check_spec(spec)
    assert re.search(match, str(err.value)), str(err.value)


@pytest.mark.parametrize(("env_id", "metric"), [(DRAM, "energy_nj"),
                                                ("archgym/SoC-v1", "energy_j"),
                                                ("archgym/LLMServing-v0", "gpus")])
def test_metric_scales_are_checked_on_every_env(env_id, metric):
    with pytest.raises(ConfigError, match=rf"metric_scales\['{metric}'\] must be > 0, got 0"):
        gym.make(env_id, metric_scales={metric: 0})
    with pytest.raises(UnknownName, match=r"^metric_scales: unknown metric 'speed'.* Known "
                                          r"metrics: "):
        gym.make(env_id, metric_scales={"speed": 1.0})


def test_a_tiny_target_on_a_real_env_gives_a_finite_reward():
    env = gym.make(DRAM, targets={"latency_ns": 5e-324})
    env.reset(seed=0)
    _, reward, *_ = env.step(env.action_space.sample())
    assert math.isfinite(reward) and reward < 0


@pytest.mark.parametrize("mode", ["%s", "video", ""])
def test_an_unknown_render_mode_is_refused_before_gymnasium_warns(mode):
    # gymnasium's warning formats the mode with ``%``: '%s' raised TypeError there
    with pytest.raises(ConfigError, match=r"render_mode must be one of \['ansi', 'rgb_array'\]"):
        archgym.make(DRAM, render_mode=mode)
