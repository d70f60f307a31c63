"""The `Simulator` protocol every backend implements (real simulators and proxies).

A simulator knows nothing of Gymnasium or agents: it declares its design
space, the metrics it reports (with units and whether lower or higher is
better) and the workloads it ships, and it evaluates designs.

Workloads: :meth:`Simulator.evaluate` takes a shipped workload name, the path
of a workload file in the target's format, or a workload object of the
target's own type (a trace, a layer table, a task graph). The simulator
resolves names and paths itself (:meth:`Simulator.resolve_workload`, cached),
so callers pass what the user gave; :meth:`Simulator.workload_label` is the
text logged for it.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from archgym.errors import InvalidDesign, UnknownName
from archgym.space import DesignSpace

__all__ = ["Metric", "Simulator"]


@dataclass(frozen=True)
class Metric:
    """A metric a simulator reports.

    Args:
        name: Metric key in the result dict, e.g. ``"latency_ns"``.
        unit: Unit of the value, e.g. ``"ns"``, ``"mW"``, ``"GB/s"``.
        goal: ``"min"`` when lower is better, ``"max"`` when higher is better.
        description: One line saying what is measured.
    """

    name: str
    unit: str
    goal: Literal["min", "max"] = "min"
    description: str = ""

    def __post_init__(self) -> None:
        if self.goal not in ("min", "max"):
            raise ValueError(
                f"Metric {self.name!r}: goal must be 'min' or 'max', got {self.goal!r}"
            )

    def to_dict(self) -> dict[str, str]:
        """The metric as plain data (as written into env descriptions and proxy files)."""
        return {"name": self.name, "unit": self.unit, "goal": self.goal,
                "description": self.description}


class Simulator(ABC):
    """Base class of every simulation backend.

    Subclasses set :attr:`design_space`, :attr:`metrics` and :attr:`workloads`
    and implement :meth:`evaluate`; they override :meth:`evaluate_batch` when
    they can vectorise over designs.

    A simulator is deterministic: the same design and workload give the same
    metrics. It never prints and never reads global state.
    """

    #: The design space of the hardware target.
    design_space: DesignSpace
    #: The metrics :meth:`evaluate` returns, in a fixed order.
    metrics: tuple[Metric, ...]
    #: Names of the workloads shipped with the simulator.
    workloads: tuple[str, ...]
    #: Which kind of backend answers (``info["backend"]`` in the env).
    backend: str = "simulator"

    @abstractmethod
    def evaluate(self, design: Mapping[str, Any], workload: Any) -> dict[str, float]:
        """Simulate one design on one workload.

        Args:
            design: A design of :attr:`design_space`.
            workload: A workload name from :attr:`workloads`, a workload file
                path, or a workload object the simulator documents (e.g. a trace).

        Returns:
            Metric name -> value, in the units of :attr:`metrics`.

        Raises:
            InvalidDesign: the design is not in :attr:`design_space` or breaks
                a rule of the hardware; the message says which.
        """

    def evaluate_index(
        self,
        index: Sequence[int] | np.ndarray,
        workload: Any,
        design: Mapping[str, Any] | None = None,
    ) -> dict[str, float]:
        """Simulate the design at ``index`` (an index vector of :attr:`design_space`).

        Envs call this with the decoded ``design`` too, so that no backend
        converts twice: simulators use the design, proxies the index.
        """
        if design is None:
            design = self.design_space.from_index(index)
        return self.evaluate(design, workload)

    def evaluate_batch(
        self, designs: Sequence[Mapping[str, Any]], workload: Any
    ) -> dict[str, np.ndarray]:
        """Simulate many designs on one workload.

        The default loops over :meth:`evaluate`. An invalid design gives NaN
        in every metric of its row instead of raising.

        Returns:
            Metric name -> array of shape ``(len(designs),)``.
        """
        out = {m.name: np.full(len(designs), np.nan) for m in self.metrics}
        for i, design in enumerate(designs):
            try:
                result = self.evaluate(design, workload)
            except InvalidDesign:
                continue
            for name, value in result.items():
                if name in out:
                    out[name][i] = value
        return out

    @property
    def metric_names(self) -> tuple[str, ...]:
        """Names of :attr:`metrics`, in order."""
        return tuple(m.name for m in self.metrics)

    def metric(self, name: str) -> Metric:
        """The :class:`Metric` called ``name``."""
        for m in self.metrics:
            if m.name == name:
                return m
        raise UnknownName("metric", name, self.metric_names)

    def close(self) -> None:
        """Release resources and write anything buffered (called by ``env.close()``)."""
        return None

    def check_workload(self, workload: str) -> str:
        """Return ``workload`` if it is a shipped workload name, else raise UnknownName."""
        if workload not in self.workloads:
            raise UnknownName("workload", workload, self.workloads)
        return workload

    def resolve_workload(self, workload: Any) -> Any:
        """The workload object :meth:`evaluate` runs for ``workload``.

        The default accepts shipped names only (returned as they are) and
        passes other objects through; targets with workload files override it
        to load paths (and cache what they load).

        Raises:
            UnknownName: a name that is neither shipped nor an existing file.
        """
        if isinstance(workload, str):
            return self.check_workload(workload)
        return workload

    def workload_label(self, workload: Any) -> str:
        """The text logged for ``workload``: a name or path as given, else the object's name."""
        if isinstance(workload, (str, os.PathLike)):
            return os.fspath(workload)
        return str(getattr(workload, "name", workload))
