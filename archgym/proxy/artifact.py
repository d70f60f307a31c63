"""The proxy artifact: one file holding a trained proxy and everything needed to trust it.

:class:`ProxyModel` bundles the regressor, the feature transform (the design
space's signature and the workload one-hot columns), the env id and version, a
hash of the design space, the metrics (name, unit, goal) with their target
transforms and standardisation, the training-data hash and row counts, the
package version and, when training wrote one, the fidelity report.

The file is a pickle (written atomically) of a dict with ``format ==
"archgym-proxy"``. Like any pickle it runs code when loaded: load only
artifacts you trust.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from archgym.atomic import atomic_path
from archgym.errors import ConfigError, DatasetError
from archgym.proxy.dataset import features, inverse_transform
from archgym.proxy.models import Regressor
from archgym.simulator import Metric
from archgym.space import DesignSpace

__all__ = ["FORMAT", "FORMAT_VERSION", "ProxyModel", "load_model", "space_difference"]

FORMAT = "archgym-proxy"
FORMAT_VERSION = 1


def space_difference(expected: Sequence[dict], actual: Sequence[dict]) -> str:
    """Describe how two design-space signatures differ ("" when they are equal)."""
    exp = {p["name"]: p for p in expected}
    act = {p["name"]: p for p in actual}
    parts: list[str] = []
    missing = [n for n in exp if n not in act]
    extra = [n for n in act if n not in exp]
    if missing:
        parts.append(f"parameter(s) {', '.join(missing)} of the model are not in the env")
    if extra:
        parts.append(f"parameter(s) {', '.join(extra)} of the env are not in the model")
    for name in exp:
        if name not in act:
            continue
        e, a = exp[name], act[name]
        if e["kind"] != a["kind"]:
            parts.append(f"parameter {name!r} is {e['kind']} in the model, {a['kind']} in the env")
        elif list(e["values"]) != list(a["values"]):
            parts.append(
                f"parameter {name!r} has values {list(e['values'])} in the model, "
                f"{list(a['values'])} in the env"
            )
    if not parts and [p["name"] for p in expected] != [p["name"] for p in actual]:
        parts.append(
            f"parameter order differs: model {[p['name'] for p in expected]}, "
            f"env {[p['name'] for p in actual]}"
        )
    return "; ".join(parts)


@dataclass
class ProxyModel:
    """A trained proxy of one env's simulator (see the module docstring)."""

    model: Regressor
    env_id: str
    env_version: int
    space_signature: list[dict[str, Any]]
    space_fingerprint: str
    metrics: tuple[Metric, ...]
    transforms: dict[str, str]
    t_mean: np.ndarray
    t_std: np.ndarray
    workloads: tuple[str, ...]
    data_hash: str
    n_rows: int
    n_designs: int
    package_version: str
    seed: int = 0
    feature_names: tuple[str, ...] = ()
    fidelity: list[dict[str, Any]] = field(default_factory=list)
    #: The training env's :meth:`~archgym.env.ArchEnv.describe` dict (targets, formula, ...).
    env_description: dict[str, Any] = field(default_factory=dict)

    def description(self) -> dict[str, Any]:
        """An env description of what the model stands in for (as stored with logs)."""
        return {
            **self.env_description,
            "env_id": self.env_id,
            "env_version": self.env_version,
            "design_space": self.space_signature,
            "design_space_fingerprint": self.space_fingerprint,
            "metrics": [
                {"name": m.name, "unit": m.unit, "goal": m.goal, "description": m.description}
                for m in self.metrics
            ],
        }

    @property
    def kind(self) -> str:
        """The model kind (``"rf"``, ``"gbt"``, ``"mlp"``, ``"ensemble"``)."""
        return self.model.kind

    @property
    def metric_names(self) -> tuple[str, ...]:
        return tuple(m.name for m in self.metrics)

    @property
    def has_uncertainty(self) -> bool:
        return self.model.has_uncertainty

    # ------------------------------------------------------------ checking
    def check_space(self, space: DesignSpace) -> None:
        """Raise ConfigError naming the difference if ``space`` is not the training space."""
        if space.fingerprint() == self.space_fingerprint:
            return
        diff = space_difference(self.space_signature, space.signature()) or "fingerprints differ"
        raise ConfigError(
            f"proxy model for {self.env_id} (v{self.env_version}) was trained on a different "
            f"design space: {diff}"
        )

    def check_workload(self, workload: Any) -> str:
        """The workload's name if the model was trained on it, else raise ConfigError."""
        name = workload if isinstance(workload, str) else None
        if name is None or name not in self.workloads:
            raise ConfigError(
                f"proxy model for {self.env_id} was trained on workload(s) "
                f"{list(self.workloads)}, not on {workload!r}"
            )
        return name

    # ---------------------------------------------------------- prediction
    def predict_index(
        self, index: np.ndarray, workload: str | np.ndarray, space: DesignSpace
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Predict raw metrics for an index matrix.

        Args:
            index: Design index vectors, shape ``(n, n_parameters)``.
            workload: One workload name, or one per row.
            space: The design space (to compute features).

        Returns:
            ``(y, u)``: metrics ``(n, n_metrics)`` in their units, and the
            uncertainty ``(n,)`` — the largest over metrics of the ensemble's
            standard deviation in units of the metric's (transformed) training
            spread — or None when the model has no uncertainty.
        """
        x = features(space, index, workload, self.workloads)
        if self.model.has_uncertainty:
            mean, std = self.model.predict_std(x)
            u = std.max(axis=1) if std.shape[1] else np.zeros(len(x))
        else:
            mean, u = self.model.predict(x), None
        t = mean * self.t_std + self.t_mean
        return inverse_transform(t, self.metric_names, self.transforms), u

    # ----------------------------------------------------------------- I/O
    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the artifact atomically (temporary file, then rename); return the path."""
        path = Path(path)
        payload = {"format": FORMAT, "format_version": FORMAT_VERSION, "proxy": self}
        with atomic_path(path) as tmp, open(tmp, "wb") as fh:
            pickle.dump(payload, fh, protocol=pickle.HIGHEST_PROTOCOL)
        return path

    def summary(self) -> dict[str, Any]:
        """The artifact's metadata as a JSON-able dict."""
        return {
            "env_id": self.env_id,
            "env_version": self.env_version,
            "model": self.kind,
            "hyperparameters": self.model.hyperparameters,
            "seed": self.seed,
            "design_space_fingerprint": self.space_fingerprint,
            "workloads": list(self.workloads),
            "metrics": {
                m.name: {"unit": m.unit, "goal": m.goal, "transform": self.transforms[m.name]}
                for m in self.metrics
            },
            "training_data_hash": self.data_hash,
            "training_rows": self.n_rows,
            "training_designs": self.n_designs,
            "package_version": self.package_version,
        }


def load_model(path: str | os.PathLike[str] | ProxyModel) -> ProxyModel:
    """Load a :class:`ProxyModel` file (or pass an instance through).

    Raises:
        DatasetError: the file is missing, unreadable, or not a proxy artifact
            of a supported format version (the message names the file).
    """
    if isinstance(path, ProxyModel):
        return path
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"{path}: no such proxy model file")
    try:
        with open(path, "rb") as fh:
            payload = pickle.load(fh)
    except Exception as exc:  # any unpickling failure means a corrupted file
        raise DatasetError(
            f"{path}: not a readable proxy model ({type(exc).__name__}: {exc})"
        ) from exc
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise DatasetError(f"{path}: not an ArchGym proxy model (format != {FORMAT!r})")
    if payload.get("format_version") != FORMAT_VERSION:
        raise DatasetError(
            f"{path}: proxy model format version {payload.get('format_version')!r} is not "
            f"supported (this ArchGym reads version {FORMAT_VERSION})"
        )
    proxy = payload.get("proxy")
    if not isinstance(proxy, ProxyModel):
        raise DatasetError(f"{path}: the file holds no ProxyModel")
    return proxy
