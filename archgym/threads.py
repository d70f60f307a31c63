"""Thread limits for numerical libraries, written once.

The agents' networks, the Gaussian processes and the proxy models are small:
extra threads only add synchronisation cost on a 2-core machine, and one
trial per core in a sweep must not oversubscribe the CPU.

* :func:`one_thread_per_process` — for worker processes: caps OpenMP, MKL and
  OpenBLAS at one thread (environment variables, before they load) and torch
  at one intra-op thread if it is loaded.
* :func:`torch_threads` — torch intra-op threads inside a ``with`` block.
* :func:`native_threads` — OpenMP or BLAS threads inside a ``with`` block
  (threadpoolctl), e.g. for scikit-learn or NumPy matrix products.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Iterator
from typing import Any

__all__ = ["THREAD_VARIABLES", "native_threads", "one_thread_per_process", "torch_threads"]

#: Environment variables that cap the native thread pools when set before they load.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


def one_thread_per_process() -> None:
    """Cap native thread pools (unless already set) and torch (if loaded) at one thread."""
    for var in THREAD_VARIABLES:
        os.environ.setdefault(var, "1")
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(1)


@contextlib.contextmanager
def torch_threads(n: int = 1) -> Iterator[None]:
    """Use ``n`` torch intra-op threads inside the ``with`` block (restored afterwards)."""
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


@functools.cache
def _controller() -> Any:
    """A cached threadpoolctl controller (scanning the loaded libraries is slow)."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


@contextlib.contextmanager
def native_threads(n: int, api: str) -> Iterator[None]:
    """Limit the ``api`` (``"openmp"`` or ``"blas"``) thread pools to ``n`` inside the block."""
    with _controller().limit(limits=int(n), user_api=api):
        yield
