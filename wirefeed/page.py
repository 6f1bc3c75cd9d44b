"""A fetched page as a reader sees it: visible text lines plus the page's standard metadata.

HTML becomes lines the way a browser lays out blocks (block elements end a line; scripts, styles,
navigation, forms and footers are dropped). Each line remembers the link it belongs to, the
``<time datetime>`` it carries and whether it is a headline (a heading, or a link whose ``title``
repeats its strong text). Metadata comes from JSON-LD, OpenGraph, ``rel=canonical`` and
``<html lang>``. Text renderings (blocks separated by blank lines, like the seed page) become the
same lines, so one segmenter serves both.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import lxml.html
from lxml import etree

__all__ = ["Line", "Page", "decode", "load_page", "looks_like_html"]

_DROP = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "nav",
        "footer",
        "form",
        "button",
        "select",
        "input",
        "label",
        "iframe",
        "head",
        "object",
        "embed",
        "canvas",
        "dialog",
        "menu",
    ]
)
_BLOCK = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
        "br",
    ]
)
_HEADINGS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6"])
_ARTICLE_TYPES = frozenset(
    {
        "NewsArticle",
        "Article",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "BlogPosting",
        "LiveBlogPosting",
        "OpinionNewsArticle",
        "BackgroundNewsArticle",
    }
)
_HTML_SNIFF_RE = re.compile(
    rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|div|meta|p|article)\b",
    re.IGNORECASE | re.DOTALL,
)


_CHARSET_RE = re.compile(r"charset=[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)
# lxml refuses str input that declares its own encoding
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>")


@dataclass(slots=True)
class Line:
    """One visible line of a page."""

    text: str
    href: str | None = None
    datetime: str | None = None
    headline: bool = False
    heading_level: int | None = None


@dataclass(slots=True)
class Page:
    """A page's lines and metadata."""

    url: str
    lines: list[Line]
    is_html: bool
    canonical: str | None = None
    lang: str | None = None
    og: dict[str, str] = field(default_factory=dict)
    articles: list[dict[str, Any]] = field(default_factory=list)  # JSON-LD article objects
    item_list: list[dict[str, str]] = field(default_factory=list)  # JSON-LD ItemList entries
    title: str | None = None
    served_at: str | None = None  # a `date`/`last-modified` meta saved with the page, if any

    @property
    def is_article(self) -> bool:
        return bool(self.articles) or self.og.get("og:type", "").lower() == "article"


def looks_like_html(content: bytes | str, content_type: str | None = None) -> bool:
    if content_type:
        ct = content_type.lower()
        if "html" in ct or "xml" in ct:
            return True
        if ct.startswith("text/plain"):
            return False
    head = content[:2048].encode("utf-8", "replace") if isinstance(content, str) else content[:2048]
    return bool(_HTML_SNIFF_RE.match(head)) or b"</div>" in head.lower() or b"<a href" in head.lower()


def _text_lines(text: str) -> list[Line]:
    return [Line(text=" ".join(raw.split())) for raw in text.splitlines() if raw.strip()]


class _Walker:
    """Turns an element tree into lines; one instance per page."""

    def __init__(self, base_url: str) -> None:
        self.base = base_url
        self.lines: list[Line] = []
        self.buf: list[tuple[str, str | None]] = []
        self.line_datetime: str | None = None
        self.line_headline = False
        self.line_level: int | None = None

    def flush(self) -> None:
        text = " ".join("".join(t for t, _ in self.buf).split())
        if text:
            linked: dict[str, int] = {}
            for t, href in self.buf:
                if href:
                    linked[href] = linked.get(href, 0) + len(t.strip())
            href = max(linked, key=linked.__getitem__) if linked else None
            if href and linked[href] < 0.6 * len(text):
                href = None
            self.lines.append(
                Line(
                    text=text,
                    href=href,
                    datetime=self.line_datetime,
                    headline=self.line_headline,
                    heading_level=self.line_level,
                )
            )
        self.buf = []
        self.line_datetime = None
        self.line_headline = False
        self.line_level = None

    def walk(self, el: Any, href: str | None, headline_text: str | None) -> None:
        outer = href  # the tail of this element belongs to the parent's link, not this one's
        tag = el.tag if isinstance(el.tag, str) else ""
        tag = tag.lower()
        if tag in _DROP or (tag == "header" and el.getparent() is not None and el.getparent().tag == "body"):
            self._tail(el, href)
            return
        if not tag:  # comments, processing instructions
            self._tail(el, href)
            return
        block = tag in _BLOCK
        if tag == "a" and el.get("href"):
            href = urljoin(self.base, el.get("href").strip())
            title = " ".join((el.get("title") or "").split())
            if (
                title
                or el.find(".//h1") is not None
                or el.find(".//h2") is not None
                or el.find(".//h3") is not None
                or el.find(".//h4") is not None
            ):
                block = True
                headline_text = title or None
        text_of_el = None
        if headline_text and tag in ("strong", "b", "span", "h1", "h2", "h3", "h4", "h5", "h6"):
            text_of_el = " ".join(el.text_content().split())
            if text_of_el == headline_text:
                block = True
        if block:
            self.flush()
        if tag in _HEADINGS:
            self.line_level = int(tag[1])
            self.line_headline = href is not None or self.line_headline
        if text_of_el and text_of_el == headline_text:
            self.line_headline = True
        if tag == "time" and el.get("datetime"):
            self.line_datetime = el.get("datetime").strip()
        if el.text:
            self.buf.append((el.text, href))
        for child in el:
            self.walk(child, href, headline_text)
        if block:
            if tag in _HEADINGS and href:
                self.line_headline = True
            self.flush()
        self._tail(el, outer)

    def _tail(self, el: Any, href: str | None) -> None:
        if el.tail:
            self.buf.append((el.tail, href))


def _jsonld(doc: Any) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    articles: list[dict[str, Any]] = []
    items: list[dict[str, str]] = []
    for script in doc.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        stack = data if isinstance(data, list) else [data]
        while stack:
            obj = stack.pop(0)
            if not isinstance(obj, dict):
                continue
            if isinstance(obj.get("@graph"), list):
                stack.extend(obj["@graph"])
            types = obj.get("@type")
            types = set(types) if isinstance(types, list) else {types}
            if types & _ARTICLE_TYPES:
                articles.append(obj)
            if "ItemList" in types:
                for entry in obj.get("itemListElement") or []:
                    if isinstance(entry, dict):
                        inner = entry.get("item") if isinstance(entry.get("item"), dict) else entry
                        items.append(
                            {
                                "url": str(inner.get("url") or entry.get("url") or ""),
                                "name": str(inner.get("name") or inner.get("headline") or ""),
                            }
                        )
    return articles, items


def decode(content: bytes, content_type: str | None = None) -> str:
    """Bytes to text without mojibake: the declared charset (header, then ``<meta>``) if the bytes
    really are in it, else UTF-8 if they are valid UTF-8, else windows-1252 (what mislabelled Western
    European pages almost always are)."""
    declared = []
    for source in (content_type or "", content[:2048].decode("ascii", "replace")):
        m = _CHARSET_RE.search(source)
        if m:
            declared.append(m.group(1).lower())
    for charset in [*declared, "utf-8"]:
        try:
            return content.decode(charset)
        except (UnicodeDecodeError, LookupError):
            continue
    return content.decode("cp1252", "replace")


def load_page(content: str | bytes, *, url: str, content_type: str | None = None) -> Page:
    """Read HTML or a text rendering into a :class:`Page`."""
    text = decode(content, content_type) if isinstance(content, bytes) else content
    text = text.lstrip("\ufeff")
    if not looks_like_html(text, content_type):
        return Page(url=url, lines=_text_lines(text), is_html=False)
    try:
        doc = lxml.html.document_fromstring(_XML_DECL_RE.sub("", text, count=1) or "<html></html>")
    except (etree.ParserError, ValueError):
        return Page(url=url, lines=_text_lines(text), is_html=False)
    articles, items = _jsonld(doc)
    og = {
        m.get("property") or m.get("name"): m.get("content", "")
        for m in doc.xpath("//meta[@property or @name]")
        if m.get("content") is not None
    }
    canonical = next(iter(doc.xpath('//link[@rel="canonical"]/@href')), None)
    lang = doc.get("lang") or og.get("og:locale") or None
    title = next(iter(doc.xpath("//title/text()")), None)
    walker = _Walker(url)
    body = doc.find("body")
    walker.walk(body if body is not None else doc, None, None)
    walker.flush()
    return Page(
        url=url,
        lines=walker.lines,
        is_html=True,
        canonical=urljoin(url, canonical) if canonical else None,
        lang=lang.split("-")[0].split("_")[0].lower() if lang else None,
        og=og,
        articles=articles,
        item_list=items,
        title=" ".join(title.split()) if title else None,
        served_at=og.get("date") or og.get("wirefeed:served-at"),
    )
