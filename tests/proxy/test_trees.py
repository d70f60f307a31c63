"""Compiled trees: scikit-learn's predictions without scikit-learn at prediction time."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.ensemble import HistGradientBoostingRegressor, RandomForestRegressor

from archgym.errors import DatasetError
from archgym.proxy.models import make_model
from archgym.proxy.trees import TreeSum


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    x = rng.random((600, 5))
    y = np.stack([3 * x[:, 0] + np.sin(5 * x[:, 1]), x[:, 2] ** 2 - x[:, 3]], axis=1)
    return x, y, rng.random((200, 5))


def test_forests_compile_to_the_same_predictions(data):
    x, y, xt = data
    per = [RandomForestRegressor(n_estimators=15, random_state=j).fit(x, y[:, j]) for j in range(2)]
    ref = np.stack([f.predict(xt) for f in per], axis=1)
    np.testing.assert_allclose(TreeSum.from_forest(per, 2).predict(xt), ref, rtol=0, atol=1e-12)
    multi = RandomForestRegressor(n_estimators=15, random_state=0).fit(x, y)
    np.testing.assert_allclose(TreeSum.from_forest([multi], 2).predict(xt), multi.predict(xt),
                               rtol=0, atol=1e-12)


def test_boosting_compiles_to_the_same_predictions(data):
    x, y, xt = data
    models = [HistGradientBoostingRegressor(max_iter=40, random_state=j).fit(x, y[:, j])
              for j in range(2)]
    ref = np.stack([m.predict(xt) for m in models], axis=1)
    np.testing.assert_allclose(TreeSum.from_boosting(models).predict(xt), ref, rtol=0, atol=1e-12)


@pytest.mark.parametrize("kind", ["rf", "gbt", "ensemble"])
def test_tree_models_predict_without_scikit_learn(data, kind, monkeypatch):
    """Per-row scikit-learn predict calls cost ~80 ms per env step; trained models make none."""
    x, y, xt = data
    hp = {"rf": {"n_estimators": 10}, "gbt": {"max_iter": 20},
          "ensemble": {"n_members": 2, "member_hyperparameters": {"max_iter": 20}}}[kind]
    model = make_model(kind, **hp).fit(x, y)
    expected = model.predict(xt[:3])
    for cls in (RandomForestRegressor, HistGradientBoostingRegressor):
        monkeypatch.setattr(cls, "predict", lambda *a, **k: pytest.fail("scikit-learn predict"))
    np.testing.assert_array_equal(model.predict(xt[:3]), expected)
    again = type(model).from_arrays(kind, model.seed, model.hyperparameters, model.arrays(),
                                    n_features=x.shape[1])
    np.testing.assert_array_equal(again.predict(xt[:3]), expected)


def test_unsound_arrays_are_refused(data):
    x, y, _ = data
    trees = make_model("gbt", max_iter=5).fit(x, y)._trees
    good = trees.arrays()
    with pytest.raises(DatasetError, match=r"src: unsound tree arrays \(a split on feature \d"):
        TreeSum.from_arrays(good, "", 3, "src")
    bad = {**good, "right": np.where(good["feature"] >= 0, -1, 0)}
    with pytest.raises(DatasetError, match="right child that is not after"):
        TreeSum.from_arrays(bad, "", 5, "src")
    with pytest.raises(DatasetError, match="'cols' is missing"):
        TreeSum.from_arrays({k: v for k, v in good.items() if k != "cols"}, "", 5, "src")
