"""Run small torch workloads on one CPU thread.

The agents' networks and Gaussian processes are tiny: torch's intra-op
parallelism only adds synchronisation cost (5x slower on a loaded 2-core
machine). :func:`torch_threads` sets the thread count for the duration of a
call and restores the previous value afterwards.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

__all__ = ["torch_threads"]


@contextlib.contextmanager
def torch_threads(n: int = 1) -> Iterator[None]:
    """Use ``n`` torch intra-op threads inside the ``with`` block."""
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(previous)
