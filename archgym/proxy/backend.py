"""Proxy backends: a trained :class:`ProxyModel` answering in place of the simulator.

* :class:`ProxySimulator` implements the :class:`~archgym.simulator.Simulator`
  protocol from a proxy artifact (batched: :meth:`ProxySimulator.evaluate_batch`
  predicts all designs in one model call).
* :class:`AutoSimulator` answers from the proxy when the proxy's uncertainty
  is below a threshold and from the real simulator otherwise, optionally
  logging the simulator's answers as Parquet rows of the evaluation-log schema
  (so they can grow the training set).

Both are reached through the backend registry (:mod:`archgym.backends`)::

    gym.make(ENV_ID, backend="proxy", proxy_model="model.proxy")
    gym.make(ENV_ID, backend="auto", proxy_model="ens.proxy", uncertainty_threshold=0.1)

A proxy knows only the declared constraints of the design space; a design the
real simulator would reject for another reason still gets a prediction.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from archgym.errors import ConfigError, InvalidDesign
from archgym.proxy.artifact import ProxyModel, load_model
from archgym.simulator import Simulator
from archgym.space import DesignSpace

__all__ = ["AutoSimulator", "ProxySimulator", "auto_backend", "proxy_backend"]


class ProxySimulator(Simulator):
    """A trained proxy as a :class:`Simulator`.

    Args:
        model: A :class:`ProxyModel` or the path of its file.
        design_space: The env's design space (checked against the model's;
            its constraints are enforced). Default: rebuilt from the
            artifact, without constraints.

    Attributes:
        last_uncertainty: Uncertainty of the last :meth:`evaluate` (None
            without an ensemble).
    """

    backend = "proxy"

    def __init__(
        self, model: ProxyModel | str | os.PathLike[str], design_space: DesignSpace | None = None
    ):
        self.model = load_model(model)
        if design_space is None:
            design_space = DesignSpace.from_signature(self.model.space_signature)
        self.model.check_space(design_space)
        self.design_space = design_space
        self.metrics = self.model.metrics
        self.workloads = self.model.workloads
        self.last_uncertainty: float | None = None

    def resolve_workload(self, workload: Any) -> str:
        """The name of ``workload`` if the model was trained on it (else ConfigError)."""
        return self.model.check_workload(self.workload_label(workload))

    def predict(self, index: np.ndarray, workload: Any) -> tuple[np.ndarray, np.ndarray | None]:
        """Metrics ``(n, n_metrics)`` and uncertainty ``(n,)`` (or None) for an index matrix."""
        name = self.resolve_workload(workload)
        return self.model.predict_index(np.asarray(index, dtype=np.int64), name, self.design_space)

    def _answer(self, index: Sequence[int] | np.ndarray, workload: Any) -> dict[str, float]:
        y, u = self.predict(np.asarray(index, dtype=np.int64)[None, :], workload)
        self.last_uncertainty = None if u is None else float(u[0])
        return {name: float(y[0, j]) for j, name in enumerate(self.metric_names)}

    def evaluate(self, design: Mapping[str, Any], workload: Any) -> dict[str, float]:
        return self._answer(self.design_space.to_index(design), workload)

    def evaluate_index(
        self,
        index: Sequence[int] | np.ndarray,
        workload: Any,
        design: Mapping[str, Any] | None = None,
    ) -> dict[str, float]:
        """Predict straight from the index vector (no design-dict round trip)."""
        return self._answer(index, workload)

    def evaluate_batch(
        self, designs: Sequence[Mapping[str, Any]], workload: Any
    ) -> dict[str, np.ndarray]:
        """Predict every design in one model call; invalid designs give NaN rows."""
        index, valid = self.design_space.index_lenient(designs)
        y, _ = self.predict(index, workload)
        y[~valid] = np.nan
        return {name: y[:, j] for j, name in enumerate(self.metric_names)}


def _check_metrics(proxy: ProxyModel, simulator: Simulator) -> None:
    missing = [m for m in simulator.metric_names if m not in proxy.metric_names]
    if missing:
        raise ConfigError(
            f"proxy model for {proxy.env_id} lacks metric(s) {', '.join(missing)} of the "
            f"simulator (the model has {', '.join(proxy.metric_names)})"
        )


def proxy_backend(
    simulator: Simulator,
    *,
    design_space: DesignSpace,
    workload: Any,
    proxy_model: Any = None,
    **options: Any,
) -> ProxySimulator:
    """Backend factory ``"proxy"``: the env's simulator replaced by ``proxy_model``.

    ``workload`` is the env's workload label, or a tuple of labels for an env
    that samples several; the model must have been trained on each (matched
    by :meth:`ProxyModel.check_workload`).
    """
    if options:
        raise ConfigError(f"backend 'proxy' takes only proxy_model; got {sorted(options)}")
    if proxy_model is None:
        raise ConfigError("backend 'proxy' needs proxy_model=PATH (a trained proxy artifact)")
    proxy = load_model(proxy_model)
    proxy.check_space(design_space)
    for label in workload if isinstance(workload, tuple) else (workload,):
        proxy.check_workload(label)
    _check_metrics(proxy, simulator)
    return ProxySimulator(proxy, design_space=design_space)


class AutoSimulator(Simulator):
    """Proxy when it is confident, simulator otherwise.

    Args:
        simulator: The real simulator.
        proxy: A :class:`ProxySimulator` whose model has an uncertainty.
        uncertainty_threshold: The proxy answers when its uncertainty (see
            :meth:`ProxyModel.predict_index`) is ``< uncertainty_threshold``.
        log_dir: Folder to write the simulator's answers to (evaluation-log
            schema, ``agent == "auto-backend"``); None to not log.
        flush_every: Simulator answers buffered before a part file is written.

    Attributes:
        last_backend: Which backend answered the last :meth:`evaluate`.
        n_proxy, n_simulated: Designs answered by each so far.
    """

    backend = "auto"

    def __init__(
        self,
        simulator: Simulator,
        proxy: ProxySimulator,
        uncertainty_threshold: float,
        log_dir: str | os.PathLike[str] | None = None,
        flush_every: int = 100,
    ):
        if not proxy.model.has_uncertainty:
            raise ConfigError(
                f"backend 'auto' needs a model with uncertainty (kind 'ensemble'), got "
                f"{proxy.model.kind!r}"
            )
        threshold = float(uncertainty_threshold)
        if not threshold >= 0:
            raise ConfigError(f"uncertainty_threshold must be >= 0, got {uncertainty_threshold!r}")
        self.simulator, self.proxy, self.threshold = simulator, proxy, threshold
        self.design_space = proxy.design_space
        self.metrics = simulator.metrics
        self.workloads = simulator.workloads
        self.log_dir = None if log_dir is None else Path(log_dir)
        self.flush_every = max(1, int(flush_every))
        self.last_backend = "auto"
        self.n_proxy = 0
        self.n_simulated = 0
        self._rows: list[dict[str, Any]] = []
        self._parts = 0

    def resolve_workload(self, workload: Any) -> Any:
        self.proxy.resolve_workload(workload)
        return self.simulator.resolve_workload(workload)

    def evaluate(self, design: Mapping[str, Any], workload: Any) -> dict[str, float]:
        return self.evaluate_index(self.design_space.to_index(design), workload, design)

    def evaluate_index(
        self,
        index: Sequence[int] | np.ndarray,
        workload: Any,
        design: Mapping[str, Any] | None = None,
    ) -> dict[str, float]:
        """The proxy's answer when it is confident, else the simulator's (logged)."""
        if design is None:
            design = self.design_space.from_index(index)
        y, u = self.proxy.predict(np.asarray(index, dtype=np.int64)[None, :], workload)
        if u is not None and float(u[0]) < self.threshold:
            self.last_backend = "proxy"
            self.n_proxy += 1
            return {name: float(y[0, j]) for j, name in enumerate(self.proxy.metric_names)}
        self.last_backend = "simulator"
        self.n_simulated += 1
        start = time.perf_counter()
        try:
            result = self.simulator.evaluate_index(index, workload, design)
        except InvalidDesign as exc:
            self._log(design, workload, None, str(exc), time.perf_counter() - start)
            raise
        self._log(design, workload, result, "", time.perf_counter() - start)
        return result

    def evaluate_batch(
        self, designs: Sequence[Mapping[str, Any]], workload: Any
    ) -> dict[str, np.ndarray]:
        """Proxy answers for confident designs; one simulator batch for the rest."""
        index, valid = self.design_space.index_lenient(designs)
        y, u = self.proxy.predict(index, workload)
        if u is None:  # pragma: no cover - checked in __init__
            raise ConfigError("backend 'auto' needs a model with uncertainty")
        out = {name: y[:, j].copy() for j, name in enumerate(self.proxy.metric_names)}
        ask = np.flatnonzero(valid & (u >= self.threshold)).tolist()
        self.n_proxy += int(valid.sum()) - len(ask)
        self.n_simulated += len(ask)
        if len(ask):
            sim = self.simulator.evaluate_batch([designs[i] for i in ask], workload)
            for name in out:
                out[name][ask] = sim[name]
            for r, i in enumerate(ask):
                res = {name: float(sim[name][r]) for name in sim}
                ok = all(np.isfinite(v) for v in res.values())
                self._log(
                    designs[i], workload, res if ok else None, "" if ok else "invalid design", 0.0
                )
        for name in out:
            out[name][~valid] = np.nan
        self.last_backend = "auto"
        return out

    # --------------------------------------------------------------- logging
    def _log(
        self,
        design: Mapping[str, Any],
        workload: Any,
        result: Mapping[str, float] | None,
        error: str,
        seconds: float,
    ) -> None:
        if self.log_dir is None:
            return
        from archgym.datalog import RunInfo, evaluation_row, package_version

        model = self.proxy.model
        self._rows.append(evaluation_row(
            env_id=model.env_id,
            env_version=model.env_version,
            workload=self.workload_label(workload),
            design=design,
            metrics={m: (float(result[m]) if result is not None else float("nan"))
                     for m in self.metric_names},
            reward=float("nan"),
            target_met=False,
            invalid=result is None,
            error=error,
            backend="simulator",
            run=RunInfo(agent="auto-backend"),
            step=self.n_simulated - 1,
            episode=0,
            wall_time_s=seconds,
            version=package_version(),
        ))
        if len(self._rows) >= self.flush_every:
            self.flush()

    def close(self) -> None:
        """Write the buffered simulator answers (``env.close()`` calls this)."""
        self.flush()
        self.simulator.close()

    def flush(self) -> Path | None:
        """Write the buffered simulator answers as one part file; return its path."""
        if self.log_dir is None or not self._rows:
            return None
        from archgym.datalog import part_metadata, write_rows

        meta = part_metadata({**self.proxy.model.description(), "backend": "simulator"})
        path = self.log_dir / f"part-auto-{uuid.uuid4().hex[:12]}-{self._parts:05d}.parquet"
        write_rows(self._rows, path, meta)
        self._parts += 1
        self._rows = []
        return path


def auto_backend(
    simulator: Simulator,
    *,
    design_space: DesignSpace,
    workload: Any,
    proxy_model: Any = None,
    uncertainty_threshold: float | None = None,
    log_dir: str | os.PathLike[str] | None = None,
    flush_every: int = 100,
    **options: Any,
) -> AutoSimulator:
    """Backend factory ``"auto"``: see :class:`AutoSimulator`."""
    if options:
        raise ConfigError(
            "backend 'auto' takes proxy_model, uncertainty_threshold, log_dir and flush_every; "
            f"got {sorted(options)}"
        )
    if uncertainty_threshold is None:
        raise ConfigError("backend 'auto' needs uncertainty_threshold=U (e.g. 0.1)")
    proxy = proxy_backend(
        simulator, design_space=design_space, workload=workload, proxy_model=proxy_model
    )
    return AutoSimulator(simulator, proxy, uncertainty_threshold, log_dir, flush_every)
