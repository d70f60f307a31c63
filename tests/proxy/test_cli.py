"""``archgym proxy train`` and ``archgym proxy eval``."""

from __future__ import annotations

import pandas as pd

from archgym.cli import main
from archgym.proxy.artifact import load_model
from tests.proxy.conftest import SMOOTH_ID


def test_train_then_eval(logs, tmp_path, capsys):
    out = tmp_path / "m.proxy"
    code = main(
        [
            "proxy",
            "train",
            "--data",
            f"{logs}/**/*.parquet",
            "--env",
            SMOOTH_ID,
            "--workload",
            "base",
            "--model",
            "gbt",
            "--out",
            str(out),
            "--hp",
            "max_iter=100",
            "--splits",
            "random,agent",
        ]
    )
    assert code == 0
    assert load_model(out).summary()["training_rows"] == 2000
    report = tmp_path / "m.proxy.report"
    table = pd.read_csv(report / "fidelity.csv")
    assert sorted(set(zip(table["split"], table["held_out"], strict=True))) == [
        ("agent", "low_x"),
        ("agent", "uniform"),
        ("random", "20%"),
    ]
    assert (table.loc[table["split"] == "random", "r2"] > 0.95).all()
    assert (report / "parity_random_power.png").stat().st_size > 1000
    assert "nRMSE = RMSE / (max - min" in (report / "fidelity.md").read_text()

    capsys.readouterr()
    assert (
        main(
            [
                "proxy",
                "eval",
                str(out),
                "--data",
                str(logs),
                "--workload",
                "base",
                "--report",
                str(tmp_path / "ev"),
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "gbt proxy of archgym-test/ProxySmooth-v0 scored on" in printed
    assert (tmp_path / "ev" / "parity_given_latency.png").exists()


def test_train_on_a_corrupted_file_fails_naming_it(tmp_path, capsys):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "part-bad.parquet").write_bytes(b"garbage")
    code = main(
        [
            "proxy",
            "train",
            "--data",
            str(tmp_path / "d"),
            "--env",
            SMOOTH_ID,
            "--out",
            str(tmp_path / "m.proxy"),
        ]
    )
    assert code == 2
    assert "part-bad.parquet: not a readable Parquet file" in capsys.readouterr().err
