"""Tally: counts over distinct stories, however many times a story is seen and however long the run."""

from __future__ import annotations

from wirefeed.keyset import MERGE_MIN
from wirefeed.tally import Tally


def _record(n: int) -> dict:
    return {"id": f"story-{n}", "source": {"name": "demo"}, "title": f"Bericht {n}",
            "language": {"code": "nl"}, "published": {"at": "2026-12-01T09:00:00Z", "source": "page"}}  # fmt: skip


def test_a_story_seen_again_counts_once_also_after_thousands_of_others() -> None:
    tally = Tally()
    n = 3 * MERGE_MIN  # enough stories that the first ones were merged into the compact part
    for i in range(n):
        tally.add(_record(i))
    for i in range(0, n, 7):  # seen again: a teaser of an article already counted, a duplicate
        tally.add(_record(i))
    assert tally.records == n
    assert tally.sources["demo"] == n and tally.languages["nl"] == n and tally.hours["09"] == n
    tally.add(_record(n))
    assert tally.records == n + 1
