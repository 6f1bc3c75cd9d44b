"""The crawl's scheduler: Scrapy's, with the frontier kept by the ledger instead of a disk queue.

Scrapy keeps a ``JOBDIR`` frontier in queue files that are consistent only after a clean shutdown: a
SIGKILL leaves them cut mid-record (``struct.error`` on resume) or stale, and the resumed crawl loses
the pages they held. wirefeed's ledger (:mod:`wirefeed.ledger`) records every request in the state
store, in order with the decisions, so this scheduler keeps requests in memory only and a starting
spider re-requests the ledger's pending pages. A Scrapy queue left in ``JOBDIR`` by an older run is
detected, reported (``wirefeed/resume/scrapy-queue-ignored``) and moved aside, never read.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from scrapy.core.scheduler import Scheduler

__all__ = ["LedgerScheduler"]

logger = logging.getLogger(__name__)


class LedgerScheduler(Scheduler):
    def _dqdir(self, jobdir: str | None) -> str | None:
        self._legacy_queue: Path | None = None
        if jobdir:
            queue = Path(jobdir, "requests.queue")
            if queue.is_dir() and any(queue.iterdir()):
                aside = queue.with_name(f"requests.queue.ignored-{_free_suffix(queue)}")
                queue.rename(aside)
                self._legacy_queue = aside
        return None  # no disk queue: the ledger is the frontier

    def open(self, spider: Any) -> Any:
        if self._legacy_queue is not None:
            logger.warning(
                "JOBDIR holds a Scrapy request queue (%s); wirefeed keeps its frontier in the state "
                "store's ledger and rebuilds it from there and the start URLs, so the queue was moved "
                "aside unread",
                self._legacy_queue,
            )
            if self.stats is not None:
                self.stats.inc_value("wirefeed/resume/scrapy-queue-ignored")
        return super().open(spider)


def _free_suffix(path: Path) -> int:
    n = 1
    while path.with_name(f"requests.queue.ignored-{n}").exists():
        n += 1
    return n
