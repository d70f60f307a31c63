"""Evaluation log: schema, flushing, crash safety, reload, and bad-file errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest

from archgym import datalog
from archgym.datalog import RecordEvaluations
from archgym.errors import DatasetError
from tests.conftest import TOY_ID

ROOT = Path(__file__).resolve().parents[2]


def _run(path: Path, n: int, flush_every: int, close: bool = True, seed: int = 0):
    env = RecordEvaluations(
        gym.make(TOY_ID),
        path,
        run_info={"agent": "unit", "hyperparameters": {"k": 3}, "seed": seed, "run_id": "r1"},
        flush_every=flush_every,
    )
    env.action_space.seed(seed)
    env.reset(seed=seed)
    rewards = []
    for _ in range(n):
        _, reward, term, trunc, _ = env.step(env.action_space.sample())
        rewards.append(reward)
        if term or trunc:
            env.reset()
    if close:
        env.close()
    return env, rewards


def test_schema_and_values(tmp_path):
    _, rewards = _run(tmp_path, n=25, flush_every=10)
    df = datalog.load(tmp_path)
    assert len(df) == 25
    expected = {
        "env_id",
        "env_version",
        "workload",
        "reward",
        "target_met",
        "invalid",
        "error",
        "backend",
        "agent",
        "hyperparameters",
        "seed",
        "run_id",
        "step",
        "episode",
        "wall_time_s",
        "timestamp",
        "package_version",
        "schema_version",
        "design.a",
        "design.b",
        "design.c",
        "design.d",
        "design.e",
        "design.f",
        "metric.cost",
        "metric.area",
        "metric.speed",
    }
    assert set(df.columns) == expected
    assert df["env_id"].unique().tolist() == [TOY_ID]
    assert df["env_version"].unique().tolist() == [0]
    assert df["step"].tolist() == list(range(25))
    assert df["episode"].tolist() == list(range(25))  # 1-step episodes
    assert df["agent"].unique().tolist() == ["unit"]
    assert json.loads(df["hyperparameters"][0]) == {"k": 3}
    np.testing.assert_allclose(df["reward"], rewards)
    # invalid rows (f == 7) carry NaN metrics and the penalty reward
    bad = df[df["design.f"] == 7]
    assert bad["invalid"].all() and bad["metric.cost"].isna().all()
    assert (bad["reward"] == -1000.0).all()
    assert (df["wall_time_s"] >= 0).all()
    assert sorted(p.name for p in tmp_path.iterdir())[0].startswith("part-")
    assert len(list(tmp_path.glob("*.parquet"))) == 3  # 10 + 10 + 5 rows


def test_crash_loses_only_buffered_rows(tmp_path):
    env, _ = _run(tmp_path, n=37, flush_every=10, close=False)  # never closed: a crash
    df = datalog.load(tmp_path)
    assert len(df) == 30 and df["step"].tolist() == list(range(30))
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    env.close()


def test_kill_9_leaves_no_partial_file(tmp_path):
    script = f"""
import os, signal, sys
sys.path.insert(0, {str(ROOT)!r})
import tests.conftest
import gymnasium as gym
from archgym.datalog import RecordEvaluations
env = RecordEvaluations(gym.make({TOY_ID!r}), {str(tmp_path)!r}, flush_every=7)
env.reset(seed=0)
env.action_space.seed(0)
for i in range(50):
    env.step(env.action_space.sample())
    env.reset()
os.kill(os.getpid(), signal.SIGKILL)
"""
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120)
    assert proc.returncode == -9, proc.stderr.decode()
    df = datalog.load(tmp_path)
    assert len(df) == 49  # 7 full chunks; the last 1 buffered row died with the process
    assert df["step"].is_unique


def test_load_glob_and_several_loggers(tmp_path):
    _run(tmp_path / "a", n=5, flush_every=100, seed=1)
    _run(tmp_path / "b", n=6, flush_every=100, seed=2)
    df = datalog.load(str(tmp_path / "**" / "*.parquet"))
    assert len(df) == 11 and sorted(df["seed"].unique()) == [1, 2]
    assert datalog.design_columns(df) == ["a", "b", "c", "d", "e", "f"]
    assert datalog.metric_columns(df) == ["cost", "area", "speed"]


def test_bad_files_are_named(tmp_path):
    _run(tmp_path, n=3, flush_every=100)
    corrupt = tmp_path / "corrupt.parquet"
    corrupt.write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(DatasetError, match=r"corrupt\.parquet"):
        datalog.load(tmp_path)
    corrupt.unlink()
    import pandas as pd

    wrong = tmp_path / "wrong.parquet"
    pd.DataFrame({"x": [1, 2]}).to_parquet(wrong)
    # named explicitly, a Parquet file that is not a log is an error naming it
    with pytest.raises(DatasetError, match=r"wrong\.parquet: not an ArchGym evaluation log"):
        datalog.load(wrong)
    # in a folder or glob, other Parquet files (e.g. sweep summaries) are skipped
    assert len(datalog.load(tmp_path)) == 3
    assert len(datalog.load(str(tmp_path / "*.parquet"))) == 3
    other = tmp_path / "other"
    other.mkdir()
    wrong.rename(other / "wrong.parquet")
    with pytest.raises(DatasetError, match=r"1 Parquet file\(s\) but no ArchGym evaluation log"):
        datalog.load(other)
    with pytest.raises(DatasetError, match="no evaluation log"):
        datalog.load(tmp_path / "nothing-here" / "*.parquet")
