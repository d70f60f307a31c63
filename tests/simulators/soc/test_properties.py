"""Monotonicity properties over random designs of random task graphs (Hypothesis)."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archgym.errors import InvalidDesign
from archgym.simulators.soc import SoCSimulator, compile_design, synthetic_task_graph
from tests.simulators.soc.helpers import LIB

SIM = SoCSimulator()


def _random_design(seed: int, n_tasks: int, iterations: int = 1):
    g = synthetic_task_graph(n_tasks, seed=seed, iterations=iterations)
    enc = SIM.encoding(g)
    rng = np.random.default_rng(seed)
    for _ in range(100):
        d = enc.decode(enc.space.from_index(rng.integers(0, enc.space.nvec)))
        try:
            SIM.simulate(d, g)
        except InvalidDesign:
            continue
        return g, d
    raise AssertionError("no valid design in 100 draws")  # pragma: no cover


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), n_tasks=st.integers(1, 10), iterations=st.integers(1, 3),
       which=st.integers(0, 5))
def test_more_bandwidth_never_increases_latency_on_one_pe(seed, n_tasks, iterations, which):
    # Single-PE designs (any memories, buses and data mapping): every job's transfers
    # start together, so a wider bus or memory can only end each of them sooner.
    g, d = _random_design(seed, n_tasks, iterations)
    d["task_pe"] = [0] * g.n_tasks
    if d["pes"][0]["type"] == "accelerator":
        d["pes"][0] = {"type": "A53_1GHz"}
    base = SIM.simulate(d, g).latency_s
    widened = copy.deepcopy(d)
    blocks = widened["buses"] + widened["memories"]
    block = blocks[which % len(blocks)]
    for width in LIB.widths:
        if width > block["width"]:
            block["width"] = width
            latency = SIM.simulate(widened, g).latency_s
            assert latency <= base * (1 + 1e-12)
            base = latency


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), n_tasks=st.integers(1, 10),
       kind=st.sampled_from(["pe", "memory", "bus"]))
def test_removing_a_block_never_increases_area(seed, n_tasks, kind):
    g, d = _random_design(seed, n_tasks)
    before = SIM.simulate(d, g)
    smaller = copy.deepcopy(d)
    if kind == "pe":
        if len(d["pes"]) == 1 or d["pes"][0]["type"] == "accelerator":
            return
        # drop the last PE; its tasks move to PE 0, a core on bus pe_bus[0]
        gone = len(d["pes"]) - 1
        index = gone
        smaller["pes"].pop()
        smaller["pe_bus"].pop()
        smaller["task_pe"] = [0 if p == gone else p for p in d["task_pe"]]
    elif kind == "memory":
        if len(d["memories"]) == 1:
            return
        gone = len(d["memories"]) - 1
        index = len(d["pes"]) + len(d["buses"]) + gone
        smaller["memories"].pop()
        smaller["mem_bus"].pop()
        smaller["task_mem"] = [0 if m == gone else m for m in d["task_mem"]]
    else:
        if len(d["buses"]) == 1:
            return
        gone = len(d["buses"]) - 1  # a leaf of the decoded bus tree
        parent = d["links"][-1][1]
        index = len(d["pes"]) + gone
        smaller["buses"].pop()
        smaller["links"].pop()
        smaller["pe_bus"] = [parent if b == gone else b for b in d["pe_bus"]]
        smaller["mem_bus"] = [parent if b == gone else b for b in d["mem_bus"]]
    block_area = compile_design(d, g, LIB).block_area_mm2[index]
    after = SIM.simulate(smaller, g)
    assert block_area > 0
    assert after.area_mm2 == pytest.approx(before.area_mm2 - block_area, rel=1e-12)
    assert after.area_mm2 < before.area_mm2
