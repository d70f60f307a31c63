"""Hyperparameter specifications: defaults, allowed ranges and documentation as data.

Every agent declares its hyperparameters as a tuple of :class:`HyperParameter`
(``Agent.HYPERPARAMETERS``); the agent's constructor validates keyword
arguments against them, and sweeps enumerate them through
``Agent.hyperparameters()``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from archgym.errors import ConfigError, UnknownName

__all__ = ["HyperParameter", "resolve_hyperparameters"]

Kind = Literal["int", "float", "bool", "choice"]


@dataclass(frozen=True)
class HyperParameter:
    """One hyperparameter of an agent.

    Args:
        name: Keyword name.
        kind: ``"int"``, ``"float"``, ``"bool"`` or ``"choice"``.
        default: Default value (``None`` only when ``nullable``).
        doc: One line saying what it controls, with units.
        low: Smallest allowed value (``int``/``float``), inclusive.
        high: Largest allowed value (``int``/``float``), inclusive.
        choices: Allowed values of a ``"choice"``; for ``"float"`` extra
            non-numeric values that are also accepted (e.g. ``"auto"``).
        log: Whether sweeps should sample the range on a log scale.
        nullable: Whether ``None`` is accepted (its meaning is in ``doc``).
    """

    name: str
    kind: Kind
    default: Any
    doc: str
    low: float | None = None
    high: float | None = None
    choices: tuple[Any, ...] = field(default=())
    log: bool = False
    nullable: bool = False

    def describe(self) -> str:
        """The allowed values as text, e.g. ``"int in [2, 64]"``."""
        if self.kind == "bool":
            text = "bool"
        elif self.kind == "choice":
            text = "one of {" + ", ".join(repr(c) for c in self.choices) + "}"
        else:
            text = f"{self.kind} in [{self.low}, {self.high}]"
            if self.choices:
                text += " or one of {" + ", ".join(repr(c) for c in self.choices) + "}"
        return text + (" or None" if self.nullable else "")

    def validate(self, value: Any, agent: str) -> Any:
        """Return ``value`` in canonical form, or raise :class:`ConfigError`.

        Args:
            value: The value given by the user.
            agent: The agent's registry name (for the message).
        """
        if value is None and self.nullable:
            return None
        if self.kind == "bool":
            if isinstance(value, bool):
                return value
        elif self.kind == "choice" or isinstance(value, (str, bool)):
            if value in self.choices:
                return value
        elif self.kind == "int":
            if isinstance(value, numbers.Integral) or (
                isinstance(value, numbers.Real) and float(value).is_integer()
            ):
                value = int(float(value))
                if self._in_range(value):
                    return value
        elif isinstance(value, numbers.Real) and math.isfinite(float(value)):
            value = float(value)
            if self._in_range(value):
                return value
        raise ConfigError(
            f"agent {agent!r}: hyperparameter {self.name!r} must be {self.describe()}, "
            f"got {value!r}"
        )

    def _in_range(self, value: float) -> bool:
        return (self.low is None or value >= self.low) and (
            self.high is None or value <= self.high
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able description (for sweeps and ``archgym agents --describe``)."""
        return {
            "name": self.name,
            "kind": self.kind,
            "default": self.default,
            "low": self.low,
            "high": self.high,
            "choices": list(self.choices),
            "log": self.log,
            "nullable": self.nullable,
            "doc": self.doc,
        }


def resolve_hyperparameters(
    agent: str, specs: Sequence[HyperParameter], given: Mapping[str, Any]
) -> dict[str, Any]:
    """Fill in defaults and validate user values.

    Args:
        agent: The agent's registry name (for messages).
        specs: The agent's hyperparameter specifications.
        given: The keyword arguments the user passed.

    Returns:
        Name -> validated value, for every hyperparameter in ``specs``.

    Raises:
        UnknownName: a name in ``given`` is not a hyperparameter of the agent.
        ConfigError: a value is outside its allowed range.
    """
    known = {s.name: s for s in specs}
    for name in given:
        if name not in known:
            raise UnknownName(f"{agent} hyperparameter", name, known)
    return {
        name: spec.validate(given[name], agent) if name in given else spec.default
        for name, spec in known.items()
    }
