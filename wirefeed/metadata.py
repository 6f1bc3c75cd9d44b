"""What a page says about itself in markup a reader does not see: JSON-LD, microdata and ``<meta>``.

:func:`read_metadata` reads one parsed document into :class:`Metadata`: the JSON-LD objects whose
``@type`` is an article type (inside ``@graph``, arrays and ``//<![CDATA[`` wrappers too), the page's
other JSON-LD types, an ``ItemList``'s entries, the microdata of an ``Article`` scope, every
``<meta name|property|itemprop>`` (names lower-cased), ``<title>``, ``rel=canonical`` and the language.
Values a hostile or careless page puts there (a ``@type`` that is an object, a list where a string
belongs, invalid JSON) are skipped, never trusted and never raised on.

The accessors rank the evidence: :meth:`Metadata.headlines` and :meth:`Metadata.published` list
candidates strongest first, each with the source it came from.
"""

from __future__ import annotations

import contextlib
import html
import json
import re
from dataclasses import dataclass, field
from typing import Any, cast
from urllib.parse import urljoin, urlsplit

from lxml import etree

__all__ = ["ARTICLE_TYPES", "LIVEBLOG_TYPES", "Metadata", "Nodes", "clean_text", "collect", "read_metadata"]

ARTICLE_TYPES = frozenset(
    {
        "NewsArticle",
        "Article",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "BlogPosting",
        "LiveBlogPosting",
        "OpinionNewsArticle",
        "BackgroundNewsArticle",
        "ReviewNewsArticle",
        "AskPublicNewsArticle",
        "Report",
        "ScholarlyArticle",
        "TechArticle",
        "SatiricalArticle",
        "SocialMediaPosting",
        "ClaimReview",
    }
)
LIVEBLOG_TYPES = frozenset({"LiveBlogPosting"})
LISTING_TYPES = frozenset({"CollectionPage", "ItemList", "SearchResultsPage"})

# Publish-time metas, strongest first (lower-cased name/property/itemprop).
PUBLISHED_METAS = (
    "article:published_time",
    "og:article:published_time",
    "article:published",
    "datepublished",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date.created",
    "dcterms.created",
    "dc.date",
    "dcterms.date",
    "date",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "publication_date",
    "article.published",
    "article_date_original",
    "original-publish-date",
    "og:published_time",
    "cxenseparse:recs:publishtime",
)
MODIFIED_METAS = (
    "article:modified_time",
    "datemodified",
    "og:updated_time",
    "dc.date.modified",
    "last-modified",
)
TITLE_METAS = ("og:title", "twitter:title", "dc.title", "parsely-title", "sailthru.title", "title")
SITE_METAS = ("og:site_name", "application-name", "apple-mobile-web-app-title", "publisher", "twitter:site")

_ITEMPROPS = etree.XPath(".//*[@itemprop]")


@dataclass(slots=True)
class Nodes:
    """The elements metadata is read from, and the page's links, gathered in two scans of the tree
    in C (six XPath scans of the whole page cost three times as much; the spider follows the links
    without parsing the page again)."""

    scripts: list[Any] = field(default_factory=list)  # <script type=…>
    links: list[Any] = field(default_factory=list)  # <link rel=…>
    metas: list[Any] = field(default_factory=list)  # every <meta>
    itemtypes: list[Any] = field(default_factory=list)
    itemprops: list[Any] = field(default_factory=list)
    title: Any = None  # the first <title>
    hrefs: list[str] = field(default_factory=list)  # every <a href> as printed, in page order


_MICRO = etree.XPath("//@itemtype/..|//@itemprop/..")


def collect(doc: Any) -> Nodes:
    """The :class:`Nodes` of a parsed document (before anything is removed from it)."""
    nodes = Nodes()
    get = etree._Element.get
    for el in doc.iter("a", "meta", "script", "link", "title"):
        tag = el.tag
        if tag == "a":
            if (href := get(el, "href")) is not None:
                nodes.hrefs.append(href)
        elif tag == "meta":
            nodes.metas.append(el)
        elif tag == "script":
            if get(el, "type") is not None:
                nodes.scripts.append(el)
        elif tag == "link":
            if get(el, "rel") is not None:
                nodes.links.append(el)
        elif nodes.title is None:
            nodes.title = el
    for el in _nodes(_MICRO, doc):
        if el is not doc:
            if get(el, "itemtype") is not None:
                nodes.itemtypes.append(el)
            if get(el, "itemprop") is not None:
                nodes.itemprops.append(el)
    return nodes


def _nodes(xpath: etree.XPath, el: Any) -> list[Any]:
    return cast(list[Any], xpath(el))


_CDATA_RE = re.compile(r"^\s*(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>\s*$|^\s*<!--|-->\s*$")
_TAG_RE = re.compile(r"<[^>]{0,200}>")


def clean_text(value: Any) -> str | None:
    """A metadata value as text: entities decoded (twice-escaped too), tags and whitespace collapsed;
    a list gives its first string; anything else (objects, numbers) gives ``None``."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str) and v.strip()), None)
    if not isinstance(value, str):
        return None
    if "&" in value:
        value = html.unescape(html.unescape(value))
    if "<" in value:
        value = _TAG_RE.sub(" ", value)
    value = " ".join(value.replace("\u00ad", "").replace("\u200b", "").split())  # (as `\s+` → " ", in C)
    return value or None


def _types(obj: dict[str, Any]) -> set[str]:
    t = obj.get("@type")
    if isinstance(t, str):
        return {t.rsplit("/", 1)[-1]}
    if isinstance(t, list):
        return {x.rsplit("/", 1)[-1] for x in t if isinstance(x, str)}
    return set()


def _load_json(text: str) -> Any:
    text = text.strip()
    if text.startswith(("<!", "//")) or text.endswith(("]]>", "-->")):  # else the pattern cannot match
        text = _CDATA_RE.sub("", text).strip()  # (and scanning 100 KB scripts for it costs)
    text = text.rstrip(";")
    if not text:
        return None
    try:
        return json.loads(text, strict=False)  # strict=False: raw newlines inside strings are common
    except (ValueError, RecursionError):
        pass
    try:  # several objects pasted into one script, or junk after the first
        return json.JSONDecoder(strict=False).raw_decode(text)[0]
    except (ValueError, RecursionError):
        return None


@dataclass(slots=True)
class Metadata:
    """The page's self-description; every field may be empty."""

    articles: list[dict[str, Any]] = field(default_factory=list)  # JSON-LD article objects, main first
    types: set[str] = field(default_factory=set)  # every JSON-LD @type on the page
    item_list: list[dict[str, str]] = field(default_factory=list)  # JSON-LD ItemList entries
    metas: dict[str, str] = field(default_factory=dict)
    microdata: dict[str, str] = field(default_factory=dict)  # itemprop values of an Article scope
    microdata_article: bool = False
    title: str | None = None  # <title>
    canonical: str | None = None
    lang: str | None = None
    lang_tag: str | None = None  # <html lang> as printed (`en-GB`)
    site_names: list[str] = field(default_factory=list)

    @property
    def main(self) -> dict[str, Any]:
        return self.articles[0] if self.articles else {}

    @property
    def og_type(self) -> str:
        return (self.metas.get("og:type") or "").lower()

    def site_name_like(self, text: str) -> bool:
        t = text.casefold()
        return any(t == s.casefold() for s in self.site_names)

    def headlines(self) -> list[tuple[str, str]]:
        """Headline candidates ``(text, source)``, strongest first; site names are not headlines."""
        out: list[tuple[str, str]] = []
        for obj in self.articles[:1]:
            for key in ("headline", "name", "alternativeHeadline"):
                text = clean_text(obj.get(key))
                if text:
                    out.append((text, "jsonld"))
                    break
        if self.microdata.get("headline"):
            out.append((self.microdata["headline"], "microdata"))
        for key in TITLE_METAS:
            text = clean_text(self.metas.get(key))
            if text:
                out.append((text, key))
        if self.title:
            out.append((self.title, "title"))
        return [(t, s) for t, s in out if not self.site_name_like(t)]

    def published(self) -> list[tuple[str, str]]:
        """Publish-time candidates ``(value, source)`` with source ``jsonld`` or ``meta``."""
        out: list[tuple[str, str]] = []
        for obj in self.articles[:1]:
            for key in ("datePublished", "dateCreated", "uploadDate"):
                text = clean_text(obj.get(key))
                if text:
                    out.append((text, "jsonld"))
                    break
        if self.microdata.get("datepublished"):
            out.append((self.microdata["datepublished"], "meta"))
        for key in PUBLISHED_METAS:
            text = clean_text(self.metas.get(key))
            if text:
                out.append((text, "meta"))
        return out

    def machine_times(self) -> list[str]:
        """Every machine-readable time the metadata holds (for the page's zone)."""
        out = [v for v, _ in self.published()]
        for obj in self.articles[:3]:
            out += [v for k in ("dateModified", "datePublished") if (v := clean_text(obj.get(k)))]
        out += [self.metas[k] for k in MODIFIED_METAS if self.metas.get(k)]
        return out

    def modified(self) -> str | None:
        text = clean_text(self.main.get("dateModified"))
        return text or next((self.metas[k] for k in MODIFIED_METAS if self.metas.get(k)), None)

    def description(self) -> str | None:
        return clean_text(self.main.get("description")) or clean_text(
            self.metas.get("og:description") or self.metas.get("description")
        )

    def section(self) -> str | None:
        return clean_text(self.main.get("articleSection")) or clean_text(self.metas.get("article:section"))

    def body(self) -> str | None:
        body = self.main.get("articleBody")
        return body.strip() if isinstance(body, str) and body.strip() else None


def _jsonld(nodes: Nodes, meta: Metadata, url: str) -> None:
    found: list[dict[str, Any]] = []
    for script in nodes.scripts:
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        data = _load_json(script.text or "")
        stack: list[Any] = [data]
        seen = 0
        while stack and seen < 2000:  # bounded: a page cannot make us walk forever
            obj = stack.pop()
            seen += 1
            if isinstance(obj, list):
                stack.extend(reversed(obj))
                continue
            if not isinstance(obj, dict):
                continue
            graph = obj.get("@graph")
            if isinstance(graph, (list, dict)):
                stack.append(graph)
            types = _types(obj)
            meta.types |= types
            if types & ARTICLE_TYPES:
                found.append(obj)
            elif isinstance(obj.get("mainEntity"), (dict, list)):
                stack.append(obj["mainEntity"])
            if "ItemList" in types and isinstance(obj.get("itemListElement"), list):
                for entry in obj["itemListElement"][:500]:
                    if not isinstance(entry, dict):
                        continue
                    inner = cast(
                        "dict[str, Any]", entry.get("item") if isinstance(entry.get("item"), dict) else entry
                    )
                    link = inner.get("url") or entry.get("url") or inner.get("@id")
                    meta.item_list.append(
                        {
                            "url": link if isinstance(link, str) else "",
                            "name": clean_text(inner.get("name") or inner.get("headline")) or "",
                        }
                    )
            publisher = obj.get("publisher")
            if isinstance(publisher, dict) and clean_text(publisher.get("name")):
                meta.site_names.append(clean_text(publisher.get("name")) or "")
            if types & {"WebSite", "Organization", "NewsMediaOrganization"} and clean_text(obj.get("name")):
                meta.site_names.append(clean_text(obj.get("name")) or "")
    meta.articles = _rank_articles(found, url, meta.canonical)


def _same_page(value: Any, urls: set[str]) -> bool:
    if isinstance(value, dict):
        value = value.get("@id") or value.get("url")
    if not isinstance(value, str) or not value:
        return False
    try:
        parts = urlsplit(value)
    except ValueError:  # a malformed URL names no page
        return False
    return (parts.netloc + parts.path).rstrip("/").lower() in urls


def _rank_articles(found: list[dict[str, Any]], url: str, canonical: str | None) -> list[dict[str, Any]]:
    """The page's own article first: the one naming this page, else one with a body, else the first
    with a headline (a teaser list's articles come after)."""
    urls = {(urlsplit(u).netloc + urlsplit(u).path).rstrip("/").lower() for u in (url, canonical or "") if u}

    def rank(obj: dict[str, Any]) -> tuple[int, int, int]:
        own = any(_same_page(obj.get(k), urls) for k in ("url", "@id", "mainEntityOfPage"))
        return (
            0 if own else 1,
            0 if isinstance(obj.get("articleBody"), str) else 1,
            0 if clean_text(obj.get("headline")) else 1,
        )

    return sorted(found, key=rank)


_MICRO_PROPS = ("headline", "datepublished", "datemodified", "articlebody", "name")


def _microdata(doc: Any, nodes: Nodes, meta: Metadata) -> None:
    scopes = [
        el
        for el in nodes.itemtypes
        if (el.get("itemtype") or "").rstrip("/").rsplit("/", 1)[-1] in ARTICLE_TYPES
    ]
    meta.microdata_article = bool(scopes)
    roots = scopes[:1] or [doc]
    for el in nodes.itemprops if roots[0] is doc else _nodes(_ITEMPROPS, roots[0]):
        prop = (el.get("itemprop") or "").strip().lower()
        if prop not in _MICRO_PROPS or prop in meta.microdata:
            continue
        value = el.get("content") or el.get("datetime")
        if value is None and prop in ("headline", "name") and roots[0] is not doc:
            value = " ".join("".join(el.itertext()).split())
        text = clean_text(value)
        if text and prop != "articlebody":
            meta.microdata[prop] = text


def read_metadata(doc: Any, url: str, nodes: Nodes | None = None) -> Metadata:
    """Read the metadata of a parsed (lxml) document served from ``url`` (``nodes``: its
    :func:`collect`, if the caller has it)."""
    meta = Metadata()
    nodes = nodes or collect(doc)
    head = doc.find("head")
    scope = doc if head is None or len(head) < 3 else head  # some pages put their metas in <body>
    for m in nodes.metas if scope is doc else head.iter("meta"):
        key = m.get("property") or m.get("name") or m.get("itemprop") or m.get("http-equiv")
        content = m.get("content")
        if key and content is not None:
            key = key.strip().lower()
            if key not in meta.metas and content.strip():
                meta.metas[key] = content.strip()
    if scope is not doc:  # a date meta in the body still counts
        for m in (m for body in doc.iterchildren("body") for m in body.iter("meta")):
            if m.get("itemprop") is None:
                continue
            key = (m.get("itemprop") or "").strip().lower()
            if key and key not in meta.metas and (m.get("content") or "").strip():
                meta.metas[key] = (m.get("content") or "").strip()
    for link in nodes.links:
        if (link.get("rel") or "").strip().lower() == "canonical" and link.get("href"):
            with contextlib.suppress(ValueError):  # a malformed URL (`https://www. [`): no canonical
                meta.canonical = urljoin(url, link.get("href").strip())
            break
    title = nodes.title
    if title is not None:
        meta.title = clean_text("".join(title.itertext()))
    meta.lang_tag = (doc.get("lang") or "").strip() or None
    lang = doc.get("lang") or meta.metas.get("og:locale") or meta.metas.get("content-language")
    if lang:
        code = lang.strip().split("-")[0].split("_")[0].lower()
        meta.lang = code if code.isalpha() and 2 <= len(code) <= 3 else None
    meta.site_names = [s for s in (clean_text(meta.metas.get(k)) for k in SITE_METAS) if s]
    _jsonld(nodes, meta, url)
    _microdata(doc, nodes, meta)
    meta.site_names = list(dict.fromkeys(s.lstrip("@") for s in meta.site_names if s))
    return meta
