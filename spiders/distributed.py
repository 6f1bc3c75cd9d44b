"""The settings of a worker of a shared crawl, from the CLI flags or from plain settings (scrapyd).

``wirefeed crawl … --state postgresql://… --frontier redis://… --run RUN`` sets ``WIREFEED_STATE``,
``WIREFEED_FRONTIER``, ``WIREFEED_RUN`` and ``WIREFEED_WORKER``; the :class:`SharedCrawl` add-on (on in
the project settings) turns ``WIREFEED_FRONTIER`` into scrapy-redis's scheduler and dupefilter with
per-run, persisted keys and the shared dedup stage — so a ``scrapy crawl`` started by scrapyd with
the same four settings is the same worker. Nothing here imports scrapy-redis: a crawl without
``WIREFEED_FRONTIER`` needs none of the ``distributed`` extra.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

__all__ = ["SharedCrawl", "configure", "shared_settings", "worker_name"]


def worker_name(output: str | None) -> str:
    """A worker is its machine and its output file: restarted with the same ``-o`` it is the same
    worker, and takes back what it held."""
    where = str(Path(output).resolve()) if output and output != "-" else f"pid{os.getpid()}"
    return f"{socket.gethostname()}:{where}"


def configure(
    settings: Any, *, state: str | None, frontier: str | None, run: str | None, output: str | None
) -> None:
    """The CLI's flags as settings: ``--state postgresql://…`` alone shares the store (one worker per
    ``--run``); with ``--frontier redis://…`` every worker of the run shares the crawl too (the add-on
    does the rest)."""
    _check(state, frontier, run)
    prio = "cmdline"
    settings.set("WIREFEED_RUN", run or "default", priority=prio)
    settings.set("WIREFEED_WORKER", worker_name(output), priority=prio)
    if frontier:
        settings.set("WIREFEED_FRONTIER", frontier, priority=prio)


def _check(state: str | None, frontier: str | None, run: str | None) -> None:
    from wirefeed.store_pg import is_postgres

    if frontier and not is_postgres(state):
        raise SystemExit("wirefeed: --frontier needs a shared store: --state postgresql://USER@HOST:PORT/DB")
    if frontier and not run:
        raise SystemExit("wirefeed: --frontier needs --run RUN_ID, the same on every worker of the crawl")
    if frontier and not str(frontier).startswith(("redis://", "rediss://", "unix://")):
        raise SystemExit(f"wirefeed: --frontier {frontier!r} is not a redis://HOST:PORT/N URL")


def shared_settings(settings: Any, *, frontier: str, run: str, worker: str) -> None:
    """Point a crawl's settings at the shared frontier ``frontier`` (redis://HOST:PORT/N) for ``run``."""
    prio = "cmdline"
    settings.set("SCHEDULER", "wirefeed.spiders.shared.SharedScheduler", priority=prio)
    settings.set("DUPEFILTER_CLASS", "scrapy_redis.dupefilter.RFPDupeFilter", priority=prio)
    settings.set("SCHEDULER_PERSIST", True, priority=prio)
    settings.set("SCHEDULER_QUEUE_KEY", f"wirefeed:{run}:requests", priority=prio)
    settings.set("SCHEDULER_DUPEFILTER_KEY", f"wirefeed:{run}:seen", priority=prio)
    settings.set("REDIS_URL", frontier, priority=prio)
    pipelines = dict(settings.getdict("ITEM_PIPELINES"))
    order = pipelines.pop("wirefeed.pipelines.stages.DedupPipeline", 500)
    pipelines["wirefeed.pipelines.shared.SharedDedupPipeline"] = order
    settings.set("ITEM_PIPELINES", pipelines, priority=prio)
    settings.set("WIREFEED_RUN", run, priority=prio)
    settings.set("WIREFEED_WORKER", worker, priority=prio)


class SharedCrawl:
    """Scrapy add-on: a crawl with ``WIREFEED_FRONTIER`` set runs as a worker of ``WIREFEED_RUN``."""

    def update_settings(self, settings: Any) -> None:
        frontier = settings.get("WIREFEED_FRONTIER")
        if not frontier:
            return
        state, run = settings.get("WIREFEED_STATE"), settings.get("WIREFEED_RUN")
        _check(state, frontier, run)
        worker = settings.get("WIREFEED_WORKER") or worker_name(None)
        shared_settings(settings, frontier=str(frontier), run=str(run), worker=str(worker))
