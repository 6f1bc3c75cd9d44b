"""The pure stage functions the item pipelines wrap: raw story → record, one concern each.

An item has one type from the spider to the exporter: :class:`wirefeed.schemas.Article`, the record
model. :func:`new_item` builds it unvalidated (``model_construct``: the fields the later stages fill —
dateline, agencies, location, published, language — are still empty) and attaches the
:class:`Hints` the stages need (the raw stamp, the anchor, timezone, semantics, language hints) as a
private attribute that is never serialized. Each stage takes the item and returns a copy with its
fields filled, plus *outcome* slugs the pipeline counts as ``wirefeed/<stage>/<outcome>``; the
validate stage checks the whole record against the contract. Stages never read the clock: the
anchor travels in the hints.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from wirefeed.agencies import normalize as normalize_agencies
from wirefeed.dateline import parse_dateline
from wirefeed.errors import TimeParseError
from wirefeed.extract import RawStory
from wirefeed.identity import canonical_url, content_hash, story_id
from wirefeed.language import DEFAULT_CANDIDATES, detect_language
from wirefeed.neardup import signature
from wirefeed.places import resolve_place
from wirefeed.profiles import Profile
from wirefeed.stamps import ResolvedTime, refine, resolve_time
from wirefeed.store import Decision, StateStore

if TYPE_CHECKING:
    import numpy as np

    from wirefeed.schemas import Article  # schemas/ is installed as wirefeed.schemas (package-dir)

__all__ = [
    "CHAIN",
    "Hints",
    "Rejected",
    "StageOptions",
    "apply_dateline",
    "apply_decision",
    "apply_language",
    "apply_time",
    "decide",
    "hints_of",
    "item_from_json",
    "item_json",
    "new_item",
    "rfc3339",
    "to_record",
]


def rfc3339(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass(slots=True)
class Hints:
    """What the stages still need of the page a story was read on; never part of the record."""

    stamp: str | None = None
    stamp_source: str | None = None
    stamp_datetime: str | None = None
    truncated: bool = False
    anchor: str | None = None  # RFC 3339: when the page was served (relative stamps count from it)
    tz: str = "Europe/Amsterdam"
    semantics: str = "floor"
    profile_language: str | None = None
    portal_country: str | None = None
    page_lang: str | None = None
    evidence: list[dict[str, str]] = field(default_factory=list)  # the story's stamps seen elsewhere


def hints_of(item: Article) -> Hints:
    """The item's hints (a record read back from JSON has none: empty ones)."""
    # Read from pydantic's private-value dict: ``item._hints`` raises and catches an AttributeError
    # inside pydantic on every read (~5 µs), and the stages read the hints often.
    hints = (item.__pydantic_private__ or {}).get("_hints")
    return hints if isinstance(hints, Hints) else Hints()


def new_item(
    story: RawStory,
    *,
    page_url: str,
    source_name: str,
    fetched_at: datetime,
    anchor: datetime | None,
    profile: Profile | None = None,
    page_lang: str | None = None,
    page_section: str | None = None,
) -> Article:
    """The first form of a record: raw strings in place, ids computed, normalization pending."""
    from wirefeed.schemas import Article, Source

    url = story.link if story.link and story.link.startswith(("http://", "https://")) else None
    if url:
        url = canonical_url(url)
    paragraphs = story.paragraphs or ([story.lead] if story.lead else [])
    body = "\n\n".join(paragraphs) if story.kind == "article" else None
    item = Article.model_construct(
        id=story_id(url=url, source=source_name, title=story.title, lead=story.lead),
        kind=story.kind,
        url=url,
        source=Source.model_construct(
            name=source_name, url=page_url, section=story.section or page_section, page_kind=story.page_kind
        ),
        title=story.title,
        lead=story.lead,
        body=body,
        byline=story.byline,
        badge=story.badge,
        dateline=None,
        agencies=[],  # given, not defaulted: pydantic inspects a default factory's signature each time
        published=None,
        language=None,
        fetched_at=fetched_at.astimezone(UTC),
        content_hash=content_hash(story.title, story.lead, body),
    )
    item._hints = Hints(
        stamp=story.stamp,
        stamp_source=story.stamp_source,
        stamp_datetime=story.stamp_datetime,
        truncated=story.truncated,
        anchor=rfc3339(anchor),
        tz=profile.timezone if profile else (story.zone or "Europe/Amsterdam"),
        semantics=profile.semantics if profile else "floor",
        profile_language=profile.language if profile else None,
        portal_country=profile.country if profile else None,
        page_lang=page_lang,
    )
    return item


def item_json(item: Article) -> dict[str, Any]:
    """An item as plain JSON (a quarantine line, a teaser waiting in the ledger): its fields as far as
    the stages filled them, and its hints under ``_raw``."""
    data: dict[str, Any] = item.model_dump(mode="json", warnings=False)
    if (item.__pydantic_private__ or {}).get("_hints") is not None:
        data["_raw"] = asdict(hints_of(item))
    return data


def item_from_json(data: dict[str, Any]) -> Article:
    """An item :func:`item_json` wrote before any stage ran (a teaser waiting in the ledger)."""
    from wirefeed.schemas import Article, Source

    fields = {k: v for k, v in data.items() if k in Article.model_fields}
    fields["source"] = Source.model_construct(**data["source"])
    fields["fetched_at"] = datetime.fromisoformat(data["fetched_at"].replace("Z", "+00:00"))
    item = Article.model_construct(**fields)
    raw = data.get("_raw") or {}
    item._hints = Hints(**{k: v for k, v in raw.items() if k in Hints.__dataclass_fields__})
    return item


def apply_dateline(item: Article) -> tuple[Article, list[str]]:
    """Parse the dateline off the lead (and body); fill ``dateline``, ``agencies`` and ``location``."""
    from wirefeed.schemas import AgencyRef, Dateline, Location

    lead = item.lead
    dl = parse_dateline(lead) if lead else None
    if dl is None:
        return item, ["none"]
    update: dict[str, Any] = {
        "dateline": Dateline.model_construct(
            text=dl.text.strip(),
            place=dl.place,
            places=list(dl.places),
            agencies=list(dl.agencies),
            date=dl.date,
            byline=dl.byline,
        ),
        "lead": dl.rest.strip() or None,
    }
    if item.body:
        first, _, rest = item.body.partition("\n\n")
        first_dl = parse_dateline(first)
        first = first_dl.rest.strip() if first_dl else first
        update["body"] = first + ("\n\n" + rest if rest else "")
    if dl.byline and not item.byline:
        update["byline"] = dl.byline
    hints = hints_of(item)
    agencies = normalize_agencies(dl.agencies, hints.profile_language or hints.page_lang)
    bias = {a["country"] for a in agencies if a["country"]} | {hints.portal_country}
    location = resolve_place(dl.place, bias={b for b in bias if b})
    update["agencies"] = [AgencyRef.model_construct(**a) for a in agencies]
    update["location"] = Location.model_construct(**location) if location is not None else None
    outcomes = ["found"]
    if any(a["code"] is None for a in agencies):
        outcomes.append("unknown-agency")
    if dl.place and location is None:
        outcomes.append("place-unresolved")
    return item.model_copy(update=update), outcomes


def _published(r: ResolvedTime, source: str) -> dict[str, Any]:
    return {
        "raw": r.raw,
        "source": source,
        "at": r.at,
        "earliest": r.earliest,
        "latest": r.latest,
        "precision": r.precision,
        "anchor": r.anchor if r.kind != "absolute" else None,
        "semantics": r.semantics if r.kind == "relative" else None,
        "unresolved": None,
        "note": None,
    }


def apply_time(item: Article) -> tuple[Article, str]:
    """Resolve the story's stamp (and any stamps of it seen elsewhere) into ``published``.

    Raises :class:`TimeParseError` for a stamp that cannot be true; the pipeline quarantines the item.
    """
    published, outcome = _resolve_published(item)
    if published is None:
        return item, outcome
    from wirefeed.schemas import Published

    return item.model_copy(update={"published": Published.model_construct(**published)}), outcome


def _resolve_published(item: Article) -> tuple[dict[str, Any] | None, str]:
    raw = hints_of(item)
    stamp = raw.stamp
    machine = raw.stamp_datetime
    source = raw.stamp_source or "text"
    if not stamp and not machine and not raw.evidence:
        return None, "none"
    anchor = datetime.fromisoformat(raw.anchor) if raw.anchor else None
    # Absolute stamps need no anchor; the fetch time only bounds how far in the future they may lie.
    ref = anchor or item.fetched_at
    tz, semantics = raw.tz, raw.semantics
    language = raw.profile_language
    resolved: list[ResolvedTime] = []
    sources: list[str] = []  # where each resolved interval came from
    future = False  # a publish time after the reference time: kept, with a note (counted)
    if machine:  # a machine-readable value beats the printed one
        r, future = _resolve_kept(machine, ref, tz=tz, semantics=semantics)
        if r is not None:
            resolved.append(r)
            sources.append(source if source in ("jsonld", "meta", "rss") else "time")
            stamp = stamp if stamp != machine else None
    unresolved = {
        "source": source,
        "at": None,
        "earliest": None,
        "latest": None,
        "precision": None,
        "semantics": None,
    }
    if stamp and not resolved:
        r, future = _resolve_kept(stamp, ref, tz=tz, language=language, semantics=semantics)
        if r is None:
            return {"raw": stamp, **unresolved, "anchor": anchor, "unresolved": "not-a-time"}, "unrecognized"
        if r.kind != "absolute" and anchor is None:
            # Never resolve against the clock of whoever reads an old file.
            return {"raw": stamp, **unresolved, "anchor": None, "unresolved": "no-anchor"}, "no-anchor"
        resolved.append(r)
        sources.append("text" if r.kind == "absolute" and source == "relative" else source)
    for ev in raw.evidence:
        try:
            r = resolve_time(
                ev["raw"], datetime.fromisoformat(ev["anchor"]), tz=tz, language=language, semantics=semantics
            )
        except TimeParseError:
            continue  # counted where the teaser itself was processed
        if r is not None:
            resolved.append(r)
            sources.append(ev.get("source") or ("relative" if r.kind != "absolute" else "text"))
    if not resolved:
        return None, "none"
    try:
        best = refine(resolved) if len(resolved) > 1 else resolved[0]
        outcome = "refined" if len(resolved) > 1 else "resolved"
    except TimeParseError:
        best, outcome = resolved[0], "conflict"
    narrowest = min(range(len(resolved)), key=lambda i: resolved[i].latest - resolved[i].earliest)
    published = _published(best, sources[narrowest])
    if future:
        published["note"] = "after-reference-time"
        return published, "future-kept"
    return published, outcome


def _resolve_kept(raw: str, ref: datetime, **kw: Any) -> tuple[ResolvedTime | None, bool]:
    """resolve_time, keeping an absolute time after the reference time (a crawl date read at noon,
    a clock ahead): returns the interval and whether it lies in the future."""
    try:
        return resolve_time(raw, ref, **kw), False
    except TimeParseError as exc:
        if exc.reason != "future":
            raise
        return resolve_time(raw, ref, allow_future=True, **kw), True


# Enough text for a confident answer; detection cost grows with length.
_LANGUAGE_SAMPLE = 600


def apply_language(
    item: Article, *, backend: str = "py3langid", candidates: Any = None
) -> tuple[Article, str]:
    """Detect the story's language on its best text; fall back on the page's or profile's language."""
    from wirefeed.schemas import Language

    raw = hints_of(item)
    parts = [item.lead or ""]
    if item.body:
        parts = [item.body[:_LANGUAGE_SAMPLE]]
    elif item.title:
        parts.insert(0, item.title)
    text = "\n".join(p for p in parts if p)
    fallback = None
    if raw.page_lang:
        fallback = (raw.page_lang, "html-lang")
    elif raw.profile_language:
        fallback = (raw.profile_language, "profile")
    # The crawl's languages (setting, default nl/en/de/fr) plus the profile's; "*" allows every language.
    cands = list(candidates or DEFAULT_CANDIDATES)
    if "*" not in cands and raw.profile_language:
        cands.append(raw.profile_language)
    result = detect_language(text, candidates=cands, fallback=fallback, backend=backend)
    language = Language.model_construct(code=result.code, confidence=result.confidence, source=result.source)
    return item.model_copy(update={"language": language}), result.source


def to_record(item: Article) -> Article:
    """Validate the item against the contract: returns it as a checked :class:`wirefeed.schemas.Article`
    (its hints dropped) or raises ``pydantic.ValidationError``."""
    from wirefeed.schemas import Article

    return Article.model_validate(item.model_dump(warnings=False))


def _epoch(value: datetime | None) -> int | None:
    return int(value.timestamp()) if value is not None else None


def decide(record: Article, store: StateStore) -> tuple[Decision, Callable[[], np.ndarray | None]]:
    """Ask the state store what to do with a validated record; returns the decision and the record's
    MinHash signature (stored with it when it is emitted), computed only if the store asks for it."""
    parts = (record.lead, record.body) if record.lead or record.body else (record.title,)
    sig = cache(lambda: signature(*parts))
    pub = record.published
    earliest = _epoch(pub.earliest) if pub else None
    latest = _epoch(pub.latest) if pub else None
    return store.decide(record.id, record.url, record.content_hash, sig, earliest, latest), sig


def apply_decision(record: Article, decision: Decision) -> Article:
    """The record as it will be emitted: version, cluster, and a refined published interval."""
    update: dict[str, Any] = {
        "version": decision.version,
        "previous_version": decision.previous_version,
        "duplicate_of": decision.duplicate_of,
        "cluster_id": decision.cluster_id,
    }
    if decision.outcome in ("changed", "refined"):
        update["changed_at"] = record.fetched_at
    if (
        decision.outcome == "refined"
        and record.published is not None
        and decision.earliest is not None
        and decision.latest is not None
    ):
        e = datetime.fromtimestamp(decision.earliest, UTC)
        la = datetime.fromtimestamp(decision.latest, UTC)
        update["published"] = record.published.model_copy(
            update={"earliest": e, "latest": la, "at": e + (la - e) / 2}
        )
    return record.model_copy(update=update)


def dedup(record: Article, store: StateStore) -> tuple[str, Article | None]:
    """The dedup stage: decide, remember the sighting, and reserve what is to be emitted.

    Returns the outcome (``new``, ``changed``, ``refined``, ``duplicate``) and the record to emit, or
    ``None`` for a duplicate. The caller confirms the record once it is written (:meth:`StateStore.confirm`).
    """
    decision, sig = decide(record, store)
    seen = int(record.fetched_at.timestamp())
    stamp = record.published.raw if record.published else None
    if decision.outcome == "duplicate":
        known = decision.duplicate_of or record.id
        store.remember_interval(known, decision.earliest, decision.latest, seen)
        store.sighting(known, seen, record.source.url, stamp)
        return "duplicate", None
    record = apply_decision(record, decision)
    store.reserve(record.id, record.url, record.content_hash, decision, sig, seen)
    store.sighting(record.id, seen, record.source.url, stamp)
    return decision.outcome, record


# --- the stage chain, written once: the item pipelines and offline parse both run it ---------------


class Rejected(Exception):
    """A stage sets the item aside: ``reason`` is counted as ``wirefeed/<stage>/<reason>``."""

    def __init__(self, reason: str, detail: str) -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}")


@dataclass(frozen=True, slots=True)
class StageOptions:
    """What the stages take from the run's settings."""

    language_backend: str = "py3langid"
    languages: tuple[str, ...] | None = None


def _dateline_stage(item: Article, opts: StageOptions) -> tuple[Article, list[str]]:
    return apply_dateline(item)


def _time_stage(item: Article, opts: StageOptions) -> tuple[Article, list[str]]:
    try:
        item, outcome = apply_time(item)
    except TimeParseError as exc:
        raise Rejected(exc.reason, str(exc)) from None
    return item, [outcome]


def _language_stage(item: Article, opts: StageOptions) -> tuple[Article, list[str]]:
    item, outcome = apply_language(item, backend=opts.language_backend, candidates=opts.languages)
    return item, [outcome]


def _validate_stage(item: Article, opts: StageOptions) -> tuple[Article, list[str]]:
    try:
        return to_record(item), ["valid"]
    except ValidationError as exc:
        fields = sorted({".".join(str(p) for p in e["loc"]) for e in exc.errors()})
        raise Rejected("invalid", "; ".join(fields)) from None


# (stage name, function): item -> (item, outcomes), or raises Rejected. Dedup follows, with the state
# store (:func:`dedup`).
CHAIN: tuple[tuple[str, Callable[[Article, StageOptions], tuple[Article, list[str]]]], ...] = (
    ("dateline", _dateline_stage),
    ("timestamps", _time_stage),
    ("language", _language_stage),
    ("validate", _validate_stage),
)
