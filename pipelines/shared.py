"""The dedup stage against the shared PostgreSQL store: one decision per record, made with asyncio.

Replaces :class:`~wirefeed.pipelines.stages.DedupPipeline` when a crawl runs with ``--frontier``
(:func:`wirefeed.spiders.shared.shared_settings`). Same outcomes and stats; the decision is one
transaction of :meth:`wirefeed.store_pg.PgStateStore.adedup` awaited in ``async def process_item``,
so the reactor keeps fetching while PostgreSQL answers. A decision also renews the worker's lease; once
another worker took this one's work over it is refused, and the record dropped (the page is the other
worker's now). The time the decisions take (not counting
the wait for the worker's one connection) is counted as ``wirefeed/shared/decide-ms``.
"""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import DropItem

from wirefeed.errors import StoreError
from wirefeed.pipelines.stages import DedupPipeline, Duplicate

__all__ = ["SharedDedupPipeline"]


class SharedDedupPipeline(DedupPipeline):
    async def process_item(self, record: Any) -> Any:  # type: ignore[override]
        if self.pending.get(record.id) == record.content_hash or record.content_hash in self.pending_hashes:
            self.count("duplicate")
            raise Duplicate("dedup: duplicate in this run", record)
        try:
            claim = await self.store.adedup(record, int(record.fetched_at.timestamp()))
        except StoreError as exc:
            if not self.store.ledger.lost:
                raise
            # another worker took this one's work over (its lease ran out): the page is left to it, and
            # the next heartbeat stops this worker (wirefeed.spiders.shared)
            raise DropItem(f"lease lost: {exc}", log_level="WARNING") from None
        self.count(claim.outcome)
        if claim.record is None:
            raise Duplicate("dedup: already emitted", record)
        record = claim.record
        if record.duplicate_of:
            self.count("near-duplicate")
        self.pending[record.id] = record.content_hash
        self.pending_hashes.add(record.content_hash)
        return record

    async def close_spider(self) -> None:
        assert self.stats is not None
        self.stats.set_value("wirefeed/shared/decide-ms", round(self.store.spent * 1000))
        await self.store.aclose()
