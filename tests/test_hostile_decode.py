"""Pages that lie about their bytes, or bury their text: read anyway, and the fallback counted.

Served from 127.0.0.1 and crawled with the real spider and pipelines: an unknown charset
(``charset=undefined``, which Python's codec of that name refuses outright), a ``<meta charset=utf-16>``
on a UTF-8 page, windows-1252 bytes declaring nothing, a dateline with a right-to-left mark inside it,
and a story nested 100,000 elements deep, headline and all (libxml2 stops at 256 levels and dropped the rest).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from scrapy import signals
from scrapy.utils.defer import deferred_f_from_coro_f
from scrapy.utils.test import get_crawler

from wirefeed.extract import extract_page, extract_stories
from wirefeed.page import decode_noting, load_page
from wirefeed.schemas import Article
from wirefeed.spiders.portal import PortalSpider
from wirefeed.stamps import is_relative_stamp, split_stamp

from .conftest import project_settings
from .hostileserver import article, serve

LEAD = "Het college heeft dinsdag besloten de haven uit te breiden, meldt de gemeente."


def _page(title: str, place: str = "VLISSINGEN") -> str:
    return article(title, place, LEAD)


def _deep(title: str) -> bytes:
    inner = f"<h1>{title}</h1><p>GOES (ANP) - {LEAD}</p><p>Een woordvoerder bevestigt het.</p>"
    return f"<html><body>{'<div>' * 100_000}{inner}{'</div>' * 100_000}</body></html>".encode()


ROUTES = {
    "/undefined": (200, {"Content-Type": "text/html; charset=undefined"}, _page("Café één").encode()),
    "/utf16-lie": (
        200,
        {"Content-Type": "text/html"},
        _page("Zeeuws café").replace('<meta charset="utf-8">', '<meta charset="utf-16">').encode(),
    ),
    "/cp1252": (
        200,
        {"Content-Type": "text/html"},
        _page("Brücke über die Schelde").replace('<meta charset="utf-8">', "").encode("cp1252"),
    ),
    "/bidi": (
        200,
        {"Content-Type": "text/html; charset=utf-8"},
        _page("Bericht uit Kyiv", "KYIV\u200f").encode(),
    ),
    "/deep": (200, {"Content-Type": "text/html; charset=utf-8"}, _deep("Diep genest bericht")),
}


def test_decoding_notes_its_fallbacks() -> None:
    assert decode_noting("é".encode(), "text/html; charset=undefined") == ("é", "unknown-charset")
    assert decode_noting('<meta charset="utf-16"><p>é</p>'.encode(), None) == (
        '<meta charset="utf-16"><p>é</p>',
        "wrong-charset",
    )
    assert decode_noting("<p>é</p>".encode("utf-16"), "text/html; charset=utf-16") == ("<p>é</p>", None)
    assert decode_noting("<p>é</p>".encode("cp1252"), None) == ("<p>é</p>", "undeclared")
    assert decode_noting("<p>é</p>".encode("cp1252"), "text/html; charset=utf-8") == (
        "<p>é</p>",
        "wrong-charset",
    )
    assert decode_noting("<p>é</p>".encode(), "text/html; charset=utf-8") == ("<p>é</p>", None)


def test_an_empty_page_with_an_unknown_charset_is_an_empty_page() -> None:
    """Found by the fuzz campaign (``benchmarks/fuzz.py --pages --seed 11 --replay 114125``): empty bytes
    "decode" in any codec name, even one that does not exist, so the charset was taken as used and its
    lookup raised LookupError later."""
    assert decode_noting(b"", "text/csv; charset=x-nonsense") == ("", "unknown-charset")
    page = load_page(b"", url="http://127.0.0.1/empty", content_type="text/csv; charset=x-nonsense")
    assert page.lines == [] and page.charset_fallback == "unknown-charset"


def test_deep_nesting_keeps_the_text_quickly() -> None:
    start = time.thread_time()  # CPU time: a busy machine does not make the page costlier
    page = load_page(_deep("Diep genest bericht"), url="http://127.0.0.1/deep")
    elapsed = time.thread_time() - start
    texts = [line.text for line in page.lines]
    assert "Diep genest bericht" in texts and f"GOES (ANP) - {LEAD}" in texts
    headline = next(line for line in page.lines if line.text == "Diep genest bericht")
    assert headline.heading_level == 1  # the <h1> survives the flattening
    assert [s.title for s in extract_page(page)] == ["Diep genest bericht"]
    assert elapsed < 2.0  # orders of magnitude: a tree walk that followed 100k levels would not finish


def test_deeply_nested_headings_do_not_nest_again() -> None:
    """Only one deep heading is kept open at a time: 100,000 nested <h1> do not rebuild the nesting."""
    body = (
        "<html><body>"
        + "<h1>" * 100_000
        + "Kop"
        + "</h1>" * 100_000
        + f"<p>GOES (ANP) - {LEAD}</p></body></html>"
    )
    page = load_page(body.encode(), url="http://127.0.0.1/deep")
    assert [line.text for line in page.lines] == ["Kop", f"GOES (ANP) - {LEAD}"]


@deferred_f_from_coro_f
async def test_lying_charsets_bidi_marks_and_deep_nesting_in_a_crawl(tmp_path: Path) -> None:
    with serve(ROUTES) as srv:  # type: ignore[arg-type]
        profile = tmp_path / "lies.json"
        profile.write_text(
            json.dumps(
                {
                    "name": "lies",
                    "domains": [srv.hostport],
                    "start_urls": [srv.base + p for p in ROUTES],
                    "article_patterns": ["^/"],
                    "language": "nl",
                    "country": "NL",
                }
            ),
            "utf-8",
        )
        settings = project_settings(
            tmp_path,
            WIREFEED_PROFILES=[str(profile)],
            AUTOTHROTTLE_ENABLED=False,
            ROBOTSTXT_OBEY=False,
            LOG_LEVEL="ERROR",
        )
        crawler = get_crawler(PortalSpider, settings)
        items: list[Article] = []
        crawler.signals.connect(lambda item: items.append(item), signal=signals.item_scraped, weak=False)
        await crawler.crawl_async(profile="lies")
    stats = crawler.stats.get_stats()
    by_title = {i.title: i for i in items}
    # the deep page's story keeps its text and its headline, though both sit 100,000 levels deep
    assert len(items) == 5
    assert set(by_title) >= {"Café één", "Zeeuws café", "Brücke über die Schelde", "Bericht uit Kyiv"}
    assert all(LEAD in (i.lead or "") for i in items), [i.lead for i in items]
    assert stats["wirefeed/fetch/charset-fallback/unknown-charset"] == 1
    assert stats["wirefeed/fetch/charset-fallback/wrong-charset"] == 1
    assert stats["wirefeed/fetch/charset-fallback/undeclared"] == 1
    kyiv = by_title["Bericht uit Kyiv"]
    assert kyiv.dateline is not None and kyiv.dateline.place == "KYIV" and kyiv.dateline.agencies == ["ANP"]
    deep = [i for i in items if i.source.url.endswith("/deep")]
    assert deep and deep[0].dateline is not None and deep[0].dateline.place == "GOES"
    assert deep[0].title == "Diep genest bericht"


def test_marks_inside_a_glued_or_trailing_stamp_do_not_hide_it() -> None:
    """split_stamp matches without bidi and zero-width marks, like datelines, and keeps them in the parts."""
    assert split_stamp("1 uur\u200b geleden\u200fDEN HAAG (ANP) - Het kabinet") == (
        "",
        "1 uur\u200b geleden\u200f",
        "DEN HAAG (ANP) - Het kabinet",
    )
    assert split_stamp("franceinfo\u200f Il y\u2066 a 5 min") == (
        "franceinfo\u200f",
        "Il y\u2066 a 5 min",
        "",
    )
    assert split_stamp("1 uur geleden\u200fden haag") is None  # still no split before lower case
    assert is_relative_stamp("Il y\u2066 a 5 min")


def test_a_marked_glued_stamp_still_splits_the_stories() -> None:
    """A stamp glued to the next story's dateline, with a zero-width mark inside: the same stories as
    without the mark (the stamp keeps it)."""
    text = "ZIERIKZEE - {lead}\n1 uur{mark} geledenGOES - Een fietser is gewond geraakt.\n2 uur geleden\n"
    plain = extract_stories(text.format(lead=LEAD, mark=""), url="https://portal.example/nieuws")
    marked = extract_stories(text.format(lead=LEAD, mark="\u200b"), url="https://portal.example/nieuws")
    assert [(s.lead, s.stamp) for s in plain] == [
        (f"ZIERIKZEE - {LEAD}", "1 uur geleden"),
        ("GOES - Een fietser is gewond geraakt.", "2 uur geleden"),
    ]
    assert [(s.lead, s.stamp) for s in marked] == [
        (f"ZIERIKZEE - {LEAD}", "1 uur\u200b geleden"),
        ("GOES - Een fietser is gewond geraakt.", "2 uur geleden"),
    ]
