"""Request traces: arrival times and prompt/output token counts.

A :class:`Trace` is three arrays of equal length: arrival time (s), prompt
tokens and output tokens, sorted by arrival. Traces come from

* :func:`generate_trace`: synthetic traces whose length distributions follow
  the published statistics in ``traces.yaml`` (Azure LLM inference trace 2023,
  Sarathi-Serve's ShareGPT-4 and arXiv-summarisation sets), with Poisson
  arrivals or gamma arrivals of a given coefficient of variation (burstiness);
* :func:`load_trace` for files: CSV with a header holding ``arrival_s``,
  ``prompt_tokens`` and ``output_tokens`` (extra columns ignored; ``#``
  comment lines allowed), or the Azure trace format ``TIMESTAMP,
  ContextTokens, GeneratedTokens`` (timestamps are shifted to start at 0).
"""

from __future__ import annotations

import csv
import functools
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from typing import Any

import numpy as np
import yaml

from archgym.errors import ConfigError, TraceError, UnknownName

__all__ = ["TRACE_KINDS", "Trace", "generate_trace", "load_trace", "trace_statistics"]

_COLUMNS = ("arrival_s", "prompt_tokens", "output_tokens")
_AZURE = ("TIMESTAMP", "ContextTokens", "GeneratedTokens")

#: Largest arrival time (s, about 30 years): later arrivals overflow the cost and energy figures.
MAX_ARRIVAL_S = 1e9
#: Largest prompt or output length (tokens), 100 x the longest context of any shipped model.
MAX_TOKENS = 100_000_000


@dataclass(frozen=True, eq=False)
class Trace:
    """Requests sorted by arrival.

    Attributes:
        arrival_s: Arrival times (s), non-decreasing, float64.
        prompt_tokens: Prompt tokens per request (>= 1), int64.
        output_tokens: Output tokens per request (>= 1), int64.
        name: Label (trace name or file path).
    """

    arrival_s: np.ndarray
    prompt_tokens: np.ndarray
    output_tokens: np.ndarray
    name: str = "trace"

    def __post_init__(self) -> None:
        a = np.ascontiguousarray(self.arrival_s, dtype=np.float64)
        try:
            p = np.ascontiguousarray(self.prompt_tokens, dtype=np.int64)
            o = np.ascontiguousarray(self.output_tokens, dtype=np.int64)
        except OverflowError:
            raise TraceError(f"trace {self.name!r}: a token count is beyond 64-bit integers; "
                             f"token counts must be in [1, {MAX_TOKENS:,}]") from None
        if not (a.ndim == p.ndim == o.ndim == 1 and len(a) == len(p) == len(o)):
            raise TraceError(f"trace {self.name!r}: arrival_s, prompt_tokens and output_tokens "
                             f"must be 1-D of equal length, got shapes {a.shape}, {p.shape}, "
                             f"{o.shape}")
        if len(a) == 0:
            raise TraceError(f"trace {self.name!r} has no requests")
        bad = ~np.isfinite(a) | (a < 0) | (a > MAX_ARRIVAL_S)
        if np.any(bad):
            i = int(np.argmax(bad))
            raise TraceError(f"trace {self.name!r}: request {i} has arrival time {float(a[i])!r} "
                             f"s; arrival times must be finite, >= 0 and <= {MAX_ARRIVAL_S:g} s")
        for label, col in (("prompt_tokens", p), ("output_tokens", o)):
            bad = (col < 1) | (col > MAX_TOKENS)
            if np.any(bad):
                i = int(np.argmax(bad))
                raise TraceError(f"trace {self.name!r}: request {i} has {label}={col[i]}; "
                                 f"token counts must be in [1, {MAX_TOKENS:,}]")
        if np.any(np.diff(a) < 0):
            order = np.argsort(a, kind="stable")
            a, p, o = a[order], p[order], o[order]
        for key, value in (("arrival_s", a), ("prompt_tokens", p), ("output_tokens", o)):
            value.setflags(write=False)
            object.__setattr__(self, key, value)

    def __len__(self) -> int:
        return len(self.arrival_s)

    @property
    def max_tokens(self) -> int:
        """Largest prompt + output of any request (KV-cache tokens it needs at the end)."""
        return int((self.prompt_tokens + self.output_tokens).max())


@functools.cache
def _catalogue() -> dict[str, Any]:
    text = resources.files("archgym.simulators.llm_serving").joinpath("traces.yaml").read_text()
    return yaml.safe_load(text)


#: Names of the trace kinds :func:`generate_trace` knows (``traces.yaml``).
TRACE_KINDS = ("azure-code", "azure-conv", "sharegpt", "arxiv-summarization")


def _sample_lengths(spec: Mapping[str, Any], percentiles: list[float], n: int,
                    rng: np.random.Generator, where: str) -> np.ndarray:
    kind = spec.get("kind")
    if kind == "quantiles":
        u = rng.random(n)
        values = np.log(np.asarray(spec["values"], dtype=np.float64))
        if len(values) != len(percentiles):
            raise ConfigError(f"traces.yaml: {where}: {len(values)} values for "
                              f"{len(percentiles)} percentiles")
        out = np.exp(np.interp(u * 100.0, percentiles, values))
    elif kind == "lognormal":
        mu = math.log(spec["median"])
        sigma = math.log(spec["p90"] / spec["median"]) / 1.2815515655446004
        z = rng.standard_normal(n)
        out = np.clip(np.exp(mu + sigma * z), spec["min"], spec["max"])
    else:
        raise ConfigError(f"traces.yaml: {where}: kind must be quantiles or lognormal, "
                          f"got {kind!r}")
    return np.maximum(1, np.rint(out)).astype(np.int64)


def generate_trace(kind: str, n_requests: int, rate_per_s: float, seed: int = 0,
                   interarrival_cv: float | None = None, name: str | None = None) -> Trace:
    """A synthetic trace with the length distributions of ``traces.yaml``.

    Args:
        kind: A name of :data:`TRACE_KINDS`.
        n_requests: Requests in the trace.
        rate_per_s: Mean arrival rate (requests/s); ``inf`` puts every
            request at time 0 (an offline batch).
        seed: Seed of the trace's own random generator.
        interarrival_cv: Coefficient of variation of the gamma inter-arrival
            times (1 = Poisson, > 1 bursty); the trace's measured value when None.
        name: Label of the trace (default ``kind``).

    Raises:
        UnknownName: an unknown ``kind``.
        ConfigError: a bad rate, count or coefficient.
    """
    cat = _catalogue()
    if kind not in TRACE_KINDS:
        raise UnknownName("trace kind", kind, TRACE_KINDS)
    if int(n_requests) < 1:
        raise ConfigError(f"n_requests must be >= 1, got {n_requests!r}")
    if not rate_per_s > 0:
        raise ConfigError(f"rate_per_s must be > 0, got {rate_per_s!r}")
    spec = cat[kind]
    cv = float(spec.get("interarrival_cv", 1.0) if interarrival_cv is None else interarrival_cv)
    if not cv > 0:
        raise ConfigError(f"interarrival_cv must be > 0, got {cv!r}")
    rng = np.random.default_rng(seed)
    n = int(n_requests)
    prompt = _sample_lengths(spec["prompt"], cat["percentiles"], n, rng, f"{kind}.prompt")
    output = _sample_lengths(spec["output"], cat["percentiles"], n, rng, f"{kind}.output")
    if math.isinf(rate_per_s):
        arrival = np.zeros(n)
    else:
        shape = 1.0 / (cv * cv)
        gaps = rng.gamma(shape, 1.0 / (shape * rate_per_s), size=n)
        gaps[0] = 0.0
        arrival = np.cumsum(gaps)
    return Trace(arrival, prompt, output, name=name or kind)


def _read_rows(path: str) -> tuple[list[str], list[list[str]], list[int]]:
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            lines = [(i, line) for i, line in enumerate(fh, start=1)
                     if line.strip() and not line.lstrip().startswith("#")]
    except OSError as exc:
        raise TraceError(f"cannot read trace file {path!r}: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise TraceError(f"trace file {path!r} is not UTF-8 text (byte {exc.start}: "
                         f"{exc.reason})") from None
    if not lines:
        raise TraceError(f"trace file {path!r} is empty")
    rows = list(csv.reader(line for _, line in lines))
    header = [c.strip() for c in rows[0]]
    return header, rows[1:], [i for i, _ in lines[1:]]


def load_trace(path: str | os.PathLike[str]) -> Trace:
    """Read a trace file (see the module docstring for the formats).

    Raises:
        TraceError: a missing column or a malformed value, naming ``file:line``.
    """
    path = os.fspath(path)
    header, rows, line_nos = _read_rows(path)
    if all(c in header for c in _COLUMNS):
        cols, azure = [header.index(c) for c in _COLUMNS], False
    elif all(c in header for c in _AZURE):
        cols, azure = [header.index(c) for c in _AZURE], True
    else:
        raise TraceError(f"{path}: the header must name {', '.join(_COLUMNS)} (or the Azure "
                         f"trace's {', '.join(_AZURE)}), got {', '.join(header)}")
    arrival, prompt, output = [], [], []
    for row, line in zip(rows, line_nos, strict=True):
        try:
            cells = [row[c].strip() for c in cols]
            if azure:
                stamp = datetime.strptime(cells[0][:26], "%Y-%m-%d %H:%M:%S.%f")
                arrival.append(stamp.timestamp())
            else:
                arrival.append(float(cells[0]))
            prompt.append(int(cells[1]))
            output.append(int(cells[2]))
        except (IndexError, ValueError) as exc:
            raise TraceError(f"{path}:{line}: malformed row {row!r}: {exc}") from None
    a = np.asarray(arrival, dtype=np.float64)
    if azure and len(a):
        a = a - a.min()
    try:
        return Trace(a, np.asarray(prompt), np.asarray(output), name=path)
    except TraceError as exc:
        raise TraceError(f"{path}: {exc}") from None


def trace_statistics(trace: Trace) -> dict[str, float]:
    """Request count, rate (req/s) and prompt/output token medians and means of ``trace``."""
    span = float(trace.arrival_s[-1] - trace.arrival_s[0])
    return {
        "requests": float(len(trace)),
        "rate_per_s": (len(trace) - 1) / span if span > 0 else math.inf,
        "prompt_median": float(np.median(trace.prompt_tokens)),
        "prompt_mean": float(trace.prompt_tokens.mean()),
        "output_median": float(np.median(trace.output_tokens)),
        "output_mean": float(trace.output_tokens.mean()),
    }
