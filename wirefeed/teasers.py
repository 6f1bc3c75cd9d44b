"""Whether a headline printed beside an article announces another story (a teaser) or is navigation.

Around an article, wire teasers show themselves by a dateline or a relative stamp. Most teasers of a
publisher's own stories print neither: a headline linking to another article of the same site, with
a lead under it. :func:`announces_story` tells those apart from what looks the same in a page walk:
menus and topic links (no lead, a section path), share and mail links (another scheme or host),
author boxes and service boxes (a one-word title), a list of headline links where the next link was
taken for a lead. Rules are data (the constants below), not publisher knowledge.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from wirefeed.mainstory import is_byline, is_junk_paragraph, is_junk_title

__all__ = ["announces_story"]

_MIN_TITLE_WORDS = 3
_MIN_LEAD = 80  # characters: a standfirst, not a kicker, a date or a button
# An article's path, not a section's: a segment that is a slug of three or more words, or a numeric id.
_SLUG_HYPHENS = 2
_ID_RE = re.compile(r"\d{4}")


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
    if not any(_host(link) == _host(u) for u in page_urls):
        return False  # another site, or a mail or script link (no host)
    if link.split("#")[0].rstrip("/") in {u.rstrip("/") for u in page_urls}:
        return False  # the page itself (a comments or share anchor)
    path = urlsplit(link).path
    if not (_ID_RE.search(path) or any(seg.count("-") >= _SLUG_HYPHENS for seg in path.split("/"))):
        return False
    return len(lead) >= _MIN_LEAD and not is_junk_paragraph(lead) and not is_byline(lead)
