"""Every request checked against the crawl's profiles: host, port and scheme, redirects included.

Scrapy's own offsite filter compares host names only and lets ``dont_filter`` requests through, so a
redirect to another port of the same host, or a robots.txt that redirects elsewhere, reached servers the
profile never named. This downloader middleware takes its place (``DOWNLOADER_MIDDLEWARES`` in
``wirefeed.settings``): a request is sent only if one of the spider's profiles owns its URL
(:meth:`wirefeed.profiles.Profile.owns`: http or https, a listed host or its subdomain, and the listed
port or else the scheme's default one). A refused request fails with ``IgnoreRequest``; the spider's
errback counts it as ``wirefeed/fetch/failed/offsite`` or, when it came from a redirect,
``wirefeed/fetch/failed/offsite-redirect``.
"""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest

__all__ = ["ProfileOffsiteMiddleware"]


class ProfileOffsiteMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProfileOffsiteMiddleware:
        return cls(crawler)

    def process_request(self, request: Request, spider: Any = None) -> None:
        profiles = getattr(self.crawler.spider, "profiles", None)
        if not profiles or any(p.owns(request.url) for p in profiles.values()):
            return
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("offsite/filtered")
        kind = "offsite-redirect" if request.meta.get("redirect_urls") else "offsite"
        raise IgnoreRequest(f"{kind}: {request.url} is not on a host, port and scheme of the profile")
