"""A long text rendering read as a stream: records come out while the rest of the file is still read.

``wirefeed parse`` of a 50 MB text dump must not read and segment the whole file before its first
record. :func:`read_pages` reads a file object in chunks; a text rendering is decoded and split into
lines as it comes (:func:`stream_lines`), segmented in windows by the segmenter of a whole page
(:func:`stream_stories`, over :mod:`wirefeed.extract`), and each story goes through the stages
(:func:`wirefeed.offline.process_stories`) as soon as its window is cut. HTML, and text declaring a
charset other than UTF-8, are read whole (:func:`wirefeed.offline.process_page`).

A window ends only where the segmenter's state is the same whatever came before and where no rule of
it looks across the cut: at a section header, at a title line above a dateline (stamps printed after
their stories), at a stamp (stamps printed before them). The section running into a window and the
stamp position — voted on the first :data:`VOTE_LINES` lines, as far as a whole page is read — carry
over. So a text within a page's budget gives the stories, records, dedup and stats of the whole-file
path (``tests/test_textstream.py`` checks this with tiny windows); a longer one is read to its end
instead of being cut at the budget (a local file holds no crawl: the cost is linear, the memory one
window, progress shows). A text without a cut point is segmented whole at its end.

Bytes are read as UTF-8; a byte that is not UTF-8 is read as windows-1252 (what mislabelled Western
European text almost always is) and counted once, as the whole-file path counts it
(``wirefeed/fetch/charset-fallback/undeclared``, or ``wrong-charset`` when UTF-8 was declared).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from typing import BinaryIO

from wirefeed import budget
from wirefeed.extract import (
    RawStory,
    _entries,
    _Entry,
    _segment,
    _stamps_before,
    _title_like,
    no_story_reason,
)
from wirefeed.offline import PageContext, PageResult, process_in, process_stories
from wirefeed.page import _CHARSET_RE, Line, Page, looks_like_html
from wirefeed.profiles import Profile

__all__ = ["VOTE_LINES", "WINDOW_LINES", "read_pages", "stream_lines", "stream_stories", "streamable"]

CHUNK_BYTES = 1 << 16
VOTE_LINES = budget.MAX_LINES  # the stamp position is voted on the lines a whole page is read to
WINDOW_LINES = 2_000  # lines added before the next look for a cut (doubling while none is found)
_UTF8 = {"utf-8", "utf8", "ascii", "us-ascii"}
_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"  # what str.splitlines splits on
_ESCAPED = re.compile("[\udc80-\udcff]+")  # bytes that were not UTF-8, kept by surrogateescape


def declared_charset(head: bytes, content_type: str | None) -> str | None:
    """The charset a file declares, looked for where :func:`wirefeed.page.decode` looks."""
    for source in (content_type or "", head[:2048].decode("ascii", "replace")):
        m = _CHARSET_RE.search(source)
        if m:
            return m.group(1).lower()
    return None


def streamable(head: bytes, content_type: str | None) -> bool:
    """Whether a file starting with ``head`` is a text rendering this module reads as a stream."""
    charset = declared_charset(head, content_type)
    if charset is not None and charset not in _UTF8:
        return False
    text = head.decode("utf-8", "surrogateescape").lstrip("\ufeff")
    return not looks_like_html(text, content_type)


class _Lines:
    """Byte chunks to the visible lines of a text rendering, as :func:`wirefeed.page.load_page` reads
    them from a whole text (runs of spaces made one, blank lines dropped); ``fell_back`` tells whether
    a byte was not UTF-8."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self.chunks = chunks
        self.fell_back = False
        self.count = 0

    def _text(self, text: str) -> str:
        if _ESCAPED.search(text):
            self.fell_back = True
            text = _ESCAPED.sub(
                lambda m: bytes(ord(c) - 0xDC00 for c in m.group()).decode("cp1252", "replace"), text
            )
        return text

    def __iter__(self) -> Iterator[Line]:
        decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")
        rest, start = "", True
        for chunk in chain(self.chunks, [None]):
            text = rest + self._text(decoder.decode(chunk or b"", final=chunk is None))
            if start and text:  # the whole-file path strips byte order marks off the start
                text = text.lstrip("\ufeff")
                start = not text
            if chunk is None:
                rest = ""
            else:
                cut = max(text.rfind(c) for c in _BREAKS)
                if cut >= 0 and cut == len(text) - 1 and text[cut] == "\r":  # maybe half of "\r\n"
                    cut = max(text.rfind(c, 0, cut) for c in _BREAKS)
                text, rest = text[: cut + 1], text[cut + 1 :]
            for raw in text.splitlines():
                if raw.strip():
                    self.count += 1
                    yield Line(text=" ".join(raw.split()))


def stream_lines(chunks: Iterable[bytes]) -> Iterator[Line]:
    """The visible lines of a text rendering given as byte chunks."""
    return iter(_Lines(chunks))


def _cut(entries: list[_Entry], index: dict[int, int], before: bool) -> tuple[int, int] | None:
    """The last entry a window can start at, and the line it starts: one whose processing by
    :func:`wirefeed.extract._segment` does not depend on what came before it, and where no entry
    before it looks at it or after it (the segmenter looks two entries ahead and, from a dateline or a
    lead, back over its title and the dates above it). The entry must be the first of its line."""
    for p in range(len(entries) - 2, 0, -1):
        e = entries[p]
        at = index.get(id(e.line))
        if at is None:
            continue
        if e.kind == "section":  # ends any story; nothing looks back past it
            return p, at
        if before and e.kind == "stamp":  # opens a new post
            return p, at
        prev = entries[p - 1]
        if (
            not before
            and e.kind == "text"
            and entries[p + 1].kind == "dateline"
            and _title_like(e)
            and not (prev.kind in ("text", "headline") and prev.text == e.text)  # not printed twice
        ):
            return p, at  # a title above a dateline ends the running story and opens the next
    return None


def stream_stories(
    lines: Iterable[Line],
    *,
    url: str,
    profile: Profile | None,
    vote_lines: int = VOTE_LINES,
    window_lines: int = WINDOW_LINES,
) -> Iterator[RawStory]:
    """The stories of a text rendering given line by line, each once the window holding it is cut:
    those :func:`wirefeed.extract.extract_page` finds in the whole text (within a page's budget)."""
    profile_kind = profile.page_kind(url) if profile else None
    it = iter(lines)
    buf: list[Line] = []
    eof = False

    def fill(n: int) -> None:
        nonlocal eof
        while not eof and len(buf) < n:
            line = next(it, None)
            if line is None:
                eof = True
            else:
                buf.append(line)

    fill(vote_lines)
    entries = _entries(Page(url=url, lines=buf, is_html=False), profile)
    before = _stamps_before(entries, profile)
    section: str | None = None
    first = True
    while True:
        kind = profile_kind if first else "listing"  # only the text's first story can be its article
        if eof:
            window = Page(url=url, lines=buf, is_html=False)
            yield from _placed(
                _segment(window, profile, kind, entries=entries, before=before, section=section), url
            )
            return
        want = 2 * len(buf)
        cut = _cut(entries, {id(line): i for i, line in enumerate(buf)}, before)
        if cut is not None:
            p, at = cut
            window = Page(url=url, lines=buf[:at], is_html=False)
            head = entries[:p]
            stories = _segment(
                window, profile, kind, entries=head, before=before, section=section, final=False
            )
            if not first or len(stories) >= 2:  # the article rule of a text's first story sees a second
                yield from _placed(stories, url)
                section = next((e.section for e in reversed(head) if e.kind == "section"), section)
                del buf[:at]
                first = False
                want = len(buf) + window_lines
        fill(want)
        entries = _entries(Page(url=url, lines=buf, is_html=False), profile)


def _placed(stories: list[RawStory], url: str) -> Iterator[RawStory]:
    for s in stories:  # as wirefeed.extract marks the stories of a text page
        s.page_kind = "text"
        if s.kind == "article":
            s.link = url
        yield s


def read_pages(
    fh: BinaryIO,
    ctx: PageContext,
    *,
    content_type: str | None = None,
    on_read: Callable[[int], None] | None = None,
) -> Iterator[PageResult]:
    """The results of one saved page read from ``fh`` in ``ctx``: a text rendering one story at a time
    while it is read, anything else whole (one :class:`~wirefeed.offline.PageResult`). The last result
    of a text with no story carries ``no_story``; ``on_read`` is told the size of each chunk read."""
    url, stats = ctx.url, ctx.stats

    read_some = getattr(fh, "read1", fh.read)  # what a pipe has now, not a wait for a full chunk

    def read(n: int = CHUNK_BYTES) -> bytes:
        data = read_some(n) if n > 0 else fh.read()
        if on_read is not None and data:
            on_read(len(data))
        return data

    head = b""
    while len(head) < 4096:  # enough to tell HTML from text, also from a pipe that gives little at once
        more = read()
        if not more:
            break
        head += more
    if not streamable(head, content_type):
        yield process_in(ctx, head + read(-1), content_type=content_type)
        return
    stats["wirefeed/extract/pages"] += 1
    stats["wirefeed/extract/text-pages"] += 1
    lines = _Lines(chain([head], iter(read, b"")))
    found = 0
    for story in process_stories(stream_stories(lines, url=url, profile=ctx.profile), ctx):
        found += 1
        yield story
    if lines.fell_back:
        declared = declared_charset(head, content_type)
        stats[f"wirefeed/fetch/charset-fallback/{'wrong-charset' if declared else 'undeclared'}"] += 1
    if not found:  # (process_stories yields once per story here: nothing is folded)
        stats["wirefeed/extract/no-stories"] += 1
        sample = [Line(text="-")] if lines.count else []
        yield PageResult(no_story=no_story_reason(Page(url=url, lines=sample, is_html=False)))
