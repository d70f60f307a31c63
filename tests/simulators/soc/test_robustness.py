"""Bad input never crashes, hangs or silently yields nonsense (issue 13, the SoC items)."""

from __future__ import annotations

import json
import math
import time

import gymnasium as gym
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import archgym  # noqa: F401  (registers the envs)
from archgym.errors import ArchGymError, ConfigError, InvalidDesign
from archgym.simulators.soc import SoCSimulator, load_task_graph
from archgym.simulators.soc.taskgraph import MAX_JOBS, task_graph_from_dict

SIM = SoCSimulator("hpvm_cava")


def _graph_doc(iterations: int = 1, work: float = 1000) -> dict:
    return {"name": "g", "iterations": iterations,
            "tasks": [{"name": "source", "instructions": 0},
                      {"name": "a", "instructions": work}, {"name": "b", "instructions": work},
                      {"name": "sink", "instructions": 0}],
            "edges": [{"src": "source", "dst": "a", "bytes": 64},
                      {"src": "a", "dst": "b", "bytes": 64},
                      {"src": "b", "dst": "sink", "bytes": 64}]}


def test_huge_iteration_count_is_refused_at_once_naming_the_bound(tmp_path):
    path = tmp_path / "g.json"
    path.write_text(json.dumps(_graph_doc(iterations=10_000_000)))
    start = time.perf_counter()
    with pytest.raises(ConfigError, match=rf"10000000 iterations x 4 tasks = 40000000 jobs "
                                          f"exceeds the bound of {MAX_JOBS} jobs"):
        gym.make("archgym/SoC-v1", workload=str(path), targets={"latency_s": 1.0})
    assert time.perf_counter() - start < 5


def test_largest_allowed_graph_evaluates_in_seconds():
    g = task_graph_from_dict(_graph_doc(iterations=MAX_JOBS // 4))
    sim = SoCSimulator(g)
    start = time.perf_counter()
    r = sim.evaluate(sim.design_space.default(), g)
    assert time.perf_counter() - start < 20
    assert r["latency_s"] > 0 and math.isfinite(r["energy_j"])


def test_tasks_without_instructions_step_cleanly():
    doc = _graph_doc(work=0)
    env = gym.make("archgym/SoC-v1", workload=task_graph_from_dict(doc),
                   targets={"latency_s": 1.0})
    env.reset(seed=0)
    env.action_space.seed(0)
    for _ in range(20):
        _, reward, _, _, info = env.step(env.action_space.sample())
        assert not info["invalid"] and math.isfinite(reward)
        assert info["metrics"]["latency_s"] == 0.0 and info["metrics"]["energy_j"] == 0.0


def test_typo_key_in_a_task_graph_is_refused_with_a_suggestion(tmp_path):
    doc = _graph_doc()
    doc["iteration"] = 5
    path = tmp_path / "typo.yaml"
    path.write_text(json.dumps(doc))
    with pytest.raises(ConfigError, match=r"typo.yaml.*unknown field 'iteration'. Did you mean "
                                          "'iterations'"):
        load_task_graph(path)


def test_non_utf8_task_graph_is_a_config_error(tmp_path):
    path = tmp_path / "latin.yaml"
    path.write_bytes("name: caf\xe9\ntasks: [{name: a, instructions: 1}]\n".encode("latin-1"))
    with pytest.raises(ConfigError, match=r"latin.yaml.*not UTF-8"):
        load_task_graph(path)


@pytest.mark.parametrize(("change", "parameter"), [
    ({"n_pes": 9}, "n_pes"),                # outside the encoding (v0 wrapped it)
    ({"mem0_width": 3}, "mem0_width"),
    ({"task3_mem": -1}, "task3_mem"),
    ({"n_mems": True}, "n_mems"),
    ({"n_buses": "2"}, "n_buses"),
    ({"pe0_kind": "dsp"}, "pe0_kind"),
    ({"pe0_kindd": "gpp"}, "pe0_kindd"),    # unknown parameter
])
def test_flat_design_dicts_are_checked(change, parameter):
    design = SIM.design_space.default()
    design.update(change)
    with pytest.raises(InvalidDesign, match=parameter) as info:
        SIM.evaluate(design)
    assert info.value.parameter == parameter


def test_missing_flat_parameter_is_named():
    design = SIM.design_space.default()
    del design["task2_pe"]
    with pytest.raises(InvalidDesign, match=r"missing parameter.*task2_pe"):
        SIM.evaluate(design)


_leaf = st.one_of(st.none(), st.booleans(), st.integers(-3, 10**6), st.floats(allow_nan=True),
                  st.text(max_size=5))
_values = st.recursive(_leaf, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                     st.dictionaries(st.text(max_size=8), inner,
                                                                     max_size=4)), max_leaves=12)


@settings(max_examples=200, deadline=None)
@given(key=st.sampled_from(["pes", "memories", "buses", "links", "pe_bus", "mem_bus", "task_pe",
                            "task_mem", "extra"]), value=_values)
def test_any_structured_design_works_or_raises_invalid_design(key, value):
    g = SIM.space_graph
    design = SIM.structured(SIM.design_space.default(), g)
    design[key] = value
    try:
        r = SIM.simulate(design, g)
    except InvalidDesign:
        return
    assert math.isfinite(r.latency_s) and r.latency_s > 0


@settings(max_examples=200, deadline=None)
@given(top=st.dictionaries(st.sampled_from(["name", "iterations", "tasks", "edges", "typo"]),
                           _values, max_size=5))
def test_any_task_graph_mapping_works_or_raises_config_error(top):
    try:
        g = task_graph_from_dict(top)
    except ArchGymError as exc:
        assert isinstance(exc, ConfigError)
        return
    sim = SoCSimulator(g)
    rng = np.random.default_rng(0)
    try:
        r = sim.evaluate(sim.design_space.from_index(rng.integers(0, sim.design_space.nvec)), g)
    except InvalidDesign:
        return
    assert math.isfinite(r["latency_s"])
