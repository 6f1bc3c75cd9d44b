"""Folding a teaser into the article it announces: one rule for the crawl and for a replayed WARC.

A teaser on a listing whose link is an article page of the same profile is not emitted on its own
when that article is read: its stamp becomes evidence for the article's ``published`` interval. The
portal spider (:mod:`wirefeed.spiders.portal`) keeps the waiting teaser in the ledger until the
article arrives (or cannot be had, and the teaser is emitted instead); a WARC replayed in fetch order
(:mod:`wirefeed.replay`) folds the same teasers by the same rule. Both use these functions.
"""

from __future__ import annotations

from typing import Any

from wirefeed.extract import RawStory
from wirefeed.identity import canonical_url
from wirefeed.profiles import Profile

__all__ = ["article_keys", "evidence_from", "fold_target", "stamp_evidence"]


def fold_target(story: RawStory, profile: Profile | None) -> str | None:
    """The canonical URL of the article ``story`` folds into, or None when it is emitted on its own:
    only a teaser linking to an article page (by the profile's patterns) within the profile's domains."""
    if profile is None or story.kind != "teaser" or not story.link:
        return None
    link = canonical_url(story.link)
    if not profile.owns(link) or profile.page_kind(link) != "article":
        return None
    return link


def stamp_evidence(stamp: str | None, stamp_source: str | None, anchor: str | None) -> list[dict[str, str]]:
    """A teaser's stamp as evidence for its article: only a relative stamp with the anchor it was read
    against (an absolute one adds nothing the article's own page does not print)."""
    if stamp and stamp_source == "relative" and anchor:
        return [{"raw": stamp, "anchor": anchor, "source": "relative"}]
    return []


def article_keys(url: str, canonical: str | None, announced: str | None = None) -> set[str]:
    """Every URL a teaser may have announced an article page by: the page's own, its ``<link
    rel=canonical>``, and the URL of the teaser that made us request it (before redirects)."""
    keys = {canonical_url(url)}
    if canonical:
        keys.add(canonical_url(canonical))
    if announced:
        keys.add(announced)
    return keys


def evidence_from(ledger: Any, keys: set[str]) -> list[dict[str, str]]:
    """The stamps waiting in ``ledger`` for an article known by ``keys``: those of its teasers, and
    stamps seen without a teaser (a feed entry's publication time)."""
    evidence: list[dict[str, str]] = []
    for key in sorted(keys):
        for teaser in ledger.teasers_for(key):
            raw = teaser.get("_raw") or {}
            evidence += stamp_evidence(raw.get("stamp"), raw.get("stamp_source"), raw.get("anchor"))
        evidence += ledger.stamps_for(key)
    return evidence
