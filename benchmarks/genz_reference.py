"""Per-iteration times of the LLM-serving operator model against GenZ (a second analytical model).

GenZ (``pip install genz-llm``; Bambhaniya et al., "Demystifying Platform
Requirements for Diverse LLM Inference Use Cases", 2024) models LLM
prefill and decode on a platform from FLOP/s, memory bandwidth and link
bandwidth. This script installs it into a side virtual environment (it pins
its own dependencies; never into the project's), runs it there for a grid of
prefill and decode iterations, and prints GenZ's latency next to
:class:`archgym.simulators.llm_serving.IterationModel`'s.

GenZ runs twice: at its default ideal efficiency (a roofline at 100% of peak)
and with ``ceff``/``meff`` set to this model's GEMM and HBM efficiencies
(``efficiency.yaml``), so that the second comparison shows the structural
differences only (operator set, attention, communication, overheads). The
H200 is given to GenZ with NVIDIA's published figures (989 TFLOP/s bf16,
141 GB, 4.8 TB/s, 450 GB/s per direction NVLink), as in ``accelerators.yaml``.

Usage::

    .venv/bin/python benchmarks/genz_reference.py [--venv DIR]

The side venv defaults to ``~/.cache/archgym/genz-venv`` (outside the
repository); the first run installs ``genz-llm`` there (needs PyPI access).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from archgym.simulators.llm_serving import ACCELERATORS, MODELS, IterationModel
from archgym.simulators.llm_serving.operators import load_efficiency

GENZ_MODELS = {"llama-3-8b": "llama3_8b", "llama-3-70b": "meta-llama/Llama-3.1-70B"}
GENZ_SYSTEMS = {
    "a100-80gb-sxm": {"Flops": 312, "Memory_size": 80, "Memory_BW": 2039, "ICN": 300},
    "h100-sxm": {"Flops": 989, "Memory_size": 80, "Memory_BW": 3350, "ICN": 450},
    "h200-sxm": {"Flops": 989, "Memory_size": 141, "Memory_BW": 4800, "ICN": 450},
}
#: (model, accelerator, tp, phase, batch, tokens): prefill of `tokens` per request,
#: or a decode step of `batch` requests with `tokens` of context.
CASES = [
    (m, a, tp, phase, batch, tokens)
    for m, tp in (("llama-3-8b", 1), ("llama-3-70b", 4))
    for a in ("a100-80gb-sxm", "h100-sxm", "h200-sxm")
    for phase, batch, tokens in (("prefill", 1, 512), ("prefill", 1, 2048), ("prefill", 1, 8192),
                                 ("decode", 1, 1024), ("decode", 16, 1024),
                                 ("decode", 64, 2048), ("decode", 256, 1024))
]

_CHILD = r"""
import json, sys, warnings
warnings.filterwarnings("ignore")
from GenZ import decode_moddeling, prefill_moddeling
cases, systems, models, ceff, meff = json.loads(sys.stdin.read())
out = []
for m, a, tp, phase, batch, tokens in cases:
    row = []
    for eff in ((1.0, 1.0), (ceff, meff)):
        system = dict(systems[a], real_values=True)
        kw = dict(model=models[m], batch_size=batch, system_name=system, bits="bf16",
                  tensor_parallel=tp, system_eff=1)
        if phase == "prefill":
            system["Flops"] = system["Flops"] * eff[0]
            system["Memory_BW"] = system["Memory_BW"] * eff[1]
            res = prefill_moddeling(input_tokens=tokens, **kw)
        else:
            res = decode_moddeling(input_tokens=tokens, output_tokens=0, ceff=eff[0],
                                   meff=eff[1], **kw)
        row.append(float(res["Latency"]))
    out.append(row)
print(json.dumps(out))
"""


def ensure_venv(venv: Path) -> Path:
    """The side venv's python, creating it and installing genz-llm on first use."""
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    probe = subprocess.run([str(python), "-c", "import GenZ"], capture_output=True)
    if probe.returncode != 0:
        subprocess.run([str(python), "-m", "pip", "install", "-q", "genz-llm"], check=True)
    return python


def ours(model: str, acc: str, tp: int, phase: str, batch: int, tokens: int) -> float:
    """This model's iteration latency (ms)."""
    it = IterationModel(MODELS[model], ACCELERATORS[acc], "bf16", tp=tp)
    seconds = it.prefill(tokens, batch) if phase == "prefill" else it.decode_step(batch, tokens)
    return seconds * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", type=Path,
                        default=Path(os.environ.get("ARCHGYM_GENZ_VENV",
                                                    Path.home() / ".cache/archgym/genz-venv")))
    args = parser.parse_args()
    python = ensure_venv(args.venv)
    eff = load_efficiency()
    payload = json.dumps([CASES, GENZ_SYSTEMS, GENZ_MODELS, eff["gemm"]["peak_efficiency"],
                          eff["memory"]["bandwidth_efficiency"]])
    done = subprocess.run([str(python), "-c", _CHILD], input=payload, capture_output=True,
                          text=True, check=True)
    genz = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"{'model':12s} {'gpu':14s} {'tp':>2s} {'phase':8s} {'batch':>5s} {'tokens':>6s} "
          f"{'ours ms':>9s} {'GenZ ideal':>10s} {'GenZ eff':>9s} {'ours/eff':>8s}")
    ratios = []
    for case, (ideal, effective) in zip(CASES, genz, strict=True):
        mine = ours(*case)
        ratios.append(mine / effective)
        m, a, tp, phase, batch, tokens = case
        print(f"{m:12s} {a:14s} {tp:2d} {phase:8s} {batch:5d} {tokens:6d} {mine:9.3f} "
              f"{ideal:10.3f} {effective:9.3f} {mine / effective:8.3f}")
    devs = [abs(r - 1.0) * 100 for r in ratios]
    print(f"{len(ratios)} iterations: median |ours / GenZ(same efficiencies) - 1| = "
          f"{statistics.median(devs):.1f}%, max {max(devs):.1f}%")


if __name__ == "__main__":
    main()
