"""The work budget of one page: how much of a page wirefeed reads, so no page holds a crawl for long.

A hostile page can be huge, have hundreds of thousands of lines, or list thousands of teasers; each
costs time in extraction and in every stage after it. A page is read up to :data:`MAX_BYTES` bytes and
:data:`MAX_LINES` lines, at most :data:`MAX_STORIES` of its stories go on, and the stories of one page
stop going on after :data:`MAX_SECONDS` of work. What a budget cut is counted, never silent:
``wirefeed/extract/over-budget`` once per page, and ``wirefeed/extract/over-budget/<what>`` (bytes,
lines, stories, time). The limits are far above real news pages (the 80 real article pages of 54
publishers in ../shared/realhtml: at most 1.7 MB, 213 lines and 22 stories each).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wirefeed.extract import RawStory
    from wirefeed.page import Page

__all__ = ["MAX_BYTES", "MAX_LINES", "MAX_SECONDS", "MAX_STORIES", "Deadline", "within"]

MAX_BYTES = 4 * 1024 * 1024
MAX_LINES = 5_000
MAX_STORIES = 300
MAX_SECONDS = 1.0


class Deadline:
    """A page's time budget, read from a monotonic clock (a duration, not the time of day)."""

    def __init__(self, seconds: float = MAX_SECONDS) -> None:
        self.end = time.monotonic() + seconds

    def passed(self) -> bool:
        return time.monotonic() > self.end


def within(page: Page, stories: list[RawStory]) -> tuple[list[RawStory], list[str]]:
    """The stories of ``page`` within its budget, and the stats keys (below ``wirefeed/``) to count
    for what was cut: ``extract/over-budget`` and one ``extract/over-budget/<what>`` per limit."""
    over = list(page.over_budget)
    if len(stories) > MAX_STORIES:
        stories = stories[:MAX_STORIES]
        over.append("stories")
    return stories, ["extract/over-budget", *(f"extract/over-budget/{what}" for what in over)] if over else []
