"""The archgym command: envs, info, run (with logging), and error reporting."""

from __future__ import annotations

import pytest

from archgym import datalog
from archgym.cli import main, parse_kv
from archgym.errors import ConfigError
from tests.conftest import TOY_ID


def test_parse_kv():
    assert parse_kv(["a=1", "b=x", "c=[1, 2]", "d=0.5"]) == {
        "a": 1,
        "b": "x",
        "c": [1, 2],
        "d": 0.5,
    }
    with pytest.raises(ConfigError, match="KEY=VALUE"):
        parse_kv(["novalue"])


def test_info_prints_space_and_targets(capsys):
    assert main(["info", TOY_ID]) == 0
    out = capsys.readouterr().out
    assert "6 parameters, 6,720 designs" in out
    assert "cost [a.u.] (min)  target <= 1.5" in out


def test_run_logs_every_evaluation(tmp_path, capsys):
    assert (
        main(
            [
                "run",
                TOY_ID,
                "--agent",
                "random_walk",
                "--budget",
                "30",
                "--seed",
                "1",
                "--log",
                str(tmp_path),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "30 evaluations" in out and "best design:" in out
    df = datalog.load(tmp_path)
    assert len(df) == 30 and set(df["agent"]) == {"random_walk"} and set(df["seed"]) == {1}
    assert f"best reward: {df['reward'].max():.6g}" in out


def test_unknown_env_is_a_clear_error(capsys):
    assert main(["info", "archgym/DRAMControler-v0"]) == 2
    err = capsys.readouterr().err
    assert "unknown env id" in err and "Did you mean 'archgym/DRAMController-v0'" in err
