"""A real HTTP server for the demo portals (stdlib ``ThreadingHTTPServer`` on 127.0.0.1).

It sends a ``Date`` header on every response (the anchor relative stamps are resolved against) and
serves ``robots.txt``. :func:`running_demo` starts both portals on free ports for ``wirefeed demo``
and the tests; ``python -m wirefeed.demo.server`` runs them in a separate process and prints their
base URLs as one JSON line on stdout, then serves until stdin closes or it is killed.
"""

from __future__ import annotations

import contextlib
import json
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast
from urllib.parse import parse_qsl, urlsplit

from wirefeed.demo.site import DemoSite

__all__ = ["DemoServer", "running_demo"]

ROBOTS = "User-agent: *\nDisallow: /zoeken\nDisallow: /over\n"


class _Handler(BaseHTTPRequestHandler):
    server: DemoServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path == "/robots.txt":
            self._send(200, ROBOTS, "text/plain; charset=utf-8")
            return
        self.server.hits[parts.path] = self.server.hits.get(parts.path, 0) + 1
        now = datetime.now(UTC)
        host = cast(str, self.server.server_address[0])  # an AF_INET server: (host, port)
        base = f"http://{host}:{self.server.server_address[1]}"
        query = dict(parse_qsl(parts.query))
        render = getattr(self.server.site, self.server.portal)
        html = render(parts.path, query, now, base)
        if html is None:
            self._send(404, "<html><body><h1>Niet gevonden</h1></body></html>", "text/html; charset=utf-8")
        elif parts.path.endswith(".xml"):
            self._send(200, html, "application/xml; charset=utf-8")
        else:
            self._send(200, html, "text/html; charset=utf-8")

    def _send(self, status: int, text: str, ctype: str) -> None:
        body = text.encode("utf-8")
        self.send_response(status)  # also sends the Date header
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass


class DemoServer(ThreadingHTTPServer):
    """One portal on one port."""

    daemon_threads = True

    def __init__(self, portal: str, site: DemoSite, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.portal = portal
        self.site = site
        self.hits: dict[str, int] = {}

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@contextmanager
def running_demo(site: DemoSite | None = None) -> Iterator[dict[str, DemoServer]]:
    """Start both portals on free ports in background threads; stop them on exit."""
    site = site or DemoSite(started=datetime.now(UTC))
    servers = {name: DemoServer(name, site) for name in ("zeeland", "kust")}
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in servers.values()]
    for t in threads:
        t.start()
    try:
        yield servers
    finally:
        for s in servers.values():
            s.shutdown()
            s.server_close()


def main() -> None:
    # ``--listing-markup app``: the zeeland portal after a redesign (see DemoSite)
    markup = sys.argv[sys.argv.index("--listing-markup") + 1] if "--listing-markup" in sys.argv else "classic"
    with running_demo(DemoSite(started=datetime.now(UTC), listing_markup=markup)) as servers:
        print(json.dumps({name: s.base_url for name, s in servers.items()}), flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            sys.stdin.read()  # serve until the parent closes our stdin


if __name__ == "__main__":
    main()
