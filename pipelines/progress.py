"""The progress extension: a crawl prints one short line every ``WIREFEED_PROGRESS_SECONDS`` (default 10;
0 turns it off) — pages, stories, records, failures, rate — to standard error, read from its live stats.
A thin Scrapy shell around :class:`wirefeed.progress.Progress`."""

from __future__ import annotations

import sys

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from wirefeed.progress import Progress

__all__ = ["ProgressExtension"]


class ProgressExtension:
    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.progress = Progress(stream=sys.stderr, interval=interval, label="crawl", redraw=False)
        self.loop: task.LoopingCall | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressExtension:
        interval = crawler.settings.getfloat("WIREFEED_PROGRESS_SECONDS", 10)
        if interval <= 0:
            raise NotConfigured
        return cls(crawler, interval)

    def spider_opened(self) -> None:
        self.progress.start()
        self.loop = task.LoopingCall(self.tick)
        self.loop.start(self.interval, now=False)

    def tick(self) -> None:
        assert self.crawler.stats is not None
        self.progress.stats = self.crawler.stats.get_stats()
        self.progress.draw()

    def spider_closed(self) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
