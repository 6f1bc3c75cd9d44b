"""A local wire portal of many articles for multi-worker crawls; it logs every request it serves.

``/`` links to every listing page; each listing ``/list?page=N`` holds 20 teasers (relative stamps)
and links to its neighbours, so workers meet the same links many times; ``/a/N`` is article N with a
dateline; ``/sitemap.xml`` is a sitemap index of ``/sitemap-K.xml`` (100 articles each), for the feed
spider. The texts are invented from a word list, different for every article (no two are near
copies). ``served`` counts every path requested, for "every URL fetched exactly once".
"""

from __future__ import annotations

import contextlib
import json
import random
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

__all__ = ["PER_PAGE", "PER_SITEMAP", "WireSite", "article_text", "profile_file", "wire_site"]

PER_PAGE = 20
PER_SITEMAP = 100
_WORDS = (
    "kabinet minister gemeente provincie haven rechter politie bedrijf onderzoek plan geld woningen "
    "verkiezingen storm trein school ziekenhuis boeren staking beurs rente prijzen energie water dijk "
    "brug fabriek museum festival stadion rivier bos strand markt winkel kantoor wijk dorp stad land "
    "regering partij raad burgemeester wethouder agent brandweer ambulance dokter leraar student "
    "kind ouder buurman reiziger toerist visser boer bouwer schilder schrijver zanger speler trainer"
).split()
_PLACES = ["DEN HAAG", "AMSTERDAM", "ROTTERDAM", "UTRECHT", "MIDDELBURG", "BRUSSEL", "LONDEN", "PARIJS"]


def article_text(n: int) -> tuple[str, str, str]:
    """Title, lead (with dateline) and body of article ``n``."""
    rng = random.Random(n)
    w = [rng.choice(_WORDS) for _ in range(60)]
    title = f"Bericht {n} over {w[0]} en {w[1]}"
    lead = (
        f"{_PLACES[n % len(_PLACES)]} (ANP) - De {w[2]} en de {w[3]} " + " ".join(w[4:24]) + f" (nummer {n})."
    )
    body = "Volgens de " + " ".join(w[24:60]) + " zei een woordvoerder."
    return title, lead, body


@dataclass
class WireSite:
    articles: int
    base: str = ""
    served: Counter[str] = field(default_factory=Counter)
    times: list[float] = field(default_factory=list)  # when each crawl page was served (monotonic)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def pages(self) -> int:
        return -(-self.articles // PER_PAGE)

    def expected_paths(self) -> set[str]:
        return {"/", *(f"/list?page={p}" for p in range(1, self.pages + 1))} | {
            f"/a/{n}" for n in range(self.articles)
        }

    @property
    def sitemaps(self) -> int:
        return -(-self.articles // PER_SITEMAP)

    def expected_feed_paths(self) -> set[str]:
        """What the feed spider fetches: the index, its sitemaps and every article."""
        return {"/sitemap.xml", *(f"/sitemap-{k}.xml" for k in range(self.sitemaps))} | {
            f"/a/{n}" for n in range(self.articles)
        }

    def render(self, path: str) -> bytes | None:
        ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        if path == "/sitemap.xml":
            maps = "".join(
                f"<sitemap><loc>{self.base}/sitemap-{k}.xml</loc></sitemap>" for k in range(self.sitemaps)
            )
            return f'<?xml version="1.0"?><sitemapindex {ns}>{maps}</sitemapindex>'.encode()
        if path.startswith("/sitemap-") and path.endswith(".xml") and path[9:-4].isdigit():
            first = int(path[9:-4]) * PER_SITEMAP
            urls = "".join(
                f"<url><loc>{self.base}/a/{n}</loc><lastmod>2026-12-01T{n % 24:02d}:00:00Z</lastmod></url>"
                for n in range(first, min(first + PER_SITEMAP, self.articles))
            )
            return f'<?xml version="1.0"?><urlset {ns}>{urls}</urlset>'.encode()
        if path == "/robots.txt":
            return b"User-agent: *\nDisallow:\n"
        if path == "/":
            links = "".join(f'<a href="/list?page={p}">pagina {p}</a> ' for p in range(1, self.pages + 1))
            return f"<html lang='nl'><body><h2>Nieuws</h2>{links}</body></html>".encode()
        if path.startswith("/list?page="):
            page = int(path.split("=")[-1])
            first = (page - 1) * PER_PAGE
            items = []
            for n in range(first, min(first + PER_PAGE, self.articles)):
                title, lead, _ = article_text(n)
                items.append(
                    f'<div><a href="/a/{n}"><h3>{title}</h3></a><p>{lead}</p>'
                    f"<span>{n % 50 + 2} minuten geleden</span></div>"
                )
            nav = "".join(
                f'<a href="/list?page={p}">pagina {p}</a>'
                for p in (page - 1, page + 1)
                if 1 <= p <= self.pages
            )
            return f"<html lang='nl'><body><h2>Nieuws</h2>{''.join(items)}{nav}</body></html>".encode()
        if path.startswith("/a/") and path[3:].isdigit() and int(path[3:]) < self.articles:
            title, lead, body = article_text(int(path[3:]))
            return f"<html lang='nl'><body><h1>{title}</h1><p>{lead}</p><p>{body}</p></body></html>".encode()
        return None


def _handler(site: WireSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            with site.lock:
                site.served[self.path] += 1
                if self.path != "/robots.txt":
                    site.times.append(time.monotonic())
            body = site.render(self.path)
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

    return Handler


@contextlib.contextmanager
def wire_site(articles: int) -> Iterator[WireSite]:
    site = WireSite(articles)
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _handler(site))
    srv.daemon_threads = True
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    site.base = f"http://127.0.0.1:{srv.server_address[1]}"
    try:
        yield site
    finally:
        srv.shutdown()
        srv.server_close()


def profile_file(site: WireSite, folder: Path) -> Path:
    host = site.base.split("://", 1)[1]
    path = folder / "wire.json"
    path.write_text(
        json.dumps(
            {
                "name": "wire",
                "domains": [host],
                "start_urls": [site.base + "/"],
                "feeds": [site.base + "/sitemap.xml"],
                "listing_patterns": ["^/$", "^/list"],
                "article_patterns": ["^/a/"],
                "language": "nl",
            }
        ),
        "utf-8",
    )
    return path
