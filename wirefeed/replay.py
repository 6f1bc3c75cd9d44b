"""Replaying a crawl offline: the pages of a WARC, in the order they were fetched, through the same stages.

A portal crawl does not emit a listing's teaser when it follows the teaser's link: the teaser's stamp
becomes evidence for the article's published time (see :mod:`wirefeed.spiders.portal`). :class:`Folding`
does the same for pages replayed in fetch order, so a WARC written by ``-s WIREFEED_WARC=path`` replays
through :func:`replay_warc` to the records the crawl emitted. Each page is anchored on when it was served
(its HTTP ``Date``) and stamped with when it was fetched (``WARC-Date``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from wirefeed.extract import RawStory
from wirefeed.folding import article_keys, fold_target, stamp_evidence
from wirefeed.offline import PageResult, process_page, source_name_for
from wirefeed.page import Page
from wirefeed.profiles import Profile, profile_for_url, profile_from_data
from wirefeed.stages import rfc3339
from wirefeed.store import StateStore
from wirefeed.warc import read_pages

__all__ = ["Folding", "replay_warc"]


class Folding:
    """Teasers whose article the crawl followed are folded into it as evidence, by the spider's rule
    (:mod:`wirefeed.folding`); the pages come in fetch order, so a teaser's article comes after it."""

    def __init__(self) -> None:
        self.evidence: dict[str, list[dict[str, str]]] = {}

    def fold(self, profile: Profile | None, story: RawStory, anchor: datetime | None) -> bool:
        link = fold_target(story, profile)
        if link is None:
            return False
        self.evidence.setdefault(link, []).extend(
            stamp_evidence(story.stamp, story.stamp_source, rfc3339(anchor))
        )
        return True

    def for_article(self, url: str, page: Page) -> list[dict[str, str]]:
        return [ev for key in sorted(article_keys(url, page.canonical)) for ev in self.evidence.pop(key, [])]


def replay_warc(
    path: str | Path,
    *,
    store: StateStore,
    stats: Counter[str],
    fetched_at: datetime,
    profile: Profile | None = None,
    source: str | None = None,
    reference_time: datetime | None = None,
    **options: Any,
) -> Iterator[PageResult]:
    """One :class:`PageResult` per page of the WARC. ``profile`` forces one profile; else each page uses
    the profile the crawl fetched it for (kept in the WARC), else the one owning its URL.
    ``options`` go to :func:`process_page`."""
    kept: dict[str, dict[str, Any]] = {}
    known: dict[str, Profile] = {}
    folding = Folding()
    for page in read_pages(path, stats, kept):
        for name, data in kept.items():
            if name not in known:
                known[name] = profile_from_data(data, f"{path}#{name}")
        prof = profile or known.get(page.profile or "") or profile_for_url(page.url, known)
        yield process_page(
            page.content,
            url=page.url,
            source_name=source or source_name_for(page.url, prof),
            fetched_at=page.fetched_at or fetched_at,
            anchor=reference_time or page.served_at,
            profile=prof,
            store=store,
            stats=stats,
            content_type=page.content_type,
            fold=partial(folding.fold, prof),
            evidence=partial(folding.for_article, page.url),
            **options,
        )
