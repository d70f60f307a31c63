"""Controller knobs (DRAMSys ``mcconfig`` semantics) and their validation.

Every knob, its allowed values and its default (missing knobs take the
default):

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
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from archgym.errors import InvalidDesign, did_you_mean

__all__ = ["CHOICES", "DEFAULT_DESIGN", "KNOBS", "design_array", "normalise_design"]

CHOICES: dict[str, tuple[str, ...]] = {
    "page_policy": ("Open", "OpenAdaptive", "Closed", "ClosedAdaptive"),
    "scheduler": ("Fifo", "FrFcfs", "FrFcfsGrp"),
    "scheduler_buffer": ("Bankwise", "ReadWrite", "Shared"),
    "resp_queue": ("Fifo", "Reorder"),
    "refresh_policy": ("NoRefresh", "AllBank"),
    "arbiter": ("Simple", "Fifo", "Reorder"),
}
_RANGES: dict[str, tuple[int, int]] = {
    "request_buffer_size": (1, 128),
    "refresh_max_postponed": (0, 8),
    "refresh_max_pulledin": (0, 8),
    "max_active_transactions": (1, 128),
}
DEFAULT_DESIGN: dict[str, Any] = {
    "page_policy": "Open",
    "scheduler": "FrFcfs",
    "scheduler_buffer": "Bankwise",
    "request_buffer_size": 8,
    "resp_queue": "Fifo",
    "refresh_policy": "AllBank",
    "refresh_max_postponed": 8,
    "refresh_max_pulledin": 8,
    "arbiter": "Simple",
    "max_active_transactions": 128,
}
#: Knob order of :func:`design_array`.
KNOBS = tuple(DEFAULT_DESIGN)


def normalise_design(design: Mapping[str, Any] | None) -> dict[str, Any]:
    """Fill in defaults and validate a design dict.

    Raises:
        InvalidDesign: an unknown knob, a label not allowed for its knob, or an
            integer out of range; the message names knob, rule and value.
    """
    out = dict(DEFAULT_DESIGN)
    for key, value in (design or {}).items():
        if key not in DEFAULT_DESIGN:
            raise InvalidDesign(
                f"unknown DRAM controller knob {key!r}.{did_you_mean(key, KNOBS)} "
                f"Known knobs: {', '.join(KNOBS)}.", parameter=key, value=value,
            )
        if key in CHOICES:
            if value not in CHOICES[key]:
                raise InvalidDesign(
                    f"{key} must be one of {', '.join(CHOICES[key])}, got {value!r}."
                    f"{did_you_mean(str(value), CHOICES[key])}", parameter=key, value=value,
                )
        else:
            lo, hi = _RANGES[key]
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not (
                lo <= int(value) <= hi
            ):
                raise InvalidDesign(
                    f"{key} must be an integer in [{lo}, {hi}], got {value!r}",
                    parameter=key, value=value,
                )
            value = int(value)
        out[key] = value
    return out


def design_array(design: Mapping[str, Any]) -> np.ndarray:
    """A normalised design as the int64 vector the kernel reads (labels -> indices)."""
    d = normalise_design(design)
    return np.array(
        [CHOICES[k].index(d[k]) if k in CHOICES else d[k] for k in KNOBS], dtype=np.int64
    )
