"""Shared fixtures: the test-only toy env is registered as ``archgym-test/Toy-v0``."""

from __future__ import annotations

import gymnasium as gym
import pytest

import archgym

TOY_ID = "archgym-test/Toy-v0"
archgym.register_env(TOY_ID, "tests.toysim:ToyEnv")


@pytest.fixture
def toy_env():
    env = gym.make(TOY_ID)
    yield env
    env.close()
