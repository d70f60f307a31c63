"""Agent-comparison experiments: sweep specs, a resumable runner, statistics, plots, reports.

>>> from archgym.experiment import load_spec, run_sweep, load_results
>>> spec = load_spec("experiments/demo.yaml")                    # doctest: +SKIP
>>> run_sweep(spec, "results/demo", workers=2)                   # doctest: +SKIP
>>> trials, evaluations = load_results("results/demo")           # doctest: +SKIP

Modules: :mod:`~archgym.experiment.spec` (YAML specs), :mod:`~archgym.experiment.trials`
(expansion, stable ids), :mod:`~archgym.experiment.imports` (a spec's modules),
:mod:`~archgym.experiment.check` (names and values checked before a sweep runs),
:mod:`~archgym.experiment.runner` (one trial), :mod:`~archgym.experiment.executors`
(process pool, Ray), :mod:`~archgym.experiment.store` (results folder),
:mod:`~archgym.experiment.sweep` (resume logic), :mod:`~archgym.experiment.stats`
(IQM, bootstrap, probability of improvement), :mod:`~archgym.experiment.analysis`
(tables from results), :mod:`~archgym.experiment.plots` and
:mod:`~archgym.experiment.report`.
"""

from archgym.experiment.check import check_spec
from archgym.experiment.spec import SweepSpec, load_spec, parse_spec
from archgym.experiment.store import Results, ResultsStore, load_results
from archgym.experiment.sweep import SweepStatus, run_sweep, sweep_status
from archgym.experiment.trials import Trial, expand

__all__ = [
    "Results",
    "ResultsStore",
    "SweepSpec",
    "SweepStatus",
    "Trial",
    "check_spec",
    "expand",
    "load_results",
    "load_spec",
    "parse_spec",
    "run_sweep",
    "sweep_status",
]
