"""The proxy artifact: one file holding a trained proxy and everything needed to trust it.

:class:`ProxyModel` bundles the regressor, the feature transform (the design
space's signature and the workload one-hot columns), the env id and version, a
hash of the design space, the metrics (name, unit, goal) with their target
transforms and standardisation, the training workloads, a hash set of the
training designs per workload (so an evaluation can leave them out), the
training-data hash and row counts, the package version and, when training
wrote one, the fidelity report.

File format (version 2; nothing in it is ever unpickled)::

    ARCHGYM-PROXY 2 sha256=<64 hex digits>\n     <- header: hash of everything below
    {"env_id": ..., "model": {...}, ...}\n       <- JSON manifest (metadata)
    <NumPy .npz archive>                          <- arrays, read with allow_pickle=False

:func:`load_model` checks the SHA-256 before it parses anything, so a file
with any byte changed is refused with a :class:`~archgym.errors.DatasetError`
naming it; then it checks the manifest's fields and every array's shape and
index range (a tree's children, an MLP's layer sizes). Files are written
atomically. ``head -2 MODEL`` shows the metadata.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from archgym.atomic import atomic_path
from archgym.errors import ArchGymError, ConfigError, DatasetError
from archgym.objective import Objective
from archgym.proxy.dataset import design_hashes, features, inverse_transform
from archgym.proxy.models import Regressor
from archgym.simulator import Metric
from archgym.space import DesignSpace

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "ProxyModel",
    "load_model",
    "space_difference",
    "workload_label",
]

FORMAT = "archgym-proxy"
FORMAT_VERSION = 2
_MAGIC = b"ARCHGYM-PROXY"
#: The header is at most this long (magic, version, hash, newline).
_HEADER_MAX = 128


def workload_label(workload: Any) -> str:
    """The text a workload is logged under (as :meth:`Simulator.workload_label`).

    A name or path as given; an object (a trace, a layer table, a task graph)
    by its ``name``.
    """
    if isinstance(workload, (str, os.PathLike)):
        return os.fspath(workload)
    return str(getattr(workload, "name", workload))


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
    #: Workload -> sorted :func:`~archgym.proxy.dataset.design_hashes` of its training designs.
    train_designs: dict[str, np.ndarray] = field(default_factory=dict)
    #: Workload -> the objective its logs were written with (``targets``, ``weights``,
    #: ``goals``, ``reward_formula``), for reward-level fidelity.
    objectives: dict[str, dict[str, Any]] = field(default_factory=dict)

    def description(self) -> dict[str, Any]:
        """An env description of what the model stands in for (as stored with logs)."""
        return {
            **self.env_description,
            "env_id": self.env_id,
            "env_version": self.env_version,
            "design_space": self.space_signature,
            "design_space_fingerprint": self.space_fingerprint,
            "metrics": [m.to_dict() for m in self.metrics],
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
        """The training workload ``workload`` stands for, else raise ConfigError.

        ``workload`` may be a name, a workload file's path, or a workload object
        (a trace, layer table, task graph); it matches by its label
        (:func:`workload_label`: the name, the path as given, or the object's
        ``name``), and a path also matches a training workload that is the same
        file under another path.
        """
        label = workload_label(workload)
        if label in self.workloads:
            return label
        if isinstance(workload, (str, os.PathLike)) and os.path.isfile(label):
            for name in self.workloads:
                if os.path.isfile(name) and os.path.samefile(name, label):
                    return name
        raise ConfigError(
            f"proxy model for {self.env_id} was trained on workload(s) "
            f"{list(self.workloads)}, not on {label!r}"
        )

    def objective(self, workload: Any) -> Objective | None:
        """The objective of a training workload's logs (None when the logs carried none)."""
        spec = self.objectives.get(workload_label(workload))
        if not spec or not spec.get("targets"):
            return None
        return Objective(
            dict(spec["targets"]),
            weights=dict(spec.get("weights") or {}),
            formula=str(spec.get("reward_formula", "distance")),
            goals=dict(spec.get("goals") or {}),
        )

    def seen_in_training(self, index: np.ndarray, workload: str | np.ndarray) -> np.ndarray:
        """Boolean mask: which rows (design index vectors, with their workload) trained the model.

        Args:
            index: Design index vectors ``(n, n_parameters)``.
            workload: One workload name, or one per row.
        """
        index = np.asarray(index, dtype=np.int64)
        hashes = design_hashes(index)
        wl = np.full(len(index), workload, dtype=object) if isinstance(workload, str) else (
            np.asarray(workload, dtype=object))
        seen = np.zeros(len(index), dtype=bool)
        for name, trained in self.train_designs.items():
            rows = wl == name
            seen[rows] = np.isin(hashes[rows], trained)
        return seen

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
    def manifest(self) -> dict[str, Any]:
        """The JSON metadata stored in the file (everything but the arrays)."""
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "env_id": self.env_id,
            "env_version": self.env_version,
            "space_signature": self.space_signature,
            "space_fingerprint": self.space_fingerprint,
            "metrics": [m.to_dict() for m in self.metrics],
            "transforms": self.transforms,
            "workloads": list(self.workloads),
            "data_hash": self.data_hash,
            "n_rows": self.n_rows,
            "n_designs": self.n_designs,
            "package_version": self.package_version,
            "seed": self.seed,
            "feature_names": list(self.feature_names),
            "fidelity": self.fidelity,
            "env_description": self.env_description,
            "model": {
                "kind": self.kind,
                "seed": self.model.seed,
                "hyperparameters": self.model.hyperparameters,
            },
            "train_designs": list(self.train_designs),
            "objectives": self.objectives,
        }

    def arrays(self) -> dict[str, np.ndarray]:
        """The arrays stored in the file: standardisation, model state, training-design hashes."""
        out = {"t_mean": np.asarray(self.t_mean), "t_std": np.asarray(self.t_std)}
        out.update(self.model.arrays("model/"))
        for i, name in enumerate(self.train_designs):
            out[f"train/{i}"] = np.asarray(self.train_designs[name], dtype=np.uint64)
        return out

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the artifact atomically (temporary file, then rename); return the path."""
        path = Path(path)
        buffer = io.BytesIO()
        np.savez(buffer, allow_pickle=False, **self.arrays())
        manifest = json.dumps(self.manifest(), separators=(",", ":"), default=_json_default)
        body = manifest.encode("utf-8") + b"\n" + buffer.getvalue()
        digest = hashlib.sha256(body).hexdigest()
        header = _MAGIC + f" {FORMAT_VERSION} sha256={digest}\n".encode("ascii")
        with atomic_path(path) as tmp, open(tmp, "wb") as fh:
            fh.write(header)
            fh.write(body)
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
            "training_designs_per_workload": {
                w: len(h) for w, h in self.train_designs.items()
            },
            "package_version": self.package_version,
        }


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (tuple, set)):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON-able")


def load_model(path: str | os.PathLike[str] | ProxyModel) -> ProxyModel:
    """Load a :class:`ProxyModel` file (or pass an instance through).

    The file's SHA-256 is checked before anything in it is parsed, and no
    pickle is ever loaded (see the module docstring).

    Raises:
        DatasetError: the file is missing, unreadable, changed since it was
            written (hash mismatch), of an unsupported format version, or
            inconsistent; the message names the file.
    """
    if isinstance(path, ProxyModel):
        return path
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"{path}: no such proxy model file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DatasetError(f"{path}: cannot read the proxy model ({exc})") from exc
    end = data.find(b"\n", 0, _HEADER_MAX)
    header = data[:end] if end >= 0 else data[:_HEADER_MAX]
    if not header.startswith(_MAGIC + b" "):
        hint = (" (a pickle: the old format 1, which is no longer loaded because "
                "unpickling runs code; retrain it with `archgym proxy train`)"
                if data[:1] == b"\x80" else "")
        raise DatasetError(f"{path}: not a readable proxy model (not an ArchGym proxy file){hint}")
    parts = header[len(_MAGIC) + 1 :].split(b" ")
    if end < 0 or len(parts) != 2 or not parts[1].startswith(b"sha256="):
        raise DatasetError(f"{path}: not a readable proxy model (damaged header {header[:80]!r})")
    if parts[0] != str(FORMAT_VERSION).encode():
        raise DatasetError(
            f"{path}: proxy model format version {parts[0].decode('ascii', 'replace')!r} is not "
            f"supported (this ArchGym reads version {FORMAT_VERSION})"
        )
    body = data[end + 1 :]
    if hashlib.sha256(body).hexdigest().encode() != parts[1][len(b"sha256=") :]:
        raise DatasetError(
            f"{path}: not a readable proxy model: its SHA-256 does not match its header "
            "(the file was damaged or changed after it was written)"
        )
    try:
        return _parse(body, str(path))
    except ArchGymError:
        raise
    except Exception as exc:  # a sound hash with unsound content: written by other code
        raise DatasetError(
            f"{path}: not a readable proxy model ({type(exc).__name__}: {exc})"
        ) from exc


def _parse(body: bytes, source: str) -> ProxyModel:
    end = body.find(b"\n")
    meta = json.loads(body[:end].decode("utf-8"))
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise DatasetError(f"{source}: not an ArchGym proxy model (format != {FORMAT!r})")
    with np.load(io.BytesIO(body[end + 1 :]), allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    names = [str(w) for w in meta["workloads"]]
    n_features = len(DesignSpace.from_signature(meta["space_signature"]).feature_names) + (
        len(names) if len(names) > 1 else 0)
    spec = meta["model"]
    model = Regressor.from_arrays(
        spec["kind"], int(spec["seed"]), dict(spec["hyperparameters"]),
        {k[len("model/"):]: v for k, v in arrays.items() if k.startswith("model/")},
        n_features=n_features, source=source,
    )
    metrics = tuple(Metric(m["name"], m["unit"], m["goal"], m.get("description", ""))
                    for m in meta["metrics"])
    t_mean = np.asarray(arrays["t_mean"], dtype=np.float64)
    t_std = np.asarray(arrays["t_std"], dtype=np.float64)
    if t_mean.shape != (len(metrics),) or t_std.shape != (len(metrics),):
        raise DatasetError(f"{source}: standardisation does not match the {len(metrics)} metrics")
    return ProxyModel(
        model=model,
        env_id=str(meta["env_id"]),
        env_version=int(meta["env_version"]),
        space_signature=list(meta["space_signature"]),
        space_fingerprint=str(meta["space_fingerprint"]),
        metrics=metrics,
        transforms=dict(meta["transforms"]),
        t_mean=t_mean,
        t_std=t_std,
        workloads=tuple(names),
        data_hash=str(meta["data_hash"]),
        n_rows=int(meta["n_rows"]),
        n_designs=int(meta["n_designs"]),
        package_version=str(meta["package_version"]),
        seed=int(meta["seed"]),
        feature_names=tuple(meta["feature_names"]),
        fidelity=list(meta["fidelity"]),
        env_description=dict(meta["env_description"]),
        train_designs={
            name: np.asarray(arrays[f"train/{i}"], dtype=np.uint64)
            for i, name in enumerate(meta["train_designs"])
        },
        objectives=dict(meta.get("objectives") or {}),
    )

