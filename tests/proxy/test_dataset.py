"""Dataset building from logs: filtering, de-duplication, transforms, clear errors on bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from archgym import datalog, proxy
from archgym.errors import DatasetError
from archgym.proxy.dataset import LOG_RATIO, build_dataset, choose_transforms
from tests.proxy.conftest import SMOOTH_ID
from tests.proxy.smoothsim import smooth_space


def _rows(values, invalid=None, backend=None, agent=None):
    n = len(values)
    df = pd.DataFrame(
        {
            "env_id": SMOOTH_ID,
            "workload": "base",
            "design.x": [1] * n,
            "design.y": [2] * n,
            "design.size": [4] * n,
            "design.mode": ["a"] * n,
            "metric.latency": [v[0] for v in values],
            "metric.power": [v[1] for v in values],
            "invalid": invalid or [False] * n,
            "agent": agent or ["r"] * n,
        }
    )
    if backend is not None:
        df["backend"] = backend
    return df


def test_repeated_designs_are_averaged_and_invalid_or_proxy_rows_dropped():
    df = _rows(
        [(10, 1), (20, 3), (99, 99), (77, 77), (float("nan"), 1)],
        invalid=[False, False, True, False, False],
        backend=["simulator", "simulator", "simulator", "proxy", "simulator"],
    )
    data = build_dataset(df, smooth_space(), ["latency", "power"], env_id=SMOOTH_ID)
    assert len(data) == 1
    np.testing.assert_array_equal(data.y, [[15.0, 2.0]])
    assert data.count.tolist() == [2] and data.n_logged == 2
    np.testing.assert_array_equal(data.index, [[1, 2, 2, 0]])


def test_by_agent_keeps_agents_apart_until_merged():
    df = _rows([(10, 1), (20, 3), (30, 5)], agent=["a", "b", "b"])
    data = build_dataset(df, smooth_space(), ["latency", "power"], by_agent=True)
    assert sorted(data.agent.tolist()) == ["a", "b"]
    merged = data.merged()
    assert len(merged) == 1
    np.testing.assert_allclose(merged.y, [[20.0, 3.0]])  # weighted by evaluation count


def test_transforms_log_only_positive_metrics_spanning_the_ratio():
    df = _rows([(1.0, 1.0), (LOG_RATIO * 0.99, LOG_RATIO)])
    df.loc[1, "design.x"] = 2
    data = build_dataset(df, smooth_space(), ["latency", "power"])
    assert choose_transforms(data) == {"latency": "identity", "power": "log"}
    assert choose_transforms(data, ["latency"]) == {"latency": "log", "power": "identity"}
    assert choose_transforms(data, None) == {"latency": "identity", "power": "identity"}


def test_a_design_value_outside_the_space_names_column_and_value():
    df = _rows([(10, 1)])
    df["design.size"] = 3
    with pytest.raises(DatasetError, match=r"logs/x: column design.size holds 3, which"):
        build_dataset(df, smooth_space(), ["latency", "power"], source="logs/x")


def test_a_log_of_another_env_names_the_missing_columns(logs):
    df = datalog.load(logs).drop(columns=["design.mode"])
    with pytest.raises(DatasetError, match=r"missing design column\(s\) design.mode"):
        proxy.fit(df, SMOOTH_ID, "rf", report_splits=(), source=str(logs))


def test_corrupted_parquet_names_the_file(logs, tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    for f in sorted(logs.glob("*.parquet"))[:1]:
        (folder / f.name).write_bytes(f.read_bytes())
    bad = folder / "zz-truncated.parquet"
    bad.write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(DatasetError, match=r"zz-truncated\.parquet: not a readable Parquet file"):
        datalog.load(folder)


def test_wrong_schema_parquet_names_the_file(tmp_path):
    path = tmp_path / "other.parquet"
    pd.DataFrame({"a": [1, 2], "b": [3.0, 4.0]}).to_parquet(path)
    with pytest.raises(DatasetError, match=r"other\.parquet: not an ArchGym evaluation log"):
        datalog.load(path)
