"""Writing records: the export pipeline (``wirefeed crawl/demo -o``) and Scrapy feed exporters.

:class:`ExportPipeline` is the last stage when ``WIREFEED_OUTPUT`` is set (the CLI sets it): a thin
shell over :class:`wirefeed.output.RecordWriter` that writes each record's line and only then confirms
it in the state store. A failed write stops the crawl (finish reason ``output-failed``, exit 1) and
leaves the record pending, so the next run emits it. :class:`RecordExporter` and
:class:`NinjsExporter` stay registered as feed formats for ``scrapy crawl -o``; there a record is
confirmed when Scrapy reports it scraped.
"""

from __future__ import annotations

from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.exporters import BaseItemExporter
from scrapy.utils.defer import deferred_from_coro

from wirefeed.emitted import confirm_written
from wirefeed.errors import OutputError
from wirefeed.output import RecordWriter, render

__all__ = ["ExportPipeline", "Ninjs3Exporter", "NinjsExporter", "RecordExporter", "writer_for"]


def writer_for(crawler: Crawler) -> RecordWriter | None:
    """The crawl's one output writer (``WIREFEED_OUTPUT``), opened on first use; None without one."""
    path = crawler.settings.get("WIREFEED_OUTPUT")
    if not path:
        return None
    writer = getattr(crawler, "_wirefeed_writer", None)
    if writer is None:
        writer = RecordWriter(path, crawler.settings.get("WIREFEED_FORMAT") or "jsonl")
        crawler._wirefeed_writer = writer  # type: ignore[attr-defined]
        crawler.signals.connect(writer.close, signal=signals.engine_stopped)
    return writer


class ExportPipeline:
    def __init__(self, crawler: Crawler) -> None:
        from wirefeed.pipelines.stages import store_for

        self.crawler = crawler
        self.writer = writer_for(crawler)
        self.store = store_for(crawler)
        if self.writer is not None:
            self.store.before_commit.append(self.writer.sync)
        self.failed = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExportPipeline:
        return cls(crawler)

    def process_item(self, record: Any) -> Any:
        if self.writer is None:
            return record
        stats = self.crawler.stats
        assert stats is not None
        if self.failed:  # the crawl is stopping: keep the record pending for the next run
            stats.inc_value("wirefeed/export/pending")
            raise DropItem("export: output failed, record left pending", log_level="DEBUG")
        try:
            line = self.writer.write(record)
        except OutputError as exc:
            self.failed = True
            stats.inc_value(f"wirefeed/export/failed/{exc.cause}")
            stats.inc_value("wirefeed/export/pending")
            stats.set_value("wirefeed/export/error", str(exc))
            assert self.crawler.engine is not None
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="output-failed"))
            raise DropItem(f"export: {exc}", log_level="ERROR") from None
        confirm_written(self.store, self.writer, record, line)
        stats.inc_value("wirefeed/export/emitted")
        return record


class RecordExporter(BaseItemExporter):
    def __init__(self, file: Any, **kwargs: Any) -> None:
        super().__init__(dont_fail=True, **kwargs)
        self.file = file
        self.fmt = "jsonl"

    def export_item(self, item: Any) -> None:
        line = render(item, self.fmt) if hasattr(item, "model_dump_json") else _dump(item)
        self.file.write(line.encode("utf-8") + b"\n")
        self.file.flush()


def _dump(item: Any) -> str:
    import json

    return json.dumps(dict(item), ensure_ascii=False, default=str)


class NinjsExporter(RecordExporter):
    """The ``wirefeed-ninjs`` feed format: one IPTC ninjs 2.2 object per line."""

    def __init__(self, file: Any, **kwargs: Any) -> None:
        super().__init__(file, **kwargs)
        self.fmt = "ninjs"


class Ninjs3Exporter(RecordExporter):
    """The ``wirefeed-ninjs3`` feed format: one IPTC ninjs 3.x object per line."""

    def __init__(self, file: Any, **kwargs: Any) -> None:
        super().__init__(file, **kwargs)
        self.fmt = "ninjs3"
