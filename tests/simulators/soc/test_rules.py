"""Each validity rule raises InvalidDesign naming the rule and the offending value."""

from __future__ import annotations

import copy

import pytest

from archgym.errors import InvalidDesign
from archgym.simulators.soc import RULES, SoCSimulator
from tests.simulators.soc.helpers import graph

SIM = SoCSimulator()
G = graph({"source": 0, "a": 1e6, "b": 2e6, "sink": 0},
          [("source", "a", 100), ("a", "b", 100), ("b", "sink", 100)],
          loop_iterations={"b": 8})
BASE = {
    "pes": [{"type": "A53"},
            {"type": "accelerator", "task": "b", "unroll": 4, "clock_mhz": 400}],
    "memories": [{"type": "sram", "width": 8, "clock_mhz": 100},
                 {"type": "dram", "width": 8}],
    "buses": [{"width": 8, "clock_mhz": 600}, {"width": 8}], "links": [[0, 1]],
    "pe_bus": [0, 1], "mem_bus": [0, 1],
    "task_pe": {"source": 0, "a": 0, "b": 1, "sink": 0},
    "task_mem": {"source": 0, "a": 0, "b": 1, "sink": 0},
}


def _with(**changes):
    d = copy.deepcopy(BASE)
    d.update(changes)
    return d


def test_base_design_is_valid():
    assert SIM.simulate(BASE, G).latency_s > 0


CASES = [
    ("malformed", _with(pes=[{"type": "A53", "lanes": 4}, BASE["pes"][1]]), "lanes"),
    ("malformed", _with(extra=1), "extra"),
    ("malformed", {k: v for k, v in BASE.items() if k != "task_mem"}, "task_mem"),
    ("malformed", _with(pes=["A53", BASE["pes"][1]]), "A53"),
    ("malformed", _with(links="0-1"), "0-1"),
    ("allocation-gap", _with(pes=[{"type": "A53"}, None, {"type": "A53"}], pe_bus=[0, 0, 0]), 1),
    ("allocation-gap", _with(memories=[]), "memories"),
    ("allocation-gap", _with(buses=[None]), 0),
    ("unknown-block", _with(pes=[{"type": "A72"}, BASE["pes"][1]]), "A72"),
    ("unknown-block", _with(buses=[{"width": 3}, {"width": 8}]), 3),
    ("unknown-block", _with(buses=[{"width": True}, {"width": 8}]), True),
    ("unknown-block", _with(buses=[{"width": 8, "clock_mhz": 500}, {"width": 8}]), 500),
    ("unknown-block", _with(pes=[BASE["pes"][0], {"type": "accelerator", "task": "sink"}]),
     "sink"),
    ("unknown-block", _with(pes=[BASE["pes"][0], {"type": "accelerator", "task": "b",
                                                  "unroll": 3}]), 3),
    ("unknown-block", _with(memories=[{"type": "sram", "width": 8.0}, BASE["memories"][1]]), 8.0),
    ("unconnected-block", _with(pe_bus=[0, None]), None),
    ("unconnected-block", _with(mem_bus=[0, 7]), 7),
    ("unconnected-block", _with(links=[]), 0),
    ("unmapped-task", _with(task_pe={"source": 0, "a": 0, "b": 1}), None),
    ("unmapped-task", _with(task_mem={"source": 0, "a": 5, "b": 1, "sink": 0}), 5),
    ("unmapped-task", _with(task_pe={"source": 0, "a": 0, "bb": 1, "sink": 0}), "bb"),
    ("accelerator-task-mismatch", _with(task_pe={"source": 0, "a": 1, "b": 1, "sink": 0}), "a"),
    ("memory-unreachable", _with(buses=[{"width": 8}] * 4, links=[[0, 2], [1, 3]],
                                 pe_bus=[0, 1], mem_bus=[0, 1],
                                 task_mem={"source": 0, "a": 0, "b": 0, "sink": 0}), "b"),
]


@pytest.mark.parametrize(("rule", "design", "value"), CASES)
def test_rule_is_named(rule, design, value):
    with pytest.raises(InvalidDesign, match=f"rule '{rule}'") as info:
        SIM.simulate(design, G)
    assert info.value.parameter == rule
    assert info.value.value == value


def test_every_rule_is_exercised():
    assert {rule for rule, _, _ in CASES} == set(RULES)


def test_unknown_key_suggests_the_closest():
    with pytest.raises(InvalidDesign, match=r"unknown key 'unrol'. Did you mean 'unroll'"):
        SIM.simulate(_with(pes=[BASE["pes"][0], {"type": "accelerator", "task": "b",
                                                 "unrol": 4}]), G)
    with pytest.raises(InvalidDesign, match=r"Did you mean 'task_pe'"):
        SIM.simulate({**{k: v for k, v in BASE.items() if k != "task_pe"},
                      "task_pes": BASE["task_pe"]}, G)


def test_pseudo_task_may_sit_on_any_accelerator():
    d = _with(task_pe={"source": 1, "a": 0, "b": 1, "sink": 1})
    assert SIM.simulate(d, G).latency_s > 0
