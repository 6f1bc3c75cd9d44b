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
from urllib.parse import urlsplit

from wirefeed.mainstory import is_byline, is_junk_paragraph, is_junk_title

__all__ = ["SERVICE_PHRASES", "SERVICE_WORDS", "announces_story", "names_a_service"]

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
    r"iscriviti|follow us|folgen sie uns|suivez-nous|volg ons|seguici)\b",
    re.IGNORECASE,
)
_WORD_RE = re.compile(r"[^\W\d_]+(?:-paper)?")


def names_a_service(title: str) -> bool:
    """True when ``title`` names a newsletter, podcast, app, channel or the newsroom (a service box)."""
    if SERVICE_PHRASES.search(title):
        return True
    for word in _WORD_RE.findall(title.lower()):
        if word in SERVICE_WORDS:
            return True
        for stem in SERVICE_WORDS:
            if len(stem) >= _COMPOUND_STEM and (word.startswith(stem) or word.endswith(stem)):
                return True
    return False


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").removeprefix("www.")


def announces_story(
    title: str | None, lead: str | None, link: str | None, lead_link: str | None, page_urls: set[str]
) -> bool:
    """True when ``title`` (linking to ``link``) over ``lead`` is a teaser of another story of the site
    whose page is ``page_urls`` (its URL and canonical); ``lead_link`` is the link the lead's own line
    carries, if any."""
    if not (title and lead and link) or lead_link not in (None, link):
        return False
    if len(title.split()) < _MIN_TITLE_WORDS or is_junk_title(title) or is_junk_paragraph(title):
        return False
    if names_a_service(title):
        return False  # a newsletter, podcast, app or about-us box printed like a teaser
    if not any(_host(link) == _host(u) for u in page_urls):
        return False  # another site, or a mail or script link (no host)
    if link.split("#")[0].rstrip("/") in {u.rstrip("/") for u in page_urls}:
        return False  # the page itself (a comments or share anchor)
    path = urlsplit(link).path
    if not (_ID_RE.search(path) or any(seg.count("-") >= _SLUG_HYPHENS for seg in path.split("/"))):
        return False
    return len(lead) >= _MIN_LEAD and not is_junk_paragraph(lead) and not is_byline(lead)
