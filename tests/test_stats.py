"""spiders/stats.py: the crawl's stats collector keeps Scrapy's meaning, without the per-read shim."""

from __future__ import annotations

import warnings

from scrapy.settings import Settings
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from wirefeed import settings as project_settings
from wirefeed.spiders.stats import WirefeedStats


def _crawler_stats() -> MemoryStatsCollector:
    settings = Settings()
    settings.setmodule(project_settings, priority="project")
    stats = get_crawler(settings_dict=dict(settings)).stats
    assert stats is not None
    return stats  # type: ignore[return-value]


def test_a_crawl_counts_with_wirefeed_stats() -> None:
    assert type(_crawler_stats()) is WirefeedStats


def test_counts_as_scrapy_counts() -> None:
    stats = _crawler_stats()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the shim is gone: no call warns
        stats.inc_value("wirefeed/fetch/pages")
        stats.inc_value("wirefeed/fetch/pages", 2)
        stats.inc_value("wirefeed/other", start=10)
        stats.max_value("peak", 3)
        stats.max_value("peak", 1)
        stats.min_value("least", 3)
        stats.min_value("least", 1)
        stats.set_value("reason", "finished")
    assert stats.get_value("wirefeed/fetch/pages") == 3
    assert stats.get_value("missing", 0) == 0
    assert stats.get_stats() == {
        "wirefeed/fetch/pages": 3,
        "wirefeed/other": 11,
        "peak": 3,
        "least": 1,
        "reason": "finished",
    }
