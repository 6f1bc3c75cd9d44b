"""The work budget of a page: a listing of thousands of teasers is read only so far, and says so; a
crawl busy with one still stops when asked (SIGTERM)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from scrapy.utils.defer import deferred_f_from_coro_f
from scrapy.utils.test import get_crawler

from wirefeed import budget
from wirefeed.offline import process_page
from wirefeed.spiders.portal import PortalSpider
from wirefeed.store import StateStore

from .conftest import project_settings
from .hostileserver import serve

ANCHOR = datetime(2026, 11, 26, 12, tzinfo=UTC)


def _listing(n: int) -> bytes:
    teasers = "".join(
        f'<div class="t"><a href="/nieuws/bericht-{i}"><h3>Bericht nummer {i} over de haven</h3></a>'
        f"<p>GOES (ANP) - De haven meldt voor de {i}e keer een record aan overgeslagen containers.</p>"
        f"<span>{1 + i % 50} minuten geleden</span></div>"
        for i in range(n)
    )
    return f'<html lang="nl"><body><h1>Nieuws</h1>{teasers}</body></html>'.encode()


def test_a_listing_of_thousands_is_read_up_to_the_budget_and_counted() -> None:
    stats: Counter[str] = Counter()
    store = StateStore(":memory:")
    try:
        result = process_page(
            _listing(budget.MAX_STORIES + 100), url="https://portal.example/nieuws", source_name="p", fetched_at=ANCHOR,
            anchor=ANCHOR, profile=None, store=store, stats=stats,
        )  # fmt: skip
    finally:
        store.close()
    assert stats["wirefeed/extract/over-budget"] == 1
    assert stats["wirefeed/extract/over-budget/stories"] == 1
    assert stats["wirefeed/extract/stories"] <= budget.MAX_STORIES
    assert 0 < len(result.records) <= budget.MAX_STORIES


def test_a_flood_of_empty_tags_is_not_read_tag_by_tag(monkeypatch: pytest.MonkeyPatch) -> None:
    """100,000 empty ``<li>`` after an article (no text, so the line cap before the parse does not cut
    them): the short-date search reads no text for an element with nothing printed in or after it.
    It read each one's text before (2.3 s of CPU for 500,000; found by the fuzz campaign, seed 11,
    input 295707)."""
    from wirefeed import mainstory

    calls = Counter[int]()
    real = mainstory._raw_text

    def counted(el: object) -> str:
        calls[0] += 1
        return real(el)

    monkeypatch.setattr(mainstory, "_raw_text", counted)
    lead = "GOES (ANP) - De haven meldt een record aan overgeslagen containers, zegt een woordvoerder."
    body = f"<html><body><article><h1>Haven meldt record</h1><p>{lead}</p>{'<li>' * 100_000}</article></body></html>"
    stats: Counter[str] = Counter()
    result = process_page(
        body.encode(), url="http://127.0.0.1/nieuws/record", source_name="t", fetched_at=ANCHOR, anchor=ANCHOR,
        profile=None, store=StateStore(":memory:"), stats=stats, content_type="text/html",
    )  # fmt: skip
    assert [r.title for r in result.records] == ["Haven meldt record"]
    assert calls[0] < 1_000, f"{calls[0]} text lookups for a page of 100,000 empty tags"


@pytest.mark.parametrize(
    ("flood", "after_read"),
    [
        *(
            (flood, True)
            for flood in ["<li></li>", "<div></div>", "<span></span>", "<br>", "<li>", "<p> </p>"]
        ),
        ("<span>a</span>", False),  # 200,000 pieces of text: the page is cut at the tag cap
    ],
)
def test_a_flood_of_tags_is_cut_before_the_parse(
    flood: str, after_read: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """200,000 empty (or nearly empty) tags in a page print no line, so the line cap does not cut them;
    past the tag cap they are read as paragraph breaks, counted, and the text before and after them
    stays (unless the rest is full of text). Parsed and walked, 500,000 cost 1.6 to 6.6 s of CPU
    (issue 12, found by the fuzz campaign); past the cap, 0.1 to 0.4 s."""
    from wirefeed.page import _Walker

    walked = Counter[int]()
    real = _Walker.walk

    def counted(self: _Walker, el: object, href: str | None, headline_text: str | None) -> None:
        walked[0] += 1
        real(self, el, href, headline_text)

    monkeypatch.setattr(_Walker, "walk", counted)
    lead = "GOES (ANP) - De haven meldt een record aan overgeslagen containers, zegt een woordvoerder."
    head = f"<html><body><article><h1>Haven meldt record</h1><p>{lead}</p>"
    after = "<h2>Sluis gaat weer open</h2><p>VEERE (ANP) - De sluis gaat maandag weer open voor de scheepvaart.</p>"

    def read(body: str, stats: Counter[str]) -> list[str]:
        result = process_page(
            body.encode(), url="http://127.0.0.1/nieuws/record", source_name="t", fetched_at=ANCHOR,
            anchor=ANCHOR, profile=None, store=StateStore(":memory:"), stats=stats, content_type="text/html",
        )  # fmt: skip
        return [r.title for r in result.records]

    read(head + after + "</article></body></html>", Counter())  # first use: loads the language model
    stats: Counter[str] = Counter()
    walked.clear()
    start = time.thread_time()  # CPU time: a busy machine does not make the page costlier
    titles = read(head + flood * 200_000 + after + "</article></body></html>", stats)
    cpu = time.thread_time() - start
    assert titles == ["Haven meldt record", "Sluis gaat weer open"][: 2 if after_read else 1]
    assert [k for k in stats if k.startswith("wirefeed/extract/over-budget")] == [
        "wirefeed/extract/over-budget",
        "wirefeed/extract/over-budget/tags",
    ]
    assert walked[0] <= budget.MAX_TAGS, f"{walked[0]} elements walked"
    assert cpu < 1.0, f"{cpu:.2f} s of CPU"  # the fuzz campaign's bar per input


def test_the_tag_cap_keeps_a_page_below_it_whole() -> None:
    page = "<p>x</p>" * (budget.MAX_TAGS // 2 - 1) + "<p>y"  # one `<` short of the cap
    assert budget.cut_lines(page, re.compile("<"), "<", budget.MAX_TAGS) == (page, False)
    assert budget.cut_lines(page + "</p><br>", re.compile("<"), "<", budget.MAX_TAGS) == (page, True)


def test_a_page_within_budget_is_not_counted() -> None:
    stats: Counter[str] = Counter()
    store = StateStore(":memory:")
    try:
        process_page(
            _listing(20), url="https://portal.example/nieuws", source_name="p", fetched_at=ANCHOR,
            anchor=ANCHOR, profile=None, store=store, stats=stats,
        )  # fmt: skip
    finally:
        store.close()
    assert stats["wirefeed/extract/stories"] == 20 and "wirefeed/extract/over-budget" not in stats


def test_a_page_over_its_time_budget_offline_is_counted(monkeypatch: pytest.MonkeyPatch) -> None:
    real = budget.Deadline
    monkeypatch.setattr(budget, "Deadline", lambda seconds=0.0, spent=0.0: real(seconds=-1.0, spent=spent))
    stats: Counter[str] = Counter()
    store = StateStore(":memory:")
    try:
        result = process_page(
            _listing(20), url="https://portal.example/nieuws", source_name="p", fetched_at=ANCHOR,
            anchor=ANCHOR, profile=None, store=store, stats=stats,
        )  # fmt: skip
    finally:
        store.close()
    # the first MIN_STORIES go on however long the page took; the rest are cut and counted
    assert stats["wirefeed/extract/over-budget/time"] == 1
    assert stats["wirefeed/extract/stories"] == budget.MIN_STORIES
    assert len(result.records) == budget.MIN_STORIES


@deferred_f_from_coro_f
async def test_the_time_budget_applies_in_a_crawl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A page whose work is over its time budget stops giving stories after its first MIN_STORIES,
    counted: the crawl applies the budget as offline parse does (here a budget already spent)."""
    real = budget.Deadline
    monkeypatch.setattr(budget, "Deadline", lambda seconds=0.0, spent=0.0: real(seconds=-1.0, spent=spent))
    with serve({"/nieuws": (200, {"Content-Type": "text/html; charset=utf-8"}, _listing(20))}) as srv:
        profile = tmp_path / "p.json"
        profile.write_text(
            json.dumps({"name": "p", "domains": [srv.hostport], "start_urls": [srv.base + "/nieuws"],
                        "listing_patterns": ["^/nieuws$"]}),
            "utf-8",
        )  # fmt: skip
        settings = project_settings(
            tmp_path, WIREFEED_PROFILES=[str(profile)], ROBOTSTXT_OBEY=False, LOG_LEVEL="ERROR",
            AUTOTHROTTLE_ENABLED=False,
        )  # fmt: skip
        crawler = get_crawler(PortalSpider, settings)
        await crawler.crawl_async(profile="p")
    stats = crawler.stats.get_stats()
    assert stats["wirefeed/extract/over-budget/time"] == 1
    assert stats["wirefeed/extract/over-budget"] == 1
    assert stats["wirefeed/extract/stories"] == budget.MIN_STORIES and stats["wirefeed/fetch/pages"] == 1


def _hostile_listing() -> bytes:
    """A 5 MB listing of 20,000 teasers, each linking to an article (which answers 404)."""
    teasers = "".join(
        f'<div class="t"><a href="/nieuws/bericht-{i}"><h3>Bericht nummer {i} over de haven</h3></a>'
        f"<p>GOES (ANP) - De haven meldt voor de {i}e keer een record aan overgeslagen containers, "
        f"zegt een woordvoerder.</p><span>{1 + i % 50} minuten geleden</span></div>"
        for i in range(20_000)
    )
    return f'<html lang="nl"><body><h1>Nieuws</h1>{teasers}</body></html>'.encode()


_HOSTILE = _hostile_listing()


class _Crawl:
    """A crawl of the hostile listing in a child process, with the events the server saw."""

    def __init__(self, tmp_path: Path, *settings: str) -> None:
        self.listing_sent = threading.Event()
        self.article_asked = threading.Event()
        self.tmp_path = tmp_path
        self.settings = settings

    def listing(self, handler: object, path: str) -> tuple[int, dict[str, str], bytes]:
        return 200, {"Content-Type": "text/html; charset=utf-8"}, _HOSTILE

    def other(self, handler: object, path: str) -> tuple[int, dict[str, str], bytes]:
        self.article_asked.set()
        return 404, {"Content-Type": "text/html"}, b"<html><body>niet gevonden</body></html>"

    def start(self, base: str, hostport: str) -> subprocess.Popen[str]:
        profile = self.tmp_path / "huge.json"
        profile.write_text(
            json.dumps({"name": "huge", "domains": [hostport], "start_urls": [base + "/nieuws"],
                        "listing_patterns": ["^/nieuws$"], "article_patterns": ["^/nieuws/"]}),
            "utf-8",
        )  # fmt: skip
        cmd = [sys.executable, "-m", "wirefeed", "crawl", "portal", "-a", "profile=huge", "--profile", str(profile),
               "--state", str(self.tmp_path / "s.sqlite"), "-o", str(self.tmp_path / "out.jsonl"),
               "-s", "ROBOTSTXT_OBEY=False", "-s", "LOG_LEVEL=INFO", "-s", "AUTOTHROTTLE_ENABLED=False",
               *(arg for kv in self.settings for arg in ("-s", kv))]  # fmt: skip
        return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _stat(err: str, key: str) -> str | None:
    found = re.search(rf"'{re.escape(key)}': ([^,}}\n]+)", err)
    return found.group(1) if found else None


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a running process has used so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _log_time(err: str, message: str) -> datetime:
    """When the crawl logged ``message`` (by its own clock, to the millisecond: _LOG_FORMAT)."""
    found = re.search(rf"^(\S+ \S+) \[[^]]+\] \w+: {re.escape(message)}", err, re.M)
    assert found, f"no {message!r} in the log: {err[-2000:]}"
    return datetime.strptime(found.group(1), "%Y-%m-%d %H:%M:%S.%f")


_LOG_FORMAT = "LOG_FORMAT=%(asctime)s.%(msecs)03d [%(name)s] %(levelname)s: %(message)s"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="SIGTERM, and CPU time from /proc")
@pytest.mark.parametrize("event", ["listing-requested", "article-requested"])
def test_sigterm_stops_a_crawl_busy_with_a_huge_listing_within_10s(tmp_path: Path, event: str) -> None:
    """SIGTERM while the crawl reads a 5 MB listing of 20,000 teasers (sent when the server was asked
    for it), or while it follows the listing's links (the first article asked for): out within 10 s of
    the crawl's own time (its CPU seconds from SIGTERM to exit: the machine's load does not count)."""
    crawl = _Crawl(tmp_path)
    asked = threading.Event()

    def listing(handler: object, path: str) -> tuple[int, dict[str, str], bytes]:
        asked.set()
        return crawl.listing(handler, path)

    with serve({"/nieuws": listing}, fallback=crawl.other) as srv:
        proc = crawl.start(srv.base, srv.hostport)
        try:
            assert (asked if event == "listing-requested" else crawl.article_asked).wait(120), "no such event"
            sent, cpu_before = time.monotonic(), _cpu_seconds(proc.pid)
            proc.send_signal(signal.SIGTERM)
            assert proc.stderr is not None
            err = proc.stderr.read()  # to its end: the crawl exited (a hang fails the suite's timeout)
            _, _, usage = os.wait4(proc.pid, 0)
            wall = time.monotonic() - sent
        finally:
            if proc.poll() is None:
                proc.kill()
        articles = sum(1 for hit in srv.hits if hit.startswith("/nieuws/"))
    cpu = usage.ru_utime + usage.ru_stime - cpu_before
    print(f"SIGTERM at {event}: out after {cpu:.2f} s CPU, {wall:.1f} s wall, {articles} article requests")
    assert "finish_reason=shutdown" in err, err[-2000:]
    # The bar is 10 s; the work left after SIGTERM is kept far below it (the reactor-bound crawl took
    # 5.3 s of CPU here, and over 60 s of wall time on a busy machine).
    assert cpu < 3, f"{cpu:.1f} s of CPU from SIGTERM to exit"
    assert articles < 20_000


@pytest.mark.parametrize(
    "setting, reason",
    [("CLOSESPIDER_TIMEOUT=2", "closespider_timeout"), ("CLOSESPIDER_ITEMCOUNT=5", "closespider_itemcount")],
)
def test_closespider_acts_within_seconds_on_a_huge_listing(tmp_path: Path, setting: str, reason: str) -> None:
    """CLOSESPIDER_TIMEOUT and CLOSESPIDER_ITEMCOUNT close a crawl busy with the same listing within
    seconds, by the crawl's own clock: the close starts on time (the timer is not held up by a blocked
    reactor), and the spider is closed within 10 s of it; only part of the 20,000 articles were asked for."""
    crawl = _Crawl(tmp_path, setting, _LOG_FORMAT)
    with serve({"/nieuws": crawl.listing}, fallback=crawl.other) as srv:
        proc = crawl.start(srv.base, srv.hostport)
        try:
            _, err = proc.communicate(timeout=600)  # a hang guard; the bar is below
        finally:
            if proc.poll() is None:
                proc.kill()
        articles = sum(1 for hit in srv.hits if hit.startswith("/nieuws/"))
    opened = _log_time(err, "Spider opened")
    closing = _log_time(err, f"Closing spider ({reason})")
    closed = _log_time(err, f"Spider closed ({reason})")
    late, close = (closing - opened).total_seconds(), (closed - closing).total_seconds()
    print(
        f"{setting}: closing {late:.1f} s after open, closed {close:.1f} s later, {articles} article requests"
    )
    assert f"finish_reason={reason}" in err, err[-2000:]
    if reason == "closespider_timeout":
        assert late < 2 + 5, f"the 2 s timeout fired after {late:.1f} s"
    assert close < 10, f"{close:.1f} s from closing to closed"
    assert articles < 20_000
