"""The Ray executor gives the same results as the local one (against a local Ray instance)."""

from __future__ import annotations

import pandas as pd
import pytest

from archgym.experiment import load_results, parse_spec, run_sweep
from tests.experiment.conftest import toy_spec

ray = pytest.importorskip("ray")


@pytest.mark.slow
def test_ray_executor_matches_local_executor(tmp_path):
    spec = parse_spec(toy_spec(budget=12, seeds=2))
    run_sweep(spec, tmp_path / "local", workers=1)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        status = run_sweep(spec, tmp_path / "ray", executor="ray")
    finally:
        ray.shutdown()
    assert (status.done, status.failed, status.pending) == (8, 0, 0)
    cols = ["trial_id", "best_reward", "best_design", "evaluations", "status"]
    a_trials, a_evals = load_results(tmp_path / "local")
    b_trials, b_evals = load_results(tmp_path / "ray")
    pd.testing.assert_frame_equal(a_trials[cols], b_trials[cols])
    ecols = ["run_id", "step", "reward", *[c for c in a_evals if c.startswith("design.")]]
    pd.testing.assert_frame_equal(a_evals[ecols], b_evals[ecols])
    assert len(b_evals) == 8 * 12
