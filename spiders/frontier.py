"""The spider's side of the ledger: which pages are still owed work, reported as it happens.

A page is pending in the ledger from its request until its response (or its failure) was handled
*and* every item the spider took from it reached an end — Scrapy's ``item_scraped``, ``item_dropped``
or ``item_error``. Only then the page's closing work runs (its waiting teasers settled) and
:meth:`wirefeed.ledger.Ledger.page_done` is called, in that order, so a run killed while a page's items
were still in the pipelines re-requests that page and finds its teasers still waiting. Items are
followed by their story id, which every stage keeps.

A run closes only when nothing is pending: when a crawl that finished (nothing stopped it early)
still has pages or teasers pending in the ledger, something dropped them without telling the spider
(e.g. Scrapy's ``DEPTH_LIMIT`` or a third-party middleware filtering requests). That is counted as
``wirefeed/ledger/pending-at-close`` and makes the run partial (exit 3); the next run with the same
state takes them up.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler

from wirefeed.ledger import Ledger
from wirefeed.store import StateStore

__all__ = ["KEY", "Frontier"]

KEY = "wirefeed_key"  # request meta: the URL the ledger knows the page by


class Frontier:
    def __init__(self, crawler: Crawler, store: StateStore) -> None:
        self.store = store
        self.ledger: Ledger = store.ledger
        self.in_flight: Counter[str] = Counter()
        self.pages_of: defaultdict[str, list[str]] = defaultdict(list)  # story id -> page keys
        self.parsed: dict[str, Callable[[], None] | None] = {}
        self.crawler = crawler
        for sig in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(self._item_ended, signal=sig)
        crawler.signals.connect(self._closed, signal=signals.spider_closed)

    def requested(self, url: str, profile: str, hops: int, kind: str) -> None:
        self.ledger.requested(url, profile, hops, kind)

    def item_out(self, key: str | None, item: Any) -> None:
        sid = _story_id(item)
        if key and sid:
            self.in_flight[key] += 1
            self.pages_of[sid].append(key)

    def page_parsed(self, key: str | None, after: Callable[[], None] | None = None) -> None:
        """The callback (or errback) of ``key`` is through; ``after`` runs once its items ended."""
        if key:
            self.parsed[key] = after
            self._settle(key)

    def _item_ended(self, item: Any = None, **_: Any) -> None:
        sid = _story_id(item)
        keys = self.pages_of.get(sid) if sid else None
        if not keys:
            return
        key = keys.pop(0)
        if not keys:
            del self.pages_of[sid]  # type: ignore[arg-type]
        self.in_flight[key] -= 1
        self._settle(key)

    def _settle(self, key: str) -> None:
        if key in self.parsed and self.in_flight[key] <= 0:
            after = self.parsed.pop(key)
            self.in_flight.pop(key, None)
            if after is not None:
                after()
            self.ledger.page_done(key)

    def _closed(self, spider: Any, reason: str) -> None:
        """A finished run with work still pending says so; a run stopped when asked leaves it on purpose,
        and says how much (the summary's notice; exit 6)."""
        if reason == "shutdown":
            if (pending := self.ledger.pending_count()) and self.crawler.stats is not None:
                self.crawler.stats.set_value("wirefeed/ledger/pending-at-stop", pending)
            return
        if reason != "finished":
            return
        pending = self.ledger.pending_count()
        if pending and self.crawler.stats is not None:
            self.crawler.stats.set_value("wirefeed/ledger/pending-at-close", pending)
            spider.logger.warning(
                "the crawl finished with %d pages or teasers still pending in the ledger (a setting or "
                "middleware dropped requests without an errback?); the next run with this state takes "
                "them up",
                pending,
            )


def _story_id(item: Any) -> str | None:
    return getattr(item, "id", None)
