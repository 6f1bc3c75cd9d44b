"""A crawl extension that does one thing every N seconds while the spider is open.

Subclasses name their interval setting (``SETTING``; 0 or less turns the extension off) and its default,
and implement :meth:`tick`; :meth:`opened` runs once before the first tick. The heap trim and the
progress line are such extensions.
"""

from __future__ import annotations

from typing import ClassVar, Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

__all__ = ["PeriodicExtension"]


class PeriodicExtension:
    SETTING: ClassVar[str]
    DEFAULT: ClassVar[float]

    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.loop: task.LoopingCall | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        interval = crawler.settings.getfloat(cls.SETTING, cls.DEFAULT)
        if interval <= 0:
            raise NotConfigured
        return cls(crawler, interval)

    def opened(self) -> None:
        """Before the first tick (nothing by default)."""

    def tick(self) -> None:
        raise NotImplementedError

    def spider_opened(self) -> None:
        self.opened()
        self.loop = task.LoopingCall(self.tick)
        self.loop.start(self.interval, now=False)

    def spider_closed(self) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
