"""Exactly once, even when killed: SIGKILL a crawl of the demo portals at many points, resume it with
JOBDIR each time, and check the output holds every story exactly once and no partial line."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from wirefeed.schemas import Article
from wirefeed.spiders.runner import write_demo_profiles

KILL_AFTER = [0.3 + 0.15 * k for k in range(20)]  # seconds after start: 20 kills, startup to the last pages


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
def test_killed_and_resumed_crawl_loses_and_duplicates_nothing(
    tmp_path: Path, demo_server: dict[str, str]
) -> None:
    paths = write_demo_profiles(demo_server, tmp_path)
    out = tmp_path / "out.jsonl"
    cmd = [
        sys.executable,
        "-m",
        "wirefeed",
        "crawl",
        "portal",
        "-a",
        "profile=demo-zeeland,demo-kust",
        "--profile",
        paths[0],
        "--profile",
        paths[1],
        "-o",
        str(out),
        "--state",
        str(tmp_path / "state.sqlite"),
        "-s",
        f"JOBDIR={tmp_path / 'job'}",
        "-s",
        "LOG_LEVEL=ERROR",
        "-s",
        "AUTOTHROTTLE_ENABLED=False",
    ]
    killed = 0
    for delay in KILL_AFTER:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        proc.wait(timeout=30)
    final = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert final.returncode == 0, final.stderr
    assert killed >= len(KILL_AFTER) // 4, "the crawl finished before most kills; make the kills earlier"
    data = out.read_bytes()
    assert data.endswith(b"\n")
    records = [Article.model_validate_json(line) for line in data.splitlines()]
    ids = [r.id for r in records]
    assert len(ids) == len(set(ids)), "a story was emitted twice"
    assert len(records) == 34, "a story was lost"  # what one uninterrupted crawl of the demo emits
    assert all(json.loads(line)["schema_version"] == "1" for line in data.splitlines())
