"""How many threads NumPy's BLAS (OpenBLAS, MKL, BLIS) and OpenMP use: ``nn.set_num_threads``.

PyTorch users reach for ``torch.set_num_threads``; these are the same calls for the NumPy
this project runs on. They work through threadpoolctl (an optional dependency:
``pip install threadpoolctl``, or the ``threads`` extra), which changes the thread count of
the libraries already loaded in this process, at any time, without environment variables.

>>> import nn
>>> previous = nn.set_num_threads(1)   # small models on a shared or loaded machine
>>> with nn.num_threads(2):            # or for one block only
...     pass

When more threads help: see "BLAS threads" in the README's performance notes. In short,
one thread is best for the matrix sizes small models use (below about 256 x 256) and on a
machine whose cores are busy with other work; on idle cores, large products gain.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

try:
    import threadpoolctl
except ImportError:  # optional: the functions below say how to install it
    threadpoolctl = None

_MISSING = (
    "setting the BLAS thread count needs threadpoolctl: pip install threadpoolctl "
    "(or the environment variable OPENBLAS_NUM_THREADS=N, set before Python starts)"
)
_LIMITER: list[Any] = []  # the process-wide limit set_num_threads keeps alive


def _require() -> Any:
    if threadpoolctl is None:
        raise ImportError(_MISSING)
    return threadpoolctl


def _check(threads: int) -> int:
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise ValueError(f"set_num_threads: the thread count must be a positive int, got {threads!r}")
    return threads


def get_num_threads() -> int:
    """The thread count of NumPy's BLAS now (the largest, if several BLAS libraries are loaded).

    Returns:
        The number of threads BLAS matrix products use; 1 if no BLAS pool is found.
    """
    pools = [info["num_threads"] for info in _require().threadpool_info() if info.get("user_api") == "blas"]
    return max(pools, default=1)


def set_num_threads(threads: int) -> int:
    """Make NumPy's BLAS (and OpenMP) use ``threads`` threads from now on, like ``torch.set_num_threads``.

    Args:
        threads: a positive thread count (1 is often fastest for small models; see the README).

    Returns:
        The BLAS thread count before the call, so that it can be restored.

    Raises:
        ImportError: when threadpoolctl is not installed (the message says how to install it).
    """
    _check(threads)
    module = _require()
    previous = get_num_threads()
    _LIMITER[:] = [module.threadpool_limits(limits=threads)]
    return previous


@contextmanager
def num_threads(threads: int) -> Iterator[None]:
    """Use ``threads`` BLAS threads inside a ``with`` block only; the previous counts come back after it."""
    _check(threads)
    with _require().threadpool_limits(limits=threads):
        yield
