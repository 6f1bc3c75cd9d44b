"""The work budget of a page: a listing of thousands of teasers is read only so far, and says so; a
crawl busy with one still stops when asked (SIGTERM)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from wirefeed import budget
from wirefeed.offline import process_page
from wirefeed.store import StateStore

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


@pytest.mark.skipif(os.name != "posix", reason="SIGTERM")
def test_sigterm_stops_a_crawl_busy_with_a_huge_listing(tmp_path: Path) -> None:
    sent = threading.Event()
    body = _listing(2000)

    def huge(handler: object, path: str) -> tuple[int, dict[str, str], bytes]:
        sent.set()  # the crawl has its page: it is busy from here on
        return 200, {"Content-Type": "text/html; charset=utf-8"}, body

    with serve({"/nieuws": huge}) as srv:
        profile = tmp_path / "huge.json"
        profile.write_text(
            json.dumps({"name": "huge", "domains": [srv.hostport], "start_urls": [srv.base + "/nieuws"],
                        "listing_patterns": ["^/nieuws$"], "article_patterns": ["^/nieuws/"]}),
            "utf-8",
        )  # fmt: skip
        cmd = [sys.executable, "-m", "wirefeed", "crawl", "portal", "-a", "profile=huge", "--profile", str(profile),
               "--state", str(tmp_path / "s.sqlite"), "-o", str(tmp_path / "out.jsonl"),
               "-s", "ROBOTSTXT_OBEY=False", "-s", "LOG_LEVEL=WARNING", "-s", "AUTOTHROTTLE_ENABLED=False"]  # fmt: skip
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            assert sent.wait(120), "the crawl never asked for the listing"
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=60)  # generous: it must stop, not finish 2,000 teasers
        finally:
            if proc.poll() is None:
                proc.kill()
    assert "finish_reason=shutdown" in err, err[-2000:]
