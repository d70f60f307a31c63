"""A fuzz campaign over the user-facing inputs: counts of each outcome per category.

    python benchmarks/fuzz_campaign.py --examples 4000 [--categories make_kwargs,cli]

Runs every property of ``tests/fuzz/properties.py`` (and any
``tests/**/fuzz_*.py`` properties registered there) in collect mode, in
subprocesses of ``--chunk`` examples with fresh random seeds, each under a time
limit, and prints one table row per category: examples tried, worked, clear
error (an ArchGymError), bare exception, hang (an example over
``--example-timeout`` seconds, or a chunk over ``--timeout``), crash (a
signal), and silent nonsense (a non-finite reward or metric). A crash or a
chunk's hang ends the chunk (its counts are lost); the campaign goes on with
the next one.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    from tests.fuzz.properties import PROPERTIES

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=2000, help="examples per category")
    parser.add_argument("--chunk", type=int, default=500, help="examples per subprocess")
    parser.add_argument("--categories", default=",".join(PROPERTIES),
                        help="comma-separated property names")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per chunk")
    parser.add_argument("--example-timeout", type=float, default=60,
                        help="seconds per example before it counts as a hang (0: no limit)")
    args = parser.parse_args()
    rows = []
    start = time.perf_counter()
    for name in [c for c in args.categories.split(",") if c]:
        totals: dict[str, int] = {"hang": 0, "crash": 0}
        chunk_hangs = 0
        examples: list[str] = []
        done = 0
        while done < args.examples:
            n = min(args.chunk, args.examples - done)
            report = Path(tempfile.mkstemp(suffix=".json")[1])
            report.unlink()
            env = {**os.environ, "ARCHGYM_FUZZ_EXAMPLES": str(n), "ARCHGYM_FUZZ_REPORT":
                   str(report), "ARCHGYM_FUZZ_COLLECT": "1", "ARCHGYM_FUZZ_DERANDOMIZE": "0",
                   "ARCHGYM_FUZZ_EXAMPLE_TIMEOUT": str(args.example_timeout),
                   "PYTHONPATH": str(ROOT)}
            try:
                proc = subprocess.run([sys.executable, "-m", "tests.fuzz.properties", name],
                                      cwd=ROOT, env=env, capture_output=True, text=True,
                                      timeout=args.timeout)
                if proc.returncode < 0:
                    totals["crash"] += 1
                    examples.append(f"crash: signal {-proc.returncode}")
                elif proc.returncode != 0:
                    examples.append(f"exit {proc.returncode}: {proc.stderr[-300:]}")
            except subprocess.TimeoutExpired:  # the chunk's counts are lost with it
                totals["hang"] += 1
                chunk_hangs += 1
                examples.append(f"hang: a chunk of {n} ran over {args.timeout:g} s")
            counts = json.loads(report.read_text()) if report.exists() else {}
            examples += counts.pop("examples", [])
            for k, v in counts.items():
                totals[k] = totals.get(k, 0) + v
            done += n
        bare = sum(v for k, v in totals.items() if k.startswith("bare:"))
        tried = sum(v for k, v in totals.items() if k != "crash") - chunk_hangs
        rows.append((name, tried, totals.get("ok", 0), totals.get("rejected", 0), bare,
                     totals["hang"], totals["crash"], totals.get("nonsense", 0)))
        for e in examples[:5]:
            print(f"  [{name}] {e}", file=sys.stderr)
        print(f"  [{name}] done: {rows[-1]} after {time.perf_counter() - start:.0f} s",
              file=sys.stderr, flush=True)
    print("| input | tried | worked | clear error | bare exception | hang | crash | "
          "silent nonsense |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(str(x) for x in r) + " |")
    total = sum(r[1] for r in rows)
    print(f"\n{total:,} cases in {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
