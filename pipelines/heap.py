"""The heap extension: every ``WIREFEED_HEAP_TRIM_SECONDS`` (default 30; 0 turns it off) a crawl gives
the C heap's free memory back to the system (:func:`wirefeed.heap.trim`), so its RSS follows what it
holds rather than the worst mix of pages it has read. Counted as ``wirefeed/memory/trimmed``."""

from __future__ import annotations

from wirefeed.heap import trim
from wirefeed.pipelines.periodic import PeriodicExtension

__all__ = ["HeapExtension"]


class HeapExtension(PeriodicExtension):
    SETTING = "WIREFEED_HEAP_TRIM_SECONDS"
    DEFAULT = 30

    def tick(self) -> None:
        if trim():
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("wirefeed/memory/trimmed")
