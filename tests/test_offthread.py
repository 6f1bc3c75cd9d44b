"""Big pages are extracted in wirefeed's own small pool of threads, not the reactor's (wirefeed.spiders.offthread)."""

from __future__ import annotations

import threading
import time

from scrapy.utils.defer import deferred_f_from_coro_f, maybe_deferred_to_future
from twisted.internet.defer import gatherResults

from wirefeed import budget
from wirefeed.spiders.offthread import off_thread


@deferred_f_from_coro_f
async def test_at_most_the_pool_size_at_once_in_named_threads() -> None:
    lock = threading.Lock()
    running, most = [0], [0]

    def work(n: int) -> tuple[int, str]:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.02)
        with lock:
            running[0] -= 1
        return n, threading.current_thread().name

    results = await maybe_deferred_to_future(gatherResults([off_thread(work, n) for n in range(12)]))
    assert [n for n, _ in results] == list(range(12))
    names = {name for _, name in results}
    assert all("wirefeed-extract" in name for name in names), names
    assert most[0] == budget.OFF_THREAD_WORKERS == len(names)


@deferred_f_from_coro_f
async def test_a_failure_comes_back_as_the_exception() -> None:
    def boom() -> None:
        raise ValueError("page")

    try:
        await maybe_deferred_to_future(off_thread(boom))
    except ValueError as exc:
        assert str(exc) == "page"
    else:
        raise AssertionError("no exception")
