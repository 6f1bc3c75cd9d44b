"""The bundled demo portals: a zeelandnet-like site and a second portal carrying some of its stories.

Pages are rendered from ``stories.json`` (text written for wirefeed) against the server's clock, the way
a real portal renders them: relative stamps (``13 minuten geleden``) with floor semantics on the first
portal, ``<time datetime>`` and JSON-LD on the second. Nothing here knows about Scrapy.

Portal ``zeeland`` (div soup, like zeelandnet.nl): ``/``, ``/nieuws``, ``/nieuws/<section>?page=1..3``,
``/nieuws/<slug>``. Portal ``kust`` (semantic ``<article>``/``<time>``/JSON-LD): ``/``, ``/artikel/<slug>``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import format_datetime
from functools import cache
from html import escape
from importlib.resources import files
from typing import Any
from zoneinfo import ZoneInfo

__all__ = ["SECTIONS", "DemoSite", "dutch_age", "stories"]

SECTIONS = {"binnenland": "Binnenland", "buitenland": "Buitenland", "economie": "Economie"}
PER_PAGE = 4
PAGES = 3
TZ = ZoneInfo("Europe/Amsterdam")
_MONTHS = ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]


@cache
def stories() -> list[dict[str, Any]]:
    data = json.loads(files("wirefeed.demo").joinpath("stories.json").read_text("utf-8"))
    return sorted(data["stories"], key=lambda s: s["age_minutes"])


def dutch_age(age: timedelta) -> str:
    """What zeelandnet prints for an age: floor of the largest unit (its ``48 minuten geleden``)."""
    minutes = int(age.total_seconds() // 60)
    if minutes < 1:
        return "zojuist"
    if minutes < 60:
        return "1 minuut geleden" if minutes == 1 else f"{minutes} minuten geleden"
    hours = minutes // 60
    if hours < 24:
        return f"{hours} uur geleden"
    days = hours // 24
    if days < 7:
        return "1 dag geleden" if days == 1 else f"{days} dagen geleden"
    if days < 30:
        weeks = days // 7
        return "1 week geleden" if weeks == 1 else f"{weeks} weken geleden"
    if days < 365:
        months = days // 30
        return "1 maand geleden" if months == 1 else f"{months} maanden geleden"
    return f"{days // 365} jaar geleden"


def _dateline(s: dict[str, Any]) -> str:
    return f"{s['place']} ({s['agencies']}) - " if s["agencies"] else f"{s['place']} - "


@dataclass
class DemoSite:
    """Renders both portals. ``started`` fixes when each story was published; ``edits`` maps a slug to
    replacement paragraphs (a story updated on the portal). ``listing_markup="app"`` is the zeeland
    portal after a redesign: its listings become a script-rendered shell with the stories in a JSON
    attribute, so a crawl finds no teasers there (what the monitors must catch)."""

    started: datetime
    edits: dict[str, list[str]] | None = None
    listing_markup: str = "classic"  # classic | app

    def published(self, s: dict[str, Any]) -> datetime:
        return self.started - timedelta(minutes=s["age_minutes"])

    def paragraphs(self, s: dict[str, Any]) -> list[str]:
        paragraphs: list[str] = (self.edits or {}).get(s["slug"], s["paragraphs"])
        return paragraphs

    # --- portal "zeeland" ------------------------------------------------------------------------
    def _zeeland_frame(self, title: str, body: str, canonical: str) -> str:
        nav = " ".join(f'<a href="/nieuws/{k}">{v}</a>' for k, v in SECTIONS.items())
        return (
            f'<!DOCTYPE html>\n<html lang="nl"><head><meta charset="utf-8"><title>{escape(title)} | Zeeuws Nieuws'
            f'</title><link rel="canonical" href="{canonical}"></head>\n<body>\n'
            f'<header><nav><a href="/">Home</a> <a href="/nieuws">Nieuws</a> {nav} <a href="/zoeken">Zoeken</a>'
            f'</nav></header>\n<div class="top"><div class="wm">Webmail</div><div class="wm-k">Kies je webmail</div>'
            f'<div class="wm-t">Omdat Zeeuws Nieuws ook webmail aanbiedt, vragen we je eenmalig je voorkeur op te geven.'
            f"</div></div>\n{body}\n<footer><p>Zeeuws Nieuws demo - alle berichten zijn verzonnen</p>"
            f'<a href="/over">Over ons</a></footer>\n</body></html>\n'
        )

    def _zeeland_teaser(self, s: dict[str, Any], now: datetime, badge: bool) -> str:
        mark = '<span class="bdg">ANP</span> ' if badge and "ANP" in s["agencies"] else ""
        return (
            f'<div class="tsr"><a href="/nieuws/{s["slug"]}"><h4>{mark}{escape(s["title"])}</h4></a>'
            f'<div class="tsr-l">{escape(_dateline(s) + self.paragraphs(s)[0])}</div>'
            f'<div class="tsr-t">{dutch_age(now - self.published(s))}</div></div>'
        )

    def _zeeland_app_listing(self, title: str, chunk: list[dict[str, Any]], canonical: str) -> str:
        data = [{"id": s["slug"], "kop": s["title"], "ts": self.published(s).isoformat()} for s in chunk]
        body = (
            f'<div id="app" data-props="{escape(json.dumps(data, ensure_ascii=False))}"></div>'
            '<script src="/static/app.js" defer></script>'
        )
        return self._zeeland_frame(title, body, canonical)

    def zeeland(self, path: str, query: dict[str, str], now: datetime, base: str) -> str | None:
        if self.listing_markup == "app" and path in ("/", "/nieuws"):
            return self._zeeland_app_listing("Nieuws", stories()[:8], base + path)
        if path in ("/", "/nieuws"):
            items = "\n".join(self._zeeland_teaser(s, now, True) for s in stories()[:8])
            return self._zeeland_frame(
                "Nieuws", f'<div class="lst"><h2>Laatste nieuws</h2>\n{items}\n</div>', base + path
            )
        if path == "/feed.xml":
            return self.zeeland_rss(base)
        parts = path.strip("/").split("/")
        if len(parts) == 2 and parts[0] == "nieuws" and parts[1] in SECTIONS:
            try:
                page = int(query.get("page", "1"))
            except ValueError:
                return None
            if not 1 <= page <= PAGES:
                return None
            in_section = [s for s in stories() if s["section"] == parts[1]]
            chunk = in_section[(page - 1) * PER_PAGE : page * PER_PAGE]
            if self.listing_markup == "app":
                return self._zeeland_app_listing(
                    SECTIONS[parts[1]], chunk, f"{base}/nieuws/{parts[1]}?page={page}"
                )
            items = "\n".join(self._zeeland_teaser(s, now, True) for s in chunk)
            pager = " ".join(f'<a href="/nieuws/{parts[1]}?page={n}">{n}</a>' for n in range(1, PAGES + 1))
            body = (
                f'<div class="lst"><h2>{SECTIONS[parts[1]]}</h2>\n{items}\n'
                f'<div class="pgr">{pager}</div></div>'
            )
            return self._zeeland_frame(SECTIONS[parts[1]], body, f"{base}/nieuws/{parts[1]}?page={page}")
        if len(parts) == 2 and parts[0] == "nieuws":
            s = next((x for x in stories() if x["slug"] == parts[1]), None)
            if s is None:
                return None
            paras = self.paragraphs(s)
            text = [f"<p>{escape(_dateline(s) + paras[0])}</p>", *(f"<p>{escape(p)}</p>" for p in paras[1:])]
            more = [x for x in stories() if x["section"] == s["section"] and x is not s][:4]
            teasers = "\n".join(self._zeeland_teaser(x, now, False) for x in more)
            body = (
                f'<div class="crumb">{escape(s["title"])}</div>\n<div class="art"><h1>{escape(s["title"])}</h1>\n'
                + "\n".join(text)
                + f'</div>\n<div class="more"><h3>Meer uit {SECTIONS[s["section"]]}</h3>\n'
                f"{teasers}\n</div>"
            )
            return self._zeeland_frame(s["title"], body, f"{base}/nieuws/{s['slug']}")
        return None

    def zeeland_rss(self, base: str) -> str:
        items = []
        for s in stories()[:12]:
            items.append(
                f"<item><title>{escape(s['title'])}</title><link>{base}/nieuws/{s['slug']}</link>"
                f"<guid>{base}/nieuws/{s['slug']}</guid>"
                f"<pubDate>{format_datetime(self.published(s), usegmt=True)}</pubDate>"
                f"<description>{escape(self.paragraphs(s)[0])}</description></item>"
            )
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Zeeuws Nieuws</title>'
            f"<link>{base}/</link>" + "".join(items) + "</channel></rss>\n"
        )

    # --- portal "kust" ---------------------------------------------------------------------------
    def _kust_frame(self, title: str, body: str, head: str = "") -> str:
        return (
            f'<!DOCTYPE html>\n<html lang="nl"><head><meta charset="utf-8"><title>{escape(title)} - Kustkrant'
            f'</title>{head}</head>\n<body><header><h1 class="logo">Kustkrant</h1></header>\n<main>\n{body}\n'
            f'</main><footer>Kustkrant demo &middot; <a href="/colofon">Colofon</a></footer></body></html>\n'
        )

    def _kust_time(self, s: dict[str, Any]) -> tuple[str, str]:
        local = self.published(s).astimezone(TZ)
        label = f"{local.day} {_MONTHS[local.month - 1]} {local.year} {local:%H:%M}"
        return local.isoformat(timespec="seconds"), label

    def kust(self, path: str, query: dict[str, str], now: datetime, base: str) -> str | None:
        carried = [s for s in stories() if s["kust"]]
        if path == "/sitemap-news.xml":
            urls = "".join(
                f"<url><loc>{base}/artikel/{s['slug']}</loc><news:news><news:publication>"
                f"<news:name>Kustkrant</news:name><news:language>nl</news:language></news:publication>"
                f"<news:publication_date>{self._kust_time(s)[0]}</news:publication_date>"
                f"<news:title>{escape(s.get('kust_title') or s['title'])}</news:title></news:news></url>"
                for s in carried
            )
            return (
                '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/'
                'sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
                + urls
                + "</urlset>\n"
            )
        if path == "/":
            rows = []
            for s in carried:
                iso, label = self._kust_time(s)
                rows.append(
                    f'<article class="item"><h2><a href="/artikel/{s["slug"]}">'
                    f"{escape(s.get('kust_title') or s['title'])}</a></h2>"
                    f"<p>{escape(_dateline(s) + self.paragraphs(s)[0])}</p>"
                    f'<p class="meta"><time datetime="{iso}">{label}</time></p></article>'
                )
            return self._kust_frame(
                "Voorpagina",
                '<section><h2 class="kop">Laatste berichten van de kust</h2>\n'
                + "\n".join(rows)
                + "</section>",
            )
        parts = path.strip("/").split("/")
        if len(parts) == 2 and parts[0] == "artikel":
            found: dict[str, Any] | None = next((x for x in carried if x["slug"] == parts[1]), None)
            if found is None:
                return None
            s = found
            iso, label = self._kust_time(s)
            title = s.get("kust_title") or s["title"]
            ld = json.dumps(
                {
                    "@context": "https://schema.org",
                    "@type": "NewsArticle",
                    "headline": title,
                    "datePublished": iso,
                    "articleSection": SECTIONS[s["section"]],
                    "inLanguage": "nl",
                    "url": f"{base}/artikel/{s['slug']}",
                },
                ensure_ascii=False,
            )
            head = (
                f'<script type="application/ld+json">{ld}</script><meta property="og:type" content="article">'
                f'<link rel="canonical" href="{base}/artikel/{s["slug"]}?utm_source=demo">'
            )
            paras = self.paragraphs(s)
            text = [f"<p>{escape(_dateline(s) + paras[0])}</p>", *(f"<p>{escape(p)}</p>" for p in paras[1:])]
            body = (
                f'<article><h1>{escape(title)}</h1><p class="meta">Bijgewerkt: <time datetime="{iso}">{label}'
                f"</time></p>\n" + "\n".join(text) + "</article>"
            )
            return self._kust_frame(title, body, head)
        return None
