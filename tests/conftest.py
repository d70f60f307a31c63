"""Shared fixtures: the test-only toy env is registered as ``archgym-test/Toy-v0``."""

from __future__ import annotations

from pathlib import Path

import gymnasium as gym
import pytest
import yaml

import archgym

TOY_ID = "archgym-test/Toy-v0"
archgym.register_env(TOY_ID, "tests.toysim:ToyEnv")


@pytest.fixture
def toy_env():
    env = gym.make(TOY_ID)
    yield env
    env.close()


@pytest.fixture
def write_spec(tmp_path: Path):
    """Write a sweep-spec dict to a YAML file and return its path."""

    def write(data: dict, name: str = "spec.yaml") -> Path:
        path = tmp_path / name
        path.write_text(yaml.safe_dump(data, sort_keys=False))
        return path

    return write


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--fuzz-long", action="store_true", default=False,
                     help="run the fuzz properties with 20x more examples")
