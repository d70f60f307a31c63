"""Regression models of a proxy: random forest, gradient-boosted trees, MLP, ensemble.

Every model maps a feature matrix ``x`` (``(n, n_features)``, values in
[0, 1]) to standardised targets ``t`` (``(n, n_metrics)``, zero mean and unit
variance per metric on the training set; :mod:`archgym.proxy.artifact` does the
standardising). Training is seeded: the same data and seed give the same model.

Hyperparameters (constructor keywords, defaults in brackets):

* ``rf`` — scikit-learn ``RandomForestRegressor`` (the original ArchGym's
  choice): ``n_estimators`` [100], ``min_samples_leaf`` [1],
  ``max_features`` [1.0, all features], ``per_metric`` [True: one forest per
  metric; False: one multi-output forest], ``n_jobs`` [2, training only].
* ``gbt`` — scikit-learn ``HistGradientBoostingRegressor``, one per metric:
  ``max_iter`` [400], ``learning_rate`` [0.1], ``max_leaf_nodes`` [31],
  ``min_samples_leaf`` [10], ``l2_regularization`` [0.0], ``n_threads`` [1:
  OpenMP threads; more threads spin-wait badly on a busy machine]; no early
  stopping.
* ``mlp`` — a torch multilayer perceptron (ReLU), trained with Adam on the mean
  squared error, learning rate decayed by a cosine schedule; inference runs in
  NumPy: ``hidden`` [(128, 128, 128)], ``epochs`` [200], ``batch_size`` [256],
  ``lr`` [2e-3], ``weight_decay`` [0.0], ``n_threads`` [1: torch threads in
  training, BLAS threads in inference]. Training and inference run in float32.
* ``ensemble`` — ``n_members`` [5] models of kind ``member`` ["gbt"], each
  trained on its own bootstrap resample with its own seed; the prediction is the
  members' mean and the uncertainty their standard deviation (in standardised
  target units), per design and metric. ``member_hyperparameters`` [None: the
  member's :data:`MEMBER_DEFAULTS`, for ``gbt`` ``max_iter`` 100 and
  ``learning_rate`` 0.2, so the five members cost about one default ``gbt``].

Tree models are trained by scikit-learn and then compiled into flat arrays
(:class:`~archgym.proxy.trees.TreeSum`, one Numba loop over every tree), which
predict the same numbers without scikit-learn's per-tree overhead. Every model
stores itself as named NumPy arrays (:meth:`Regressor.arrays`, rebuilt by
:meth:`Regressor.from_arrays`): no pickle is involved.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from typing import Any, ClassVar

import numpy as np

from archgym.errors import ConfigError, DatasetError, UnknownName
from archgym.proxy.trees import TreeSum
from archgym.registry import Registry
from archgym.threads import native_threads, torch_threads

__all__ = [
    "DEFAULT_KIND",
    "MEMBER_DEFAULTS",
    "MLP",
    "MODEL_KINDS",
    "Ensemble",
    "GradientBoosting",
    "RandomForest",
    "Regressor",
    "make_model",
]


class Regressor(ABC):
    """A seeded multi-output regressor over standardised targets.

    Args:
        seed: Seed of every random choice made in training.
    """

    kind: ClassVar[str] = ""
    #: Whether :meth:`predict_std` gives a per-prediction uncertainty.
    has_uncertainty: ClassVar[bool] = False

    def __init__(self, seed: int = 0, **hyperparameters: Any):
        self.seed = int(seed)
        defaults = self.defaults()
        unknown = sorted(set(hyperparameters) - set(defaults))
        if unknown:
            raise UnknownName(f"{self.kind} hyperparameter", unknown[0], defaults)
        self.hyperparameters: dict[str, Any] = {**defaults, **hyperparameters}

    @classmethod
    @abstractmethod
    def defaults(cls) -> dict[str, Any]:
        """The documented default hyperparameters."""

    @abstractmethod
    def fit(self, x: np.ndarray, t: np.ndarray) -> Regressor:
        """Train on features ``x`` ``(n, f)`` and standardised targets ``t`` ``(n, m)``."""

    @abstractmethod
    def predict(self, x: np.ndarray) -> np.ndarray:
        """Predicted standardised targets, shape ``(n, m)``."""

    def predict_std(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Prediction and its uncertainty (standard deviation), both ``(n, m)``."""
        raise ConfigError(
            f"model kind {self.kind!r} gives no per-prediction uncertainty; train an 'ensemble'"
        )

    @abstractmethod
    def arrays(self, prefix: str = "") -> dict[str, np.ndarray]:
        """The trained state as named arrays (keys start with ``prefix``)."""

    @abstractmethod
    def _restore(
        self, arrays: dict[str, np.ndarray], prefix: str, n_features: int, source: str
    ) -> None:
        """Set the trained state from :meth:`arrays` (DatasetError naming ``source`` if unsound)."""

    @classmethod
    def from_arrays(
        cls,
        kind: str,
        seed: int,
        hyperparameters: dict[str, Any],
        arrays: dict[str, np.ndarray],
        *,
        prefix: str = "",
        n_features: int,
        source: str = "proxy model",
    ) -> Regressor:
        """A trained model of ``kind`` from its hyperparameters and :meth:`arrays`."""
        try:
            model = make_model(kind, seed=seed, **hyperparameters)
        except (UnknownName, ConfigError) as exc:
            raise DatasetError(f"{source}: {exc}") from None
        model._restore(arrays, prefix, n_features, source)
        return model


class CompiledTrees(Regressor):
    """A tree model trained by scikit-learn, answered by :class:`TreeSum` (one Numba loop)."""

    _trees: TreeSum

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self._trees.predict(x)

    def arrays(self, prefix: str = "") -> dict[str, np.ndarray]:
        return self._trees.arrays(prefix)

    def _restore(
        self, arrays: dict[str, np.ndarray], prefix: str, n_features: int, source: str
    ) -> None:
        self._trees = TreeSum.from_arrays(arrays, prefix, n_features, source)


class RandomForest(CompiledTrees):
    """scikit-learn random forest (see the module docstring for hyperparameters)."""

    kind = "rf"

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        return {
            "n_estimators": 100,
            "min_samples_leaf": 1,
            "max_features": 1.0,
            "per_metric": True,
            "n_jobs": 2,
        }

    def fit(self, x: np.ndarray, t: np.ndarray) -> RandomForest:
        from sklearn.ensemble import RandomForestRegressor

        hp = dict(self.hyperparameters)
        per_metric = bool(hp.pop("per_metric"))
        targets = [t[:, [j]] for j in range(t.shape[1])] if per_metric else [t]
        forests = []
        for j, target in enumerate(targets):
            forest = RandomForestRegressor(random_state=self.seed + j, **hp)
            forests.append(forest.fit(x, target[:, 0] if per_metric else target))
        self._trees = TreeSum.from_forest(forests, t.shape[1])
        return self


class GradientBoosting(CompiledTrees):
    """scikit-learn histogram gradient-boosted trees, one model per metric."""

    kind = "gbt"

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        return {
            "max_iter": 400,
            "learning_rate": 0.1,
            "max_leaf_nodes": 31,
            "min_samples_leaf": 10,
            "l2_regularization": 0.0,
            "n_threads": 1,
        }

    def fit(self, x: np.ndarray, t: np.ndarray) -> GradientBoosting:
        from sklearn.ensemble import HistGradientBoostingRegressor

        hp = dict(self.hyperparameters)
        threads = int(hp.pop("n_threads"))
        models = []
        with native_threads(threads, "openmp"):
            for j in range(t.shape[1]):
                m = HistGradientBoostingRegressor(
                    early_stopping=False, random_state=self.seed + j, **hp
                )
                models.append(m.fit(x, t[:, j]))
        self._trees = TreeSum.from_boosting(models)
        return self


class MLP(Regressor):
    """A torch-trained multilayer perceptron evaluated in NumPy."""

    kind = "mlp"

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        return {
            "hidden": (128, 128, 128),
            "epochs": 200,
            "batch_size": 256,
            "lr": 2e-3,
            "weight_decay": 0.0,
            "n_threads": 1,
        }

    def fit(self, x: np.ndarray, t: np.ndarray) -> MLP:
        import torch

        with torch_threads(int(self.hyperparameters["n_threads"])):
            self._train(torch, x, t)
        return self

    def _train(self, torch: Any, x: np.ndarray, t: np.ndarray) -> None:
        hp = self.hyperparameters
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(self.seed)
            gen = torch.Generator().manual_seed(self.seed)
            sizes = [x.shape[1], *[int(h) for h in hp["hidden"]], t.shape[1]]
            layers: list[torch.nn.Module] = []
            for i in range(len(sizes) - 1):
                layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
                if i < len(sizes) - 2:
                    layers.append(torch.nn.ReLU())
            net = torch.nn.Sequential(*layers)
            xt = torch.as_tensor(x, dtype=torch.float32)
            tt = torch.as_tensor(t, dtype=torch.float32)
            n, bs = len(xt), max(1, min(int(hp["batch_size"]), len(xt)))
            steps_per_epoch = math.ceil(n / bs)
            total = max(1, int(hp["epochs"]) * steps_per_epoch)
            opt = torch.optim.Adam(net.parameters(), lr=hp["lr"], weight_decay=hp["weight_decay"])
            sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=total)
            for _ in range(int(hp["epochs"])):
                perm = torch.randperm(n, generator=gen)
                for s in range(steps_per_epoch):
                    rows = perm[s * bs : (s + 1) * bs]
                    opt.zero_grad()
                    loss = torch.mean((net(xt[rows]) - tt[rows]) ** 2)
                    loss.backward()
                    opt.step()
                    sched.step()
        linear = [m for m in net if isinstance(m, torch.nn.Linear)]
        self._weights = [
            (
                np.ascontiguousarray(m.weight.detach().numpy().T, dtype=np.float32),
                m.bias.detach().numpy().astype(np.float32),
            )
            for m in linear
        ]

    def predict(self, x: np.ndarray) -> np.ndarray:
        if len(x) < 256:  # BLAS runs small products on one thread anyway
            return self._forward(x)
        with native_threads(int(self.hyperparameters["n_threads"]), "blas"):
            return self._forward(x)

    def arrays(self, prefix: str = "") -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for i, (w, b) in enumerate(self._weights):
            out[f"{prefix}w{i}"], out[f"{prefix}b{i}"] = w, b
        return out

    def _restore(
        self, arrays: dict[str, np.ndarray], prefix: str, n_features: int, source: str
    ) -> None:
        n_layers = len(tuple(self.hyperparameters["hidden"])) + 1
        weights = []
        width = n_features
        for i in range(n_layers):
            try:
                w = np.ascontiguousarray(arrays[f"{prefix}w{i}"], dtype=np.float32)
                b = np.ascontiguousarray(arrays[f"{prefix}b{i}"], dtype=np.float32)
            except KeyError:
                raise DatasetError(f"{source}: MLP layer {i} is missing") from None
            if w.ndim != 2 or w.shape[0] != width or b.shape != (w.shape[1],):
                raise DatasetError(f"{source}: MLP layer {i} has shapes {w.shape}, {b.shape}")
            weights.append((w, b))
            width = w.shape[1]
        self._weights = weights

    def _forward(self, x: np.ndarray) -> np.ndarray:
        h = np.asarray(x, dtype=np.float32)
        last = len(self._weights) - 1
        for i, (w, b) in enumerate(self._weights):
            h = h @ w
            h += b
            if i < last:
                np.maximum(h, 0.0, out=h)
        return h.astype(np.float64)


class Ensemble(Regressor):
    """Bootstrap ensemble of one model kind; its spread is the uncertainty."""

    kind = "ensemble"
    has_uncertainty = True

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        return {"n_members": 5, "member": "gbt", "member_hyperparameters": None}

    def _member_hyperparameters(self) -> dict[str, Any]:
        given = self.hyperparameters["member_hyperparameters"]
        if given is not None:
            return dict(given)
        return dict(MEMBER_DEFAULTS.get(self.hyperparameters["member"], {}))

    def fit(self, x: np.ndarray, t: np.ndarray) -> Ensemble:
        hp = self.hyperparameters
        if int(hp["n_members"]) < 2:
            raise ConfigError(f"ensemble n_members must be >= 2, got {hp['n_members']!r}")
        if hp["member"] == "ensemble":
            raise ConfigError("ensemble member must be 'rf', 'gbt' or 'mlp', got 'ensemble'")
        rng = np.random.default_rng(self.seed)
        self._members = []
        for i in range(int(hp["n_members"])):
            rows = rng.integers(0, len(x), size=len(x))
            member = make_model(
                hp["member"], seed=self.seed + 1000 * (i + 1), **self._member_hyperparameters()
            )
            self._members.append(member.fit(x[rows], t[rows]))
        return self

    def _all(self, x: np.ndarray) -> np.ndarray:
        return np.stack([m.predict(x) for m in self._members], axis=0)

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self._all(x).mean(axis=0)

    def predict_std(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        preds = self._all(x)
        return preds.mean(axis=0), preds.std(axis=0)

    def arrays(self, prefix: str = "") -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for i, member in enumerate(self._members):
            out.update(member.arrays(f"{prefix}m{i}/"))
        return out

    def _restore(
        self, arrays: dict[str, np.ndarray], prefix: str, n_features: int, source: str
    ) -> None:
        hp = self.hyperparameters
        if hp["member"] == "ensemble":
            raise DatasetError(f"{source}: an ensemble cannot have ensemble members")
        self._members = [
            Regressor.from_arrays(
                hp["member"], self.seed + 1000 * (i + 1), self._member_hyperparameters(),
                arrays, prefix=f"{prefix}m{i}/", n_features=n_features, source=source,
            )
            for i in range(int(hp["n_members"]))
        ]


#: The default model kind: the fastest per env step among the kinds that meet the
#: fidelity bar (reward Spearman >= 0.9 and worst-metric nRMSE <= 5% on held-out
#: random designs, on every env where some kind meets it) in
#: ``benchmarks/proxy_speed.py`` (see docs/proxy.md). The MLP is faster but its
#: metric errors are larger (nRMSE 6-9% on DRAM and DNN); ``rf`` misses on DNN.
DEFAULT_KIND = "gbt"

#: Ensemble members' hyperparameters when ``member_hyperparameters`` is None: a
#: quarter of the default boosting rounds at twice the learning rate, so that five
#: members cost about one default ``gbt`` per prediction (the auto backend pays
#: for an ensemble prediction on every step).
MEMBER_DEFAULTS: dict[str, dict[str, Any]] = {"gbt": {"max_iter": 100, "learning_rate": 0.2}}

#: Model kind -> class.
MODEL_KINDS: Registry[type[Regressor]] = Registry("proxy model kind")
for _cls in (RandomForest, GradientBoosting, MLP, Ensemble):
    MODEL_KINDS.register(_cls.kind, _cls)


def make_model(kind: str, seed: int = 0, **hyperparameters: Any) -> Regressor:
    """An untrained model of a kind in :data:`MODEL_KINDS` (rf, gbt, mlp, ensemble)."""
    return MODEL_KINDS.get(kind)(seed=seed, **hyperparameters)
