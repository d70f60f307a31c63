"""Evaluation logs: every simulator evaluation becomes one row of a Parquet dataset.

The schema (columns, metadata, version) is documented once, in
``docs/evaluation-log.md``. :func:`evaluation_row` is the one builder of a row;
every writer uses it: :class:`RecordEvaluations` (a Gymnasium wrapper, so every
agent that steps the wrapped env logs the same way), the ``auto`` proxy
backend and the sweep runner.

A dataset is a folder of Parquet part files. Each part is written to a hidden
temporary name and renamed into place, so a crash never leaves a
half-written file — only the rows still buffered in memory are lost. Each
part file carries the env's description (:meth:`ArchEnv.describe
<archgym.env.ArchEnv.describe>`) in its ``archgym`` key/value metadata, so a
reader learns the design space, metrics and objective without making the env.
"""

from __future__ import annotations

import glob
import json
import os
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gymnasium as gym
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from archgym.atomic import atomic_path
from archgym.errors import DatasetError

__all__ = [
    "DESCRIPTIONS_ATTR",
    "REQUIRED_COLUMNS",
    "SCHEMA_VERSION",
    "RecordEvaluations",
    "RunInfo",
    "concat_parts",
    "describe_data",
    "descriptions",
    "design_columns",
    "evaluation_row",
    "load",
    "log_files",
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
#: Key of ``DataFrame.attrs`` under which :func:`load` puts the env descriptions.
DESCRIPTIONS_ATTR = "archgym_descriptions"


def package_version() -> str:
    """The installed ArchGym version (recorded in every row)."""
    from archgym import __version__

    return __version__


@dataclass(frozen=True)
class RunInfo:
    """Who made the evaluations of a log: agent, hyperparameters, seed, run id, extras.

    Attributes:
        agent: Agent name or label (``""`` when unknown).
        hyperparameters: JSON text of the agent's hyperparameters.
        seed: The run's seed (-1 when unseeded).
        run_id: The run's id (the trial id in a sweep).
        extra: Further scalar columns.
    """

    agent: str = ""
    hyperparameters: str = "{}"
    seed: int = -1
    run_id: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, info: Mapping[str, Any]) -> RunInfo:
        """From ``{"agent", "hyperparameters" (a dict), "seed", "run_id", **extra}``."""
        rest = dict(info)
        seed = rest.pop("seed", None)
        return cls(
            agent=str(rest.pop("agent", "")),
            hyperparameters=json.dumps(rest.pop("hyperparameters", {}), sort_keys=True,
                                       default=str),
            seed=-1 if seed is None else int(seed),
            run_id=str(rest.pop("run_id", "")),
            extra=rest,
        )


def evaluation_row(
    *,
    env_id: str,
    env_version: int,
    workload: str,
    design: Mapping[str, Any],
    metrics: Mapping[str, float],
    reward: float,
    target_met: bool,
    invalid: bool,
    error: str,
    backend: str,
    run: RunInfo,
    step: int,
    episode: int,
    wall_time_s: float,
    version: str,
    metric_names: tuple[str, ...] = (),
) -> dict[str, Any]:
    """One logged evaluation (the columns of ``docs/evaluation-log.md``).

    ``metric_names`` are the env's metrics: each gets a column, NaN when
    ``metrics`` lacks it (an invalid design has no metrics).
    """
    row: dict[str, Any] = {"env_id": env_id, "env_version": int(env_version),
                           "workload": workload}
    for name, value in design.items():
        row[f"design.{name}"] = value
    for name in metric_names:
        row[f"metric.{name}"] = float("nan")
    for name, value in metrics.items():
        row[f"metric.{name}"] = float(value)
    row.update(
        reward=float(reward),
        target_met=bool(target_met),
        invalid=bool(invalid),
        error=str(error),
        backend=str(backend),
        agent=run.agent,
        hyperparameters=run.hyperparameters,
        seed=run.seed,
        run_id=run.run_id,
        step=int(step),
        episode=int(episode),
        wall_time_s=float(wall_time_s),
        timestamp=time.time(),
        package_version=version,
        schema_version=SCHEMA_VERSION,
    )
    row.update(run.extra)
    return row


def part_metadata(description: Mapping[str, Any]) -> bytes:
    """The ``archgym`` key/value metadata of a part file (JSON bytes).

    Args:
        description: The env's :meth:`~archgym.env.ArchEnv.describe` dict.
    """
    return json.dumps(
        {
            "schema_version": SCHEMA_VERSION,
            "env_id": description.get("env_id", ""),
            "description": dict(description),
        },
        default=str,
    ).encode()


def write_table_atomic(table: pa.Table, path: str | os.PathLike[str]) -> None:
    """Write a Parquet file to a hidden temporary name in its folder, then rename it."""
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp)


def write_rows(rows: list[dict[str, Any]], path: str | os.PathLike[str], metadata: bytes) -> None:
    """Write log rows as one Parquet part file at ``path`` (atomically), with metadata."""
    table = pa.Table.from_pandas(pd.DataFrame(rows), preserve_index=False)
    table = table.replace_schema_metadata(
        {**(table.schema.metadata or {}), METADATA_KEY: metadata}
    )
    write_table_atomic(table, path)


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
        #: Evaluations so far that met every target.
        self.targets_met = 0
        self.set_run_info(run_info or {})
        base = env.unwrapped
        description = base.describe()  # type: ignore[attr-defined]
        spec = env.spec or base.spec
        if spec is not None:  # a wrapper's spec names the id even when the base has none
            description = {**description, "env_id": spec.id,
                           "env_version": int(spec.version or 0)}
        self.description = description
        self._metric_names = tuple(m["name"] for m in description["metrics"])
        self._meta = part_metadata(description)
        self._version = package_version()

    def set_run_info(self, run_info: Mapping[str, Any]) -> None:
        """Set the agent, hyperparameters, seed and run id of the rows that follow."""
        self._run = RunInfo.from_mapping(run_info)

    def reset(self, **kwargs: Any) -> Any:
        self._episode += 1
        return super().reset(**kwargs)

    def step(self, action: Any) -> Any:
        obs, reward, terminated, truncated, info = self.env.step(action)
        self.targets_met += bool(info["target_met"])
        self._rows.append(evaluation_row(
            env_id=self.description["env_id"],
            env_version=self.description["env_version"],
            workload=info.get("workload", ""),
            design=info["design"],
            metrics=info["metrics"],
            reward=float(reward),
            target_met=info["target_met"],
            invalid=info["invalid"],
            error=info["error"],
            backend=info.get("backend", "simulator"),
            run=self._run,
            step=self._step,
            episode=max(self._episode, 0),
            wall_time_s=self.env.unwrapped.last_eval_seconds,  # type: ignore[attr-defined]
            version=self._version,
            metric_names=self._metric_names,
        ))
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


# ----------------------------------------------------------------- reading
def _is_log_schema(schema: pa.Schema) -> bool:
    return all(c in schema.names for c in REQUIRED_COLUMNS)


def _candidates(path_or_glob: str | os.PathLike[str]) -> list[Path]:
    text = os.fspath(path_or_glob)
    p = Path(text)
    if p.is_dir():
        if (p / "spec.yaml").is_file() and (p / "evaluations").is_dir():  # a sweep folder
            p = p / "evaluations"
        files = sorted(p.rglob("*.parquet"))
    elif p.is_file():
        files = [p]
    else:
        files = sorted(Path(f) for f in glob.glob(text, recursive=True))
    return [f for f in files if not f.name.startswith(".")]


def log_files(path_or_glob: str | os.PathLike[str]) -> list[Path]:
    """The evaluation-log part files at a sweep folder, a log folder, a file or a glob.

    Parquet files that are not evaluation logs (e.g. a sweep's trial
    summaries matched by ``runs/**/*.parquet``) are skipped.

    Raises:
        DatasetError: nothing matches, or nothing that matches is a log (the
            message says what was found).
    """
    files = _candidates(path_or_glob)
    if not files:
        raise DatasetError(f"no evaluation log found at {os.fspath(path_or_glob)!r}")
    if len(files) == 1 and Path(os.fspath(path_or_glob)).is_file():
        return files  # named explicitly: read_part says what is wrong with it
    logs: list[Path] = []
    others: list[Path] = []
    for f in files:
        try:
            schema = pq.read_schema(f)
        except (OSError, pa.ArrowException) as exc:
            raise DatasetError(f"{f}: not a readable Parquet file ({exc})") from exc
        (logs if _is_log_schema(schema) else others).append(f)
    if not logs:
        shown = ", ".join(str(f) for f in others[:3]) + (" ..." if len(others) > 3 else "")
        raise DatasetError(
            f"{os.fspath(path_or_glob)!r} holds {len(others)} Parquet file(s) but no ArchGym "
            f"evaluation log (e.g. {shown}: missing column(s) "
            f"{', '.join(c for c in REQUIRED_COLUMNS if c not in pq.read_schema(others[0]).names)}"
            "); give a sweep folder, a log folder or a glob of log parts"
        )
    return logs


def _description(table: pa.Table) -> dict[str, Any] | None:
    raw = (table.schema.metadata or {}).get(METADATA_KEY)
    if raw is None:
        return None
    try:
        meta = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None
    desc = meta.get("description") if isinstance(meta, dict) else None
    return desc if isinstance(desc, dict) else None


def read_part(file: Path) -> pd.DataFrame:
    """Read and check one part file; raise DatasetError naming the file if it is not a log.

    The part's env description is in ``df.attrs["archgym_descriptions"]``.
    """
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
    df = table.to_pandas()
    desc = _description(table)
    df.attrs[DESCRIPTIONS_ATTR] = [desc] if desc is not None else []
    return df


def concat_parts(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate part frames, keeping the distinct env descriptions in ``attrs``."""
    seen: dict[str, dict[str, Any]] = {}
    for f in frames:
        for d in f.attrs.get(DESCRIPTIONS_ATTR, []):
            seen.setdefault(json.dumps(d, sort_keys=True, default=str), d)
    df = pd.concat(frames, ignore_index=True, sort=False)
    if "invalid" in df:
        df["invalid"] = df["invalid"].astype(bool)
    df.attrs = {DESCRIPTIONS_ATTR: list(seen.values())}
    return df


def load(path_or_glob: str | os.PathLike[str]) -> pd.DataFrame:
    """Load evaluation logs into one DataFrame.

    Args:
        path_or_glob: A sweep results folder (its ``evaluations/`` are read), a
            log folder (searched recursively), one Parquet file, or a glob such
            as ``"runs/**/*.parquet"``. Parquet files that are not evaluation
            logs (a sweep's trial summaries) are skipped.

    Returns:
        One row per evaluation; ``df.attrs["archgym_descriptions"]`` lists the
        env descriptions stored with the parts (see :func:`descriptions`).

    Raises:
        DatasetError: nothing matches, or a file is not a valid log (the
            message names the file).
    """
    return concat_parts([read_part(f) for f in log_files(path_or_glob)])


def descriptions(df: pd.DataFrame) -> list[dict[str, Any]]:
    """The env descriptions stored with the logs that ``df`` was loaded from."""
    return list(df.attrs.get(DESCRIPTIONS_ATTR, []))


def describe_data(
    df: pd.DataFrame, env_id: str, workload: str | None = None
) -> dict[str, Any]:
    """The stored description of ``env_id`` (and ``workload``) among a log's descriptions.

    Descriptions of one env differ across workloads only in ``workload`` and,
    for targets whose space depends on the workload, in the design space;
    without ``workload`` the space must be the same for all.

    Raises:
        DatasetError: the logs carry no description of that env (they predate
            descriptions, or hold another env), or their spaces differ.
    """
    found = [d for d in descriptions(df) if d.get("env_id") == env_id]
    if workload is not None:
        found = [d for d in found if d.get("workload") == workload] or found
    if not found:
        ids = sorted({str(d.get("env_id")) for d in descriptions(df)})
        raise DatasetError(
            f"the logs carry no description of env {env_id!r} (descriptions found for: "
            f"{ids or 'none'}); they were written by an older ArchGym or hold another env"
        )
    spaces = {d.get("design_space_fingerprint") for d in found}
    if len(spaces) > 1:
        raise DatasetError(
            f"the logs of {env_id!r} hold {len(spaces)} different design spaces (one per "
            f"workload: {sorted(str(d.get('workload')) for d in found)}); choose a workload"
        )
    return found[0]


def design_columns(df: pd.DataFrame) -> list[str]:
    """Names of the design parameters present in a log (without the prefix)."""
    return [c.removeprefix("design.") for c in df.columns if c.startswith("design.")]


def metric_columns(df: pd.DataFrame) -> list[str]:
    """Names of the metrics present in a log (without the prefix)."""
    return [c.removeprefix("metric.") for c in df.columns if c.startswith("metric.")]

