"""The report's view of backends: what answered each env's evaluations, and a re-simulation.

A sweep may search an env through a proxy backend (``kwargs: {backend: proxy,
proxy_model: m.pkl}`` in the spec). Its rewards are then the proxy's
predictions, and the report must say so: :func:`env_backends` names each
env's backend and proxy model, and :func:`verification_section` re-simulates
the best designs of every env with the real simulator (:func:`archgym.verify.verify`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from archgym.errors import ArchGymError
from archgym.experiment.spec import SweepSpec
from archgym.verify import percent_text, verdict_text

__all__ = ["backend_lines", "env_backends", "verification_section"]


def _model_kind(path: Any) -> str:
    """A proxy artefact's model kind, or why it cannot be read."""
    from archgym.proxy import load_model

    try:
        return str(load_model(path).kind)
    except ArchGymError as exc:
        return f"unknown ({exc})"


def env_backends(spec: SweepSpec) -> pd.DataFrame:
    """One row per env label: ``env_label``, ``backend``, ``proxy_kind``, ``proxy_model``.

    ``backend`` is what the spec asks ``gym.make`` for (``simulator`` when it
    names none); the proxy columns are ``""`` for an env without a proxy model.
    """
    rows = []
    for e in spec.envs:
        backend = e.kwargs.get("backend", "simulator")
        options = {**dict(e.kwargs.get("backend_options") or {}), **dict(e.kwargs)}
        model = options.get("proxy_model")
        rows.append({
            "env_label": e.label,
            "backend": backend if isinstance(backend, str) else type(backend).__name__,
            "proxy_kind": "" if model is None else _model_kind(model),
            "proxy_model": "" if model is None else os.fspath(model),
        })
    return pd.DataFrame(rows, columns=["env_label", "backend", "proxy_kind", "proxy_model"])


def backend_lines(backends: pd.DataFrame) -> tuple[str, list[str]]:
    """The setup list's budget unit and backend lines of the report."""
    if (backends["backend"] == "simulator").all():
        return "simulator evaluations per trial", ["- backend: the simulator, for every env"]
    lines = ["- backends (what answered each env's evaluations; a proxy's rewards are its "
             "predictions, re-simulated under 'Verification'):"]
    for r in backends.itertuples():
        text = f"  - {r.env_label}: {r.backend}"
        if r.proxy_model:
            text += f" ({r.proxy_kind} proxy model `{r.proxy_model}`)"
        lines.append(text)
    return "evaluations per trial (answered by each env's backend, above)", lines


def verification_section(
    root: str | os.PathLike[str], envs: Sequence[str], backends: pd.DataFrame,
    table_dir: Path, top: int = 5,
) -> list[str]:
    """The report's verification section: the ``top`` designs per env re-simulated.

    Writes ``table_dir/verification.csv``. When nothing can be re-simulated
    the section says why.
    """
    from archgym.verify import verify

    lines = [
        "## Verification: the best designs re-simulated",
        "",
        f"The {top} best distinct designs of each env (by logged reward, all trials pooled), "
        "made again with the simulator backend and evaluated once: the logged reward and "
        "target verdict next to the simulator's. For an env searched with a proxy this is "
        "how good its designs really are; for a simulator-backed env it is a replay check "
        "(the two agree unless the simulator is not deterministic).",
        "",
    ]
    try:
        table = verify(root, top=top, strict=False)
    except ArchGymError as exc:
        return [*lines, f"Not drawn: {exc}.", ""]
    table = table[table["env"].isin(envs)]
    table.to_csv(table_dir / "verification.csv", index=False)
    if table.empty:
        return [*lines, "Not drawn: no finished trial logged an evaluation with a reward.", ""]
    by_env: Mapping[str, str] = dict(zip(backends["env_label"], backends["backend"],
                                         strict=True))
    metrics = [c.removeprefix("rel_error.") for c in table.columns
               if c.startswith("rel_error.") and c != "rel_error.reward"]
    for env, g in table.groupby("env", sort=True):
        lines += [f"### {env}", ""]
        agree = int((g["predicted.target_met"] == g["simulated.target_met"]).sum())
        lines += [
            f"Searched with backend {by_env.get(str(env), '?')}; target verdict agrees on "
            f"{agree} of {len(g)} designs; largest reward relative error "
            f"{percent_text(g['rel_error.reward'].max())}.",
            "",
        ]
        for note in dict.fromkeys(n for n in g["note"] if n):
            lines += [f"Note: {note}.", ""]
        shown = pd.DataFrame({
            "rank": g["rank"],
            "workload": g["workload"],
            "agent": g["agent"],
            "logged reward": g["predicted.reward"],
            "simulated reward": g["simulated.reward"],
            "reward rel. error": [percent_text(v) for v in g["rel_error.reward"]],
            "target met (logged)": [verdict_text(v) for v in g["predicted.target_met"]],
            "target met (simulated)": [verdict_text(v) for v in g["simulated.target_met"]],
            "largest metric rel. error": [
                _worst(r, metrics) for r in g.to_dict("records")
            ],
        })
        lines += [_markdown(shown), ""]
        for r in g[g["simulated.invalid"].astype(bool)].to_dict("records"):
            lines += [f"- #{r['rank']}: the simulator rejects this design: "
                      f"{r['simulated.error']}", ""]
    lines += ["Every column, with the designs: `tables/verification.csv`.", ""]
    return lines


def _markdown(df: pd.DataFrame) -> str:
    from archgym.experiment.report import markdown_table

    return markdown_table(df)


def _worst(row: Mapping[str, Any], metrics: Sequence[str]) -> str:
    errs = [(float(row[f"rel_error.{m}"]), m) for m in metrics
            if float(row[f"rel_error.{m}"]) == float(row[f"rel_error.{m}"])]
    if not errs:
        return "n/a"
    v, m = max(errs)
    return f"{m} {percent_text(v)}" if v > 0 else "0%"
