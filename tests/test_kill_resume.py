"""Exactly once, even when killed: SIGKILL a crawl of the demo portals at many points and run it
again each time; the output then holds every story exactly once and no partial line.

Kill points are events, not delays, so they land at the same places on a fast or a busy machine:
right after the process starts (imports), and as soon as the output has reached a given number of
lines (each rerun first re-reads the listings, so a kill lands while pages, pipelines and the store
are all busy). Runs with ``JOBDIR`` and without: the frontier is the state store's ledger either way.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from wirefeed.runner import write_demo_profiles
from wirefeed.schemas import Article

STORIES = 34  # what one uninterrupted crawl of both demo portals emits
# Kill when the output holds this many lines (0: at once, while the process is still importing).
JOBDIR_POINTS = [0, 1, 2, 4, 7, 10, 14, 18, 22, 26, 30, 33]
PLAIN_POINTS = [0, 3, 12, 24, 32]


def _lines(path: Path) -> int:
    try:
        return path.read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


def kill_when(
    cmd: list[str], out: Path, lines: int, sig: signal.Signals = signal.SIGKILL, *, twice: bool = False
) -> bool:
    """Run ``cmd`` and send ``sig`` once ``out`` holds ``lines`` lines (``twice``: again as soon as
    the process says it is shutting down, as an impatient person does); False if it ended first."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        while proc.poll() is None and _lines(out) < lines:
            time.sleep(0.002)
        if proc.poll() is not None:
            return False
        proc.send_signal(sig)
        if twice:
            proc.send_signal(sig)
        return True
    finally:
        proc.communicate(timeout=120)


def crawl_command(tmp_path: Path, demo_server: dict[str, str], jobdir: bool) -> list[str]:
    paths = write_demo_profiles(demo_server, tmp_path)
    cmd = [
        sys.executable, "-m", "wirefeed", "crawl", "portal", "-a", "profile=demo-zeeland,demo-kust",
        "--profile", paths[0], "--profile", paths[1], "-o", str(tmp_path / "out.jsonl"),
        "--state", str(tmp_path / "state.sqlite"), "-s", "LOG_LEVEL=ERROR", "-s", "AUTOTHROTTLE_ENABLED=False",
    ]  # fmt: skip
    if jobdir:
        cmd += ["-s", f"JOBDIR={tmp_path / 'job'}"]
    return cmd


def assert_exactly_once(out: Path, stories: int = STORIES) -> None:
    data = out.read_bytes()
    assert data.endswith(b"\n"), "a partial last line, or no output at all"
    records = [Article.model_validate_json(line) for line in data.splitlines()]
    ids = [r.id for r in records]
    assert len(ids) == len(set(ids)), "a story was emitted twice"
    assert len(records) == stories, "a story was lost"
    assert all(json.loads(line)["schema_version"] == "1" for line in data.splitlines())


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
@pytest.mark.parametrize(
    ("jobdir", "points"), [(True, JOBDIR_POINTS), (False, PLAIN_POINTS)], ids=["jobdir", "plain"]
)
def test_killed_and_resumed_crawl_loses_and_duplicates_nothing(
    tmp_path: Path, demo_server: dict[str, str], jobdir: bool, points: list[int]
) -> None:
    cmd = crawl_command(tmp_path, demo_server, jobdir)
    out = tmp_path / "out.jsonl"
    killed = sum(kill_when(cmd, out, n) for n in points)
    final = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    assert final.returncode == 0, final.stderr
    assert killed >= len(points) // 2, "most runs ended before their kill point"
    assert_exactly_once(out)
