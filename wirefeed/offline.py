"""Saved pages to records without Scrapy: the same stages as the crawl, chained in one process.

``wirefeed parse`` uses :func:`process_page`; so can a data team with pages of its own. Every story
ends in exactly one place — a record, a duplicate count, or a quarantine entry with its stage and
reason — and ``stats`` counts each under ``wirefeed/<stage>/<outcome>``.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from wirefeed import budget
from wirefeed.extract import RawStory, extract_page, no_story_reason
from wirefeed.page import Page, load_page
from wirefeed.profiles import Profile
from wirefeed.stages import CHAIN, Rejected, StageOptions, dedup, hints_of, item_json, new_item
from wirefeed.store import StateStore

__all__ = [
    "PageContext",
    "PageResult",
    "process_in",
    "process_item",
    "process_page",
    "process_stories",
    "quarantine_entry",
    "read_sidecar",
    "source_name_for",
]


@dataclass
class PageResult:
    records: list[Any] = field(default_factory=list)  # wirefeed.schemas.Article
    rejected: list[dict[str, Any]] = field(default_factory=list)
    no_story: str | None = None  # why the page gave no story at all (printed by `parse`, counted)
    valid: list[Any] = field(default_factory=list)  # every record through the stages, new or duplicate


@dataclass(frozen=True, slots=True)
class PageContext:
    """What every story of one page is read with: where it came from, when, by which profile, and the
    store, stats and confirmation mode of the run. Built once per page by the caller (``wirefeed
    parse``, a replay) and passed down, so a new field is added in one place."""

    url: str
    source_name: str
    fetched_at: datetime
    anchor: datetime | None  # when the page was served: relative stamps count from it
    profile: Profile | None
    store: StateStore
    stats: Counter[str]
    confirm: bool = True  # False: records stay pending until the caller wrote their lines


def quarantine_entry(stage: str, reason: str, detail: str, item: Any, url: str | None) -> dict[str, Any]:
    """One line of ``<output>.rejected.jsonl``: where and why an item was set aside, and the item (an
    :class:`~wirefeed.schemas.Article` as far as the stages filled it, a raw story, or None)."""
    if isinstance(item, RawStory):
        raw: Any = {k: getattr(item, k) for k in item.__slots__}
    elif hasattr(item, "model_dump"):
        raw = item_json(item)
    else:
        raw = item
    return {"stage": stage, "reason": reason, "detail": detail, "url": url, "item": raw}


def source_name_for(url: str, profile: Profile | None) -> str:
    if profile:
        return profile.name
    host = (urlsplit(url).hostname or "local").lower()
    return host.removeprefix("www.")


def read_sidecar(path: Path) -> dict[str, Any]:
    """Metadata saved beside a page (url, served_at, content_type): ``<page>.meta.json``, or ``meta.json``
    in the folder of a ``page.*`` file (the fixture layout: page + meta + expected)."""
    candidates = [path.with_name(path.name + ".meta.json"), path.with_suffix(".meta.json")]
    if path.stem == "page":
        candidates.append(path.with_name("meta.json"))
    for candidate in candidates:
        if candidate.is_file():
            data = json.loads(candidate.read_text("utf-8"))
            return data if isinstance(data, dict) else {}
    return {}


def process_page(
    content: str | bytes,
    *,
    url: str,
    source_name: str,
    fetched_at: datetime,
    anchor: datetime | None,
    profile: Profile | None,
    store: StateStore,
    stats: Counter[str],
    content_type: str | None = None,
    language_backend: str = "py3langid",
    fold: Callable[[RawStory, Any], bool] | None = None,
    evidence: Callable[[Page], list[dict[str, str]]] | None = None,
    confirm: bool = True,
) -> PageResult:
    """The stories of one page, through every stage. ``confirm=False`` leaves the emitted records
    pending in ``store``: the caller confirms each once its line is written (``wirefeed parse -o``).
    The keyword form of :func:`process_in`."""
    ctx = PageContext(url, source_name, fetched_at, anchor, profile, store, stats, confirm)
    return process_in(
        ctx,
        content,
        content_type=content_type,
        language_backend=language_backend,
        fold=fold,
        evidence=evidence,
    )


def process_in(
    ctx: PageContext,
    content: str | bytes,
    *,
    content_type: str | None = None,
    language_backend: str = "py3langid",
    fold: Callable[[RawStory, Any], bool] | None = None,
    evidence: Callable[[Page], list[dict[str, str]]] | None = None,
) -> PageResult:
    """The stories of one page read in ``ctx``, through every stage (:func:`process_page`)."""
    profile, stats = ctx.profile, ctx.stats
    page = load_page(
        content,
        url=ctx.url,
        content_type=content_type,
        profile_kind=profile.page_kind(ctx.url) if profile else None,
    )
    if ctx.anchor is None and page.served_at:
        anchor: datetime | None = None
        try:
            anchor = datetime.fromisoformat(page.served_at.replace("Z", "+00:00"))
        except ValueError:
            stats["wirefeed/timestamps/bad-served-at"] += 1
        if anchor is not None and anchor.tzinfo is not None:
            ctx = replace(ctx, anchor=anchor)  # the page says when it was served
    result = PageResult()
    stories, over = budget.within(page, extract_page(page, profile=profile))
    stats["wirefeed/extract/pages"] += 1
    stats[f"wirefeed/extract/{page.kind}-pages"] += 1
    for key in over:
        stats[f"wirefeed/{key}"] += 1
    if page.charset_fallback:
        stats[f"wirefeed/fetch/charset-fallback/{page.charset_fallback}"] += 1
    if not stories:
        stats["wirefeed/extract/no-stories"] += 1
        result.no_story = no_story_reason(page)
    for one in process_stories(
        stories,
        ctx,
        page_lang=page.lang,
        language_backend=language_backend,
        fold=fold,
        evidence=(lambda: evidence(page)) if evidence is not None else None,
        deadline=budget.Deadline(),
    ):
        result.records.extend(one.records)
        result.rejected.extend(one.rejected)
        result.valid.extend(one.valid)
    return result


def process_stories(
    stories: Iterable[RawStory],
    ctx: PageContext,
    *,
    page_lang: str | None = None,
    language_backend: str = "py3langid",
    fold: Callable[[RawStory, Any], bool] | None = None,
    evidence: Callable[[], list[dict[str, str]]] | None = None,
    deadline: budget.Deadline | None = None,
) -> Iterator[PageResult]:
    """Each story through every stage, one :class:`PageResult` per story as it is decided (a record,
    a quarantine entry, or neither: a duplicate or a folded teaser); stops, counted, once ``deadline``
    has passed. ``process_page`` gathers them for a page; wirefeed.textstream writes them as they come."""
    options = StageOptions(language_backend=language_backend)
    url, stats = ctx.url, ctx.stats
    for done, story in enumerate(stories):
        if deadline is not None and deadline.passed(done):  # the rest of this page's stories are not read
            stats["wirefeed/extract/over-budget/time"] += 1
            break
        result = PageResult()
        stats["wirefeed/extract/stories"] += 1
        if story.truncated:
            stats["wirefeed/extract/truncated"] += 1
            result.rejected.append(
                quarantine_entry("extract", "truncated", "story cut off at the end of the page", story, url)
            )
            yield result
            continue
        item = new_item(
            story,
            page_url=url,
            source_name=ctx.source_name,
            fetched_at=ctx.fetched_at,
            anchor=ctx.anchor,
            profile=ctx.profile,
            page_lang=page_lang,
        )
        if fold is not None and fold(story, item):  # a replayed crawl: the teaser waits for its article
            stats["wirefeed/extract/teaser-folded"] += 1
            continue
        if evidence is not None and story.kind == "article":
            hints_of(item).evidence = evidence()
        yield process_item(item, url=url, store=ctx.store, stats=stats, options=options, confirm=ctx.confirm)


def process_item(
    item: Any,
    *,
    url: str,
    store: StateStore,
    stats: Counter[str],
    options: StageOptions,
    confirm: bool = True,
    result: PageResult | None = None,
) -> PageResult:
    """One item (:func:`wirefeed.stages.new_item`) through every stage and the dedup decision."""
    result = result if result is not None else PageResult()
    record = item
    for stage, run in CHAIN:
        try:
            record, outcomes = run(record, options)
        except Rejected as exc:
            stats[f"wirefeed/{stage}/{exc.reason}"] += 1
            result.rejected.append(quarantine_entry(stage, exc.reason, exc.detail, record, url))
            return result
        for outcome in outcomes:
            stats[f"wirefeed/{stage}/{outcome}"] += 1
    result.valid.append(record)  # what the monitors tally (wirefeed.monitors.check_parse)
    _decide(record, store, stats, result, confirm)
    return result


def _decide(record: Any, store: StateStore, stats: Counter[str], result: PageResult, confirm: bool) -> None:
    """The dedup stage: what the state store says is new goes into ``result.records``."""
    outcome, emitted = dedup(record, store)
    stats[f"wirefeed/dedup/{outcome}"] += 1
    if emitted is None:
        return
    if emitted.duplicate_of:
        stats["wirefeed/dedup/near-duplicate"] += 1
    if confirm:
        store.confirm(emitted.id)
    result.records.append(emitted)
    stats["wirefeed/export/emitted"] += 1
