"""The worker threads that extract big pages (:data:`wirefeed.budget.OFF_THREAD_BYTES` or more) off the
reactor thread: a pool of :data:`wirefeed.budget.OFF_THREAD_WORKERS`, shared by the crawls of a process.

Not the reactor's pool, which Scrapy sizes for DNS lookups (``REACTOR_THREADPOOL_MAXSIZE``, 10): an
extraction holds the GIL but in lxml's parse, so a third thread reads no page sooner, and glibc gives
every thread that allocates its own malloc arena, which keeps the size of the largest pages that
thread read. With ten threads those arenas held ~110 MB, mostly free, after 10,000 real-size pages.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from twisted.internet.defer import Deferred
from twisted.internet.threads import deferToThreadPool
from twisted.python.threadpool import ThreadPool

from wirefeed import budget

__all__ = ["off_thread"]

T = TypeVar("T")
_pool: ThreadPool | None = None


def _daemon(*args: Any, **kwargs: Any) -> threading.Thread:
    return threading.Thread(*args, daemon=True, **kwargs)  # never holds up the interpreter's exit


def off_thread(fn: Callable[..., T], *args: Any) -> Deferred[T]:
    """``fn(*args)`` in one of the extraction threads; its result (or failure) as a Deferred."""
    global _pool
    from twisted.internet import reactor  # the installed one (Scrapy installs it before a crawl)

    if _pool is None:
        _pool = ThreadPool(0, budget.OFF_THREAD_WORKERS, "wirefeed-extract")
        _pool.threadFactory = _daemon  # type: ignore[assignment]
        _pool.start()
        reactor.addSystemEventTrigger("during", "shutdown", _stop)  # type: ignore[attr-defined]
    return deferToThreadPool(reactor, _pool, fn, *args)  # type: ignore[arg-type]


def _stop() -> None:
    global _pool
    if _pool is not None:
        _pool.stop()
        _pool = None
