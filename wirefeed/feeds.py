"""Feeds and sitemaps: RSS 2.0, Atom, news sitemaps and sitemap indexes, parsed safely.

:func:`parse_feed` returns the entries of one document (title, link, publication time as printed,
summary) and, for a sitemap index, the sitemaps it lists. XML is parsed with entity expansion, DTD
loading and network access off; a document that declares entities at all (XXE, "billion laughs") is
refused with :class:`FeedError` rather than half-read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import cast

from lxml import etree

from wirefeed.errors import FeedError

__all__ = ["Feed", "FeedEntry", "FeedError", "parse_feed"]

_ENTITY_DECL_RE = re.compile(rb"<!ENTITY", re.IGNORECASE)
_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    huge_tree=False,
    recover=False,
    remove_comments=True,
)
_ATOM = "{http://www.w3.org/2005/Atom}"
_SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
_NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
_TAG_RE = re.compile(r"<[^<>]+>")  # not [^>]: a run of "<" would make search quadratic


@dataclass(slots=True)
class FeedEntry:
    link: str | None
    title: str | None = None
    published: str | None = None  # as printed: RFC 822 (RSS), RFC 3339 (Atom), W3C date (sitemaps)
    summary: str | None = None


@dataclass(slots=True)
class Feed:
    kind: str  # rss | atom | news-sitemap | sitemap | sitemap-index
    entries: list[FeedEntry] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)


def _text(el: etree._Element | None) -> str | None:
    if el is None:
        return None
    text = " ".join("".join(cast("Iterator[str]", el.itertext())).split())  # lxml text is str
    text = " ".join(_TAG_RE.sub(" ", text).split())  # HTML inside descriptions
    return text or None


def parse_feed(content: bytes) -> Feed:
    """Read one feed or sitemap document."""
    if _ENTITY_DECL_RE.search(content[:65536]):
        raise FeedError("entities", "the document declares XML entities; refused (XXE / entity expansion)")
    try:
        root = etree.fromstring(content, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        raise FeedError("not-xml", str(exc)) from None
    tag = root.tag if isinstance(root.tag, str) else ""
    if tag == "rss" or tag.endswith("RDF"):
        feed = Feed("rss")
        for item in root.iter("item", "{http://purl.org/rss/1.0/}item"):
            feed.entries.append(
                FeedEntry(
                    link=_text(item.find("link")) or _text(item.find("guid")),
                    title=_text(item.find("title")),
                    published=_text(item.find("pubDate")),
                    summary=_text(item.find("description")),
                )
            )
        return feed
    if tag == f"{_ATOM}feed":
        feed = Feed("atom")
        for entry in root.iter(f"{_ATOM}entry"):
            link = next(
                (
                    a.get("href")
                    for a in entry.iter(f"{_ATOM}link")
                    if a.get("rel", "alternate") == "alternate"
                ),
                None,
            )
            feed.entries.append(
                FeedEntry(
                    link=link,
                    title=_text(entry.find(f"{_ATOM}title")),
                    published=_text(entry.find(f"{_ATOM}published")) or _text(entry.find(f"{_ATOM}updated")),
                    summary=_text(entry.find(f"{_ATOM}summary")),
                )
            )
        return feed
    if tag == f"{_SITEMAP}sitemapindex":
        return Feed(
            "sitemap-index",
            sitemaps=[
                t for t in (_text(s.find(f"{_SITEMAP}loc")) for s in root.iter(f"{_SITEMAP}sitemap")) if t
            ],
        )
    if tag == f"{_SITEMAP}urlset":
        feed = Feed("sitemap")
        for url in root.iter(f"{_SITEMAP}url"):
            news = url.find(f"{_NEWS}news")
            if news is not None:
                feed.kind = "news-sitemap"
            feed.entries.append(
                FeedEntry(
                    link=_text(url.find(f"{_SITEMAP}loc")),
                    title=_text(news.find(f"{_NEWS}title")) if news is not None else None,
                    published=(_text(news.find(f"{_NEWS}publication_date")) if news is not None else None)
                    or _text(url.find(f"{_SITEMAP}lastmod")),
                )
            )
        return feed
    raise FeedError("not-a-feed", f"root element {tag!r} is not RSS, Atom or a sitemap")
