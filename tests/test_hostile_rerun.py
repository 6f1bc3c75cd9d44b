"""Hostile pages across a run and its rerun: JSON-LD of the wrong shape (``"@type": {...}``,
``"itemListElement": 5``) and a page whose charset does not exist (``charset=undefined``). Each run's
exit code says what happened, and the union of the runs holds every story exactly once."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from wirefeed.schemas import Article

from .hostileserver import serve, stop_when_asked

_LISTING = (
    b'<html><head><script type="application/ld+json">{"@type": "ItemList", "itemListElement": 5}</script>'
    b'<script type="application/ld+json">{"@type": {"a": 1}, "@graph": 7}</script></head><body>'
    b'<a href="/nieuws/goed">Goed</a> <a href="/nieuws/kapot">Kapot</a></body></html>'
)
PAGES = {  # path -> (Content-Type, body): invented pages
    "/": ("text/html", _LISTING),
    "/nieuws/goed": (
        "text/html",
        b'<html><head><meta charset="utf-8"><script type="application/ld+json">'
        b'{"@type": {"a": 1}, "itemListElement": 5, "headline": ["x"]}</script></head><body>'
        b"<h1>Haven meldt recordjaar</h1><p>ROTTERDAM (ANP) - De haven van Rotterdam heeft vorig jaar meer "
        b"goederen overgeslagen dan ooit, meldt het havenbedrijf dinsdag.</p></body></html>",
    ),
    "/nieuws/kapot": (
        "text/html; charset=undefined",
        '<html><head><meta charset="undefined"></head><body><h1>Kapotte tekenset in Utrecht</h1>'
        "<p>UTRECHT (ANP) - Deze pagina noemt een tekenset die niet bestaat, en wordt toch gelezen: "
        "één café in de binnenstad.</p></body></html>".encode(),
    ),
}
TITLES = {"Haven meldt recordjaar", "Kapotte tekenset in Utrecht"}


def _command(tmp_path: Path, base: str, hostport: str, *settings: str) -> list[str]:
    profile = tmp_path / "h.json"
    profile.write_text(
        json.dumps({"name": "hostile", "domains": [hostport], "start_urls": [base + "/"],
                    "listing_patterns": ["^/$"], "article_patterns": ["^/nieuws/.+"], "language": "nl"}),
        "utf-8",
    )  # fmt: skip
    return [sys.executable, "-m", "wirefeed", "crawl", "portal", "-a", "profile=hostile", "--profile", str(profile),
            "-o", str(tmp_path / "out.jsonl"), "--state", str(tmp_path / "s.sqlite"), "-s", "LOG_LEVEL=INFO",
            "-s", "ROBOTSTXT_OBEY=False", "-s", "AUTOTHROTTLE_ENABLED=False",
            *(arg for kv in settings for arg in ("-s", kv))]  # fmt: skip


def _records(tmp_path: Path) -> list[Article]:
    out = tmp_path / "out.jsonl"
    data = out.read_bytes() if out.exists() else b""
    assert not data or data.endswith(b"\n"), "a partial line"
    return [Article.model_validate_json(line) for line in data.splitlines()]


def _stat(err: str, key: str) -> int:
    found = re.search(rf"^  {re.escape(key)}\s+(\d+)$", err, re.M)
    return int(found.group(1)) if found else 0


def _quarantined(tmp_path: Path) -> list[dict[str, object]]:
    path = tmp_path / "out.jsonl.rejected.jsonl"
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()] if path.exists() else []


def test_hostile_pages_run_and_rerun_emit_each_story_once(tmp_path: Path) -> None:
    """Run 1 reads both articles (the unknown charset falls back, counted) and exits 0; the rerun over
    the same pages emits nothing new, counts both stories as duplicates and exits 0."""

    def answer(handler: object, path: str) -> tuple[int, dict[str, str], bytes]:
        ctype, body = PAGES[path.split("?")[0]]
        return 200, {"Content-Type": ctype}, body

    with serve(dict.fromkeys(PAGES, answer)) as srv:
        cmd = _command(tmp_path, srv.base, srv.hostport)
        first = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        after_first = _records(tmp_path)
        second = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr[-3000:]
    assert {r.title for r in after_first} == TITLES
    assert "één café" in next(r.body for r in after_first if r.title.startswith("Kapotte"))
    assert _stat(first.stderr, "wirefeed/fetch/charset-fallback/unknown-charset") >= 1, first.stderr[-3000:]
    assert second.returncode == 0, second.stderr[-3000:]
    assert _stat(second.stderr, "wirefeed/dedup/duplicate") == 2, second.stderr[-3000:]
    records = _records(tmp_path)
    assert [r.id for r in records] == [r.id for r in after_first]  # the rerun added nothing
    assert _quarantined(tmp_path) == []


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_a_run_stopped_among_hostile_pages_and_its_rerun_emit_each_story_once(
    tmp_path: Path, sig: int
) -> None:
    """The first run is stopped when the server is asked for the first article (one request at a time,
    so the other is still queued); its exit code says it was stopped (6 for SIGTERM, killed for SIGKILL).
    The rerun reads what was left and exits 0; together the runs hold both stories exactly once."""
    asked, sent = threading.Event(), threading.Event()

    def answer(handler: object, path: str) -> tuple[int, dict[str, str], bytes]:
        ctype, body = PAGES[path.split("?")[0]]
        if path.startswith("/nieuws/") and not sent.is_set():
            asked.set()
            assert sent.wait(60), "the stop was never sent"
        return 200, {"Content-Type": ctype}, body

    with serve(dict.fromkeys(PAGES, answer)) as srv:
        cmd = _command(tmp_path, srv.base, srv.hostport, "CONCURRENT_REQUESTS=1")
        proc, err = stop_when_asked(cmd, asked, sent, sig)
        stopped = _records(tmp_path)
        rerun = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if sig == signal.SIGTERM:
        assert proc.returncode == 6, err[-3000:]
        assert "finish_reason=shutdown" in err
        assert _stat(err, "wirefeed/ledger/pending-at-stop") >= 1, err[-3000:]
    else:
        assert proc.returncode == -signal.SIGKILL
    assert len(stopped) < 2  # the stop came before the second article was read
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    records = _records(tmp_path)
    assert sorted(r.title for r in records) == sorted(TITLES), [r.title for r in records]
    assert len({r.id for r in records}) == len(records) == 2
    assert _quarantined(tmp_path) == []
