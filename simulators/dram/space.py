"""The DRAM controller's knobs: the one declaration (DRAMSys ``mcconfig`` semantics).

Every knob, its allowed values and its default (DRAMSys's default):

``page_policy`` (``Open``)
    ``Open`` keeps a row open until a request to another row of the bank needs
    the bank; ``Closed`` auto-precharges after every access (RDA/WRA);
    ``OpenAdaptive`` auto-precharges when no further hit to the row is queued
    but a miss to that bank is; ``ClosedAdaptive`` auto-precharges unless a hit
    to the row is queued.
``scheduler`` (``FrFcfs``)
    ``Fifo`` serves each bank's requests strictly in arrival order;
    ``FrFcfs`` serves the oldest row hit first, else the oldest request;
    ``FrFcfsGrp`` is FR-FCFS that prefers, among row hits, those in the same
    direction (read/write) as the last data transfer, to cut bus turnarounds.
``scheduler_buffer`` (``Bankwise``)
    ``Bankwise`` gives every bank ``request_buffer_size`` entries; ``Shared``
    one buffer of that size for all banks; ``ReadWrite`` one read and one
    write buffer of that size each.
``request_buffer_size`` (8)
    Entries per scheduler buffer, 1–128.
``resp_queue`` (``Fifo``)
    ``Fifo`` returns responses in request order; ``Reorder`` returns each as
    soon as its data burst has finished.
``refresh_policy`` (``AllBank``)
    ``NoRefresh`` issues no REF; ``AllBank`` issues an all-bank REF (after a
    PREA) every tREFI.
``refresh_max_postponed`` (8)
    REFs that may be postponed while requests are pending (0–8); postponed
    REFs are caught up when the controller idles, or all at once when the
    limit is reached.
``refresh_max_pulledin`` (8)
    REFs that may be issued early (0–8); as in DRAMSys, only while every bank
    is idle right after a refresh and no request is pending.
``arbiter`` (``Simple``)
    ``Simple`` forwards each transaction to the channel controller as soon as
    its scheduler buffer has room and does not limit transactions in flight;
    ``Fifo`` accepts transactions into its own queue while fewer than
    ``max_active_transactions`` are in flight and forwards them in order;
    ``Reorder`` does the same and also returns responses in request order.
``max_active_transactions`` (128)
    Transactions in flight (accepted, response not yet returned) allowed by
    the ``Fifo`` and ``Reorder`` arbiters, 1–128; no effect under ``Simple``.

The compiled engine reads a design as an int64 vector (:func:`design_vector`):
labels become their position in the knob's value tuple, and the named
constants below (``PAGE_CLOSED``, ``SCHED_FIFO``, ...) are those positions, so
the engine never compares against a bare number whose meaning lives elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from archgym.parameters import Categorical, IntegerRange
from archgym.space import DesignSpace

__all__ = [
    "ARBITERS",
    "KNOBS",
    "PAGE_POLICIES",
    "REFRESH_POLICIES",
    "RESP_QUEUES",
    "SCHEDULERS",
    "SCHEDULER_BUFFERS",
    "design_vector",
    "dram_space",
]

PAGE_POLICIES = ("Open", "OpenAdaptive", "Closed", "ClosedAdaptive")
SCHEDULERS = ("Fifo", "FrFcfs", "FrFcfsGrp")
SCHEDULER_BUFFERS = ("Bankwise", "ReadWrite", "Shared")
RESP_QUEUES = ("Fifo", "Reorder")
REFRESH_POLICIES = ("NoRefresh", "AllBank")
ARBITERS = ("Simple", "Fifo", "Reorder")


def dram_space() -> DesignSpace:
    """Every controller knob with every value the simulator models (defaults as DRAMSys's)."""
    return DesignSpace({
        "page_policy": Categorical(PAGE_POLICIES),
        "scheduler": Categorical(SCHEDULERS, default="FrFcfs"),
        "scheduler_buffer": Categorical(SCHEDULER_BUFFERS),
        "request_buffer_size": IntegerRange(1, 128, default=8),
        "resp_queue": Categorical(RESP_QUEUES),
        "refresh_policy": Categorical(REFRESH_POLICIES, default="AllBank"),
        "refresh_max_postponed": IntegerRange(0, 8, default=8),
        "refresh_max_pulledin": IntegerRange(0, 8, default=8),
        "arbiter": Categorical(ARBITERS),
        "max_active_transactions": IntegerRange(1, 128, default=128),
    })


#: Knob order of :func:`design_vector` (the order of :func:`dram_space`).
KNOBS: tuple[str, ...] = dram_space().names

# Positions in the design vector.
(K_PAGE, K_SCHED, K_BUFFER, K_BUFFER_SIZE, K_RESP_QUEUE, K_REFRESH, K_MAX_POSTPONED,
 K_MAX_PULLEDIN, K_ARBITER, K_MAX_ACTIVE) = range(len(KNOBS))

# Label values as the engine sees them (positions in the tuples above).
PAGE_OPEN = PAGE_POLICIES.index("Open")
PAGE_OPEN_ADAPTIVE = PAGE_POLICIES.index("OpenAdaptive")
PAGE_CLOSED = PAGE_POLICIES.index("Closed")
PAGE_CLOSED_ADAPTIVE = PAGE_POLICIES.index("ClosedAdaptive")
SCHED_FIFO = SCHEDULERS.index("Fifo")
SCHED_FRFCFS = SCHEDULERS.index("FrFcfs")
SCHED_FRFCFS_GRP = SCHEDULERS.index("FrFcfsGrp")
BUFFER_BANKWISE = SCHEDULER_BUFFERS.index("Bankwise")
BUFFER_READ_WRITE = SCHEDULER_BUFFERS.index("ReadWrite")
BUFFER_SHARED = SCHEDULER_BUFFERS.index("Shared")
RESP_FIFO = RESP_QUEUES.index("Fifo")
RESP_REORDER = RESP_QUEUES.index("Reorder")
REFRESH_NONE = REFRESH_POLICIES.index("NoRefresh")
REFRESH_ALL_BANK = REFRESH_POLICIES.index("AllBank")
ARB_SIMPLE = ARBITERS.index("Simple")
ARB_FIFO = ARBITERS.index("Fifo")
ARB_REORDER = ARBITERS.index("Reorder")


_LABELS: dict[str, tuple[str, ...]] = {
    "page_policy": PAGE_POLICIES,
    "scheduler": SCHEDULERS,
    "scheduler_buffer": SCHEDULER_BUFFERS,
    "resp_queue": RESP_QUEUES,
    "refresh_policy": REFRESH_POLICIES,
    "arbiter": ARBITERS,
}


def design_vector(design: Mapping[str, Any]) -> np.ndarray:
    """A validated design as the int64 vector the engine reads (labels -> positions).

    Positions are taken in the full value tuples above, so a design of any
    restriction of :func:`dram_space` gives the same vector.
    """
    return np.array(
        [_LABELS[k].index(design[k]) if k in _LABELS else int(design[k]) for k in KNOBS],
        dtype=np.int64,
    )
