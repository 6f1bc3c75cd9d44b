"""The item pipelines, in order: dateline → timestamps → language → validate → dedup.

Each is a thin ``from_crawler`` shell around one pure function of :mod:`wirefeed.stages` or
:mod:`wirefeed.store`; it counts outcomes as ``wirefeed/<stage>/<outcome>`` and sends what it rejects
to the quarantine file with the stage and the reason, then drops it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from wirefeed.errors import TimeParseError
from wirefeed.offline import quarantine_entry
from wirefeed.pipelines.quarantine import quarantine_for
from wirefeed.stages import apply_dateline, apply_language, apply_time, dedup, to_record
from wirefeed.store import StateStore
from wirefeed.store_pg import is_postgres

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


def store_for(crawler: Crawler) -> StateStore:
    """The crawl's one state store (decisions and ledger), shared by the spider and the pipelines;
    closed when the engine stops."""
    store = getattr(crawler, "_wirefeed_store", None)
    if store is None:
        path, refine_min = state_path(crawler), crawler.settings.getint("WIREFEED_REFINE_MIN_SECONDS", 900)
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
    Scrapy has exported it (``item_scraped``; the exporter flushes every line). When a run starts, the
    output is repaired (a partial last line cut off) and read back: pending rows whose line is there are
    confirmed, the others dropped, so the store and the JSONL agree after a kill.
    """

    stage = "dedup"

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.store = store_for(crawler)
        self.pending: dict[str, str] = {}  # id -> content hash, decided in this run and not yet exported
        self.pending_hashes: set[str] = set()
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)

    def open_spider(self) -> None:
        output = output_path(self.crawler)
        emitted = repair_output(output) if output else []
        confirmed, dropped = self.store.open_run(emitted)
        self.count_n("reconciled", confirmed)
        self.count_n("rolled-back", dropped)
        start = self.stats.get_value("start_time") if self.stats else None
        if start is not None:
            now = start.timestamp()
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
            raise DropItem("dedup: duplicate in this run", log_level="DEBUG")
        outcome, emitted = dedup(record, self.store)
        self.count(outcome)
        if emitted is None:
            raise DropItem("dedup: already emitted", log_level="DEBUG")
        if emitted.duplicate_of:
            self.count("near-duplicate")
        record = emitted
        self.pending[record.id] = record.content_hash
        self.pending_hashes.add(record.content_hash)
        return record

    def item_scraped(self, item: Any) -> None:
        if hasattr(item, "content_hash"):
            self.store.confirm(item.id)
            self.pending.pop(item.id, None)
            self.pending_hashes.discard(item.content_hash)
            self.count("stored")


def output_path(crawler: Crawler) -> Path | None:
    """The local JSONL output this crawl appends to (a resumed job), if any. A feed that is overwritten
    starts empty, so there is nothing in it to reconcile the store with."""
    for uri, options in crawler.settings.getdict("FEEDS").items():
        uri = str(uri)
        appends = not (options or {}).get("overwrite", False)
        if appends and ("://" not in uri or uri.startswith("file://")):
            return Path(uri.removeprefix("file://"))
    return None


def repair_output(path: Path) -> list[dict[str, Any]]:
    """Cut a partial last line off ``path`` (a killed run) and return what the store needs of every
    complete record in it (JSON Lines or ninjs)."""
    if not path.is_file():
        return []
    data = path.read_bytes()
    end = data.rfind(b"\n") + 1
    if end != len(data):
        with path.open("r+b") as fh:
            fh.truncate(end)
        data = data[:end]
    out = []
    for line in data.splitlines():
        try:
            rec = json.loads(line)
            if "wirefeed" in rec:  # a ninjs line
                ext = rec["wirefeed"]
                text = "\n".join(d["value"] for d in rec.get("descriptions", []) + rec.get("bodies", []))
                out.append(
                    {
                        "id": (rec.get("altids") or rec["altIds"])[0]["value"],  # ninjs 2.2 or 3
                        "content_hash": ext["content_hash"],
                        "version": int(rec["version"]),
                        "url": rec["uri"],
                        "cluster_id": ext.get("cluster_id"),
                        "text": text,
                    }
                )
            else:
                text = "\n".join(p for p in (rec.get("lead"), rec.get("body")) if p)
                out.append(
                    {
                        "id": rec["id"],
                        "content_hash": rec["content_hash"],
                        "version": int(rec.get("version", 1)),
                        "url": rec.get("url"),
                        "cluster_id": rec.get("cluster_id"),
                        "text": text,
                    }
                )
        except (ValueError, KeyError, TypeError, IndexError):
            continue
    return out
