"""The spider's side of the ledger: which pages are still owed work, reported as it happens.

A page is pending in the ledger from its request until its response was parsed and every item the
spider took from it reached an end — Scrapy's ``item_scraped``, ``item_dropped`` or ``item_error`` —
or its fetch failed. Only then :meth:`wirefeed.ledger.Ledger.page_done` is called, so a run killed
while a page's items were still in the pipelines re-requests that page.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler

from wirefeed.ledger import Ledger

__all__ = ["KEY", "Frontier"]

KEY = "wirefeed_key"  # request meta: the URL the ledger knows the page by


class Frontier:
    def __init__(self, crawler: Crawler, ledger: Ledger) -> None:
        self.ledger = ledger
        self.in_flight: Counter[str] = Counter()
        self.parsed: set[str] = set()
        for sig in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(self._item_ended, signal=sig)

    def requested(self, url: str, profile: str, hops: int, kind: str) -> None:
        self.ledger.requested(url, profile, hops, kind)

    def item_out(self, key: str | None) -> None:
        if key:
            self.in_flight[key] += 1

    def page_parsed(self, key: str | None) -> None:
        if key:
            self.parsed.add(key)
            self._settle(key)

    def page_failed(self, key: str | None) -> None:
        if key:
            self.in_flight.pop(key, None)
            self.ledger.page_done(key)

    def _item_ended(self, response: Any = None, **_: Any) -> None:
        key = getattr(response, "meta", {}).get(KEY) if response is not None else None
        if key and self.in_flight[key] > 0:
            self.in_flight[key] -= 1
            self._settle(key)

    def _settle(self, key: str) -> None:
        if key in self.parsed and self.in_flight[key] <= 0:
            self.parsed.discard(key)
            self.in_flight.pop(key, None)
            self.ledger.page_done(key)
