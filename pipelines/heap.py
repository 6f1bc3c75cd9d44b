"""The heap extension: every ``WIREFEED_HEAP_TRIM_SECONDS`` (default 30; 0 turns it off) a crawl gives
the C heap's free memory back to the system (:func:`wirefeed.heap.trim`), so its RSS follows what it
holds rather than the worst mix of pages it has read. Counted as ``wirefeed/memory/trimmed``. When the spider
opens it also fixes the C allocator's mmap threshold at ``WIREFEED_HEAP_MMAP_THRESHOLD`` bytes (default
256 KiB; 0 leaves glibc's own sliding threshold), so page-sized blocks do not fragment the heap
(:func:`wirefeed.heap.set_mmap_threshold`); the value taken is the stat ``wirefeed/memory/mmap-threshold``."""

from __future__ import annotations

from wirefeed.heap import set_mmap_threshold, trim
from wirefeed.pipelines.periodic import PeriodicExtension

__all__ = ["HeapExtension"]


class HeapExtension(PeriodicExtension):
    SETTING = "WIREFEED_HEAP_TRIM_SECONDS"
    DEFAULT = 30

    def opened(self) -> None:
        size = self.crawler.settings.getint("WIREFEED_HEAP_MMAP_THRESHOLD", 256 * 1024)
        if size > 0 and set_mmap_threshold(size):
            assert self.crawler.stats is not None
            self.crawler.stats.set_value("wirefeed/memory/mmap-threshold", size)

    def tick(self) -> None:
        if trim():
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("wirefeed/memory/trimmed")
