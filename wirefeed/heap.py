"""Handing the C heap's free memory back to the system: glibc's ``malloc_trim``, where there is one.

A crawl reads pages of hundreds of KB; lxml builds each page's tree with the C allocator, outside
Python's, and once the page is freed that memory stays in the allocator's heaps as holes the next page
does not fit exactly, so the heaps keep the size of the worst mix of pages seen so far and creep up with
the run. Measured over 15,000 real-size pages (``benchmarks/crawl.py --memory``): 163 MB of C heap
for 41 MB in use. ``malloc_trim(0)`` gives every free page of every arena back (about 30 ms with 70 MB
free); a crawl calls it now and then (``wirefeed.pipelines.heap``). Elsewhere than glibc it does nothing.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable
from functools import cache

__all__ = ["trim"]


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        fn = ctypes.CDLL(None).malloc_trim  # the process's own C library
    except (OSError, AttributeError):  # musl and others have none
        return None
    fn.argtypes = [ctypes.c_size_t]
    fn.restype = ctypes.c_int
    return fn


def trim() -> bool:
    """Give the C heap's free pages back to the system; True if any were (False where there is no
    ``malloc_trim``)."""
    fn = _malloc_trim()
    return bool(fn(0)) if fn is not None else False
