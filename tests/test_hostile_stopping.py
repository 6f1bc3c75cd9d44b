"""The portal spider knows when its crawl is closing (wirefeed.spiders.closing), through Scrapy's public
API: a page read after the close began leaves its remaining work to the next run."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from scrapy import signals
from scrapy.utils.defer import deferred_f_from_coro_f
from scrapy.utils.test import get_crawler

from wirefeed.spiders.portal import PortalSpider

from .conftest import project_settings
from .hostileserver import article, html, serve, stop_when_asked

ARTICLES = 6


def _listing() -> str:
    teasers = "".join(
        f'<div class="t"><a href="/nieuws/bericht-{i}"><h3>Bericht nummer {i} over de haven</h3></a>'
        f"<p>GOES (ANP) - De haven meldt voor de {i}e keer een record aan overgeslagen containers.</p>"
        f"<span>{1 + i} minuten geleden</span></div>"
        for i in range(ARTICLES)
    )
    return f'<html lang="nl"><body><h1>Nieuws</h1>{teasers}</body></html>'


@pytest.mark.parametrize(
    "how, reason",
    [("closespider", "closespider_itemcount"), ("stop", "shutdown")],
    ids=["CLOSESPIDER_ITEMCOUNT", "crawler-stop-as-SIGTERM"],
)
@deferred_f_from_coro_f
async def test_a_response_read_after_the_close_began_sees_the_crawl_stopping(
    tmp_path: Path, how: str, reason: str
) -> None:
    """Article 0 is answered once all six article requests are at the server; its record starts the
    close (CLOSESPIDER_ITEMCOUNT=1, or ``crawler.stop_async()``, what SIGTERM calls); only then are the
    other five answered. The listing and article 0 were read with ``stopping()`` False; the five read
    during the close see it True."""
    arrived = threading.Semaphore(0)
    release = threading.Event()

    def answer(handler: object, path: str) -> tuple[int, dict[str, str], bytes]:
        n = int(path.rsplit("-", 1)[1])
        if n == 0:
            for _ in range(ARTICLES - 1):  # every other article request is in flight
                assert arrived.acquire(timeout=60), "the article requests did not all arrive"
        else:
            arrived.release()
            assert release.wait(60), "the close never began"
        return html(article(f"Bericht {n}", "GOES", f"De haven meldt bericht {n}."))

    with serve({"/nieuws": html(_listing())}, fallback=answer) as srv:
        profile = tmp_path / "p.json"
        profile.write_text(
            json.dumps({"name": "p", "domains": [srv.hostport], "start_urls": [srv.base + "/nieuws"],
                        "listing_patterns": ["^/nieuws$"], "article_patterns": ["^/nieuws/"]}),
            "utf-8",
        )  # fmt: skip
        settings = project_settings(
            tmp_path, WIREFEED_PROFILES=[str(profile)], ROBOTSTXT_OBEY=False, LOG_LEVEL="ERROR",
            AUTOTHROTTLE_ENABLED=False, DOWNLOAD_DELAY=0, CONCURRENT_REQUESTS_PER_DOMAIN=16,
            WIREFEED_OUTPUT=str(tmp_path / "out.jsonl"),
            **({"CLOSESPIDER_ITEMCOUNT": 1} if how == "closespider" else {}),
        )  # fmt: skip
        crawler = get_crawler(PortalSpider, settings)
        seen: list[tuple[str, bool]] = []  # (path, stopping()) for each response, as it is received
        stops: list[asyncio.Future[None]] = []

        def received(response: Any, request: Any, spider: Any) -> None:
            seen.append((response.url.removeprefix(srv.base), spider.stopping()))

        def scraped(item: Any, response: Any, spider: Any) -> None:
            if how == "stop" and not release.is_set():
                stops.append(asyncio.ensure_future(crawler.stop_async()))
            # after the close task's first step (queued before this callback): it has begun
            asyncio.get_running_loop().call_soon(release.set)

        crawler.signals.connect(received, signal=signals.response_received)
        crawler.signals.connect(scraped, signal=signals.item_scraped)
        await crawler.crawl_async(profile="p")
        release.set()

    assert crawler.stats.get_value("finish_reason") == reason
    assert crawler.spider.close_watch.reason == reason
    before = [path for path, stopping in seen if not stopping]
    during = [path for path, stopping in seen if stopping]
    assert before == ["/nieuws", "/nieuws/bericht-0"], seen
    assert sorted(during) == [f"/nieuws/bericht-{n}" for n in range(1, ARTICLES)], seen


def test_a_spider_outside_a_running_crawl_is_stopping(tmp_path: Path) -> None:
    """Before the engine runs (or after it stopped) there is no crawl to follow links for."""
    crawler = get_crawler(PortalSpider, project_settings(tmp_path))
    spider = PortalSpider.from_crawler(crawler, profile="zeelandnet")
    assert spider.stopping() is True


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_crawl_stopped_when_asked_exits_6_and_its_rerun_reads_the_rest(tmp_path: Path, sig: int) -> None:
    """The signal goes once the server was asked for the first article; articles are answered only
    after it, four at a time (CONCURRENT_REQUESTS=4), so most are never asked for in this run. The run
    closes as asked: exit 6, ``finish_reason=shutdown`` and one line with the pages left pending. The
    rerun with the same state and output exits 0, and the output then holds each of the forty stories
    once."""
    n = 40
    asked, sent = threading.Event(), threading.Event()

    def answer(handler: object, path: str) -> tuple[int, dict[str, str], bytes]:
        asked.set()
        assert sent.wait(60), "the signal was never sent"
        i = int(path.rsplit("-", 1)[1])
        return html(article(f"Bericht {i}", "GOES", f"De haven meldt vandaag bericht nummer {i}."))

    teasers = "".join(
        f'<div class="t"><a href="/nieuws/bericht-{i}"><h3>Bericht {i}</h3></a>'
        f"<p>GOES (ANP) - De haven meldt vandaag bericht nummer {i}.</p><span>{1 + i} minuten geleden</span></div>"
        for i in range(n)
    )
    listing = html(f'<html lang="nl"><body><h1>Nieuws</h1>{teasers}</body></html>')
    with serve({"/nieuws": listing}, fallback=answer) as srv:
        profile = tmp_path / "p.json"
        profile.write_text(
            json.dumps({"name": "p", "domains": [srv.hostport], "start_urls": [srv.base + "/nieuws"],
                        "listing_patterns": ["^/nieuws$"], "article_patterns": ["^/nieuws/"]}),
            "utf-8",
        )  # fmt: skip
        cmd = [sys.executable, "-m", "wirefeed", "crawl", "portal", "-a", "profile=p", "--profile", str(profile),
               "--state", str(tmp_path / "s.sqlite"), "-o", str(tmp_path / "out.jsonl"),
               "-s", "ROBOTSTXT_OBEY=False", "-s", "LOG_LEVEL=INFO", "-s", "AUTOTHROTTLE_ENABLED=False",
               "-s", "CONCURRENT_REQUESTS=4"]  # fmt: skip
        proc, err = stop_when_asked(cmd, asked, sent, sig)
        first = sum(1 for hit in srv.hits if hit.startswith("/nieuws/"))
        rerun = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 6, err[-3000:]
    assert "finish_reason=shutdown" in err
    pending = re.search(
        r"stopped when asked \(SIGTERM or Ctrl-C; exit 6\): (\d+) pages or teasers are pending", err
    )
    assert pending and int(pending.group(1)) >= n - first, err[-3000:]
    assert first < n  # some articles were left to the rerun
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    records = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text("utf-8").splitlines()]
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids)), "a story twice"
    assert sorted(r["url"] for r in records) == sorted(f"{srv.base}/nieuws/bericht-{i}" for i in range(n))
