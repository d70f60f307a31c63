"""Each validity rule raises InvalidDesign naming the rule."""

from __future__ import annotations

import copy

import pytest

from archgym.errors import InvalidDesign
from archgym.simulators.soc import RULES, SoCSimulator
from tests.simulators.soc.helpers import graph

SIM = SoCSimulator()
G = graph({"source": 0, "a": 1e6, "b": 2e6, "sink": 0},
          [("source", "a", 100), ("a", "b", 100), ("b", "sink", 100)])
BASE = {
    "pes": [{"type": "A53_1GHz"}, {"type": "accelerator", "task": "b", "lanes": 4}],
    "memories": [{"type": "sram", "width": 8}, {"type": "dram", "width": 8}],
    "buses": [{"width": 8}, {"width": 8}], "links": [[0, 1]],
    "pe_bus": [0, 1], "mem_bus": [0, 1],
    "task_pe": {"source": 0, "a": 0, "b": 1, "sink": 0},
    "task_mem": {"source": 0, "a": 0, "b": 1, "sink": 0},
}


def _with(**changes):
    d = copy.deepcopy(BASE)
    d.update(changes)
    return d


def test_base_design_is_valid():
    r = SIM.simulate(BASE, G)
    assert r.latency_s > 0


CASES = [
    ("allocation-gap", _with(pes=[{"type": "A53_1GHz"}, None, {"type": "A53_1GHz"}],
                             pe_bus=[0, 0, 0])),
    ("allocation-gap", _with(memories=[])),
    ("allocation-gap", _with(buses=[None])),
    ("unknown-block", _with(pes=[{"type": "A72"}, BASE["pes"][1]])),
    ("unknown-block", _with(buses=[{"width": 3}, {"width": 8}])),
    ("unknown-block", _with(pes=[BASE["pes"][0], {"type": "accelerator", "task": "sink"}])),
    ("unconnected-block", _with(pe_bus=[0, None])),
    ("unconnected-block", _with(mem_bus=[0, 7])),
    ("unconnected-block", _with(links=[])),
    ("unmapped-task", _with(task_pe={"source": 0, "a": 0, "b": 1})),
    ("unmapped-task", _with(task_mem={"source": 0, "a": 5, "b": 1, "sink": 0})),
    ("accelerator-task-mismatch", _with(task_pe={"source": 0, "a": 1, "b": 1, "sink": 0})),
    ("memory-unreachable", _with(buses=[{"width": 8}] * 4, links=[[0, 2], [1, 3]],
                                 pe_bus=[0, 1], mem_bus=[0, 1],
                                 task_mem={"source": 0, "a": 0, "b": 0, "sink": 0})),
]


@pytest.mark.parametrize(("rule", "design"), CASES)
def test_rule_is_named(rule, design):
    with pytest.raises(InvalidDesign, match=f"rule '{rule}'") as info:
        SIM.simulate(design, G)
    assert info.value.parameter == rule


def test_every_rule_is_exercised():
    assert {rule for rule, _ in CASES} == set(RULES)


def test_zero_work_task_may_sit_on_any_accelerator():
    d = _with(task_pe={"source": 1, "a": 0, "b": 1, "sink": 1})
    assert SIM.simulate(d, G).latency_s > 0
