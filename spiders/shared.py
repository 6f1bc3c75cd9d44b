"""Many workers, one crawl: scrapy-redis's scheduler over a per-run Redis frontier, tied to the ledger.

``wirefeed crawl portal … --state postgresql://… --frontier redis://… --run RUN`` on every worker
(the settings: :mod:`wirefeed.spiders.distributed`). The request queue and the seen-set are
scrapy-redis's (``Scheduler``, ``RFPDupeFilter``), under keys of the run (``wirefeed:RUN:requests``,
``wirefeed:RUN:seen``) and persisted (``SCHEDULER_PERSIST``): scrapy-redis's default flushes the shared
queue when the first worker finishes, and other workers then fetch pages twice. What scrapy-redis does
not do, this scheduler adds with the shared ledger (:class:`wirefeed.store_pg.PgLedger`):

* a request that passes the seen-set is entered in the run's ledger before it is queued, and the
  worker that pops it *claims* it there: a popped request lives only in that worker's memory, and a
  SIGKILL would lose it.
* every worker holds a **lease** in PostgreSQL, renewed by a heartbeat (every quarter of
  ``WIREFEED_WORKER_LEASE``, 60 s) and by each of its decisions. An idle worker takes over the work of
  a worker whose lease ran out: it settles the dead worker's unconfirmed records against the dead
  worker's output (the records whose line is there are confirmed, the others released) and fetches
  its pending pages again. A restarted worker (same machine, same ``-o``) takes back what it still
  holds first. A worker that finds its lease taken over stops (``finish_reason`` ``lease-lost``).
* pages nobody claimed for a lease (a worker killed between popping and claiming, or one that
  stopped and handed its pages back) are queued again by an idle worker.
* a worker stays up until the whole run is drained — the queue empty and no page pending in the
  ledger on any worker — not merely until its own share is done; it then sets
  ``wirefeed/shared/drained`` (a worker that fetched nothing of a drained run exits 0).
* an idle worker looks at the shared queue every ``WIREFEED_POLL_SECONDS`` (0.5 s) and hands what it
  pops to the engine (``engine.crawl``); Scrapy by itself asks an empty scheduler again only every 5 s.

scrapy-redis's calls are synchronous (they block the reactor for a round trip each); the time spent
in them is counted as ``wirefeed/shared/frontier-ms`` (see ``benchmarks/distributed.py``).
"""

from __future__ import annotations

import logging
import time
from collections import deque
from typing import Any

from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.defer import deferred_from_coro
from scrapy_redis.scheduler import Scheduler as RedisScheduler
from twisted.internet.task import LoopingCall

from wirefeed.spiders.frontier import KEY

__all__ = ["SharedScheduler"]

logger = logging.getLogger(__name__)


class SharedScheduler(RedisScheduler):
    @classmethod
    def from_crawler(cls, crawler: Any) -> SharedScheduler:
        instance = super().from_crawler(crawler)
        instance.crawler = crawler
        instance.lease = crawler.settings.getfloat("WIREFEED_WORKER_LEASE", 60)
        instance.poll = crawler.settings.getfloat("WIREFEED_POLL_SECONDS", 0.5)
        instance.spent = 0.0
        instance._told = 0.0
        instance._local: deque[Any] = deque()  # popped by the poll, handed to the engine
        instance._handing: Any = None
        instance._loops: list[LoopingCall] = []
        crawler.signals.connect(instance._idle, signal=signals.spider_idle)
        return instance

    def open(self, spider: Any) -> Any:
        from wirefeed.pipelines.export import writer_for
        from wirefeed.pipelines.stages import store_for

        self.store = store_for(self.crawler)
        self.ledger = self.store.ledger
        self.ledger.take_back()  # stamps and teasers wait in the shared ledger: any worker's article gets them
        writer = writer_for(self.crawler)
        path = getattr(writer, "path", None)
        self.ledger.join(str(path) if path and str(path) != "-" else None)
        self.store.leased = True
        opened = super().open(spider)
        for call, every in ((self._beat, max(self.lease / 4, 0.1)), (self._feed, self.poll)):
            loop = LoopingCall(call)
            loop.start(every, now=False)
            self._loops.append(loop)
        return opened

    def close(self, reason: str) -> Any:
        for loop in self._loops:
            if loop.running:
                loop.stop()
        if reason != "lease-lost" and (handed := self.ledger.hand_back()):
            logger.info("stopping (%s): %d pending pages handed back to the run", reason, handed)
        if self.stats is not None:
            self.stats.set_value("wirefeed/shared/frontier-ms", round(self.spent * 1000))
        return super().close(reason)

    def __len__(self) -> int:
        return len(self._local) + len(self.queue)

    def enqueue_request(self, request: Any) -> bool:
        if request is self._handing:  # popped by the poll, given to the engine: already claimed
            self._handing = None
            self._local.append(request)
            return True
        t = time.perf_counter()
        try:
            key = request.meta.get(KEY) or request.url
            if self.ledger.recovering.pop(key, None) is not None:
                self.ledger.release(key)  # a page a dead worker held: queued again, unclaimed
                self.ledger.announced.pop(key, None)
                self.queue.push(request)
                return True
            if not request.dont_filter and self.df.request_seen(request):
                self.df.log(request, self.spider)
                self.ledger.announced.pop(key, None)
                return False
            # In the ledger before it is in the queue: another worker may pop and claim it at once.
            self.ledger.enter(key)
            self.queue.push(request)
            if self.stats is not None:
                self.stats.inc_value("scheduler/enqueued/redis")
            return True
        finally:
            self.spent += time.perf_counter() - t

    def next_request(self) -> Any:
        if self._local:
            return self._local.popleft()
        t = time.perf_counter()
        try:
            request = super().next_request()
            if request is not None:
                self.ledger.claim(request.meta.get(KEY) or request.url)
            return request
        finally:
            self.spent += time.perf_counter() - t

    def _feed(self) -> None:
        """The poll: while the engine has room, pop a request from the shared queue and hand it over
        through the engine's public ``crawl`` (which wakes it at once)."""
        engine = self.crawler.engine
        if engine is None or engine.spider is None or self._local or engine.needs_backout():
            return
        request = self.next_request()
        if request is not None:
            self._handing = request
            engine.crawl(request)
            if self._handing is request:  # dropped on the way (a request_scheduled handler): as if
                self._handing = None  # it had been dropped before it was queued — no page to wait for
                self.ledger.page_done(request.meta.get(KEY) or request.url)

    def _beat(self) -> None:
        try:
            alive = self.ledger.beat()
        except Exception as exc:  # PostgreSQL away for a moment: keep beating; the lease says how long
            logger.warning("heartbeat failed: %s", exc)
            return
        if not alive:
            self._stop("its lease ran out and another worker took over its work")

    def _stop(self, why: str) -> None:
        logger.error("this worker stops: %s (raise WIREFEED_WORKER_LEASE if it was only slow)", why)
        if self.stats is not None:
            self.stats.set_value("wirefeed/shared/lease-lost", 1)
        engine = self.crawler.engine
        if engine is not None and engine.spider is not None:
            deferred_from_coro(engine.close_spider_async(reason="lease-lost"))

    def _idle(self, spider: Any) -> None:
        """Close only when the run is drained; meanwhile take over the work of dead workers."""
        if len(self):
            raise DontCloseSpider
        if self.ledger.pending_count() == 0:
            self.ledger.drained()
            if self.stats is not None:
                self.stats.set_value("wirefeed/shared/drained", 1)
            return
        now = time.monotonic()
        if now - self._told > 60:  # say once a minute what the run waits for
            self._told = now
            logger.info("run not drained yet; pending pages by holder: %s", self.ledger.holders())
        pending = []
        for took in self.store.take_over(self.lease):
            logger.warning(
                "took over the work of %s (its lease ran out): %d pages, %d records confirmed from its "
                "output, %d released%s",
                took.worker, len(took.pages), took.confirmed, took.released,
                "" if took.verified else " (its output could not be read here: some may be in two outputs)",
            )  # fmt: skip
            self._count("takeovers")
            self._count("takeover-confirmed", took.confirmed)
            if not took.verified:
                self._count("takeover-unverified", took.released)
            pending += took.pages
        for page in pending + self.ledger.orphans(self.lease):
            request = spider.request_again(page)
            if request is not None:
                self.ledger.recovering[request.meta.get(KEY) or request.url] = page
                self._count("pages-requeued")
                self.crawler.engine.crawl(request)
        raise DontCloseSpider

    def _count(self, name: str, n: int = 1) -> None:
        if self.stats is not None and n:
            self.stats.inc_value(f"wirefeed/shared/{name}", n)
