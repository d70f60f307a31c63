"""Train/test splits of a proxy training set.

* ``random`` — a seeded random fraction of the unique designs is held out.
* ``agent`` (leave-one-agent-out) — for each agent, its designs are the test
  set and the other agents' designs train (the original ArchGym found that data
  from diverse agents makes better proxies).
* ``workload`` (leave-one-workload-out) — for each workload, its designs are
  the test set and the other workloads' designs train.

In every split a test design (with its workload) never appears in training:
rows of the training groups that repeat a test design are dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from archgym.errors import ConfigError, UnknownName
from archgym.proxy.dataset import Dataset
from archgym.registry import Registry

__all__ = ["SPLITS", "Split", "leave_one_out", "make_splits", "random_split"]


@dataclass(frozen=True)
class Split:
    """One train/test split.

    Attributes:
        name: ``"random"``, ``"agent"`` or ``"workload"``.
        held_out: What the test set is (``"20%"``, an agent or workload name).
        train: Training rows (merged across agents).
        test: Test rows (merged across agents).
    """

    name: str
    held_out: str
    train: Dataset
    test: Dataset


def random_split(data: Dataset, test_fraction: float = 0.2, seed: int = 0) -> Split:
    """Hold out a seeded random ``test_fraction`` of the unique designs."""
    if not 0.0 < test_fraction < 1.0:
        raise ConfigError(f"test_fraction must be in (0, 1), got {test_fraction!r}")
    merged = data.merged()
    n = len(merged)
    n_test = round(test_fraction * n)
    if n_test < 1 or n_test >= n:
        raise ConfigError(
            f"a random split of {n} unique designs with test_fraction={test_fraction} "
            "leaves an empty train or test set"
        )
    perm = np.random.default_rng(seed).permutation(n)
    return Split(
        "random",
        f"{test_fraction:.0%}",
        merged.subset(np.sort(perm[n_test:])),
        merged.subset(np.sort(perm[:n_test])),
    )


def leave_one_out(data: Dataset, by: str) -> Iterator[Split]:
    """Leave-one-agent-out (``by="agent"``) or leave-one-workload-out (``"workload"``).

    Raises:
        ConfigError: fewer than two groups (agents need ``by_agent=True`` when
            the dataset is built).
    """
    if by not in ("agent", "workload"):
        raise UnknownName("leave-one-out split", by, ("agent", "workload"))
    labels = data.agent if by == "agent" else data.workload
    groups = sorted(set(labels.tolist()))
    if len(groups) < 2:
        raise ConfigError(
            f"a leave-one-{by}-out split needs data from at least two {by}s, got {groups}"
        )
    keys = data.keys()
    for group in groups:
        is_test = labels == group
        test = data.subset(is_test).merged()
        test_keys = set(test.keys().tolist())
        train_rows = ~is_test & ~np.isin(keys, list(test_keys))
        if not train_rows.any():
            continue
        yield Split(by, str(group), data.subset(train_rows).merged(), test)


#: Split name -> ``f(data, test_fraction, seed) -> list[Split]``.
SPLITS: Registry[Callable[[Dataset, float, int], list[Split]]] = Registry("proxy split")
SPLITS.register("random", lambda data, fraction, seed: [random_split(data, fraction, seed)])
SPLITS.register("agent", lambda data, fraction, seed: list(leave_one_out(data, "agent")))
SPLITS.register("workload", lambda data, fraction, seed: list(leave_one_out(data, "workload")))


def make_splits(
    data: Dataset, names: tuple[str, ...] = ("random",), test_fraction: float = 0.2, seed: int = 0
) -> list[Split]:
    """Every split named in ``names`` (a leave-one-out name gives one split per group)."""
    out: list[Split] = []
    for name in names:
        out.extend(SPLITS.get(name)(data, test_fraction, seed))
    return out
