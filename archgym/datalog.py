"""Evaluation logs: every simulator evaluation becomes one row of a Parquet dataset.

:class:`RecordEvaluations` wraps any ArchGym env; every agent that steps the
wrapped env logs the same way. A dataset is a folder of Parquet part files;
each part is written to a hidden temporary name and renamed into place, so a
crash never leaves a half-written file — only the rows still buffered in
memory are lost.

Columns (schema version 1):

========================  ==========================================================
``env_id``, ``env_version``  registered id (e.g. ``archgym/DRAMController-v0``) and its version
``workload``              workload name
``design.<name>``         one column per design parameter (its value)
``metric.<name>``         one column per metric (raw value, NaN for invalid designs)
``reward``                reward returned by the env
``target_met``, ``invalid``, ``error``  as in the env's ``info``
``backend``               which backend answered (``simulator``, ``proxy``)
``agent``, ``hyperparameters``, ``seed``, ``run_id``  from ``run_info`` (hyperparameters as JSON)
``step``                  0-based index of the evaluation within this logger
``episode``               0-based episode index within this logger
``wall_time_s``           wall time of the simulator call (s)
``timestamp``             UNIX time the row was made (s)
``package_version``, ``schema_version``
========================  ==========================================================

Each part file also carries ``archgym`` key/value metadata (JSON): schema
version, env id, design-space signature and metric units.
"""

from __future__ import annotations

import glob
import json
import os
import time
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import gymnasium as gym
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from archgym.errors import DatasetError

__all__ = [
    "REQUIRED_COLUMNS",
    "SCHEMA_VERSION",
    "RecordEvaluations",
    "design_columns",
    "load",
    "metric_columns",
    "package_version",
    "part_metadata",
    "read_part",
    "write_rows",
    "write_table_atomic",
]

SCHEMA_VERSION = 1
METADATA_KEY = b"archgym"
REQUIRED_COLUMNS = (
    "env_id",
    "workload",
    "reward",
    "invalid",
    "agent",
    "seed",
    "step",
    "schema_version",
)


def write_table_atomic(table: pa.Table, path: str | os.PathLike[str]) -> None:
    """Write a Parquet file to a hidden temporary name in its folder, then rename it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        pq.write_table(table, tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def part_metadata(env_id: str, design_space: Any, units: Mapping[str, str]) -> bytes:
    """The ``archgym`` key/value metadata of a part file (JSON bytes)."""
    return json.dumps(
        {
            "schema_version": SCHEMA_VERSION,
            "env_id": env_id,
            "design_space": design_space.signature(),
            "units": dict(units),
        },
        default=str,
    ).encode()


def write_rows(rows: list[dict[str, Any]], path: str | os.PathLike[str], metadata: bytes) -> None:
    """Write log rows as one Parquet part file at ``path`` (atomically), with metadata."""
    table = pa.Table.from_pandas(pd.DataFrame(rows), preserve_index=False)
    table = table.replace_schema_metadata(
        {**(table.schema.metadata or {}), METADATA_KEY: metadata}
    )
    write_table_atomic(table, path)


def package_version() -> str:
    """The installed ArchGym version (recorded in every row)."""
    from archgym import __version__

    return __version__


class RecordEvaluations(gym.Wrapper):
    """Log every ``step`` of an ArchGym env as a row of a Parquet dataset.

    Args:
        env: An env whose ``unwrapped`` is an :class:`~archgym.env.ArchEnv`.
        path: Dataset folder (created if needed). Several loggers may write
            to one folder: part names are unique.
        run_info: ``agent`` (str), ``hyperparameters`` (dict), ``seed``
            (int), ``run_id`` (str) and any extra scalar columns.
        flush_every: Rows buffered in memory before a part file is written.
    """

    def __init__(
        self,
        env: gym.Env,
        path: str | os.PathLike[str],
        run_info: Mapping[str, Any] | None = None,
        flush_every: int = 1000,
    ):
        super().__init__(env)
        if int(flush_every) < 1:
            raise ValueError(f"flush_every must be >= 1, got {flush_every!r}")
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self.flush_every = int(flush_every)
        self._prefix = f"part-{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:12]}"
        self._parts = 0
        self._rows: list[dict[str, Any]] = []
        self._step = 0
        self._episode = -1
        self.rows_written = 0
        self.set_run_info(run_info or {})
        base = env.unwrapped
        spec = env.spec or base.spec
        self._env_id = spec.id if spec is not None else type(base).__name__
        self._env_version = spec.version if spec is not None and spec.version is not None else 0
        self._meta = part_metadata(self._env_id, base.design_space, base.units)
        self._version = package_version()

    def set_run_info(self, run_info: Mapping[str, Any]) -> None:
        """Set the agent, hyperparameters, seed and run id of the rows that follow."""
        info = dict(run_info)
        self._agent = str(info.pop("agent", ""))
        self._hp = json.dumps(info.pop("hyperparameters", {}), sort_keys=True, default=str)
        seed = info.pop("seed", None)
        self._seed = -1 if seed is None else int(seed)
        self._run_id = str(info.pop("run_id", ""))
        self._extra = info

    def reset(self, **kwargs: Any):
        self._episode += 1
        return super().reset(**kwargs)

    def step(self, action: Any):
        obs, reward, terminated, truncated, info = self.env.step(action)
        row: dict[str, Any] = {
            "env_id": self._env_id,
            "env_version": self._env_version,
            "workload": info.get("workload", ""),
        }
        for name, value in info["design"].items():
            row[f"design.{name}"] = value
        for name, value in info["metrics"].items():
            row[f"metric.{name}"] = float(value)
        row.update(
            reward=float(reward),
            target_met=bool(info["target_met"]),
            invalid=bool(info["invalid"]),
            error=str(info["error"]),
            backend=str(info.get("backend", "simulator")),
            agent=self._agent,
            hyperparameters=self._hp,
            seed=self._seed,
            run_id=self._run_id,
            step=self._step,
            episode=max(self._episode, 0),
            wall_time_s=float(self.env.unwrapped.last_eval_seconds),
            timestamp=time.time(),
            package_version=self._version,
            schema_version=SCHEMA_VERSION,
        )
        row.update(self._extra)
        self._rows.append(row)
        self._step += 1
        if len(self._rows) >= self.flush_every:
            self.flush()
        return obs, reward, terminated, truncated, info

    def flush(self) -> None:
        """Write the buffered rows as one new part file (atomically)."""
        if not self._rows:
            return
        write_rows(self._rows, self.path / f"{self._prefix}-{self._parts:05d}.parquet", self._meta)
        self._parts += 1
        self.rows_written += len(self._rows)
        self._rows = []

    def close(self) -> None:
        self.flush()
        super().close()


def _expand(path_or_glob: str | os.PathLike[str]) -> list[Path]:
    text = str(path_or_glob)
    p = Path(text)
    if p.is_dir():
        files = sorted(p.rglob("*.parquet"))
    elif p.is_file():
        files = [p]
    else:
        files = sorted(Path(f) for f in glob.glob(text, recursive=True))
        if not files:
            raise DatasetError(f"no evaluation log found at {text!r}")
    return [f for f in files if not f.name.startswith(".")]


def read_part(file: Path) -> pd.DataFrame:
    """Read and check one part file; raise DatasetError naming the file if it is not a log."""
    try:
        table = pq.read_table(file)
    except (OSError, pa.ArrowException) as exc:
        raise DatasetError(f"{file}: not a readable Parquet file ({exc})") from exc
    missing = [c for c in REQUIRED_COLUMNS if c not in table.column_names]
    if missing:
        raise DatasetError(
            f"{file}: not an ArchGym evaluation log (missing column(s) {', '.join(missing)})"
        )
    versions = set(table.column("schema_version").to_pylist())
    if versions - {SCHEMA_VERSION}:
        raise DatasetError(f"{file}: unsupported schema_version {sorted(versions)}")
    return table.to_pandas()


def load(path_or_glob: str | os.PathLike[str]) -> pd.DataFrame:
    """Load evaluation logs into one DataFrame.

    Args:
        path_or_glob: A dataset folder (searched recursively), one Parquet
            file, or a glob such as ``"runs/**/*.parquet"``.

    Raises:
        DatasetError: nothing matches, or a file is not a valid log (the
            message names the file).
    """
    files = _expand(path_or_glob)
    if not files:
        raise DatasetError(f"no evaluation log found at {str(path_or_glob)!r}")
    frames = [read_part(f) for f in files]
    df = pd.concat(frames, ignore_index=True, sort=False)
    if "invalid" in df:
        df["invalid"] = df["invalid"].astype(bool)
    return df


def design_columns(df: pd.DataFrame) -> list[str]:
    """Names of the design parameters present in a log (without the prefix)."""
    return [c.removeprefix("design.") for c in df.columns if c.startswith("design.")]


def metric_columns(df: pd.DataFrame) -> list[str]:
    """Names of the metrics present in a log (without the prefix)."""
    return [c.removeprefix("metric.") for c in df.columns if c.startswith("metric.")]
