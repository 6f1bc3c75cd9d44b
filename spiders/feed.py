"""The feed spider: RSS 2.0, Atom and (news) sitemaps → articles. Navigation only.

``wirefeed crawl feed -a profile=NAME [-a url=FEED_URL[,URL…]]`` reads the profile's feeds (or the
given ones), follows sitemap indexes, and requests every entry's article within the profile's domains,
carrying the entry's publication time as evidence for the article's ``published`` interval. An entry
whose article cannot be crawled (another domain) becomes a teaser record of its own. XML is parsed by
:func:`wirefeed.feeds.parse_feed`: no entity expansion, no DTDs, no network.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import scrapy
from scrapy.http import Response

from wirefeed.errors import FeedError
from wirefeed.extract import RawStory
from wirefeed.feeds import parse_feed
from wirefeed.identity import canonical_url
from wirefeed.profiles import Profile
from wirefeed.spiders.portal import PortalSpider, served_at
from wirefeed.stages import new_item, rfc3339

__all__ = ["FeedSpider"]


class FeedSpider(PortalSpider):
    name = "feed"

    def __init__(self, profile: str | None = None, url: str | None = None, **kwargs: Any) -> None:
        super().__init__(profile=profile, **kwargs)
        self.feed_urls = [u.strip() for u in url.split(",")] if url else []

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for prof in self.profiles.values():
            for url in self.feed_urls or list(prof.feeds):
                yield self._feed_request(url, prof)
        for req in self._resumed():
            yield req

    def _feed_request(self, url: str, prof: Profile) -> scrapy.Request:
        return scrapy.Request(
            url, callback=self.parse_feed, errback=self.failed, cb_kwargs={"profile": prof.name}
        )

    def parse_feed(self, response: Response, profile: str) -> Iterator[Any]:
        prof = self.profiles[profile]
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
        for sitemap in feed.sitemaps:
            if prof.owns(sitemap):
                yield self._feed_request(sitemap, prof)
        for entry in feed.entries:
            self.count("feed/entries")
            if not entry.link:
                self.count("feed/entry-without-link")
                continue
            link = canonical_url(entry.link)
            if prof.owns(link):
                if entry.published:
                    self.evidence.setdefault(link, []).append(
                        {"raw": entry.published, "anchor": rfc3339(anchor) or "", "source": "rss"}
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
