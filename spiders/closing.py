"""Whether a crawl is closing, through Scrapy's public API: SIGTERM or Ctrl-C, ``CLOSESPIDER_*``, a
``CloseSpider`` raised, ``MEMUSAGE_LIMIT_MB``, or a spider with nothing left to do.

A spider that reads a page while the crawl closes leaves that page's remaining work to the next run
(the ledger keeps it pending). Scrapy has no flag or signal for a close that has begun: ``spider_closed``
comes only after the responses still in flight were read. Every close goes through the engine's
``close_spider_async`` (public since Scrapy 2.14), so :class:`CloseWatch` wraps that method on the
crawler's engine when the spider opens and records the first reason; a stop (SIGTERM) also clears the
public ``crawler.crawling`` and ``engine.running`` before it reaches the engine."""

from __future__ import annotations

from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler

__all__ = ["CloseWatch"]


class CloseWatch:
    """``closing`` is True once the crawl began to close (``reason`` says why; None for a stop that has
    not yet reached the engine) and before the engine runs."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.reason: str | None = None
        crawler.signals.connect(self._watch, signal=signals.spider_opened)

    def _watch(self, spider: Any) -> None:
        engine = self.crawler.engine
        close = engine.close_spider_async

        async def close_spider_async(*, reason: str = "cancelled") -> None:
            if self.reason is None:
                self.reason = reason
            await close(reason=reason)

        engine.close_spider_async = close_spider_async  # type: ignore[method-assign]

    @property
    def closing(self) -> bool:
        # crawling first: before the crawl starts the engine is not set (reading it raises)
        return self.reason is not None or not self.crawler.crawling or not self.crawler.engine.running
