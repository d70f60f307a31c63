"""`DesignSpace`: one declaration of a hardware design space, every view of it.

A design is a ``dict`` mapping each parameter name to one allowed value. The
same space converts designs to and from:

* an index vector (one index per parameter) — the element type of the
  Gymnasium :class:`~gymnasium.spaces.MultiDiscrete` action space;
* a Gymnasium :class:`~gymnasium.spaces.Dict` space;
* a numeric feature vector for surrogates and Bayesian optimisation (one-hot
  columns for categoricals, ``log2`` scaled to [0, 1] for powers of two,
  integers scaled to [0, 1]; see :mod:`archgym.parameters`);
* Optuna distributions (categoricals as ``CategoricalDistribution``, ordered
  integer parameters as an ``IntDistribution`` over their *index*, so that
  numeric samplers see their order; convert with :meth:`DesignSpace.from_optuna`).

Constraints between parameters are declared with :class:`Constraint`.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from gymnasium import spaces

from archgym.errors import InvalidDesign, did_you_mean
from archgym.parameters import Categorical, Parameter

__all__ = ["Constraint", "Design", "DesignSpace"]

Design = dict[str, Any]


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
        self._tables = [p.feature_table() for p in self.parameters.values()]
        self.feature_names: tuple[str, ...] = tuple(self._feature_names())

    # ----------------------------------------------------------------- basics
    def __len__(self) -> int:
        return len(self.names)

    def __iter__(self):
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
        self._check_constraints(out)
        return out

    def _check_constraints(self, design: Design) -> None:
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

    def from_index(self, indices: Sequence[int] | np.ndarray) -> Design:
        """Index vector -> design dict (the inverse of :meth:`to_index`).

        Constraints are not checked here; call :meth:`validate` for that.

        Raises:
            InvalidDesign: wrong length, or an index outside its parameter's range.
        """
        idx = np.asarray(indices)
        if idx.shape != (len(self),):
            raise InvalidDesign(
                f"index vector must have shape ({len(self)},), got shape {idx.shape}: {indices!r}"
            )
        if not np.issubdtype(idx.dtype, np.integer):
            if not np.all(np.mod(idx, 1) == 0):
                raise InvalidDesign(f"index vector must hold integers, got {indices!r}")
            idx = idx.astype(np.int64)
        out: Design = {}
        for i, (name, p) in enumerate(self.parameters.items()):
            k = int(idx[i])
            if not 0 <= k < len(p):
                raise InvalidDesign(
                    f"parameter {name!r}: index {k} is out of range [0, {len(p) - 1}]",
                    parameter=name,
                    value=k,
                )
            out[name] = p.values[k]
        return out

    def to_index_batch(self, designs: Iterable[Mapping[str, Any]]) -> np.ndarray:
        """Designs -> index matrix of shape ``(n, len(space))``."""
        rows = [self.to_index(d) for d in designs]
        if not rows:
            return np.zeros((0, len(self)), dtype=np.int64)
        return np.stack(rows)

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
        indices = np.asarray(indices, dtype=np.int64)
        if indices.ndim != 2 or indices.shape[1] != len(self):
            raise InvalidDesign(
                f"index matrix must have shape (n, {len(self)}), got {indices.shape}"
            )
        if np.any(indices < 0) or np.any(indices >= self.nvec):
            raise InvalidDesign("index matrix holds an index outside its parameter's range")
        cols = [table[indices[:, i]] for i, table in enumerate(self._tables)]
        return np.concatenate(cols, axis=1)

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
            idx = rng.integers(0, self.nvec)
            design = self.from_index(idx)
            try:
                self._check_constraints(design)
            except InvalidDesign:
                continue
            return design
        raise InvalidDesign(f"no valid design found in {max_tries} samples; check the constraints")

    # ----------------------------------------------------------------- views
    def gym_space(self) -> spaces.MultiDiscrete:
        """The Gymnasium ``MultiDiscrete`` space of index vectors."""
        return spaces.MultiDiscrete(self.nvec.copy(), dtype=np.int64)

    def dict_space(self) -> spaces.Dict:
        """A Gymnasium ``Dict`` space: one ``Discrete`` (value index) per parameter."""
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
