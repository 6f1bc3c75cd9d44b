"""A local server for the hostile-web tests: each test gives it a table of paths and answers.

``serve(routes)`` starts a threaded HTTP server on 127.0.0.1 (port chosen by the kernel) in this process
and returns it; ``srv.base`` is its URL, ``srv.hits`` the paths it was asked for, in order. A route is
``path -> (status, headers, body)`` or a callable ``(handler, path) -> (status, headers, body)`` for
answers that depend on the request or wait for an event. Query strings are part of the path.
"""

from __future__ import annotations

import signal
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Answer = tuple[int, dict[str, str], bytes]
Route = Answer | Callable[[BaseHTTPRequestHandler, str], Answer]

NOT_FOUND: Answer = (404, {"Content-Type": "text/html"}, b"<html><body>niet gevonden</body></html>")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        with self.server.lock:
            self.server.hits.append(self.path)
        route = self.server.routes.get(self.path) or self.server.routes.get(self.path.split("?")[0])
        if route is None and self.server.fallback is not None:
            route = self.server.fallback
        answer = route(self, self.path) if callable(route) else (route or NOT_FOUND)
        status, headers, body = answer
        try:
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:  # the client went away (a crawl stopped mid-download)
            self.close_connection = True


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, routes: dict[str, Route], fallback: Route | None = None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes = routes
        self.fallback = fallback
        self.hits: list[str] = []
        self.lock = threading.Lock()
        self.base = f"http://127.0.0.1:{self.server_address[1]}"
        self.hostport = f"127.0.0.1:{self.server_address[1]}"


@contextmanager
def serve(routes: dict[str, Route], fallback: Route | None = None) -> Iterator[Server]:
    srv = Server(routes, fallback)
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield srv
    finally:
        srv.shutdown()
        srv.server_close()


def html(body: str, ctype: str = "text/html; charset=utf-8") -> Answer:
    return (200, {"Content-Type": ctype}, body.encode("utf-8"))


def article(title: str, place: str, lead: str) -> str:
    return (
        f'<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>{title}</title></head><body>'
        f"<h1>{title}</h1><p>{place} (ANP) - {lead}</p>"
        "<p>Een woordvoerder bevestigt het bericht tegenover de krant.</p></body></html>"
    )


def stop_when_asked(
    cmd: list[str], asked: threading.Event, sent: threading.Event, sig: signal.Signals
) -> tuple[subprocess.Popen[str], str]:
    """Start ``cmd``, send it ``sig`` once the server holds the request it was waiting for (``asked``),
    then let the server answer (``sent``); return the ended process and its stderr."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        assert asked.wait(120), "no article was asked for"
        proc.send_signal(sig)
        sent.set()
        _, err = proc.communicate(timeout=120)
    finally:
        sent.set()
        if proc.poll() is None:
            proc.kill()
    return proc, err
