"""Handing the C heap's free memory back to the system: glibc's ``malloc_trim``, where there is one.

A crawl reads pages of hundreds of KB; lxml builds each page's tree with the C allocator, outside
Python's, and once the page is freed that memory stays in the allocator's heaps as holes the next page
does not fit exactly, so the heaps keep the size of the worst mix of pages seen so far and creep up with
the run. Measured over 15,000 real-size pages (``benchmarks/crawl.py --memory``): 163 MB of C heap
for 41 MB in use. ``malloc_trim(0)`` gives every free page of every arena back (about 30 ms with 70 MB
free); a crawl calls it now and then (``wirefeed.pipelines.heap``).

glibc also moves its mmap threshold up to the largest block freed so far (up to 32 MiB), so after the
first big page the page bodies, their decoded text and libxml2's buffers (hundreds of KB each) are
carved from the heap too and add to its holes. :func:`set_mmap_threshold` fixes the threshold (which
turns that adjustment off): blocks above it are mapped on their own and go back to the system when
freed. Measured over 31,501 real-size pages: C heap 55–59 MiB instead of 72–80, RSS about 20 MiB
lower. Elsewhere than glibc both do nothing.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable
from functools import cache

__all__ = ["set_mmap_threshold", "trim"]

_M_MMAP_THRESHOLD = -3  # mallopt parameter, from glibc's <malloc.h>


@cache
def _libc(name: str, *argtypes: type) -> Callable[..., int] | None:
    """``name`` from the process's own C library, if it is glibc's (musl and others have neither)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        fn = getattr(ctypes.CDLL(None), name)
    except (OSError, AttributeError):
        return None
    fn.argtypes = list(argtypes)
    fn.restype = ctypes.c_int
    return fn  # type: ignore[no-any-return]


def trim() -> bool:
    """Give the C heap's free pages back to the system; True if any were (False where there is no
    ``malloc_trim``)."""
    fn = _libc("malloc_trim", ctypes.c_size_t)
    return bool(fn(0)) if fn is not None else False


def set_mmap_threshold(size: int) -> bool:
    """Map every C block of ``size`` bytes or more on its own from now on (glibc's ``mallopt``); True
    if the allocator took it."""
    fn = _libc("mallopt", ctypes.c_int, ctypes.c_int)
    return bool(fn(_M_MMAP_THRESHOLD, size)) if fn is not None else False
