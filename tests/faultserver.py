"""A local server that misbehaves on purpose, for the fault suite (run as a separate process).

    python tests/faultserver.py [--log FILE]   # prints {"base": ..., "other": ..., "wire": ...} and serves

``/`` is a listing that links every fault below plus two good articles; ``/robots.txt`` disallows
``/private``. A second server (``other``) stands for a foreign domain that redirects point to. A third
(``wire``) is a small, well-behaved portal for the kill campaign (:func:`wire_page`): cheap to crawl
again and again, and with what makes exactly-once hard: teasers folded into their articles, a copy of
a story under a second URL, stories that exist only as a teaser. Under ``/laat/`` it serves the
late-evidence case (:func:`late_page`), under ``/weg/`` a listing that drops a link between a run and
its rerun (:func:`drop_page`).
"""

from __future__ import annotations

import gzip
import json
import os
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

GOOD = """<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>{title}</title></head><body>
<h1>{title}</h1><p>{place} (ANP) - {lead}</p><p>Een woordvoerder bevestigt het bericht tegenover de krant.</p>
</body></html>"""
FAULTS = [
    "500",
    "503",
    "503-retry-after",
    "429",
    "slow",
    "drip",
    "reset",
    "gzip-truncated",
    "gzip-bomb",
    "big",
    "empty",
    "junk",
    "malformed",
    "cp1252",
    "nocharset",
    "loop",
    "offsite",
    "private/secret",
    "stamps",
]


def article(title: str, place: str, lead: str, charset: str | None = "utf-8") -> bytes:
    html = GOOD.format(title=title, place=place, lead=lead)
    return html.encode("utf-8") if charset != "cp1252" else html.encode("cp1252")


TOWNS = ["UTRECHT", "GOES", "MIDDELBURG", "VLISSINGEN", "ZIERIKZEE", "TERNEUZEN", "HULST", "DOMBURG"]
WIRE_ARTICLES = 18  # /artikel/s1 .. s18, on two listing pages
WIRE_COPIES = {"s1-kopie": 1, "s2-kopie": 2}  # the same story under another URL: a duplicate
WIRE_TEASER_ONLY = 2  # teasers that link nowhere: emitted as teasers
WIRE_STORIES = WIRE_ARTICLES + WIRE_TEASER_ONLY  # what one uninterrupted crawl emits


SUBJECTS = [
    "een nieuwe brug", "de sluiting van het zwembad", "extra geld voor de bibliotheek", "een proef met deelauto's",
    "de verkoop van het oude stadhuis", "een tekort aan leraren", "het herstel van de dijk",
    "een festival op het strand", "de bouw van een windpark", "een nieuwe veerboot", "het behoud van de molen",
    "een verbod op vuurwerk", "de komst van een datacentrum", "het onderhoud van de haven",
    "een nieuwe huisartsenpost", "de aanleg van glasvezel", "een monument voor vissers", "het sluiten van de markt",
]  # fmt: skip


def _wire_story(i: int) -> tuple[str, str, str]:
    town = TOWNS[i % len(TOWNS)]
    subject = SUBJECTS[i % len(SUBJECTS)]
    title = f"{town.title()} besluit over {subject} ({i})"
    lead = (
        f"{town} (ANP) - Het college van {town.title()} heeft besluit {i} genomen over {subject}, na "
        f"{i + 2} maanden overleg met {i * 7 + 3} inwoners."
    )
    return town, title, lead


def _wire_teaser(href: str | None, i: int, hours: int) -> str:
    _, title, lead = _wire_story(i)
    head = f'<a href="{href}"><h4>{title}</h4></a>' if href else f"<h4>{title}</h4>"
    return f'<div class="tsr">{head}<div class="tsr-l">{lead}</div><div class="tsr-t">{hours} uur geleden</div></div>'


def wire_page(path: str) -> bytes | None:
    """The kill campaign's portal: ``/`` (teasers 1-9, two teaser-only stories, the copy of 1),
    ``/?page=2`` (teasers 10-18, the copy of 2), ``/artikel/<slug>``."""
    if path in ("/", "/?page=2"):
        first = path == "/"
        numbers = range(1, 10) if first else range(10, WIRE_ARTICLES + 1)
        items = [_wire_teaser(f"/artikel/s{i}", i, i) for i in numbers]
        items.append(
            _wire_teaser("/artikel/s1-kopie" if first else "/artikel/s2-kopie", 1 if first else 2, 1)
        )
        if first:
            items += [_wire_teaser(None, 100 + k, 2 + k) for k in range(WIRE_TEASER_ONLY)]
        pager = '<div class="pgr"><a href="/">1</a> <a href="/?page=2">2</a></div>'
        body = f'<div class="lst"><h2>Laatste nieuws</h2>{"".join(items)}{pager}</div>'
    elif path.startswith("/artikel/s"):
        slug = path.removeprefix("/artikel/")
        number = WIRE_COPIES.get(slug) or (int(slug[1:]) if slug[1:].isdigit() else 0)
        if not 1 <= number <= WIRE_ARTICLES:
            return None
        body = _wire_article(number)
    else:
        return None
    return (f'<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>Wire</title></head><body>'
            f"{body}<footer><p>Wire demo</p></footer></body></html>").encode()  # fmt: skip


def _wire_article(i: int) -> str:
    _, title, lead = _wire_story(i)
    return (f'<div class="art"><h1>{title}</h1><p>{lead}</p><p>Het college verwacht dat de eerste '
            f"bewoners over twee jaar kunnen verhuizen, zegt wethouder De Vries.</p></div>")  # fmt: skip


LATE_TITLE = "Gemeente Goes besluit over de haven"


def late_page(path: str) -> bytes | None:
    """The late-evidence portal under ``/laat/``: listing 1 links the article (its teaser has no
    stamp) and listing 2; listing 2 has the article's teaser with a stamp, and links listing 3. The
    server holds the article until listing 3 was asked for — something the spider does only after it
    has read listing 2 — so the stamp always arrives after the article was requested, before it is read."""
    lead = (
        "GOES (ANP) - De gemeenteraad van Goes heeft dinsdag ingestemd met de verbouwing van de oude haven."
    )
    teaser = '<div class="tsr"><a href="/laat/artikel-haven"><h4>' + LATE_TITLE + "</h4></a>"
    teaser += f'<div class="tsr-l">{lead}</div>' + "{stamp}</div>"
    if path == "/laat/":
        body = teaser.format(stamp="") + '<div class="pgr"><a href="/laat/?page=2">2</a></div>'
    elif path == "/laat/?page=2":
        body = teaser.format(stamp='<div class="tsr-t">3 uur geleden</div>')
        body += '<div class="pgr"><a href="/laat/?page=3">3</a></div>'
    elif path == "/laat/?page=3":
        body = "<p>Geen berichten meer.</p>"
    elif path == "/laat/artikel-haven":
        body = (f'<div class="art"><h1>{LATE_TITLE}</h1><p>{lead}</p><p>De werkzaamheden beginnen in het '
                "voorjaar en duren twee jaar, zegt de wethouder.</p></div>")  # fmt: skip
    else:
        return None
    return (f'<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>Laat</title></head><body>'
            f'<div class="lst">{body}</div></body></html>').encode()  # fmt: skip


DROP_ARTICLES = 4  # /weg/artikel/d1 .. d4, on one listing
DROP_HELD = "/weg/artikel/d3"  # held while the run is killed; gone from the listing afterwards


def drop_page(path: str, dropped: bool) -> bytes | None:
    """The dropping portal under ``/weg/``: one listing of teasers (with stamps) for articles d1-d4;
    once ``dropped``, the listing no longer links d3 (the story left the front page), though the
    article itself is still served."""
    if path == "/weg/":
        numbers = [
            i for i in range(1, DROP_ARTICLES + 1) if not (dropped and f"/weg/artikel/d{i}" == DROP_HELD)
        ]
        items = "".join(_wire_teaser(f"/weg/artikel/d{i}", 40 + i, i) for i in numbers)
        body = f'<div class="lst"><h2>Laatste nieuws</h2>{items}</div>'
    elif path.startswith("/weg/artikel/d") and path[14:].isdigit() and 1 <= int(path[14:]) <= DROP_ARTICLES:
        body = _wire_article(40 + int(path[14:]))
    else:
        return None
    return (f'<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>Weg</title></head><body>'
            f"{body}</body></html>").encode()  # fmt: skip


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Any

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def send(
        self,
        status: int,
        body: bytes,
        ctype: str = "text/html; charset=utf-8",
        headers: dict | None = None,
        length: int | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        path = self.path.lstrip("/")
        if self.server.role == "wire" and self.path.startswith("/laat/"):
            with self.server.lock:  # one release per crawl (its User-Agent)
                listing3 = self.server.released.setdefault(self.headers.get("User-Agent"), threading.Event())
            if self.path == "/laat/artikel-haven":
                listing3.wait(
                    60
                )  # an event, not a delay: the timeout only keeps a broken spider from hanging
            elif self.path == "/laat/?page=3":
                listing3.set()
            page = late_page(self.path)
            self.send(
                200 if page is not None else 404, b"<html><body>weg</body></html>" if page is None else page
            )
            return
        if self.server.role == "wire" and self.path.startswith("/weg/"):
            self.dropping()
            return
        if self.server.role == "wire":
            page = wire_page(self.path) if path != "robots.txt" else b""
            self.send(
                200 if page is not None else 404, b"<html><body>weg</body></html>" if page is None else page
            )
            self.wfile.flush()
            if self.server.log is not None:  # after the response went out: the event a kill point waits for
                with self.server.lock:
                    self.server.log.write(f"{self.headers.get('User-Agent')}\t{self.path}\n")
            return
        base = self.server.base
        if self.server.role == "other":
            self.send(200, article("Vreemde site", "LONDEN", "Dit hoort niet in de uitvoer te staan."))
            return
        if path == "robots.txt":
            self.send(200, b"User-agent: *\nDisallow: /private\n", "text/plain")
        elif path == "":
            links = "".join(f'<a href="/{f}">{f}</a> ' for f in FAULTS)
            links += '<a href="/good-1">goed 1</a> <a href="/good-2">goed 2</a> <a href="https://example.org/x">weg</a>'
            self.send(200, f"<html><body><h1>Overzicht</h1><p>{links}</p></body></html>".encode())
        elif path == "good-1":
            self.send(
                200,
                article(
                    "Kabinet presenteert plannen",
                    "DEN HAAG",
                    "Het kabinet heeft dinsdag plannen gepresenteerd voor de woningmarkt.",
                ),
            )
        elif path == "good-2":
            self.send(
                200,
                article(
                    "Haven meldt recordjaar",
                    "ROTTERDAM",
                    "De haven heeft vorig jaar meer goederen overgeslagen dan ooit tevoren.",
                ),
            )
        elif path in ("500", "503"):
            self.send(int(path), b"<html><body>fout</body></html>")
        elif path == "503-retry-after":
            self.send(503, b"<html><body>later</body></html>", headers={"Retry-After": "1"})
        elif path == "429":
            self.send(429, b"<html><body>te veel</body></html>", headers={"Retry-After": "1"})
        elif path == "slow":
            time.sleep(6)
            self.send(200, article("Te laat", "UTRECHT", "Deze pagina komt te laat."))
        elif path == "drip":
            body = article("Druppel", "UTRECHT", "Deze pagina druppelt binnen, een byte per seconde.")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            for b in body[:8]:
                self.wfile.write(bytes([b]))
                self.wfile.flush()
                time.sleep(1)
        elif path == "reset":
            body = article("Afgebroken", "UTRECHT", "Deze verbinding wordt halverwege verbroken.")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            # SO_LINGER 0, then close the descriptor: the kernel answers with RST, a reset mid-body
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            os.close(self.connection.detach())
            self.close_connection = True
        elif path == "gzip-truncated":
            data = gzip.compress(article("Gzip", "UTRECHT", "Deze gzip stroom is afgekapt.") * 5)
            self.send(200, data[: len(data) // 2], headers={"Content-Encoding": "gzip"})
        elif path == "gzip-bomb":
            self.send(200, self.server.bomb, headers={"Content-Encoding": "gzip"})
        elif path == "big":
            self.send(200, b"<html><body>" + b"<p>vulling</p>" * 200_000 + b"</body></html>")
        elif path == "empty":
            self.send(200, b"")
        elif path == "junk":
            self.send(200, bytes(range(256)) * 64)
        elif path == "malformed":
            self.send(
                200,
                b"<html><body><h1>Slordige pagina</h1><p>GOES (ANP) - Een pagina met <b>kapotte <i>opmaak"
                b" wordt toch gelezen, zegt de redactie.<p>Tweede alinea zonder afsluiting<div></span></body>",
            )
        elif path == "cp1252":
            self.send(
                200,
                article(
                    "Café in Zierikzee sluit",
                    "ZIERIKZEE",
                    "Het café aan de haven sluit na éénenveertig jaar de deuren.",
                    charset="cp1252",
                ),
            )
        elif path == "nocharset":
            self.send(
                200,
                article(
                    "Één dag staking",
                    "VLISSINGEN",
                    "Het personeel van de veerdienst legt één dag het werk neer.",
                ).replace(b'<meta charset="utf-8">', b""),
                "text/html",
            )
        elif path == "loop":
            self.send(302, b"", headers={"Location": f"{base}/loop"})
        elif path == "offsite":
            self.send(302, b"", headers={"Location": f"{self.server.other}/elders"})
        elif path.startswith("private"):
            self.send(200, article("Geheim", "UTRECHT", "Deze pagina mag niet gelezen worden."))
        elif path == "feed-xxe.xml":
            self.send(
                200,
                b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                b'<rss version="2.0"><channel><item><title>&x;</title><link>'
                + base.encode()
                + b"/good-1</link></item></channel></rss>",
                "application/rss+xml",
            )
        elif path == "feed-laughs.xml":
            self.send(
                200,
                b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;'
                b'&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;'
                b'&c;&c;&c;&c;">]><rss version="2.0"><channel><item><title>&d;</title></item></channel>'
                b"</rss>",
                "application/rss+xml",
            )
        elif path == "feed.xml":
            self.send(
                200,
                b'<?xml version="1.0"?><rss version="2.0"><channel><item><title>Goed</title><link>'
                + base.encode()
                + b"/good-2</link></item></channel></rss>",
                "application/rss+xml",
            )
        elif path == "stamps":
            items = "".join(
                f'<div><a href="https://example.org/{i}"><h3>Bericht {i}</h3></a><p>UTRECHT (ANP) - Een bericht '
                f"met een onmogelijke tijd erbij, nummer {i}.</p><span>{stamp}</span></div>"
                for i, stamp in enumerate(["-5 uur geleden", "999999 jaar geleden", "3 uur geleden"])
            )
            self.send(200, f"<html><body><h2>Lijst</h2>{items}</body></html>".encode())
        else:
            self.send(404, b"<html><body>niet gevonden</body></html>")

    def dropping(self) -> None:
        """``/weg/``, per crawl job (its User-Agent): the first request for the held article is logged
        (``UA<TAB>path<TAB>held``: the event a kill waits for) and not answered while the test kills
        the crawl; from then on the listing drops that link and the article is served."""
        agent = self.headers.get("User-Agent")
        with self.server.lock:
            release = self.server.released.setdefault(("weg", agent), threading.Event())
            hold = self.path == DROP_HELD and not release.is_set() and ("weg", agent) not in self.server.held
            if hold:
                self.server.held.add(("weg", agent))
            elif self.path == DROP_HELD:
                release.set()  # the rerun asked for it: the killed run's request need not wait on
        if hold:
            if self.server.log is not None:
                with self.server.lock:
                    self.server.log.write(f"{agent}\t{self.path}\theld\n")
            release.wait(60)  # an event, not a delay: the timeout only ends a thread nobody killed for
        page = drop_page(self.path, ("weg", agent) in self.server.held)
        self.send(
            200 if page is not None else 404, b"<html><body>weg</body></html>" if page is None else page
        )


class Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a client killed mid-request: expected here
            super().handle_error(request, client_address)


def serve(role: str) -> ThreadingHTTPServer:
    srv = Server(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.role = role  # type: ignore[attr-defined]
    srv.log = None  # type: ignore[attr-defined]
    srv.lock = threading.Lock()  # type: ignore[attr-defined]
    srv.released = {}  # type: ignore[attr-defined]
    srv.held = set()  # type: ignore[attr-defined]
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def main() -> None:
    main_srv, other, wire = serve("main"), serve("other"), serve("wire")
    base = f"http://127.0.0.1:{main_srv.server_address[1]}"
    main_srv.base = base  # type: ignore[attr-defined]
    main_srv.other = f"http://localhost:{other.server_address[1]}"  # type: ignore[attr-defined]
    main_srv.bomb = gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)  # type: ignore[attr-defined]
    if "--log" in sys.argv:  # every request the wire portal answered: "User-Agent<TAB>path", unbuffered
        wire.log = open(sys.argv[sys.argv.index("--log") + 1], "a", buffering=1)  # type: ignore[attr-defined]  # noqa: SIM115
    wire_base = f"http://127.0.0.1:{wire.server_address[1]}"
    print(json.dumps({"base": base, "other": main_srv.other, "wire": wire_base}), flush=True)
    sys.stdin.read()


if __name__ == "__main__":
    main()
