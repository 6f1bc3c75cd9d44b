"""parse_feed: RSS, Atom, news sitemaps and indexes; entity declarations refused, never expanded."""

from __future__ import annotations

import gzip

import pytest

from wirefeed.errors import FeedError
from wirefeed.feeds import parse_feed

RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>
<item><title>Kabinet valt</title><link>https://www.example.nl/a</link><pubDate>Thu, 26 Nov 2026 10:00:00 +0100</pubDate>
<description>&lt;p&gt;DEN HAAG (ANP) - Het kabinet is gevallen.&lt;/p&gt;</description></item></channel></rss>"""
ATOM = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>x</title>
<entry><title>Storm</title><link rel="alternate" href="https://www.example.com/b"/><updated>2026-11-26T09:00:00Z</updated>
<summary>LONDON (Reuters) - A storm.</summary></entry></feed>"""
INDEX = b"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://www.example.com/news.xml</loc></sitemap></sitemapindex>"""
XXE = b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><item><title>&x;</title></item></channel></rss>"""
LAUGHS = b"""<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><rss version="2.0"><channel><item><title>&c;</title></item></channel></rss>"""


def test_rss() -> None:
    feed = parse_feed(RSS)
    assert feed.kind == "rss"
    (e,) = feed.entries
    assert (e.title, e.link, e.published) == (
        "Kabinet valt",
        "https://www.example.nl/a",
        "Thu, 26 Nov 2026 10:00:00 +0100",
    )
    assert e.summary == "DEN HAAG (ANP) - Het kabinet is gevallen."


def test_atom() -> None:
    (e,) = parse_feed(ATOM).entries
    assert (e.title, e.link, e.published) == ("Storm", "https://www.example.com/b", "2026-11-26T09:00:00Z")


def test_sitemap_index() -> None:
    feed = parse_feed(INDEX)
    assert feed.kind == "sitemap-index" and feed.sitemaps == ["https://www.example.com/news.xml"]


@pytest.mark.parametrize("doc", [XXE, LAUGHS], ids=["xxe", "billion-laughs"])
def test_entity_declarations_are_refused(doc: bytes) -> None:
    with pytest.raises(FeedError) as info:
        parse_feed(doc)
    assert info.value.reason == "entities"


def test_html_is_not_a_feed() -> None:
    with pytest.raises(FeedError) as info:
        parse_feed(b"<html><body>x</body></html>")
    assert info.value.reason == "not-a-feed"


BINARY = {
    "every-byte": bytes(range(256)),  # NUL first
    "png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(32),  # an image served at a feed URL
    "gzip": gzip.compress(RSS, mtime=0),  # a compressed feed that nobody decompressed
}


@pytest.mark.parametrize("doc", BINARY.values(), ids=BINARY.keys())
def test_binary_is_not_xml(doc: bytes) -> None:
    assert b"\x00" in doc  # really binary, not the printable escape text
    with pytest.raises(FeedError) as info:
        parse_feed(doc)
    assert info.value.reason == "not-xml"
