"""The heap extension: every ``WIREFEED_HEAP_TRIM_SECONDS`` (default 30; 0 turns it off) a crawl gives
the C heap's free memory back to the system (:func:`wirefeed.heap.trim`), so its RSS follows what it
holds rather than the worst mix of pages it has read. Counted as ``wirefeed/memory/trimmed``."""

from __future__ import annotations

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from wirefeed.heap import trim

__all__ = ["HeapExtension"]


class HeapExtension:
    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.loop: task.LoopingCall | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HeapExtension:
        interval = crawler.settings.getfloat("WIREFEED_HEAP_TRIM_SECONDS", 30)
        if interval <= 0:
            raise NotConfigured
        return cls(crawler, interval)

    def spider_opened(self) -> None:
        self.loop = task.LoopingCall(self.tick)
        self.loop.start(self.interval, now=False)

    def tick(self) -> None:
        if trim():
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("wirefeed/memory/trimmed")

    def spider_closed(self) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
