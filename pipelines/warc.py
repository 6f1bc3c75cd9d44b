"""The WARC extension: ``-s WIREFEED_WARC=path`` keeps every response a crawl fetched, for an offline replay.

A thin Scrapy shell around :class:`wirefeed.warc.WarcWriter`: one ``warcinfo`` record with the crawl's
profiles, then one ``response`` record per response the spider receives (``robots.txt`` excepted), in
the order they arrive, tagged with the profile it was requested for. ``wirefeed parse path`` replays it.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from wirefeed.warc import WarcWriter

__all__ = ["WarcExtension"]


def _profile_json(profile: Any) -> dict[str, Any]:
    data = asdict(profile)
    return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items() if not k.startswith("_")
            and k != "source"}  # fmt: skip


class WarcExtension:
    def __init__(self, crawler: Crawler, path: str) -> None:
        self.crawler = crawler
        self.path = path
        self.writer: WarcWriter | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.response_received, signal=signals.response_received)
        crawler.signals.connect(self.close, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcExtension:
        path = crawler.settings.get("WIREFEED_WARC")
        if not path:
            raise NotConfigured  # no message: Scrapy would warn about an unused option
        return cls(crawler, str(path))

    def spider_opened(self, spider: Spider) -> None:
        profiles = {name: _profile_json(p) for name, p in (getattr(spider, "profiles", None) or {}).items()}
        info = {"software": "wirefeed", "wirefeed-spider": str(spider.name),
                "wirefeed-profiles": json.dumps(profiles, ensure_ascii=False)}  # fmt: skip
        self.writer = WarcWriter(self.path, info=info)

    def response_received(self, response: Response, request: Request, spider: Spider) -> None:
        if self.writer is None or response.url.endswith("/robots.txt"):
            return
        headers = [
            (k.decode("latin-1"), v.decode("latin-1")) for k, vs in response.headers.items() for v in vs
        ]
        self.writer.write_response(
            response.url,
            status=response.status,
            headers=headers,
            body=response.body,
            fetched_at=datetime.now(UTC),
            profile=(request.cb_kwargs or {}).get("profile"),
        )

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None
