"""Checks of user-given values, written once and used wherever a value enters.

Each function returns the value in canonical form or raises
:class:`~archgym.errors.ConfigError` naming the field, the rule and the value
received. Booleans are never numbers here (``True`` is not a target of 1).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping
from typing import Any

from archgym.errors import ConfigError, UnknownName

__all__ = ["boolean", "integer", "number", "number_map"]


def number(
    field: str,
    value: Any,
    *,
    positive: bool = False,
    non_negative: bool = False,
    low: float | None = None,
    high: float | None = None,
) -> float:
    """A finite real number (not a bool, not a string), optionally bounded.

    Raises:
        ConfigError: naming ``field``, the rule and ``value``.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ConfigError(f"{field} must be a number, got {value!r} ({type(value).__name__})")
    x = float(value)
    if not math.isfinite(x):
        raise ConfigError(f"{field} must be finite, got {value!r}")
    if positive and not x > 0:
        raise ConfigError(f"{field} must be > 0, got {value!r}")
    if non_negative and x < 0:
        raise ConfigError(f"{field} must be >= 0, got {value!r}")
    if low is not None and x < low:
        raise ConfigError(f"{field} must be >= {low:g}, got {value!r}")
    if high is not None and x > high:
        raise ConfigError(f"{field} must be <= {high:g}, got {value!r}")
    return x


def integer(field: str, value: Any, *, low: int | None = None, high: int | None = None) -> int:
    """An integer (not a bool, not a float such as 1.5 or a string such as "2"), bounded.

    Raises:
        ConfigError: naming ``field``, the rule and ``value``.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ConfigError(f"{field} must be an integer, got {value!r} ({type(value).__name__})")
    n = int(value)
    if low is not None and n < low:
        raise ConfigError(f"{field} must be >= {low}, got {value!r}")
    if high is not None and n > high:
        raise ConfigError(f"{field} must be <= {high}, got {value!r}")
    return n


def boolean(field: str, value: Any) -> bool:
    """``True`` or ``False`` (not ``"no"``, not ``0``).

    Raises:
        ConfigError: naming ``field`` and ``value``.
    """
    if not isinstance(value, bool):
        raise ConfigError(f"{field} must be true or false, got {value!r} ({type(value).__name__})")
    return value


def number_map(
    field: str,
    value: Any,
    known: Iterable[str],
    *,
    positive: bool = False,
    non_negative: bool = False,
    kind: str = "metric",
) -> dict[str, float]:
    """A mapping of known names to finite numbers.

    Args:
        field: What the mapping is (``"targets"``), for messages.
        value: The mapping given.
        known: The allowed names (an unknown one gets a "did you mean").
        positive: Every number must be > 0.
        non_negative: Every number must be >= 0.
        kind: What the names are, for messages.

    Raises:
        ConfigError: not a mapping, or a bad number (naming the entry).
        UnknownName: an unknown name.
    """
    if not isinstance(value, Mapping):
        raise ConfigError(
            f"{field} must be a mapping of {kind} name -> number, got {value!r} "
            f"({type(value).__name__})"
        )
    names = list(known)
    out: dict[str, float] = {}
    for name, x in value.items():
        if name not in names:
            err = UnknownName(kind, name, names)
            err.args = (f"{field}: {err}",)  # "targets: unknown metric 'x'. Known metrics: ..."
            raise err
        out[str(name)] = number(f"{field}[{name!r}]", x, positive=positive,
                                non_negative=non_negative)
    return out
