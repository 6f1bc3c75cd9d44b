"""Whether a headline printed beside an article announces another story (a teaser) or is navigation.

Around an article, wire teasers show themselves by a dateline or a relative stamp. Most teasers of a
publisher's own stories print neither: a headline linking to another article of the same site, with
a lead under it. :func:`announces_story` tells those apart from what looks the same in a page walk:
menus and topic links (no lead, a section path), share and mail links (another scheme or host),
author boxes (a two-word title), a list of headline links where the next link was taken for a lead,
and the publisher's service boxes, printed like teasers but announcing a newsletter, a podcast, an
app, a social-media channel, a subscription or the newsroom itself: their headline names the service
(:data:`SERVICE_WORDS`). Rules are data (the constants below), not publisher knowledge.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, cast
from urllib.parse import urljoin, urlsplit

from lxml import etree

from wirefeed.mainstory import is_byline, is_junk_paragraph, is_junk_title

__all__ = ["SERVICE_PHRASES", "SERVICE_WORDS", "announces_story", "may_hold_teasers", "names_a_service"]

_MIN_TITLE_WORDS = 3
_MIN_LEAD = 80  # characters: a standfirst, not a kicker, a date or a button
# An article's path, not a section's: a segment that is a slug of three or more words, or a numeric id.
_SLUG_HYPHENS = 2
_ID_RE = re.compile(r"\d{4}")
# A headline naming one of these announces a service of the publisher, not a story (EN/DE/FR/NL/IT).
# Whole words of the headline; a stem also starts or ends a compound (`Instagramkanal`,
# `Morgennewsletter`) when it is long enough not to hide inside another word.
SERVICE_WORDS = frozenset(
    (
        "newsletter nieuwsbrief infolettre podcast podcasts app apps instagram facebook tiktok youtube "
        "whatsapp telegram mastodon abo abonnement abonnieren abonneren abonnez abbonati abbonamento "
        "subscribe subscription e-paper epaper"
    ).split()
)
_COMPOUND_STEM = 7  # letters; `podcast` and longer stems may be part of a compound
SERVICE_PHRASES = re.compile(
    r"\b(?:about us|über uns|qui sommes-nous|over ons|chi siamo|sign up|meld je aan|inscrivez-vous|"
    r"iscriviti|follow us|folgen sie uns|suivez-nous|volg ons|seguici|about the author|"
    r"über (?:die autorin|den autor)|à propos de l'auteur|over de auteur|sull'autore)\b",
    re.IGNORECASE,
)
_WORD_RE = re.compile(r"[^\W\d_]+(?:-paper)?")
# The stems long enough to start or end a compound, as a tuple: one str.startswith/endswith call each.
_COMPOUND_STEMS = tuple(sorted(w for w in SERVICE_WORDS if len(w) >= _COMPOUND_STEM))
_HREF = etree.XPath("string((.//a[@href] | ancestor::a[@href])[1]/@href)", smart_strings=False)
_HEADLINE_LINKS = etree.XPath(
    "count(.//a[@href][.//h2 or .//h3 or .//h4] | .//h2//a[@href] | .//h3//a[@href] | .//h4//a[@href])",
    smart_strings=False,
)
_TEXT = etree.XPath("string(.)", smart_strings=False)
_CARD_LEVELS = 4  # a teaser card is at most this many elements above its headline


def names_a_service(title: str) -> bool:
    """True when ``title`` names a newsletter, podcast, app, channel or the newsroom (a service box)."""
    if SERVICE_PHRASES.search(title):
        return True
    return any(
        word in SERVICE_WORDS or word.startswith(_COMPOUND_STEMS) or word.endswith(_COMPOUND_STEMS)
        for word in _WORD_RE.findall(title.lower())
    )


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").removeprefix("www.")


def _story_title(title: str) -> bool:
    return not (
        len(title.split()) < _MIN_TITLE_WORDS
        or is_junk_title(title)
        or is_junk_paragraph(title)
        or names_a_service(title)  # a newsletter, podcast, app or about-us box printed like a teaser
    )


def _story_link(link: str, page_urls: set[str]) -> bool:
    if not any(_host(link) == _host(u) for u in page_urls):
        return False  # another site, or a mail or script link (no host)
    if link.split("#")[0].rstrip("/") in {u.rstrip("/") for u in page_urls}:
        return False  # the page itself (a comments or share anchor)
    path = urlsplit(link).path
    return bool(_ID_RE.search(path) or any(seg.count("-") >= _SLUG_HYPHENS for seg in path.split("/")))


def may_hold_teasers(root: Any, url: str, canonical: str | None = None) -> bool:
    """True when the tree under ``root`` (an article page without its article) may hold a teaser that
    :func:`announces_story` accepts: a linked headline of a story of the site, in a card (an element
    at most four levels above it that holds no other headline link) with room for a lead. A cheap
    look before the walk and segmentation of the page's rest, which most article pages do not need."""
    page_urls = {u for u in (url, canonical) if u}
    for h in _linked_headlines(root):
        title = " ".join(str(_TEXT(h)).split())
        if not title or not _story_title(title):
            continue
        if not _story_link(urljoin(url, str(_HREF(h)).strip()), page_urls):
            continue
        card = h
        for _ in range(_CARD_LEVELS):
            card = card.getparent()
            if card is None or cast(float, _HEADLINE_LINKS(card)) > 1:
                break
            if len(" ".join(str(_TEXT(card)).split())) - len(title) >= _MIN_LEAD:
                return True
    return False


def _linked_headlines(root: Any) -> Iterator[Any]:
    """The ``<h2>``-``<h4>`` under ``root`` that hold or sit in a link, in page order (an XPath union
    with a predicate per heading costs half as much again as this scan)."""
    for h in root.iter("h2", "h3", "h4"):
        if any(a.get("href") is not None for a in h.iter("a")) or any(
            a.get("href") is not None for a in h.iterancestors("a")
        ):
            yield h


def announces_story(
    title: str | None, lead: str | None, link: str | None, lead_link: str | None, page_urls: set[str]
) -> bool:
    """True when ``title`` (linking to ``link``) over ``lead`` is a teaser of another story of the site
    whose page is ``page_urls`` (its URL and canonical); ``lead_link`` is the link the lead's own line
    carries, if any."""
    if not (title and lead and link) or lead_link not in (None, link):
        return False
    if not _story_title(title) or not _story_link(link, page_urls):
        return False
    return len(lead) >= _MIN_LEAD and not is_junk_paragraph(lead) and not is_byline(lead)
