"""A fetched page as a reader sees it: visible text lines plus the page's standard metadata.

HTML becomes lines the way a browser lays out blocks (block elements end a line; scripts, styles,
navigation, forms and footers are dropped). Each line remembers the link it belongs to, the
``<time datetime>`` it carries and whether it is a headline (a heading, or a link whose ``title``
repeats its strong text). Metadata comes from JSON-LD, OpenGraph, ``rel=canonical`` and
``<html lang>``. Text renderings (blocks separated by blank lines, like the seed page) become the
same lines, so one segmenter serves both. On article and live-blog pages the element holding the
page's own story (found by :mod:`wirefeed.mainstory`) is not turned into lines: only what surrounds it.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import urljoin

from lxml import etree

from wirefeed import budget
from wirefeed.mainstory import BLOCK_TAGS, MainStory, find_main_story
from wirefeed.metadata import Metadata, collect, read_metadata
from wirefeed.pagekind import classify
from wirefeed.teasers import may_hold_teasers

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
_BLOCK = BLOCK_TAGS
_HEADINGS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6"])
_HEADLINE_TAGS = frozenset(["strong", "b", "span", "h1", "h2", "h3", "h4", "h5", "h6"])
_LINK_HEADINGS = frozenset(["h1", "h2", "h3", "h4"])  # a link holding one of these is a headline
# Never visible text: removed before the article is looked for.
_NEVER_TEXT = ("script", "style", "noscript", "template", "svg", "iframe", "object", "embed", "canvas")
# Elements holding a media length or reading time (`<span class="length">5</span> min`): not stamps.
_LABEL_RE = re.compile(
    r"duration|length|runtime|read-?time|reading|lesezeit|lesedauer|leestijd|laufzeit", re.I
)
# What a wire teaser prints (a relative stamp, an agency dateline): without any of it around an
# article, the rest of the page is not segmented. Plain substring checks and literal-led patterns,
# because they scan the whole page.
_STAMP_WORDS = (
    "ago",
    "geleden",
    "il y a",
    "gestern",
    "yesterday",
    "gisteren",
    "zojuist",
    "just now",
    "hace ",
)
# `\b[Vv]or\s+(?:\d|…)` led by the literal `or` (the `\bv` checked behind it): a pattern led by `\b`
# or a letter class is tried at every position of the page's text, one led by a literal is not.
_STAMP_HINT_RE = re.compile(r"or(?<=(?<!\w)[Vv]or)\s+(?:\d|einer|einem|wenigen)")
_DATELINE_HINT_RE = re.compile(r"\([A-Za-z][A-Za-z/ .-]{1,30}\)\s*[-–—:]")
_STRING = etree.XPath("string(.)", smart_strings=False)  # an element's text, joined in C
# collect_ids=False: nothing looks elements up by id, and the id table costs parse and free time.
_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True, no_network=True, collect_ids=False)
_UTF8 = etree.HTMLParser(
    remove_comments=True, remove_pis=True, no_network=True, collect_ids=False, encoding="utf-8"
)
_UTF8_BOM = b"\xef\xbb\xbf"
# Leading comments are skipped atomically: a comment ends at its first `-->`, never later, so
# `<!---->` * 40 + `x` is one pass, not 2**40 ways of splitting it (tests/test_hostile_regex.py).
_FEED_RE = re.compile(
    r"^\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--(?>.*?-->)\s*+)*+<(?:rss|feed|rdf:RDF)\b", re.I | re.S
)
_HTML_SNIFF_RE = re.compile(
    rb"^\s*+(?:<!--(?>.*?-->)\s*+)*+<(?:!doctype\s+html|html|head|body|div|meta|p|article)\b",
    re.IGNORECASE | re.DOTALL,
)


# What starts a line, counted to cut a page before the parse (wirefeed/budget.py): a block tag with
# text right after it. Empty blocks (divsoup, 100k-deep nesting) are not lines and do not count.
_LINE_MARK_RE = re.compile(
    "<(?:" + "|".join(sorted(_BLOCK, key=len, reverse=True)) + r")(?=[\s/>])[^<>]*>\s*[^<\s]", re.I
)
_NEWLINE_RE = re.compile(r"\n")
_TAG_MARK_RE = re.compile("<")  # every `<` counts towards budget.MAX_TAGS, tag or not
# A run of tags (whitespace between them), possessive so it is read once: past the tag cap each run
# becomes a paragraph break. A heading that holds text stays: a page nested 100,000 deep keeps its headline.
_MAX_BREAKS_PAST_CAP = 1_000  # paragraph breaks past the tag cap for the rest to be read at all
_TAG_RUN_RE = re.compile(r"(?:<(?!h[1-6][^<>]*+>\s*+[^<\s])[^<>]*+>\s*+)++", re.I)

_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")  # UTF-16/32 byte-order marks
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
    label: bool = False  # a media length or reading time, not a stamp


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
    meta: Metadata = field(default_factory=Metadata)
    main: MainStory | None = None
    kind: str = "text"  # see wirefeed.pagekind.KINDS; without a profile's say
    charset_fallback: str | None = None  # why the bytes were not read in their declared charset, if so
    over_budget: list[str] = field(default_factory=list)  # what of wirefeed.budget this page ran over
    hrefs: list[str] = field(default_factory=list)  # every `<a href>` as printed (links to follow)

    @property
    def is_article(self) -> bool:
        return self.kind in ("article", "liveblog")


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
        self.in_label = False
        self.lines: list[Line] = []
        self.buf: list[tuple[str, str | None]] = []
        self.line_datetime: str | None = None
        self.line_headline = False
        self.line_level: int | None = None
        self.joined: dict[str, str | None] = {}

    def join(self, href: str) -> str | None:
        """The link's absolute URL; None for one no URL parser takes (``http://[x``): a link that cannot
        be followed, not a page that fails."""
        if href not in self.joined:
            try:
                self.joined[href] = urljoin(self.base, href.strip())
            except ValueError:
                self.joined[href] = None
        return self.joined[href]

    def flush(self) -> None:
        if not self.buf:
            self.line_datetime, self.line_headline, self.line_level, self.in_label = None, False, None, False
            return
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
                    href=self.join(href) if href else None,
                    datetime=self.line_datetime,
                    headline=self.line_headline,
                    heading_level=self.line_level,
                    label=self.in_label,
                )
            )
        self.in_label = False
        self.buf = []
        self.line_datetime = None
        self.line_headline = False
        self.line_level = None

    def walk(self, el: Any, href: str | None, headline_text: str | None) -> None:
        outer = href  # the tail of this element belongs to the parent's link, not this one's
        tag = el.tag if isinstance(el.tag, str) else ""
        if (
            not tag
            or tag in _DROP
            or (tag == "header" and el.getparent() is not None and el.getparent().tag == "body")
        ):
            self._tail(el, href)
            return
        attrs = el.get("class") or el.get("itemprop")
        # The label's line runs to the next block, so `<span class="length">5</span> min` stays one line.
        label = not self.in_label and bool(attrs) and _is_label(attrs or "")
        block = tag in _BLOCK
        if tag == "a" and el.get("href"):
            href = el.get("href")
            title = " ".join((el.get("title") or "").split())
            if title or (len(el) and _holds_heading(el)):
                block = True
                headline_text = title or None
        text_of_el = None
        if headline_text and tag in _HEADLINE_TAGS:
            text_of_el = " ".join("".join(el.itertext()).split())
            if text_of_el == headline_text:
                block = True
        if block or label:
            self.flush()
        if label:
            self.in_label = True
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


def _holds_heading(link: Any) -> bool:
    # A loop over the link's descendants: `link.iter(*tags)` builds a tag matcher on every call.
    return any(d.tag in _LINK_HEADINGS for d in link.iterdescendants())


@lru_cache(maxsize=8192)
def _is_label(attrs: str) -> bool:
    # Pages repeat the same few hundred class strings: each is matched once.
    return bool(_LABEL_RE.search(attrs))


def decode(content: bytes, content_type: str | None = None) -> str:
    """Bytes to text without mojibake: the declared charset (header, then ``<meta>``) if the bytes
    really are in it, else UTF-8 if they are valid UTF-8, else windows-1252 (what mislabelled Western
    European pages almost always are)."""
    return decode_noting(content, content_type)[0]


def decode_noting(content: bytes, content_type: str | None = None) -> tuple[str, str | None]:
    """:func:`decode`, and why the declared charset was not used: ``unknown-charset`` (no such codec,
    or one like ``undefined`` that decodes nothing), ``wrong-charset`` (the bytes are not in it, or a
    UTF-16/32 label on bytes without a BOM or NULs: ASCII-compatible markup cannot be UTF-16),
    ``undeclared`` (nothing declared, not UTF-8: read as windows-1252); ``None`` when it was used."""
    text, note, _ = _decode(content, content_type)
    return text, note


def _decode(content: bytes, content_type: str | None) -> tuple[str, str | None, str | None]:
    """:func:`decode_noting` and the codec the bytes were read in (``None``: with replacements)."""
    declared = []
    for source in (content_type or "", content[:2048].decode("ascii", "replace")):
        m = _CHARSET_RE.search(source)
        if m:
            declared.append(m.group(1).lower())
    note = None
    for charset in declared:
        wide = charset.replace("-", "").replace("_", "").startswith(("utf16", "utf32", "ucs2", "ucs4"))
        if wide and not (content.startswith(_WIDE_BOMS) or b"\0" in content[:64]):
            note = note or "wrong-charset"
            continue
        try:
            codecs.lookup(charset)  # empty bytes "decode" in any codec name, even one that does not exist
            return content.decode(charset), note, charset
        except LookupError:
            note = note or "unknown-charset"
        except UnicodeDecodeError:
            note = note or "wrong-charset"
        except UnicodeError:  # Python's `undefined` codec refuses every input
            note = note or "unknown-charset"
    try:
        return content.decode("utf-8"), note, "utf-8"
    except UnicodeDecodeError:
        return (
            content.decode("cp1252", "replace"),
            note or ("wrong-charset" if declared else "undeclared"),
            None,
        )


@lru_cache(maxsize=64)
def _is_utf8(charset: str) -> bool:
    return codecs.lookup(charset).name == "utf-8"


def _cut(el: Any) -> None:
    """Take ``el`` out of its tree, keeping the text that follows it."""
    parent = el.getparent() if el is not None else None
    if parent is None:
        return
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def _parse(text: str, raw: bytes | None = None) -> Any:
    """The tree of ``text``; from ``raw``, its UTF-8 bytes, when given (libxml2 reads UTF-8 bytes as
    they are, a Python string it converts first: 15 % of the parse on real pages)."""
    try:
        if raw and b"\0" not in raw and not _XML_DECL_RE.match(text):
            while raw.startswith(_UTF8_BOM):
                raw = raw[3:]
            doc, parser = etree.fromstring(raw or b"<html></html>", _UTF8), _UTF8
        else:
            parser = _PARSER
            doc = etree.fromstring(_XML_DECL_RE.sub("", text, count=1) or "<html></html>", _PARSER)
        if any(e.type_name == "ERR_RESOURCE_LIMIT" for e in parser.error_log):
            # libxml2 stops at 256 levels and drops the rest of the page: parse it again flattened
            doc = etree.fromstring(_flatten(_XML_DECL_RE.sub("", text, count=1)), _PARSER)
        return doc
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None


_TAG_TOKEN_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)[^<>]*>")
_VOID = frozenset(
    ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"]
)
_MAX_DEPTH = 200


def _flatten(text: str) -> str:
    """``text`` with every tag nested deeper than ``_MAX_DEPTH`` levels dropped (a paragraph break
    where a block that held text ended, so blocks stay apart), but for headings, one open at a time:
    the text and headline of a page nested 100,000 deep survive, its other deep markup does not."""
    out: list[str] = []
    depth, last, heading = 0, 0, 0
    for m in _TAG_TOKEN_RE.finditer(text):
        name = m.group(2).lower()
        if name in _VOID or m.group(0).endswith("/>"):
            continue
        closing = bool(m.group(1))
        deep = depth >= _MAX_DEPTH if not closing else depth > _MAX_DEPTH
        depth = max(0, depth - 1) if closing else depth + 1
        if deep and name in _HEADINGS and heading == (1 if closing else 0):
            heading += -1 if closing else 1  # one deep heading at a time stays: the headline survives
            continue
        if deep:
            between = text[last : m.start()]
            out.append(between)
            if name in _BLOCK and between.strip():
                out.append("<p>")  # the text so far was a block of its own
            last = m.end()
    out.append(text[last:])
    return "".join(out)


def _past_tag_cap(text: str, tags: int) -> tuple[str, bool]:
    """``text`` with the tags after its :data:`budget.MAX_TAGS`-th ``<`` turned into paragraph breaks
    (headings kept), and whether it had that many (``tags``: the ``<``s in ``text``). A flood of empty
    tags costs the parse and the walk per element, while its text, all that is read of it, stays; a rest
    holding more text than that (a listing of 20,000 teasers: tens of thousands of paragraphs,
    linkless) is cut off instead."""
    head, cut = budget.cut_lines(text, _TAG_MARK_RE, "<", budget.MAX_TAGS, count=tags)
    if not cut:
        return text, False
    rest = _TAG_RUN_RE.sub("<p>", text[len(head) :])
    return (head + rest if rest.count("<") <= _MAX_BREAKS_PAST_CAP else head), True


def load_page(
    content: str | bytes, *, url: str, content_type: str | None = None, profile_kind: str | None = None
) -> Page:
    """Read HTML or a text rendering into a :class:`Page`; ``profile_kind`` is what a portal profile
    says the URL is (``article``/``listing``), if anything."""
    over = []
    if len(content) > budget.MAX_BYTES:  # the rest is not read (counted by the caller)
        content, over = content[: budget.MAX_BYTES], ["bytes"]
    raw = None
    if isinstance(content, bytes):
        text, note, codec = _decode(content, content_type)
        raw = content if codec and _is_utf8(codec) else None
    else:
        text, note = content, None
    text = text.lstrip("\ufeff")
    html = looks_like_html(text, content_type)
    tags = None
    if html:  # first: the line marks' pattern costs more than a `<` per `<` it is tried at
        # The `<`s are counted once for both budgets, in the UTF-8 bytes where there are any (a `<` byte
        # is a `<` character there; bytes count faster): 0.3 ms of a 300 KB page each time.
        tags = raw.count(b"<") if raw is not None else text.count("<")
        text, flood = _past_tag_cap(text, tags)
        if flood:
            over.append("tags")
            raw = None
            tags = None  # the text changed
    text, cut = budget.cut_lines(text, *((_LINE_MARK_RE, "<") if html else (_NEWLINE_RE, "\n")), count=tags)
    if cut:  # the parse and the walk never see the rest (nor do the bytes, which hold it)
        over.append("lines")
        raw = None
    page = _load(text, url, content_type, profile_kind, raw)
    page.charset_fallback = note
    if len(page.lines) > budget.MAX_LINES:
        del page.lines[budget.MAX_LINES :]
        if not cut:
            over.append("lines")
    page.over_budget = over
    return page


def _load(
    text: str, url: str, content_type: str | None, profile_kind: str | None, raw: bytes | None = None
) -> Page:
    if not looks_like_html(text, content_type):
        return Page(url=url, lines=_text_lines(text), is_html=False)
    if _FEED_RE.match(text):
        return Page(url=url, lines=[], is_html=True, kind="feed")
    doc = _parse(text, raw)
    if doc is None or not isinstance(doc.tag, str):
        return Page(url=url, lines=_text_lines(text), is_html=False)
    nodes = collect(doc)
    meta = read_metadata(doc, url, nodes)
    etree.strip_elements(doc, *_NEVER_TEXT, with_tail=False)
    main = find_main_story(doc, meta)
    kind = classify(meta, main, url, profile_kind)
    body = doc.find("body")
    body = body if body is not None else doc
    walker = _Walker(url)
    if main is not None and kind in ("article", "liveblog"):
        # The article is read by wirefeed.mainstory; around it teasers are looked for only where the
        # rest of the page prints something like a stamp, a dateline or a teaser card (wirefeed.teasers).
        whole = main.root is None or main.root is body or main.root.tag in ("body", "html")
        _cut(None if whole else main.root)
        rest = "" if whole else str(_STRING(body))
        low = rest.lower()
        if (
            any(w in low for w in _STAMP_WORDS)
            or ("vor" in low and _STAMP_HINT_RE.search(rest))
            or _DATELINE_HINT_RE.search(rest)
            or (not whole and may_hold_teasers(body, url, meta.canonical))
        ):
            walker.walk(body, None, None)
    else:
        walker.walk(body, None, None)
    walker.flush()
    metas = meta.metas
    return Page(
        url=url,
        lines=walker.lines,
        is_html=True,
        canonical=meta.canonical,
        lang=meta.lang,
        og=metas,
        articles=meta.articles,
        item_list=meta.item_list,
        title=meta.title,
        served_at=metas.get("wirefeed:served-at") or metas.get("date"),
        meta=meta,
        main=main,
        kind=kind,
        hrefs=nodes.hrefs,
    )
