"""Loading task graphs: shipped workloads, user files, errors, the synthetic generator."""

from __future__ import annotations

import json

import pytest

from archgym.errors import ConfigError
from archgym.simulators.soc import WORKLOADS, load_task_graph, synthetic_task_graph


def test_shipped_workloads_hold_farsi_figures():
    # farsi_inputs.csv: work = A53 cycles x dhrystone IPC 2; IP0 cycles, energy, area;
    # Task Itr Count; Task Data Movement
    audio = load_task_graph("audio_decoder")
    assert audio.n_tasks == 18 and len(audio.compute_tasks) == 15 and len(audio.edges) == 23
    t = audio.index("psychoFilter")
    assert audio.instructions[t] == 2 * 1322969 and audio.accel_cycles[t] == 38005
    assert audio.accel_energy_nj[t] == 142.002 and audio.accel_area_um2[t] == 78814
    assert audio.loop_iterations[audio.index("FIR_left")] == 16400
    assert sum(audio.instructions) == 2 * 6304373
    edge = load_task_graph("edge_detection")
    assert edge.instructions[edge.index("gaussianSmoothing")] == 2 * 1617100800
    assert edge.accel_cycles[edge.index("rejectZeroCrossings")] == 177602560
    assert (0, edge.index("gaussianSmoothing"), 13107396.0) in edge.edges
    cava = load_task_graph("hpvm_cava")
    assert cava.n_tasks == 9 and cava.instructions[cava.index("gamut_map")] == 162608100840
    assert sum(b for _, _, b in cava.edges) == 2 * 91053 + 6 * 364212


@pytest.mark.parametrize("name", WORKLOADS)
def test_tasks_are_in_topological_order(name):
    g = load_task_graph(name)
    assert all(s < d for s, d, _ in g.edges)
    assert g.tasks[0] == "source" and g.tasks[-1] == "sink"


def _doc():
    return {"name": "mine", "tasks": [{"name": "a", "instructions": 10},
                                      {"name": "b", "instructions": 20, "accel_cycles": 3,
                                       "accel_energy_nj": 1.5, "loop_iterations": 8}],
            "edges": [{"src": "a", "dst": "b", "bytes": 64}]}


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_user_file_round_trip(tmp_path, suffix):
    path = tmp_path / f"g{suffix}"
    path.write_text(json.dumps(_doc()))  # JSON is valid YAML
    g = load_task_graph(path)
    assert g.tasks == ("a", "b") and g.edges == ((0, 1, 64.0),) and g.accel_cycles == (None, 3.0)
    assert g.accel_energy_nj == (None, 1.5) and g.loop_iterations == (1, 8)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["edges"].append({"src": "b", "dst": "a", "bytes": 1}),
         "cycle through tasks a, b"),
        (lambda d: d["edges"].append({"src": "a", "dst": "zz", "bytes": 1}), "unknown task 'zz'"),
        (lambda d: d["tasks"][0].pop("instructions"), "missing field 'instructions'"),
        (lambda d: d["edges"][0].pop("bytes"), "missing field 'bytes'"),
        (lambda d: d.pop("tasks"), "missing field 'tasks'"),
        (lambda d: d["tasks"][1].update(instructions=-1), "must be >= 0, got -1"),
        (lambda d: d["tasks"][1].update(instructions=float("nan")), "finite number, got nan"),
        (lambda d: d["tasks"][1].update(instructions=1e30), "must be <= 1e\\+18"),
        (lambda d: d["tasks"][1].update(loop_iterations=0), "integer >= 1, got 0"),
        (lambda d: d["tasks"].append({"name": "a", "instructions": 1}), "duplicate task 'a'"),
        (lambda d: d["edges"].append({"src": "a", "dst": "a", "bytes": 1}), "self-edge"),
        (lambda d: d.update(iteration=5), "unknown field 'iteration'. Did you mean 'iterations'"),
        (lambda d: d["tasks"][1].update(accel_cycle=5),
         "task 'b': unknown field 'accel_cycle'. Did you mean 'accel_cycles'"),
        (lambda d: d["edges"][0].update(byte=5), "unknown field 'byte'. Did you mean 'bytes'"),
        (lambda d: d.update(iterations=True), "'iterations' must be an integer >= 1"),
    ],
)
def test_bad_file_raises_config_error_naming_file_and_item(tmp_path, change, message):
    doc = _doc()
    change(doc)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(ConfigError, match=message) as info:
        load_task_graph(path)
    assert "bad.json" in str(info.value)


def test_missing_file_and_unparseable_file(tmp_path):
    with pytest.raises(ConfigError, match="neither a shipped workload"):
        load_task_graph(tmp_path / "nope.yaml")
    bad = tmp_path / "x.yaml"
    bad.write_text("tasks: [unclosed")
    with pytest.raises(ConfigError, match="cannot be parsed"):
        load_task_graph(bad)


def test_synthetic_is_seeded_and_acyclic():
    a = synthetic_task_graph(12, seed=3)
    assert a == synthetic_task_graph(12, seed=3)
    assert a != synthetic_task_graph(12, seed=4)
    assert a.n_tasks == 14 and all(s < d for s, d, _ in a.edges)
    consumers = {s for s, _, _ in a.edges}
    producers = {d for _, d, _ in a.edges}
    # every compute task has a producer and a consumer
    assert all(t in consumers and t in producers for t in a.compute_tasks)
    assert all(1e5 <= w <= 1e7 for w in (a.instructions[t] for t in a.compute_tasks))
    with pytest.raises(ConfigError, match="n_tasks"):
        synthetic_task_graph(0, seed=0)
