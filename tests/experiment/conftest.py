"""Fixtures of the experiment tests: small sweep specs on the toy env."""

from __future__ import annotations

from typing import Any

import tests.experiment.standin  # noqa: F401  (registers archgym-test/Toy-v0)

RANDOM = "tests.experiment.standin:RandomAgent"
LOCAL = "tests.experiment.standin:LocalSearch"


def toy_spec(budget: int = 20, seeds: Any = 2, sleep: float = 0.0, **extra: Any) -> dict:
    """2 agents x 2 settings x ``seeds`` on the toy env."""
    fixed = {"sleep": sleep} if sleep else {}
    spec = {
        "name": "toy",
        "imports": ["tests.experiment.standin"],
        "budget": budget,
        "seeds": seeds,
        "envs": [{"id": "archgym-test/Toy-v0"}],
        "agents": [
            {"name": RANDOM, "label": "random", "grid": {"reuse": [0.0, 0.5], **fixed}},
            {
                "name": LOCAL,
                "label": "local",
                "settings": [{"step": 1, **fixed}, {"step": 3, **fixed}],
            },
        ],
    }
    spec.update(extra)
    return spec

