"""``archgym verify``: re-simulate the best designs a run or a sweep found.

A search run against a proxy backend ranks designs by *predicted* metrics; a
design is only as good as the real simulator says. :func:`verify` reads the
evaluation logs of a run (``archgym run --log DIR``) or of a sweep folder,
takes the ``top`` best distinct designs by logged reward in each group (env,
workload and backend; in a sweep, each env label of the spec), makes the env
again with ``backend="simulator"`` and steps it once per design. The table
puts the logged ("predicted") metrics, reward and target verdict next to the
simulated ones, with relative errors. On a simulator-backed log the two agree
(error 0): a replay check, like CompilerGym's ``validate()``.

How the env is made again, per group, in order of preference:

1. the env keyword arguments logged with the rows (``archgym run --log``
   writes them to the ``env_kwargs`` column) or, in a sweep, those of the
   trial (its summary's ``env_kwargs``; the spec's ``imports`` are imported
   first); the backend and its options (e.g. ``proxy_model``) are dropped;
2. otherwise the env description stored with the log parts: env id,
   workload, targets, weights, reward formula and invalid reward (keywords
   that change the simulator itself, such as a DRAM ``memspec``, are then
   lost, and the ``note`` column says so).

The CLI is ``archgym verify RUN_OR_SWEEP [--top N] [--json] [--quiet]``.
"""

from __future__ import annotations

import argparse
import inspect
import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import pandas as pd

from archgym import datalog
from archgym.env import unwrap
from archgym.errors import ArchGymError, ConfigError, DatasetError
from archgym.registration import make

__all__ = ["DEFAULT_TOP", "best_designs", "format_table", "register", "rel_error", "verify"]

#: Designs re-simulated per group unless ``top`` says otherwise.
DEFAULT_TOP = 5
#: Keywords of ``gym.make`` that choose the backend (dropped when re-simulating).
_BACKEND_KWARGS = ("backend", "backend_options")
_GROUP = ["env", "env_id", "workload", "backend"]


def rel_error(predicted: float, simulated: float) -> float:
    """``|predicted - simulated| / |simulated|``: 0 when equal, inf when only ``simulated`` is 0.

    NaN when either is NaN (e.g. the simulator rejects the design).
    """
    if math.isnan(predicted) or math.isnan(simulated):
        return math.nan
    if predicted == simulated:
        return 0.0
    return abs(predicted - simulated) / abs(simulated) if simulated != 0 else math.inf


@dataclass
class _Source:
    """The rows of a log with, per run id, the env kwargs and label they were made with."""

    rows: pd.DataFrame
    kwargs: dict[str, str]  # run id -> env kwargs as JSON
    labels: dict[str, str]  # run id -> env label (sweeps)
    descriptions: dict[str, dict[str, Any]]  # run id -> env description (sweeps)


def _load(path: str | os.PathLike[str]) -> _Source:
    text = os.fspath(path)
    if not any(c in text for c in "*?[") and not Path(text).exists():
        raise DatasetError(f"{text!r} does not exist: give a run's --log folder, a sweep "
                           "folder, a log file or a glob of log parts")
    df = datalog.load(path)
    kwargs: dict[str, str] = {}
    labels: dict[str, str] = {}
    descs: dict[str, dict[str, Any]] = {}
    root = Path(text)
    if (root / "spec.yaml").is_file() and (root / "trials").is_dir():
        from archgym.experiment.imports import import_modules
        from archgym.experiment.store import ResultsStore

        store = ResultsStore(root)
        spec = store.load_spec_data()
        import_modules(spec.get("imports") or [], str(spec.get("base_dir") or ""))
        trials = store.load_trials()
        for t in trials.to_dict("records"):
            tid = str(t.get("trial_id", ""))
            kwargs[tid] = str(t.get("env_kwargs") or "")
            labels[tid] = str(t.get("env_label") or "")
            try:
                desc = json.loads(t.get("env_description") or "null")
            except ValueError:  # a corrupted description: fall back to the log's own
                desc = None
            if isinstance(desc, dict):
                descs[tid] = desc
    return _Source(df, kwargs, labels, descs)


def _with_groups(src: _Source) -> pd.DataFrame:
    """The valid-reward rows with ``env`` (label) and ``env_kwargs`` columns filled in."""
    df = src.rows
    df = df[df["reward"].notna()].copy()  # the auto backend's rows carry no reward
    run = df["run_id"].astype(str) if "run_id" in df else pd.Series("", index=df.index)
    logged = df["env_kwargs"] if "env_kwargs" in df else pd.Series("", index=df.index)
    df["env_kwargs"] = [
        k if isinstance(k, str) and k else src.kwargs.get(r, "")
        for k, r in zip(logged, run, strict=True)
    ]
    df["env"] = [src.labels.get(r) or e for r, e in zip(run, df["env_id"], strict=True)]
    if "backend" not in df:
        df["backend"] = "simulator"
    df["backend"] = df["backend"].fillna("simulator").astype(str)
    return df


def best_designs(df: pd.DataFrame, top: int = DEFAULT_TOP) -> pd.DataFrame:
    """The ``top`` best distinct designs by reward per (env, env_id, workload, backend) group.

    ``df`` holds evaluation-log rows with an ``env`` column (a label). A
    design logged several times counts once, with its best reward. Rows are
    ordered by group, then rank (1 = best), given in a ``rank`` column.
    """
    _check_top(top)
    out = []
    for _, g in df.groupby(_GROUP, sort=True, dropna=False):
        cols = [c for c in g.columns if c.startswith("design.") and g[c].notna().any()]
        g = g.sort_values("reward", ascending=False, kind="stable")
        keys = g[cols].astype(str).agg("\x1f".join, axis=1)
        g = g[~keys.duplicated()].head(top).copy()
        g["rank"] = np.arange(1, len(g) + 1)
        out.append(g)
    return pd.concat(out, ignore_index=True) if out else df.head(0).assign(rank=[])


def _check_top(top: int) -> None:
    if isinstance(top, bool) or not isinstance(top, (int, np.integer)) or top < 1:
        raise ConfigError(f"top must be an integer >= 1 (designs per group), got {top!r}")


def _backend_options(name: str) -> list[str]:
    """The keyword options the backend ``name`` takes (e.g. ``proxy_model``)."""
    from archgym.backends import BACKENDS

    try:
        factory = BACKENDS.get(name)
    except ArchGymError:
        return []
    return [
        p.name for p in inspect.signature(factory).parameters.values()
        if p.kind is inspect.Parameter.KEYWORD_ONLY and p.name not in ("design_space", "workload")
    ]


def _env_kwargs(text: str, description: Mapping[str, Any] | None, workload: str
                ) -> tuple[dict[str, Any], str]:
    """Keyword arguments to make the env with the simulator backend, and a note."""
    if text:
        try:
            kwargs = json.loads(text)
        except ValueError as exc:
            raise DatasetError(f"the logged env kwargs are not JSON ({exc}): {text[:200]!r}"
                               ) from exc
        backend = kwargs.get("backend", "simulator")
        for key in (*_BACKEND_KWARGS, *(_backend_options(backend) if isinstance(backend, str)
                                        else [])):
            kwargs.pop(key, None)
        return kwargs, ""
    if description is None:
        raise DatasetError(
            "the log records neither the env's keyword arguments nor its description, so the "
            "env cannot be made again"
        )
    kwargs = {
        "workload": workload,
        "targets": dict(description.get("targets") or {}),
        "replace_targets": True,
        "weights": dict(description.get("weights") or {}),
        "reward_formula": description.get("reward_formula", "distance"),
    }
    if description.get("invalid_reward") is not None:
        kwargs["invalid_reward"] = description["invalid_reward"]
    return kwargs, ("env made from the logged description (no env kwargs were logged: "
                    "keywords that change the simulator are not reproduced)")


def _description(src: _Source, g: pd.DataFrame, env_id: str, workload: str,
                 backend: str) -> dict[str, Any] | None:
    for r in g.get("run_id", pd.Series(dtype=str)).astype(str):
        if r in src.descriptions:
            return src.descriptions[r]
    found = [d for d in datalog.descriptions(src.rows) if d.get("env_id") == env_id]
    for key, value in (("workload", workload), ("backend", backend)):
        found = [d for d in found if d.get(key) == value] or found
    return found[0] if found else None


def _objective_note(base: Any, description: Mapping[str, Any] | None) -> str:
    if not description:
        return ""
    logged = {k: float(v) for k, v in (description.get("targets") or {}).items()}
    now = {k: float(v) for k, v in base.objective.targets.items()}
    parts = []
    if logged != now:
        parts.append(f"targets {now} (logged: {logged})")
    if description.get("reward_formula") not in (None, base.objective.formula):
        parts.append(f"reward formula {base.objective.formula!r} "
                     f"(logged: {description['reward_formula']!r})")
    return ("the re-made env's objective differs from the logged one: " + "; ".join(parts)
            if parts else "")


def _simulate(env: gym.Env, logged: pd.DataFrame, workload: str) -> dict[str, Any]:
    """Step ``env`` once with the design of the one-row frame ``logged`` (``design.*``)."""
    base = unwrap(env)
    space = base.design_space
    options = {"workload": workload} if len(base.workload_names) > 1 else None
    env.reset(options=options)
    try:
        columns = [c for c in (f"design.{n}" for n in space.names) if c in logged]
        action = space.index_frame(logged[columns], source="the logged design")[0]
    except ArchGymError as exc:
        return {"invalid": True, "error": f"not a design of the env's space: {exc}",
                "reward": math.nan, "target_met": False, "metrics": {}}
    _, reward, _, _, info = env.step(action)
    return {"invalid": info["invalid"], "error": info["error"], "reward": float(reward),
            "target_met": bool(info["target_met"]), "metrics": info["metrics"]}


def verify(
    path: str | os.PathLike[str],
    top: int = DEFAULT_TOP,
    *,
    progress: bool | None = False,
    strict: bool = True,
) -> pd.DataFrame:
    """Re-simulate the best designs of a run or sweep log with the real simulator.

    Args:
        path: A run's log folder (``archgym run --log DIR``), a sweep folder,
            a log part file or a glob of parts.
        top: Distinct designs re-simulated per group (env, workload, backend);
            the best by logged reward.
        progress: Show a tqdm progress bar (None: only on a terminal).
        strict: Raise when a group's env cannot be made again; when False,
            its rows get NaN simulated values and the reason in ``note``.

    Returns:
        One row per design, ordered by group and ``rank`` (1 = best): ``env``
        (the sweep's env label, else the env id), ``env_id``, ``workload``,
        ``backend`` (what answered during the search), ``rank``, ``agent``,
        ``run_id``, ``step``, ``design.<parameter>``; ``predicted.reward``,
        ``simulated.reward``, ``rel_error.reward``, ``predicted.target_met``,
        ``simulated.target_met``, and per metric ``predicted.<metric>``,
        ``simulated.<metric>``, ``rel_error.<metric>`` (see :func:`rel_error`);
        ``simulated.invalid``, ``simulated.error`` (the simulator's reason when
        it rejects a design) and ``note``.

    Raises:
        DatasetError: ``path`` does not exist or holds no evaluation log.
        ConfigError: ``top`` < 1.
    """
    from tqdm import tqdm

    _check_top(top)
    src = _load(path)
    best = best_designs(_with_groups(src), top)
    if best.empty:
        raise DatasetError(f"{os.fspath(path)!r}: the logs hold no evaluation with a reward")
    rows: list[dict[str, Any]] = []
    bar = tqdm(total=len(best), unit="design", desc="re-simulating",
               disable=True if progress is False else None, dynamic_ncols=True)
    try:
        for (label, env_id, workload, backend, kw), g in best.groupby(
            [*_GROUP, "env_kwargs"], sort=False, dropna=False
        ):
            rows.extend(_verify_group(src, g, str(label), str(env_id), str(workload),
                                      str(backend), str(kw), strict, bar))
    finally:
        bar.close()
    return pd.DataFrame(rows)


def _verify_group(src: _Source, g: pd.DataFrame, label: str, env_id: str, workload: str,
                  backend: str, kw: str, strict: bool, bar: Any) -> list[dict[str, Any]]:
    description = _description(src, g, env_id, workload, backend)
    metric_names = [m["name"] for m in (description or {}).get("metrics", [])] or [
        c.removeprefix("metric.") for c in g.columns
        if c.startswith("metric.") and g[c].notna().any()
    ]
    env = None
    note = ""
    try:
        kwargs, note = _env_kwargs(kw, description, workload)
        env = make(env_id, **kwargs, backend="simulator")
        note = "; ".join(n for n in (note, _objective_note(unwrap(env), description)) if n)
    except ArchGymError as exc:
        if strict:
            where = f"workload {workload}" + (f", env {label}" if label != env_id else "")
            raise ConfigError(
                f"cannot make {env_id} again with the simulator ({where}): {exc}"
            ) from exc
        note = f"not re-simulated: cannot make the env again ({exc})"
    out = []
    try:
        for i, rec in enumerate(g.to_dict("records")):
            row: dict[str, Any] = {k: rec.get(k) for k in (*_GROUP, "rank")}
            row.update(agent=rec.get("agent", ""), run_id=rec.get("run_id", ""),
                       step=rec.get("step"))
            row.update({c: rec[c] for c in g.columns if c.startswith("design.")})
            if env is not None:
                sim = _simulate(env, g.iloc[[i]], workload)
            else:
                sim = {"invalid": False, "error": "", "reward": math.nan, "target_met": None,
                       "metrics": {}}
            row["predicted.reward"] = float(rec["reward"])
            row["simulated.reward"] = sim["reward"]
            row["rel_error.reward"] = rel_error(float(rec["reward"]), sim["reward"])
            row["predicted.target_met"] = bool(rec.get("target_met", False))
            row["simulated.target_met"] = sim["target_met"]
            for m in metric_names:
                p = float(rec.get(f"metric.{m}", math.nan))
                s = float(sim["metrics"].get(m, math.nan))
                row[f"predicted.{m}"], row[f"simulated.{m}"] = p, s
                row[f"rel_error.{m}"] = rel_error(p, s)
            row["simulated.invalid"] = sim["invalid"]
            row["simulated.error"] = sim["error"]
            row["note"] = note
            out.append(row)
            bar.update(1)
    finally:
        if env is not None:
            env.close()
    return out


# ------------------------------------------------------------------ CLI
def verdict_text(v: Any) -> str:
    """A target-met verdict as ``yes``, ``no`` or ``?`` (not simulated)."""
    return "?" if v is None or (isinstance(v, float) and math.isnan(v)) else ("yes" if v else "no")


def percent_text(v: Any) -> str:
    """A relative error as a percentage (``n/a`` when NaN, ``inf`` when infinite)."""
    v = float(v)
    return "n/a" if math.isnan(v) else ("inf" if math.isinf(v) else f"{100 * v:.3g}%")


def format_table(table: pd.DataFrame) -> str:
    """The verification table as text: per group, one block per design."""
    lines: list[str] = []
    metrics = [c.removeprefix("simulated.") for c in table.columns
               if c.startswith("simulated.")
               and c not in ("simulated.reward", "simulated.target_met", "simulated.invalid",
                             "simulated.error")]
    for (label, env_id, workload, backend), g in table.groupby(_GROUP, sort=False):
        head = f"{label}" + (f" ({env_id})" if label != env_id else "")
        lines.append(f"{head}  workload {workload}  searched with backend {backend}; "
                     f"top {len(g)} designs re-simulated with the simulator")
        for note in dict.fromkeys(n for n in g["note"] if n):
            lines.append(f"  note: {note}")
        for r in g.to_dict("records"):
            lines.append(
                f"  #{r['rank']}  reward {r['predicted.reward']:.6g} logged, "
                f"{r['simulated.reward']:.6g} simulated "
                f"(rel. error {percent_text(r['rel_error.reward'])})"
                f"; targets met: {verdict_text(r['predicted.target_met'])} logged, "
                f"{verdict_text(r['simulated.target_met'])} simulated"
            )
            parts = [f"{m} {r[f'predicted.{m}']:.4g} / {r[f'simulated.{m}']:.4g} "
                     f"({percent_text(r[f'rel_error.{m}'])})"
                     for m in metrics if f"predicted.{m}" in r]
            if parts:
                lines.append("      logged / simulated: " + ", ".join(parts))
            if r["simulated.invalid"]:
                lines.append(f"      the simulator rejects it: {r['simulated.error']}")
            design = " ".join(f"{c.removeprefix('design.')}={r[c]}" for c in g.columns
                              if c.startswith("design.") and pd.notna(r[c]))
            named = (("agent", "agent"), ("run", "run_id"), ("step", "step"))
            who = ", ".join(f"{k} {r[c]}" for k, c in named if r[c] not in ("", None))
            lines.append(f"      design: {design}  ({who})")
        lines.append("")
    n = len(table)
    agree = int((table["predicted.target_met"] == table["simulated.target_met"]).sum())
    worst = percent_text(float(table["rel_error.reward"].max()))  # NaN (n/a) when none simulated
    lines.append(f"{n} designs re-simulated: target verdict agrees on {agree} of {n}; "
                 f"largest reward rel. error {worst}")
    return "\n".join(lines)


def _json_records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """The table's rows as JSON-able dicts (NaN and infinity become null)."""

    def clean(v: Any) -> Any:
        if isinstance(v, np.generic):
            v = v.item()
        if isinstance(v, float) and not math.isfinite(v):
            return None
        return v if isinstance(v, (str, int, float, bool)) or v is None else str(v)

    return [{k: clean(v) for k, v in r.items()} for r in table.to_dict("records")]


def _cmd_verify(args: argparse.Namespace) -> int:
    table = verify(args.path, top=args.top, progress=None if not args.quiet else False)
    if args.json:
        print(json.dumps(_json_records(table), indent=1))
    else:
        print(format_table(table))
    return 0


def register(sub: Any) -> None:
    """Add the ``verify`` subcommand to the ``archgym`` parser."""
    p = sub.add_parser(
        "verify",
        help="re-simulate the best designs a run or sweep found",
        description="Take the N best distinct designs (by logged reward) of each env, workload "
        "and backend in a run's log folder or a sweep folder, re-simulate them with the real "
        "simulator, and show logged (predicted) vs simulated metrics, reward and targets.",
    )
    p.add_argument("path", metavar="RUN_OR_SWEEP",
                   help="a run's --log folder, a sweep folder, a log file or a glob of parts")
    p.add_argument("--top", "-n", type=int, default=DEFAULT_TOP,
                   help=f"designs per env/workload/backend (default {DEFAULT_TOP})")
    p.add_argument("--json", action="store_true", help="print the table as JSON records")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_verify)
