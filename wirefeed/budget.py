"""The work budget of one page: how much of a page wirefeed reads, so no page holds a crawl for long.

A hostile page can be huge, have hundreds of thousands of lines, or list thousands of teasers; each
costs time in extraction and in every stage after it. A page is read up to :data:`MAX_BYTES` bytes and
:data:`MAX_LINES` lines, at most :data:`MAX_STORIES` of its stories go on, and the stories of one page
stop going on after :data:`MAX_SECONDS` of work, its first :data:`MIN_STORIES` excepted (so a page whose
extraction alone used the budget still gives what it leads with, and the cut does not depend on how
fast the machine is for the stories that matter most). Both caps act before the parse: the bytes are cut,
and so is the text after its :data:`MAX_LINE_MARKS`-th line mark (a block tag's start in HTML, a line
break in a text rendering), so the parser and the walk never see the rest. The time is CPU time of the
thread doing the page's work, so a busy machine does not cut a page it would not cut when idle. A page
of :data:`OFF_THREAD_BYTES` or more is extracted off a crawl's reactor thread. Past its :data:`MAX_TAGS`-th
``<``, an HTML page's tags are read as paragraph breaks (``wirefeed.page``): a flood of empty tags
(``<li></li>`` * 500,000) prints no line, so the line cap does not see it, but the parse and the walk
cost per element; its text stays. What a budget cut is
counted, never silent:
``wirefeed/extract/over-budget`` once per page, and ``wirefeed/extract/over-budget/<what>`` (bytes,
lines, tags, stories, time). The limits are far above real news pages (the 80 real article pages of 54
publishers in ../shared/realhtml: at most 1.7 MB, 213 lines, 6,805 ``<`` and 22 stories each).
"""

from __future__ import annotations

import re
import time
from itertools import islice
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wirefeed.extract import RawStory
    from wirefeed.page import Page

__all__ = [
    "MAX_BYTES",
    "MAX_LINES",
    "MAX_LINE_MARKS",
    "MAX_SECONDS",
    "MAX_STORIES",
    "MAX_TAGS",
    "MIN_STORIES",
    "OFF_THREAD_BYTES",
    "OFF_THREAD_WORKERS",
    "Deadline",
    "cut_lines",
    "within",
]

MAX_BYTES = 4 * 1024 * 1024
MAX_LINES = 5_000
MAX_STORIES = 300
MAX_SECONDS = 1.0
MIN_STORIES = 10  # a story's work is bounded by the byte and line caps, so these cost a bounded time
# Line marks read before the parse: twice the lines kept, as a line takes a mark or two (a block and its
# heading, a paragraph and its blank line). The real pages have at most 1,378 block tags.
MAX_LINE_MARKS = 2 * MAX_LINES
# `<` read as tags in an HTML page, four times the largest real page's: 15,000 empty elements
# cost 0.15 s of CPU to parse and walk, 500,000 cost 5 s (tests/test_hostile_budget.py).
MAX_TAGS = 30_000
OFF_THREAD_BYTES = 256 * 1024
# Threads that extract those pages (wirefeed.spiders.offthread): the GIL lets a second one overlap only
# lxml's parse, and each thread's malloc arena keeps its high-water mark.
OFF_THREAD_WORKERS = 2


class Deadline:
    """A page's time budget: CPU seconds of the thread doing its work (``spent`` already used
    elsewhere, e.g. by the extraction in a worker thread). Never the time of day."""

    def __init__(self, seconds: float = MAX_SECONDS, spent: float = 0.0) -> None:
        self.left = seconds - spent
        self.start = time.thread_time()

    def passed(self, done: int) -> bool:
        """Whether the stories after the first ``done`` of a page are over the budget."""
        return done >= MIN_STORIES and time.thread_time() - self.start > self.left


def cut_lines(
    text: str, marks: re.Pattern[str], mark: str, limit: int = MAX_LINE_MARKS, *, count: int | None = None
) -> tuple[str, bool]:
    """``text`` up to its ``limit``-th match of ``marks``, and whether it was cut.
    ``mark`` is a character every match starts with: a text with fewer of them is not scanned.
    ``count``: how many ``mark``s ``text`` holds, where the caller knows (counting costs ~1 ms per MB)."""
    if (text.count(mark) if count is None else count) < limit:
        return text, False
    last = next(islice(marks.finditer(text), limit - 1, None), None)
    return (text[: last.start()], True) if last is not None else (text, False)


def within(page: Page, stories: list[RawStory]) -> tuple[list[RawStory], list[str]]:
    """The stories of ``page`` within its budget, and the stats keys (below ``wirefeed/``) to count
    for what was cut: ``extract/over-budget`` and one ``extract/over-budget/<what>`` per limit."""
    over = list(page.over_budget)
    if len(stories) > MAX_STORIES:
        stories = stories[:MAX_STORIES]
        over.append("stories")
    return stories, ["extract/over-budget", *(f"extract/over-budget/{what}" for what in over)] if over else []
