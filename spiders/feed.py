"""The feed spider: RSS 2.0, Atom and (news) sitemaps → articles. Navigation only.

``wirefeed crawl feed -a profile=NAME [-a url=FEED_URL[,URL…]]`` reads the profile's feeds (or the
given ones), follows sitemap indexes, and requests every entry's article within the profile's domains,
carrying the entry's publication time as evidence for the article's ``published`` interval. An entry
whose article cannot be crawled (another domain) becomes a teaser record of its own. XML is parsed by
:func:`wirefeed.feeds.parse_feed`: no entity expansion, no DTDs, no network.

Feed documents cannot multiply: each URL is requested once per run, sitemaps are followed only
``WIREFEED_FEED_DEPTH`` levels below a start feed (1: an index and its sitemaps, as the sitemap
protocol allows), and at most ``WIREFEED_MAX_FEED_REQUESTS`` feed documents are requested in a run;
what each limit held back is counted (``wirefeed/feed/duplicate``, ``depth-limit``, ``request-limit``).
Redirects are followed by the spider, within the profile, as for pages.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Response

from wirefeed.errors import FeedError
from wirefeed.extract import RawStory
from wirefeed.feeds import parse_feed
from wirefeed.identity import canonical_url
from wirefeed.profiles import Profile
from wirefeed.spiders.frontier import KEY
from wirefeed.spiders.portal import _REDIRECTS, PortalSpider, served_at
from wirefeed.stages import new_item, rfc3339

__all__ = ["FeedSpider"]

_FEED = "feed:"  # the ledger's kind of a feed document, with its depth below the start feed


class FeedSpider(PortalSpider):
    name = "feed"

    def __init__(self, profile: str | None = None, url: str | None = None, **kwargs: Any) -> None:
        super().__init__(profile=profile, **kwargs)
        self.feed_urls = [u.strip() for u in url.split(",")] if url else []
        self.feeds_requested: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> FeedSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        assert isinstance(spider, FeedSpider)
        spider.max_feed_depth = crawler.settings.getint("WIREFEED_FEED_DEPTH", 1)
        spider.max_feed_requests = crawler.settings.getint("WIREFEED_MAX_FEED_REQUESTS", 1000)
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for prof in self.profiles.values():
            for url in self.feed_urls or list(prof.feeds):
                if (req := self._feed_request(url, prof)) is not None:
                    yield req
        for req in self._resumed():
            yield req

    def _feed_request(self, url: str, prof: Profile, depth: int = 0, hops: int = 0) -> scrapy.Request | None:
        """A request for a feed document, unless a limit holds it back (counted)."""
        key = canonical_url(url)
        if key in self.feeds_requested:
            self.count("feed/duplicate")
            return None
        if depth > self.max_feed_depth:
            self.count("feed/depth-limit")
            return None
        if len(self.feeds_requested) >= self.max_feed_requests:
            self.count("feed/request-limit")
            return None
        self.feeds_requested.add(key)
        req = scrapy.Request(
            url,
            callback=self.parse_feed,
            errback=self.failed,
            cb_kwargs={"profile": prof.name},
            meta={"dont_redirect": True, "handle_httpstatus_list": _REDIRECTS, "wirefeed_hops": hops,
                  "wirefeed_feed_depth": depth},
        )  # fmt: skip
        # In the ledger like any page (kind "feed:DEPTH"): a resumed job, or another worker of a shared
        # run, fetches it again if this one stops before the feed's entries were requested.
        req.meta[KEY] = req.url
        self.frontier.requested(req.url, prof.name, hops, f"{_FEED}{depth}")
        return req

    def _request(
        self, url: str, prof: Profile, hops: int = 0, kind: str = "page", article: str | None = None
    ) -> scrapy.Request | None:
        if kind.startswith(_FEED):  # a feed document the ledger held pending (unless asked for already)
            if canonical_url(url) in self.feeds_requested:
                return None
            return self._feed_request(url, prof, int(kind.removeprefix(_FEED) or 0), hops)
        return super()._request(url, prof, hops, kind, article)

    def request_again(self, pending: Any) -> scrapy.Request | None:
        self.feeds_requested.discard(canonical_url(pending.url))
        return super().request_again(pending)

    def _redirect_request(
        self, response: Response, target: str, prof: Profile, hops: int
    ) -> scrapy.Request | None:
        depth = response.meta.get("wirefeed_feed_depth")
        if depth is None:  # an article's redirect
            return super()._redirect_request(response, target, prof, hops)
        self.feeds_requested.discard(canonical_url(target))  # as for pages: a loop ends at the hop limit
        return self._feed_request(target, prof, depth, hops)

    def parse_feed(self, response: Response, profile: str) -> Iterator[Any]:
        """A feed document's entries; the document is done in the ledger once its items ended."""
        key = response.meta.get(KEY)
        try:
            for out in self._parse_feed(response, profile):
                if not isinstance(out, scrapy.Request):
                    self.frontier.item_out(key, out)
                yield out
        except Exception as exc:  # as for pages: an outcome with its reason, not a stalled ledger entry
            self.count(f"feed/failed/{type(exc).__name__}")
            self.logger.warning("feed failed (%s): %s: %s", type(exc).__name__, response.url, exc)
        self.frontier.page_parsed(key)

    def _parse_feed(self, response: Response, profile: str) -> Iterator[Any]:
        prof = self.profiles[profile]
        if response.status in _REDIRECTS:
            yield from self._redirect(response, prof)
            return
        fetched_at = datetime.now(UTC)
        self.count("fetch/pages")
        self.count("feed/documents")
        try:
            feed = parse_feed(response.body)
        except FeedError as exc:
            self.count(f"feed/{exc.reason}")
            self.logger.warning("feed refused (%s): %s", exc.reason, response.url)
            return
        anchor = served_at(response.headers, fetched_at)
        depth = response.meta.get("wirefeed_feed_depth", 0) + 1
        for sitemap in feed.sitemaps:
            if not prof.owns(sitemap):
                self.count("feed/offsite-sitemap")
            elif (req := self._feed_request(sitemap, prof, depth)) is not None:
                yield req
        for entry in feed.entries:
            self.count("feed/entries")
            if not entry.link:
                self.count("feed/entry-without-link")
                continue
            link = canonical_url(entry.link)
            if prof.owns(link):
                if entry.published and hash(link) not in self.articles_parsed:  # evidence waits in the ledger
                    self.frontier.ledger.stamp_seen(
                        link, {"raw": entry.published, "anchor": rfc3339(anchor) or "", "source": "rss"}
                    )
                self.count("feed/article-requests")
                if (req := self._request(entry.link, prof, kind="article")) is not None:
                    yield req
                continue
            story = RawStory(
                kind="teaser",
                title=entry.title,
                lead=entry.summary,
                link=entry.link,
                stamp=entry.published,
                stamp_datetime=entry.published,
                stamp_source="rss",
                paragraphs=[entry.summary] if entry.summary else [],
            )
            self.count("extract/stories")
            yield new_item(
                story,
                page_url=response.url,
                source_name=prof.name,
                fetched_at=fetched_at,
                anchor=anchor,
                profile=prof,
            )
