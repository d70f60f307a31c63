"""``archgym proxy train`` and ``archgym proxy eval``."""

from __future__ import annotations

import pandas as pd

from archgym.cli import main
from archgym.proxy.artifact import load_model
from tests.proxy.conftest import SMOOTH_ID, collect


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

    printed = capsys.readouterr().out
    assert "| random | 20% | reward |" in printed  # the reward-level row is printed
    assert (table["metric"] == "reward").sum() == 3
    assert table.loc[table["metric"] == "reward", "target_met_f1"].notna().all()

    # New logs on both workloads: 300 'base' designs, some of them training designs.
    collect(tmp_path / "new", "uniform", 300, seed=11)
    collect(tmp_path / "new", "uniform", 50, seed=12, workload="hot")
    new = load_model(out)
    fresh = pd.concat([pd.read_parquet(f) for f in (tmp_path / "new").glob("*.parquet")])
    assert main(["proxy", "eval", str(out), "--data", str(tmp_path / "new"),
                 "--report", str(tmp_path / "ev")]) == 0
    captured = capsys.readouterr()
    assert "gbt proxy of archgym-test/ProxySmooth-v0 scored on" in captured.out
    assert "left out 50 logged design(s) of workloads the model was not trained on" in (
        captured.err)
    assert "logged design(s) the model was trained on" in captured.err
    scored = pd.read_csv(tmp_path / "ev" / "fidelity.csv")
    base = fresh[fresh["workload"] == "base"]
    assert new.workloads == ("base",)
    n_unique = len(base.drop_duplicates([c for c in base.columns if c.startswith("design.")]))
    assert 0 < scored["n_test"].iloc[0] < n_unique
    assert (tmp_path / "ev" / "parity_given_latency.png").exists()
    assert "reward" in set(scored["metric"])


def test_eval_on_training_logs_only_is_refused_unless_asked(logs, gbt_path, capsys):
    args = ["proxy", "eval", str(gbt_path), "--data", str(logs)]
    assert main(args) == 2
    assert "nothing to score" in capsys.readouterr().err
    assert main([*args, "--include-train", "--report", str(gbt_path) + ".r"]) == 0
    captured = capsys.readouterr()
    assert "KEPT (--include-train)" in captured.err
    assert "training designs included" in captured.out


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


def test_train_draws_a_progress_bar_on_a_terminal_only(logs, tmp_path, capsys, monkeypatch):
    import tqdm

    made = []
    real = tqdm.tqdm

    def spy(*args, **kwargs):
        made.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(tqdm, "tqdm", spy)
    base = ["proxy", "train", "--data", str(logs), "--env", SMOOTH_ID, "--workload", "base",
            "--model", "gbt", "--hp", "max_iter=10", "--splits", ""]
    assert main([*base, "--out", str(tmp_path / "a.proxy")]) == 0
    assert main([*base, "--out", str(tmp_path / "b.proxy"), "--quiet"]) == 0
    assert [m["disable"] for m in made] == [None, True]  # None: tqdm turns off off a terminal
    assert "model/s" not in capsys.readouterr().err  # pytest's stderr is no terminal
