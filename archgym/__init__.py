"""ArchGym: Gymnasium environments for ML-assisted computer-architecture design.

``import archgym`` registers every environment (``archgym.list_envs()``), so
``gymnasium.make("archgym/DRAMController-v0")`` works.
"""

from importlib.metadata import PackageNotFoundError, version

from archgym.env import ArchEnv
from archgym.errors import (
    ArchGymError,
    ConfigError,
    DatasetError,
    InvalidAction,
    InvalidDesign,
    TraceError,
    UnknownName,
)
from archgym.objective import Objective, hypervolume, pareto_mask
from archgym.parameters import Categorical, IntegerChoices, IntegerRange, Parameter, PowerOfTwo
from archgym.registration import list_envs, make, register_env
from archgym.simulator import Metric, Simulator
from archgym.space import Constraint, DesignSpace

try:
    __version__ = version("archgym")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

import archgym.envs  # noqa: F401  (registers the environments)

__all__ = [
    "ArchEnv",
    "ArchGymError",
    "Categorical",
    "ConfigError",
    "Constraint",
    "DatasetError",
    "DesignSpace",
    "IntegerChoices",
    "IntegerRange",
    "InvalidAction",
    "InvalidDesign",
    "Metric",
    "Objective",
    "Parameter",
    "PowerOfTwo",
    "Simulator",
    "TraceError",
    "UnknownName",
    "__version__",
    "hypervolume",
    "list_envs",
    "make",
    "pareto_mask",
    "register_env",
]
