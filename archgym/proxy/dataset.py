"""Training sets for proxy models, built from evaluation logs.

A log (see :mod:`archgym.datalog`) holds one row per evaluation. Building a
training set:

1. keeps rows of the requested env (and workload), answered by the real
   simulator (``backend == "simulator"`` when the column exists: a proxy's own
   answers never train a proxy) and valid (``invalid`` false, every metric
   finite);
2. converts each design to its index vector in the env's design space (a value
   the space does not allow is an error naming the column and the value);
3. de-duplicates designs: repeated measurements of one design on one workload
   (and, when asked, by one agent) are averaged;
4. records, per metric, a target transform: ``"log"`` (``log10``) when every
   value is positive and ``max / min >= LOG_RATIO`` (the metric spans two or
   more orders of magnitude), else ``"identity"``.

Features are :meth:`DesignSpace.index_to_features` columns, followed by a
one-hot column per workload when the set holds more than one workload.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from archgym.errors import DatasetError, UnknownName
from archgym.space import DesignSpace

__all__ = [
    "LOG_RATIO",
    "Dataset",
    "build_dataset",
    "choose_transforms",
    "design_hashes",
    "features",
    "forward_transform",
    "inverse_transform",
]

#: A positive metric whose ``max / min`` reaches this ratio is log-transformed.
LOG_RATIO = 100.0


@dataclass
class Dataset:
    """Unique designs with their averaged metrics.

    Attributes:
        index: Design index vectors, shape ``(n, n_parameters)``, int64.
        workload: Workload name per row, shape ``(n,)``.
        agent: Agent per row (``""`` when rows were merged across agents).
        y: Raw metric values, shape ``(n, n_metrics)``.
        count: Number of logged evaluations averaged into each row.
        metrics: Metric names, the columns of :attr:`y`.
        n_logged: Valid logged evaluations the rows were made from.
    """

    index: np.ndarray
    workload: np.ndarray
    agent: np.ndarray
    y: np.ndarray
    count: np.ndarray
    metrics: tuple[str, ...]
    n_logged: int = 0
    workloads: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if not self.workloads:
            self.workloads = tuple(sorted(set(self.workload.tolist())))

    def __len__(self) -> int:
        return len(self.index)

    def subset(self, rows: np.ndarray) -> Dataset:
        """The rows selected by an index array or boolean mask (workloads: those present)."""
        return Dataset(
            self.index[rows],
            self.workload[rows],
            self.agent[rows],
            self.y[rows],
            self.count[rows],
            self.metrics,
            int(self.count[rows].sum()),
        )

    def merged(self) -> Dataset:
        """The same evaluations with rows of one design and workload averaged across agents."""
        keys = _row_keys(self.index, self.workload)
        uniq, inv = np.unique(keys, return_inverse=True)
        if len(uniq) == len(keys):
            return Dataset(
                self.index,
                self.workload,
                np.full(len(self), "", dtype=object),
                self.y,
                self.count,
                self.metrics,
                self.n_logged,
                self.workloads,
            )
        weight = self.count.astype(np.float64)
        total = np.bincount(inv, weights=weight)
        y = (
            np.stack(
                [
                    np.bincount(inv, weights=self.y[:, j] * weight) / total
                    for j in range(self.y.shape[1])
                ],
                axis=1,
            )
            if self.y.shape[1]
            else np.zeros((len(uniq), 0))
        )
        first = np.unique(inv, return_index=True)[1]
        return Dataset(
            self.index[first],
            self.workload[first],
            np.full(len(uniq), "", dtype=object),
            y,
            total.astype(np.int64),
            self.metrics,
            self.n_logged,
            self.workloads,
        )

    def keys(self) -> np.ndarray:
        """One hashable key per row identifying (workload, design)."""
        return _row_keys(self.index, self.workload)

    def content_hash(self) -> str:
        """SHA-256 of the rows (designs, workloads, metric values, counts)."""
        h = hashlib.sha256()
        order = np.lexsort((*self.index.T[::-1], self.workload.astype(str)))
        h.update(np.ascontiguousarray(self.index[order]).tobytes())
        h.update("\x00".join(self.workload[order].astype(str)).encode())
        h.update(np.ascontiguousarray(self.y[order], dtype=np.float64).tobytes())
        h.update(np.ascontiguousarray(self.count[order], dtype=np.int64).tobytes())
        h.update(",".join(self.metrics).encode())
        return h.hexdigest()


def design_hashes(index: np.ndarray) -> np.ndarray:
    """A 64-bit hash per design index vector (BLAKE2b of its int64 bytes), as uint64 ``(n,)``.

    The hash set of a proxy's training designs (per workload) is stored in its
    artifact so that an evaluation can tell which rows the model was trained on.
    """
    matrix = np.ascontiguousarray(np.asarray(index, dtype="<i8"))
    if matrix.ndim != 2:
        raise DatasetError(f"design index matrix must be 2-D, got shape {matrix.shape}")
    out = np.empty(len(matrix), dtype=np.uint64)
    for i, row in enumerate(matrix):
        out[i] = int.from_bytes(hashlib.blake2b(row.tobytes(), digest_size=8).digest(), "little")
    return out


def _row_keys(index: np.ndarray, workload: np.ndarray) -> np.ndarray:
    rows = [f"{w}|{','.join(map(str, r))}" for w, r in zip(workload, index.tolist(), strict=True)]
    return np.asarray(rows, dtype=object)


def build_dataset(
    df: pd.DataFrame,
    space: DesignSpace,
    metrics: Sequence[str],
    *,
    env_id: str | None = None,
    workload: str | None = None,
    by_agent: bool = False,
    source: str = "evaluation log",
) -> Dataset:
    """Turn logged evaluations into a de-duplicated :class:`Dataset`.

    Args:
        df: Rows as returned by :func:`archgym.datalog.load`.
        space: The env's design space.
        metrics: Metric names to learn (``metric.<name>`` columns).
        env_id: Keep only rows of this env id (when the log has ``env_id``).
        workload: Keep only rows of this workload.
        by_agent: Keep rows of different agents apart (for leave-one-agent-out
            splits); otherwise average across agents.
        source: How to name the data in error messages (e.g. the glob).

    Raises:
        DatasetError: a column is missing, a design value is not allowed, or
            no valid row is left after filtering.
    """
    missing = [f"metric.{m}" for m in metrics if f"metric.{m}" not in df.columns]
    for col in ("workload", "invalid"):
        if col not in df.columns:
            missing.append(col)
    if missing:
        raise DatasetError(f"{source}: missing column(s) {', '.join(missing)}")
    keep = ~df["invalid"].astype(bool).to_numpy()
    if env_id is not None and "env_id" in df.columns:
        ids = sorted(set(df["env_id"].astype(str)))
        if env_id not in ids:
            raise DatasetError(f"{source}: no row of env {env_id!r}; the log holds {ids}")
        keep &= (df["env_id"].astype(str) == env_id).to_numpy()
    if workload is not None:
        known = sorted(set(df["workload"].astype(str)))
        if workload not in known:
            raise UnknownName("workload", workload, known)
        keep &= (df["workload"].astype(str) == workload).to_numpy()
    if "backend" in df.columns:
        keep &= (df["backend"].astype(str) == "simulator").to_numpy()
    y = df[[f"metric.{m}" for m in metrics]].to_numpy(dtype=np.float64)
    keep &= np.all(np.isfinite(y), axis=1)
    if not keep.any():
        raise DatasetError(
            f"{source}: no valid simulator evaluation left after filtering "
            f"(env_id={env_id!r}, workload={workload!r}; {len(df)} rows read)"
        )
    rows = df.loc[keep]
    index = space.index_frame(rows, source=source)
    wl = rows["workload"].astype(str).to_numpy(dtype=object)
    agent = (
        rows["agent"].astype(str).to_numpy(dtype=object)
        if by_agent and "agent" in rows.columns
        else np.full(len(rows), "", dtype=object)
    )
    y = y[keep]
    frame = pd.DataFrame(index, columns=[f"i{j}" for j in range(index.shape[1])])
    frame["_w"] = wl
    frame["_a"] = agent
    for j in range(y.shape[1]):
        frame[f"y{j}"] = y[:, j]
    keys = [*[f"i{j}" for j in range(index.shape[1])], "_w", "_a"]
    grouped = frame.groupby(keys, sort=True)
    means = grouped[[f"y{j}" for j in range(y.shape[1])]].mean().reset_index()
    counts = grouped.size().to_numpy(dtype=np.int64)
    return Dataset(
        means[[f"i{j}" for j in range(index.shape[1])]].to_numpy(dtype=np.int64),
        means["_w"].to_numpy(dtype=object),
        means["_a"].to_numpy(dtype=object),
        means[[f"y{j}" for j in range(y.shape[1])]].to_numpy(dtype=np.float64),
        counts,
        tuple(metrics),
        int(keep.sum()),
    )


def choose_transforms(
    data: Dataset, log_metrics: str | Sequence[str] | None = "auto"
) -> dict[str, str]:
    """Pick a target transform per metric.

    Args:
        data: The training set.
        log_metrics: ``"auto"`` (the :data:`LOG_RATIO` rule), a list of metric
            names to log-transform, or None (no transform).

    Raises:
        DatasetError: a metric asked to be log-transformed has a value <= 0.
    """
    out: dict[str, str] = {}
    for j, name in enumerate(data.metrics):
        col = data.y[:, j]
        if log_metrics == "auto":
            lo, hi = float(col.min()), float(col.max())
            out[name] = "log" if lo > 0 and hi / lo >= LOG_RATIO else "identity"
        elif log_metrics is not None and name in log_metrics:
            if np.any(col <= 0):
                raise DatasetError(
                    f"metric {name!r} cannot be log-transformed: it has values <= 0 "
                    f"(min {col.min():g})"
                )
            out[name] = "log"
        else:
            out[name] = "identity"
    return out


def forward_transform(y: np.ndarray, metrics: Sequence[str], transforms: Mapping[str, str]):
    """Raw metric matrix -> model targets (``log10`` on log-transformed columns)."""
    out = np.array(y, dtype=np.float64, copy=True)
    for j, name in enumerate(metrics):
        if transforms[name] == "log":
            out[:, j] = np.log10(out[:, j])
    return out


def inverse_transform(t: np.ndarray, metrics: Sequence[str], transforms: Mapping[str, str]):
    """Model outputs -> raw metric matrix (the inverse of :func:`forward_transform`)."""
    out = np.array(t, dtype=np.float64, copy=True)
    for j, name in enumerate(metrics):
        if transforms[name] == "log":
            out[:, j] = 10.0 ** out[:, j]
    return out


def features(
    space: DesignSpace,
    index: np.ndarray,
    workload: np.ndarray | str,
    workloads: Sequence[str],
) -> np.ndarray:
    """Feature matrix: design features, then one-hot workload columns (if > 1 workload).

    A workload not in ``workloads`` gets all-zero workload columns.
    """
    x = space.index_to_features(index)
    if len(workloads) <= 1:
        return x
    n = len(index)
    w = np.full(n, workload, dtype=object) if isinstance(workload, str) else np.asarray(workload)
    onehot = np.stack([(w == name) for name in workloads], axis=1).astype(np.float64)
    return np.concatenate([x, onehot], axis=1)
