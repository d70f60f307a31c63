"""kill -9 of a running sweep, then resume: the same trials and results as an uninterrupted run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from archgym.experiment import load_results, load_spec, run_sweep
from tests.experiment.conftest import toy_spec

REPO = Path(__file__).resolve().parents[2]


def _pids_alive(pids: list[int]) -> list[int]:
    alive = []
    for pid in pids:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            continue
        # a zombie still answers kill(0); check its state
        stat = Path(f"/proc/{pid}/stat")
        if stat.exists() and stat.read_text().split(")")[-1].split()[0] != "Z":
            alive.append(pid)
    return alive


def _children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(p) for p in out.stdout.split()]


def test_kill_9_mid_sweep_then_resume_equals_uninterrupted_run(tmp_path, write_spec):
    spec_path = write_spec(toy_spec(budget=10, seeds=3, sleep=0.03))  # ~0.3 s per trial
    killed, clean = tmp_path / "killed", tmp_path / "clean"
    cmd = [
        sys.executable,
        "-m",
        "archgym.cli",
        "sweep",
        str(spec_path),
        "--out",
        str(killed),
        "--workers",
        "2",
        "--no-progress",
    ]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    trials_dir = killed / "trials"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        n = len(list(trials_dir.glob("*.parquet"))) if trials_dir.exists() else 0
        if n >= 3:
            break
        assert proc.poll() is None, proc.stderr.read().decode()
        time.sleep(0.02)
    workers = _children(proc.pid)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    n_at_kill = len(list(trials_dir.glob("*.parquet")))
    assert 3 <= n_at_kill < 12, "the sweep must be killed mid-run"
    # worker processes die with the sweep (no orphan keeps writing)
    deadline = time.monotonic() + 10
    while _pids_alive(workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _pids_alive(workers) == []

    spec = load_spec(spec_path)
    ran: list[str] = []
    finished_before = {p.stem for p in trials_dir.glob("*.parquet")}
    status = run_sweep(
        spec, killed, workers=1, on_result=lambda o: ran.append(o.summary["trial_id"])
    )
    assert (status.done, status.pending) == (12, 0)
    # exactly the trials without a summary at kill time ran again
    assert len(ran) == 12 - n_at_kill
    assert not set(ran) & finished_before
    run_sweep(spec, clean, workers=1)

    cols = [
        "trial_id",
        "agent_label",
        "hyperparameters",
        "seed",
        "best_reward",
        "best_design",
        "evaluations",
        "status",
    ]
    a_trials, a_evals = load_results(killed)
    b_trials, b_evals = load_results(clean)
    assert a_trials["trial_id"].is_unique and len(a_trials) == 12
    pd.testing.assert_frame_equal(a_trials[cols], b_trials[cols])
    designs = [c for c in b_evals if c.startswith("design.")]
    ecols = ["run_id", "step", "reward", "invalid", *designs]
    assert len(a_evals) == len(b_evals) == 120
    assert not a_evals.duplicated(["run_id", "step"]).any()
    pd.testing.assert_frame_equal(a_evals[ecols], b_evals[ecols])
    assert not list(killed.rglob("*.tmp"))
