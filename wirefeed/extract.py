"""Stories on a page, found the way a reader finds them: around datelines, stamps and headlines.

:func:`extract_stories` reads one page (HTML or a text rendering) and returns its stories — the page's
own article and the teasers announcing others — as :class:`RawStory` objects holding the raw strings
(title, lead, body, dateline text, stamp text, link, section, badge). Nothing is normalized here; the
pipeline stages do that.

Rules the segmenter follows (each seen on real portals):

* a dateline line opens a story; the title-like line above it is its title (printed twice counts once);
* a relative stamp after a teaser's lead belongs to that teaser, also when glued to the next line;
  on pages that print stamps *before* their posts (live blogs) the stamp opens the post instead;
* a source badge (``ANP Heinen wil …``) is not part of the title;
* section headers (``Meer uit Buitenland``) end the running story and name the section of the
  teasers below them; they, the boilerplate and "read more" links are never stories;
* a text paragraph followed by a stamp is a lead-only story; a headline link is a (title-only) teaser;
* a story cut off at the end of a text rendering is returned with ``truncated=True`` (not emitted).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from wirefeed.dateline import parse_dateline
from wirefeed.mainstory import is_junk_title, reconcile_title
from wirefeed.page import Line, Page, load_page
from wirefeed.profiles import Profile
from wirefeed.stamps import is_absolute_stamp, is_relative_stamp, split_stamp
from wirefeed.teasers import announces_story
from wirefeed.zones import page_zone

__all__ = ["RawStory", "extract_page", "extract_stories", "no_story_reason"]

# Headers that end a story; those of the first group name the section of the teasers below them, without
# the article the lead words take ("Mehr aus dem Kreis": "Kreis"). Articles count in lower case only: a
# capital one starts a name ("Meer uit Den Haag", "More from The Verge").
_SECTION_RE = re.compile(
    r"^(?:(?:(?:meer uit|meer nieuws uit)\s+(?-i:(?:de|het|'t)\s+)?"
    r"|more from\s+(?-i:the\s+)?"
    r"|mehr aus\s+(?-i:(?:dem|der|den)\s+)?"
    r"|plus d'actualités\s+"
    r"|plus (?:de|du|des)\s+(?-i:(?:la|le|les)\s+|l['’]\s*)?)(?P<name>.+)"
    r"|(?:meer over|meer nieuws|lees ook|gerelateerd(?: nieuws)?|related(?: stories)?|more on|also read|"
    r"mehr zum thema|weitere meldungen|à lire aussi|meest gelezen|populair|most read|top stories|"
    r"latest news|laatste nieuws)\b.*)$",
    re.IGNORECASE,
)
_CLOSER_RE = re.compile(
    r"^(?:continue reading|read more|lees meer|lees verder|weiterlesen|lire la suite|"
    r"read more »|meer lezen)\W*$",
    re.IGNORECASE,
)
_ARTIFACT_RE = re.compile(r"^date \d{4}-\d{2}(?:-\d{2})?\s+")
_BULLET_RE = re.compile(r"^[•·▪►]\s*")
_BADGE_RE = re.compile(r"^(?P<badge>ANP|AP|AFP|RTR|Reuters|DPA|dpa|BELGA|Belga|ANP Video|Novum)\s+(?=\S)")
_AP_BYLINE_RE = re.compile(
    r"^By\s+(?P<byline>[A-Z][\w.’'-]*(?:\s+(?:[A-Z][\w.’'-]*|and|&)){0,6})\s+"
    r"(?:Associated Press|Reuters|AFP|Bloomberg)\s+(?=[A-Z])"
)
_END_PUNCT = tuple(".!?\"”'’)…:»")
# A lead cut off by the end of a page is still worth a record when this much of it is there.
_MIN_CUT_LEAD = 100


@dataclass(slots=True)
class RawStory:
    """One story as printed on a page; strings are raw (dateline still in ``lead`` and ``body``)."""

    kind: str  # article | teaser
    title: str | None = None
    lead: str | None = None
    body: str | None = None
    dateline: str | None = None
    stamp: str | None = None
    stamp_datetime: str | None = None  # a machine-readable time printed with the story
    stamp_source: str | None = None  # relative | time | jsonld | meta | text
    link: str | None = None
    section: str | None = None
    badge: str | None = None
    byline: str | None = None
    truncated: bool = False
    paragraphs: list[str] = field(default_factory=list)
    page_kind: str | None = None  # the kind of page it was read from (wirefeed.pagekind.KINDS)
    zone: str | None = None  # zone(s) naive times of this page are read in, when no profile says


@dataclass(slots=True)
class _Entry:
    kind: str  # dateline | stamp | time | section | closer | text | headline | boilerplate
    text: str
    line: Line
    section: str | None = None
    badge: str | None = None
    used: bool = False


def _title_like(e: _Entry) -> bool:
    if e.kind == "headline":
        return True
    if e.kind != "text" or e.used:
        return False
    t = e.text
    words = t.split()
    if not words or len(t) > 220 or len(words) > 30 or t.startswith(("- ", "+ ", "* ", "#")):
        return False
    return not (t.endswith(".") and not t.endswith("...")) or (len(words) <= 4 and not t.endswith("."))


def _entries(page: Page, profile: Profile | None) -> list[_Entry]:
    boiler = [re.compile(p) for p in (profile.boilerplate if profile else ())]
    extra_sections = [re.compile(p, re.IGNORECASE) for p in (profile.section_headers if profile else ())]
    out: list[_Entry] = []
    pending: list[tuple[str, Line]] = [(ln.text, ln) for ln in page.lines]
    i = 0
    while i < len(pending):
        text, line = pending[i]
        i += 1
        text = _BULLET_RE.sub("", _ARTIFACT_RE.sub("", text)).strip()
        if not text:
            continue
        split = split_stamp(text)
        if split:
            before, stamp, after = split
            parts = [p for p in (before, stamp, after) if p]
            pending[i:i] = [(p, Line(text=p, href=line.href)) for p in parts[1:]]
            text = parts[0]
        if any(b.search(text) for b in boiler):
            out.append(_Entry("boilerplate", text, line))
            continue
        if is_relative_stamp(text) and not line.label:
            out.append(_Entry("stamp", text, line))
            continue
        if line.datetime or is_absolute_stamp(text):
            out.append(_Entry("time", text, line))
            continue
        if _CLOSER_RE.match(text):
            out.append(_Entry("closer", text, line))
            continue
        # a heading in capitals is read in lower case, so its article is seen ("MEHR AUS DEM KREIS")
        m = _SECTION_RE.match(text.lower() if text.isupper() and len(text.lower()) == len(text) else text)
        if (m and len(text) < 60) or any(x.search(text) for x in extra_sections):
            name = text[m.start("name") : m.end("name")].strip() if m and m.group("name") else ""
            out.append(_Entry("section", text, line, section=name or None))
            continue
        dl = parse_dateline(text)
        if dl is not None and dl.rest.strip():
            out.append(_Entry("dateline", text, line))
            continue
        if line.headline:
            out.append(_Entry("headline", text, line))
            continue
        words = text.split()
        if 1 <= len(words) <= 3 and text.isupper() and len(text) > 3 and not any(c.isdigit() for c in text):
            out.append(_Entry("section", text, line, section=text.title()))
            continue
        if (
            out
            and not page.is_html
            and out[-1].kind in ("text", "dateline")
            and text[:1].islower()
            and not out[-1].text.endswith(_END_PUNCT)
        ):
            out[-1].text += " " + text  # a hard-wrapped paragraph
            continue
        out.append(_Entry("text", text, line))
    # Badges: `ANP Heinen wil …` above a dateline is a badged title.
    for k, e in enumerate(out):
        if e.kind in ("text", "headline") and k + 1 < len(out) and out[k + 1].kind == "dateline":
            m = _BADGE_RE.match(e.text)
            if m and e.text[m.end() :][:1].isupper():
                e.badge, e.text = m.group("badge"), e.text[m.end() :]
    return out


def _stamps_before(entries: list[_Entry], profile: Profile | None) -> bool:
    if profile and profile.stamp_position != "auto":
        return profile.stamp_position == "before"
    votes = 0
    for k, e in enumerate(entries):
        if e.kind != "stamp":
            continue
        prev = entries[k - 1] if k else None
        nxt = entries[k + 1] if k + 1 < len(entries) else None
        prev_is_lead = prev is not None and prev.kind in ("dateline", "text") and len(prev.text) >= 60
        next_is_lead = nxt is not None and nxt.kind in ("dateline", "text") and len(nxt.text) >= 60
        votes += -1 if prev_is_lead else (1 if next_is_lead else 0)
    return votes > 0


def _new(kind: str, entries: list[_Entry], k: int, section: str | None) -> RawStory:
    """A story opened by entry ``k`` (a dateline or a lead paragraph), with the title above it."""
    e = entries[k]
    story = RawStory(kind=kind, lead=e.text, section=section, paragraphs=[e.text], link=e.line.href)
    if e.kind == "dateline":
        dl = parse_dateline(e.text)
        story.dateline = dl.text if dl else None
    m = _AP_BYLINE_RE.match(story.lead or "")
    if m and story.dateline is None:
        story.byline = m.group("byline")
        story.lead = story.lead[m.end() :] if story.lead else None
        story.paragraphs[0] = story.lead or ""
    j = k - 1
    while j >= 0 and entries[j].kind == "time":  # a date printed under the title belongs to the story
        _attach_time(story, entries[j])
        j -= 1
    if j >= 0 and _title_like(entries[j]):
        t = entries[j]
        story.title, story.badge = t.text, t.badge
        story.link = story.link or t.line.href
        t.used = True
        if j - 1 >= 0 and entries[j - 1].kind in ("text", "headline") and entries[j - 1].text == t.text:
            entries[j - 1].used = True  # the title printed twice
    return story


def _attach_time(story: RawStory, e: _Entry) -> None:
    """A date or ``<time datetime>`` printed with a story: evidence of when it was published."""
    e.used = True
    if story.stamp is not None or (
        e.line.datetime is None and not e.text[:1].isalpha() and ":" in e.text and len(e.text) <= 8
    ):
        return  # a bare clock time ("19:25") says too little to be kept as the story's stamp
    story.stamp = e.text
    story.stamp_datetime = e.line.datetime
    story.stamp_source = "time" if e.line.datetime else "text"


def _segment(
    page: Page,
    profile: Profile | None,
    page_kind: str | None,
    *,
    entries: list[_Entry] | None = None,
    before: bool | None = None,
    section: str | None = None,
    final: bool = True,
) -> list[RawStory]:
    """The stories of ``page``; wirefeed.textstream passes one window of a long text rendering at a
    time (its ``entries``, the stamp position voted on its start, the section running into it, and
    ``final=False`` unless the window ends the text)."""
    entries = _entries(page, profile) if entries is None else entries
    stories: list[RawStory] = []
    before = _stamps_before(entries, profile) if before is None else before
    cur: RawStory | None = None
    for k, e in enumerate(entries):
        nxt = entries[k + 1] if k + 1 < len(entries) else None
        if e.kind in ("section", "closer", "boilerplate"):
            cur = None
            if e.kind == "section":
                section = e.section
            e.used = True
            continue
        if e.kind == "stamp":
            e.used = True
            if before:
                cur = RawStory(kind="teaser", stamp=e.text, stamp_source="relative", section=section)
                stories.append(cur)
            elif cur is not None and cur.stamp is None:
                cur.stamp, cur.stamp_source = e.text, "relative"
                cur.stamp_datetime = e.line.datetime  # `<time datetime>` behind "3 uur geleden"
                cur = None
            elif (
                k
                and entries[k - 1].kind == "text"
                and not entries[k - 1].used
                and len(entries[k - 1].text) >= 40
            ):
                story = _new("teaser", entries, k - 1, section)
                entries[k - 1].used = True
                story.stamp, story.stamp_source = e.text, "relative"
                stories.append(story)
            continue
        if e.kind == "time":
            if cur is not None and not before:
                _attach_time(cur, e)
            continue
        if e.kind == "dateline":
            cur = _new("teaser", entries, k, section)
            e.used = True
            stories.append(cur)
            continue
        if e.used:
            continue
        # text or headline
        if before and cur is not None:
            if cur.lead is None:
                cur.lead = e.text
            cur.paragraphs.append(e.text)
            e.used = True
            continue
        if nxt is not None and nxt.kind == "dateline" and _title_like(e):
            cur = None  # the title of the next story
            continue
        if nxt is not None and nxt.kind in ("text", "headline") and nxt.text == e.text:
            continue  # printed twice: the second copy decides
        if e.kind == "headline":
            cur = RawStory(kind="teaser", title=e.text, link=e.line.href, section=section)
            e.used = True
            stories.append(cur)
            continue
        if cur is not None:
            if cur.lead is None:
                cur.lead = e.text
            cur.paragraphs.append(e.text)
            e.used = True
            continue
        # A title followed by a long paragraph and a "read more" link: a teaser without dateline.
        after = entries[k + 2] if k + 2 < len(entries) else None
        if (
            _title_like(e)
            and nxt is not None
            and nxt.kind == "text"
            and len(nxt.text) >= 120
            and after is not None
            and after.kind == "closer"
        ):
            cur = _new("teaser", entries, k + 1, section)
            nxt.used = True
            stories.append(cur)
    _finish(stories, entries, page, page_kind, before, final)
    return stories


def _finish(
    stories: list[RawStory],
    entries: list[_Entry],
    page: Page,
    page_kind: str | None,
    before: bool,
    final: bool = True,
) -> None:
    if not stories:
        return
    first = stories[0]
    has_body = len([p for p in first.paragraphs if len(p) >= 60]) >= 2
    if first.stamp_source != "relative" and (
        page_kind == "article" or page.is_article or (page_kind is None and has_body and len(stories) > 1)
    ):
        first.kind = "article"
        if first.section is None and len(stories) > 1:
            first.section = stories[1].section  # "Meer uit Buitenland" under an article names its section
    for s in stories:
        if s.kind == "article":
            s.body = "\n\n".join(s.paragraphs)
    if not final:
        return  # a window of a longer text (wirefeed.textstream): more follows its last story
    last = stories[-1]
    end = entries[-1] if entries else None
    if page.is_html or end is None or not (end.text in last.paragraphs or end.text == last.stamp):
        return  # only what runs into the end of a text rendering can be cut off
    tail = (last.paragraphs[-1] if last.paragraphs else "").rstrip()
    if (before and not last.lead) or (
        last.stamp is None
        and len(last.paragraphs) <= 1
        and tail
        and not tail.endswith(_END_PUNCT)
        and len(tail) < _MIN_CUT_LEAD
    ):
        last.truncated = True


def _may_open_teaser(text: str) -> bool:
    """A cheap look for what a wire teaser needs: a relative stamp or a dateline."""
    short = len(text) <= 60
    head = text.lstrip("'’‘\"(")[:2]
    if (short and any(c.isdigit() for c in text[:20])) or (head.isalpha() and head.isupper()):
        return is_relative_stamp(text) or split_stamp(text) is not None or parse_dateline(text) is not None
    return short and is_relative_stamp(text)


def _teasers(page: Page, profile: Profile | None) -> list[RawStory]:
    """Teasers printed around an article: wire copy (with a dateline or a stamp), and headlines that
    link to another story of the site with a lead under them (wirefeed.teasers); other headline links
    around an article are navigation, not stories."""
    if not any(_may_open_teaser(ln.text) or (ln.headline and ln.href) for ln in page.lines):
        return []  # no stamp, dateline or headline link around the article: nothing to segment
    rest = Page(url=page.url, lines=page.lines, is_html=True)  # the article's own text is not in them
    urls = {u for u in (page.url, page.canonical) if u}
    links = {ln.text: ln.href for ln in page.lines}
    out = []
    for s in _segment(rest, profile, "listing"):
        s.kind = "teaser"
        if s.title and is_junk_title(s.title):
            s.title = None  # a byline or share label above a teaser's lead is not its title
        wire = bool(s.dateline or s.stamp_source == "relative") and bool(s.title or s.lead)
        if wire or announces_story(s.title, s.lead, s.link, links.get(s.lead or ""), urls):
            out.append(s)
    return out


def _paragraphs(page: Page) -> list[str]:
    main = page.main
    visible = main.paragraphs if main is not None else []
    body = page.meta.body()
    if body and sum(len(p) for p in visible) < 0.5 * len(body):
        parts = [" ".join(p.split()) for p in body.split("\n") if p.strip()]
        return [p for p in parts if p]
    if not visible and page.meta.description():
        return [page.meta.description() or ""]
    return visible


def _article(page: Page, kind: str, profile: Profile | None) -> RawStory | None:
    """The page's own article from its markup and metadata, strongest evidence first."""
    meta, main = page.meta, page.main
    title = reconcile_title(main, meta, urlsplit(page.url).hostname or "")
    paragraphs = _paragraphs(page)
    if len(paragraphs) > 1 and not parse_dateline(paragraphs[0]) and parse_dateline(paragraphs[1]):
        # A standfirst above the dateline paragraph: the dateline's paragraph is the lead.
        paragraphs = [paragraphs[1], paragraphs[0], *paragraphs[2:]]
    if profile and profile.boilerplate:
        boiler = [re.compile(p) for p in profile.boilerplate]
        paragraphs = [p for p in paragraphs if not any(b.search(p) for b in boiler)]
    if not paragraphs and not title:
        return None
    story = RawStory(
        kind="article",
        title=title,
        lead=paragraphs[0] if paragraphs else None,
        paragraphs=paragraphs,
        body="\n\n".join(paragraphs) or None,
        link=page.canonical or page.url,
        section=meta.section(),
        page_kind=kind,
    )
    if story.lead:
        dl = parse_dateline(story.lead)
        story.dateline = dl.text if dl else None
        m = _AP_BYLINE_RE.match(story.lead)
        if m and story.dateline is None:
            story.byline = m.group("byline")
            story.lead = story.paragraphs[0] = story.lead[m.end() :]
    published = meta.published()
    if published:
        story.stamp = story.stamp_datetime = published[0][0]
        story.stamp_source = published[0][1]
    elif main is not None and main.datetime:
        story.stamp = story.stamp_datetime = main.datetime
        story.stamp_source = "time"
    elif main is not None and main.printed_date:
        story.stamp, story.stamp_source = main.printed_date, "text"
    return story


def _zone(page: Page) -> str:
    times = page.meta.machine_times() + [ln.datetime for ln in page.lines if ln.datetime][:20]
    if page.main is not None and page.main.datetime:
        times.append(page.main.datetime)
    return page_zone(
        times=times, locale=page.meta.metas.get("og:locale"), lang=page.meta.lang_tag, url=page.url
    )


def extract_page(page: Page, *, profile: Profile | None = None) -> list[RawStory]:
    """Stories of an already loaded :class:`~wirefeed.page.Page`."""
    stories = _stories(page, profile)
    if page.is_html and profile is None and stories:
        zone = _zone(page)
        for s in stories:
            s.zone = zone
    return stories


def _stories(page: Page, profile: Profile | None) -> list[RawStory]:
    profile_kind = profile.page_kind(page.url) if profile else None
    if page.is_html and page.kind in ("article", "liveblog") and profile_kind != "listing":
        article = _article(page, page.kind, profile)
        teasers = _teasers(page, profile)
        if article is None:
            return teasers
        if article.section is None and teasers:
            article.section = teasers[0].section  # "Meer uit Buitenland" under an article names its section
        for t in teasers:
            t.page_kind = page.kind
        return [article, *teasers]
    kind = page.kind if page.is_html else "text"
    stories = _segment(page, profile, profile_kind or ("listing" if page.is_html else None))
    for s in stories:
        s.page_kind = kind
        if s.kind == "article":
            s.link = page.canonical or page.url
    return stories


def no_story_reason(page: Page) -> str:
    """Why a page gave no story, in words for the one line ``parse`` prints about it."""
    if page.kind == "feed":
        return "it is a feed, not a page (feeds are read by the crawl's feed spider)"
    if not page.lines:
        return "no visible text" + (" and no article metadata" if page.is_html else "")
    if page.kind in ("article", "liveblog"):
        return f"{page.kind} page without a headline or text the article could be read from"
    return f"{page.kind} page with no headline link, dateline or stamp a story could be read from"


def extract_stories(
    content: str | bytes, *, url: str, content_type: str | None = None, profile: Profile | None = None
) -> list[RawStory]:
    """Return the stories of one page: its own article (``kind='article'``) and its teasers.

    ``content`` is HTML or a text rendering (detected, or told by ``content_type``); ``url`` is where the
    page was read from; ``profile`` (a :class:`~wirefeed.profiles.Profile`) tells article from listing
    pages and adds portal rules. Stories cut off at the end of the page come back with ``truncated=True``.
    """
    page = load_page(
        content, url=url, content_type=content_type, profile_kind=profile.page_kind(url) if profile else None
    )
    return extract_page(page, profile=profile)
