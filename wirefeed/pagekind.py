"""What kind of page this is — article, live blog, listing, homepage, feed or text — decided before
any story is looked for, from the page's structure and metadata.

The profile's URL patterns win where they say something (portal knowledge); then the page's own
metadata (a JSON-LD article naming this page, ``og:type=article``, microdata); then structure: a
headline over a block of prose with few links is an article, a site root is a homepage, the rest
are listings. The kind is kept on the record's source and counted in the stats.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from wirefeed.mainstory import MainStory
from wirefeed.metadata import LISTING_TYPES, LIVEBLOG_TYPES, Metadata, clean_text

__all__ = ["KINDS", "classify"]

KINDS = ("article", "liveblog", "listing", "homepage", "feed", "text")
_MIN_PROSE = 300  # characters of paragraph text that make a page's block an article's text
_MIN_HEADLESS_PROSE = 1500  # without a visible headline, this much prose still makes an article
_MAX_LINK_DENSITY = 0.35


def _own_article(meta: Metadata) -> bool:
    if not meta.articles:
        return False
    main = meta.main
    if len(meta.articles) == 1:
        return True
    return isinstance(main.get("articleBody"), str) or bool(clean_text(main.get("headline")))


def classify(meta: Metadata, main: MainStory | None, url: str, profile_kind: str | None = None) -> str:
    """The page's kind (one of :data:`KINDS`) for an HTML page."""
    liveblog = bool(meta.articles) and bool(set(_types(meta.main)) & LIVEBLOG_TYPES)
    prose = main is not None and main.text_chars >= _MIN_PROSE and len(main.paragraphs) >= 2
    if profile_kind == "listing":
        return "listing"
    if profile_kind == "article":
        return "liveblog" if liveblog else "article"
    path = urlsplit(url).path.strip("/")
    evidence = _own_article(meta) or meta.og_type == "article" or meta.microdata_article
    if evidence and not (meta.types & LISTING_TYPES and not prose):
        return "liveblog" if liveblog else "article"
    if not path:
        return "homepage"
    if (
        prose
        and main is not None
        and (main.headline or main.text_chars >= _MIN_HEADLESS_PROSE)
        and main.link_density <= _MAX_LINK_DENSITY
        and not (main.linked_headings >= 2 and main.linked_headings * 3 >= len(main.paragraphs))
        and not meta.types & LISTING_TYPES
    ):
        return "article"
    return "listing"


def _types(obj: dict[str, object]) -> list[str]:
    t = obj.get("@type")
    if isinstance(t, str):
        return [t]
    return [x for x in t if isinstance(x, str)] if isinstance(t, list) else []
