"""The fault suite: a crawl against a server that misbehaves on purpose finishes, accounts for every
URL, loses nothing from the good pages, and says what happened in its exit code."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from scrapy import signals
from scrapy.utils.defer import deferred_f_from_coro_f
from scrapy.utils.test import get_crawler

from wirefeed.schemas import Article
from wirefeed.spiders.portal import PortalSpider

from .conftest import project_settings
from .faultserver import FAULTS


@pytest.fixture(scope="module")
def faults() -> Iterator[dict[str, str]]:
    proc = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("faultserver.py"))],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdin is not None
    yield json.loads(proc.stdout.readline())
    proc.stdin.close()
    proc.wait(timeout=10)


def _profile(tmp_path: Path, base: str) -> Path:
    path = tmp_path / "faults.json"
    path.write_text(
        json.dumps(
            {
                "name": "faults",
                "domains": [base.split("://")[1]],
                "start_urls": [base + "/"],
                "listing_patterns": ["^/$", "^/stamps$"],
                "article_patterns": ["^/.+"],
                "language": "nl",
                "country": "NL",
            }
        ),
        "utf-8",
    )
    return path


SETTINGS = {
    "DOWNLOAD_TIMEOUT": 3,
    "RETRY_TIMES": 1,
    "DOWNLOAD_MAXSIZE": 1024 * 1024,
    "AUTOTHROTTLE_ENABLED": False,
    "REDIRECT_MAX_TIMES": 3,
    "LOG_LEVEL": "ERROR",
}


def _settings(tmp_path: Path, faults: dict[str, str], **extra: object) -> dict[str, object]:
    profile = str(_profile(tmp_path, faults["base"]))
    return project_settings(tmp_path, **SETTINGS, WIREFEED_PROFILES=[profile], **extra)


@deferred_f_from_coro_f
async def test_every_url_accounted_and_good_pages_kept(tmp_path: Path, faults: dict[str, str]) -> None:
    settings = _settings(tmp_path, faults, FEEDS={str(tmp_path / "out.jsonl"): {"format": "wirefeed-jsonl"}})
    crawler = get_crawler(PortalSpider, settings)
    items: list[Article] = []
    crawler.signals.connect(lambda item: items.append(item), signal=signals.item_scraped, weak=False)
    await crawler.crawl_async(profile="faults")
    stats = crawler.stats.get_stats()
    assert stats["finish_reason"] == "finished"
    failed = {
        k.removeprefix("wirefeed/fetch/failed/"): v
        for k, v in stats.items()
        if k.startswith("wirefeed/fetch/failed/")
    }
    # every URL the crawl asked for ends parsed or failed with a reason: the listing + every link on it
    assert stats["wirefeed/fetch/pages"] + sum(failed.values()) == 1 + len(FAULTS) + 2, (
        sorted(failed.items()),
        {k: v for k, v in stats.items() if "offsite" in k or "redirect" in k or "ignored" in k},
    )
    for reason in ("http-500", "http-503", "http-429", "timeout", "connection-lost", "robots", "redirect-loop",
                   "offsite-redirect", "too-large"):  # fmt: skip
        assert reason in failed, (reason, sorted(failed.items()))
    titles = {i.title for i in items}
    # the good pages, malformed HTML and mislabelled encodings all come through, without mojibake
    assert {
        "Kabinet presenteert plannen",
        "Haven meldt recordjaar",
        "Slordige pagina",
        "Café in Zierikzee sluit",
        "Één dag staking",
    } <= titles
    assert not any("\ufffd" in (i.title or "") + (i.lead or "") for i in items)
    assert "Geheim" not in titles and "Vreemde site" not in titles  # robots.txt and offsite redirects obeyed
    # the garbage stamps are quarantined with their reasons; the good one on the same page is emitted
    rejected = [json.loads(line) for line in (tmp_path / "rejected.jsonl").read_text("utf-8").splitlines()]
    assert {(r["stage"], r["reason"]) for r in rejected} >= {
        ("timestamps", "negative-age"),
        ("timestamps", "too-old"),
    }
    assert "Bericht 2" in titles and "Bericht 0" not in titles


def test_exit_code_says_some_pages_failed(tmp_path: Path, faults: dict[str, str]) -> None:
    profile = _profile(tmp_path, faults["base"])
    args = [
        sys.executable,
        "-m",
        "wirefeed",
        "crawl",
        "portal",
        "-a",
        "profile=faults",
        "--profile",
        str(profile),
        "-o",
        str(tmp_path / "out.jsonl"),
        "--state",
        str(tmp_path / "s.sqlite"),
    ]
    for k, v in SETTINGS.items():
        args += ["-s", f"{k}={v}"]
    args += ["-s", "WIREFEED_MONITOR_MAX_FAILED_SHARE=1"]  # else 12 of 22 failed also fails a monitor: exit 5
    proc = subprocess.run(args, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 3, proc.stderr  # finished, but some pages could not be fetched
    assert "wirefeed/fetch/failed/http-500" in proc.stderr


@deferred_f_from_coro_f
async def test_feeds_with_entities_are_refused_and_counted(tmp_path: Path, faults: dict[str, str]) -> None:
    from wirefeed.spiders.feed import FeedSpider

    settings = _settings(tmp_path, faults)
    crawler = get_crawler(FeedSpider, settings)
    items: list[Article] = []
    crawler.signals.connect(lambda item: items.append(item), signal=signals.item_scraped, weak=False)
    base = faults["base"]
    await crawler.crawl_async(
        profile="faults", url=f"{base}/feed-xxe.xml,{base}/feed-laughs.xml,{base}/feed.xml"
    )
    stats = crawler.stats.get_stats()
    assert stats["wirefeed/feed/entities"] == 2  # XXE and billion laughs: refused, never expanded
    assert [i.title for i in items] == [
        "Haven meldt recordjaar"
    ]  # the good feed's article still comes through
    assert not any("root:" in (i.lead or "") for i in items)
