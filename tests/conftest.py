"""Shared fixtures: the test-only toy env is registered as ``archgym-test/Toy-v0``."""

from __future__ import annotations

import gymnasium as gym
import pytest

import archgym  # noqa: F401  (registers the real envs)

TOY_ID = "archgym-test/Toy-v0"
if TOY_ID not in gym.registry:
    gym.register(id=TOY_ID, entry_point="tests.toysim:ToyEnv")


@pytest.fixture
def toy_env():
    env = gym.make(TOY_ID)
    yield env
    env.close()
