"""The crawl's scheduler: Scrapy's, with the frontier kept by the ledger instead of a disk queue.

Scrapy keeps a ``JOBDIR`` frontier in queue files that are consistent only after a clean shutdown: a
SIGKILL leaves them cut mid-record (``struct.error`` on resume) or stale, and the resumed crawl loses
the pages they held. wirefeed's ledger (:mod:`wirefeed.ledger`) records every request in the state
store, in order with the decisions, so this scheduler keeps requests in memory only and a starting
spider re-requests the ledger's pending pages. A Scrapy queue left in ``JOBDIR`` by an older run is
detected, reported (``wirefeed/resume/scrapy-queue-ignored``) and moved aside, never read.

A request leaves the scheduler for the downloader only once the ledger holds it durably
(:meth:`wirefeed.ledger.Ledger.durable`): the store commits in batches, and a request sent from an
uncommitted batch would be lost with it if the run were killed and the listing that linked it dropped
the link before the rerun.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from scrapy.core.scheduler import Scheduler
from scrapy.http import Request

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
        from wirefeed.pipelines.stages import store_for

        assert self.crawler is not None
        self._ledger = store_for(self.crawler).ledger
        return super().open(spider)

    def next_request(self) -> Request | None:
        request = super().next_request()
        if request is not None:
            self._ledger.durable()  # what the request depends on is committed before it is sent
        return request


def _free_suffix(path: Path) -> int:
    n = 1
    while path.with_name(f"requests.queue.ignored-{n}").exists():
        n += 1
    return n
