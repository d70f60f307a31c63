"""Training: accuracy on a known smooth function, seeding, artifact round trip, space checks."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

from archgym import datalog
from archgym.errors import ConfigError, DatasetError
from archgym.proxy.artifact import load_model
from archgym.proxy.backend import ProxySimulator
from archgym.proxy.dataset import build_dataset
from archgym.proxy.fidelity import scores
from archgym.proxy.splits import random_split
from archgym.proxy.training import env_description, fit_dataset
from tests.proxy.conftest import SMOOTH_ID
from tests.proxy.smoothsim import smooth_space

WIDE_ID = "archgym-test/ProxySmoothWide-v0"
if WIDE_ID not in gym.registry:
    gym.register(id=WIDE_ID, entry_point="tests.proxy.smoothsim:SmoothEnv", kwargs={"x_high": 20})

FAST = {
    "rf": {"n_estimators": 50},
    "gbt": {"max_iter": 200},
    "mlp": {"epochs": 60},
    "ensemble": {"n_members": 3, "member_hyperparameters": {"max_iter": 100}},
}


@pytest.fixture(scope="module")
def split(df):
    space, metrics, _ = env_description(datalog.describe_data(df, SMOOTH_ID))
    data = build_dataset(df, space, ["latency", "power"], workload="base")
    return random_split(data, 0.2, seed=0), space, metrics


@pytest.mark.parametrize("kind", ["rf", "gbt", "mlp", "ensemble"])
def test_every_model_kind_reaches_r2_above_095_on_held_out_designs(split, kind):
    sp, space, metrics = split
    model = fit_dataset(
        sp.train,
        env_id=SMOOTH_ID,
        env_version=0,
        space=space,
        metrics=metrics,
        model=kind,
        seed=0,
        hyperparameters=FAST[kind],
    )
    y_pred, u = model.predict_index(sp.test.index, sp.test.workload, space)
    for j in range(2):
        assert scores(sp.test.y[:, j], y_pred[:, j])["r2"] > 0.95
    assert (u is not None) == (kind == "ensemble")
    assert model.transforms == {"latency": "identity", "power": "log"}


def test_training_is_seeded(split):
    sp, space, metrics = split
    kw = {
        "env_id": SMOOTH_ID,
        "env_version": 0,
        "space": space,
        "metrics": metrics,
        "model": "mlp",
        "hyperparameters": {"epochs": 5},
    }
    a = fit_dataset(sp.train, seed=3, **kw).predict_index(sp.test.index, "base", space)[0]
    b = fit_dataset(sp.train, seed=3, **kw).predict_index(sp.test.index, "base", space)[0]
    c = fit_dataset(sp.train, seed=4, **kw).predict_index(sp.test.index, "base", space)[0]
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_artifact_round_trips_with_its_metadata(gbt_path, df):
    model = load_model(gbt_path)
    again = load_model(model.save(gbt_path.with_name("copy.pkl")))
    space = smooth_space()
    idx = np.array([[0, 0, 0, 0], [15, 15, 8, 2], [3, 9, 4, 1]])
    np.testing.assert_array_equal(
        model.predict_index(idx, "hot", space)[0], again.predict_index(idx, "hot", space)[0]
    )
    summary = again.summary()
    assert summary["env_id"] == SMOOTH_ID
    assert summary["design_space_fingerprint"] == space.fingerprint()
    assert summary["training_rows"] == len(df) == 2400
    assert summary["training_designs"] == len(build_dataset(df, space, ["latency", "power"]))
    assert summary["workloads"] == ["base", "hot"]
    assert summary["metrics"]["power"] == {"unit": "mW", "goal": "min", "transform": "log"}
    assert len(summary["training_data_hash"]) == 64
    assert again.feature_names[-2:] == ("workload=base", "workload=hot")


def test_a_different_design_space_is_refused_naming_the_difference(gbt_path):
    with pytest.raises(ConfigError, match=r"parameter 'x' has values \[0, 1, .*15\] in the model"):
        ProxySimulator(gbt_path, design_space=smooth_space(x_high=20))
    with pytest.raises(ConfigError, match="trained on a different design space: parameter 'x'"):
        gym.make(WIDE_ID, backend="proxy", proxy_model=str(gbt_path))


def test_an_unknown_workload_is_refused(ensemble_path):
    with pytest.raises(ConfigError, match=r"trained on workload\(s\) \['base'\], not on 'hot'"):
        gym.make(SMOOTH_ID, workload="hot", backend="proxy", proxy_model=str(ensemble_path))


def test_a_corrupted_model_file_names_the_file(tmp_path):
    bad = tmp_path / "broken.pkl"
    bad.write_bytes(b"\x80\x04not a pickle at all")
    with pytest.raises(DatasetError, match=r"broken\.pkl: not a readable proxy model"):
        load_model(bad)
    with pytest.raises(DatasetError, match=r"missing\.pkl: no such proxy model file"):
        load_model(tmp_path / "missing.pkl")


def test_fit_reports_progress_per_model_trained(df):
    from archgym import proxy

    calls = []
    proxy.fit(df, SMOOTH_ID, "gbt", workload="base", report_splits=("random", "agent"),
              hyperparameters={"max_iter": 10}, progress=lambda *a: calls.append(a))
    assert [c[:2] for c in calls] == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]
    assert calls[0][2].startswith("gbt on all") and calls[-1][2] == "done"


def test_ensemble_members_default_to_a_quarter_of_the_boosting_rounds(split, tmp_path):
    """Five default members cost about one default gbt: the auto backend predicts every step."""
    sp, space, metrics = split
    model = fit_dataset(sp.train, env_id=SMOOTH_ID, env_version=0, space=space, metrics=metrics,
                        model="ensemble", hyperparameters={"n_members": 2})
    assert [m._trees.n_trees for m in model.model._members] == [100 * len(metrics)] * 2
    again = load_model(model.save(tmp_path / "ens.proxy"))
    assert again.model.hyperparameters["member_hyperparameters"] is None
