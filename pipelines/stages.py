"""The item pipelines, in order: dateline → timestamps → language → validate → dedup.

Each is a thin ``from_crawler`` shell around one stage of :data:`wirefeed.stages.CHAIN` (the chain
offline parse runs too) or :mod:`wirefeed.store`; it counts outcomes as ``wirefeed/<stage>/<outcome>`` and sends what it rejects
to the quarantine file with the stage and the reason, then drops it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from wirefeed.emitted import missing_lines, missing_notice, reconciled_lines
from wirefeed.jobs import default_state_name
from wirefeed.offline import quarantine_entry
from wirefeed.output import read_back
from wirefeed.pipelines.quarantine import quarantine_for
from wirefeed.stages import CHAIN, Rejected, StageOptions, dedup
from wirefeed.store import StateStore
from wirefeed.store_pg import is_postgres

logger = logging.getLogger(__name__)

__all__ = [
    "DatelinePipeline",
    "DedupPipeline",
    "Duplicate",
    "LanguagePipeline",
    "TimestampsPipeline",
    "ValidatePipeline",
]


class _Stage:
    stage = ""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.settings = crawler.settings
        self.run = dict(CHAIN).get(self.stage)
        languages = self.settings.getlist("WIREFEED_LANGUAGES")
        self.options = StageOptions(
            language_backend=self.settings.get("WIREFEED_LANGUAGE_DETECTOR", "py3langid"),
            languages=tuple(languages) if languages else None,
        )

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> _Stage:
        return cls(crawler)

    def count(self, outcome: str) -> None:
        assert self.stats is not None
        self.stats.inc_value(f"wirefeed/{self.stage}/{outcome}")

    def reject(self, item: Any, reason: str, detail: str) -> DropItem:
        self.count(reason)
        url = item.source.url if hasattr(item, "source") else None
        quarantine_for(self.crawler).write(quarantine_entry(self.stage, reason, detail, item, url))
        return DropItem(f"{self.stage}: {reason}: {detail}", log_level="INFO")

    def process_item(self, item: Any) -> Any:
        """Run this pipeline's stage of :data:`wirefeed.stages.CHAIN`."""
        assert self.run is not None
        try:
            out, outcomes = self.run(item, self.options)
        except Rejected as exc:
            raise self.reject(item, exc.reason, exc.detail) from None
        for outcome in outcomes:
            self.count(outcome)
        return out


class DatelinePipeline(_Stage):
    stage = "dateline"


class TimestampsPipeline(_Stage):
    stage = "timestamps"


class LanguagePipeline(_Stage):
    stage = "language"


class ValidatePipeline(_Stage):
    stage = "validate"


class Duplicate(DropItem):
    """The dedup stage drops a valid record it does not emit (again). Scrapy's ``item_dropped`` hands
    over the item as it entered the pipelines, before the stages filled it in; the checked record
    travels with the exception (the monitors tally it)."""

    def __init__(self, message: str, record: Any) -> None:
        super().__init__(message, log_level="DEBUG")
        self.record = record


def state_path(crawler: Crawler, profiles: str | None = None) -> str:
    """``WIREFEED_STATE``, else under ``JOBDIR``, else one store per spider and profile(s) in
    ``.wirefeed/`` (``wirefeed.jobs.default_state_name``), as ``wirefeed crawl`` and ``scrapy crawl``
    both use; ``profiles`` is the spider's ``-a profile=`` (read off the spider once it exists)."""
    configured = crawler.settings.get("WIREFEED_STATE")
    if configured:
        return str(configured)
    jobdir = crawler.settings.get("JOBDIR")
    if jobdir:
        return str(Path(jobdir) / "wirefeed-state.sqlite")
    name = crawler.spidercls.name if crawler.spidercls else "crawl"
    profiles = profiles or getattr(getattr(crawler, "spider", None), "profile_arg", None)
    return str(Path(".wirefeed") / f"{default_state_name(name, profiles)}.sqlite")


def store_for(crawler: Crawler, profiles: str | None = None) -> StateStore:
    """The crawl's one state store (decisions and ledger), shared by the spider and the pipelines;
    closed when the engine stops. A spider opening it before it is the crawler's spider names its
    ``profiles`` (see :func:`state_path`)."""
    store = getattr(crawler, "_wirefeed_store", None)
    if store is None:
        path = state_path(crawler, profiles)
        refine_min = crawler.settings.getint("WIREFEED_REFINE_MIN_SECONDS", 900)
        if is_postgres(path):  # the shared store of many workers (wirefeed.store_pg)
            from wirefeed.store_pg import PgStateStore

            run, worker = crawler.settings.get("WIREFEED_RUN"), crawler.settings.get("WIREFEED_WORKER")
            store = PgStateStore(
                path, run=run or "default", worker=worker or "default", refine_min=refine_min
            )
        else:
            store = StateStore(path, refine_min=refine_min)
        crawler._wirefeed_store = store  # type: ignore[attr-defined]
        crawler.signals.connect(store.close, signal=signals.engine_stopped)
    return store


class DedupPipeline(_Stage):
    """Decides with the state store what to emit: new stories, changed ones as new versions, narrower
    published intervals as new versions; duplicates are dropped and counted.

    Exactly once: a record is *reserved* in the store when it leaves this stage and *confirmed* once
    it is written (the export pipeline: ``-o``, and ``scrapy crawl -o FILE.jsonl`` through
    :class:`wirefeed.pipelines.export.LocalFeed`). Records of Scrapy's other feeds are confirmed once
    Scrapy stored every feed (``feed_exporter_closed``; never lost, emitted again after a kill). A crawl
    with no output confirms nothing. When a run starts, the
    output is repaired (a partial last line cut off) and read back: pending rows whose line is there are
    confirmed, the others dropped, so the store and the JSONL agree after a kill.
    """

    stage = "dedup"

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.store = store_for(crawler)
        self.confirm_when_stored = False
        self.scraped: list[str] = []  # ids handed to Scrapy's feeds, confirmed once the feeds are stored
        self.pending: dict[str, str] = {}  # id -> content hash, decided in this run and not yet exported
        self.pending_hashes: set[str] = set()
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(self.feeds_stored, signal=signals.feed_exporter_closed)

    def open_spider(self) -> None:
        from wirefeed.pipelines.export import writer_for

        writer = writer_for(self.crawler)
        # Without any output (no -o, no FEEDS) a record is written nowhere: it is not confirmed, so the
        # next run that has an output emits it (a trial crawl does not use the stories up).
        self.written_nowhere = writer is None and not self.settings.getdict("FEEDS")
        # With -o the export pipeline confirms after writing; with Scrapy's feeds, once they are stored.
        self.confirm_when_stored = writer is None and not self.written_nowhere
        if writer is not None:
            emitted = writer.existing
            missing = missing_lines(self.store, writer)
            if missing:  # the output was deleted or replaced since the store confirmed lines into it
                self.stats.set_value("wirefeed/export/missing-from-output", missing)
                notice = missing_notice(writer.path, missing, state_path(self.crawler))
                self.stats.set_value("wirefeed/export/notice", notice)
                logger.warning(notice)
        else:
            output = output_path(self.crawler)
            emitted = read_back(output) if output else []
        start = self.stats.get_value("start_time") if self.stats else None
        now = int(start.timestamp()) if start is not None else 0
        confirmed, dropped = self.store.open_run(emitted, now)
        if confirmed and writer is not None:
            reconciled_lines(self.store, writer, now)
        self.count_n("reconciled", confirmed)
        self.count_n("rolled-back", dropped)
        if start is not None:
            window = self.settings.getfloat("WIREFEED_NEARDUP_DAYS", 7)
            if window > 0:
                self.count_n("archived", self.store.archive(int(now - window * 86400)))
            days = self.settings.getfloat("WIREFEED_RETENTION_DAYS", 365)
            if days > 0:
                self.count_n("pruned", self.store.prune(int(now - days * 86400)))

    def count_n(self, outcome: str, n: int) -> None:
        if n:
            assert self.stats is not None
            self.stats.inc_value(f"wirefeed/{self.stage}/{outcome}", n)

    def process_item(self, record: Any) -> Any:
        if self.pending.get(record.id) == record.content_hash or record.content_hash in self.pending_hashes:
            self.count("duplicate")
            raise Duplicate("dedup: duplicate in this run", record)
        outcome, emitted = dedup(record, self.store)
        self.count(outcome)
        if emitted is None:
            raise Duplicate("dedup: already emitted", record)
        if emitted.duplicate_of:
            self.count("near-duplicate")
        record = emitted
        self.pending[record.id] = record.content_hash
        self.pending_hashes.add(record.content_hash)
        return record

    def item_scraped(self, item: Any) -> None:
        if hasattr(item, "content_hash"):
            if self.confirm_when_stored:
                self.scraped.append(item.id)
            elif self.written_nowhere:
                self.stats.inc_value("wirefeed/export/not-written")
            self.pending.pop(item.id, None)
            self.pending_hashes.discard(item.content_hash)
            self.count("stored")

    def feeds_stored(self) -> None:
        """Scrapy closed its feeds: confirm their records, unless a feed could not be stored (then they
        stay pending and the next run emits them again)."""
        if not self.confirm_when_stored or not self.scraped:
            return
        assert self.stats is not None
        if any(k.startswith("feedexport/failed_count/") for k in self.stats.get_stats()):
            self.stats.inc_value("wirefeed/export/feed-not-stored", len(self.scraped))
        else:
            for story_id in self.scraped:
                self.store.confirm(story_id)
            self.stats.inc_value("wirefeed/export/emitted", len(self.scraped))
        self.scraped.clear()


def output_path(crawler: Crawler) -> Path | None:
    """The local JSONL output this crawl appends to (a resumed job), if any. A feed that is overwritten
    starts empty, so there is nothing in it to reconcile the store with."""
    for uri, options in crawler.settings.getdict("FEEDS").items():
        uri = str(uri)
        appends = not (options or {}).get("overwrite", False)
        if appends and ("://" not in uri or uri.startswith("file://")):
            return Path(uri.removeprefix("file://"))
    return None
