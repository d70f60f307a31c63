"""The report of a proxy-backed sweep names the backend and proxy model and re-simulates."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pandas as pd
import pytest

from archgym import datalog, proxy
from archgym.datalog import RecordEvaluations
from archgym.errors import DatasetError
from archgym.experiment import parse_spec, run_sweep
from archgym.experiment.report import write_report
from tests.experiment.conftest import RANDOM
from tests.experiment.standin import TOY_ID
from tests.toysim import ToySimulator


@pytest.fixture(scope="module")
def toy_proxy(tmp_path_factory):
    """A gbt proxy of the toy env trained on 150 random designs."""
    logs = tmp_path_factory.mktemp("toy_logs")
    env = RecordEvaluations(gym.make(TOY_ID), logs, run_info={"agent": "uniform"})
    rng = np.random.default_rng(0)
    env.reset(seed=0)
    for _ in range(150):
        env.step(rng.integers(0, env.unwrapped.design_space.nvec))
    env.close()
    model = proxy.fit(datalog.load(logs), TOY_ID, "gbt", seed=0, report_splits=(),
                      hyperparameters={"max_iter": 30})
    return model.save(tmp_path_factory.mktemp("models") / "toy.pkl")


def _spec(model_path) -> dict:
    return {
        "name": "backends",
        "imports": ["tests.experiment.standin"],
        "budget": 12,
        "seeds": 1,
        "envs": [
            {"id": TOY_ID, "label": "toy-sim"},
            {"id": TOY_ID, "label": "toy-proxy",
             "kwargs": {"backend": "proxy", "proxy_model": str(model_path)}},
        ],
        "agents": [{"name": RANDOM, "label": "random"}],
    }


@pytest.fixture(scope="module")
def sweep(toy_proxy, tmp_path_factory):
    root = tmp_path_factory.mktemp("sweep")
    status = run_sweep(parse_spec(_spec(toy_proxy)), root, workers=1)
    assert status.done == 2
    return root


def test_report_names_backends_and_re_simulates_the_best_designs(sweep, toy_proxy):
    text = write_report(sweep, n_bootstrap=50).read_text()
    assert "- backends (what answered each env's evaluations" in text
    assert "  - toy-sim: simulator" in text
    assert f"  - toy-proxy: proxy (gbt proxy model `{toy_proxy}`)" in text
    assert "budget: 12 evaluations per trial (answered by each env's backend, above)" in text
    assert "simulator evaluations per trial" not in text
    assert "## Verification: the best designs re-simulated" in text
    assert "### toy-proxy" in text and "### toy-sim" in text
    assert "Searched with backend proxy" in text and "Searched with backend simulator" in text
    table = pd.read_csv(sweep / "tables" / "verification.csv")
    assert sorted(table.groupby("env").size().to_dict().items()) == [("toy-proxy", 5),
                                                                     ("toy-sim", 5)]
    sim = table[table["env"] == "toy-sim"]
    assert (sim["rel_error.reward"] == 0).all()
    assert (sim["predicted.target_met"] == sim["simulated.target_met"]).all()
    px = table[(table["env"] == "toy-proxy") & ~table["simulated.invalid"]]
    toy = ToySimulator()
    for r in px.to_dict("records"):
        design = {p: r[f"design.{p}"] for p in "abcdef"}
        design = {k: (int(v) if isinstance(v, (int, float)) else v) for k, v in design.items()}
        assert r["simulated.cost"] == pytest.approx(toy.evaluate(design)["cost"], rel=1e-12)
    assert (table.loc[table["env"] == "toy-proxy", "rel_error.reward"] > 0).any()
    # the baseline of the proxy env is the proxy's prediction, and says so
    assert "(by the env's backend: a proxy's baseline is its prediction)" in text
    assert "| toy-proxy | default | proxy |" in text


def test_simulator_only_report_keeps_its_wording(tmp_path):
    from tests.experiment.conftest import toy_spec

    run_sweep(parse_spec(toy_spec(budget=8, seeds=1)), tmp_path, workers=1)
    text = write_report(tmp_path, n_bootstrap=50).read_text()
    assert "- backend: the simulator, for every env" in text
    assert "budget: 8 simulator evaluations per trial" in text
    assert "Searched with backend simulator; target verdict agrees on 5 of 5" in text


def test_verification_section_says_why_when_it_cannot_be_drawn(sweep, monkeypatch):
    import archgym.verify

    def broken(*args, **kwargs):
        raise DatasetError("the logs are unreadable")

    monkeypatch.setattr(archgym.verify, "verify", broken)
    text = write_report(sweep, n_bootstrap=50).read_text()
    assert "## Verification: the best designs re-simulated" in text
    assert "Not drawn: the logs are unreadable." in text


def test_unreadable_proxy_model_is_named_in_the_report(sweep, toy_proxy, tmp_path):
    import shutil

    root = tmp_path / "copy"
    shutil.copytree(sweep, root)
    spec = (root / "spec.yaml").read_text().replace(str(toy_proxy), str(tmp_path / "gone.pkl"))
    (root / "spec.yaml").write_text(spec)
    # the spec now names a model that does not exist: its trials are new ones (pending),
    # but the backend line says what is wrong with the model
    text = write_report(root, n_bootstrap=50).read_text()
    assert "toy-proxy: proxy (unknown (" in text and "no such proxy model file" in text


def test_verify_cli_on_a_sweep_folder_groups_by_env_label(sweep, capsys):
    import json

    from archgym.cli import main

    assert main(["verify", str(sweep), "--top", "2", "--json", "-q"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert sorted((r["env"], r["backend"], r["rank"]) for r in records) == [
        ("toy-proxy", "proxy", 1), ("toy-proxy", "proxy", 2),
        ("toy-sim", "simulator", 1), ("toy-sim", "simulator", 2)]
    assert all(r["rel_error.reward"] == 0 for r in records if r["env"] == "toy-sim")


def test_verification_of_an_env_with_several_workloads_replays_each(tmp_path):
    from archgym.verify import verify
    from tests.experiment.conftest import toy_spec

    data = toy_spec(budget=10, seeds=1)
    data["envs"] = [{"id": TOY_ID, "label": "toy",
                     "kwargs": {"workload": ["default", "shifted"]}}]
    data["agents"] = data["agents"][:1]
    run_sweep(parse_spec(data), tmp_path, workers=1)
    table = verify(tmp_path, top=2)
    assert set(table["workload"]) == {"default", "shifted"} and table["env"].nunique() == 1
    assert (table["rel_error.reward"] == 0).all() and (table["rel_error.cost"] == 0).all()
