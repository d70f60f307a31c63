"""``archgym proxy train`` and ``archgym proxy eval``.

``archgym proxy train --data 'DIR/**/*.parquet' --env ENV_ID [--workload W]
--model rf|gbt|mlp|ensemble --out MODEL`` trains a proxy and writes, next to
``MODEL``, a report folder ``MODEL.report/`` (``fidelity.md``, ``fidelity.csv``,
``model.json`` and parity plots).

``archgym proxy eval MODEL --data GLOB`` scores a trained proxy on logged
evaluations it was not trained on and writes the same report files. Rows whose
design (on its workload) trained the model are left out, and said so on
stderr, unless ``--include-train`` is given (then the score is partly a
training-set score, and the report says so); rows of workloads the model was
not trained on are always left out. Both commands print per-metric scores and
the reward-level row (reward Spearman, target-met accuracy and F1, top-k
recall; see :mod:`archgym.proxy.fidelity`).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["register"]


def _report_dir(args: argparse.Namespace, model_path: str) -> Path:
    return Path(args.report) if args.report else Path(f"{model_path}.report")


def _write_report(
    folder: Path, rows: Sequence[dict[str, Any]], summary: dict[str, Any], title: str
) -> None:
    import pandas as pd

    from archgym.proxy.fidelity import format_table

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "model.json").write_text(json.dumps(summary, indent=2, default=str) + "\n")
    pd.DataFrame(list(rows)).to_csv(folder / "fidelity.csv", index=False)
    text = (
        f"# {title}\n\nnRMSE = RMSE / (max - min of the simulated values on the test set).\n\n"
        f"{format_table(rows)}\n"
    )
    (folder / "fidelity.md").write_text(text)


def _log_metrics(text: str) -> Any:
    if text == "auto":
        return "auto"
    if text == "none":
        return None
    return [t for t in text.split(",") if t]


def _cmd_train(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from archgym import datalog
    from archgym.cli import parse_kv
    from archgym.proxy.fidelity import format_table
    from archgym.proxy.training import fit

    df = datalog.load(args.data)
    report = _report_dir(args, args.out)
    splits = tuple(s for s in args.splits.split(",") if s)
    bar = tqdm(total=1, unit="model", dynamic_ncols=True,
               disable=True if args.quiet else None)  # None: off when not a terminal

    def progress(done: int, total: int, label: str) -> None:
        bar.total = total
        bar.n = done
        bar.set_description(label)
        bar.refresh()

    try:
        proxy = fit(
            df,
            args.env,
            args.model,
            workload=args.workload,
            seed=args.seed,
            log_metrics=_log_metrics(args.log_metrics),
            hyperparameters=parse_kv(args.hp),
            report_splits=splits,
            test_fraction=args.test_fraction,
            top_k=args.top_k,
            source=str(args.data),
            plot_dir=report,
            progress=progress,
        )
    finally:
        bar.close()
    proxy.save(args.out)
    summary = proxy.summary()
    _write_report(report, proxy.fidelity, summary, f"Fidelity of {args.model} proxy of {args.env}")
    print(
        f"trained {args.model} proxy of {args.env} on {proxy.n_designs} designs "
        f"({proxy.n_rows} evaluations); saved to {args.out}"
    )
    if proxy.fidelity:
        print(format_table(proxy.fidelity))
    print(f"report: {report}")
    return 0


def _cmd_eval(args: argparse.Namespace) -> int:
    from archgym import datalog
    from archgym.proxy.artifact import load_model
    from archgym.proxy.dataset import build_dataset
    from archgym.proxy.fidelity import evaluate_model, format_table, held_out_rows
    from archgym.space import DesignSpace

    proxy = load_model(args.model)
    space = DesignSpace.from_signature(proxy.space_signature)
    df = datalog.load(args.data)
    data = build_dataset(
        df,
        space,
        proxy.metric_names,
        env_id=proxy.env_id,
        workload=args.workload,
        source=str(args.data),
    )
    report = _report_dir(args, args.model)
    test, counts = held_out_rows(proxy, data, include_train=args.include_train)
    if counts["other_workload"]:
        print(f"warning: left out {counts['other_workload']} logged design(s) of workloads the "
              f"model was not trained on (it knows {list(proxy.workloads)})", file=sys.stderr)
    if counts["seen_in_training"]:
        verb = "KEPT (--include-train)" if args.include_train else "left out"
        print(f"warning: {verb} {counts['seen_in_training']} logged design(s) the model was "
              "trained on", file=sys.stderr)
    rows = evaluate_model(proxy, data, space, top_k=args.top_k, plot_dir=report,
                          include_train=args.include_train)
    title = f"Fidelity of {args.model} on {args.data}"
    if args.include_train and counts["seen_in_training"]:
        title += f" (includes {counts['seen_in_training']} training designs)"
    _write_report(report, rows, proxy.summary(), title)
    print(f"{proxy.kind} proxy of {proxy.env_id} scored on {len(test)} designs "
          f"({counts['seen_in_training']} training designs "
          f"{'included' if args.include_train else 'left out'}, "
          f"{counts['other_workload']} of other workloads left out)")
    print(format_table(rows))
    print(f"report: {report}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``proxy`` command (``train``, ``eval``) to the ``archgym`` parser."""
    from archgym.proxy.models import DEFAULT_KIND, MODEL_KINDS

    proxy = sub.add_parser("proxy", help="train and evaluate proxy cost models")
    psub = proxy.add_subparsers(dest="proxy_command", required=True)

    p = psub.add_parser("train", help="train a proxy from evaluation logs")
    p.add_argument("--data", required=True, help="log folder, file or glob ('DIR/**/*.parquet')")
    p.add_argument("--env", required=True, help="env id the logs belong to")
    p.add_argument("--workload", "-w", help="train on this workload only")
    p.add_argument("--model", "-m", choices=MODEL_KINDS.names(), default=DEFAULT_KIND,
                   help=f"model kind (default {DEFAULT_KIND}: the fastest that meets the "
                        "fidelity bar, see docs/proxy.md)")
    p.add_argument("--out", "-o", required=True, help="model file to write")
    p.add_argument("--seed", "-s", type=int, default=0,
                   help="seed of the model and of the random split (default 0)")
    p.add_argument("--hp", action="append", metavar="KEY=VALUE", help="model hyperparameter")
    p.add_argument(
        "--splits",
        default="random",
        help="comma-separated report splits: random, agent, workload ('' for none)",
    )
    p.add_argument("--test-fraction", type=float, default=0.2,
                   help="held-out fraction of the random split (default 0.2)")
    p.add_argument("--top-k", type=int, default=10,
                   help="k of the top-k recall in the report (default 10)")
    p.add_argument("--log-metrics", default="auto", help="auto, none, or comma-separated names")
    p.add_argument("--report", help="report folder (default: MODEL.report)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_train)

    p = psub.add_parser("eval", help="score a trained proxy on evaluation logs")
    p.add_argument("model", help="proxy model file")
    p.add_argument("--data", required=True, help="log folder, file or glob")
    p.add_argument("--workload", "-w", help="score on this workload's rows only")
    p.add_argument("--top-k", type=int, default=10,
                   help="k of the top-k recall in the report (default 10)")
    p.add_argument("--include-train", action="store_true",
                   help="also score designs the model was trained on (default: left out)")
    p.add_argument("--report", help="report folder (default: MODEL.report)")
    p.set_defaults(func=_cmd_eval)
