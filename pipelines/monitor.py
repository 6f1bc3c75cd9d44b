"""The monitor extension: after every crawl, check it with :mod:`wirefeed.monitors` and keep it in the run
history.

A thin Scrapy shell (``EXTENSIONS``): it tallies every validated record (emitted, or dropped as a
duplicate) into a :class:`~wirefeed.tally.Tally`; when the spider closes it reads the job's earlier runs,
evaluates the monitors, counts each failing one as ``wirefeed/monitor/failed/<monitor>``, keeps the
messages in the ``monitor/failures`` stat (the CLI prints them and exits with its monitor code), and
POSTs them once to ``WIREFEED_ALERT_URL`` (setting or environment variable). The run is written to the
history once the engine has stopped, after the dedup stage has committed its store.
``WIREFEED_MONITORS = False`` turns all of it off.
"""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from wirefeed.history import Run, RunHistory
from wirefeed.monitors import TALLIED, MonitorConfig, evaluate, format_failure, post_alert
from wirefeed.pipelines.stages import state_path
from wirefeed.store_pg import is_postgres
from wirefeed.tally import Tally

__all__ = ["MonitorExtension", "job_name"]


def job_name(spider: Spider) -> str:
    """What runs are compared by: the spider and its profiles (``portal:demo-kust,demo-zeeland``)."""
    profiles = sorted(getattr(spider, "profiles", None) or {})
    return f"{spider.name}:{','.join(profiles)}" if profiles else str(spider.name)


class MonitorExtension:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.tally = Tally()  # every valid story of the run
        self.emitted = Tally()  # the records written
        self.config = MonitorConfig.from_settings(crawler.settings.get)
        self.run: Run | None = None
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MonitorExtension:
        if not crawler.settings.getbool("WIREFEED_MONITORS", True):
            raise NotConfigured
        return cls(crawler)

    def item_scraped(self, item: Any) -> None:
        if hasattr(item, "content_hash"):
            data = item.model_dump(mode="json", include=TALLIED)  # what a Tally reads, not the whole text
            self.tally.add(data)
            self.emitted.add(data)

    def item_dropped(self, item: Any, exception: BaseException) -> None:
        # A valid record the dedup stage did not emit (again); it travels with the exception (Scrapy
        # hands over the item as it entered the pipelines, before the stages filled it in).
        record = getattr(exception, "record", None)
        if record is not None:
            self.tally.add(record.model_dump(mode="json", include=TALLIED))

    def spider_closed(self, spider: Spider, reason: str) -> None:
        stats = self.crawler.stats
        assert stats is not None
        figures = dict(stats.get_stats())
        figures["finish_reason"] = reason
        quarantine = getattr(self.crawler, "_wirefeed_quarantine", None)
        job = job_name(spider)
        past: list[Run] = []
        if not is_postgres(state_path(self.crawler)):  # the shared store keeps no run history (yet)
            history = RunHistory(state_path(self.crawler))
            try:
                past = history.recent(job, 4 * self.config.history_runs)
            finally:
                history.close()
        config = self.config
        if figures.get("wirefeed/shared/drained") and not figures.get("wirefeed/fetch/pages"):
            config = replace(config, min_stories=0)  # a late worker of a shared run: the others had it all
        failures = evaluate(figures, self.tally, past, config, quarantined=getattr(quarantine, "count", 0))
        start = figures.get("start_time")
        now = datetime.now(UTC)  # the crawl level, like the spider, may read the clock
        self.run = Run(
            job=job,
            started=start.astimezone(UTC).isoformat() if isinstance(start, datetime) else None,
            finished=now.isoformat(),
            finish_reason=reason,
            stats={
                k: v for k, v in figures.items() if isinstance(v, int | float) and not isinstance(v, bool)
            },
            tally=self.tally,
            emitted=self.emitted,
            failures=[f.to_json() for f in failures],
        )
        for f in failures:
            stats.inc_value(f"wirefeed/monitor/failed/{f.monitor}")
        stats.set_value("monitor/failures", self.run.failures)
        for f in failures:
            spider.logger.error(format_failure(f))
        url = self.crawler.settings.get("WIREFEED_ALERT_URL") or os.environ.get("WIREFEED_ALERT_URL")
        if failures and url:
            error = post_alert(
                url,
                {
                    "job": job,
                    "finished": self.run.finished,
                    "failures": self.run.failures,
                    "stats": self.run.stats,
                },
            )
            stats.inc_value("wirefeed/monitor/alert-failed" if error else "wirefeed/monitor/alert-sent")
            if error:
                spider.logger.error("alert to %s failed: %s", url, error)
        # The dedup stage commits its store when the engine stops; connected now, this runs after it.
        self.crawler.signals.connect(self.write_history, signal=signals.engine_stopped)

    def write_history(self) -> None:
        if self.run is None or is_postgres(state_path(self.crawler)):
            return
        history = RunHistory(state_path(self.crawler))
        try:
            history.add(self.run)
        finally:
            history.close()
        self.run = None
