"""Proxy (surrogate) cost models trained from evaluation logs.

Train a proxy from Parquet logs (:func:`fit`, or ``archgym proxy train``), read
its fidelity report (:mod:`archgym.proxy.fidelity`, ``archgym proxy eval``), and
use it as a backend of the same env::

    import archgym
    from archgym import datalog, proxy

    model = proxy.fit(datalog.load("runs/**/*.parquet"), "archgym/DRAMController-v0")
    model.save("dram.proxy")
    env = archgym.make("archgym/DRAMController-v0", backend="proxy", proxy_model="dram.proxy")

Public API for other code: :func:`load_model` (alias ``load``) reads and checks
an artefact; :meth:`ProxyModel.predict_index` predicts metrics (and an
ensemble's uncertainty) for design index vectors; ``model.env_id``,
``model.env_version``, ``model.workloads``, ``model.kind``, ``model.metrics``
and :meth:`ProxyModel.summary` describe it; :meth:`ProxyModel.check_workload`
and :meth:`ProxyModel.seen_in_training` tell whether it can answer for, and
was trained on, a workload and designs; :class:`ProxySimulator` wraps it as a
:class:`~archgym.simulator.Simulator` (``evaluate``, ``evaluate_batch``).
"""

from archgym.proxy.artifact import ProxyModel, load_model
from archgym.proxy.backend import AutoSimulator, ProxySimulator, auto_backend, proxy_backend
from archgym.proxy.dataset import Dataset, build_dataset
from archgym.proxy.fidelity import evaluate_model, evaluate_splits, format_table, scores
from archgym.proxy.models import DEFAULT_KIND, MODEL_KINDS, make_model
from archgym.proxy.splits import leave_one_out, make_splits, random_split
from archgym.proxy.training import env_description, fit, fit_dataset

load = load_model

__all__ = [
    "DEFAULT_KIND",
    "MODEL_KINDS",
    "AutoSimulator",
    "Dataset",
    "ProxyModel",
    "ProxySimulator",
    "auto_backend",
    "build_dataset",
    "env_description",
    "evaluate_model",
    "evaluate_splits",
    "fit",
    "fit_dataset",
    "format_table",
    "leave_one_out",
    "load",
    "load_model",
    "make_model",
    "make_splits",
    "proxy_backend",
    "random_split",
    "scores",
]
