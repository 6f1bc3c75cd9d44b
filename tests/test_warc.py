"""WARC in: reading response records (anchor, encodings, what is skipped) and replaying a crawl's WARC
through ``wirefeed parse`` to the records the crawl emitted."""

from __future__ import annotations

import gzip
import io
import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from scrapy.utils.defer import deferred_f_from_coro_f
from scrapy.utils.test import get_crawler
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from wirefeed.cli import main
from wirefeed.runner import write_demo_profiles
from wirefeed.spiders.portal import PortalSpider
from wirefeed.warc import WarcWriter, is_warc, read_pages

from .conftest import project_settings

FETCHED = datetime(2026, 11, 30, 6, 0, 5, tzinfo=UTC)
PAGE = b"<html><body><h1>Titel</h1><p>GOES (ANP) - Een bericht.</p></body></html>"


def test_read_pages_anchor_and_skips(tmp_path: Path) -> None:
    path = tmp_path / "a.warc.gz"
    w = WarcWriter(path, info={"software": "test"})
    date = [("Date", "Mon, 30 Nov 2026 06:00:00 GMT"), ("Content-Type", "text/html; charset=utf-8")]
    w.write_response("http://x.test/a", status=200, headers=[*date, ("Age", "60")], body=PAGE, fetched_at=FETCHED,
                     profile="mine")  # fmt: skip
    w.write_response("http://x.test/b", status=200, headers=[("Content-Type", "text/html")], body=PAGE,
                     fetched_at=FETCHED)  # fmt: skip
    w.write_response("http://x.test/gone", status=404, headers=date, body=b"weg", fetched_at=FETCHED)
    w.write_response(
        "http://x.test/robots.txt", status=200, headers=[], body=b"User-agent: *", fetched_at=FETCHED
    )
    w.write_response("http://x.test/feed.xml", status=200, headers=[("Content-Type", "application/rss+xml")],
                     body=b"<rss/>", fetched_at=FETCHED)  # fmt: skip
    w.close()
    stats: Counter[str] = Counter()
    pages = list(read_pages(path, stats))
    assert [p.url for p in pages] == ["http://x.test/a", "http://x.test/b"]
    a, b = pages
    assert a.content == PAGE and a.content_type == "text/html; charset=utf-8" and a.profile == "mine"
    assert a.served_at == datetime(2026, 11, 30, 5, 59, tzinfo=UTC)  # Date minus Age
    assert a.fetched_at == FETCHED
    assert b.served_at == FETCHED  # no Date header: the WARC-Date
    assert stats == Counter({"wirefeed/warc/responses": 5, "wirefeed/warc/skipped/status-404": 1,
                             "wirefeed/warc/skipped/robots": 1, "wirefeed/warc/skipped/feed": 1})  # fmt: skip


def test_a_foreign_warc_with_gzip_content_and_request_records(tmp_path: Path) -> None:
    path = tmp_path / "other.warc"
    with path.open("wb") as fh:
        w = WARCWriter(fh, gzip=False)
        w.write_record(
            w.create_warc_record("http://y.test/", "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n"))
        )
        body = gzip.compress(PAGE)
        headers = StatusAndHeaders("200 OK", [("Content-Encoding", "gzip"), ("Content-Type", "text/html"),
                                              ("Content-Length", str(len(body)))], protocol="HTTP/1.1")  # fmt: skip
        w.write_record(w.create_warc_record("http://y.test/", "response", payload=io.BytesIO(body),
                                            http_headers=headers))  # fmt: skip
    stats: Counter[str] = Counter()
    pages = list(read_pages(path, stats))
    assert [p.content for p in pages] == [PAGE]
    assert stats["wirefeed/warc/skipped/request"] == 1
    assert is_warc(path) and is_warc("x.WARC.GZ") and not is_warc("page.html")


def test_parse_a_warc_page(tmp_path: Path, capsys: object) -> None:
    path = tmp_path / "one.warc.gz"
    w = WarcWriter(path)
    w.write_response("http://x.test/nieuws/a", status=200, body=PAGE, fetched_at=FETCHED,
                     headers=[("Date", "Mon, 30 Nov 2026 06:00:00 GMT"), ("Content-Type", "text/html")])  # fmt: skip
    w.close()
    out = tmp_path / "out.jsonl"
    assert main(["parse", str(path), "-o", str(out)]) == 0
    (record,) = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert record["title"] == "Titel" and record["source"]["url"] == "http://x.test/nieuws/a"
    assert record["dateline"]["place"] == "GOES" and record["fetched_at"] == "2026-11-30T06:00:05Z"


@deferred_f_from_coro_f
async def test_a_crawls_warc_replays_to_the_same_records(tmp_path: Path, demo_server: dict[str, str]) -> None:
    paths = write_demo_profiles(demo_server, tmp_path)
    warc = tmp_path / "crawl.warc.gz"
    feeds = {str(tmp_path / "crawl.jsonl"): {"format": "wirefeed-jsonl", "overwrite": True}}
    settings = project_settings(tmp_path, WIREFEED_PROFILES=paths, FEEDS=feeds, WIREFEED_WARC=str(warc))
    crawler = get_crawler(PortalSpider, settings)
    await crawler.crawl_async(profile="demo-zeeland,demo-kust")
    crawled = [json.loads(line) for line in (tmp_path / "crawl.jsonl").read_text("utf-8").splitlines()]
    assert len(crawled) == 34
    # the profile files are not needed: the WARC carries them
    for p in paths:
        Path(p).unlink()
    out = tmp_path / "replay.jsonl"
    assert main(["parse", str(warc), "-o", str(out)]) == 0
    replayed = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    # fetched_at is the WARC-Date, when the response arrived; the spider stamps its record a moment later
    strip = [{k: v for k, v in r.items() if k != "fetched_at"} for r in crawled]
    assert [{k: v for k, v in r.items() if k != "fetched_at"} for r in replayed] == strip


@deferred_f_from_coro_f
async def test_a_teaser_whose_article_404d_replays_as_the_crawl_emitted_it(tmp_path: Path) -> None:
    """The crawl emits a teaser whose article it could not fetch; the WARC holds no page for that
    article (a 404 is kept, but is no page), and the replay emits the same teaser record."""
    from wirefeed.demo.server import running_demo

    from .test_faults import _gone_site

    site, gone = _gone_site()
    warc = tmp_path / "crawl.warc.gz"
    with running_demo(site) as servers:  # type: ignore[arg-type]
        paths = write_demo_profiles({"zeeland": servers["zeeland"].base_url}, tmp_path)
        feeds = {str(tmp_path / "crawl.jsonl"): {"format": "wirefeed-jsonl"}}
        settings = project_settings(
            tmp_path,
            WIREFEED_PROFILES=paths,
            FEEDS=feeds,
            WIREFEED_WARC=str(warc),
            AUTOTHROTTLE_ENABLED=False,
        )
        await get_crawler(PortalSpider, settings).crawl_async(profile="demo-zeeland")
    crawled = [json.loads(line) for line in (tmp_path / "crawl.jsonl").read_text("utf-8").splitlines()]
    assert [r["kind"] for r in crawled if r["title"] == gone["title"]] == ["teaser"]
    out = tmp_path / "replay.jsonl"
    assert main(["parse", str(warc), "-o", str(out)]) == 0
    replayed = [json.loads(line) for line in out.read_text("utf-8").splitlines()]

    def strip(records: list[dict[str, object]]) -> list[dict[str, object]]:
        return sorted(({k: v for k, v in r.items() if k != "fetched_at"} for r in records), key=str)

    assert strip(replayed) == strip(crawled)
