"""Tree ensembles as flat arrays, evaluated by one compiled (Numba) kernel.

scikit-learn's ``predict`` costs tens of microseconds of Python and joblib
overhead per tree and call, which dominated a proxy-backed env step (one row
at a time). :class:`TreeSum` holds every tree of a model in flat NumPy arrays
and evaluates them in a single Numba loop, giving the same numbers as
scikit-learn (tested) at a cost proportional to the nodes actually visited.

A :class:`TreeSum` computes, per row ``x`` and output column ``c``::

    out[c] = base[c] + scale[c] * sum(value[leaf_t(x)] over trees t writing to c)

— a random forest is ``scale = 1 / n_trees`` and ``base = 0``; gradient-boosted
trees are ``scale = 1`` and ``base`` = the model's baseline prediction. A node
sends ``x`` left when ``x[feature] <= threshold``; ``feature < 0`` marks a
leaf. A node's left child is the next node and its right child comes later
(as scikit-learn numbers them; checked when arrays are loaded), so evaluation
always ends, even on a crafted file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numba import njit

from archgym.errors import DatasetError

__all__ = ["TreeSum"]

_ARRAYS = ("feature", "threshold", "left", "right", "value", "roots", "cols", "base", "scale")


#: A node as the kernel reads it: 16 bytes, so a visit touches one cache line (the
#: trees of a model exceed the caches). The left child is always the next node.
_NODE = np.dtype([("threshold", "<f8"), ("feature", "<i4"), ("right", "<i4")])


@njit(cache=True, nogil=True)
def _tree_sum(x, nodes, value, inline, roots, cols, out):  # pragma: no cover
    # ``inline``: one output per tree, its leaf value stored in the leaf's threshold.
    n = x.shape[0]
    width = value.shape[1]
    for i in range(n):
        for t in range(roots.shape[0]):
            node = roots[t]
            while nodes[node].feature >= 0:
                if x[i, nodes[node].feature] <= nodes[node].threshold:
                    node += 1
                else:
                    node = nodes[node].right
            c = cols[t]
            if inline:
                out[i, c] += nodes[node].threshold
            else:
                for k in range(width):
                    out[i, c + k] += value[node, k]


@dataclass
class TreeSum:
    """Trees in flat arrays (see the module docstring).

    Attributes:
        feature: Feature tested at each node, ``-1`` at leaves (int64, ``(n_nodes,)``).
        threshold: Threshold at each node (float64).
        left, right: Child node numbers (int64; unused at leaves).
        value: Leaf values, ``(n_nodes, width)``.
        roots: Root node of each tree (int64, ``(n_trees,)``).
        cols: First output column each tree writes to (int64, ``(n_trees,)``).
        base, scale: Per output column, ``(n_outputs,)``.
        float32: Round features to float32 before comparing (scikit-learn's
            ``DecisionTreeRegressor`` does; histogram boosting does not).
    """

    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray
    roots: np.ndarray
    cols: np.ndarray
    base: np.ndarray
    scale: np.ndarray
    float32: bool = False

    @property
    def n_outputs(self) -> int:
        return len(self.base)

    @property
    def n_trees(self) -> int:
        return len(self.roots)

    def __post_init__(self) -> None:
        self._nodes: np.ndarray | None = None

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Outputs ``(n, n_outputs)`` for a feature matrix ``x`` ``(n, n_features)``."""
        x = np.asarray(x, dtype=np.float32 if self.float32 else np.float64)
        x = np.ascontiguousarray(x, dtype=np.float64)
        out = np.zeros((len(x), self.n_outputs), dtype=np.float64)
        if self._nodes is None:
            self._nodes = np.zeros(len(self.feature), dtype=_NODE)
            self._nodes["threshold"] = self.threshold
            self._nodes["feature"] = self.feature
            self._nodes["right"] = self.right
            if self.value.shape[1] == 1:
                leaf = self.feature < 0
                self._nodes["threshold"][leaf] = self.value[leaf, 0]
        if len(x) and self.n_trees:
            _tree_sum(x, self._nodes, self.value, self.value.shape[1] == 1, self.roots,
                      self.cols, out)
        out *= self.scale
        out += self.base
        return out

    # ------------------------------------------------------------ building
    @classmethod
    def from_forest(cls, forests: Sequence[Any], n_outputs: int) -> TreeSum:
        """Random forests (``RandomForestRegressor``), forest ``j`` writing column(s) from ``j``.

        Either one multi-output forest (``n_outputs`` wide) or one single-output
        forest per column.
        """
        trees: list[tuple[np.ndarray, ...]] = []
        cols: list[int] = []
        scale = np.ones(n_outputs)
        for j, forest in enumerate(forests):
            col = j if len(forests) > 1 else 0
            for est in forest.estimators_:
                t = est.tree_
                feature = np.where(t.children_left < 0, -1, t.feature).astype(np.int64)
                value = t.value.reshape(t.node_count, -1)
                trees.append((feature, t.threshold, t.children_left, t.children_right, value))
                cols.append(col)
            if len(forests) > 1:
                scale[j] = 1.0 / len(forest.estimators_)
            else:
                scale[:] = 1.0 / len(forest.estimators_)
        return cls._join(trees, cols, np.zeros(n_outputs), scale, float32=True)

    @classmethod
    def from_boosting(cls, models: Sequence[Any]) -> TreeSum:
        """Single-output ``HistGradientBoostingRegressor`` models, model ``j`` -> column ``j``."""
        trees: list[tuple[np.ndarray, ...]] = []
        cols: list[int] = []
        base = np.zeros(len(models))
        for j, model in enumerate(models):
            base[j] = float(np.asarray(model._baseline_prediction).ravel()[0])
            for iteration in model._predictors:
                for predictor in iteration:
                    nodes = predictor.nodes
                    if np.any(nodes["is_categorical"]):  # pragma: no cover - never asked for
                        raise DatasetError("categorical splits cannot be compiled")
                    leaf = nodes["is_leaf"].astype(bool)
                    feature = np.where(leaf, -1, nodes["feature_idx"]).astype(np.int64)
                    trees.append((feature, nodes["num_threshold"], nodes["left"],
                                  nodes["right"], nodes["value"][:, None]))
                    cols.append(j)
        return cls._join(trees, cols, base, np.ones(len(models)), float32=False)

    @classmethod
    def _join(
        cls,
        trees: Sequence[tuple[np.ndarray, ...]],
        cols: Sequence[int],
        base: np.ndarray,
        scale: np.ndarray,
        *,
        float32: bool,
    ) -> TreeSum:
        sizes = np.array([len(t[0]) for t in trees], dtype=np.int64)
        roots = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        width = trees[0][4].shape[1] if trees else 1

        def cat(k: int, dtype: Any, offset: bool = False) -> np.ndarray:
            parts = [np.asarray(t[k]).astype(dtype) + (r if offset else 0)
                     for t, r in zip(trees, roots, strict=True)]
            return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)

        feature = cat(0, np.int64)
        leaf = feature < 0
        left, right = cat(2, np.int64, offset=True), cat(3, np.int64, offset=True)
        left[leaf] = 0
        right[leaf] = 0
        value = (np.concatenate([np.asarray(t[4], dtype=np.float64) for t in trees])
                 if trees else np.zeros((0, width)))
        out = cls(feature, cat(1, np.float64), left, right, value, roots,
                  np.asarray(cols, dtype=np.int64), np.asarray(base, dtype=np.float64),
                  np.asarray(scale, dtype=np.float64), float32)
        out.check(None, "compiled trees")
        return out

    # ------------------------------------------------------------- storing
    def arrays(self, prefix: str = "") -> dict[str, np.ndarray]:
        """The arrays to store (keys prefixed), ``float32`` as a 0-d bool array."""
        out = {prefix + k: getattr(self, k) for k in _ARRAYS}
        out[prefix + "float32"] = np.asarray(self.float32)
        return out

    @classmethod
    def from_arrays(
        cls, arrays: Mapping[str, np.ndarray], prefix: str, n_features: int | None, source: str
    ) -> TreeSum:
        """Rebuild from :meth:`arrays`; raise DatasetError naming ``source`` if they are unsound."""
        try:
            parts = {k: np.asarray(arrays[prefix + k]) for k in _ARRAYS}
            float32 = bool(arrays[prefix + "float32"])
        except KeyError as exc:
            raise DatasetError(f"{source}: tree array {exc.args[0]!r} is missing") from None
        ints = ("feature", "left", "right", "roots", "cols")
        try:
            typed = {k: np.ascontiguousarray(v, dtype=np.int64 if k in ints else np.float64)
                     for k, v in parts.items()}
        except (TypeError, ValueError) as exc:
            raise DatasetError(f"{source}: tree arrays of the wrong type ({exc})") from None
        out = cls(**typed, float32=float32)
        out.check(n_features, source)
        return out

    def check(self, n_features: int | None, source: str) -> None:
        """Raise DatasetError unless every index is in range and every path ends."""

        def bad(what: str) -> DatasetError:
            return DatasetError(f"{source}: unsound tree arrays ({what})")

        n = len(self.feature)
        if n >= 2**31 - 1:
            raise bad(f"{n} nodes (at most 2**31 - 2)")
        if any(a.ndim != 1 or len(a) != n for a in (self.threshold, self.left, self.right)):
            raise bad("node arrays of different lengths")
        if self.value.ndim != 2 or len(self.value) != n:
            raise bad("leaf values do not match the nodes")
        if self.base.ndim != 1 or self.scale.shape != self.base.shape:
            raise bad("base and scale differ in shape")
        if self.roots.ndim != 1 or self.cols.shape != self.roots.shape:
            raise bad("roots and columns differ in shape")
        if len(self.roots) and (self.roots.min() < 0 or self.roots.max() >= n):
            raise bad("a root outside the nodes")
        if len(self.cols) and (self.cols.min() < 0
                               or self.cols.max() + self.value.shape[1] > len(self.base)):
            raise bad("a tree writes outside the outputs")
        inner = np.flatnonzero(self.feature >= 0)
        if len(inner):
            if n_features is not None and self.feature[inner].max() >= n_features:
                raise bad(f"a split on feature {int(self.feature[inner].max())} of {n_features}")
            if np.any(self.left[inner] != inner + 1):
                raise bad("a left child that is not the next node")
            right = self.right[inner]
            if np.any(right <= inner + 1) or np.any(right >= n):
                raise bad("a right child that is not after its parent's left child")
            if self.feature[inner].max() >= 2**31:
                raise bad("a feature number beyond 2**31")
