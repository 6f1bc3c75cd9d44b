"""extract_stories on readable fixtures (page + meta + expected JSON) and on the seed page."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wirefeed import extract_stories, resolve_time
from wirefeed.offline import process_page
from wirefeed.page import load_page, looks_like_html
from wirefeed.store import StateStore

from .conftest import FIXTURES, seedlike

PAGES = sorted(p for p in (FIXTURES / "pages").iterdir() if p.is_dir())


@pytest.mark.parametrize("case", PAGES, ids=[p.name for p in PAGES])
def test_fixture(case: Path) -> None:
    from tests.fixtures.regen import stories_of

    expected = json.loads((case / "expected.json").read_text("utf-8"))
    assert stories_of(case) == expected


def _titles(case: str) -> list[tuple[str | None, str | None, str | None]]:
    return [
        (r["title"], r["dateline"], r["stamp"])
        for r in json.loads((FIXTURES / "pages" / case / "expected.json").read_text("utf-8"))
    ]


def test_three_markups_and_text_agree() -> None:
    """The same content as a text rendering, div soup and semantic HTML gives the same stories."""
    text = _titles("article-text")[:4]
    soup = _titles("article-divsoup")
    semantic = _titles("article-semantic")
    norm = [(t.replace("‘", "'").replace("’", "'") if t else t, d) for t, d, _ in text]
    assert [(t.replace("‘", "'").replace("’", "'") if t else t, d) for t, d, _ in soup] == norm
    assert [(t.replace("‘", "'").replace("’", "'") if t else t, d) for t, d, _ in semantic] == norm
    assert [s for _, _, s in soup[1:]] == [s for _, _, s in text[1:4]]


def test_listing_markups_agree() -> None:
    """Badges, stamps after the lead, a section header and a lead-only item: the same in two markups,
    and the same as the text rendering for what it shows."""
    soup = json.loads((FIXTURES / "pages" / "listing-divsoup" / "expected.json").read_text("utf-8"))
    semantic = json.loads((FIXTURES / "pages" / "listing-semantic" / "expected.json").read_text("utf-8"))
    text = json.loads((FIXTURES / "pages" / "listing-badges-text" / "expected.json").read_text("utf-8"))
    keys = ("title", "dateline", "stamp", "badge", "section", "link")
    assert [{k: s[k] for k in keys} for s in soup] == [{k: s[k] for k in keys} for s in semantic]
    assert [s["title"] for s in soup[:3]] == [s["title"] for s in text]
    assert soup[3]["title"] is None and soup[3]["section"] == "Regio" and soup[3]["dateline"] == "VEERE -"


def test_teaser_keeps_link_in_html() -> None:
    stories = json.loads((FIXTURES / "pages" / "article-divsoup" / "expected.json").read_text("utf-8"))
    assert all(s["link"].startswith("https://www.zeelandnet.nl/nieuws/") for s in stories)


def test_truncated_last_story_is_flagged() -> None:
    stories = json.loads((FIXTURES / "pages" / "article-text" / "expected.json").read_text("utf-8"))
    assert [s["truncated"] for s in stories] == [False, False, False, False, True]


def test_detects_html_and_text() -> None:
    assert looks_like_html(b"<!DOCTYPE html><html><body>x</body></html>")
    assert not looks_like_html(b"Webmail\n\nKies je webmail\n")
    assert looks_like_html(b"x", "text/html; charset=utf-8")


def test_scripts_styles_and_nav_are_not_text() -> None:
    page = load_page(
        (FIXTURES / "pages" / "article-divsoup" / "page.html").read_bytes(), url="https://x.nl/a"
    )
    text = "\n".join(line.text for line in page.lines)
    assert "tracking" not in text and "color:red" not in text and "Home" not in text


def test_seed_page() -> None:
    """The invented seed-like page: the article, then seven teasers with the stamps after their leads."""
    page, expected = seedlike()
    stories = extract_stories(page.read_bytes(), url=expected["url"])
    assert [(s.kind, s.title, s.dateline, s.stamp, s.section, s.truncated) for s in stories] == [
        (e["kind"], e["title"], e["dateline"], e["stamp"], e["section"], False) for e in expected["stories"]
    ]
    assert [s.lead for s in stories] == [f"{e['dateline']} {e['lead']}" for e in expected["stories"]]
    assert len(stories[0].paragraphs) == expected["stories"][0]["paragraphs"]


@given(st.text(max_size=400), st.booleans())
@settings(max_examples=150, deadline=None)
def test_never_raises(text: str, as_html: bool) -> None:
    content = f"<html><body><p>{text}</p></body></html>".encode() if as_html else text
    stories = extract_stories(content, url="https://www.example.nl/nieuws/x")
    assert all(s.kind in ("article", "teaser") for s in stories)


# --- the same invented article in several markups (tests/fixtures/pages/article-*, liveblog-*, listing-*)
HARBOUR = ("article-jsonld-only", "article-microdata", "article-og-only", "article-h1-widgets")


def _records(case: str, anchor: datetime | None = None) -> tuple[Any, Counter[str]]:
    folder = FIXTURES / "pages" / case
    meta = json.loads((folder / "meta.json").read_text("utf-8"))
    stats: Counter[str] = Counter()
    store = StateStore(":memory:")
    try:
        result = process_page(
            (folder / "page.html").read_bytes(),
            url=meta["url"],
            source_name="harbour",
            fetched_at=datetime.fromisoformat(meta["served_at"]),
            anchor=anchor or datetime.fromisoformat(meta["served_at"]),
            profile=None,
            store=store,
            stats=stats,
        )
    finally:
        store.close()
    return result, stats


@pytest.mark.parametrize("case", HARBOUR)
def test_every_markup_gives_the_same_article(case: str) -> None:
    """JSON-LD only, microdata only, OpenGraph only, or nothing but a visible <h1> among widgets: one
    article, the same title, dateline, lead and publish time; never a widget, byline or caption."""
    result, stats = _records(case)
    art = [r for r in result.records if r.kind == "article"]
    assert len(art) == 1
    a = art[0]
    assert a.title.replace('"', "") == "Harbour board approves night ferry to the islands"
    assert a.dateline is not None and a.dateline.place == "PORTSMOUTH" and a.dateline.agencies == ["Reuters"]
    assert a.lead.startswith("The harbour board on Tuesday approved a night ferry")
    assert a.body.count("\n\n") == 2  # three paragraphs; no byline, caption, newsletter or cookie text
    assert a.published is not None and a.published.at == datetime(2026, 3, 3, 10, 15, tzinfo=UTC)
    assert a.language.code == "en"
    assert a.source.page_kind == "article"
    assert stats["wirefeed/extract/article-pages"] == 1


def test_naive_time_read_in_the_pages_own_zone() -> None:
    """`2026-03-03T10:15:00` without offset on a page whose og:locale is en_GB: London (UTC in March),
    not the Amsterdam default."""
    result, _ = _records("article-jsonld-only")
    pub = result.records[0].published
    assert (pub.earliest, pub.latest) == (datetime(2026, 3, 3, 10, 15, tzinfo=UTC),) * 2


def test_naive_time_without_a_zone_covers_every_plausible_zone() -> None:
    page = (
        b'<html><head><script type="application/ld+json">{"@type": "NewsArticle", "headline": '
        b'"Harbour board approves night ferry", "datePublished": "2026-03-03T10:15:00"}</script></head>'
        b"<body><article><h1>Harbour board approves night ferry</h1><p>The harbour board on Tuesday "
        b"approved a night ferry service to the islands, ending a long dispute over noise.</p>"
        b"<p>The first crossing is planned for May, a spokeswoman said on Tuesday afternoon.</p>"
        b"</article></body></html>"
    )
    stories = extract_stories(page, url="https://harbour.example/a")
    assert stories[0].zone == "Etc/GMT+12 Etc/GMT-14"
    r = resolve_time(stories[0].stamp or "", datetime(2026, 3, 4, tzinfo=UTC), tz=stories[0].zone or "")
    assert r is not None
    assert r.earliest == datetime(2026, 3, 2, 20, 15, tzinfo=UTC)  # read at UTC+14
    assert r.latest == datetime(2026, 3, 3, 22, 15, tzinfo=UTC)  # read at UTC-12


def test_publish_time_after_the_reference_time_keeps_the_record() -> None:
    """A crawl date read at 08:00 while the page says 10:15: the record stays, with a note, counted."""
    result, stats = _records("article-og-only", anchor=datetime(2026, 3, 3, 8, 0, tzinfo=UTC))
    assert not result.rejected
    pub = result.records[0].published
    assert pub.note == "after-reference-time" and pub.at == datetime(2026, 3, 3, 10, 15, tzinfo=UTC)
    assert stats["wirefeed/timestamps/future-kept"] == 1


def test_liveblog_and_listing_kinds() -> None:
    live, _ = _records("liveblog-jsonld")
    assert [(r.kind, r.source.page_kind) for r in live.records] == [("article", "liveblog")]
    listing, stats = _records("listing-itemlist")
    assert [(r.kind, r.source.page_kind) for r in listing.records] == [("teaser", "listing")] * 2
    assert stats["wirefeed/extract/listing-pages"] == 1


def test_media_length_is_not_a_stamp() -> None:
    """`<span class="length">5</span> min` under a video teaser is its length, not `5 min ago`."""
    page = load_page(
        (FIXTURES / "pages" / "article-h1-widgets" / "page.html").read_bytes(), url="https://x.example/a"
    )
    line = next(ln for ln in page.lines if ln.text == "5 min")
    assert line.label
    titles = [
        s.title or s.lead
        for s in extract_stories(page_bytes("article-h1-widgets"), url="https://x.example/a")
    ]
    assert not any("night crossing trial run" in (t or "") for t in titles)


_UNDER_HEADING = """Nieuws uit de regio

{heading}

Veerdienst naar het eiland vaart weer volgens winterrooster

HARLINGEN (ANP) - De veerboten tussen Harlingen en het eiland varen vanaf maandag weer volgens het gewone
winterrooster, meldt de rederij.

7 minuten geleden
"""


@pytest.mark.parametrize(
    ("heading", "section"),
    [
        ("Mehr aus dem Kreis", "Kreis"),
        ("Mehr aus der Region Nord", "Region Nord"),
        ("MEHR AUS DEM KREIS", "KREIS"),  # in capitals too
        ("More from the newsroom", "newsroom"),
        ("Meer uit de regio", "regio"),
        ("Meer nieuws uit het Westland", "Westland"),
        ("Plus de la région", "région"),
        ("Plus du sport", "sport"),
        ("Plus de l’Europe", "Europe"),
        ("Meer uit Economie", "Economie"),
        ("Meer uit Den Haag", "Den Haag"),  # a capital article starts a name
        ("More from The Harbour Gazette", "The Harbour Gazette"),
    ],
)
def test_a_section_heading_names_the_section_without_its_article(heading: str, section: str) -> None:
    stories = extract_stories(_UNDER_HEADING.format(heading=heading), url="https://harbour.example/regio")
    assert [(s.title, s.section) for s in stories] == [
        ("Veerdienst naar het eiland vaart weer volgens winterrooster", section)
    ]


def page_bytes(case: str) -> bytes:
    return (FIXTURES / "pages" / case / "page.html").read_bytes()


def test_a_page_without_a_story_says_why() -> None:
    stats: Counter[str] = Counter()
    store = StateStore(":memory:")
    try:
        result = process_page(
            b"<html><body><nav><a href='/'>Home</a></nav><div>Menu</div></body></html>",
            url="https://harbour.example/",
            source_name="harbour",
            fetched_at=datetime(2026, 3, 3, tzinfo=UTC),
            anchor=None,
            profile=None,
            store=store,
            stats=stats,
        )
    finally:
        store.close()
    assert result.records == [] and result.no_story and "homepage" in result.no_story
    assert stats["wirefeed/extract/no-stories"] == 1


@pytest.mark.parametrize(
    "content",
    [
        b'<html><head><meta charset="undefined"><title>x</title></head><body><h1>T</h1></body></html>',
        b"<html><head><meta http-equiv=Content-Type content=text/html;charset=undefined></head>"
        b"<body class=a><div id=b><p class=c>Harbour board approves night ferry, the board said.</p></div>",
        b'<script type="application/ld+json">{"@type": {"a": 1}, "itemListElement": 5, "@graph": 7}</script>',
        b'<script type="application/ld+json">[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[</script>',
        b'<html><body><script type="application/ld+json">{"@type": "NewsArticle", "headline": {"x": 1},'
        b' "datePublished": ["2026-03-03"], "articleBody": 5}</script><h1>Harbour</h1></body></html>',
    ],
)
def test_hostile_markup_does_not_crash(content: bytes) -> None:
    stories = extract_stories(content, url="https://harbour.example/a/b")
    assert all(s.kind in ("article", "teaser") for s in stories)


@pytest.mark.parametrize(
    ("og_title", "expected"),
    [
        # another kicker in the metadata than on the page: the title both print
        ("Harbour vote: Board says yes to the islands route", "Board says yes to the islands route"),
        # the page's own kicker: the metadata headline as it is
        (
            "Night ferry: Board says yes to the islands route",
            "Night ferry: Board says yes to the islands route",
        ),
    ],
)
def test_kicker_and_title(og_title: str, expected: str) -> None:
    page = (
        f'<html><head><meta property="og:type" content="article"><meta property="og:title" content="{og_title}">'
        '</head><body><article><h1><span class="kicker">Night ferry</span> <span>Board says yes to the islands'
        " route</span></h1><p>The harbour board on Tuesday approved a night ferry service to the islands,"
        " ending a dispute.</p><p>The first crossing is planned for May, a spokeswoman said on Tuesday.</p>"
        "</article></body></html>"
    )
    assert extract_stories(page, url="https://harbour.example/a/b")[0].title == expected
