"""Progress: lines drawn by a driven clock; ``parse`` shows them on a real terminal (a pty) and not in a
pipe; a crawl prints them every WIREFEED_PROGRESS_SECONDS."""

from __future__ import annotations

import io
import os
import pty
import shutil
import subprocess
import sys
import threading
from pathlib import Path

from scrapy.utils.defer import deferred_f_from_coro_f
from scrapy.utils.test import get_crawler

from wirefeed.progress import Progress
from wirefeed.runner import write_demo_profiles
from wirefeed.spiders.portal import PortalSpider

from .conftest import FIXTURES, project_settings


class _Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_lines_at_most_every_interval() -> None:
    clock, out = _Clock(), io.StringIO()
    stats = {"wirefeed/extract/stories": 0}
    p = Progress(stream=out, interval=0.5, total_files=3, stats=stats, clock=clock)
    p.add(files=1, bytes=2_500_000)
    clock.t += 0.2
    p.add(files=1)  # too soon: no line
    stats["wirefeed/extract/stories"] = 40
    stats["wirefeed/dedup/new"] = 30
    clock.t += 1.8
    p.add(files=1)
    assert out.getvalue().splitlines() == [
        "parse: 1/3 files, 0 stories, 2.5 MB (0 s)",
        "parse: 3/3 files, 40 stories, 30 records, 2.5 MB, 15.0 records/s (2 s)",
    ]


def test_a_terminal_line_is_redrawn_and_ended() -> None:
    clock, out = _Clock(), _Tty()
    p = Progress(
        stream=out, clock=clock, stats={"wirefeed/fetch/pages": 3, "wirefeed/fetch/failed/timeout": 1}
    )
    p.add()
    p.close()
    assert out.getvalue() == "\r\x1b[Kparse: 3 pages, 1 failed (0 s)\r\x1b[Kparse: 3 pages, 1 failed (0 s)\n"


class _Watched(_Tty):
    def __init__(self) -> None:
        super().__init__()
        self.wrote = threading.Event()

    def write(self, text: str) -> int:
        self.wrote.set()
        return super().write(text)


def test_ticking_redraws_while_the_caller_is_busy() -> None:
    out = _Watched()
    stats = {"wirefeed/extract/stories": 7}
    p = Progress(stream=out, interval=0.01, stats=stats)
    p.start_ticking()
    assert out.wrote.wait(timeout=60)  # a line came from the ticker: nobody called add()
    p.close()
    assert "parse: 7 stories" in out.getvalue() and out.getvalue().endswith("\n")
    assert not any(t.name == "wirefeed-progress" for t in threading.enumerate())  # stopped and joined


def test_disabled_off_a_terminal() -> None:
    out = io.StringIO()
    p = Progress.for_terminal(out)
    p.add(files=1)
    p.close()
    assert not p.enabled and out.getvalue() == ""


def _pages(tmp_path: Path) -> list[str]:
    names = []
    for name in ("article-text", "listing-badges-text", "agency-bylines-text"):
        shutil.copytree(FIXTURES / "pages" / name, tmp_path / name)
        names.append(str(next((tmp_path / name).glob("page.*"))))
    return names


def test_parse_shows_progress_on_a_terminal_only(tmp_path: Path) -> None:
    pages = _pages(tmp_path)
    cmd = [sys.executable, "-m", "wirefeed", "parse", *pages, "-o", str(tmp_path / "out.jsonl")]
    master, slave = pty.openpty()
    proc = subprocess.Popen(cmd, stderr=slave, stdout=subprocess.DEVNULL)
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    assert proc.wait(timeout=120) == 0
    os.close(master)
    text = seen.decode("utf-8", "replace")
    # redrawn in place; the last line (drawn when the run ends) has every file, whatever the timing
    assert "\r\x1b[Kparse: " in text and "parse: 3/3 files" in text, text
    piped = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert piped.returncode == 0 and "parse:" not in piped.stderr


@deferred_f_from_coro_f
async def test_a_crawl_prints_progress_lines(tmp_path: Path, demo_server: dict[str, str], capsys) -> None:
    paths = write_demo_profiles(demo_server, tmp_path)
    settings = project_settings(tmp_path, WIREFEED_PROFILES=paths, WIREFEED_PROGRESS_SECONDS=0.05)
    crawler = get_crawler(PortalSpider, settings)
    await crawler.crawl_async(profile="demo-zeeland,demo-kust")
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("crawl: ")]
    # one line per tick from the start; once pages come in, they are counted
    assert lines[0].startswith("crawl: ") and any(" pages, " in line and " stories" in line for line in lines)
