"""LLM-serving workloads: a model served under a request trace.

Shipped workloads are named ``MODEL/TRACE`` (1,000 requests each, generated
with a fixed seed by :func:`.traces.generate_trace`):

==================================  ========  =======================================
name                                rate      what it is
==================================  ========  =======================================
``llama-3-8b/azure-conv``           25 /s     chat on a small model
``llama-3-8b/azure-code``           10 /s     code completion: long prompts, short outputs
``llama-3-70b/azure-conv``          6 /s      chat on a large model (the env's default)
``llama-3-70b/sharegpt``            2 /s      ShareGPT-4 multi-turn chats
``llama-2-70b/arxiv-summarization`` 0.6 /s    long-context summarisation
``mixtral-8x7b/azure-conv``         12 /s     chat on a mixture-of-experts model
``llama-2-7b/sharegpt``             6 /s      ShareGPT-4 chats on Llama-2-7B (MHA, no GQA)
==================================  ========  =======================================

The rates load a mid-size deployment of the design space (a few replicas)
near saturation, so that neither the smallest nor the largest design wins
trivially. Azure traces keep their measured burstiness (gamma inter-arrival
times with the trace's coefficient of variation: 13.2 for code, 1.09 for
conversation); the others arrive as a Poisson process.

Any other workload is a trace file (:func:`.traces.load_trace`), given as
``MODEL:PATH`` (e.g. ``llama-3-70b:/data/trace.csv``) or as a bare ``PATH``,
whose model is then named by a ``# model: KEY`` comment line in the file, or
is :data:`DEFAULT_MODEL`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from archgym.errors import ConfigError, UnknownName
from archgym.simulators.llm_serving.models import MODELS, ModelSpec
from archgym.simulators.llm_serving.traces import Trace, generate_trace, load_trace

__all__ = ["DEFAULT_MODEL", "NAMES", "SHIPPED", "ServingWorkload", "resolve_workload"]

#: Model of a trace file that names none.
DEFAULT_MODEL = "llama-3-8b"
#: Requests in every shipped workload.
SHIPPED_REQUESTS = 1000

#: Shipped workload name -> (model, trace kind, arrival rate in requests/s, seed).
SHIPPED: dict[str, tuple[str, str, float, int]] = {
    "llama-3-8b/azure-conv": ("llama-3-8b", "azure-conv", 25.0, 0),
    "llama-3-8b/azure-code": ("llama-3-8b", "azure-code", 10.0, 1),
    "llama-3-70b/azure-conv": ("llama-3-70b", "azure-conv", 6.0, 2),
    "llama-3-70b/sharegpt": ("llama-3-70b", "sharegpt", 2.0, 3),
    "llama-2-70b/arxiv-summarization": ("llama-2-70b", "arxiv-summarization", 0.6, 4),
    "mixtral-8x7b/azure-conv": ("mixtral-8x7b", "azure-conv", 12.0, 5),
    "llama-2-7b/sharegpt": ("llama-2-7b", "sharegpt", 6.0, 6),
}
#: Names of the shipped workloads, in a fixed order.
NAMES = tuple(SHIPPED)

_MODEL_LINE = re.compile(r"^\s*#\s*model\s*:\s*(\S+)\s*$", re.IGNORECASE)


@dataclass(frozen=True, eq=False)
class ServingWorkload:
    """A model and the trace of requests it serves.

    Attributes:
        model: The served model.
        trace: The requests.
        name: Label logged for the workload.
    """

    model: ModelSpec
    trace: Trace
    name: str


def _model_of_file(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if not line.lstrip().startswith("#"):
                    break
                match = _MODEL_LINE.match(line)
                if match:
                    return match.group(1)
    except OSError:
        pass
    return DEFAULT_MODEL


def resolve_workload(workload: str | os.PathLike[str] | ServingWorkload) -> ServingWorkload:
    """The :class:`ServingWorkload` of a shipped name, ``MODEL:PATH``, a path, or a workload.

    Raises:
        ConfigError: ``workload`` is neither a string, a path nor a workload.
        UnknownName: an unknown shipped name or model, or a path that is not a file.
        TraceError: a malformed trace file.
    """
    if isinstance(workload, ServingWorkload):
        return workload
    if not isinstance(workload, (str, os.PathLike)):
        raise ConfigError(f"workload must be a workload name, MODEL:PATH or a trace file path, "
                          f"got {workload!r} ({type(workload).__name__})")
    text = os.fspath(workload)
    if text in SHIPPED:
        model, kind, rate, seed = SHIPPED[text]
        trace = generate_trace(kind, SHIPPED_REQUESTS, rate, seed=seed, name=text)
        return ServingWorkload(MODELS[model], trace, text)
    model_key, _, rest = text.partition(":")
    if rest and model_key in MODELS and Path(rest).is_file():
        return ServingWorkload(MODELS[model_key], load_trace(rest), text)
    if Path(text).is_file():
        return ServingWorkload(MODELS[_model_of_file(text)], load_trace(text), text)
    if rest and model_key not in MODELS and "/" not in model_key:
        raise UnknownName("model", model_key, MODELS)
    raise UnknownName("workload (a shipped MODEL/TRACE name, MODEL:PATH or a trace file)",
                      text, NAMES)
