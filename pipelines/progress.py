"""The progress extension: a crawl prints one short line every ``WIREFEED_PROGRESS_SECONDS`` (default 10;
0 turns it off) — pages, stories, records, failures, rate — to standard error, read from its live stats.
A thin Scrapy shell around :class:`wirefeed.progress.Progress`."""

from __future__ import annotations

import sys

from scrapy.crawler import Crawler

from wirefeed.pipelines.periodic import PeriodicExtension
from wirefeed.progress import Progress

__all__ = ["ProgressExtension"]


class ProgressExtension(PeriodicExtension):
    SETTING = "WIREFEED_PROGRESS_SECONDS"
    DEFAULT = 10

    def __init__(self, crawler: Crawler, interval: float) -> None:
        super().__init__(crawler, interval)
        self.progress = Progress(stream=sys.stderr, interval=interval, label="crawl", redraw=False)

    def opened(self) -> None:
        self.progress.start()

    def tick(self) -> None:
        assert self.crawler.stats is not None
        self.progress.stats = self.crawler.stats.get_stats()
        self.progress.draw()
