"""A machine-readable time with an offset no zone has (``+20:00``) is read, not a failed page. Found by
the fuzz million (seed 11, input 590870: ``ZoneInfoNotFoundError: Etc/GMT-20``)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from wirefeed.offline import process_page
from wirefeed.store import StateStore
from wirefeed.zones import page_zone

ANCHOR = datetime(2026, 11, 26, 12, tzinfo=UTC)


def test_an_offset_beyond_every_zone_keeps_the_candidates() -> None:
    assert page_zone(times=["2026-03-03T10:15:00+20:00"], locale=None, lang="nl", url="http://x.nl/a") == (
        page_zone(times=[], locale=None, lang="nl", url="http://x.nl/a")
    )
    assert (
        page_zone(times=["2026-03-03T10:15:00+14:00"], locale=None, lang="xx", url="http://x/a")
        == "Etc/GMT-14"
    )


def test_a_page_with_such_a_time_gives_its_story() -> None:
    body = (
        '<html lang="nl"><body><article><h1>Haven meldt record</h1>'
        '<time datetime="2026-03-03T10:15:00+20:00">3 maart</time>'
        "<p>GOES (ANP) - De haven meldt een record aan overgeslagen containers, zegt een woordvoerder.</p>"
        "</article></body></html>"
    )
    result = process_page(
        body.encode(), url="http://127.0.0.1/nieuws/record", source_name="t", fetched_at=ANCHOR, anchor=ANCHOR,
        profile=None, store=StateStore(":memory:"), stats=Counter(), content_type="text/html",
    )  # fmt: skip
    assert [r.title for r in result.records] == ["Haven meldt record"]
