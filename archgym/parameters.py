"""Parameter kinds of a design space.

A parameter is a finite, ordered set of allowed values. Three kinds cover the
hardware knobs of ArchGym's targets:

* :class:`Categorical` — unordered labels (``"Open"``, ``"Closed"``, ...).
* :class:`IntegerChoices` — an ordered list of integers, e.g. powers of two;
  :func:`PowerOfTwo` builds the common ``{2**a, ..., 2**b}`` case.
* :class:`IntegerRange` — every integer in ``[low, high]``.

Each kind knows its numeric feature encoding (used by surrogates and
Bayesian optimisation; see :meth:`Parameter.feature_table`).
"""

from __future__ import annotations

import math
import numbers
from abc import ABC, abstractmethod
from collections.abc import Hashable, Mapping, Sequence
from types import MappingProxyType

import numpy as np

__all__ = ["Categorical", "IntegerChoices", "IntegerRange", "Parameter", "PowerOfTwo"]


class Parameter(ABC):
    """A finite ordered set of allowed values for one design parameter.

    Args:
        values: The allowed values, in order; index ``i`` of the action vector
            selects ``values[i]``.
        default: The default value (the first value when omitted).
    """

    kind: str = "parameter"

    def __init__(self, values: Sequence[Hashable], default: Hashable | None = None):
        values = tuple(self._normalise(v) for v in values)
        if not values:
            raise ValueError(f"{type(self).__name__} needs at least one value, got none")
        if len(set(values)) != len(values):
            raise ValueError(f"{type(self).__name__} values must be distinct, got {values}")
        self.values: tuple = values
        self._index = {v: i for i, v in enumerate(values)}
        self.default = values[0] if default is None else self._normalise(default)
        if self.default not in self._index:
            raise ValueError(f"default {default!r} is not one of the allowed values {values}")

    def __len__(self) -> int:
        return len(self.values)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list(self.values)!r})"

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Parameter) and type(self) is type(other)
                and self.values == other.values)

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.values))

    @staticmethod
    def _normalise(value: Hashable) -> Hashable:
        """Turn NumPy scalars into their Python equivalents."""
        return value.item() if isinstance(value, np.generic) else value

    def contains(self, value: object) -> bool:
        """Whether ``value`` is an allowed value of this parameter."""
        try:
            return self.index(value) >= 0
        except (KeyError, TypeError):
            return False

    @property
    def positions(self) -> Mapping[Hashable, int]:
        """Read-only map from each allowed value to its index (for fast batch lookups)."""
        return MappingProxyType(self._index)

    def index(self, value: object) -> int:
        """Position of ``value`` among the allowed values.

        Raises:
            KeyError: ``value`` is not allowed.
        """
        value = self._normalise(value)
        if isinstance(value, bool) and not isinstance(self, Categorical):
            raise KeyError(value)
        return self._index[value]

    def subset(self, values: Sequence[Hashable], default: Hashable | None = None) -> Parameter:
        """A parameter of the same kind restricted to ``values`` (kept in this order).

        Raises:
            ValueError: a value is not allowed here, or ``values`` is empty.
        """
        chosen = [self._normalise(v) for v in values]
        bad = [v for v in chosen if not self.contains(v)]
        if bad:
            raise ValueError(f"{bad[0]!r} is not an allowed value ({self.describe()})")
        if default is None:
            default = self.default if self.default in chosen else None
        return self._rebuild(chosen, default)

    def _rebuild(self, values: Sequence[Hashable], default: Hashable | None) -> Parameter:
        return type(self)(values, default)

    @property
    def n_features(self) -> int:
        """Number of columns this parameter contributes to a feature vector."""
        return self.feature_table().shape[1]

    @abstractmethod
    def feature_table(self) -> np.ndarray:
        """Feature rows, one per allowed value: shape ``(len(values), n_features)``."""

    def describe(self) -> str:
        """A short human-readable summary of the allowed values."""
        vals = list(self.values)
        if len(vals) > 8:
            return f"{vals[0]}..{vals[-1]} ({len(vals)} values)"
        return "{" + ", ".join(str(v) for v in vals) + "}"


class Categorical(Parameter):
    """Unordered labels. Features: one-hot, one column per value."""

    kind = "categorical"

    def feature_table(self) -> np.ndarray:
        return np.eye(len(self.values), dtype=np.float64)


class _Ordinal(Parameter):
    """Integer-valued parameters (ordered)."""

    @staticmethod
    def _normalise(value: Hashable) -> Hashable:
        value = Parameter._normalise(value)
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return value

    def __init__(self, values: Sequence[int], default: int | None = None):
        for raw in values:
            v = Parameter._normalise(raw)
            if not isinstance(v, numbers.Integral) or isinstance(v, bool):
                raise TypeError(f"{type(self).__name__} values must be integers, got {v!r}")
        super().__init__(sorted(int(v) for v in values), default)

    def _rebuild(self, values: Sequence[Hashable], default: Hashable | None) -> Parameter:
        ints = sorted(int(v) for v in values)  # type: ignore[call-overload]
        contiguous = ints == list(range(ints[0], ints[-1] + 1))
        if contiguous and isinstance(self, IntegerRange):
            return IntegerRange(ints[0], ints[-1], default)  # type: ignore[arg-type]
        return IntegerChoices(ints, default)  # type: ignore[arg-type]

    @property
    def low(self) -> int:
        return int(self.values[0])

    @property
    def high(self) -> int:
        return int(self.values[-1])

    def _scaled_column(self, v: np.ndarray) -> np.ndarray:
        """``v`` scaled linearly to [0, 1] over its range, as one feature column."""
        span = v[-1] - v[0]
        col = (v - v[0]) / span if span > 0 else np.zeros_like(v)
        return col[:, None]

    def feature_table(self) -> np.ndarray:
        return self._scaled_column(np.asarray(self.values, dtype=np.float64))


class IntegerChoices(_Ordinal):
    """An ordered list of allowed integers.

    Features: one column. When every value is a positive power of two the
    column is ``log2(v)`` scaled to [0, 1] over the allowed range; otherwise
    ``v`` scaled linearly to [0, 1].
    """

    kind = "integer_choices"

    @property
    def powers_of_two(self) -> bool:
        return all(v > 0 and (v & (v - 1)) == 0 for v in self.values)

    def feature_table(self) -> np.ndarray:
        v = np.asarray(self.values, dtype=np.float64)
        return self._scaled_column(np.log2(v) if self.powers_of_two else v)


def PowerOfTwo(low: int, high: int, default: int | None = None) -> IntegerChoices:
    """The powers of two from ``low`` to ``high`` inclusive (both powers of two)."""
    for bound in (low, high):
        if bound <= 0 or (bound & (bound - 1)) != 0:
            raise ValueError(f"PowerOfTwo bounds must be powers of two, got {bound}")
    if low > high:
        raise ValueError(f"PowerOfTwo needs low <= high, got {low} > {high}")
    a, b = int(math.log2(low)), int(math.log2(high))
    return IntegerChoices([2**e for e in range(a, b + 1)], default=default)


class IntegerRange(_Ordinal):
    """Every integer in ``[low, high]`` inclusive. Features: ``v`` scaled to [0, 1]."""

    kind = "integer_range"

    def __init__(self, low: int, high: int, default: int | None = None):
        if int(high) < int(low):
            raise ValueError(f"IntegerRange needs low <= high, got low={low}, high={high}")
        super().__init__(range(int(low), int(high) + 1), default)

    def __repr__(self) -> str:
        return f"IntegerRange({self.low}, {self.high})"
