"""SAC's Box action wrapper: equal-width bins, every value reachable."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from agents.sac import BoxActions, box_to_index, index_to_box
from archgym.errors import ConfigError
from tests.conftest import TOY_ID


def test_bins_are_equal_width_golden_values():
    nvec = np.array([3])
    a = np.array([[-1.0], [-1 / 3 - 1e-9], [-1 / 3], [0.0], [1 / 3], [0.999], [1.0]])
    assert box_to_index(a, nvec)[:, 0].tolist() == [0, 0, 1, 1, 2, 2, 2]
    assert box_to_index(np.array([[-5.0], [5.0]]), nvec)[:, 0].tolist() == [0, 2]  # clipped


@pytest.mark.parametrize("n", [1, 2, 3, 7, 10, 64])
def test_every_value_is_reachable_and_bin_centres_round_trip(n):
    nvec = np.array([n])
    k = np.arange(n)[:, None]
    centres = index_to_box(k, nvec)
    assert np.all(np.abs(centres) < 1)
    assert box_to_index(centres, nvec)[:, 0].tolist() == list(range(n))
    # a fine sweep of [-1, 1] hits every index, each over an equal share of the interval
    sweep = np.linspace(-1, 1, 100_001)[:, None]
    counts = np.bincount(box_to_index(sweep, nvec)[:, 0], minlength=n)
    assert np.all(counts > 0)
    assert counts.max() - counts.min() <= 2


@given(st.lists(st.floats(-1, 1), min_size=6, max_size=6))
def test_wrapper_maps_into_the_multidiscrete_space(action):
    env = BoxActions(gym.make(TOY_ID))
    idx = env.action(np.array(action, dtype=np.float32))
    assert env.unwrapped.action_space.contains(idx)
    assert env.action_space.shape == (6,) and env.action_space.low.min() == -1.0


def test_wrapper_needs_a_multidiscrete_env():
    with pytest.raises(ConfigError, match="MultiDiscrete"):
        BoxActions(gym.make("CartPole-v1"))
