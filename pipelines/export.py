"""Writing records: the export pipeline (``wirefeed crawl/demo -o``) and Scrapy feed exporters.

:class:`ExportPipeline` is the last stage when ``WIREFEED_OUTPUT`` is set (the CLI sets it): a thin
shell over :class:`wirefeed.output.RecordWriter` that writes each record's line and only then confirms
it in the state store. A failed write stops the crawl (finish reason ``output-failed``, exit 1) and
leaves the record pending, so the next run emits it.

``scrapy crawl … -o out.jsonl`` (Scrapy's ``FEEDS``) gets the same guarantee: the :class:`LocalFeed`
add-on hands a feed that is a local file in a wirefeed line format, appended to, to this pipeline
(``WIREFEED_OUTPUT``) instead of Scrapy's feed exporter — so it is read back and reconciled when a run
starts, each line is written before its record is confirmed, the file is fsynced before the store
commits, and a failed write stops the run. Other feeds (another format, ``-O`` overwrite, remote
storage, batches, post-processing) stay Scrapy's: :class:`RecordExporter`, :class:`NinjsExporter` and
:class:`Ninjs3Exporter` write them, and their records are confirmed only once Scrapy has stored every
feed (``feed_exporter_closed``), so a killed run loses none; its records are emitted again.
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

__all__ = ["ExportPipeline", "LocalFeed", "Ninjs3Exporter", "NinjsExporter", "RecordExporter", "writer_for"]

# Feed formats whose lines the export pipeline writes itself (FEED_EXPORTERS → WIREFEED_FORMAT).
LINE_FORMATS = {"jsonl": "jsonl", "jsonlines": "jsonl", "wirefeed-jsonl": "jsonl",
                "wirefeed-ninjs": "ninjs", "wirefeed-ninjs3": "ninjs3"}  # fmt: skip
# Feed options a taken-over feed may carry: anything else (batches, filters, post-processing, fields)
# needs Scrapy's feed exporter.
_PLAIN_OPTIONS = {"format", "overwrite", "encoding", "store_empty", "indent"}


class LocalFeed:
    """Scrapy add-on: ``-o FILE.jsonl`` (the first ``FEEDS`` entry that is a local file in a wirefeed
    line format, appended to) becomes the export pipeline's ``WIREFEED_OUTPUT``, exactly once as with
    ``wirefeed crawl -o``; the feed leaves ``FEEDS``. Nothing changes when ``WIREFEED_OUTPUT`` is set."""

    def update_settings(self, settings: Any) -> None:
        if settings.get("WIREFEED_OUTPUT"):
            return
        feeds = settings.getdict("FEEDS")
        for uri, options in feeds.items():
            path = _local_line_feed(str(uri), options or {})
            if path is None:
                continue
            priority = settings.getpriority("FEEDS") or "cmdline"
            settings.set("FEEDS", {u: o for u, o in feeds.items() if u != uri}, priority=priority)
            settings.set("WIREFEED_OUTPUT", path, priority=priority)
            settings.set(
                "WIREFEED_FORMAT", LINE_FORMATS[str((options or {}).get("format"))], priority=priority
            )
            if not settings.get("WIREFEED_QUARANTINE"):  # where it was beside the feed
                settings.set("WIREFEED_QUARANTINE", path + ".rejected.jsonl", priority=priority)
            return


def _local_line_feed(uri: str, options: dict[str, Any]) -> str | None:
    """The path of a feed the export pipeline can write exactly once, or None."""
    if options.get("format") not in LINE_FORMATS or options.get("overwrite") or "%(" in uri:
        return None
    if (
        set(options) - _PLAIN_OPTIONS
        or (options.get("encoding") or "utf-8").lower().replace("-", "") != "utf8"
    ):
        return None
    if uri.startswith("file://"):
        uri = uri.removeprefix("file://")
    elif "://" in uri or uri.startswith("stdout:") or uri == "-":
        return None
    return uri


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
