"""Hostile servers in a crawl: redirects that leave the profile, sitemaps that multiply themselves.

Each test starts its servers on 127.0.0.1 and crawls them in process with the real spiders. The
profile names one host *and port*; a second server on another port stands for everything outside it
and must receive no request at all, whatever the first one redirects to.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scrapy import signals
from scrapy.utils.defer import deferred_f_from_coro_f
from scrapy.utils.test import get_crawler

from wirefeed.profiles import Profile
from wirefeed.spiders.feed import FeedSpider
from wirefeed.spiders.portal import PortalSpider

from .conftest import project_settings
from .hostileserver import Server, article, html, serve


def _profile(tmp_path: Path, srv: Server, **extra: object) -> str:
    path = tmp_path / "hostile.json"
    data = {"name": "hostile", "domains": [srv.hostport], "start_urls": [srv.base + "/"],
            "listing_patterns": ["^/$"], "article_patterns": ["^/[a-z]"], "language": "nl", **extra}  # fmt: skip
    path.write_text(json.dumps(data), "utf-8")
    return str(path)


def _settings(tmp_path: Path, profile: str) -> dict[str, object]:
    return project_settings(
        tmp_path,
        WIREFEED_PROFILES=[profile],
        AUTOTHROTTLE_ENABLED=False,
        LOG_LEVEL="ERROR",
        DOWNLOAD_TIMEOUT=10,
    )


def test_owns_checks_host_port_and_scheme() -> None:
    prof = Profile(name="p", domains=("example.org", "127.0.0.1:8080"))
    assert prof.owns("https://example.org/a") and prof.owns("http://www.example.org:80/a")
    assert prof.owns("https://example.org:443/a") and prof.owns("http://127.0.0.1:8080/x")
    assert not prof.owns("http://example.org:8081/a")  # another port of the same host
    assert not prof.owns("https://example.org:80/a")  # not the default port of this scheme
    assert not prof.owns("http://127.0.0.1:8081/x") and not prof.owns("http://127.0.0.1/x")
    assert not prof.owns("ftp://example.org/a") and not prof.owns("file:///etc/passwd")
    assert not prof.owns("http://example.org:99999/a") and not prof.owns("http://example.org:x/a")
    assert not prof.owns("http://badexample.org/a")


@deferred_f_from_coro_f
async def test_redirects_to_another_port_are_refused_and_counted(tmp_path: Path) -> None:
    with serve({}, fallback=html(article("Vreemd", "LONDEN", "Dit hoort niet in de uitvoer."))) as other:
        routes = {
            "/": html(
                '<html><body><h1>Overzicht</h1><p><a href="/jump">a</a> <a href="/refresh">b</a> '
                '<a href="/goed">c</a></p></body></html>'
            ),
            "/robots.txt": (302, {"Location": f"{other.base}/robots.txt"}, b""),
            "/jump": (302, {"Location": f"{other.base}/elders"}, b""),
            "/refresh": html(
                f'<html><head><meta http-equiv="refresh" content="0;url={other.base}/ververst">'
                "</head><body><p>even geduld</p></body></html>"
            ),
            "/goed": html(
                article(
                    "Kabinet presenteert plannen",
                    "DEN HAAG",
                    "Het kabinet heeft dinsdag plannen gepresenteerd voor de woningmarkt.",
                )
            ),
            "/feed.xml": (302, {"Location": f"{other.base}/feed.xml"}, b""),
        }
        with serve(routes) as srv:
            settings = _settings(tmp_path, _profile(tmp_path, srv))
            crawler = get_crawler(PortalSpider, settings)
            items: list[object] = []
            crawler.signals.connect(lambda item: items.append(item), signal=signals.item_scraped, weak=False)
            await crawler.crawl_async(profile="hostile")
            stats = crawler.stats.get_stats()
            feed_crawler = get_crawler(FeedSpider, settings)
            await feed_crawler.crawl_async(profile="hostile", url=f"{srv.base}/feed.xml")
            feed_stats = feed_crawler.stats.get_stats()
        assert other.hits == []  # nothing outside the profile's host:port was asked for anything
    assert stats["wirefeed/fetch/failed/offsite-redirect"] == 1, stats  # /jump
    assert feed_stats["wirefeed/fetch/failed/offsite-redirect"] == 1, feed_stats  # /feed.xml
    assert [getattr(i, "title", None) for i in items] == ["Kabinet presenteert plannen"]
    assert "/robots.txt" in srv.hits and "/refresh" in srv.hits


def _self_listing_index(handler: object, path: str) -> tuple[int, dict[str, str], bytes]:
    """A sitemap index that lists itself ten times, each time under query strings never seen before."""
    base = handler.server.base  # type: ignore[attr-defined]
    locs = "".join(
        f"<sitemap><loc>{base}/sitemap.xml?from={abs(hash(path)) % 10**8}-{i}</loc></sitemap>"
        for i in range(10)
    )
    body = f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</sitemapindex>'
    return 200, {"Content-Type": "application/xml"}, body.encode()


@pytest.mark.parametrize("depth", [1, 3])
@deferred_f_from_coro_f
async def test_self_listing_sitemap_index_costs_few_requests(tmp_path: Path, depth: int) -> None:
    with serve({"/sitemap.xml": _self_listing_index}) as srv:
        settings = _settings(tmp_path, _profile(tmp_path, srv))
        settings.update(ROBOTSTXT_OBEY=False, WIREFEED_FEED_DEPTH=depth, WIREFEED_MAX_FEED_REQUESTS=40)
        crawler = get_crawler(FeedSpider, settings)
        await crawler.crawl_async(profile="hostile", url=f"{srv.base}/sitemap.xml,{srv.base}/sitemap.xml")
        stats = crawler.stats.get_stats()
        hits = list(srv.hits)
    assert stats["finish_reason"] == "finished"
    assert len(hits) < 50 and len(hits) == stats["wirefeed/feed/documents"]
    assert stats["wirefeed/feed/duplicate"] == 1  # the start URL given twice is asked for once
    if depth == 1:
        assert len(hits) == 11 and stats["wirefeed/feed/depth-limit"] == 100  # the index, its ten, no more
    else:
        assert len(hits) == 40 and stats["wirefeed/feed/request-limit"] > 0  # 1 + 10 + 100 + ... cut at 40
