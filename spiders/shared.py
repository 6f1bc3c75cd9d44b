"""Many workers, one crawl: scrapy-redis's scheduler over a per-run Redis frontier, tied to the ledger.

``wirefeed crawl portal … --state postgresql://… --frontier redis://… --run RUN`` on every worker
(the settings: :mod:`wirefeed.spiders.distributed`). The request queue and the seen-set are scrapy-redis's (``Scheduler``, ``RFPDupeFilter``), under keys
of the run (``wirefeed:RUN:requests``, ``wirefeed:RUN:seen``) and persisted (``SCHEDULER_PERSIST``):
scrapy-redis's default flushes the shared queue when the first worker finishes, and other workers
then fetch pages twice. What scrapy-redis does not do, this scheduler adds with the shared ledger
(:class:`wirefeed.store_pg.PgLedger`):

* a request that passes the seen-set is entered in the run's ledger before it is queued, and the
  worker that pops it *claims* it there: a popped request lives only in that worker's memory, and a
  SIGKILL would lose it. A restarted worker (same machine, same ``-o``) re-queues the pages it held
  (the spider's resume step) and settles its claims with its output; an idle worker re-queues pages
  nobody claimed for ``WIREFEED_WORKER_TIMEOUT`` seconds (a worker killed between popping and
  claiming). The pages a dead worker held wait for its restart: only its output tells which of its
  stories it wrote.
* a worker stays up until the whole run is drained — the queue empty and no page pending in the
  ledger on any worker — not merely until its own share is done.

scrapy-redis's calls are synchronous (they block the reactor for a round trip each); the time spent
in them is counted as ``wirefeed/shared/frontier-ms`` (see ``benchmarks/distributed.py``).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy_redis.scheduler import Scheduler as RedisScheduler

from wirefeed.spiders.frontier import KEY

__all__ = ["SharedScheduler"]

logger = logging.getLogger(__name__)


class SharedScheduler(RedisScheduler):
    @classmethod
    def from_crawler(cls, crawler: Any) -> SharedScheduler:
        instance = super().from_crawler(crawler)
        instance.crawler = crawler
        instance.timeout = crawler.settings.getfloat("WIREFEED_WORKER_TIMEOUT", 60)
        instance.spent = 0.0
        instance._told = 0.0
        crawler.signals.connect(instance._idle, signal=signals.spider_idle)
        return instance

    def open(self, spider: Any) -> Any:
        from wirefeed.pipelines.stages import store_for

        self.ledger = store_for(self.crawler).ledger
        self.ledger.take_back()  # stamps and teasers wait in the shared ledger: any worker's article gets them
        # Scrapy asks an empty scheduler again only every 5 s; the shared queue fills from other
        # workers, so look sooner (one Redis round trip per look).
        self.crawler.engine._SLOT_HEARTBEAT_INTERVAL = self.crawler.settings.getfloat(
            "WIREFEED_POLL_SECONDS", 0.5
        )
        return super().open(spider)

    def close(self, reason: str) -> Any:
        if self.stats is not None:
            self.stats.set_value("wirefeed/shared/frontier-ms", round(self.spent * 1000))
        return super().close(reason)

    def enqueue_request(self, request: Any) -> bool:
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
        t = time.perf_counter()
        try:
            request = super().next_request()
            if request is not None:
                self.ledger.claim(request.meta.get(KEY) or request.url)
            return request
        finally:
            self.spent += time.perf_counter() - t

    def _idle(self, spider: Any) -> None:
        """Close only when the run is drained; meanwhile take over the pages of dead workers."""
        if len(self.queue):
            raise DontCloseSpider
        if self.ledger.pending_count() == 0:
            self.ledger.drained()
            return
        now = time.monotonic()
        if now - self._told > 60:  # say once a minute what the run waits for
            self._told = now
            logger.info("run not drained yet; pending pages by holder: %s", self.ledger.holders())
        for pending in self.ledger.orphans(self.timeout):
            request = spider.request_again(pending)
            if request is not None:
                self.ledger.recovering[request.meta.get(KEY) or request.url] = pending
                if self.stats is not None:
                    self.stats.inc_value("wirefeed/shared/orphans-requeued")
                self.crawler.engine.crawl(request)
        raise DontCloseSpider
