"""extract_stories on readable fixtures (page + meta + expected JSON) and on the seed page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wirefeed import extract_stories
from wirefeed.page import load_page, looks_like_html

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
