"""ArchGym: Gymnasium environments for ML-assisted computer-architecture design.

``import archgym`` registers every environment (``archgym.list_envs()``), so
``gymnasium.make("archgym/DRAMController-v0")`` works.

The simulators (:mod:`archgym.simulators`) and the core value types
(design spaces, metrics, objectives, errors) do not need Gymnasium: where it
is not installed, ``import archgym`` still works and only the env layer
(``ArchEnv``, ``make``, ``register_env``, ``list_envs``) is unavailable.
"""

from importlib.metadata import PackageNotFoundError, version

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
from archgym.simulator import Metric, Simulator
from archgym.space import Constraint, DesignSpace

try:
    __version__ = version("archgym")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

try:
    import gymnasium  # noqa: F401
except ModuleNotFoundError as _missing:  # simulators and value types still work
    if _missing.name != "gymnasium":
        raise
else:
    import archgym.envs  # noqa: F401  (registers the environments)
    from archgym.env import ArchEnv
    from archgym.registration import list_envs, make, register_env

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
