"""Bad specs are rejected before anything runs, each error with the YAML path of the bad entry."""

from __future__ import annotations

import pytest

from archgym.errors import ConfigError
from archgym.experiment import check_spec, load_spec, parse_spec, run_sweep
from tests.experiment.conftest import LOCAL, RANDOM, toy_spec


def _errors(data: dict, *, check: bool = True) -> str:
    with pytest.raises(ConfigError) as exc:
        spec = parse_spec(data, source="bad.yaml")
        if check:
            check_spec(spec)
    return str(exc.value)


def test_unknown_env_id_names_its_path_and_suggests():
    data = toy_spec()
    data["envs"] = [{"id": "archgym-test/Toy-v0"}, {"id": "archgym/DRAMControler-v0"}]
    msg = _errors(data)
    assert "envs[1].id: unknown env id 'archgym/DRAMControler-v0'" in msg
    assert "Did you mean 'archgym/DRAMController-v0'" in msg


def test_unknown_agent_names_its_path_and_suggests():
    data = toy_spec()
    data["agents"].append({"name": "gaa"})
    msg = _errors(data)
    assert "agents[2].name: unknown agent 'gaa'. Did you mean 'ga'?" in msg


def test_unknown_hyperparameter_names_its_path():
    data = toy_spec()
    data["agents"][1] = {"name": LOCAL, "grid": {"stepp": [1, 2]}}
    msg = _errors(data)
    assert f"agents[1].grid.stepp: unknown {LOCAL} hyperparameter 'stepp'" in msg
    assert "Did you mean 'step' or 'sleep'?" in msg


def test_out_of_range_value_names_the_list_element():
    data = toy_spec()
    data["agents"][0]["grid"]["reuse"] = [0.0, 0.5, 1.5]
    msg = _errors(data)
    assert (
        f"agents[0].grid.reuse[2]: agent '{RANDOM}': hyperparameter 'reuse' must be "
        "float in [0.0, 1.0], got 1.5"
    ) in msg


def test_out_of_range_value_in_settings_list():
    data = toy_spec()
    data["agents"][1]["settings"][1]["step"] = 9
    msg = _errors(data)
    assert (
        f"agents[1].settings[1].step: agent '{LOCAL}': hyperparameter 'step' must be "
        "int in [1, 6], got 9" in msg
    )


def test_bad_workload_is_caught_by_making_the_env():
    data = toy_spec()
    data["envs"] = [{"id": "archgym-test/Toy-v0", "workloads": ["default", "nope"]}]
    msg = _errors(data)
    assert "envs[0].workloads[1]: cannot make archgym-test/Toy-v0" in msg
    assert "'nope'" in msg
    assert "envs[0].workloads[0]" not in msg


def test_unimportable_module_is_reported():
    msg = _errors(toy_spec(imports=["tests.experiment.standin", "no_such_module_xyz"]))
    assert "imports[1]: cannot import module 'no_such_module_xyz'" in msg


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"budget": 0},
         "budget: must be an integer in [1, 1,000,000,000] (simulator evaluations), got 0"),
        ({"budget": "many"}, "budget: must be an integer in [1, 1,000,000,000]"),
        ({"seeds": [0, -1]}, "seeds[1]: a seed must be an integer in [0, 2**63), got -1"),
        ({"seeds": [1, 1]}, "seeds: seeds must be distinct, got [1] more than once"),
        ({"seeds": 0}, "seeds: a number of seeds must be in [1, 100,000], got 0"),
        ({"seed": 3}, "seed: unknown key 'seed'. Did you mean 'seeds'?"),
        ({"envs": []}, "envs: must be a non-empty list, got []"),
        ({"envs": [{"kwargs": {}}]}, "envs[0].id: missing or not a string: None"),
        ({"envs": [{"id": "x", "kwarg": {}}]}, "envs[0].kwarg: unknown key 'kwarg'"),
        ({"envs": [{"id": "x", "kwargs": [1]}]}, "envs[0].kwargs: must be a mapping"),
        (
            {"agents": [{"name": "ga", "grid": {}, "settings": [{}]}]},
            "agents[0]: give either 'grid' or 'settings', not both",
        ),
        (
            {"agents": [{"name": "ga", "grid": {"population": []}}]},
            "agents[0].grid.population: an empty list gives no settings",
        ),
        (
            {"agents": [{"name": "ga", "settings": [{"population": 8}, 5]}]},
            "agents[0].settings[1]: must be a mapping of hyperparameter -> value, got 5",
        ),
        ({"agents": ["ga", "ga"]}, "agents[1]: agent label 'ga' is already used by agents[0]"),
        ({"agents": [{"label": "x"}]}, "agents[0].name: missing or not a string: None"),
    ],
)
def test_structural_errors_name_their_path(change, expected):
    data = toy_spec()
    data.update(change)
    assert expected in _errors(data, check=False)


def test_missing_budget_and_every_error_reported_at_once():
    data = toy_spec()
    del data["budget"]
    data["seeds"] = "three"
    data["agents"] = "ga"
    msg = _errors(data, check=False)
    assert msg.startswith("invalid sweep spec bad.yaml (3 errors):")
    assert "budget: missing" in msg and "seeds: must be a count" in msg
    assert "agents: must be a non-empty list" in msg


def test_duplicate_setting_is_rejected_with_its_path():
    data = toy_spec()
    data["agents"][0] = {"name": RANDOM, "settings": [{"reuse": 0.5}, {"reuse": 0.5}]}
    with pytest.raises(ConfigError, match=r"agents\[0\]\.settings\[1\]\.reuse: setting"):
        from archgym.experiment import expand

        expand(parse_spec(data))


def test_nothing_runs_and_nothing_is_written_for_a_bad_spec(tmp_path, write_spec):
    data = toy_spec()
    data["agents"][0]["grid"]["reuse"] = [2.0]
    spec = load_spec(write_spec(data))
    with pytest.raises(ConfigError, match=r"agents\[0\]\.grid\.reuse\[0\]"):
        run_sweep(spec, tmp_path / "out", workers=1)
    assert not (tmp_path / "out").exists()


def test_yaml_syntax_error_and_missing_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("budget: [1, 2\n")
    with pytest.raises(ConfigError, match="is not valid YAML"):
        load_spec(bad)
    with pytest.raises(ConfigError, match="cannot read sweep spec"):
        load_spec(tmp_path / "missing.yaml")


def test_shipped_specs_parse_and_validate():
    from pathlib import Path

    from archgym.experiment import expand

    root = Path(__file__).resolve().parents[2] / "experiments"
    sizes = {}
    for name in ("demo", "agent_comparison_dram", "hyperparameter_lottery"):
        spec = load_spec(root / f"{name}.yaml")
        check_spec(spec, make_envs=False)
        sizes[name] = len(expand(spec))
    # demo: 8 agents x 3 seeds; DRAM: 11 agents x 4 workloads x 5 seeds;
    # lottery: (12 GA + 36 ACO + 3 BO + 12 PPO settings) x 3 seeds x 3 envs
    assert sizes == {"demo": 24, "agent_comparison_dram": 220, "hyperparameter_lottery": 567}
