"""Faults in a sweep are contained: crashes, hangs, bad specs and folders are each reported.

Each case was found by issue 13's fault campaign: a segfaulting trial used to
leave "4 pending" with no reason (workers=2) or kill the whole sweep with exit
139 (workers=1); a hanging trial blocked the sweep forever; a failed trial's
evaluations were discarded; specs that fail at run time passed the up-front
check; a results folder of another spec was silently overwritten.
"""

from __future__ import annotations

import pytest

from archgym.errors import ConfigError
from archgym.experiment import load_results, parse_spec, run_sweep
from tests.experiment.conftest import RANDOM, toy_spec


def _spec(**grid):
    data = toy_spec(budget=250, seeds=1)
    data["agents"] = [{"name": RANDOM, "label": "random",
                       "settings": [{}, {k: v for k, v in grid.items()}]}]
    return parse_spec(data)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_segfaulting_trial_fails_with_its_signal_and_keeps_its_evaluations(tmp_path, workers):
    status = run_sweep(_spec(crash_at=220), tmp_path, workers=workers)
    assert (status.done, status.failed, status.pending) == (1, 1, 0)
    trials, evals = load_results(tmp_path)
    bad = trials[trials["status"] == "failed"].iloc[0]
    assert "SIGSEGV" in bad["error"]
    # the rows flushed before the crash (every 100 evaluations) are kept, marked partial
    assert bad["partial"] and bad["evaluations"] == 200
    assert (evals["run_id"] == bad["trial_id"]).sum() == 200


def test_a_hanging_trial_is_stopped_at_the_timeout(tmp_path):
    status = run_sweep(_spec(hang_at=3), tmp_path, workers=2, trial_timeout=20)
    assert (status.done, status.failed) == (1, 1)
    trials, _ = load_results(tmp_path)
    bad = trials[trials["status"] == "failed"].iloc[0]
    assert "TrialTimeout" in bad["error"] and "--trial-timeout 20 s" in bad["error"]


def test_agents_that_cannot_be_built_are_caught_before_anything_runs(tmp_path):
    data = toy_spec(budget=10, seeds=1)
    data["agents"] = [
        {"name": "ppo", "settings": [{"batch_size": 64, "n_steps": 32}]},
        "collections:OrderedDict",
        "tests.experiment.standin:BrokenAgent",
    ]
    with pytest.raises(ConfigError) as err:
        run_sweep(parse_spec(data), tmp_path / "out")
    text = str(err.value)
    assert "agents[0]" in text and "batch_size (64) must be <= n_steps (32)" in text
    assert "agents[1].name" in text and "must be an Agent subclass" in text
    assert "agents[2]: cannot build the agent" in text
    assert "RuntimeError: stand-in failure in the constructor" in text
    assert not (tmp_path / "out").exists()


def test_a_folder_of_another_spec_is_refused_unless_forced(tmp_path):
    run_sweep(parse_spec(toy_spec(budget=5, seeds=1)), tmp_path, workers=1)
    other = parse_spec(toy_spec(budget=6, seeds=1))
    with pytest.raises(ConfigError, match=r"different sweep spec \(differs in: budget\)"):
        run_sweep(other, tmp_path, workers=1)
    status = run_sweep(other, tmp_path, workers=1, force=True)
    assert status.done == status.total == 4
