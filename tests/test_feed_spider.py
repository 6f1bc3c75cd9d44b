"""The feed spider over HTTP against a local server: what it leaves in the ledger."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path

from scrapy.utils.defer import deferred_f_from_coro_f
from scrapy.utils.test import get_crawler

from wirefeed.spiders.feed import FeedSpider

from .conftest import project_settings
from .hostileserver import Answer, article, html, serve

PUBLISHED = "Wed, 25 Nov 2026 09:30:00 +0000"


def _rss(base: str) -> Answer:
    item = f"<item><title>Sluis weer open</title><link>{base}/nieuws/sluis</link><pubDate>{PUBLISHED}</pubDate></item>"
    body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Nieuws</title>{item}</channel></rss>'
    return 200, {"Content-Type": "application/rss+xml"}, body.encode()


@deferred_f_from_coro_f
async def test_a_feed_read_after_its_article_leaves_no_stamp_waiting(tmp_path: Path) -> None:
    """Two feeds list one article; the second answers only once the article was read. Its entry's
    pubDate is no evidence to keep: the article will not be read again this run, so a stamp stored for
    it would wait in the ledger for ever. (The already-read check once compared the link itself with
    the set of hashed links, so it never matched and every entry stored a stamp.) Were the late feed
    read first, its stamp would be used and settled with the article: the test cannot fail that way."""
    article_read = threading.Event()

    def sluis(handler: object, path: str) -> Answer:
        article_read.set()
        return html(
            article("Sluis weer open", "VEERE", "De sluis gaat maandag weer open voor de scheepvaart.")
        )

    def late_feed(handler: object, path: str) -> Answer:
        assert article_read.wait(30)
        time.sleep(1.0)  # the article's answer is parsed before this one arrives
        return _rss(handler.server.base)  # type: ignore[attr-defined]

    routes = {
        "/a.xml": lambda handler, path: _rss(handler.server.base),
        "/b.xml": late_feed,
        "/nieuws/sluis": sluis,
    }
    with serve(routes) as srv:  # type: ignore[arg-type]
        profile = tmp_path / "p.json"
        profile.write_text(
            json.dumps({"name": "p", "domains": [srv.hostport], "start_urls": [srv.base + "/a.xml"],
                        "article_patterns": ["^/nieuws/"], "language": "nl"}),
            "utf-8",
        )  # fmt: skip
        settings = project_settings(
            tmp_path, WIREFEED_PROFILES=[str(profile)], ROBOTSTXT_OBEY=False, LOG_LEVEL="ERROR",
            AUTOTHROTTLE_ENABLED=False, DOWNLOAD_TIMEOUT=10,
        )  # fmt: skip
        crawler = get_crawler(FeedSpider, settings)
        await crawler.crawl_async(profile="p", url=f"{srv.base}/a.xml,{srv.base}/b.xml")
        hits = list(srv.hits)
    stats = crawler.stats.get_stats()
    assert sorted(hits) == ["/a.xml", "/b.xml", "/nieuws/sluis"]
    assert stats["wirefeed/feed/entries"] == 2 and stats["wirefeed/feed/article-requests"] == 2
    db = sqlite3.connect(tmp_path / "state.sqlite")
    try:
        assert db.execute("SELECT article, stamp FROM stamps").fetchall() == []
    finally:
        db.close()
