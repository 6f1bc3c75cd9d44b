"""Malformed URLs printed in a page (``http://[x``, ``https://www. [``: Python's URL parser raises
ValueError on them) cost a link or a canonical, never the page. Found by the fuzz million (seed 11,
input 312940: a canonical link cut inside its host)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from wirefeed.offline import process_page
from wirefeed.page import load_page
from wirefeed.store import StateStore

ANCHOR = datetime(2026, 11, 26, 12, tzinfo=UTC)
LEAD = "GOES (ANP) - De haven meldt een record aan overgeslagen containers, zegt een woordvoerder."

ARTICLE = (
    '<html lang="nl"><head><link rel="canonical" href="https://www. [">'
    '<script type="application/ld+json">{"@type": "NewsArticle", "url": "http://[x", '
    '"headline": "Haven meldt record"}</script></head><body><article><h1>Haven meldt record</h1>'
    f"<p>{LEAD}</p><p>Een woordvoerder bevestigt het bericht.</p></article></body></html>"
)
LISTING = (
    '<html lang="nl"><body><h1>Nieuws</h1>'
    '<div class="t"><a href="http://[x"><h3>Bericht met een kapotte link naar de haven</h3></a>'
    f"<p>{LEAD}</p><span>5 minuten geleden</span></div>"
    '<div class="t"><a href="/nieuws/goed"><h3>Bericht met een goede link naar de haven</h3></a>'
    f"<p>{LEAD}</p><span>6 minuten geleden</span></div></body></html>"
)


def _parse(body: str) -> list[str]:
    result = process_page(
        body.encode(), url="http://127.0.0.1/nieuws/record", source_name="t", fetched_at=ANCHOR, anchor=ANCHOR,
        profile=None, store=StateStore(":memory:"), stats=Counter(), content_type="text/html",
    )  # fmt: skip
    return [r.title for r in result.records]


def test_a_malformed_canonical_and_json_ld_url_cost_the_page_nothing() -> None:
    assert load_page(ARTICLE.encode(), url="http://127.0.0.1/nieuws/record").meta.canonical is None
    assert _parse(ARTICLE) == ["Haven meldt record"]


def test_a_malformed_link_is_no_link() -> None:
    page = load_page(LISTING.encode(), url="http://127.0.0.1/nieuws")
    links = {line.text: line.href for line in page.lines if line.text.startswith("Bericht met")}
    assert links == {
        "Bericht met een kapotte link naar de haven": None,
        "Bericht met een goede link naar de haven": "http://127.0.0.1/nieuws/goed",
    }
    assert len(_parse(LISTING)) == 2
