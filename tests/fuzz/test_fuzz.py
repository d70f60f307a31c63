"""Fuzz the user-facing inputs in subprocesses: a crash or a hang fails a test, not the run.

A few hundred examples per property by default; ``pytest --fuzz-long`` runs
many more (and ``benchmarks/fuzz_campaign.py`` a full campaign with counts).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fuzz.properties import PROPERTIES

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = {"make_kwargs": 150, "llm_kwargs": 60, "simulator_designs": 300, "dram_trace": 150,
            "dram_memspec": 150, "task_graph": 100, "block_library": 100, "topology": 200,
            "llm_trace": 100, "sweep_spec": 200, "cli": 150}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(PROPERTIES))
def test_property(name, request, tmp_path):
    n = EXAMPLES[name] * (20 if request.config.getoption("--fuzz-long") else 1)
    report = tmp_path / "counts.json"
    env = {**os.environ, "ARCHGYM_FUZZ_EXAMPLES": str(n), "ARCHGYM_FUZZ_REPORT": str(report),
           "PYTHONPATH": str(ROOT)}
    try:
        done = subprocess.run([sys.executable, "-m", "tests.fuzz.properties", name], cwd=ROOT,
                              env=env, capture_output=True, text=True, timeout=60 + 2 * n)
    except subprocess.TimeoutExpired:
        pytest.fail(f"fuzz property {name} hung (no result within {60 + 2 * n} s)")
    assert done.returncode == 0, (
        f"fuzz property {name} failed (exit {done.returncode}):\n{done.stdout[-3000:]}\n"
        f"{done.stderr[-5000:]}"
    )
    counts = json.loads(report.read_text())
    assert sum(v for k, v in counts.items() if k != "examples") >= n  # each ran to an outcome
