"""Simulator conformance: every registered env's simulator honours the `Simulator` protocol.

Parametrised over every env id ``import archgym`` registers, so a new target is
checked as soon as it is registered. It must also ship an example workload
file (``examples/``) and list it in :data:`EXAMPLE_WORKLOADS`.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import archgym
from archgym.env import unwrap
from archgym.errors import InvalidDesign, UnknownName
from archgym.simulator import Simulator

ROOT = Path(__file__).resolve().parents[2]
ENV_IDS = archgym.list_envs()

#: Env id -> (a workload file of the target's format, env kwargs it needs).
EXAMPLE_WORKLOADS: dict[str, tuple[str, dict]] = {
    "archgym/DRAMController-v0": ("examples/dram/mixed.stl", {}),
    "archgym/DNNAccelerator-v0": ("examples/accelerator/tinynet.csv", {}),
    "archgym/SoC-v1": ("examples/soc/camera_pipeline.yaml", {"targets": {"latency_s": 0.05}}),
    "archgym/LLMServing-v0": ("examples/llm_serving/chat.csv", {}),
}


def _simulator(env_id: str, **kwargs) -> tuple[Simulator, object, object]:
    env = archgym.make(env_id, **kwargs)
    base = unwrap(env)
    return base.simulator, base.workload, base.design_space


def _designs(space, n: int, seed: int = 0) -> list[dict]:
    rng = np.random.default_rng(seed)
    return [space.default(), *(space.sample(rng) for _ in range(n - 1))]


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


@pytest.fixture(params=ENV_IDS)
def env_id(request) -> str:
    return request.param


def test_metrics_have_units_and_directions(env_id):
    sim, _, _ = _simulator(env_id)
    names = [m.name for m in sim.metrics]
    assert names and len(set(names)) == len(names)
    for m in sim.metrics:
        assert isinstance(m.unit, str) and m.unit, f"{m.name} has no unit"
        assert m.goal in ("min", "max")
        assert m.description, f"{m.name} has no description"


def test_evaluate_is_deterministic_and_batch_equals_a_loop(env_id):
    sim, workload, space = _simulator(env_id)
    designs = _designs(space, 6)
    looped = []
    for d in designs:
        try:
            looped.append(sim.evaluate(d, workload))
        except InvalidDesign:
            looped.append(None)
    again = []
    for d in designs:
        try:
            again.append(sim.evaluate(d, workload))
        except InvalidDesign:
            again.append(None)
    assert looped == again
    batch = sim.evaluate_batch(designs, workload)
    for m in sim.metric_names:
        assert len(batch[m]) == len(designs)
        for i, row in enumerate(looped):
            expected = math.nan if row is None else row[m]
            assert _same(float(batch[m][i]), float(expected)), (m, i)


def test_invalid_design_raises_naming_the_parameter(env_id):
    sim, workload, space = _simulator(env_id)
    design = space.default()
    name = space.names[0]
    with pytest.raises(InvalidDesign) as missing:
        sim.evaluate({k: v for k, v in design.items() if k != name}, workload)
    assert name in str(missing.value)
    with pytest.raises(InvalidDesign, match="unknown parameter 'no_such_knob'"):
        sim.evaluate({**design, "no_such_knob": 1}, workload)


def test_workloads_resolve_by_name_and_by_path(env_id):
    sim, _, _ = _simulator(env_id)
    assert sim.workloads, "a simulator ships at least one workload"
    for name in sim.workloads:
        assert sim.resolve_workload(name) is not None
        assert sim.workload_label(name) == name
    with pytest.raises(UnknownName):
        sim.resolve_workload("no-such-workload")
    assert env_id in EXAMPLE_WORKLOADS, f"add an example workload file for {env_id}"
    path, kwargs = EXAMPLE_WORKLOADS[env_id]
    file = ROOT / path
    assert file.is_file()
    sim, workload, space = _simulator(env_id, workload=str(file), **kwargs)
    assert sim.workload_label(workload) == str(file)
    metrics = sim.evaluate(space.default(), workload)
    assert all(math.isfinite(metrics[m]) for m in sim.metric_names)
