"""The local sites the crawl benchmark serves: tiny pages, generated real-looking pages, saved pages.

Every site has ``articles`` article URLs (``/wf-article/<n>``) and listings of 20 teasers with relative
stamps (``/wf-list?page=<k>``) that link them, so a crawl from ``/wf-list?page=1`` reaches every page.

- ``tiny``: an ``<h1>`` and two ``<p>`` per article, a few hundred bytes (the original benchmark).
- ``generated``: pages shaped like a news portal's (consent banner, navigation of ~100 links, inline CSS
  and scripts, JSON-LD, a meta header, the article with a dateline lead, intertitles, an ad slot and a
  "read also" box, a most-read aside with relative stamps, a footer, a hydration-state script),
  100–400 KB each. All text is generated from the word list below; nothing is copied from any site.
- ``pages``: a folder of saved pages (e.g. ``../shared/realhtml/pages``), cycled over the article URLs.
  Each URL gets its own variant, so the crawl sees new stories rather than one page's duplicates: the
  words of every longer text node after its first six (the dateline stays intact) are re-ordered with a
  stride that depends on the URL, which changes nearly every word 3-shingle and so the near-duplicate
  signature, and keeps the markup, the vocabulary and the size. Listings of these sites wear the
  generated portal chrome, so they are real-size too.

Pages are built ahead or from precomputed parts, so serving costs the site's process little next to the
crawler's work.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

PER_PAGE = 20
PLACES = [
    "DEN HAAG",
    "AMSTERDAM",
    "BRUSSEL",
    "KYIV",
    "LONDEN",
    "PARIJS",
    "BERLIJN",
    "ROTTERDAM",
    "UTRECHT",
    "MIDDELBURG",
    "WASHINGTON",
    "NEW YORK",
    "AIR FORCE ONE",
    "'S-HERTOGENBOSCH",
]
AGENCIES = ["ANP", "ANP/AFP", "ANP/RTR", "ANP/DPA"]
WORDS = (
    "kabinet minister gemeente provincie haven rechter politie bedrijf onderzoek plan geld woningen "
    "verkiezingen storm trein school ziekenhuis boeren staking beurs rente prijzen energie water"
).split()
# A wider vocabulary for the generated portal pages (written for this benchmark).
VOCAB = (
    WORDS
    + (
        "de het een van en in op met voor door over naar bij uit tegen zonder onder tussen na "
        "volgens nieuwe grote eerste laatste hoge lage snelle lange korte oude jonge sterke zwakke "
        "zegt meldt besluit wil moet kan gaat komt blijft krijgt maakt houdt vraagt wacht denkt "
        "vandaag gisteren morgen deze week vorig jaar maand dag avond ochtend nacht "
        "regering parlement raad wethouder burgemeester inwoners bewoners reizigers leerlingen "
        "artsen agenten boeren ondernemers klanten werknemers vakbond rechtbank hof "
        "weg brug dijk station haven markt centrum wijk dorp stad regio land grens kust "
        "budget subsidie belasting kosten tekort overschot investering schade boete uitkering"
    ).split()
)
SECTIONS = (
    "binnenland buitenland politiek economie sport cultuur wetenschap gezondheid tech media regio weer "
    "verkeer opinie achtergrond video podcast puzzels service"
).split()


def story(n: int) -> tuple[str, str, str]:
    """Title, lead with a dateline, and body of article ``n`` on the tiny site."""
    w = [WORDS[(n * 7 + i * 3) % len(WORDS)] for i in range(40)]
    title = f"Bericht {n}: {w[0]} en {w[1]} in het nieuws"
    lead = (
        f"{PLACES[n % len(PLACES)]} ({AGENCIES[n % len(AGENCIES)]}) - "
        + " ".join(w[:20]).capitalize()
        + f" volgens bericht nummer {n}."
    )
    body = " ".join(w[20:]).capitalize() + " zei een woordvoerder."
    return title, lead, body


def _listing_items(page: int, articles: int) -> tuple[str, str]:
    first = (page - 1) * PER_PAGE
    items = []
    for n in range(first, min(first + PER_PAGE, articles)):
        title, lead, _ = story(n)
        items.append(
            f'<div><a href="/wf-article/{n}"><h3>{title}</h3></a><p>{lead}</p><span>{n % 59 + 1} minuten '
            f"geleden</span></div>"
        )
    nxt = f'<a href="/wf-list?page={page + 1}">volgende</a>' if first + PER_PAGE < articles else ""
    return "".join(items), nxt


class Site:
    """Tiny pages: the original benchmark's site."""

    def __init__(self, articles: int) -> None:
        self.articles = articles

    def listing(self, page: int) -> bytes:
        items, nxt = _listing_items(page, self.articles)
        return f"<html lang='nl'><body><h2>Nieuws</h2>{items}{nxt}</body></html>".encode()

    def article(self, n: int) -> bytes:
        title, lead, text = story(n)
        return f"<html lang='nl'><body><h1>{title}</h1><p>{lead}</p><p>{text}</p></body></html>".encode()

    def get(self, path: str) -> bytes | None:
        if path.startswith("/wf-list"):
            page = int(path.split("=")[-1]) if "=" in path else 1
            return self.listing(page) if 1 <= page <= (self.articles - 1) // PER_PAGE + 1 else None
        if path.startswith("/wf-article/"):
            n = int(path.rsplit("/", 1)[-1])
            return self.article(n) if 0 <= n < self.articles else None
        return None


def _sentence(rng: random.Random, lo: int = 8, hi: int = 22) -> str:
    return " ".join(rng.choices(VOCAB, k=rng.randint(lo, hi))).capitalize() + "."


def _paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(_sentence(rng) for _ in range(sentences))


class _Chrome:
    """The portal's page parts that do not depend on the article: precomputed in 16 sizes."""

    VARIANTS = 16

    def __init__(self) -> None:
        rng = random.Random(20261201)
        nav = "".join(
            f'<li class="nav__item"><a class="nav__link" href="/sectie/{s}/{i}">{s.capitalize()} {i}</a></li>'
            for i in range(1, 7)
            for s in SECTIONS
        )
        self.header = (
            '<div id="consent" class="cmp" role="dialog"><p>'
            + _paragraph(rng, 3)
            + '</p><button class="cmp__accept">Akkoord</button><button class="cmp__settings">Instellingen'
            "</button></div>"
            '<header class="site-header"><a class="logo" href="/"><svg viewBox="0 0 120 24" aria-hidden="true">'
            '<path d="M0 0h120v24H0z" fill="#c00"/></svg><span class="sr-only">Het Dagblad</span></a>'
            f'<nav class="nav" aria-label="Hoofdmenu"><ul class="nav__list">{nav}</ul></nav>'
            '<form class="search" action="/zoeken"><input name="q" placeholder="Zoeken"><button>Zoek</button>'
            "</form></header>"
        )
        foot = "".join(f'<li><a href="/service/{s}-{i}">{s} {i}</a></li>' for i in range(4) for s in SECTIONS)
        self.footer = (
            f'<footer class="site-footer"><ul class="footer__links">{foot}</ul><p>'
            + _paragraph(rng, 2)
            + "</p><p>© Het Dagblad</p></footer>"
        )
        css = "".join(
            f".c{i}{{margin:{i % 7}px {i % 5}px;padding:{i % 3}px;color:#{(i * 2654435761) % 0xFFFFFF:06x};"
            f"font:{12 + i % 9}px/1.4 sans-serif}}"
            for i in range(400)
        )
        self.head_extra = (
            "".join(
                f'<link rel="preload" href="/static/font-{i}.woff2" as="font" crossorigin>' for i in range(8)
            )
            + f"<style>{css}</style>"
            + "<script>window.dataLayer=window.dataLayer||[];"
            + "".join(f"function f{i}(a,b){{return a<b?a+{i}:b-{i}}}" for i in range(300))
            + "</script>"
        )
        # Hydration state: what a JS framework serialises into the page, 60–330 KB of teaser data.
        self.state: list[str] = []
        for v in range(self.VARIANTS):
            teasers = [
                {
                    "id": rng.randrange(10**9),
                    "title": _sentence(rng, 5, 11),
                    "intro": _sentence(rng, 15, 30),
                    "section": rng.choice(SECTIONS),
                    "image": {"src": f"/img/{rng.randrange(10**6)}.jpg", "w": 1280, "h": 720},
                }
                for _ in range(150 + v * 60)
            ]
            self.state.append(
                "<script>window.__STATE__="
                + json.dumps({"teasers": teasers}, ensure_ascii=False).replace("</", "<\\/")
                + "</script>"
                + "".join(f'<script src="/static/chunk-{i}.js" defer></script>' for i in range(15))
            )

        self.head_bytes = self.head_extra.encode("utf-8")
        self.header_bytes = self.header.encode("utf-8")
        self.tail_bytes = [f"{self.footer}{state}</body></html>".encode() for state in self.state]

    def page(self, n: int, *, title: str, head: str, main: str) -> bytes:
        return b"".join(
            (
                '<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8">'
                '<meta name="viewport" content="width=device-width,initial-scale=1">'
                f"<title>{title} | Het Dagblad</title>{head}".encode(),
                self.head_bytes,
                f'</head><body class="page page--{n % 3}">'.encode(),
                self.header_bytes,
                f'<main class="content">{main}</main>'.encode(),
                self.tail_bytes[n % self.VARIANTS],
            )
        )


class GeneratedSite(Site):
    """Generated pages that look like a real news portal's, 100–400 KB."""

    EPOCH = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)

    def __init__(self, articles: int) -> None:
        super().__init__(articles)
        self.chrome = _Chrome()

    def listing(self, page: int) -> bytes:
        items, nxt = _listing_items(page, self.articles)
        main = f'<h1 class="section-title">Nieuws</h1><div class="teasers">{items}</div>{nxt}'
        return self.chrome.page(page, title="Nieuws", head="", main=main)

    def article(self, n: int) -> bytes:
        rng = random.Random(n)
        title, lead, _ = story(n)
        published = self.EPOCH + timedelta(minutes=17 * n)
        iso = published.isoformat().replace("+00:00", "Z")
        paragraphs = [_paragraph(rng, rng.randint(2, 5)) for _ in range(rng.randint(8, 20))]
        body = [f'<p class="lead">{lead}</p>']
        for i, para in enumerate(paragraphs):
            if i == 3:
                body.append(
                    '<div class="ad" data-slot="mid"><script>googletag.cmd.push(function(){display("mid")})'
                    "</script></div>"
                )
            if i == 5:
                links = "".join(
                    f'<li><a href="/sectie/binnenland/{n + k}">{_sentence(rng, 5, 9)}</a></li>'
                    for k in range(4)
                )
                body.append(f'<aside class="read-also"><h3>Lees ook</h3><ul>{links}</ul></aside>')
            if i and i % 6 == 0:
                body.append(f"<h2>{_sentence(rng, 3, 6)}</h2>")
            body.append(f"<p>{para}</p>")
        most_read = "".join(
            f'<li><a href="/sectie/regio/{n * 10 + k}">{_sentence(rng, 5, 9)}</a>'
            f'<span class="ago">{k + 1} uur geleden</span></li>'
            for k in range(10)
        )
        ld = json.dumps(
            {
                "@context": "https://schema.org",
                "@type": "NewsArticle",
                "headline": title,
                "datePublished": iso,
                "author": {"@type": "Person", "name": "Redactie"},
                "publisher": {"@type": "Organization", "name": "Het Dagblad"},
            },
            ensure_ascii=False,
        )
        head = (
            f'<meta name="description" content="{lead[:150]}"><meta property="og:title" content="{title}">'
            f'<meta property="og:type" content="article"><meta property="article:published_time" '
            f'content="{iso}"><script type="application/ld+json">{ld}</script>'
        )
        main = (
            '<article class="article"><nav class="breadcrumbs"><a href="/">Home</a> › <a href="/sectie/'
            f'binnenland/1">Binnenland</a></nav><h1 class="article__title">{title}</h1><div class="article__meta">'
            f'<time datetime="{iso}">{published:%d-%m-%Y %H:%M}</time> <span class="author">Door de redactie'
            '</span></div><figure><img src="/img/1.jpg" srcset="/img/1-640.jpg 640w, /img/1-1280.jpg 1280w" '
            'alt=""><figcaption>Foto: ANP</figcaption></figure><div class="article__body">'
            + "".join(body)
            + '</div><div class="share"><a href="/share/fb">Deel</a><a href="/share/x">Post</a></div></article>'
            f'<aside class="most-read"><h2>Meest gelezen</h2><ol>{most_read}</ol></aside>'
        )
        return self.chrome.page(n, title=title, head=head, main=main)


_SCRIPT_RE = re.compile(rb"(<script\b.*?</script\s*>|<style\b.*?</style\s*>|<!--.*?-->)", re.S | re.I)
# Text nodes, and meta descriptions (`content="…"`); inside JSON-LD, string values.
_TEXT_RE = re.compile(rb'>([^<]{40,})<|content="([^"]{40,})"')
_JSON_STRING_RE = re.compile(rb'"((?:[^"\\]|\\.){40,})"')
_KEEP = 6  # leading words left in place: the dateline


def _permute(tokens: list[bytes], v: int) -> list[bytes]:
    head, tail = tokens[:_KEEP], tokens[_KEEP:]
    stride = 2 + v % 23
    rot = (v // 23) % max(len(tail), 1)
    tail = tail[rot:] + tail[:rot]
    return head + [w for i in range(stride) for w in tail[i::stride]]


class SavedPagesSite(Site):
    """A folder of saved pages cycled over the article URLs, one variant per URL."""

    def __init__(self, articles: int, folder: Path) -> None:
        super().__init__(articles)
        self.chrome = _Chrome()
        files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in (".html", ".htm"))
        if not files:
            raise SystemExit(f"no .html pages under {folder}")
        self.pages = [self._segments(p.read_bytes()) for p in files]

    @staticmethod
    def _segments(raw: bytes) -> list[bytes | list[bytes]]:
        """Bytes with every longer text node outside scripts split into words (to permute per URL)."""
        out: list[bytes | list[bytes]] = []
        for i, chunk in enumerate(_SCRIPT_RE.split(raw)):
            if i % 2 and b"ld+json" not in chunk[:200]:  # a script, style or comment: served as it is
                out.append(chunk)
                continue
            pos = 0
            for m in (_JSON_STRING_RE if i % 2 else _TEXT_RE).finditer(chunk):
                group = 1 if m.group(1) is not None else 2
                tokens = m.group(group).split()
                if len(tokens) < _KEEP + 4:
                    continue
                out.append(chunk[pos : m.start(group)])
                out.append(tokens)
                pos = m.end(group)
            out.append(chunk[pos:])
        return out

    def listing(self, page: int) -> bytes:
        items, nxt = _listing_items(page, self.articles)
        return self.chrome.page(page, title="Nieuws", head="", main=f"<h1>Nieuws</h1>{items}{nxt}")

    def article(self, n: int) -> bytes:
        segments = self.pages[n % len(self.pages)]
        v = n // len(self.pages)
        return b"".join(s if isinstance(s, bytes) else b" ".join(_permute(s, v)) for s in segments)

    def sizes(self) -> Iterator[int]:
        for n in range(len(self.pages)):
            yield len(self.article(n))
