"""The article a page is about, found in its markup: visible headline, text block, lead and time.

:func:`find_main_story` looks at a parsed document (scripts and styles already removed) the way a
reader does: the article's text is the block of paragraphs with the most prose and the fewest links
(paragraph scores go to their parent and, halved, to the grandparent; containers named like
comments, share bars, newsletters or teaser rails count against); its headline is the ``<h1>`` that
belongs with that block; its lead may sit above the block (a standfirst), and a dateline printed in
its own element before the lead is joined to it. Widgets, bylines, timestamp lines and captions are
never a headline or a paragraph. Rules are data (patterns and tag sets) at the top of the module.

:func:`reconcile_title` chooses between the metadata headlines and the visible one.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, cast

from lxml import etree

from wirefeed.dateline import parse_dateline
from wirefeed.metadata import Metadata, clean_text

__all__ = [
    "BLOCK_TAGS",
    "MainStory",
    "find_main_story",
    "is_junk_paragraph",
    "is_junk_title",
    "reconcile_title",
]

# Containers whose class/id says they are not the article's text; matched on whole words of the
# attribute (camelCase split), so `commentary` is not `comment` and `adresse` is not `ad`.
_BAD_CONTAINER_RE = re.compile(
    r"(?<![a-z])(?:comments?|kommentare?|footer|sidebar|teasers?|related|recommend\w*|promo\w*|newsletter|"
    r"share|sharing|shariff|social|cookies?|consent|banner|ads?|advert\w*|anzeigen?|sponsor\w*|nav|navbar|"
    r"navigation|menu|breadcrumbs?|outbrain|taboola|widgets?|popup|modal|subscribe|subscription|signup|"
    r"login|byline|author-bio|caption|credits?|more-stories|most-read|popular|trending|rail|ticker|"
    r"newsticker|tags|tag-list|toolbar|overlay|skip-link|read-more|also-read|recirculation|"
    r"infobox|gallery|carousel|slideshow|slider|lightbox|modal)(?![a-z])"
)
_CAMEL_RE = re.compile(r"([a-z])([A-Z])")
_GOOD_CONTAINER_RE = re.compile(
    r"article-?body|articlebody|story-?body|entry-?content|post-?content|article-?content|"
    r"article-?text|story-?text|text-?body|body-?text|rich-?text|article__body|article__content|"
    r"content-?body|main-?text|prose",
    re.IGNORECASE,
)
_LEAD_CLASS_RE = re.compile(
    r"lead|intro|standfirst|summary|abstract|\bdek\b|subline|sub-?title|subheadline|description|"
    r"excerpt|teaser-?text|article-?teaser",
    re.IGNORECASE,
)
# Never part of the article's text, whatever their class says.
_SKIP_TAGS = frozenset(["aside", "nav", "footer", "figure", "figcaption", "form", "button", "menu", "dialog"])
# Titles that are interface text, not headlines (share bars, newsletter boxes, section labels).
_WIDGET_TITLE_RE = re.compile(
    r"^(?:facebook|twitter|x|e-?mail|mail|print|drucken|share|teilen|partager|delen|whatsapp|linkedin|"
    r"telegram|reddit|pinterest|copy link|link kopieren|kopieren|connect|follow us|folgen|live|abo|plus|"
    r"premium|anzeige|advertisement|werbung|menu|menü|search|suche|login|anmelden|newsletter|"
    r"join our newsletter|sign up|subscribe|abonnieren|jetzt abonnieren|cookies?|cookie settings|"
    r"datenschutz|privacy|home|startseite|news|nachrichten|nieuws|actualités|top stories|"
    r"(?:the )?latest|breaking(?: news)?|video|videos|audio|podcast|fotos?|photos?|bilder|galerie|"
    r"gallery|comments?|kommentare|related|mehr zum thema|more|mehr|meer|lees ook|read more)\W*$",
    re.IGNORECASE,
)
_BYLINE_RE = re.compile(
    r"^(?:[Bb]y|BY|[Vv]on|VON|[Dd]oor|DOOR|[Pp]ar|PAR|[Pp]or|[Ff]rom|[Tt]ext:|[Aa]utor(?:in)?:?|[Aa]uthor:?|"
    r"[Rr]edaktion:?|[Rr]eporting by)\s+[A-ZÀ-ÞŁŚŻ]"
)
_DATE_LINE_RE = re.compile(
    r"^(?:(?:updated|published|aktualisiert|veröffentlicht|stand|gepubliceerd|bijgewerkt|publié|mis à jour|"
    r"posted|erstellt|zuletzt aktualisiert)\b.{0,60}|.{0,30}\b(?:19|20)\d\d\b.{0,30}\d{1,2}[:.]\d\d.{0,20})$",
    re.IGNORECASE,
)
_JUNK_PARAGRAPH_RE = re.compile(
    r"^(?:foto|photo|bild|image|picture|quelle|source|credit|copyright|©|\(c\)|grafik|video|audio|"
    r"lesen sie (?:auch|mehr)|lees ook|read (?:more|also)|see also|siehe auch|mehr zum thema|"
    r"zum thema|à lire aussi|lire aussi|weiterlesen|anzeige|advertisement|werbung|"
    r"(?:jetzt )?(?:abonnieren|subscribe|sign up|anmelden)|this article|dieser artikel|"
    r"teilen|share)\b",
    re.IGNORECASE,
)
# Block elements, one table for the page's lines (wirefeed.page: each ends a line of text) and the
# article search, where a `<div>` holding one of the first group is a wrapper, not a paragraph.
_BLOCK_CHILDREN = frozenset(
    [
        "p",
        "div",
        "ul",
        "ol",
        "table",
        "section",
        "article",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "figure",
    ]
)
BLOCK_TAGS = _BLOCK_CHILDREN | frozenset(
    "address aside blockquote body dd details dl dt fieldset figcaption hr li main pre summary tbody td tfoot "
    "th thead tr br".split()
)
_PRINTED_DATE_RE = re.compile(
    r"(?<!\d)(\d{1,2})\.\s?(\d{1,2})\.\s?((?:19|20)?\d{2})(?!\d)(?:\D{0,12}?(\d{1,2})[:.](\d{2})(?!\d))?"
)
_MIN_PARAGRAPH = 25  # characters: shorter blocks carry no score (labels, buttons)
_MAX_TITLE = 300


@dataclass(slots=True)
class MainStory:
    """The article as printed: visible headline, paragraphs (lead first), machine time if any."""

    headline: str | None
    headline_parts: list[str] = field(default_factory=list)  # kicker and title spans of the <h1>
    paragraphs: list[str] = field(default_factory=list)
    root: Any = None  # the element holding headline and text: not walked for teasers
    datetime: str | None = None  # a <time datetime> printed with the article
    printed_date: str | None = None  # a date line printed with it (`25.04.2024 14:07`)
    text_chars: int = 0
    link_density: float = 0.0
    linked_headings: int = 0  # headings with links inside the text block: a teaser list's mark


_MEMO = threading.local()  # per find_main_story call: element → its text (the tree is not changed)
_NORMALIZED = etree.XPath("normalize-space(.)", smart_strings=False)
_LINK_TEXT = etree.XPath(".//a//text()", smart_strings=False)
_TEXT_LENGTH = etree.XPath("string-length(normalize-space(.))")


def _raw_text(el: Any) -> str:
    """The element's text, whitespace collapsed (in C: this runs for every block of a page)."""
    text = str(_NORMALIZED(el))
    return " ".join(text.split()) if "\u00a0" in text else text


def _text(el: Any) -> str:
    memo: dict[Any, str] | None = getattr(_MEMO, "texts", None)
    if memo is None:
        return _raw_text(el)
    text = memo.get(el)
    if text is None:
        text = memo[el] = _raw_text(el)
    return text


def _attrs(el: Any) -> str:
    return (el.get("class") or "") + " " + (el.get("id") or "")


class _Judge:
    """Whether an element lies inside a container that is not the article's text; cached per element.

    Walking up from the element: a skipped tag (aside, nav, figure …) or a container named like a
    widget excludes it; a container named like an article body ends the walk (layout wrappers above
    it, such as a ``sidebar-grid``, do not matter)."""

    def __init__(self) -> None:
        self.verdict: dict[Any, bool] = {}

    def excluded(self, el: Any, stop: Any = None) -> bool:
        path = []
        cur = el  # the block's own class counts too (`<div class="embed-caption">`)
        result = False
        verdict = self.verdict
        while cur is not None and cur is not stop:
            known = verdict.get(cur)
            if known is not None:
                result = known
                break
            path.append(cur)
            tag = cur.tag
            if not isinstance(tag, str):
                tag = ""
            elif tag in _SKIP_TAGS:
                result = True
                break
            attrs = _attrs(cur)
            if attrs.strip() and tag not in ("body", "html"):
                kind = _container_kind(attrs)
                if kind == "good":
                    break
                if kind == "bad" or (
                    (cur.get("role") or "") in ("navigation", "complementary", "contentinfo", "banner")
                ):
                    result = True
                    break
            cur = cur.getparent()
        if stop is None:  # a walk cut short at `stop` says nothing about what lies above it
            for p in path:
                self.verdict[p] = result
        return result


@lru_cache(maxsize=8192)
def _container_kind(attrs: str) -> str | None:
    """``good`` for a class/id naming an article body, ``bad`` for one naming a widget (pages repeat
    the same few hundred class strings, so each is judged once)."""
    if _GOOD_CONTAINER_RE.search(attrs):
        return "good"
    if _BAD_CONTAINER_RE.search(_CAMEL_RE.sub(r"\1-\2", attrs).lower()):
        return "bad"
    return None


@lru_cache(maxsize=8192)
def _lead_class(attrs: str) -> bool:
    """A class/id naming a standfirst (judged once per class string, like :func:`_container_kind`)."""
    return _LEAD_CLASS_RE.search(attrs) is not None


def _link_chars(el: Any) -> int:
    memo: dict[Any, int] | None = getattr(_MEMO, "links", None)
    if memo is None:
        return _raw_link_chars(el)
    n = memo.get(el)
    if n is None:
        n = memo[el] = _raw_link_chars(el)
    return n


def _raw_link_chars(el: Any) -> int:
    return sum(len(t.strip()) for t in cast(list[str], _LINK_TEXT(el)))


def is_junk_title(text: str | None, meta: Metadata | None = None) -> bool:
    """True for text that is never a headline: widget labels, bylines, timestamp lines, site names."""
    if not text:
        return True
    t = text.strip()
    if len(t) < 4 or len(t) > _MAX_TITLE or _WIDGET_TITLE_RE.match(t) or is_byline(t):
        return True
    if _DATE_LINE_RE.match(t) and sum(c.isdigit() for c in t) >= 4:
        return True
    return meta is not None and meta.site_name_like(t)


def is_junk_paragraph(text: str) -> bool:
    """True for a credit, "read more" or subscribe line: never a story's text."""
    return bool(_JUNK_PARAGRAPH_RE.match(text))


def is_byline(text: str) -> bool:
    """``By Tom Davies - Associated Press - Friday, …``, ``Von Eva Muster``; not ``Von München bis
    Aachen: Im Netz …`` (a headline that starts with the same word)."""
    if not _BYLINE_RE.match(text) or (":" in text.split(None, 1)[-1][:60] and "By" not in text[:3]):
        return False
    if parse_dateline(text) is not None:
        return False  # `DOOR (ANP) - …` is a dateline
    return len(text.split()) <= 6 or any(c.isdigit() for c in text) or " - " in text or " | " in text


@lru_cache(maxsize=512)
def _words(text: str) -> frozenset[str]:
    # The same headlines are compared with every <h1> candidate: each is split once.
    return frozenset(w for w in re.findall(r"\w+", text.casefold()) if len(w) > 2)


def _similar(a: str, b: str) -> float:
    wa, wb = _words(a), _words(b)
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / min(len(wa), len(wb))


# Headline candidates by tag, with what each costs against an <h1>: an <h2> printed just above the
# text block is the visible headline where the page's <h1> is an SEO copy in a breadcrumb or menu.
_HEADLINE_COST = {"h1": 0.0, "h2": 1.5}
_MAX_H2_BEFORE = 3  # <h2>s looked at above the text block, nearest first


class _Headlines:
    """The page's ``<h1>``s and metadata headlines, and what each candidate scores without regard to the
    text block: asked for twice per page (before the text block is chosen and after), computed once."""

    def __init__(self, doc: Any, meta: Metadata, judge: _Judge) -> None:
        self.h1s = list(enumerate(doc.iter("h1")))
        self.meta, self.judge = meta, judge
        self.titles = [t for t, _ in meta.headlines()]
        self.known: dict[tuple[int, Any], tuple[float, float | None, list[Any]] | None] = {}

    def base(self, rank: int, h: Any) -> tuple[float, float | None, list[Any]] | None:
        """``None`` for a junk title, else the score before the text block's term, the metadata
        similarity term (``None`` without metadata headlines) and the candidate's ancestors."""
        key = (rank, h)
        if key in self.known:
            return self.known[key]
        text = _text(h)
        found: tuple[float, float | None, list[Any]] | None = None
        if not is_junk_title(text, self.meta):
            score = -0.1 * rank - _HEADLINE_COST.get(h.tag, 3.0)
            ancestors = list(h.iterancestors())
            if any(a.tag == "a" for a in ancestors) or self.judge.excluded(h):
                score -= 3
            if any(a.tag in ("article", "main") for a in ancestors):
                score += 1
            similar = 2 * max(_similar(text, m) for m in self.titles) if self.titles else None
            found = (score, similar, ancestors)
        self.known[key] = found
        return found


def _pick_h1(heads: _Headlines, body_el: Any, texts: set[Any] | None = None) -> Any:
    best, best_score = None, -99.0
    candidates = heads.h1s
    if body_el is not None:
        candidates = candidates + list(enumerate(_headings_before(body_el, texts or set())))
    for rank, h in candidates:
        known = heads.base(rank, h)
        if known is None:
            continue
        score, similar, ancestors = known
        if body_el is not None:
            shared = _shared(body_el, set(ancestors))
            if shared is not None and shared.tag not in ("body", "html"):
                score += 2
        if similar is not None:
            score += similar
        if score > best_score:
            best, best_score = h, score
    return best


def _headings_before(body_el: Any, texts: set[Any]) -> list[Any]:
    """The ``<h2>``s printed above the article's text, nearest first: inside the text block before its
    first paragraph (``texts``), then in its preceding siblings and theirs, three levels up."""
    inside: list[Any] = []
    for el in body_el.iter():
        if el in texts:
            break
        if el.tag == "h2":
            inside.append(el)
    out = inside[::-1][:_MAX_H2_BEFORE]
    el = body_el
    for _ in range(4):
        if len(out) >= _MAX_H2_BEFORE:
            break
        for sib in el.itersiblings(preceding=True):
            if not isinstance(sib.tag, str):
                continue
            out += reversed([sib] if sib.tag == "h2" else list(sib.iter("h2")))
            if len(out) >= _MAX_H2_BEFORE:
                break
        el = el.getparent()
        if el is None or el.tag in ("body", "html"):
            break
    return out[:_MAX_H2_BEFORE]


def _near(el: Any, h1_ancestors: set[Any]) -> bool:
    """``el`` shares a close container with the headline (within three levels above ``el``)."""
    if not h1_ancestors:
        return False
    cur = el
    for _ in range(4):
        if cur is None or cur.tag in ("body", "html"):
            return False
        if cur in h1_ancestors:
            return True
        cur = cur.getparent()
    return False


def _shared(el: Any, ancestors: set[Any]) -> Any:
    """The nearest of ``el`` and its ancestors that is in ``ancestors``."""
    if el in ancestors:
        return el
    return next((a for a in el.iterancestors() if a in ancestors), None)


def _headline_parts(h: Any) -> list[str]:
    """The spans an ``<h1>`` is made of (kicker, title), when it has several."""
    parts = []
    if h.text and h.text.strip():
        parts.append(" ".join(h.text.split()))
    for child in h:
        t = _text(child)
        if t:
            parts.append(t)
        if child.tail and child.tail.strip():
            parts.append(" ".join(child.tail.split()))
    return parts if len(parts) > 1 else []


def _text_blocks(doc: Any) -> Any:
    """Paragraphs, and ``<div>``s used as paragraphs (text and no block children)."""
    for el in doc.iter("p", "div"):
        if el.tag == "p":
            yield el
            continue
        text = el.text
        if ((text and not text.isspace()) or not len(el)) and not _has_block_child(el):
            yield el  # a <div> holding its own text, not only wrappers


def _has_block_child(el: Any) -> bool:
    # A loop over the children: `el.iterchildren(*tags)` builds a tag matcher on every call (~6 µs).
    return any(c.tag in _BLOCK_CHILDREN for c in el)


def _score_paragraphs(doc: Any, judge: _Judge) -> tuple[dict[Any, float], list[tuple[Any, str]]]:
    scores: dict[Any, float] = {}
    paragraphs: list[tuple[Any, str]] = []
    for p in _text_blocks(doc):
        text = _text(p)
        if len(text) < _MIN_PARAGRAPH:
            # A dateline printed in its own element (`PORTSMOUTH (Reuters) -`) is kept, unscored.
            if text and text[-1:] in "-–—:" and parse_dateline(text + " X") and not judge.excluded(p):
                paragraphs.append((p, text))
            continue
        if judge.excluded(p):
            continue
        links = _link_chars(p)
        if links > 0.5 * len(text):
            continue
        paragraphs.append((p, text))
        score = 1 + text.count(",") + min(len(text) / 100, 3)
        parent = p.getparent()
        if parent is None:
            continue
        scores[parent] = scores.get(parent, 0.0) + score
        grand = parent.getparent()
        if grand is not None:
            scores[grand] = scores.get(grand, 0.0) + score / 2
    return scores, paragraphs


def _heading_before(body_el: Any, meta: Metadata) -> Any:
    """Without an ``<h1>``: the short title-like block printed just above the text block."""
    el = body_el
    for _ in range(3):
        for sib in el.itersiblings(preceding=True):
            if not isinstance(sib.tag, str) or sib.tag in _SKIP_TAGS:
                continue
            text = _text(sib)
            if not text or _BAD_CONTAINER_RE.search(_CAMEL_RE.sub(r"\1-\2", _attrs(sib)).lower()):
                continue  # a share bar or widget between headline and text
            if _link_chars(sib) > 0.5 * len(text):
                continue
            if 15 <= len(text) <= 200 and not text.endswith(".") and not is_junk_title(text, meta):
                return sib
            return None
        el = el.getparent()
        if el is None or el.tag in ("body", "html"):
            return None
    return None


def _container_weight(el: Any) -> float:
    attrs = _attrs(el)
    weight = 1.0
    if _container_kind(attrs) == "good" or (el.get("itemprop") or "").lower() == "articlebody":
        weight *= 1.5
    if el.tag in ("article", "main"):
        weight *= 1.2
    return weight


def _like_blocks(body_el: Any, scores: dict[Any, float]) -> list[Any]:
    """Text blocks cut apart by ads or images: scored containers with the body's tag and class under
    the same parent section."""
    cls = (body_el.get("class") or "").split()[:1]
    parent = body_el.getparent()
    if not cls or parent is None:
        return []
    scope = parent.getparent() if parent.getparent() is not None else parent
    return [
        el
        for el in scores
        if el is not body_el
        and el.tag == body_el.tag
        and (el.get("class") or "").split()[:1] == cls
        and _is_ancestor(scope, el)
        and not _is_ancestor(body_el, el)
        and not _is_ancestor(el, body_el)
    ]


def _is_ancestor(a: Any, el: Any) -> bool:
    return any(x is a for x in el.iterancestors())


def _lead_blocks(root: Any, body_el: Any, h1: Any, judge: _Judge) -> list[str]:
    """Standfirst paragraphs printed between the headline and the text block."""
    out: list[str] = []
    started = h1 is None
    for el in root.iter():
        if el is body_el:
            break
        if el is h1:
            started = True
            continue
        if not started or not isinstance(el.tag, str):
            continue  # (body_el's own blocks come after it: the walk has stopped before them)
        leaf = el.tag == "div" and not any(isinstance(c.tag, str) and c.tag in _BLOCK_CHILDREN for c in el)
        if (
            el.tag == "p"
            or leaf
            or (
                el.tag in ("div", "span", "h2", "strong")
                and _lead_class(_attrs(el))
                and el.find(".//p") is None
            )
        ):
            if judge.excluded(el, root) or (h1 is not None and _is_ancestor(h1, el)):
                continue
            text = _text(el)
            if (
                len(text) >= (60 if leaf else 40)
                and not _JUNK_PARAGRAPH_RE.match(text)
                and text not in out
                and _link_chars(el) < 0.3 * len(text)
            ):
                out.append(text)
    return out


def printed_date(text: str) -> str | None:
    """``Do 25.04.24 | 14:07 Uhr`` → ``25.04.2024 14:07``: a date line as :func:`resolve_time` reads it."""
    m = _PRINTED_DATE_RE.search(text)
    if m is None:
        return None
    d, mo, y, h, mi = m.groups()
    year = int(y) + (2000 if len(y) == 2 else 0)
    if not (1 <= int(mo) <= 12 and 1 <= int(d) <= 31 and 1990 <= year <= 2100):
        return None
    return f"{int(d):02d}.{int(mo):02d}.{year}" + (
        f" {int(h):02d}:{mi}" if h is not None and int(h) < 24 else ""
    )


def _clean_paragraphs(texts: list[str], found: list[str]) -> list[str]:
    """Drop bylines, timestamp lines, credits and duplicates; a printed date line goes to ``found``."""
    out: list[str] = []
    for t in texts:
        if len(t) < 120 and printed_date(t) and len(_words(_PRINTED_DATE_RE.sub("", t))) <= 8:
            found.append(printed_date(t) or "")
            continue
        if len(t) < 200 and (_JUNK_PARAGRAPH_RE.match(t) or is_byline(t) or _DATE_LINE_RE.match(t)):
            continue
        if out and t == out[-1]:
            continue
        out.append(t)
    return out


def _join_dateline(paragraphs: list[str]) -> list[str]:
    """A dateline printed in its own element before the lead (``KATHMANDU, April 25 (Reuters) -``)
    belongs to the lead."""
    if len(paragraphs) >= 2 and len(paragraphs[0]) <= 80:
        joined = paragraphs[0] + " " + paragraphs[1]
        dl = parse_dateline(joined)
        if dl is not None and len(dl.text.strip()) >= len(paragraphs[0]) - 1:
            return [joined, *paragraphs[2:]]
    return paragraphs


def _short_date(scope: Any, judge: _Judge) -> str | None:
    """A date printed on its own in a short element of the article (``<span>06.01.2026</span>``)."""
    for el in scope.iter("span", "time", "div", "li", "p", "small"):
        text = (el.text or "").strip() or (el.tail or "").strip()
        if not text and not len(el):  # nothing printed in or after it (a flood of empty tags costs no XPath)
            continue
        if el.tag == "li" or not text:
            text = _text(el)
        if 6 <= len(text) <= 60 and any(c.isdigit() for c in text):
            found = printed_date(text)
            if found and not judge.excluded(el, scope):
                return found
    return None


def find_main_story(doc: Any, meta: Metadata) -> MainStory | None:
    """The article of a parsed document, or ``None`` when no block of prose stands out."""
    # The same elements' text is asked for by several steps (paragraph scores, container finals, the
    # headline twice, lead blocks, dates): each is computed once per call.
    _MEMO.texts, _MEMO.links = {}, {}
    try:
        return _find_main_story(doc, meta)
    finally:
        _MEMO.texts = _MEMO.links = None


def _find_main_story(doc: Any, meta: Metadata) -> MainStory | None:
    judge = _Judge()
    scores, paragraphs = _score_paragraphs(doc, judge)
    heads = _Headlines(doc, meta, judge)
    body_el = None
    if scores:
        first_h1 = _pick_h1(heads, None)
        h1_near = set(first_h1.iterancestors()) if first_h1 is not None else set()
        ranked = sorted(scores.items(), key=lambda kv: kv[1] * _container_weight(kv[0]), reverse=True)[:6]

        def final(el: Any, score: float) -> float:
            # Teaser rails carry their headlines as links; the article's text sits by its headline.
            chars = int(cast(float, _TEXT_LENGTH(el))) or 1
            near = 1.5 if _near(el, h1_near) else 1.0
            return score * _container_weight(el) * max(0.0, 1 - _link_chars(el) / chars) * near

        finals = {el: final(el, sc) for el, sc in ranked}
        body_el = max(finals, key=finals.__getitem__)
        top = finals[body_el]
        # Text split into sibling blocks (ads in between): the common parent scores nearly as well.
        for _ in range(3):
            parent = body_el.getparent()
            if parent is None or parent.tag in ("body", "html") or parent not in scores:
                break
            if (finals[parent] if parent in finals else final(parent, scores[parent])) >= 0.75 * top:
                body_el = parent
            else:
                break
    h1 = _pick_h1(heads, body_el, {p for p, _ in paragraphs})
    if h1 is None and body_el is not None:
        h1 = _heading_before(body_el, meta)
    texts: list[str] = []
    root = body_el
    if body_el is not None:
        blocks = [body_el, *_like_blocks(body_el, scores)]
        inside = {el for b in blocks for el in b.iterdescendants("p", "div")}
        texts = [t for p, t in paragraphs if p in inside]
        if h1 is not None:
            anc = set(h1.iterancestors())
            shared = _shared(body_el, anc)
            if shared is not None and shared.tag not in ("body", "html"):
                root = shared
                texts = _lead_blocks(shared, body_el, h1, judge) + texts
    dates: list[str] = []
    if h1 is not None:  # the headline repeated over a gallery or a slide is not the story's text
        head = _text(h1)
        texts = [t for t in texts if not (head and t.startswith(head))]
    texts = _join_dateline(_clean_paragraphs(texts, dates))
    description = meta.description()
    if description and texts and not parse_dateline(texts[0]):
        seen = _words(" ".join(texts[:2]))
        words = _words(description)
        if words and len(words & seen) < 0.6 * len(words):
            texts.insert(0, description)  # a standfirst the page prints only in its metadata
    if h1 is None and not texts:
        return None
    chars = sum(len(t) for t in texts)
    stamp = None
    scope = root if root is not None else doc
    for t in scope.iter("time"):
        if t.get("datetime") and not judge.excluded(t, scope):
            stamp = t.get("datetime").strip()
            break
    if not dates and not stamp and not meta.published():  # only where nothing better dates the story
        dates = [d for d in (_short_date(scope, judge), printed_date(meta.title or "")) if d][:1]
    headline = clean_text(_text(h1)) if h1 is not None else None
    return MainStory(
        headline=headline,
        headline_parts=_headline_parts(h1) if h1 is not None else [],
        paragraphs=texts,
        root=root if root is not None else h1,
        datetime=stamp,
        printed_date=dates[0] if dates else None,
        text_chars=chars,
        link_density=(_link_chars(body_el) / max(1, chars)) if body_el is not None else 1.0,
        linked_headings=sum(
            1
            for h in body_el.iter("h2", "h3", "h4")
            if h.find(".//a") is not None or h.getparent().tag == "a"
        )
        if body_el is not None
        else 0,
    )


_SUFFIX_SEPS = (" | ", " - ", " – ", " — ", " :: ", " · ", " • ", " « ", " » ", " / ")


def strip_site(title: str, meta: Metadata, host: str) -> str:
    """``Headline | Site`` → ``Headline`` when the tail names the site (or the page's host); a date or
    an author printed after it goes too (``Headline | Site | 28.04.2023``, ``… | Site | by Name``)."""
    names = [n.casefold() for n in meta.site_names]
    label = host.casefold().removeprefix("www.").split(".")[0]
    for _ in range(3):
        cut = max((title.rfind(s), s) for s in _SUFFIX_SEPS)
        pos, sep = cut
        if pos <= 0:
            break
        printed = title[pos + len(sep) :].strip()
        tail = printed.casefold()
        squashed = re.sub(r"[^a-z0-9]", "", tail)
        if tail and (
            (len(tail) <= 20 and printed_date(tail))
            or (len(printed.split()) <= 5 and is_byline(printed))
            or any(n and (n in tail or tail in n) for n in names)
            or (label and len(label) > 2 and (label in squashed or squashed in label))
        ):
            title = title[:pos].rstrip()
        else:
            break
    return title


# Headlines compared the way a reader would: typographic quotes and dashes as ASCII, soft hyphens
# and spacing ignored, and a kicker separator (`:`, ` – `, ` - `, ` | `) the same whichever is printed.
_FOLD = str.maketrans("‘’‚‛“”„«»–—‑", '\'\'\'\'"""""---', "\u00ad\u200b")
_KICKER_SEP_RE = re.compile(r" ?: | [-|] ")  # on whitespace-collapsed text: one space each side
_EDGE = " .,;:!?-|'\"…"


def title_key(text: str) -> str:
    """``text`` folded for comparing two printings of one headline."""
    folded = " ".join(unicodedata.normalize("NFKC", text).translate(_FOLD).casefold().split())
    return _KICKER_SEP_RE.sub(" : ", folded).strip(_EDGE)


def _title_part(parts: list[str]) -> str | None:
    """The title of a headline printed as kicker and title: its last span, if it reads like one."""
    last = parts[-1].strip(" :-–—|") if parts else ""
    return last if len(last.split()) >= 3 else None


def reconcile_title(main: MainStory | None, meta: Metadata, host: str) -> str | None:
    """The article's title: the strongest metadata headline, checked against the visible one.

    A site suffix is not part of a title. The visible headline decides between metadata headlines
    that differ: the one that prints it (or its title without the kicker) wins over a stronger source
    that prints something else (an SEO or social variant). When metadata and the visible headline
    print the same title behind different kickers, the shared title wins; a visible headline stands
    in for missing or junk metadata.
    """
    visible = main.headline if main is not None and not is_junk_title(main.headline, meta) else None
    candidates = [(strip_site(t, meta, host), s) for t, s in meta.headlines()]
    candidates = [
        (t, s)
        for t, s in candidates
        if not is_junk_title(t, meta) and not (s == "microdata" and t == visible)
    ]
    if not candidates:
        return visible
    best, source = candidates[0]
    if source == "title" and visible:
        return visible  # only <title> in metadata: the page's own headline is better evidence
    if not visible or main is None:
        return best
    part = _title_part(main.headline_parts)
    if part is not None:  # metadata that prints the title alone says the kicker is not part of it
        key = title_key(part)
        confirmed = next((t for t, _ in candidates if title_key(t) == key), None)
        if confirmed is not None:
            return confirmed
    key = title_key(visible)
    if title_key(best) != key:
        confirmed = next((t for t, _ in candidates if title_key(t) == key), None)
        if confirmed is not None:
            return confirmed
    if best.casefold() != visible.casefold() and main.headline_parts:
        # `Kicker: Title` in metadata, `Other kicker - Title` on the page: the shared title. The same
        # kicker in both: the metadata headline as it is.
        parts = main.headline_parts
        for k in range(1, len(parts)):
            part = parts[k]
            if len(part.split()) >= 3 and best.endswith(part) and len(part) < len(best):
                kicker = best[: -len(part)].strip(" :-–—|").casefold()
                printed = " ".join(parts[:k]).strip(" :-–—|").casefold()
                return best if kicker == printed else part
    return best
