"""`DesignSpace`: one declaration of a hardware design space, every view of it.

A design is a ``dict`` mapping each parameter name to one allowed value. The
space is the one owner of every conversion of designs:

* design dict <-> index vector (one index per parameter; the element type of
  the Gymnasium ``MultiDiscrete`` action space), single and batched
  (:meth:`~DesignSpace.to_index`, :meth:`~DesignSpace.from_index`,
  :meth:`~DesignSpace.to_index_batch`, :meth:`~DesignSpace.from_index_batch`,
  :meth:`~DesignSpace.index_lenient` for untrusted batches,
  :meth:`~DesignSpace.index_frame` for a DataFrame of logged designs);
* index matrix -> numeric feature matrix for surrogates and Bayesian
  optimisation (one-hot columns for categoricals, ``log2`` scaled to [0, 1] for
  powers of two, integers scaled to [0, 1]; see :mod:`archgym.parameters`);
* Gymnasium ``MultiDiscrete`` and ``Dict`` spaces (built on demand: this module
  does not import Gymnasium, so simulators can use it without Gymnasium);
* Optuna distributions (categoricals as ``CategoricalDistribution``, ordered
  integer parameters as an ``IntDistribution`` over their *index*, so that
  numeric samplers see their order; convert with :meth:`DesignSpace.from_optuna`);
* a JSON-able signature (:meth:`~DesignSpace.signature`) and back
  (:meth:`DesignSpace.from_signature`).

Constraints between parameters are declared with :class:`Constraint`. An env
may narrow a simulator's space with :meth:`DesignSpace.restrict` (same
parameters, fewer values) but never re-declares a parameter.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from archgym.errors import ConfigError, DatasetError, InvalidDesign, did_you_mean
from archgym.parameters import Categorical, IntegerChoices, IntegerRange, Parameter

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from gymnasium import spaces

__all__ = ["Constraint", "Design", "DesignSpace"]

Design = dict[str, Any]

_KINDS: dict[str, Callable[[list[Any]], Parameter]] = {
    "categorical": lambda values: Categorical(values),
    "integer_range": lambda values: IntegerRange(values[0], values[-1]),
    "integer_choices": lambda values: IntegerChoices(values),
}


@dataclass(frozen=True)
class Constraint:
    """A rule between parameters.

    Args:
        check: Returns True when the design satisfies the rule.
        message: What the rule requires, shown when it is broken.
    """

    check: Callable[[Mapping[str, Any]], bool]
    message: str


class DesignSpace:
    """An ordered set of named parameters.

    Args:
        parameters: Parameter name -> :class:`~archgym.parameters.Parameter`, in order.
        constraints: Rules a valid design must also satisfy.
    """

    def __init__(
        self,
        parameters: Mapping[str, Parameter],
        constraints: Sequence[Constraint] = (),
    ):
        if not parameters:
            raise ValueError("a DesignSpace needs at least one parameter")
        for name, p in parameters.items():
            if not isinstance(p, Parameter):
                raise TypeError(f"parameter {name!r} must be a Parameter, got {type(p).__name__}")
        self.parameters: dict[str, Parameter] = dict(parameters)
        self.constraints: tuple[Constraint, ...] = tuple(constraints)
        self.names: tuple[str, ...] = tuple(self.parameters)
        self.nvec = np.array([len(p) for p in self.parameters.values()], dtype=np.int64)
        self._nvec_list = self.nvec.tolist()
        self._values = [p.values for p in self.parameters.values()]
        self._tables = [p.feature_table() for p in self.parameters.values()]
        self.feature_names: tuple[str, ...] = tuple(self._feature_names())

    @classmethod
    def from_signature(cls, signature: Sequence[Mapping[str, Any]]) -> DesignSpace:
        """Rebuild a space (without constraints) from :meth:`signature`.

        Raises:
            ConfigError: an entry of an unknown kind or without values.
        """
        params: dict[str, Parameter] = {}
        for i, entry in enumerate(signature):
            try:
                name, kind, values = str(entry["name"]), entry["kind"], list(entry["values"])
            except (KeyError, TypeError) as exc:
                raise ConfigError(
                    f"design-space signature entry {i} must have name, kind and values, "
                    f"got {entry!r}"
                ) from exc
            if kind not in _KINDS:
                raise ConfigError(
                    f"parameter {name!r}: unknown kind {kind!r} in the signature "
                    f"(known: {', '.join(_KINDS)})"
                )
            try:
                params[name] = _KINDS[kind](values)
            except (ValueError, TypeError, IndexError) as exc:
                raise ConfigError(f"parameter {name!r} of the signature: {exc}") from exc
        return cls(params)

    # ----------------------------------------------------------------- basics
    def __len__(self) -> int:
        return len(self.names)

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __getitem__(self, name: str) -> Parameter:
        return self.parameters[self._check_name(name)]

    def __repr__(self) -> str:
        body = ", ".join(f"{n}={p!r}" for n, p in self.parameters.items())
        return f"DesignSpace({body})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DesignSpace) and self.signature() == other.signature()

    def __hash__(self) -> int:
        return hash(self.fingerprint())

    @property
    def size(self) -> int:
        """Number of designs in the space, before constraints (a Python int)."""
        return math.prod(int(n) for n in self.nvec)

    @property
    def n_features(self) -> int:
        """Length of a feature vector."""
        return len(self.feature_names)

    def default(self) -> Design:
        """The design made of every parameter's default value."""
        return {n: p.default for n, p in self.parameters.items()}

    def signature(self) -> list[dict[str, Any]]:
        """A JSON-able description of the parameters (kind and values, in order)."""
        return [
            {"name": n, "kind": p.kind, "values": list(p.values)}
            for n, p in self.parameters.items()
        ]

    def fingerprint(self) -> str:
        """A stable SHA-256 hex digest of :meth:`signature` (constraints excluded)."""
        text = json.dumps(self.signature(), sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    def describe(self) -> str:
        """One line per parameter: name, kind and allowed values."""
        return "\n".join(f"{n}: {p.kind} {p.describe()}" for n, p in self.parameters.items())

    def restrict(self, **values: Sequence[Any]) -> DesignSpace:
        """The same space with some parameters narrowed to a subset of their values.

        Constraints are kept. Used by envs that search part of a simulator's space.

        Args:
            **values: Parameter name -> the allowed values to keep.

        Raises:
            InvalidDesign: an unknown parameter or a value it does not allow.
        """
        params = dict(self.parameters)
        for name, keep in values.items():
            try:
                params[self._check_name(name)] = self.parameters[name].subset(keep)
            except ValueError as exc:
                raise InvalidDesign(f"cannot restrict parameter {name!r}: {exc}",
                                    parameter=name) from exc
        return DesignSpace(params, self.constraints)

    def contains_space(self, other: DesignSpace) -> bool:
        """Whether ``other`` has the same parameters, each allowing a subset of these values."""
        if other.names != self.names:
            return False
        return all(
            all(self.parameters[n].contains(v) for v in other.parameters[n].values)
            for n in self.names
        )

    # ------------------------------------------------------------- validation
    def _check_name(self, name: str) -> str:
        if name not in self.parameters:
            raise InvalidDesign(
                f"unknown parameter {name!r}.{did_you_mean(str(name), self.names)} "
                f"Parameters: {', '.join(self.names)}.",
                parameter=name,
            )
        return name

    def validate(self, design: Mapping[str, Any]) -> Design:
        """Check a design and return it in canonical form (ordered, Python scalars).

        Raises:
            InvalidDesign: a parameter is unknown or missing, a value is not
                allowed, or a constraint is broken. The message names the
                parameter, the value and the allowed values.
        """
        if not isinstance(design, Mapping):
            raise InvalidDesign(f"a design must be a mapping of parameter names, got {design!r}")
        for name in design:
            self._check_name(name)
        missing = [n for n in self.names if n not in design]
        if missing:
            raise InvalidDesign(
                f"design is missing parameter(s) {', '.join(missing)}", parameter=missing[0]
            )
        out: Design = {}
        for name, p in self.parameters.items():
            value = design[name]
            if not p.contains(value):
                raise InvalidDesign(
                    f"parameter {name!r}: value {value!r} is not allowed; "
                    f"allowed values: {p.describe()}",
                    parameter=name,
                    value=value,
                )
            out[name] = p.values[p.index(value)]
        self.check_constraints(out)
        return out

    def check_constraints(self, design: Mapping[str, Any]) -> None:
        """Raise :class:`InvalidDesign` naming the first broken constraint of ``design``.

        ``design`` must hold a value of every parameter (e.g. from :meth:`from_index`).
        """
        for c in self.constraints:
            if not c.check(design):
                raise InvalidDesign(f"constraint broken: {c.message}", parameter=c.message)

    def is_valid(self, design: Mapping[str, Any]) -> bool:
        """Whether :meth:`validate` would accept ``design``."""
        try:
            self.validate(design)
        except InvalidDesign:
            return False
        return True

    # -------------------------------------------------------------- encodings
    def to_index(self, design: Mapping[str, Any]) -> np.ndarray:
        """Design dict -> index vector (``int64``, one entry per parameter)."""
        design = self.validate(design)
        return np.array([p.index(design[n]) for n, p in self.parameters.items()], dtype=np.int64)

    def index_list(self, indices: Any) -> list[int] | None:
        """An index vector as a list of Python ints, or None when it is not one of this space.

        Accepts a sequence or array of integers (or integral floats) with one
        entry per parameter, each in ``[0, nvec[i])``. This is the fast check
        behind :meth:`from_index` and ``env.step``.
        """
        try:
            values = indices.tolist() if isinstance(indices, np.ndarray) else list(indices)
        except TypeError:
            return None
        if len(values) != len(self._nvec_list):
            return None
        out = []
        for k, n in zip(values, self._nvec_list, strict=True):
            if isinstance(k, bool) or not isinstance(k, (int, float)):
                return None
            if not (0 <= k < n) or k != int(k):
                return None
            out.append(int(k))
        return out

    def index_problem(self, indices: Any) -> str:
        """Why ``indices`` is not an index vector of this space (for error messages)."""
        expected = (f"expected {len(self)} integer indices with 0 <= a[i] < nvec[i], "
                    f"nvec = {self._nvec_list} (parameters: {', '.join(self.names)})")
        try:
            values = indices.tolist() if isinstance(indices, np.ndarray) else list(indices)
        except TypeError:
            return f"index vector {indices!r} is not a sequence; {expected}"
        if len(values) != len(self):
            return (f"index vector {indices!r} has shape ({len(values)},), not ({len(self)},); "
                    f"{expected}")
        for name, k, n in zip(self.names, values, self._nvec_list, strict=True):
            if isinstance(k, bool) or not isinstance(k, (int, float)) or k != int(k):
                return f"parameter {name!r}: index {k!r} is not an integer; {expected}"
            if not 0 <= k < n:
                return (f"parameter {name!r}: index {int(k)} is out of range [0, {n - 1}]; "
                        f"{expected}")
        return f"index vector {indices!r} is not in this space; {expected}"

    def from_index(self, indices: Sequence[int] | np.ndarray) -> Design:
        """Index vector -> design dict (the inverse of :meth:`to_index`).

        Constraints are not checked here; call :meth:`check_constraints` for that.

        Raises:
            InvalidDesign: wrong length, a non-integer, or an index outside its
                parameter's range.
        """
        idx = self.index_list(indices)
        if idx is None:
            raise InvalidDesign(self.index_problem(indices))
        return {name: values[k] for name, values, k in zip(self.names, self._values, idx,
                                                            strict=True)}

    def from_index_batch(self, indices: np.ndarray) -> list[Design]:
        """Index matrix ``(n, len(space))`` -> list of design dicts (constraints not checked)."""
        matrix = self._check_matrix(indices)
        columns = [np.asarray(values, dtype=object)[matrix[:, i]]
                   for i, values in enumerate(self._values)]
        return [dict(zip(self.names, row, strict=True)) for row in zip(*columns, strict=True)]

    def to_index_batch(self, designs: Iterable[Mapping[str, Any]]) -> np.ndarray:
        """Designs -> index matrix of shape ``(n, len(space))`` (every design validated)."""
        rows = [self.to_index(d) for d in designs]
        if not rows:
            return np.zeros((0, len(self)), dtype=np.int64)
        return np.stack(rows)

    def index_lenient(self, designs: Sequence[Mapping[str, Any]]) -> tuple[np.ndarray, np.ndarray]:
        """Untrusted designs -> ``(index matrix, valid mask)`` without raising.

        A row is invalid when a parameter is missing, a value is not allowed
        (or unhashable), or a constraint is broken; its index row is all zeros.
        """
        n = len(designs)
        index = np.zeros((n, len(self)), dtype=np.int64)
        valid = np.ones(n, dtype=bool)
        for j, (name, p) in enumerate(self.parameters.items()):
            ordinal = not isinstance(p, Categorical)
            lookup = p.positions
            col = np.fromiter(
                (_position(p, lookup, d.get(name) if isinstance(d, Mapping) else None, ordinal)
                 for d in designs),
                dtype=np.int64, count=n,
            )
            valid &= col >= 0
            index[:, j] = np.maximum(col, 0)
        for i, d in enumerate(designs):
            if valid[i] and isinstance(d, Mapping) and len(d) != len(self):
                valid[i] = all(k in self.parameters for k in d)
        if self.constraints:
            for i in np.flatnonzero(valid).tolist():
                try:
                    self.check_constraints(designs[i])
                except InvalidDesign:
                    valid[i] = False
        return index, valid

    def index_frame(
        self, df: pd.DataFrame, prefix: str = "design.", source: str = "data"
    ) -> np.ndarray:
        """Design columns of a DataFrame (``<prefix><name>``) -> index matrix.

        Raises:
            DatasetError: a column is missing or unknown, or holds a value the
                space does not allow (the message names ``source``, the column
                and the value).
        """
        present = {c.removeprefix(prefix) for c in df.columns if c.startswith(prefix)}
        missing = [n for n in self.names if n not in present]
        extra = sorted(present - set(self.names))
        if missing or extra:
            parts = []
            if missing:
                parts.append(f"missing design column(s) {', '.join(prefix + n for n in missing)}")
            if extra:
                parts.append(f"unknown design column(s) {', '.join(prefix + n for n in extra)}")
            raise DatasetError(
                f"{source}: the data does not match the design space ({'; '.join(parts)}); "
                f"parameters: {', '.join(self.names)}"
            )
        out = np.empty((len(df), len(self)), dtype=np.int64)
        for j, (name, p) in enumerate(self.parameters.items()):
            col = df[f"{prefix}{name}"]
            lookup: dict[object, int] = {}
            for value in col.unique():
                try:
                    lookup[value] = p.index(value)
                except (KeyError, TypeError):
                    shown = value.item() if isinstance(value, np.generic) else value
                    raise DatasetError(
                        f"{source}: column {prefix}{name} holds {shown!r}, which the design "
                        f"space does not allow (allowed: {p.describe()})"
                    ) from None
            out[:, j] = col.map(lookup).to_numpy(dtype=np.int64)
        return out

    def to_features(self, design: Mapping[str, Any]) -> np.ndarray:
        """Design -> numeric feature vector (float64, length :attr:`n_features`)."""
        return self.index_to_features(self.to_index(design)[None, :])[0]

    def to_features_batch(self, designs: Iterable[Mapping[str, Any]] | np.ndarray) -> np.ndarray:
        """Designs (dicts, or an index matrix) -> feature matrix ``(n, n_features)``."""
        if isinstance(designs, np.ndarray):
            return self.index_to_features(designs)
        return self.index_to_features(self.to_index_batch(designs))

    def index_to_features(self, indices: np.ndarray) -> np.ndarray:
        """Index matrix ``(n, len(space))`` -> feature matrix ``(n, n_features)``."""
        matrix = self._check_matrix(indices)
        cols = [table[matrix[:, i]] for i, table in enumerate(self._tables)]
        return np.concatenate(cols, axis=1)

    def _check_matrix(self, indices: np.ndarray) -> np.ndarray:
        matrix = np.asarray(indices, dtype=np.int64)
        if matrix.ndim != 2 or matrix.shape[1] != len(self):
            raise InvalidDesign(
                f"index matrix must have shape (n, {len(self)}), got {matrix.shape}"
            )
        if np.any(matrix < 0) or np.any(matrix >= self.nvec):
            raise InvalidDesign("index matrix holds an index outside its parameter's range")
        return matrix

    def _feature_names(self) -> Iterable[str]:
        for name, p in self.parameters.items():
            if isinstance(p, Categorical):
                yield from (f"{name}={v}" for v in p.values)
            else:
                yield name

    # -------------------------------------------------------------- sampling
    def sample(self, rng: np.random.Generator, max_tries: int = 10_000) -> Design:
        """A uniformly random valid design (rejection sampling under constraints).

        Args:
            rng: The random generator (e.g. ``env.np_random``).
            max_tries: Give up after this many rejected samples.
        """
        for _ in range(max_tries):
            design = self.from_index(rng.integers(0, self.nvec))
            try:
                self.check_constraints(design)
            except InvalidDesign:
                continue
            return design
        raise InvalidDesign(f"no valid design found in {max_tries} samples; check the constraints")

    # ----------------------------------------------------------------- views
    def gym_space(self) -> spaces.MultiDiscrete:
        """The Gymnasium ``MultiDiscrete`` space of index vectors."""
        from gymnasium import spaces

        return spaces.MultiDiscrete(self.nvec.copy(), dtype=np.int64)

    def dict_space(self) -> spaces.Dict:
        """A Gymnasium ``Dict`` space: one ``Discrete`` (value index) per parameter."""
        from gymnasium import spaces

        return spaces.Dict({n: spaces.Discrete(len(p)) for n, p in self.parameters.items()})

    def optuna_distributions(self) -> dict[str, Any]:
        """Optuna distributions, one per parameter (see the module docstring)."""
        from optuna.distributions import CategoricalDistribution, IntDistribution

        out: dict[str, Any] = {}
        for name, p in self.parameters.items():
            if isinstance(p, Categorical):
                out[name] = CategoricalDistribution(list(p.values))
            else:
                out[name] = IntDistribution(0, len(p) - 1)
        return out

    def from_optuna(self, params: Mapping[str, Any]) -> Design:
        """Optuna trial parameters (from :meth:`optuna_distributions`) -> design."""
        out: Design = {}
        for name, p in self.parameters.items():
            value = params[name]
            out[name] = value if isinstance(p, Categorical) else p.values[int(value)]
        return self.validate(out)

    def to_optuna(self, design: Mapping[str, Any]) -> dict[str, Any]:
        """Design -> Optuna trial parameters (the inverse of :meth:`from_optuna`)."""
        design = self.validate(design)
        return {
            n: design[n] if isinstance(p, Categorical) else p.index(design[n])
            for n, p in self.parameters.items()
        }


def _position(p: Parameter, lookup: Mapping[Any, int], value: Any, ordinal: bool) -> int:
    """Index of ``value`` in ``p`` or -1 (bools are never ordinal values)."""
    if ordinal and isinstance(value, bool):
        return -1
    try:
        return lookup.get(p._normalise(value), -1)
    except TypeError:  # unhashable
        return -1

