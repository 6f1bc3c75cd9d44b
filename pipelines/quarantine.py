"""Where rejected items go: one JSON line each, with the stage, the reason and the raw item.

One :class:`Quarantine` per crawl, shared by the spider and every pipeline through
:func:`quarantine_for`; its path is ``WIREFEED_QUARANTINE`` or ``<first feed>.rejected.jsonl``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler

from wirefeed.stages import item_json

__all__ = ["Quarantine", "quarantine_for"]


class Quarantine:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh: Any = None
        self.count = 0

    def write(self, entry: dict[str, Any]) -> None:
        if self._fh is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = self.path.open("a", encoding="utf-8")
        self._fh.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")
        self._fh.flush()
        self.count += 1

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


def _default_path(crawler: Crawler) -> Path:
    configured = crawler.settings.get("WIREFEED_QUARANTINE")
    if configured:
        return Path(configured)
    feeds = crawler.settings.getdict("FEEDS")
    for uri in feeds:
        uri = str(uri)
        if "://" not in uri or uri.startswith("file://"):
            return Path(uri.removeprefix("file://") + ".rejected.jsonl")
    name = crawler.spidercls.name if crawler.spidercls else "crawl"
    return Path(".wirefeed") / f"{name}.rejected.jsonl"


def quarantine_for(crawler: Crawler) -> Quarantine:
    q = getattr(crawler, "_wirefeed_quarantine", None)
    if q is None:
        q = Quarantine(_default_path(crawler))
        crawler._wirefeed_quarantine = q  # type: ignore[attr-defined]
        crawler.signals.connect(q.close, signal=signals.engine_stopped)

        def item_error(item: Any, response: Any = None, failure: Any = None, **_: Any) -> None:
            """A stage that raised: the item is failed with the error as its reason, not lost."""
            exc = getattr(failure, "value", None)
            reason = type(exc).__name__ if exc is not None else "error"
            if crawler.stats is not None:
                crawler.stats.inc_value(f"wirefeed/pipeline/failed/{reason}")
            data = item_json(item) if hasattr(item, "model_dump") else item
            url = getattr(response, "url", None)
            q.write(
                {
                    "stage": "pipeline",
                    "reason": "failed",
                    "detail": f"{reason}: {exc}",
                    "url": url,
                    "item": data,
                }
            )

        crawler.signals.connect(item_error, signal=signals.item_error, weak=False)
    return q
