"""The results folder of a sweep: layout, atomic commits, resume, loading.

Layout of ``DIR``::

    spec.yaml                       the spec the sweep was (last) run with
    trials/<trial_id>.parquet       one summary row per finished trial (done or failed)
    evaluations/<trial_id>/*.parquet  every evaluation of that trial (RecordEvaluations logs;
                                    for a failed trial, those made before it failed)
    .scratch/<trial_id>/            parts of a trial still running (moved on commit)
    baselines.parquet               each env's default design, evaluated once per workload
    figures/*.png, report.md        written by ``archgym report``

Every file is written to a hidden temporary name and renamed into place, and
a trial's summary is written *after* its evaluations: a trial is finished
exactly when its summary file exists. A sweep killed at any moment (even with
``kill -9``) therefore leaves only whole files, and at worst the evaluation
files of a trial whose summary was not yet written; the next run of the sweep
deletes those and runs the trial again, and :func:`load_results` never reads
them. Both tables read with pandas (:func:`load_results`) or DuckDB::

    SELECT * FROM read_parquet('DIR/trials/*.parquet', union_by_name=true);
    SELECT * FROM read_parquet('DIR/evaluations/*/*.parquet', union_by_name=true);
"""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from archgym.atomic import write_bytes_atomic
from archgym.datalog import read_part, write_table_atomic
from archgym.errors import ConfigError, DatasetError
from archgym.experiment.runner import TrialOutcome
from archgym.yamlio import YamlError, load_yaml

__all__ = ["Results", "ResultsStore", "load_results"]


class ResultsStore:
    """Reads and writes one sweep's results folder.

    Args:
        root: The results folder (created on first write).
    """

    def __init__(self, root: str | os.PathLike[str]):
        self.root = Path(root)
        self.trials_dir = self.root / "trials"
        self.evaluations_dir = self.root / "evaluations"
        self.figures_dir = self.root / "figures"
        self.scratch_root = self.root / ".scratch"
        self.baselines_path = self.root / "baselines.parquet"
        self.spec_path = self.root / "spec.yaml"

    # ------------------------------------------------------------ writing
    @contextmanager
    def lock(self) -> Iterator[None]:
        """Hold an exclusive lock on the folder (released even on ``kill -9``).

        Raises:
            ConfigError: Another live sweep holds the lock.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        import fcntl

        fh = open(self.root / ".lock", "w")  # noqa: SIM115  (held for the block)
        try:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno in (errno.EAGAIN, errno.EACCES):
                    raise ConfigError(
                        f"another sweep is running in {str(self.root)!r} (its lock is held)"
                    ) from exc
                raise
            yield
        finally:
            fh.close()

    def save_spec(self, raw: Mapping[str, Any]) -> None:
        """Store the spec next to the results (atomically)."""
        self.root.mkdir(parents=True, exist_ok=True)
        text = yaml.safe_dump(dict(raw), sort_keys=False)
        write_bytes_atomic(self.spec_path, text.encode())

    def clean_unfinished(self) -> list[str]:
        """Delete leftovers of interrupted trials; return their trial ids.

        Removes evaluation folders without a summary, the scratch folders of
        trials that were running, and hidden temporary files. Call only while
        holding :meth:`lock`.
        """
        finished = self.finished_ids()
        removed = []
        if self.evaluations_dir.is_dir():
            for folder in sorted(self.evaluations_dir.iterdir()):
                if folder.is_dir() and folder.name not in finished:
                    shutil.rmtree(folder)
                    removed.append(folder.name)
        if self.scratch_root.is_dir():
            shutil.rmtree(self.scratch_root)
        for tmp in self.root.rglob(".*.tmp"):
            tmp.unlink(missing_ok=True)
        return removed

    def scratch_dir(self, trial_id: str) -> Path:
        """The folder a running trial writes its evaluation parts to."""
        return self.scratch_root / trial_id

    def commit(self, outcome: TrialOutcome) -> None:
        """Write a trial's evaluations, then its summary row (each file atomically).

        The evaluations come from the outcome (bytes) or, when it holds none,
        from the trial's scratch folder (moved into place).
        """
        tid = outcome.summary["trial_id"]
        folder = self.evaluations_dir / tid
        if folder.exists():
            shutil.rmtree(folder)
        scratch = self.scratch_dir(tid)
        if outcome.evaluations:
            folder.mkdir(parents=True)
            for name, data in outcome.evaluations.items():
                write_bytes_atomic(folder / name, data)
        elif scratch.is_dir() and any(scratch.glob("*.parquet")):
            folder.parent.mkdir(parents=True, exist_ok=True)
            for tmp in scratch.glob(".*.tmp"):
                tmp.unlink(missing_ok=True)
            os.replace(scratch, folder)
        if scratch.exists():
            shutil.rmtree(scratch)
        summary = dict(outcome.summary)
        if summary.get("status") == "failed" and folder.is_dir():
            # a worker that died could not count its rows: count what it flushed
            summary["evaluations"] = sum(
                pq.read_metadata(p).num_rows for p in folder.glob("*.parquet")
            )
            summary["partial"] = summary["evaluations"] > 0
        table = pa.Table.from_pandas(pd.DataFrame([summary]), preserve_index=False)
        write_table_atomic(table, self.trials_dir / f"{tid}.parquet")

    def save_baselines(self, rows: list[dict[str, Any]]) -> None:
        """Store the baseline rows (replacing the file atomically)."""
        table = pa.Table.from_pandas(pd.DataFrame(rows), preserve_index=False)
        write_table_atomic(table, self.baselines_path)

    # ------------------------------------------------------------ reading
    def load_baselines(self) -> pd.DataFrame:
        """The baselines table (one row per env label and workload; empty when none)."""
        if not self.baselines_path.is_file():
            return pd.DataFrame(columns=["env_label", "workload", "reward"])
        try:
            return pq.read_table(self.baselines_path).to_pandas()
        except (OSError, pa.ArrowException) as exc:
            raise DatasetError(f"{self.baselines_path}: not a readable baselines table "
                               f"({exc})") from exc

    def finished_ids(self) -> set[str]:
        """Ids of trials whose summary exists (done or failed)."""
        if not self.trials_dir.is_dir():
            return set()
        return {p.stem for p in self.trials_dir.glob("*.parquet") if not p.name.startswith(".")}

    def load_spec_data(self) -> dict[str, Any]:
        """The stored spec as loaded YAML.

        Raises:
            DatasetError: The folder holds no sweep (no ``spec.yaml``).
        """
        if not self.spec_path.is_file():
            raise DatasetError(f"{str(self.root)!r} is not a sweep results folder (no spec.yaml)")
        try:
            data = load_yaml(self.spec_path.read_text(encoding="utf-8"))
        except (YamlError, UnicodeDecodeError) as exc:
            raise DatasetError(
                f"{self.spec_path}: the stored sweep spec is corrupted ({exc})"
            ) from exc
        if not isinstance(data, dict):
            raise DatasetError(f"{self.spec_path}: the stored sweep spec is not a mapping")
        return data

    def load_trials(self) -> pd.DataFrame:
        """The trials table: one row per finished trial, sorted by trial id."""
        files = (
            sorted(p for p in self.trials_dir.glob("*.parquet") if not p.name.startswith("."))
            if self.trials_dir.is_dir()
            else []
        )
        if not files:
            return pd.DataFrame(columns=["trial_id", "status"])
        frames = []
        for f in files:
            try:
                frames.append(pq.read_table(f).to_pandas())
            except (OSError, pa.ArrowException) as exc:
                raise DatasetError(f"{f}: not a readable trial summary ({exc})") from exc
        return pd.concat(frames, ignore_index=True, sort=False)

    def load_evaluations(self, trial_ids: Iterable[str] | None = None) -> pd.DataFrame:
        """The evaluations table of finished trials (or of ``trial_ids``), sorted."""
        wanted = self.finished_ids() if trial_ids is None else set(trial_ids)
        frames: list[pd.DataFrame] = []
        for tid in sorted(wanted):
            folder = self.evaluations_dir / tid
            if folder.is_dir():
                frames.extend(
                    read_part(p)
                    for p in sorted(folder.glob("*.parquet"))
                    if not p.name.startswith(".")
                )
        if not frames:
            return pd.DataFrame(columns=["run_id", "step", "reward"])
        df = pd.concat(frames, ignore_index=True, sort=False)
        return df.sort_values(["run_id", "step"], kind="stable").reset_index(drop=True)


@dataclass
class Results:
    """A sweep's results as DataFrames (unpacks as ``trials, evaluations = ...``).

    Attributes:
        trials: One row per finished trial (see
            :func:`archgym.experiment.runner.summary_row` for the columns).
        evaluations: One row per evaluation (the
            :mod:`archgym.datalog` schema); ``run_id`` is the trial id.
        spec: The stored spec (loaded YAML).
        baselines: Each env's default design evaluated once per workload
            (``env_label``, ``workload``, ``design``, ``reward``, ``target_met``,
            ``invalid``, ``error``, ``metric.<name>``).
    """

    trials: pd.DataFrame
    evaluations: pd.DataFrame
    spec: dict[str, Any]
    baselines: pd.DataFrame = field(default_factory=pd.DataFrame)

    def __iter__(self) -> Iterator[pd.DataFrame]:
        return iter((self.trials, self.evaluations))


def load_results(root: str | os.PathLike[str]) -> Results:
    """Load a sweep's trials and evaluations tables.

    Args:
        root: The results folder given to ``archgym sweep --out``.

    Raises:
        DatasetError: The folder is not a sweep results folder.
    """
    store = ResultsStore(root)
    spec = store.load_spec_data()
    return Results(store.load_trials(), store.load_evaluations(), spec, store.load_baselines())
