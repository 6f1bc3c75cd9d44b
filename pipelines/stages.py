"""The item pipelines, in order: dateline → timestamps → language → validate → dedup.

Each is a thin ``from_crawler`` shell around one pure function of :mod:`wirefeed.stages` or
:mod:`wirefeed.store`; it counts outcomes as ``wirefeed/<stage>/<outcome>`` and sends what it rejects
to the quarantine file with the stage and the reason, then drops it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from wirefeed.errors import TimeParseError
from wirefeed.offline import quarantine_entry
from wirefeed.pipelines.quarantine import quarantine_for
from wirefeed.stages import apply_dateline, apply_language, apply_time, to_record
from wirefeed.store import StateStore

__all__ = ["DatelinePipeline", "DedupPipeline", "LanguagePipeline", "TimestampsPipeline", "ValidatePipeline"]


class _Stage:
    stage = ""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.settings = crawler.settings

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> _Stage:
        return cls(crawler)

    def count(self, outcome: str) -> None:
        assert self.stats is not None
        self.stats.inc_value(f"wirefeed/{self.stage}/{outcome}")

    def reject(self, item: Any, reason: str, detail: str) -> DropItem:
        self.count(reason)
        url = item.get("source", {}).get("url") if isinstance(item, dict) else None
        quarantine_for(self.crawler).write(quarantine_entry(self.stage, reason, detail, item, url))
        return DropItem(f"{self.stage}: {reason}: {detail}", log_level="INFO")


class DatelinePipeline(_Stage):
    stage = "dateline"

    def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        for outcome in apply_dateline(item):
            self.count(outcome)
        return item


class TimestampsPipeline(_Stage):
    stage = "timestamps"

    def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        try:
            self.count(apply_time(item))
        except TimeParseError as exc:
            raise self.reject(item, exc.reason, str(exc)) from None
        return item


class LanguagePipeline(_Stage):
    stage = "language"

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.backend = self.settings.get("WIREFEED_LANGUAGE_DETECTOR", "py3langid")
        self.candidates = self.settings.getlist("WIREFEED_LANGUAGES") or None

    def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        self.count(apply_language(item, backend=self.backend, candidates=self.candidates))
        return item


class ValidatePipeline(_Stage):
    stage = "validate"

    def process_item(self, item: dict[str, Any]) -> Any:
        try:
            record = to_record(item)
        except ValidationError as exc:
            fields = sorted({".".join(str(p) for p in e["loc"]) for e in exc.errors()})
            raise self.reject(item, "invalid", "; ".join(fields)) from None
        self.count("valid")
        return record


def state_path(crawler: Crawler) -> str:
    configured = crawler.settings.get("WIREFEED_STATE")
    if configured:
        return str(configured)
    jobdir = crawler.settings.get("JOBDIR")
    if jobdir:
        return str(Path(jobdir) / "wirefeed-state.sqlite")
    name = crawler.spidercls.name if crawler.spidercls else "crawl"
    return str(Path(".wirefeed") / f"{name}.sqlite")


class DedupPipeline(_Stage):
    """Drops records already emitted (same id and text, or the same text under another id) and numbers
    new versions of changed stories. A record enters the store once Scrapy has exported it."""

    stage = "dedup"

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.store = StateStore(state_path(crawler))
        self.pending_ids: set[str] = set()
        self.pending_hashes: set[str] = set()
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(self.close, signal=signals.engine_stopped)

    def process_item(self, record: Any) -> Any:
        if record.id in self.pending_ids or record.content_hash in self.pending_hashes:
            self.count("duplicate")
            raise DropItem("dedup: duplicate in this run", log_level="DEBUG")
        decision = self.store.decide(record.id, record.url, record.content_hash)
        if decision.outcome == "duplicate":
            self.count("duplicate")
            raise DropItem(f"dedup: already emitted as {decision.duplicate_of}", log_level="DEBUG")
        self.count(decision.outcome)
        self.pending_ids.add(record.id)
        self.pending_hashes.add(record.content_hash)
        if decision.version != 1:
            record = record.model_copy(update={"version": decision.version})
        return record

    def item_scraped(self, item: Any) -> None:
        if hasattr(item, "content_hash"):
            self.store.record(item.id, item.url, item.content_hash, item.version, item.fetched_at.isoformat())
            self.count("stored")

    def close(self) -> None:
        self.store.close()
