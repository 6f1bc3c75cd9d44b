"""In-process crawls of the demo portals: the real spider and pipelines against a local HTTP server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import ClassVar

from scrapy import signals
from scrapy.utils.defer import deferred_f_from_coro_f
from scrapy.utils.test import get_crawler

from wirefeed.runner import write_demo_profiles
from wirefeed.schemas import Article
from wirefeed.spiders.portal import PortalSpider

from .conftest import project_settings


def _settings(tmp_path: Path, profiles: list[str], **extra: object) -> dict[str, object]:
    feeds = {str(tmp_path / "out.jsonl"): {"format": "wirefeed-jsonl", "overwrite": True}}
    return project_settings(tmp_path, WIREFEED_PROFILES=profiles, FEEDS=feeds, **extra)


async def _crawl(tmp_path: Path, demo_server: dict[str, str], **extra: object) -> tuple[list[Article], dict]:
    paths = write_demo_profiles(demo_server, tmp_path)
    crawler = get_crawler(PortalSpider, _settings(tmp_path, paths, **extra))
    items: list[Article] = []
    crawler.signals.connect(lambda item: items.append(item), signal=signals.item_scraped, weak=False)
    await crawler.crawl_async(profile="demo-zeeland,demo-kust")
    return items, crawler.stats.get_stats()


@deferred_f_from_coro_f
async def test_demo_crawl_emits_every_story_once(tmp_path: Path, demo_server: dict[str, str]) -> None:
    items, stats = await _crawl(tmp_path, demo_server)
    assert stats["finish_reason"] == "finished"
    assert all(isinstance(i, Article) for i in items)
    # 32 zeeland stories; the kust portal adds the two it printed under other headlines.
    assert len(items) == 34
    assert len({i.id for i in items}) == len(items)
    assert all(i.kind == "article" and i.dateline is not None for i in items)
    # Every story's stamp was printed on a listing or teaser; each record has a resolved interval.
    assert all(i.published is not None and i.published.at is not None for i in items)
    rel = [i for i in items if i.published and i.published.source == "relative"]
    assert rel and all(i.published.anchor is not None for i in rel)
    assert stats["wirefeed/dedup/duplicate"] == 7
    lines = (tmp_path / "out.jsonl").read_text("utf-8").splitlines()
    assert len(lines) == 34
    assert {json.loads(line)["id"] for line in lines} == {i.id for i in items}


@deferred_f_from_coro_f
async def test_second_run_with_same_state_emits_nothing(tmp_path: Path, demo_server: dict[str, str]) -> None:
    first, _ = await _crawl(tmp_path, demo_server)
    second, stats = await _crawl(tmp_path, demo_server)
    assert len(first) == 34
    assert second == []
    assert stats["wirefeed/dedup/duplicate"] >= 34


@deferred_f_from_coro_f
async def test_robots_txt_is_obeyed(tmp_path: Path, demo_server: dict[str, str]) -> None:
    items, stats = await _crawl(tmp_path, demo_server)
    assert stats.get("robotstxt/request_count", 0) >= 2
    assert not any("/zoeken" in (i.url or "") for i in items)


async def _crawl_feed(
    tmp_path: Path, demo_server: dict[str, str], url: str, profile: str
) -> tuple[list, dict]:
    from wirefeed.spiders.feed import FeedSpider

    paths = write_demo_profiles(demo_server, tmp_path)
    crawler = get_crawler(FeedSpider, _settings(tmp_path, paths))
    items: list[Article] = []
    crawler.signals.connect(lambda item: items.append(item), signal=signals.item_scraped, weak=False)
    await crawler.crawl_async(profile=profile, url=url)
    return items, crawler.stats.get_stats()


@deferred_f_from_coro_f
async def test_feed_spider_reads_rss_and_carries_pubdate(tmp_path: Path, demo_server: dict[str, str]) -> None:
    items, stats = await _crawl_feed(
        tmp_path, demo_server, demo_server["zeeland"] + "/feed.xml", "demo-zeeland"
    )
    assert stats["wirefeed/feed/entries"] == 12
    from_feed = [i for i in items if i.published and i.published.source == "rss"]
    assert len(from_feed) == 12  # (teasers on those articles lead to a few more)
    assert all(i.kind == "article" and i.published.earliest == i.published.latest for i in from_feed)


@deferred_f_from_coro_f
async def test_feed_spider_reads_news_sitemap(tmp_path: Path, demo_server: dict[str, str]) -> None:
    items, stats = await _crawl_feed(
        tmp_path, demo_server, demo_server["kust"] + "/sitemap-news.xml", "demo-kust"
    )
    assert stats["wirefeed/feed/entries"] == 9
    assert len(items) == 9 and all(i.published and i.published.at for i in items)


@deferred_f_from_coro_f
async def test_incremental_mode_stops_paginating_over_known_stories(
    tmp_path: Path, demo_server: dict[str, str]
) -> None:
    first, stats1 = await _crawl(tmp_path, demo_server, WIREFEED_INCREMENTAL=True)
    second, stats2 = await _crawl(tmp_path, demo_server, WIREFEED_INCREMENTAL=True)
    assert len(first) == 34 and second == []
    assert stats2["wirefeed/fetch/incremental-stop"] >= 3
    assert stats2["wirefeed/fetch/pages"] < stats1["wirefeed/fetch/pages"]


@deferred_f_from_coro_f
async def test_shared_stories_cluster_and_distinct_ones_do_not(
    tmp_path: Path, demo_server: dict[str, str]
) -> None:
    items, _ = await _crawl(tmp_path, demo_server)
    near = [i for i in items if i.duplicate_of]
    heads = {i.id: i for i in items}
    # The two stories the second portal retitled: each pair is one cluster, whichever portal came first.
    pairs = {frozenset({i.title, heads[i.duplicate_of].title}) for i in near}
    assert pairs == {
        frozenset(
            {
                "Gemeenten willen extra geld voor jeugdzorg",
                "Gemeenten vragen kabinet om meer geld voor jeugdzorg",
            }
        ),
        frozenset(
            {
                "Akkoord in Brussel over steun aan Oekraïne",
                "EU-leiders eens over nieuw steunpakket voor Oekraïne",
            }
        ),
    }
    for i in near:
        head = heads[i.duplicate_of]
        assert {i.source.name, head.source.name} == {"demo-zeeland", "demo-kust"} and i.cluster_id == head.id
    singles = [i for i in items if not i.duplicate_of]
    assert len({i.cluster_id for i in singles}) == len(singles)  # every other story is its own cluster


@deferred_f_from_coro_f
async def test_changed_article_is_emitted_once_as_version_2(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from wirefeed.demo.server import running_demo
    from wirefeed.demo.site import DemoSite

    site = DemoSite(started=datetime.now(UTC), edits={})
    with running_demo(site) as servers:
        bases = {k: v.base_url for k, v in servers.items()}
        first, _ = await _crawl(tmp_path, bases)
        assert len(first) == 34
        site.edits["haven-rotterdam-verwerkt-minder-containers"] = [
            "De haven van Rotterdam heeft in het afgelopen kwartaal fors minder containers verwerkt dan een jaar "
            "eerder, meldt het havenbedrijf in een herziene verklaring.",
            "De overslag van vloeibare bulk nam juist toe.",
        ]
        second, _ = await _crawl(tmp_path, bases)
    assert len(second) == 1
    (rec,) = second
    assert (rec.version, rec.previous_version) == (2, 1)
    assert rec.changed_at is not None and "herziene verklaring" in (rec.lead or "")
    assert rec.id == next(i.id for i in first if i.url == rec.url)


class TypeProbe:
    """A pipeline slipped between the stages: what type each item has there (class attribute: Scrapy
    builds the pipelines itself)."""

    seen: ClassVar[list[tuple[int, str, bool]]] = []
    position = 0

    def process_item(self, item: object) -> object:
        self.seen.append((self.position, type(item).__name__, getattr(item, "_hints", None) is not None))
        return item


def _probe(position: int) -> str:
    cls = type(f"Probe{position}", (TypeProbe,), {"position": position, "__module__": __name__})
    globals()[cls.__name__] = cls
    return f"{__name__}.{cls.__name__}"


@deferred_f_from_coro_f
async def test_an_item_has_one_type_from_the_spider_to_the_output(
    tmp_path: Path, demo_server: dict[str, str]
) -> None:
    from wirefeed import settings as project

    probes = {_probe(p): p for p in (50, 150, 250, 350, 450, 550, 650)}  # before, between and after stages
    TypeProbe.seen.clear()
    items, _ = await _crawl(tmp_path, demo_server, ITEM_PIPELINES={**project.ITEM_PIPELINES, **probes})
    assert len(items) == 34
    by_position: dict[int, set[tuple[str, bool]]] = {}
    for position, name, hinted in TypeProbe.seen:
        by_position.setdefault(position, set()).add((name, hinted))
    # The record model all the way; the stages' hints ride along until validation drops them.
    assert by_position == {
        50: {("Article", True)},
        150: {("Article", True)},
        250: {("Article", True)},
        350: {("Article", True)},
        450: {("Article", False)},
        550: {("Article", False)},
        650: {("Article", False)},
    }
    lines = (tmp_path / "out.jsonl").read_text("utf-8").splitlines()
    assert "_raw" not in lines[0] and "_hints" not in lines[0]
