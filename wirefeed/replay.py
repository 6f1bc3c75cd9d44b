"""Replaying a crawl offline: the pages of a WARC, in the order they were fetched, through the same stages.

A portal crawl does not emit a listing's teaser when it follows the teaser's link: the teaser's stamp
becomes evidence for the article's published time (see :mod:`wirefeed.spiders.portal`). :class:`Folding`
does the same for pages replayed in fetch order, so a WARC written by ``-s WIREFEED_WARC=path`` replays
through :func:`replay_warc` to the records the crawl emitted. Each page is anchored on when it was served
(its HTTP ``Date``) and stamped with when it was fetched (``WARC-Date``).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from wirefeed.extract import RawStory
from wirefeed.folding import article_keys, fold_target, stamp_evidence
from wirefeed.identity import canonical_url
from wirefeed.offline import PageResult, process_item, process_page, source_name_for
from wirefeed.page import Page
from wirefeed.profiles import Profile, profile_for_url, profile_from_data
from wirefeed.stages import StageOptions, hints_of, item_json
from wirefeed.store import StateStore
from wirefeed.warc import read_pages

__all__ = ["Folding", "replay_warc"]


class Folding:
    """Teasers whose article the crawl followed are folded into it as evidence, by the spider's rule
    (:mod:`wirefeed.folding`); the pages come in fetch order, so a teaser's article comes after it.
    A teaser waits with its item, as in the crawl's ledger: if its article page gives no article story,
    or the WARC holds no page for it (a 404, a timeout: the crawl kept no response), the teaser is
    emitted on its own with every waiting teaser's stamp as evidence, as the crawl emits it."""

    def __init__(self) -> None:
        self.evidence: dict[str, list[dict[str, str]]] = {}
        self.waiting: dict[str, list[Any]] = {}  # article (canonical URL) -> teaser items, in order
        self.read: set[str] = set()  # articles already read: a later teaser of theirs waits for nothing
        self.redirected: dict[str, str] = {}  # a redirect's target -> the article URL a teaser named
        self.failed: dict[str, str] = {}  # article -> why its fetch failed (a non-200 response)

    def fold(self, profile: Profile | None, story: RawStory, item: Any) -> bool:
        link = fold_target(story, profile)
        if link is None:
            return False
        hints = hints_of(item)
        self.evidence.setdefault(link, []).extend(
            stamp_evidence(hints.stamp, hints.stamp_source, hints.anchor)
        )
        if link not in self.read:  # (the crawl takes a later teaser's stamp as late evidence only)
            self.waiting.setdefault(link, []).append(item)
        return True

    def keys(self, url: str, canonical: str | None = None) -> list[str]:
        """Every URL a teaser may have named this page by, a redirect's source included (the crawl
        carries it on the redirected request)."""
        keys = article_keys(url, canonical)
        return sorted(keys | {self.redirected[k] for k in keys if k in self.redirected})

    def response(self, url: str, status: str, location: str | None) -> None:
        """A response that is no page: a redirect hands the article's teasers on to its target; any
        other status is a failed fetch, and teasers seen from now on wait for nothing (the crawl gave up
        on the article here; they are its late evidence). A retry that succeeds still reads the page."""
        key = canonical_url(url)
        if status.startswith("3") and location:
            from urllib.parse import urljoin

            self.redirected[canonical_url(urljoin(url, location))] = self.redirected.get(key, key)
            return
        key = self.redirected.get(key, key)
        self.read.add(key)
        self.failed.setdefault(key, f"http-{status}")

    def for_article(self, url: str, page: Page) -> list[dict[str, str]]:
        keys = self.keys(url, page.canonical)
        for key in keys:
            self.waiting.pop(key, None)
            self.read.add(key)
        return [ev for key in keys for ev in self.evidence.pop(key, [])]

    def not_read(self, keys: list[str] | None = None) -> Iterator[tuple[str, Any]]:
        """(article, teaser) to emit for each article (of ``keys``; all when None) that was not read:
        one waiting teaser with the others' stamps as evidence, chosen as the crawl's ledger chooses
        (the first by its stored JSON: :meth:`wirefeed.ledger.Ledger.teasers_for`)."""
        for key in list(self.waiting) if keys is None else keys:
            teasers = self.waiting.pop(key, None)
            if not teasers:
                continue
            self.evidence.pop(key, None)
            teasers.sort(
                key=lambda t: json.dumps(item_json(t), ensure_ascii=False, sort_keys=True, default=str)
            )
            first = teasers[0]
            hints_of(first).evidence = [
                ev for t in teasers[1:] for ev in stamp_evidence(hints_of(t).stamp, hints_of(t).stamp_source,
                                                                 hints_of(t).anchor)
            ]  # fmt: skip
            yield key, first


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
    """One :class:`PageResult` per page of the WARC, then one for the teasers whose article it does
    not hold. ``profile`` forces one profile; else each page uses the profile the crawl fetched it for
    (kept in the WARC), else the one owning its URL. ``options`` go to :func:`process_page`."""
    kept: dict[str, dict[str, Any]] = {}
    known: dict[str, Profile] = {}
    folding = Folding()
    not_pages: list[tuple[str, str, str | None]] = []
    stage_options = StageOptions(language_backend=options.get("language_backend", "py3langid"))
    confirm = options.get("confirm", True)
    for page in read_pages(path, stats, kept, not_pages):
        for response in not_pages:
            folding.response(*response)
        not_pages.clear()
        for name, data in kept.items():
            if name not in known:
                known[name] = profile_from_data(data, f"{path}#{name}")
        prof = profile or known.get(page.profile or "") or profile_for_url(page.url, known)
        result = process_page(
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
        # the article page was read but gave no article story: its teasers are emitted (no-article-story)
        keys = folding.keys(page.url)
        folding.read.update(keys)
        _emit(
            folding.not_read(keys), lambda _: "no-article-story", result, store, stats, stage_options, confirm
        )
        yield result
    for response in not_pages:
        folding.response(*response)
    result = PageResult()
    reason = lambda key: folding.failed.get(key, "not-in-warc")  # noqa: E731
    _emit(folding.not_read(), reason, result, store, stats, stage_options, confirm)
    yield result


def _emit(
    teasers: Iterable[tuple[str, Any]], reason: Callable[[str], str], result: PageResult, store: StateStore,
    stats: Counter[str], options: StageOptions, confirm: bool,
) -> None:  # fmt: skip
    """Waiting teasers whose article was not read, through the stages as the crawl emits them."""
    for key, teaser in teasers:
        stats[f"wirefeed/fetch/article-not-fetched/{reason(key)}"] += 1
        stats["wirefeed/extract/teaser-emitted"] += 1
        process_item(teaser, url=teaser.source.url, store=store, stats=stats, options=options, confirm=confirm,
                     result=result)  # fmt: skip
