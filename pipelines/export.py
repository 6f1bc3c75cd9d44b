"""The feed exporter: one record per line, written as the pydantic model's own JSON.

Registered as the ``wirefeed-jsonl`` feed format (``FEED_EXPORTERS``). Using the model's serializer
keeps RFC 3339 timestamps and field order independent of Scrapy's exporter defaults.
"""

from __future__ import annotations

from typing import Any

from scrapy.exporters import BaseItemExporter

__all__ = ["Ninjs3Exporter", "NinjsExporter", "RecordExporter"]


class RecordExporter(BaseItemExporter):
    def __init__(self, file: Any, **kwargs: Any) -> None:
        super().__init__(dont_fail=True, **kwargs)
        self.file = file

    def export_item(self, item: Any) -> None:
        line = item.model_dump_json() if hasattr(item, "model_dump_json") else _dump(item)
        self.file.write(line.encode("utf-8") + b"\n")
        self.file.flush()  # a killed process loses no exported line (the dedup store counts on it)


def _dump(item: Any) -> str:
    import json

    return json.dumps(dict(item), ensure_ascii=False, default=str)


class NinjsExporter(RecordExporter):
    """The ``wirefeed-ninjs`` feed format: one IPTC ninjs 2.2 object per line."""

    def export_item(self, item: Any) -> None:
        from wirefeed.ninjs import to_ninjs

        data = item.model_dump(mode="json") if hasattr(item, "model_dump") else dict(item)
        self.file.write(_json(to_ninjs(data)).encode("utf-8") + b"\n")
        self.file.flush()


def _json(data: Any) -> str:
    import json

    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


class Ninjs3Exporter(RecordExporter):
    """The ``wirefeed-ninjs3`` feed format: one IPTC ninjs 3.x object per line."""

    def export_item(self, item: Any) -> None:
        from wirefeed.ninjs import to_ninjs3

        data = item.model_dump(mode="json") if hasattr(item, "model_dump") else dict(item)
        self.file.write(_json(to_ninjs3(data)).encode("utf-8") + b"\n")
        self.file.flush()
